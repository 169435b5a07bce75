"""Primitives shared by every method file: data, batching, sequence log-probs, KL,
hidden-state hooks, evaluation, the training guard, configuration and saving.

Conventions used throughout:

* a QA pair is `(prompt, answer)`; the loss only ever covers the answer tokens — prompt and
  padding positions carry the label -100 and are masked everywhere;
* `sequence_logprobs` sums log p(answer token) over the answer, one number per sequence —
  the quantity preference losses (NPO, DPO) compare with a frozen reference;
* a method returns a `System`: the model plus what is wrapped around it at inference time
  (a prompt prefix, an output filter). Weight-editing methods leave the wrapper empty.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import json
import math
import os
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import torch
import torch.nn.functional as F

QA = tuple[str, str]  # (question, answer)
IGNORE = -100


class ConfigError(Exception):
    """A user mistake in the options or the data: reported without a traceback, exit 2."""


class Diverged(Exception):
    """Training produced a non-finite or exploding loss: reported, nothing is written, exit 1."""


# --- configuration --------------------------------------------------------------------

def opt(default, help: str, **kw):
    """A dataclass field with a help string (shown by --help)."""
    return field(default=default, metadata={"help": help, **kw})


@dataclass
class CommonConfig:
    model: str = opt("toy", "'toy' (the toy world, trained and cached on first use) or a local "
                            "folder with an AutoModelForCausalLM and its tokenizer")
    forget: str = opt("", "JSONL of {question, answer} to forget (required with a local --model)")
    retain: str = opt("", "JSONL of {question, answer} to keep (required with a local --model)")
    out: str = opt("", "folder to save the unlearned model into (must not exist; default: do not save)")
    steps: int = opt(60, "optimisation steps")
    lr: float = opt(1e-3, "learning rate (AdamW)")
    batch_size: int = opt(16, "forget examples per step (and as many retain examples)")
    seed: int = opt(0, "random seed (data order, initialisation of random directions)")
    max_grad_norm: float = opt(1.0, "gradient clipping norm")
    max_loss: float = opt(1e4, "stop as diverged when |loss| exceeds this")
    bf16: bool = opt(False, "bf16 mixed precision (GPUs)")
    gradient_checkpointing: bool = opt(False, "trade compute for memory (large models)")
    progress: bool = opt(True, "show a tqdm progress bar")


def parse_config(cls, argv: list[str] | None, prog: str, description: str):
    """Build an argparse parser from a config dataclass and parse argv into it."""
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    for f in dataclasses.fields(cls):
        flag = "--" + f.name.replace("_", "-")
        help_ = f.metadata.get("help", "")
        if f.type in (bool, "bool"):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default, help=help_)
        else:
            kind = {"int": int, "float": float, "str": str}.get(f.type if isinstance(f.type, str) else f.type.__name__, str)
            choices = f.metadata.get("choices")
            parser.add_argument(flag, type=kind, default=f.default, help=help_, choices=choices)
    return cls(**vars(parser.parse_args(argv)))


# --- data -----------------------------------------------------------------------------

def load_qa_jsonl(path: str) -> list[QA]:
    """Read `{"question": ..., "answer": ...}` lines; every mistake names file and line."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"data file '{path}' does not exist (expected JSONL with question/answer fields)")
    pairs: list[QA] = []
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("question"), str) \
                or not isinstance(row.get("answer"), str) or not row["answer"].strip():
            raise ConfigError(f"{path}:{n}: each line must be an object with non-empty string "
                              f"fields 'question' and 'answer'")
        pairs.append((row["question"], row["answer"]))
    if not pairs:
        raise ConfigError(f"{path}: no question/answer pairs found")
    return pairs


def format_prompt(question: str) -> str:
    return f"Question: {question}\nAnswer:"


def encode(tokenizer, pairs: list[tuple[str, str]], device=None) -> dict[str, torch.Tensor]:
    """Tokenise (prompt, answer) pairs, right-pad, and label only the answer tokens.

    The prompt and the answer are tokenised separately so the boundary is exact; the
    answer gets a leading space, as it follows 'Answer:'."""
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)
    rows, labels = [], []
    for prompt, answer in pairs:
        p = tokenizer(prompt, add_special_tokens=True)["input_ids"]
        a = tokenizer(" " + answer, add_special_tokens=False)["input_ids"]
        rows.append(p + a)
        labels.append([IGNORE] * len(p) + a)
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


def as_prompts(pairs: list[QA], prefix: str = "") -> list[tuple[str, str]]:
    return [(prefix + format_prompt(q), a) for q, a in pairs]


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


# --- losses ---------------------------------------------------------------------------

def shift(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Align position t's logits with token t+1's label."""
    return logits[:, :-1, :], labels[:, 1:]


def sequence_logprobs(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """log p(answer | prompt) per sequence: the sum of the answer tokens' log-probs.
    Prompt and padding (label -100) contribute nothing."""
    logits, labels = shift(logits, labels)
    mask = labels != IGNORE
    logp = torch.log_softmax(logits.float(), dim=-1)
    token_logp = logp.gather(-1, labels.clamp_min(0).unsqueeze(-1)).squeeze(-1)
    return (token_logp * mask).sum(-1)


def answer_lengths(labels: torch.Tensor) -> torch.Tensor:
    return (labels[:, 1:] != IGNORE).sum(-1)


def token_nll(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean negative log-likelihood over all answer tokens of the batch."""
    logits, labels = shift(logits, labels)
    return F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), labels.reshape(-1),
                           ignore_index=IGNORE)


def kl_divergence(p_logits: torch.Tensor, q_logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """KL(p ‖ q) = Σ_v p(v) (log p(v) − log q(v)) per answer position, averaged over positions.

    The direction matters: with p the frozen reference and q the model being trained,
    this is the usual 'stay close to the original' retain regulariser (mass-covering)."""
    p_logits, labels = shift(p_logits, labels)
    q_logits = q_logits[:, :-1, :]
    mask = (labels != IGNORE).float()
    logp = torch.log_softmax(p_logits.float(), -1)
    logq = torch.log_softmax(q_logits.float(), -1)
    kl = (logp.exp() * (logp - logq)).sum(-1)
    return (kl * mask).sum() / mask.sum().clamp_min(1.0)


def split(batch: dict[str, torch.Tensor], n: int):
    """Split a combined batch into its first n rows and the rest."""
    return ({k: v[:n] for k, v in batch.items()}, {k: v[n:] for k, v in batch.items()})


# --- hidden states ---------------------------------------------------------------------

def decoder_layers(model) -> torch.nn.ModuleList:
    """The list of transformer blocks of common causal LM architectures."""
    base = getattr(model, "module", model)  # DDP wrapper
    for path in ("model.layers", "transformer.h", "gpt_neox.layers", "model.decoder.layers"):
        obj = base
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
            return obj
        except AttributeError:
            continue
    raise ConfigError(f"cannot find the decoder layers of {type(base).__name__} "
                      "(supported: model.layers, transformer.h, gpt_neox.layers, model.decoder.layers)")


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


def hidden_states(model, batch: dict[str, torch.Tensor], layer: int) -> torch.Tensor:
    """Hidden states after decoder layer `layer` for a batch (no gradient)."""
    with torch.no_grad(), capture_output(decoder_layers(model)[layer]) as store:
        model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    return store["out"]


def last_prompt_positions(labels: torch.Tensor) -> torch.Tensor:
    """Index of the last prompt token in each row (the position that predicts the answer)."""
    is_answer = labels != IGNORE
    return is_answer.float().argmax(-1) - 1


# --- the unlearned system and its evaluation --------------------------------------------

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


def evaluate(system: System, pairs: list[QA]) -> dict[str, float]:
    """Accuracy (exact answer) and mean answer probability of the system as deployed:
    prompt prefix applied; questions the filter blocks get the refusal (never correct)."""
    if not pairs:
        return {"acc": float("nan"), "prob": float("nan")}
    s = score(system.model, system.tokenizer, pairs, system.prompt_prefix)
    blocked = [system.blocks(q) for q, _ in pairs]
    exact = [e and not b for e, b in zip(s["exact"], blocked)]
    prob = [0.0 if b else p for p, b in zip(s["prob"], blocked)]
    return {"acc": sum(exact) / len(pairs), "prob": sum(prob) / len(pairs)}


# --- training helpers -------------------------------------------------------------------

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


# --- loading and saving -------------------------------------------------------------------

@dataclass
class Task:
    """What a method run needs: the model to unlearn and the forget/retain data."""
    model: torch.nn.Module
    tokenizer: object
    forget: list[QA]
    retain: list[QA]
    forget_entities: list[str] = field(default_factory=list)
    source: str = "toy"


def load_task(cfg: CommonConfig) -> Task:
    torch.manual_seed(cfg.seed)
    if cfg.model == "toy":
        from .toyworld import World, default_world_config, load_or_train

        try:
            world = World.build(default_world_config())
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"SOKKIT_TOY_WORLD is not a JSON object of WorldConfig fields: {exc}") from None
        model, tokenizer = load_or_train(world, progress=cfg.progress)
        return Task(model, tokenizer, world.qa(world.forget_entities), world.qa(world.retain_entities),
                    list(world.forget_entities))
    path = Path(cfg.model)
    if not (path / "config.json").is_file():
        raise ConfigError(f"--model '{cfg.model}' is neither 'toy' nor a folder with config.json "
                          "(a local AutoModelForCausalLM saved with save_pretrained)")
    if not cfg.forget or not cfg.retain:
        raise ConfigError("with a local --model, give --forget and --retain JSONL files "
                          "(one {\"question\": ..., \"answer\": ...} object per line)")
    forget, retain = load_qa_jsonl(cfg.forget), load_qa_jsonl(cfg.retain)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot load a causal LM from '{path}': {exc}") from None
    return Task(model, tokenizer, forget, retain, [], str(path))


def check_out(cfg: CommonConfig) -> None:
    """Refuse before any work: never overwrite the input model or an existing folder."""
    if not cfg.out:
        return
    out = Path(cfg.out).resolve()
    if cfg.model != "toy" and out == Path(cfg.model).resolve():
        raise ConfigError(f"--out '{cfg.out}' is the input model; choose a new folder")
    if out.exists():
        raise ConfigError(f"--out '{cfg.out}' already exists; choose a new folder (nothing is overwritten)")
    if not out.parent.is_dir():
        raise ConfigError(f"--out '{cfg.out}': parent folder '{out.parent}' does not exist")


def save_system(system: System, out: str, meta: dict) -> None:
    """Write model, tokenizer and unlearning.json into a temporary sibling, then rename."""
    target = Path(out).resolve()
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        system.model.save_pretrained(tmp)
        system.tokenizer.save_pretrained(tmp)
        (tmp / "unlearning.json").write_text(json.dumps({**meta, "wrapper": system.meta()}, indent=2))
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_system(path: str) -> System:
    """Load a saved unlearned system (model + wrapper)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    meta = json.loads((Path(path) / "unlearning.json").read_text())
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    return System(model, AutoTokenizer.from_pretrained(path), **meta["wrapper"])


def run_method(module, argv: list[str] | None = None) -> int:
    """The command line of one method file: parse, unlearn, report, save (optional).

    Exit 0 on success, 1 when training diverged, 2 for usage errors."""
    spec = getattr(module, "__spec__", None)  # under `python -m`, __name__ is "__main__"
    name = (spec.name if spec is not None else module.__name__).rsplit(".", 1)[-1]
    doc = (module.__doc__ or "").strip().splitlines()[0]
    try:
        cfg = parse_config(module.Config, argv, f"sokkit run {name}", doc)
        check_out(cfg)
        task = load_task(cfg)
        before = evaluate(System(task.model, task.tokenizer), task.forget), \
            evaluate(System(task.model, task.tokenizer), task.retain)
        system = module.unlearn(cfg, task)
        after = evaluate(system, task.forget), evaluate(system, task.retain)
    except ConfigError as exc:
        print(f"sokkit run {name}: {exc}", file=sys.stderr)
        return 2
    except Diverged as exc:
        print(f"sokkit run {name}: {exc}", file=sys.stderr)
        return 1
    acc = accelerator_for(cfg)
    if acc.is_main_process:
        print(f"{name} ({module.INTENTION}-intended) on {task.source}, seed {cfg.seed}, "
              f"{acc.num_processes} process(es)")
        print(f"  forget acc {before[0]['acc']:.3f} -> {after[0]['acc']:.3f}   "
              f"p(answer) {before[0]['prob']:.3f} -> {after[0]['prob']:.3f}")
        print(f"  retain acc {before[1]['acc']:.3f} -> {after[1]['acc']:.3f}   "
              f"p(answer) {before[1]['prob']:.3f} -> {after[1]['prob']:.3f}")
        if cfg.out:
            save_system(system, cfg.out, {"method": name, "intention": module.INTENTION,
                                          "config": dataclasses.asdict(cfg), "source": task.source})
            print(f"  saved to {cfg.out}")
    return 0
