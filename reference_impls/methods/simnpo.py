"""SimNPO: NPO without the reference model, with length-normalised log-probs and a margin.

    L(θ) = −(2/β) · E_forget[ log σ( −(β/|y|) · log π_θ(y|x) − γ ) ] + λ · NLL_θ(retain)

Dividing by the answer length |y| removes NPO's bias towards short answers, and dropping
π_ref removes the second model (one-model method, like gradient ascent).
Paper: Fan et al. 2024, "Simplicity Prevails: Rethinking Negative Preference Optimization
for LLM Unlearning" (arXiv 2410.07163).
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
from ..losses import answer_lengths, sequence_logprobs, token_nll
from ..training import batch_seed, check_loss, finish, prepare_training, progress, step

INTENTION = "removal"


@dataclass
class Config(CommonConfig):
    lr: float = opt(1e-3, "learning rate (AdamW)")
    beta: float = opt(2.5, "β, inverse temperature")
    gamma: float = opt(0.0, "γ, reward margin")
    retain_weight: float = opt(1.0, "λ, weight of the retain NLL")


def simnpo_loss(logp: torch.Tensor, lengths: torch.Tensor, beta: float, gamma: float) -> torch.Tensor:
    """−(2/β) · mean log σ(−(β/|y|) log π_θ(y|x) − γ)."""
    return -(2.0 / beta) * F.logsigmoid(-(beta / lengths.clamp_min(1)) * logp - gamma).mean()


def unlearn(cfg: Config, task) -> System:
    acc, model, optimizer = prepare_training(cfg, task.model)
    batches = forget_retain_batches(task.forget, task.retain, cfg.batch_size, batch_seed(cfg))
    for i in progress(cfg, "simnpo"):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs, acc.device)
        f_batch, r_batch = split(batch, n_forget)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        loss = simnpo_loss(sequence_logprobs(logits[:n_forget], f_batch["labels"]),
                           answer_lengths(f_batch["labels"]), cfg.beta, cfg.gamma)
        loss = loss + cfg.retain_weight * token_nll(logits[n_forget:], r_batch["labels"])
        check_loss(loss, i, cfg, "simnpo")
        step(acc, model, optimizer, loss, cfg)
    return System(finish(acc, model), task.tokenizer)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
