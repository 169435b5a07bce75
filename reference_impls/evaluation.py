"""The unlearned system and its evaluation, and the hooks that read hidden states.

A method returns a `System`: the model plus what is wrapped around it at inference time
(a prompt prefix, an output filter). Weight-editing methods leave the wrapper empty.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import torch

from .config import ConfigError
from .data import IGNORE, QA, as_prompts, encode
from .losses import answer_lengths, sequence_logprobs


def _submodule(model, paths: tuple[str, ...], what: str) -> torch.nn.Module:
    """The first of `paths` (dotted attribute paths) that `model` has; the DDP wrapper is looked through."""
    base = getattr(model, "module", model)
    for path in paths:
        obj = base
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
            return obj
        except AttributeError:
            continue
    raise ConfigError(f"cannot find the {what} of {type(base).__name__} (supported: {', '.join(paths)})")


def decoder_layers(model) -> torch.nn.ModuleList:
    """The list of transformer blocks of common causal LM architectures."""
    return _submodule(model, ("model.layers", "transformer.h", "gpt_neox.layers", "model.decoder.layers"),
                      "decoder layers")


def final_norm(model) -> torch.nn.Module:
    """The normalisation applied before the output head (for reading hidden states through
    the head, as the logit lens does)."""
    return _submodule(model, ("model.norm", "transformer.ln_f", "gpt_neox.final_layer_norm",
                              "model.decoder.final_layer_norm"), "final norm")


@contextlib.contextmanager
def capture_output(module: torch.nn.Module):
    """Record a module's forward output (the hidden states for a decoder layer)."""
    store: dict[str, torch.Tensor] = {}

    def hook(_mod, _inp, out):
        store["out"] = out[0] if isinstance(out, tuple) else out

    handle = module.register_forward_hook(hook)
    try:
        yield store
    finally:
        handle.remove()


def last_prompt_positions(labels: torch.Tensor) -> torch.Tensor:
    """Index of the last prompt token in each row (the position that predicts the answer)."""
    is_answer = labels != IGNORE
    return is_answer.float().argmax(-1) - 1


@dataclass
class System:
    """A model and what is wrapped around it when it answers."""
    model: torch.nn.Module
    tokenizer: object
    prompt_prefix: str = ""
    blocked_terms: list[str] = field(default_factory=list)
    refusal: str = "I do not know"

    def blocks(self, question: str) -> bool:
        q = question.lower()
        return any(term.lower() in q for term in self.blocked_terms)

    def meta(self) -> dict:
        return {"prompt_prefix": self.prompt_prefix, "blocked_terms": self.blocked_terms,
                "refusal": self.refusal}


@torch.no_grad()
def score(model, tokenizer, pairs: list[QA], prefix: str = "", batch_size: int = 64) -> dict[str, list]:
    """Per pair: exact (greedy decoding reproduces the answer — all answer tokens are the
    argmax under teacher forcing), prob (p(answer | prompt)) and loss (mean token NLL)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    out = {"exact": [], "prob": [], "loss": []}
    for i in range(0, len(pairs), batch_size):
        batch = encode(tokenizer, as_prompts(pairs[i:i + batch_size], prefix), device)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        lp = sequence_logprobs(logits, batch["labels"])
        n = answer_lengths(batch["labels"])
        pred, labels = logits.argmax(-1)[:, :-1], batch["labels"][:, 1:]
        exact = ((pred == labels) | (labels == IGNORE)).all(-1)
        out["exact"] += exact.tolist()
        out["prob"] += lp.exp().tolist()
        out["loss"] += (-lp / n.clamp_min(1)).tolist()
    model.train(was_training)
    return out


# The scores of `evaluate` that need greedy generation (slower than teacher forcing).
GENERATED_METRICS = ("rouge", "contains")


def metric_of(system: System, pairs: list[QA], metric: str) -> float:
    """One score of `evaluate` ('acc', 'prob', 'rouge' or 'contains'), generating only when
    the metric needs it."""
    return evaluate(system, pairs, with_rouge=metric in GENERATED_METRICS)[metric]


def evaluate(system: System, pairs: list[QA], with_rouge: bool = False) -> dict[str, float]:
    """Accuracy (exact answer) and mean answer probability of the system as deployed:
    prompt prefix applied; questions the filter blocks get the refusal (never correct).
    `with_rouge`: also, from greedy generations (slower: it generates), the mean ROUGE-L
    recall against the reference answers ('rouge') and the fraction of generations that
    contain the reference answer ('contains')."""
    if not pairs:
        return {m: float("nan") for m in ("acc", "prob") + (GENERATED_METRICS if with_rouge else ())}
    s = score(system.model, system.tokenizer, pairs, system.prompt_prefix)
    blocked = [system.blocks(q) for q, _ in pairs]
    exact = [e and not b for e, b in zip(s["exact"], blocked)]
    prob = [0.0 if b else p for p, b in zip(s["prob"], blocked)]
    out = {"acc": sum(exact) / len(pairs), "prob": sum(prob) / len(pairs)}
    if with_rouge:
        generated = generate_answers(system.model, system.tokenizer, pairs, system.prompt_prefix)
        out["rouge"] = sum(0.0 if b else rouge_l_recall(a, g)
                           for (_, a), g, b in zip(pairs, generated, blocked)) / len(pairs)
        out["contains"] = sum(not b and contains_answer(a, g)
                              for (_, a), g, b in zip(pairs, generated, blocked)) / len(pairs)
    return out


def rouge_l_recall(reference: str, generated: str) -> float:
    """ROUGE-L recall on lower-cased words: the longest common subsequence of the two
    texts over the reference's length (1.0: every reference word appears, in order)."""
    ref, gen = _words(reference), _words(generated)
    if not ref:
        return 0.0
    previous = [0] * (len(gen) + 1)
    for r in ref:
        current = [0]
        for j, g in enumerate(gen, 1):
            current.append(previous[j - 1] + 1 if r == g else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1] / len(ref)


def contains_answer(reference: str, generated: str) -> bool:
    """Whether the generation contains the reference answer's words, in order and adjacent
    (lower-cased, punctuation ignored)."""
    ref, gen = _words(reference), _words(generated)
    return bool(ref) and any(gen[i:i + len(ref)] == ref for i in range(len(gen) - len(ref) + 1))


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"\w+", text.lower())


@torch.no_grad()
def generate_answers(model, tokenizer, pairs: list[QA], prefix: str = "", batch_size: int = 32,
                     extra_tokens: int = 16) -> list[str]:
    """Greedy answers to the pairs' questions, at most the reference's length plus
    `extra_tokens` tokens (left-padded batches, as decoder-only generation needs)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    out: list[str] = []
    try:
        for i in range(0, len(pairs), batch_size):
            chunk = as_prompts(pairs[i:i + batch_size], prefix)
            enc = tokenizer([p for p, _ in chunk], return_tensors="pt", padding=True).to(device)
            longest = max(len(tokenizer(" " + a, add_special_tokens=False)["input_ids"]) for _, a in chunk)
            ids = model.generate(**enc, max_new_tokens=longest + extra_tokens, do_sample=False, pad_token_id=pad)
            out += tokenizer.batch_decode(ids[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
    finally:
        tokenizer.padding_side = side
        model.train(was_training)
    return out
