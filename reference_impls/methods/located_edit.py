"""Located edit: find the MLP neurons most involved in the forget facts and edit only them.

1. Locate. For every MLP neuron i (an input unit of the MLP's output projection W_out)

       A_i(D) = E_{(x,y)∈D} Σ_t | a_i(x)_t · ∂ log π(y|x) / ∂ a_i(x)_t |     (activation × gradient)

   and pick the k neurons with the largest A_i(forget) / (A_i(retain) + ε·mean A(retain)).
2. Edit. Update only those k columns of W_out (a rank-≤k edit of the MLP) with the
   GradDiff objective −NLL(forget) + λ·NLL(retain); every other weight stays bit-identical.

Papers: Dai et al. 2022, "Knowledge Neurons in Pretrained Transformers" (arXiv 2104.08696);
Wu et al. 2023, "DEPN: Detecting and Editing Privacy Neurons" (arXiv 2310.20138);
Guo et al. 2024, "Mechanistic Unlearning" (arXiv 2410.12949) for localise-then-fine-tune.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import torch

from ..cli import run_method
from ..config import CommonConfig, ConfigError, opt
from ..data import as_prompts, encode, forget_retain_batches, split
from ..evaluation import decoder_layers, System
from ..losses import sequence_logprobs, token_nll
from ..training import batch_seed, check_loss, finish, prepare_training, process_state, progress, step

INTENTION = "removal"
OUTPUT_PROJECTIONS = ("mlp.down_proj", "mlp.c_proj", "mlp.dense_4h_to_h", "mlp.fc2")


@dataclass
class Config(CommonConfig):
    lr: float = opt(3e-3, "learning rate (AdamW)")
    steps: int = opt(60, "optimisation steps of the edit")
    neurons: int = opt(128, "k, how many neurons (over all layers) to edit")
    eps: float = opt(0.1, "ε in the forget/retain attribution ratio")
    retain_weight: float = opt(2.0, "λ, weight of the retain NLL")


def output_projections(model) -> list[torch.nn.Module]:
    found = []
    for layer in decoder_layers(model):
        modules = dict(layer.named_modules())
        name = next((n for n in OUTPUT_PROJECTIONS if n in modules), None)
        if name is None:
            raise ConfigError(f"cannot find the MLP output projection (tried {', '.join(OUTPUT_PROJECTIONS)})")
        found.append(modules[name])
    return found


def attribution(model, tokenizer, pairs, projections, batch_size: int = 32) -> torch.Tensor:
    """[layers, neurons]: mean Σ_t |activation × gradient of the answer log-prob|."""
    device = next(model.parameters()).device
    inputs: list[torch.Tensor] = []

    def keep_input(_module, inp, _out):
        inp[0].retain_grad()
        inputs.append(inp[0])

    hooks = [m.register_forward_hook(keep_input) for m in projections]
    total = None
    try:
        for i in range(0, len(pairs), batch_size):
            inputs.clear()
            batch = encode(tokenizer, as_prompts(pairs[i:i + batch_size]), device)
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            model.zero_grad(set_to_none=True)
            sequence_logprobs(logits, batch["labels"]).sum().backward()
            mask = batch["attention_mask"].unsqueeze(-1).float()
            scores = torch.stack([(a * a.grad * mask).abs().sum((0, 1)) for a in inputs]).detach()
            total = scores if total is None else total + scores
    finally:
        for h in hooks:
            h.remove()
        model.zero_grad(set_to_none=True)
    return total / len(pairs)


def locate(model, tokenizer, forget, retain, k: int, eps: float) -> torch.Tensor:
    """A [layers, neurons] boolean mask of the k located neurons."""
    projections = output_projections(model)
    forget_attr = attribution(model, tokenizer, forget, projections)
    retain_attr = attribution(model, tokenizer, retain, projections)
    ratio = forget_attr / (retain_attr + eps * retain_attr.mean())
    mask = torch.zeros_like(ratio, dtype=torch.bool).flatten()
    mask[ratio.flatten().topk(min(k, ratio.numel())).indices] = True
    return mask.view_as(ratio)


class KeepNeurons:
    """Gradient hook: zero the gradient outside the located neurons (AdamW then leaves
    those weights exactly as they were). The mask lives on the weight's device, and is
    moved along if the weight moves after the hook was registered (accelerate's
    `prepare`, `.to("cuda")`), so a CPU mask never meets a CUDA gradient."""

    def __init__(self, keep: torch.Tensor):
        self.keep = keep

    def __call__(self, grad: torch.Tensor) -> torch.Tensor:
        if self.keep.device != grad.device or self.keep.dtype != grad.dtype:
            self.keep = self.keep.to(grad.device, grad.dtype)
        return grad * self.keep


def neuron_masks(model, chosen: torch.Tensor) -> list[tuple[torch.nn.Parameter, torch.Tensor]]:
    """(weight, 0/1 mask of the weight's shape, on the weight's device) per output projection."""
    out = []
    for proj, neurons in zip(output_projections(model), chosen):
        # nn.Linear stores [out, in]: a neuron is a column; GPT-2's Conv1D stores [in, out]: a row.
        keep = neurons.view(1, -1) if isinstance(proj, torch.nn.Linear) else neurons.view(-1, 1)
        out.append((proj.weight, keep.to(proj.weight.device, proj.weight.dtype)))
    return out


def unlearn(cfg: Config, task) -> System:
    # Locate on the device the edit runs on, so the mask is built where the gradients are.
    model = task.model.to(process_state().device)
    chosen = locate(model, task.tokenizer, task.forget, task.retain, cfg.neurons, cfg.eps)
    model.requires_grad_(False)
    weights, hooks = [], []
    for weight, keep in neuron_masks(model, chosen):
        weight.requires_grad_(True)
        hooks.append(weight.register_hook(KeepNeurons(keep)))
        weights.append(weight)
    acc, model, optimizer = prepare_training(cfg, model, weights)
    batches = forget_retain_batches(task.forget, task.retain, cfg.batch_size, batch_seed(cfg))
    for i in progress(cfg, "located_edit"):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs, acc.device)
        f_batch, r_batch = split(batch, n_forget)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        loss = -token_nll(logits[:n_forget], f_batch["labels"]) \
            + cfg.retain_weight * token_nll(logits[n_forget:], r_batch["labels"])
        check_loss(loss, i, cfg, "located_edit")
        step(acc, model, optimizer, loss, cfg)
    model = finish(acc, model)
    for h in hooks:  # later training (e.g. a relearning attack) must not inherit the mask
        h.remove()
    model.requires_grad_(True)
    return System(model, task.tokenizer)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
