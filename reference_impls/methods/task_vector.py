"""Task-vector negation: fine-tune on the forget set, then subtract the change.

    θ_ft = fine-tune(θ₀, forget)      τ = θ_ft − θ₀      θ_unlearned = θ₀ − α · τ

The fine-tuning step is plain NLL on the forget answers; the edit is pure weight
arithmetic afterwards, so retain data is not used at all. The edit walks the model's
parameters once each (`named_parameters` lists a tied embedding / output head once;
`state_dict` lists it under both names, and negating it twice would give
θ₀ + α²·τ — it would reinforce what it should remove). Buffers are not trained, so their
τ is zero and they are left alone.
Paper: Ilharco et al. 2023, "Editing Models with Task Arithmetic" (arXiv 2212.04089).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import torch

from ..cli import run_method
from ..config import CommonConfig, opt
from ..data import encode, forget_retain_batches
from ..evaluation import System
from ..losses import token_nll
from ..training import batch_seed, check_loss, finish, prepare_training, progress, step

INTENTION = "removal"


@dataclass
class Config(CommonConfig):
    lr: float = opt(3e-3, "learning rate of the reinforcing fine-tune")
    steps: int = opt(40, "fine-tuning steps on the forget set")
    alpha: float = opt(1.5, "α, how much of the task vector to subtract")


def unlearn(cfg: Config, task) -> System:
    original = {k: p.detach().clone() for k, p in task.model.named_parameters()}
    acc, model, optimizer = prepare_training(cfg, task.model)
    batches = forget_retain_batches(task.forget, task.forget, cfg.batch_size, batch_seed(cfg))
    for i in progress(cfg, "task_vector"):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs[:n_forget], acc.device)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        loss = token_nll(logits, batch["labels"])
        check_loss(loss, i, cfg, "task_vector")
        step(acc, model, optimizer, loss, cfg)
    model = finish(acc, model)
    negate(model, original, cfg.alpha)
    return System(model, task.tokenizer)


@torch.no_grad()
def negate(model, original: dict[str, torch.Tensor], alpha: float) -> None:
    """θ ← θ₀ − α·(θ − θ₀) for every parameter, each (tied ones too) exactly once."""
    for name, param in model.named_parameters():  # deduplicated: a tied weight appears once
        theta0 = original[name].to(param.device, param.dtype)
        param.copy_(theta0 - alpha * (param - theta0))


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
