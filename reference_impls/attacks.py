"""The intention audit's attacks on one system (the table is in audit.py's docstring):
relearning and fine-tuning copies, round-to-nearest quantization, linear probes on hidden
states and loss-based membership inference. Each takes a model or a `System` and the toy
world and returns the attacked metric; nothing here knows about seeds over rows or verdicts."""

from __future__ import annotations

import copy
import dataclasses

import torch

from .config import CommonConfig
from .data import as_prompts, encode, forget_retain_batches
from .evaluation import System, decoder_layers, evaluate, last_prompt_positions, score
from .losses import token_nll
from .toyworld import ATTRIBUTES, World
from .training import finish, prepare_training, step


def finetune_copy(model, tokenizer, pairs, steps: int, lr: float, seed: int):
    """A copy of `model` fine-tuned on `pairs` (the attacker's training)."""
    cfg = CommonConfig(steps=steps, lr=lr, batch_size=16, seed=seed, progress=False)
    model = copy.deepcopy(model)
    acc, model, optimizer = prepare_training(cfg, model)
    batches = forget_retain_batches(pairs, pairs, cfg.batch_size, seed)
    for _ in range(steps):
        batch_pairs, n = next(batches)
        batch = encode(tokenizer, batch_pairs[:n], acc.device)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        step(acc, model, optimizer, token_nll(logits, batch["labels"]), cfg)
    return finish(acc, model)


def quantized_copy(model, bits: int):
    """Round-to-nearest, symmetric, per output channel, for every Linear weight."""
    model = copy.deepcopy(model)
    levels = 2 ** (bits - 1) - 1
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                w = module.weight
                scale = w.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / levels
                w.copy_((w / scale).round().clamp(-levels, levels) * scale)
    return model


@torch.no_grad()
def last_prompt_states(model, tokenizer, pairs) -> list[torch.Tensor]:
    """Per layer, the hidden state at the last prompt token of every pair: [n, d]."""
    batch = encode(tokenizer, as_prompts(pairs))
    out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], output_hidden_states=True)
    rows = torch.arange(len(pairs))
    pos = last_prompt_positions(batch["labels"])
    return [h[rows, pos].float() for h in out.hidden_states[1:]]


def probe_accuracy(model, tokenizer, world: World, seed: int, steps: int = 200) -> float:
    """Best layer's accuracy of per-attribute linear probes (trained on retain facts) on the
    forget facts: can the answer be read off the hidden states even if it is not said?"""
    best = 0.0
    torch.manual_seed(seed)
    for layer in range(len(decoder_layers(model))):
        correct = total = 0
        for attr, spec in ATTRIBUTES.items():
            values = spec["values"]
            train = [(q, f.value) for f in world.facts_of(world.retain_entities) if f.attribute == attr
                     for q in f.questions()]
            test = [(q, f.value) for f in world.facts_of(world.forget_entities) if f.attribute == attr
                    for q in f.questions()]
            x_tr = last_prompt_states(model, tokenizer, train)[layer]
            x_te = last_prompt_states(model, tokenizer, test)[layer]
            mu, sd = x_tr.mean(0), x_tr.std(0) + 1e-6
            x_tr, x_te = (x_tr - mu) / sd, (x_te - mu) / sd
            y_tr = torch.tensor([values.index(a) for _, a in train])
            y_te = torch.tensor([values.index(a) for _, a in test])
            probe = torch.nn.Linear(x_tr.shape[1], len(values))
            optim = torch.optim.Adam(probe.parameters(), lr=1e-2, weight_decay=1e-3)
            for _ in range(steps):
                loss = torch.nn.functional.cross_entropy(probe(x_tr), y_tr)
                optim.zero_grad()
                loss.backward()
                optim.step()
            with torch.no_grad():
                correct += (probe(x_te).argmax(-1) == y_te).sum().item()
            total += len(test)
        best = max(best, correct / total)
    return best


def membership_auc(model, tokenizer, members, non_members) -> float:
    """P(loss of a forget fact < loss of a never-trained fact); 0.5 = indistinguishable."""
    lm = score(model, tokenizer, members)["loss"]
    ln = score(model, tokenizer, non_members)["loss"]
    wins = sum((a < b) + 0.5 * (a == b) for a in lm for b in ln)
    return wins / (len(lm) * len(ln))


def attack_all(system: System, world: World, forgotten: list[str], steps: int, lr: float, seed: int) -> dict:
    """Every attack on one system; `forgotten` are the people whose facts were unlearned,
    `steps` and `lr` the attacker's fine-tuning budget."""
    model, tok = system.model, system.tokenizer
    half = max(1, len(forgotten) // 2)
    part_a, part_b = forgotten[:half], forgotten[half:] or forgotten[:half]
    forget_qa = world.qa(forgotten)
    relearned = finetune_copy(model, tok, world.qa(part_a), steps, lr, seed)
    finetuned = finetune_copy(model, tok, world.qa(world.retain_entities), steps, lr, seed)
    bare = lambda m: System(m, tok)  # noqa: E731 — attacks with the weights skip the wrapper
    return {
        "no_attack": evaluate(system, forget_qa)["acc"],
        "paraphrase": evaluate(system, world.qa(forgotten, held_out=True))["acc"],
        "relearn": evaluate(bare(relearned), world.qa(part_b))["acc"],
        "finetune": evaluate(bare(finetuned), forget_qa)["acc"],
        "probe": probe_accuracy(model, tok, _world_with_forget(world, forgotten), seed),
        "quant8": evaluate(bare(quantized_copy(model, 8)), forget_qa)["acc"],
        "quant4": evaluate(bare(quantized_copy(model, 4)), forget_qa)["acc"],
        "membership": membership_auc(model, tok, forget_qa, world.qa(world.holdout_entities)),
    }


def _world_with_forget(world: World, forgotten: list[str]) -> World:
    return dataclasses.replace(world, forget_entities=list(forgotten))
