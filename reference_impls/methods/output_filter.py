"""Output filter (guardrail): answer with a refusal whenever the question names a blocked
subject; otherwise pass the model's answer through.

    answer = refusal                  if any blocked term occurs in the question
             model(prompt)            otherwise

The weights are untouched — it suppresses by construction.
Paper: Thaker et al. 2024, "Guardrail Baselines for Unlearning in LLMs" (arXiv 2403.03329).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..cli import run_method
from ..config import CommonConfig, ConfigError, opt
from ..evaluation import System

INTENTION = "suppression"


@dataclass
class Config(CommonConfig):
    terms: str = opt("", "comma-separated blocked terms (default on the toy world: its forget entities)")
    refusal: str = opt("I do not know", "what the filter answers instead")


def unlearn(cfg: Config, task) -> System:
    terms = [t.strip() for t in cfg.terms.split(",") if t.strip()] or task.forget_entities
    if not terms:
        raise ConfigError("give --terms: the subjects whose questions the filter refuses")
    return System(task.model, task.tokenizer, blocked_terms=terms, refusal=cfg.refusal)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
