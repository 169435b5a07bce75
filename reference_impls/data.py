"""Data: question/answer pairs from JSONL, prompts, tokenisation with answer-only labels,
and the forget/retain batches every loop draws.

A QA pair is `(prompt, answer)`; the loss only ever covers the answer tokens — prompt and
padding positions carry the label -100 (IGNORE) and are masked everywhere.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import torch

from .config import ConfigError
from .prompts import format_prompt

QA = tuple[str, str]  # (question, answer)
IGNORE = -100


@dataclass
class Task:
    """What a method run needs: the model to unlearn and the forget/retain data."""
    model: torch.nn.Module
    tokenizer: object
    forget: list[QA]
    retain: list[QA]
    forget_entities: list[str] = field(default_factory=list)
    source: str = "toy"


def jsonl_rows(path: str) -> list[tuple[int, object]]:
    """(line number, parsed value) for every non-blank line of a JSONL file; a missing file
    or a line that is not JSON names file and line."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"data file '{path}' does not exist (expected JSONL with question/answer fields)")
    rows = []
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((n, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
    return rows


def qa_pairs(path: str, rows: list[tuple[int, object]]) -> list[QA]:
    """The (question, answer) of each row of `jsonl_rows(path)`; a bad row names file and line."""
    pairs: list[QA] = []
    for n, row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("question"), str) \
                or not isinstance(row.get("answer"), str) or not row["answer"].strip():
            raise ConfigError(f"{path}:{n}: each line must be an object with non-empty string "
                              f"fields 'question' and 'answer'")
        pairs.append((row["question"], row["answer"]))
    if not pairs:
        raise ConfigError(f"{path}: no question/answer pairs found")
    return pairs


def load_qa_jsonl(path: str) -> list[QA]:
    """Read `{"question": ..., "answer": ...}` lines; every mistake names file and line."""
    return qa_pairs(path, jsonl_rows(path))


def encode(tokenizer, pairs: list[tuple[str, str]], device=None) -> dict[str, torch.Tensor]:
    """Tokenise (prompt, answer) pairs, right-pad, and label only the answer tokens and the
    end-of-sequence token that closes them (when the tokenizer has one).

    Prompt and answer are tokenised together, as the model reads them, and split by
    character offsets: the answer starts with the first token that ends after the prompt.
    Tokenising them apart would let a SentencePiece tokenizer put a spurious word-start
    marker before the answer. Tokenizers without offsets (slow ones) fall back to
    tokenising the two parts apart."""
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)
    eos = tokenizer.eos_token_id
    rows, labels = [], []
    for prompt, answer in pairs:
        ids, n_prompt = _joint_ids(tokenizer, prompt, " " + answer)
        if eos is not None:
            ids = ids + [eos]
        rows.append(ids)
        labels.append([IGNORE] * n_prompt + ids[n_prompt:])
    width = max(map(len, rows))
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    lab = torch.full((len(rows), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (r, l) in enumerate(zip(rows, labels)):
        ids[i, :len(r)] = torch.tensor(r)
        lab[i, :len(l)] = torch.tensor(l)
        mask[i, :len(r)] = 1
    batch = {"input_ids": ids, "attention_mask": mask, "labels": lab}
    return {k: v.to(device) for k, v in batch.items()} if device is not None else batch


def _joint_ids(tokenizer, prompt: str, answer: str) -> tuple[list[int], int]:
    """The ids of prompt + answer and how many of them belong to the prompt."""
    if getattr(tokenizer, "is_fast", False):
        enc = tokenizer(prompt + answer, add_special_tokens=True, return_offsets_mapping=True)
        ids, offsets = enc["input_ids"], enc["offset_mapping"]
        boundary = len(prompt)
        n_prompt = next((i for i, (start, end) in enumerate(offsets) if end > boundary and end > start), len(ids))
        if n_prompt < len(ids):
            return ids, n_prompt
    p = tokenizer(prompt, add_special_tokens=True)["input_ids"]
    return p + tokenizer(answer, add_special_tokens=False)["input_ids"], len(p)


class FormattedPrompt(str):
    """A question already in its final prompt form (wrapped in a tokenizer's chat template):
    `as_prompts` keeps it as it is instead of applying `format_prompt`."""


def chat_formatted(tokenizer, pairs: list[QA], source: str) -> list[QA]:
    """The pairs with each question wrapped in the tokenizer's chat template as a user turn,
    ending where the assistant's answer starts. The template's own begin-of-sequence text
    is dropped, because tokenising adds that token."""
    if not getattr(tokenizer, "chat_template", None):
        raise ConfigError(f"--chat-template: the tokenizer of '{source}' has no chat template "
                          f"(tokenizer_config.json has no chat_template)")
    bos = tokenizer.bos_token or ""
    out = []
    for question, answer in pairs:
        text = tokenizer.apply_chat_template([{"role": "user", "content": question}], tokenize=False,
                                             add_generation_prompt=True)
        if bos and text.startswith(bos):
            text = text[len(bos):]
        out.append((FormattedPrompt(text), answer))
    return out


def as_prompts(pairs: list[QA], prefix: str = "") -> list[tuple[str, str]]:
    return [(prefix + (q if isinstance(q, FormattedPrompt) else format_prompt(q)), a) for q, a in pairs]


def forget_retain_batches(forget: list[QA], retain: list[QA], batch_size: int, seed: int,
                          forget_answers: list[str] | None = None) -> Iterator[tuple[list, int]]:
    """Endless (pairs, n_forget): batch_size forget pairs followed by batch_size retain pairs.

    One combined batch means one forward pass per step (and one DDP reduction); the loss
    splits the logits at n_forget. `forget_answers` replaces the forget answers (e.g. with
    "I do not know" for refusal tuning)."""
    rng = random.Random(seed)
    f_idx, r_idx = [], []
    while True:
        if len(f_idx) < batch_size:
            f_idx += rng.sample(range(len(forget)), len(forget))
        if len(r_idx) < batch_size:
            r_idx += rng.sample(range(len(retain)), len(retain))
        fb = [forget[i] if forget_answers is None else (forget[i][0], forget_answers[i])
              for i in f_idx[:batch_size]]
        rb = [retain[i] for i in r_idx[:batch_size]]
        f_idx, r_idx = f_idx[batch_size:], r_idx[batch_size:]
        yield as_prompts(fb) + as_prompts(rb), len(fb)


def split(batch: dict[str, torch.Tensor], n: int):
    """Split a combined batch into its first n rows and the rest."""
    return ({k: v[:n] for k, v in batch.items()}, {k: v[n:] for k, v in batch.items()})
