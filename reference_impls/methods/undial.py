"""UNDIAL: self-distillation towards the original model's logits with the target token's
logit lowered.

    z'_t = z_ref,t − γ · onehot(y_t)          (teacher: the frozen original, adjusted)
    L(θ) = E_forget,t[ KL( softmax(z'_t) ‖ softmax(z_θ,t) ) ] + λ · NLL_θ(retain)

The student only has to move probability from the answer token to what the original model
already found plausible, so the loss is bounded and training stays stable.
Paper: Dong et al. 2024, "UNDIAL: Self-Distillation with Adjusted Logits for Robust
Unlearning in Large Language Models" (arXiv 2402.10052).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import torch

from ..cli import run_method
from ..config import CommonConfig, opt
from ..data import IGNORE, encode, forget_retain_batches, split
from ..evaluation import System
from ..losses import kl_divergence, token_nll
from ..training import batch_seed, check_loss, finish, frozen_copy, prepare_training, progress, step

INTENTION = "removal"


@dataclass
class Config(CommonConfig):
    lr: float = opt(1e-3, "learning rate (AdamW)")
    steps: int = opt(80, "optimisation steps")
    gamma: float = opt(10.0, "γ, how far the answer token's logit is lowered in the teacher")
    retain_weight: float = opt(1.0, "λ, weight of the retain NLL")


def adjusted_teacher(ref_logits: torch.Tensor, labels: torch.Tensor, gamma: float) -> torch.Tensor:
    """Lower the logit of the next (answer) token by γ at every answer position."""
    nxt = labels[:, 1:]
    mask = (nxt != IGNORE).unsqueeze(-1)
    onehot = torch.zeros_like(ref_logits[:, :-1]).scatter_(-1, nxt.clamp_min(0).unsqueeze(-1), 1.0)
    adjusted = ref_logits.clone()
    adjusted[:, :-1] = ref_logits[:, :-1] - gamma * onehot * mask
    return adjusted


def unlearn(cfg: Config, task) -> System:
    ref = frozen_copy(task.model)
    acc, model, optimizer = prepare_training(cfg, task.model)
    ref = ref.to(acc.device)
    batches = forget_retain_batches(task.forget, task.retain, cfg.batch_size, batch_seed(cfg))
    for i in progress(cfg, "undial"):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs, acc.device)
        f_batch, r_batch = split(batch, n_forget)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        with torch.no_grad():
            ref_logits = ref(input_ids=f_batch["input_ids"], attention_mask=f_batch["attention_mask"]).logits
        teacher = adjusted_teacher(ref_logits, f_batch["labels"], cfg.gamma)
        loss = kl_divergence(teacher, logits[:n_forget], f_batch["labels"]) \
            + cfg.retain_weight * token_nll(logits[n_forget:], r_batch["labels"])
        check_loss(loss, i, cfg, "undial")
        step(acc, model, optimizer, loss, cfg)
    return System(finish(acc, model), task.tokenizer)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
