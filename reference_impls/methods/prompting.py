"""In-context unlearning / instruction prompting: the weights stay as they are; every
question is preceded by an instruction to forget.

    answer = model("Forget everything about A, B, ….\n" + prompt)

On the toy world the base model was trained to follow that instruction on random people,
as instruction-tuned LLMs follow a system prompt. Nothing changes in the weights, so
whoever holds them gets everything back: the design intent is suppression.
Papers: Pawelczyk et al. 2023, "In-Context Unlearning: Language Models as Few Shot
Unlearners" (arXiv 2310.07579); Thaker et al. 2024, "Guardrail Baselines for Unlearning
in LLMs" (arXiv 2403.03329).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..cli import run_method
from ..config import CommonConfig, ConfigError, opt
from ..evaluation import System
from ..prompts import forget_instruction

INTENTION = "suppression"


@dataclass
class Config(CommonConfig):
    topics: str = opt("", "comma-separated names to forget (default on the toy world: its forget entities)")


def unlearn(cfg: Config, task) -> System:
    topics = [t.strip() for t in cfg.topics.split(",") if t.strip()] or task.forget_entities
    if not topics:
        raise ConfigError("give --topics: the names or subjects the instruction tells the model to forget")
    return System(task.model, task.tokenizer, prompt_prefix=forget_instruction(topics))


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
