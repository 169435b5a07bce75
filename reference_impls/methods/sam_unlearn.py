"""Sharpness-aware unlearning: minimise the unlearning loss at the worst nearby weights, so
that a small weight change (a relearning step) cannot undo it.

    min_θ  max_{‖ε‖≤ρ} ℓ_f(θ + ε)  +  λ · NLL_θ(retain)

ℓ_f is the forget objective (low = forgotten): the NPO loss or, with `--objective ga`, the
negated forget NLL. The inner maximum is taken to first order, as in SAM:

    g = ∇ℓ_f(θ)       ε = ρ · g / ‖g‖       (ascent: the direction that relearns fastest)
    update θ with ∇ℓ_f(θ + ε) + λ · ∇NLL_θ(retain),   the weights restored to θ before the step

A relearning attack is a weight change that lowers the forget NLL, i.e. raises ℓ_f;
optimising ℓ_f at θ + ε flattens it around the solution, so such a change has to travel
further. Only the forget term is smoothed, the retain term is taken at θ. ρ = 0 is the
plain method. Paper: Fan et al. 2025, "Towards LLM Unlearning Resilient to Relearning
Attacks: A Sharpness-Aware Minimization Perspective and Beyond" (arXiv 2502.05374);
SAM: Foret et al. 2021 (arXiv 2010.01412).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import torch

from ..cli import run_method
from ..config import CommonConfig, opt
from ..data import encode, forget_retain_batches, split
from ..evaluation import System
from ..losses import sequence_logprobs, token_nll
from ..training import batch_seed, check_loss, finish, frozen_copy, prepare_training, progress, step
from .npo import npo_loss

INTENTION = "removal"


@dataclass
class Config(CommonConfig):
    lr: float = opt(1e-3, "learning rate (AdamW)")
    steps: int = opt(60, "optimisation steps (each costs two forget passes)")
    objective: str = opt("npo", "forget objective ℓ_f: npo (vs a frozen reference) or ga (negated NLL)",
                         choices=["npo", "ga"])
    rho: float = opt(0.5, "ρ, radius of the weight perturbation (L2 norm over all trained weights; 0: the "
                          "plain method). 0.5 is about one AdamW step at lr 1e-3 of the toy model's 215k weights")
    beta: float = opt(0.5, "β of the NPO objective")
    retain_weight: float = opt(1.0, "λ, weight of the retain NLL")


def forget_objective(cfg: Config, model, ref, f_batch) -> torch.Tensor:
    logits = model(input_ids=f_batch["input_ids"], attention_mask=f_batch["attention_mask"]).logits
    if cfg.objective == "ga":
        return -token_nll(logits, f_batch["labels"])
    with torch.no_grad():
        ref_logits = ref(input_ids=f_batch["input_ids"], attention_mask=f_batch["attention_mask"]).logits
    return npo_loss(sequence_logprobs(logits, f_batch["labels"]), sequence_logprobs(ref_logits, f_batch["labels"]),
                    cfg.beta)


@torch.no_grad()
def ascend(params: list[torch.nn.Parameter], rho: float) -> list[torch.Tensor]:
    """Move the weights to θ + ρ·g/‖g‖ (g: their current .grad); return the saved θ."""
    saved = [p.detach().clone() for p in params]
    grads = [p.grad for p in params if p.grad is not None]
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])) if grads else None
    if norm is None or not torch.isfinite(norm) or norm == 0:
        return saved
    for p in params:
        if p.grad is not None:
            p.add_(p.grad, alpha=rho / norm.item())
    return saved


@torch.no_grad()
def restore(params: list[torch.nn.Parameter], saved: list[torch.Tensor]) -> None:
    """Back to θ exactly (a copy, not θ + ε − ε, which would not round to θ)."""
    for p, s in zip(params, saved):
        p.copy_(s)


def sharpness_aware_grad(acc, model, params, forget_loss_fn, rho: float) -> torch.Tensor:
    """Leave ∇ℓ_f(θ + ε) in the parameters' .grad, the weights back at θ; return ℓ_f(θ + ε).

    Two forward/backward passes: one at θ for the direction, one at θ + ε."""
    acc.backward(forget_loss_fn())
    saved = ascend(params, rho)
    for p in params:
        p.grad = None
    loss = forget_loss_fn()
    acc.backward(loss)  # the backward runs while the weights are still θ + ε
    restore(params, saved)
    return loss.detach()


def unlearn(cfg: Config, task) -> System:
    ref = frozen_copy(task.model) if cfg.objective == "npo" else None
    acc, model, optimizer = prepare_training(cfg, task.model)
    ref = ref.to(acc.device) if ref is not None else None
    params = [p for p in model.parameters() if p.requires_grad]
    batches = forget_retain_batches(task.forget, task.retain, cfg.batch_size, batch_seed(cfg))
    for i in progress(cfg, "sam_unlearn"):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs, acc.device)
        f_batch, r_batch = split(batch, n_forget)
        forget_loss = sharpness_aware_grad(acc, model, params, lambda: forget_objective(cfg, model, ref, f_batch),
                                           cfg.rho)
        r_logits = model(input_ids=r_batch["input_ids"], attention_mask=r_batch["attention_mask"]).logits
        retain_loss = cfg.retain_weight * token_nll(r_logits, r_batch["labels"])
        check_loss(forget_loss + retain_loss.detach(), i, cfg, "sam_unlearn")
        step(acc, model, optimizer, retain_loss, cfg)  # adds ∇ retain to the smoothed forget gradient
    return System(finish(acc, model), task.tokenizer)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
