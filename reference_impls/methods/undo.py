"""UNDO (Unlearn, Noise, Distill on Outputs): unlearn, then distil the unlearned model into a
partially re-initialised copy of itself.

    1. unlearn:  θ_T = base_method(θ₀)                          (NPO, gradient ascent, RMU, ...)
    2. noise:    θ_S = (1 − α) · θ_T + α · θ_init,   θ_init a fresh random initialisation
    3. distil:   L(θ_S) = E_x,t[ KL( p_θT(·|x_<t) ‖ p_θS(·|x_<t) ) ]    on retain (+ forget) prompts

The teacher's unlearning can be a shallow suppression whose knowledge is still in the
weights; the student only ever sees the teacher's *outputs*, so what the teacher no longer
shows is not handed on, and mixing the weights with a fresh initialisation destroys a
fraction α of what the weights still hold. α trades compute for robustness: α = 0 is the
teacher itself (distillation changes nothing), α = 1 is distillation into a fresh model.
Distilling on the forget prompts too (`--distill-data all`, the default) passes on the
teacher's unlearned behaviour there; the paper distils on the whole pretraining mix.

Reduced to its core for the toy world: one base method, a linear mix with one fresh
initialisation of the same architecture, KL on the answer positions (the positions the toy
model is trained on). Paper: Lee et al. 2025, "Distillation Robustifies Unlearning"
(arXiv 2506.06278).
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass, replace

import torch

from ..cli import run_method
from ..config import CommonConfig, ConfigError, opt
from ..data import encode, forget_retain_batches, Task
from ..evaluation import System
from ..losses import kl_divergence
from ..training import batch_seed, check_loss, finish, frozen_copy, prepare_training, progress, step

INTENTION = "removal"
BASE_METHODS = ["npo", "grad_ascent", "rmu", "simnpo", "undial"]


@dataclass
class Config(CommonConfig):
    lr: float = opt(1e-3, "learning rate of the distillation (AdamW)")
    steps: int = opt(300, "distillation steps")
    base_method: str = opt("npo", "the unlearning method that makes the teacher (run with its own defaults)",
                           choices=BASE_METHODS)
    base_steps: int = opt(0, "steps of the base method (0: its default)")
    alpha: float = opt(0.5, "α, how much of the teacher's weights is replaced by a fresh initialisation (0..1)")
    distill_data: str = opt("all", "prompts to distil on: retain, or all (retain and forget)",
                            choices=["retain", "all"])


def run_base_method(name: str, cfg: CommonConfig, task: Task, steps: int = 0) -> System:
    """The base unlearning method with its own defaults; only the run settings (seed, batch
    size, precision, guards, progress) and optionally the step count come from `cfg`."""
    from .. import method_module

    module = method_module(name)
    base_cfg = module.Config(seed=cfg.seed, batch_size=cfg.batch_size, progress=cfg.progress, bf16=cfg.bf16,
                             gradient_checkpointing=cfg.gradient_checkpointing,
                             max_grad_norm=cfg.max_grad_norm, max_loss=cfg.max_loss)
    if steps:
        base_cfg = replace(base_cfg, steps=steps)
    return module.unlearn(base_cfg, task)


@torch.no_grad()
def noised_copy(teacher: torch.nn.Module, alpha: float, seed: int) -> torch.nn.Module:
    """θ_S = (1 − α)·θ_T + α·θ_init for every parameter, θ_init from the architecture's own
    initialisation (seeded, so every process builds the same student)."""
    if not 0.0 <= alpha <= 1.0:
        raise ConfigError(f"--alpha {alpha} must lie in [0, 1]")
    student = copy.deepcopy(teacher)
    if alpha == 0.0:
        return student
    torch.manual_seed(seed)
    fresh = type(teacher)(teacher.config).to(next(teacher.parameters()).device)
    init = dict(fresh.named_parameters())
    for name, param in student.named_parameters():  # deduplicated: tied weights mixed once
        param.mul_(1.0 - alpha).add_(init[name].to(param.dtype), alpha=alpha)
    return student


def unlearn(cfg: Config, task) -> System:
    if not 0.0 <= cfg.alpha <= 1.0:
        raise ConfigError(f"--alpha {cfg.alpha} must lie in [0, 1]")
    teacher = run_base_method(cfg.base_method, cfg, task, cfg.base_steps).model
    student = noised_copy(teacher, cfg.alpha, cfg.seed).train().requires_grad_(True)
    teacher = frozen_copy(teacher)
    acc, model, optimizer = prepare_training(cfg, student)
    teacher = teacher.to(acc.device)
    retain = task.retain
    forget = task.forget if cfg.distill_data == "all" else task.retain
    batches = forget_retain_batches(forget, retain, cfg.batch_size, batch_seed(cfg))
    for i in progress(cfg, "undo"):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs, acc.device)
        with torch.no_grad():
            t_logits = teacher(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        s_logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        loss = kl_divergence(t_logits, s_logits, batch["labels"])
        check_loss(loss, i, cfg, "undo")
        step(acc, model, optimizer, loss, cfg)
    return System(finish(acc, model), task.tokenizer)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
