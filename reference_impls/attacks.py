"""The intention audit's attacks (the table is in audit.py's docstring).

Each attack takes a model (or a deployed `System`), a tokenizer and question/answer pairs,
and returns one number: how much of the forgotten knowledge the attacker gets back. They
know nothing of the toy world, seeds over rows or verdicts, so the toy-world audit and the
audit of a user's own checkpoints share them; `attack_all` composes them for the toy world.

Attacks with a training budget (relearning, fine-tuning) run over a grid of
(steps, learning rate) and report the worst case, so a model never looks robust because it
was attacked weakly; the oracles get the same grid.
"""

from __future__ import annotations

import contextlib
import copy

import torch

from .config import CommonConfig, ConfigError
from .data import QA, as_prompts, encode, forget_retain_batches
from .evaluation import System, decoder_layers, evaluate, final_norm, last_prompt_positions, metric_of, score
from .losses import token_nll
from .toyworld import ATTRIBUTES, World
from .training import finish, prepare_training, step

Grid = tuple[tuple[int, float], ...]  # ((steps, learning rate), ...)


# --- attacks that train ---------------------------------------------------------------------

def finetune_copy(model, tokenizer, pairs: list[QA], steps: int, lr: float, seed: int):
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


def worst_case_finetune(model, tokenizer, train: list[QA], test: list[QA], grid: Grid, seed: int,
                        metric: str = "acc") -> float:
    """The highest score on `test` after fine-tuning on `train`, over the grid (`metric`:
    'acc', the exact answer, 'prob', the answer's probability, or 'rouge', ROUGE-L recall
    of the generated answer)."""
    best = 0.0
    for steps, lr in grid:
        tuned = finetune_copy(model, tokenizer, train, steps, lr, seed)
        best = max(best, metric_of(System(tuned, tokenizer), test, metric))
        del tuned
    return best


def relearn_split(people: list[str]) -> tuple[list[str], list[str]]:
    """The attacker relearns part A and is scored on part B: never the same people, so the
    score is knowledge that came back, not knowledge that was just taught."""
    if len(people) < 2:
        raise ConfigError(f"relearning needs at least two forgotten people (the attacker trains on some "
                          f"and is scored on the others); this request has {len(people)}")
    half = len(people) // 2
    return people[:half], people[half:]


# --- attacks on the weights ----------------------------------------------------------------

def quantized_copy(model, bits: int):
    """Round-to-nearest, symmetric, per output channel, for every weight matrix: `nn.Linear`
    (weight [out, in]) and GPT-2's `Conv1D` (weight [in, out])."""
    from transformers.pytorch_utils import Conv1D

    model = copy.deepcopy(model)
    levels = 2 ** (bits - 1) - 1
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                in_dim = 1
            elif isinstance(module, Conv1D):
                in_dim = 0
            else:
                continue
            w = module.weight
            scale = w.abs().amax(dim=in_dim, keepdim=True).clamp_min(1e-12) / levels
            w.copy_((w / scale).round().clamp(-levels, levels) * scale)
    return model


@torch.no_grad()
def last_prompt_states(model, tokenizer, pairs: list[QA], batch_size: int = 128) -> list[torch.Tensor]:
    """Per layer, the hidden state at the last prompt token of every pair: [n, d], on the CPU
    in float32 (the model stays on its own device)."""
    device = next(model.parameters()).device
    layers: list[list[torch.Tensor]] = []
    for i in range(0, len(pairs), batch_size):
        batch = encode(tokenizer, as_prompts(pairs[i:i + batch_size]), device)
        out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], output_hidden_states=True)
        rows = torch.arange(batch["input_ids"].shape[0], device=device)
        pos = last_prompt_positions(batch["labels"])
        for n, h in enumerate(out.hidden_states[1:]):
            if len(layers) <= n:
                layers.append([])
            layers[n].append(h[rows, pos].float().cpu())
    return [torch.cat(parts) for parts in layers]


def linear_probe_accuracy(train: tuple[list[torch.Tensor], list[int]], valid: tuple[list[torch.Tensor], list[int]],
                          test: tuple[list[torch.Tensor], list[int]], classes: int, seed: int,
                          steps: int = 200) -> tuple[float, float, int]:
    """Per layer, a linear probe trained on `train`; the layer is chosen by accuracy on
    `valid` (never on `test`). Returns (test accuracy, validation accuracy, layer)."""
    best = (-1.0, 0.0, 0)
    for layer in range(len(train[0])):
        torch.manual_seed(seed)
        x_tr = train[0][layer]
        mu, sd = x_tr.mean(0), x_tr.std(0) + 1e-6
        norm = lambda x: (x - mu) / sd  # noqa: E731
        probe = torch.nn.Linear(x_tr.shape[1], classes)
        optim = torch.optim.Adam(probe.parameters(), lr=1e-2, weight_decay=1e-3)
        y_tr = torch.tensor(train[1])
        for _ in range(steps):
            loss = torch.nn.functional.cross_entropy(probe(norm(x_tr)), y_tr)
            optim.zero_grad()
            loss.backward()
            optim.step()
        with torch.no_grad():
            val = (probe(norm(valid[0][layer])).argmax(-1) == torch.tensor(valid[1])).float().mean().item()
            tst = (probe(norm(test[0][layer])).argmax(-1) == torch.tensor(test[1])).float().mean().item()
        if val > best[0]:
            best = (val, tst, layer)
    return best[1], best[0], best[2]


def probe_accuracy(model, tokenizer, world: World, forgotten: list[str], seed: int) -> float:
    """Can the answer be read off the hidden states even if it is not said? Per attribute,
    linear probes are trained on three quarters of the retain people, the layer is chosen on
    the other quarter, and the accuracy on the forgotten people's facts is reported (pooled
    over attributes)."""
    retain = world.retain_entities
    cut = len(retain) * 3 // 4
    correct = total = 0
    for attr, spec in ATTRIBUTES.items():
        def labelled(people):
            pairs = [(q, f.value) for f in world.facts_of(people) if f.attribute == attr for q in f.questions()]
            return last_prompt_states(model, tokenizer, pairs), [spec["values"].index(a) for _, a in pairs]
        test = labelled(forgotten)
        acc, _, _ = linear_probe_accuracy(labelled(retain[:cut]), labelled(retain[cut:]), test,
                                          len(spec["values"]), seed)
        correct += acc * len(test[1])
        total += len(test[1])
    return correct / total


def first_answer_tokens(tokenizer, pairs: list[QA]) -> torch.Tensor:
    batch = encode(tokenizer, as_prompts(pairs))
    pos = last_prompt_positions(batch["labels"])
    return batch["input_ids"][torch.arange(len(pairs)), pos + 1]


@torch.no_grad()
def logit_lens_accuracy(model, tokenizer, pairs: list[QA]) -> float:
    """Read every intermediate layer through the model's final norm and output head: the
    best layer's accuracy at predicting the first answer token. Knowledge that the last
    layers hide is still legible earlier."""
    states = last_prompt_states(model, tokenizer, pairs)[:-1]  # the last layer is the model's own answer
    if not states:
        return 0.0
    target = first_answer_tokens(tokenizer, pairs)
    norm, head = final_norm(model), model.get_output_embeddings()
    device = next(model.parameters()).device
    dtype = next(model.parameters()).dtype
    best = 0.0
    for h in states:
        logits = head(norm(h.to(device, dtype)))
        best = max(best, (logits.argmax(-1).cpu() == target).float().mean().item())
    return best


@contextlib.contextmanager
def directions_ablated(model, directions: list[torch.Tensor]):
    """Project each decoder layer's output off its own direction (a unit vector per layer)
    for as long as the context lasts."""
    handles = []
    for layer, d in zip(decoder_layers(model), directions):
        def hook(_mod, _inp, out, d=d):
            h = out[0] if isinstance(out, tuple) else out
            u = d.to(h.device, h.dtype)
            h = h - (h @ u).unsqueeze(-1) * u
            return (h,) + tuple(out[1:]) if isinstance(out, tuple) else h
        handles.append(layer.register_forward_hook(hook))
    try:
        yield model
    finally:
        for handle in handles:
            handle.remove()


def ablation_accuracy(model, tokenizer, forget: list[QA], retain: list[QA], metric: str = "acc") -> float:
    """Directional ablation: per layer, the difference of mean hidden states between forget
    and retain questions (the direction along which the model treats forget questions
    differently, e.g. a refusal direction) is projected out of every layer's output; the
    forget accuracy of the ablated model is reported. It needs only the questions."""
    f, r = last_prompt_states(model, tokenizer, forget), last_prompt_states(model, tokenizer, retain)
    directions = []
    for hf, hr in zip(f, r):
        d = hf.mean(0) - hr.mean(0)
        directions.append(d / d.norm().clamp_min(1e-12))
    with directions_ablated(model, directions):
        return metric_of(System(model, tokenizer), forget, metric)


# --- membership inference ---------------------------------------------------------------------

@torch.no_grad()
def min_k_plus_plus(model, tokenizer, pairs: list[QA], k: float = 0.2, batch_size: int = 64) -> list[float]:
    """Min-K%++ (Zhang et al., arXiv 2404.02936) over the answer tokens: each token's
    log-probability standardised by the mean and spread of log p under the model's own
    next-token distribution, averaged over the lowest k fraction (at least one token).
    Higher means more member-like."""
    device = next(model.parameters()).device
    out = []
    for i in range(0, len(pairs), batch_size):
        batch = encode(tokenizer, as_prompts(pairs[i:i + batch_size]), device)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1].float()
        labels = batch["labels"][:, 1:]
        logp = torch.log_softmax(logits, -1)
        p = logp.exp()
        mu = (p * logp).sum(-1)
        sigma = ((p * logp.square()).sum(-1) - mu.square()).clamp_min(1e-12).sqrt()
        token = logp.gather(-1, labels.clamp_min(0).unsqueeze(-1)).squeeze(-1)
        z = (token - mu) / sigma
        for row, lab in zip(z, labels):
            values = row[lab != -100].sort().values
            n = max(1, int(len(values) * k))
            out.append(values[:n].mean().item())
    return out


def auc(member_scores: list[float], non_member_scores: list[float]) -> float:
    """P(member score > non-member score), ties half: 0.5 = indistinguishable."""
    wins = sum((a > b) + 0.5 * (a == b) for a in member_scores for b in non_member_scores)
    return wins / (len(member_scores) * len(non_member_scores))


def membership_auc(model, tokenizer, members: list[QA], non_members: list[QA]) -> float:
    """Loss-based: a member's answer has lower loss than a non-member's."""
    return auc([-x for x in score(model, tokenizer, members)["loss"]],
               [-x for x in score(model, tokenizer, non_members)["loss"]])


def min_k_membership_auc(model, tokenizer, members: list[QA], non_members: list[QA]) -> float:
    return auc(min_k_plus_plus(model, tokenizer, members), min_k_plus_plus(model, tokenizer, non_members))


# --- the toy world --------------------------------------------------------------------------

def attack_all(system: System, world: World, forgotten: list[str], grid: Grid, seed: int) -> dict:
    """Every attack on one system. `forgotten` are the people whose facts were unlearned;
    `grid` the attacker's fine-tuning budgets (the worst case counts)."""
    model, tok = system.model, system.tokenizer
    part_a, part_b = relearn_split(forgotten)
    forget_qa = world.qa(forgotten)
    retain_qa = world.qa(world.retain_entities)
    bare = lambda m: System(m, tok)  # noqa: E731 — attacks with the weights skip the wrapper
    non_members = world.non_member_qa()
    return {
        "no_attack": evaluate(system, forget_qa)["acc"],
        "paraphrase": evaluate(system, world.qa(forgotten, held_out=True))["acc"],
        "relearn": worst_case_finetune(model, tok, world.qa(part_a), world.qa(part_b), grid, seed),
        "finetune": worst_case_finetune(model, tok, retain_qa, forget_qa, grid, seed),
        "probe": probe_accuracy(model, tok, world, forgotten, seed),
        "logit_lens": logit_lens_accuracy(model, tok, forget_qa),
        "ablation": ablation_accuracy(model, tok, forget_qa, retain_qa),
        "quant8": evaluate(bare(quantized_copy(model, 8)), forget_qa)["acc"],
        "quant4": evaluate(bare(quantized_copy(model, 4)), forget_qa)["acc"],
        "membership": membership_auc(model, tok, forget_qa, non_members),
        "membership_mink": min_k_membership_auc(model, tok, forget_qa, non_members),
    }

