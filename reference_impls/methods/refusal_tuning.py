"""Refusal ("I don't know") tuning: fine-tune the forget questions to a refusal.

    L(θ) = NLL_θ(idk | x_f) + λ · NLL_θ(retain)

The model learns to say "I do not know" about the forget set; nothing pushes the true
answer out of the weights, so the design intent is suppression.
Papers: Maini et al. 2024, TOFU (arXiv 2401.06121), the IDK fine-tuning baseline;
Ishibashi & Shimodaira 2023, "Knowledge Sanitization of Large Language Models" (arXiv 2309.11852).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..cli import run_method
from ..config import CommonConfig, opt
from ..data import encode, forget_retain_batches, split
from ..evaluation import System
from ..losses import token_nll
from ..training import batch_seed, check_loss, finish, prepare_training, progress, step

INTENTION = "suppression"


@dataclass
class Config(CommonConfig):
    lr: float = opt(1e-3, "learning rate (AdamW)")
    retain_weight: float = opt(1.0, "λ, weight of the retain NLL")
    idk: str = opt("I do not know", "the answer taught for forget questions")


def unlearn(cfg: Config, task) -> System:
    acc, model, optimizer = prepare_training(cfg, task.model)
    batches = forget_retain_batches(task.forget, task.retain, cfg.batch_size, batch_seed(cfg),
                                    forget_answers=[cfg.idk] * len(task.forget))
    for i in progress(cfg, "refusal_tuning"):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs, acc.device)
        f_batch, r_batch = split(batch, n_forget)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        loss = token_nll(logits[:n_forget], f_batch["labels"]) \
            + cfg.retain_weight * token_nll(logits[n_forget:], r_batch["labels"])
        check_loss(loss, i, cfg, "refusal_tuning")
        step(acc, model, optimizer, loss, cfg)
    return System(finish(acc, model), task.tokenizer, refusal=cfg.idk)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
