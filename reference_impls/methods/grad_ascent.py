"""Gradient ascent on the forget set, with the GradDiff or KL-retain regulariser.

    L(θ) = −NLL_θ(forget)                                   (plain ascent)
         + λ · NLL_θ(retain)                                  (--regularizer graddiff)
         + λ · KL(p_ref(·|x_r) ‖ p_θ(·|x_r))                  (--regularizer kl)

Ascent raises the loss of the forget answers; it is unbounded, so it eventually destroys
the model — the retain term and the divergence stop guard against that.
Papers: Jang et al. 2023, "Knowledge Unlearning for Mitigating Privacy Risks in Language
Models" (arXiv 2210.01504); Liu et al. 2022 (GradDiff, arXiv 2203.12817); Maini et al. 2024,
TOFU (arXiv 2401.06121) for the KL variant.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..cli import run_method
from ..config import CommonConfig, opt
from ..data import encode, forget_retain_batches, split
from ..evaluation import System
from ..losses import kl_divergence, token_nll
from ..training import batch_seed, check_loss, finish, frozen_copy, prepare_training, progress, step

INTENTION = "removal"


@dataclass
class Config(CommonConfig):
    lr: float = opt(5e-4, "learning rate (AdamW)")
    steps: int = opt(70, "optimisation steps")
    regularizer: str = opt("graddiff", "retain term: none, graddiff (retain NLL) or kl (KL to the original)",
                           choices=["none", "graddiff", "kl"])
    retain_weight: float = opt(2.0, "λ, weight of the retain term")


def unlearn(cfg: Config, task) -> System:
    ref = frozen_copy(task.model) if cfg.regularizer == "kl" else None
    acc, model, optimizer = prepare_training(cfg, task.model)
    ref = ref.to(acc.device) if ref is not None else None
    batches = forget_retain_batches(task.forget, task.retain, cfg.batch_size, batch_seed(cfg))
    for i in progress(cfg, "grad_ascent"):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs, acc.device)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        f_logits, r_logits = logits[:n_forget], logits[n_forget:]
        f_batch, r_batch = split(batch, n_forget)
        loss = -token_nll(f_logits, f_batch["labels"])
        if cfg.regularizer == "graddiff":
            loss = loss + cfg.retain_weight * token_nll(r_logits, r_batch["labels"])
        elif cfg.regularizer == "kl":
            ref_logits = ref(input_ids=r_batch["input_ids"], attention_mask=r_batch["attention_mask"]).logits
            loss = loss + cfg.retain_weight * kl_divergence(ref_logits, r_logits, r_batch["labels"])
        check_loss(loss, i, cfg, "grad_ascent")
        step(acc, model, optimizer, loss, cfg)
    return System(finish(acc, model), task.tokenizer)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
