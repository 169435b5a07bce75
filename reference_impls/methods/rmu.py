"""RMU (Representation Misdirection for Unlearning): scramble a layer's activations on
forget data, keep them unchanged on retain data.

    L(θ) = mean_t ‖ h_θ^ℓ(x_f)_t − c·u ‖²  +  α · mean_t ‖ h_θ^ℓ(x_r)_t − h_ref^ℓ(x_r)_t ‖²

u is a fixed random unit vector, c a steering coefficient (here relative to the mean
activation norm at layer ℓ so one setting fits any width), h_ref the frozen original model.
Only the named parameters (by default the MLPs of layers ℓ−2..ℓ) are updated.
Paper: Li et al. 2024, "The WMDP Benchmark: Measuring and Reducing Malicious Use with
Unlearning" (arXiv 2403.03218).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import torch

from ..cli import run_method
from ..config import CommonConfig, ConfigError, opt
from ..data import encode, forget_retain_batches, split
from ..evaluation import System, capture_output, decoder_layers
from ..training import batch_seed, check_loss, finish, frozen_copy, prepare_training, progress, step

INTENTION = "removal"


@dataclass
class Config(CommonConfig):
    lr: float = opt(2e-3, "learning rate (AdamW)")
    steps: int = opt(80, "optimisation steps")
    layer: int = opt(-1, "ℓ, the decoder layer whose output is steered (-1: the middle layer)")
    update_layers: int = opt(3, "update the named parameters of layers ℓ−k+1..ℓ")
    param_filter: str = opt("mlp", "update parameters whose name (inside the layer) contains this")
    steering_coeff: float = opt(8.0, "c, as a multiple of the mean activation norm at layer ℓ")
    alpha: float = opt(10.0, "α, weight of the retain activation loss")


def masked_mse(h: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over real (non-padding) tokens of the mean squared error over features."""
    per_token = ((h.float() - target.float()) ** 2).mean(-1)
    return (per_token * mask).sum() / mask.sum().clamp_min(1)


def rmu_parameters(model, layer: int, update_layers: int, name_filter: str):
    layers = decoder_layers(model)
    chosen = []
    for j in range(max(0, layer - update_layers + 1), layer + 1):
        chosen += [(f"layers.{j}.{n}", p) for n, p in layers[j].named_parameters() if name_filter in n]
    if not chosen:
        raise ConfigError(f"--param-filter '{name_filter}' matches no parameter of layers up to {layer}")
    return chosen


def unlearn(cfg: Config, task) -> System:
    model = task.model
    n_layers = len(decoder_layers(model))
    layer = n_layers // 2 if cfg.layer == -1 else cfg.layer
    if not 0 <= layer < n_layers:
        raise ConfigError(f"--layer {cfg.layer} is out of range (the model has {n_layers} layers: 0..{n_layers - 1})")
    ref = frozen_copy(model)
    model.requires_grad_(False)
    params = [p.requires_grad_(True) for _, p in rmu_parameters(model, layer, cfg.update_layers, cfg.param_filter)]
    acc, model, optimizer = prepare_training(cfg, model, params)
    ref = ref.to(acc.device)
    gen = torch.Generator().manual_seed(cfg.seed)
    u = torch.rand(ref.config.hidden_size, generator=gen)
    u = (u / u.norm()).to(acc.device)
    batches = forget_retain_batches(task.forget, task.retain, cfg.batch_size, batch_seed(cfg))
    control = None
    for i in progress(cfg, "rmu"):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs, acc.device)
        f_batch, r_batch = split(batch, n_forget)
        with torch.no_grad(), capture_output(decoder_layers(ref)[layer]) as ref_store:
            ref(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
        if control is None:  # c·u, with c relative to the typical activation norm
            norms = ref_store["out"][:n_forget].norm(dim=-1)[f_batch["attention_mask"].bool()]
            # averaged over processes: under DDP every rank must steer towards the same target
            control = cfg.steering_coeff * acc.reduce(norms.mean(), reduction="mean") * u
        with capture_output(decoder_layers(model)[layer]) as store:
            model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
        h = store["out"]
        forget_loss = masked_mse(h[:n_forget], control.expand_as(h[:n_forget]), f_batch["attention_mask"])
        retain_loss = masked_mse(h[n_forget:], ref_store["out"][n_forget:], r_batch["attention_mask"])
        loss = forget_loss + cfg.alpha * retain_loss
        check_loss(loss, i, cfg, "rmu")
        step(acc, model, optimizer, loss, cfg)
    model = finish(acc, model)
    model.requires_grad_(True)
    return System(model, task.tokenizer)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
