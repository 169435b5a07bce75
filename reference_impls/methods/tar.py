"""TAR (tamper-attack resistance), reduced to its core: train so that the forget answers stay
unlearned *after* simulated fine-tuning attacks, while the retain answers stay right.

    0. safeguard:  θ = base_method(θ₀)                                   (NPO by default)
    1. attack:     θ'_0 = θ,  θ'_{k+1} = θ'_k − η_a · Adam(∇ NLL_θ'_k(forget)),  k < K
                   (a copy of θ: the outer weights are untouched)
    2. outer:      L(θ) = λ_TR · (1/K) Σ_k TR(θ'_k)  +  λ_r · NLL_θ(retain)
                   TR(θ') = −H(p_θ'(·|x_f))  (mean entropy over the forget answer positions)

The gradient of the tamper-resistance term is taken to first order, as in first-order
MAML: ∇_θ TR(θ'_k) ≈ ∇_θ' TR(θ'_k), evaluated at the attacked weights and applied to θ.
Maximising the entropy (rather than the NLL) of the attacked model's forget answers keeps
the term bounded (by log |V|), which the paper found to train more stably.
Simplifications for the toy world: one attack family (relearning on the forget set with
AdamW, a fresh optimiser per attack), a fixed number of inner steps, the TR gradient
sampled after every inner step, and the retain term a plain NLL.
Paper: Tamirisa et al. 2024, "Tamper-Resistant Safeguards for Open-Weight LLMs"
(arXiv 2408.00761).
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass

import torch

from ..cli import run_method
from ..config import CommonConfig, opt
from ..data import encode, forget_retain_batches, IGNORE, split
from ..evaluation import System
from ..losses import shift, token_nll
from ..training import batch_seed, check_loss, finish, prepare_training, progress, step
from .undo import BASE_METHODS, run_base_method

INTENTION = "removal"


@dataclass
class Config(CommonConfig):
    lr: float = opt(5e-4, "learning rate of the outer (defender) updates (AdamW)")
    steps: int = opt(30, "outer steps (each runs one simulated attack of --inner-steps)")
    base_method: str = opt("npo", "initial safeguard before tamper-resistance training ('none': start from the model)",
                           choices=["none", *BASE_METHODS])
    inner_steps: int = opt(4, "K, steps of each simulated fine-tuning attack")
    inner_lr: float = opt(1e-3, "η_a, learning rate of the simulated attack (AdamW)")
    tr_weight: float = opt(1.0, "λ_TR, weight of the tamper-resistance (entropy) term")
    retain_weight: float = opt(1.0, "λ_r, weight of the retain NLL")


def answer_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean entropy H(p(·|x_<t)) over the answer positions (prompt and padding masked)."""
    logits, labels = shift(logits, labels)
    mask = (labels != IGNORE).float()
    logp = torch.log_softmax(logits.float(), -1)
    entropy = -(logp.exp() * logp).sum(-1)
    return (entropy * mask).sum() / mask.sum().clamp_min(1.0)


def simulate_attack(attacker, model, tokenizer, attack_batches, tr_batch, cfg: Config, device) -> list[torch.Tensor]:
    """Run one relearning attack on `attacker`, reset to a copy of `model`'s weights, and
    return the first-order TR gradient (the mean over the K attacked points), one tensor
    per parameter of `model`. `model` itself is not modified."""
    outer, inner = list(model.parameters()), list(attacker.parameters())
    with torch.no_grad():
        for a, p in zip(inner, outer):
            a.copy_(p)
    attacker.train()
    attack_opt = torch.optim.AdamW(inner, lr=cfg.inner_lr, weight_decay=0.0)
    sums = [torch.zeros_like(p) for p in outer]
    for _ in range(cfg.inner_steps):
        pairs, n = next(attack_batches)
        batch = encode(tokenizer, pairs[:n], device)
        logits = attacker(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        token_nll(logits, batch["labels"]).backward()
        attack_opt.step()
        attack_opt.zero_grad(set_to_none=True)
        logits = attacker(input_ids=tr_batch["input_ids"], attention_mask=tr_batch["attention_mask"]).logits
        tr = -answer_entropy(logits, tr_batch["labels"])
        for s, g in zip(sums, torch.autograd.grad(tr, inner, allow_unused=True)):
            if g is not None:
                s.add_(g, alpha=1.0 / cfg.inner_steps)
    return sums


def unlearn(cfg: Config, task) -> System:
    model = task.model if cfg.base_method == "none" else run_base_method(cfg.base_method, cfg, task).model
    model.requires_grad_(True)
    acc, model, optimizer = prepare_training(cfg, model)
    attacker = copy.deepcopy(acc.unwrap_model(model)).to(acc.device)  # the simulated attacker's weights
    batches = forget_retain_batches(task.forget, task.retain, cfg.batch_size, batch_seed(cfg))
    attack_batches = forget_retain_batches(task.forget, task.forget, cfg.batch_size, batch_seed(cfg) + 1)
    for i in progress(cfg, "tar"):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs, acc.device)
        f_batch, r_batch = split(batch, n_forget)
        tr_grads = simulate_attack(attacker, acc.unwrap_model(model), task.tokenizer, attack_batches, f_batch,
                                   cfg, acc.device)
        if acc.num_processes > 1:
            tr_grads = [acc.reduce(g, "mean") for g in tr_grads]
        for p, g in zip(model.parameters(), tr_grads):
            p.grad = cfg.tr_weight * g
        r_logits = model(input_ids=r_batch["input_ids"], attention_mask=r_batch["attention_mask"]).logits
        retain_loss = cfg.retain_weight * token_nll(r_logits, r_batch["labels"])
        check_loss(retain_loss, i, cfg, "tar")
        step(acc, model, optimizer, retain_loss, cfg)  # adds ∇ retain to the TR gradient, clips, steps
    return System(finish(acc, model), task.tokenizer)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
