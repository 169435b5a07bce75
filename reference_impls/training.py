"""Training: accelerate set-up, the optimizer step, the divergence guard, frozen reference
copies, progress bars and per-process batch seeds."""

from __future__ import annotations

import copy
import math

import torch

from .config import CommonConfig, Diverged


_ACCELERATORS: dict = {}


def accelerator_for(cfg: CommonConfig):
    """One accelerate.Accelerator per precision setting (it holds process-global state).
    Under `accelerate launch` it sets up DDP/FSDP; on one CPU it is a thin no-op."""
    from accelerate import Accelerator

    key = "bf16" if cfg.bf16 else "no"
    if key not in _ACCELERATORS:
        _ACCELERATORS[key] = Accelerator(mixed_precision=key, cpu=not torch.cuda.is_available())
    return _ACCELERATORS[key]


def prepare_training(cfg: CommonConfig, model, params=None):
    """Accelerator, wrapped model and AdamW over `params` (default: all parameters)."""
    acc = accelerator_for(cfg)
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    model.train()
    optimizer = torch.optim.AdamW(list(params) if params is not None else model.parameters(),
                                  lr=cfg.lr, weight_decay=0.0)
    model, optimizer = acc.prepare(model, optimizer)
    return acc, model, optimizer


def frozen_copy(model, device=None) -> torch.nn.Module:
    """A frozen reference copy (NPO, DPO, KL, RMU, distillation)."""
    ref = copy.deepcopy(getattr(model, "module", model))
    ref.eval().requires_grad_(False)
    return ref.to(device) if device is not None else ref


def check_loss(loss: torch.Tensor, step: int, cfg: CommonConfig, method: str) -> None:
    """Stop with a clear message instead of training on NaN or an exploding loss."""
    value = loss.detach().float().item()
    if not math.isfinite(value) or abs(value) > cfg.max_loss:
        raise Diverged(f"{method}: loss became {value:.4g} at step {step} of {cfg.steps} "
                       f"(|loss| limit --max-loss {cfg.max_loss:g}); lower --lr (now {cfg.lr:g}) "
                       f"or --steps; nothing was written")


def step(acc, model, optimizer, loss, cfg: CommonConfig) -> None:
    acc.backward(loss)
    if cfg.max_grad_norm > 0:
        acc.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


def finish(acc, model) -> torch.nn.Module:
    """The plain trained model, in eval mode, back from accelerate's wrappers."""
    model = acc.unwrap_model(model)
    enabled = getattr(model, "is_activation_checkpointing", None)  # transformers >= 5 name
    if enabled is None:
        enabled = getattr(model, "is_gradient_checkpointing", False)
    if enabled:
        model.gradient_checkpointing_disable()
    return model.eval()


def progress(cfg: CommonConfig, desc: str):
    from tqdm import tqdm

    acc = accelerator_for(cfg)
    return tqdm(range(cfg.steps), desc=desc, disable=not cfg.progress or not acc.is_main_process,
                leave=False)


def batch_seed(cfg: CommonConfig) -> int:
    """Each process draws its own batches under DDP."""
    return cfg.seed * 1000 + accelerator_for(cfg).process_index
