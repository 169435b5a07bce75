"""Configuration: the options every method shares, `opt` for a method's own
hyper-parameters, the argparse parser built from a config dataclass, and the two errors a
run reports without a traceback. Imports nothing else of the package."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field


class ConfigError(Exception):
    """A user mistake in the options or the data: reported without a traceback, exit 2."""


class Diverged(Exception):
    """Training produced a non-finite or exploding loss: reported, nothing is written, exit 1."""


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
    chat_template: bool = opt(False, "wrap each question in the tokenizer's chat template (instruction-tuned "
                                     "models) instead of 'Question: ...\\nAnswer:'")
    lora: int = opt(0, "LoRA rank: train low-rank adapters on every linear layer instead of all weights, "
                       "merged into the weights at the end (0: off; methods that train all weights only)")
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
