"""Negative Preference Optimization: DPO with only a dispreferred answer.

    L(θ) = −(2/β) · E_forget[ log σ( −β · (log π_θ(y|x) − log π_ref(y|x)) ) ] + λ · NLL_θ(retain)

log π(y|x) is the *sequence* log-probability of the whole answer (`sequence_logprobs`), and
π_ref is a frozen copy of the model before unlearning. Unlike gradient ascent the loss is
bounded below: once π_θ(y|x) ≪ π_ref(y|x) the gradient fades, so NPO collapses slowly.
Paper: Zhang et al. 2024, "Negative Preference Optimization: From Catastrophic Collapse to
Effective Unlearning" (arXiv 2404.05868).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..cli import run_method
from ..config import CommonConfig, opt
from ..data import encode, forget_retain_batches, split
from ..evaluation import System
from ..losses import sequence_logprobs, token_nll
from ..training import batch_seed, check_loss, finish, frozen_copy, prepare_training, progress, step

INTENTION = "removal"


@dataclass
class Config(CommonConfig):
    lr: float = opt(1e-3, "learning rate (AdamW)")
    beta: float = opt(0.5, "β, inverse temperature of the preference loss")
    retain_weight: float = opt(1.0, "λ, weight of the retain NLL")


def npo_loss(logp: torch.Tensor, ref_logp: torch.Tensor, beta: float) -> torch.Tensor:
    """−(2/β) · mean log σ(−β (log π_θ − log π_ref)), on sequence log-probs."""
    return -(2.0 / beta) * F.logsigmoid(-beta * (logp - ref_logp)).mean()


def unlearn(cfg: Config, task) -> System:
    ref = frozen_copy(task.model)
    acc, model, optimizer = prepare_training(cfg, task.model)
    ref = ref.to(acc.device)
    batches = forget_retain_batches(task.forget, task.retain, cfg.batch_size, batch_seed(cfg))
    for i in progress(cfg, "npo"):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs, acc.device)
        f_batch, r_batch = split(batch, n_forget)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        with torch.no_grad():
            ref_logits = ref(input_ids=f_batch["input_ids"], attention_mask=f_batch["attention_mask"]).logits
        loss = npo_loss(sequence_logprobs(logits[:n_forget], f_batch["labels"]),
                        sequence_logprobs(ref_logits, f_batch["labels"]), cfg.beta)
        loss = loss + cfg.retain_weight * token_nll(logits[n_forget:], r_batch["labels"])
        check_loss(loss, i, cfg, "npo")
        step(acc, model, optimizer, loss, cfg)
    return System(finish(acc, model), task.tokenizer)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
