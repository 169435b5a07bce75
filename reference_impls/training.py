"""Training: accelerate set-up, the optimizer step, the divergence guard, frozen reference
copies, progress bars and per-process batch seeds."""

from __future__ import annotations

import copy
import math

import torch

from .config import CommonConfig, ConfigError, Diverged


def process_state():
    """Which process this is and on which device (accelerate's PartialState: it holds no
    model, so asking it keeps nothing alive). Under `accelerate launch` it knows the DDP/FSDP
    ranks; on one CPU it is process 0 of 1."""
    from accelerate import PartialState

    return PartialState(cpu=not torch.cuda.is_available())


def new_accelerator(cfg: CommonConfig):
    """A fresh accelerate.Accelerator for one training run. Not shared between runs: an
    Accelerator keeps a reference to every model and optimizer it prepared, so a shared one
    would keep every model of an audit alive; `finish` releases them."""
    from accelerate import Accelerator
    from accelerate.state import AcceleratorState, is_initialized

    precision = "bf16" if cfg.bf16 else "no"
    if is_initialized() and AcceleratorState().mixed_precision != precision and process_state().num_processes == 1:
        # accelerate keeps one process-wide state and refuses another precision in it; in a
        # single process (a test run, a notebook) runs of either precision may follow each other
        AcceleratorState._reset_state()
    return Accelerator(mixed_precision=precision, cpu=not torch.cuda.is_available())


def prepare_training(cfg: CommonConfig, model, params=None):
    """Accelerator, wrapped model and AdamW over `params` (default: all parameters)."""
    acc = new_accelerator(cfg)
    if cfg.lora:
        if acc.distributed_type.name == "FSDP":
            raise ConfigError("--lora is not taken under FSDP (the adapters would have to be gathered "
                              "and merged shard by shard); LoRA needs little memory per process, so "
                              "use the DDP config with --lora")
        if params is not None:
            raise ConfigError("--lora trains adapters on every linear layer; this method trains chosen "
                              "parameters, so it cannot take --lora")
        model = with_lora(model, cfg.lora)
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    model.train()
    optimizer = torch.optim.AdamW(list(params) if params is not None else model.parameters(),
                                  lr=cfg.lr, weight_decay=0.0)
    model, optimizer = acc.prepare(model, optimizer)
    return acc, model, optimizer


def with_lora(model, rank: int):
    """The model with LoRA adapters (rank `rank`, alpha 2·rank) on every linear layer, only
    the adapters trainable (peft). `finish` merges them back into plain weights."""
    from peft import LoraConfig, get_peft_model

    if rank < 1:
        raise ConfigError(f"--lora must be a positive rank (got {rank})")
    return get_peft_model(model, LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0,
                                            target_modules="all-linear"))


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


def is_sharded(model) -> bool:
    """True when FSDP holds the model's parameters as shards (FSDP2's DTensors, or FSDP1's
    wrapped submodules)."""
    if not torch.distributed.is_available() or not torch.distributed.is_initialized():
        return False  # no process group, no shards: single-process runs skip the scan below
    from torch.distributed.fsdp import FullyShardedDataParallel
    from torch.distributed.tensor import DTensor

    return any(isinstance(p, DTensor) for p in model.parameters()) or \
        any(isinstance(m, FullyShardedDataParallel) for m in model.modules())


def unsharded(model) -> torch.nn.Module:
    """The model with its full weights on every process. Under FSDP the trained object holds
    only this process's shards (FSDP2 even swaps its class for a sharded subclass, FSDP1 wraps
    submodules in place), so neither saving nor evaluating it would see the whole model: the
    full state dict is gathered into a plain model built from the same config. Any model that
    is not sharded comes back as it is."""
    if not is_sharded(model):
        return model
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict
    from transformers import AutoModelForCausalLM

    # gathered from the root (FSDP1's outer wrapper), which every process must reach
    state = get_model_state_dict(model, options=StateDictOptions(full_state_dict=True))
    dtype = next(iter(state.values())).dtype
    plain = AutoModelForCausalLM.from_config(getattr(model, "module", model).config, dtype=dtype)
    plain.load_state_dict(state)  # strict: a key FSDP renamed or dropped is an error, not a silent gap
    return plain.to(process_state().device)


def finish(acc, model) -> torch.nn.Module:
    """The plain trained model, in eval mode, back from accelerate's wrappers (under FSDP,
    gathered from the shards); the accelerator lets go of it and of its optimizer."""
    model = acc.unwrap_model(unsharded(model))
    acc.free_memory()
    if hasattr(model, "merge_and_unload"):  # LoRA: the adapters go into the weights, the result is a plain model
        model = model.merge_and_unload()
    enabled = getattr(model, "is_activation_checkpointing", None)  # transformers >= 5 name
    if enabled is None:
        enabled = getattr(model, "is_gradient_checkpointing", False)
    if enabled:
        model.gradient_checkpointing_disable()
    return model.eval()


def progress(cfg: CommonConfig, desc: str):
    from tqdm import tqdm

    return tqdm(range(cfg.steps), desc=desc, disable=not cfg.progress or not process_state().is_main_process,
                leave=False)


def batch_seed(cfg: CommonConfig) -> int:
    """Each process draws its own batches under DDP."""
    return cfg.seed * 1000 + process_state().process_index
