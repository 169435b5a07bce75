"""IDK-DPO: direct preference optimisation that prefers "I do not know" to the true answer.

    L(θ) = −E_forget[ log σ( β · [ (log π_θ(idk|x) − log π_ref(idk|x))
                                   − (log π_θ(y|x)   − log π_ref(y|x)) ] ) ] + λ · NLL_θ(retain)

with sequence log-probs and a frozen reference π_ref. It teaches a refusal more than it
erases the answer, so its design intent is suppression.
Papers: Rafailov et al. 2023, DPO (arXiv 2305.18290); Maini et al. 2024, TOFU (arXiv
2401.06121), which introduced the IDK preference variant for unlearning.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..cli import run_method
from ..config import CommonConfig, opt
from ..data import encode, forget_retain_batches
from ..evaluation import System
from ..losses import sequence_logprobs, token_nll
from ..training import batch_seed, check_loss, finish, frozen_copy, prepare_training, progress, step

INTENTION = "suppression"


@dataclass
class Config(CommonConfig):
    lr: float = opt(3e-3, "learning rate (AdamW)")
    steps: int = opt(80, "optimisation steps")
    beta: float = opt(0.5, "β, inverse temperature of the preference loss")
    retain_weight: float = opt(1.0, "λ, weight of the retain NLL")
    idk: str = opt("I do not know", "the preferred answer to forget questions")


def dpo_loss(logp_win, ref_win, logp_lose, ref_lose, beta: float) -> torch.Tensor:
    """−mean log σ(β [(log π_θ(w) − log π_ref(w)) − (log π_θ(l) − log π_ref(l))])."""
    return -F.logsigmoid(beta * ((logp_win - ref_win) - (logp_lose - ref_lose))).mean()


def unlearn(cfg: Config, task) -> System:
    ref = frozen_copy(task.model)
    acc, model, optimizer = prepare_training(cfg, task.model)
    ref = ref.to(acc.device)
    batches = forget_retain_batches(task.forget, task.retain, cfg.batch_size, batch_seed(cfg))
    for i in progress(cfg, "idk_dpo"):
        pairs, n = next(batches)
        # rows: [forget with true answer | retain | forget with the idk answer]
        idk_pairs = [(p, cfg.idk) for p, _ in pairs[:n]]
        batch = encode(task.tokenizer, pairs + idk_pairs, acc.device)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        labels = batch["labels"]
        lose, win = slice(0, n), slice(len(pairs), len(pairs) + n)
        rows = torch.cat([torch.arange(0, n), torch.arange(len(pairs), len(pairs) + n)]).to(acc.device)
        with torch.no_grad():  # the reference only scores the forget rows
            ref_logits = ref(input_ids=batch["input_ids"][rows], attention_mask=batch["attention_mask"][rows]).logits
        logp = sequence_logprobs(logits, labels)
        ref_logp = sequence_logprobs(ref_logits, labels[rows])
        loss = dpo_loss(logp[win], ref_logp[n:], logp[lose], ref_logp[:n], cfg.beta)
        loss = loss + cfg.retain_weight * token_nll(logits[n:len(pairs)], labels[n:len(pairs)])
        check_loss(loss, i, cfg, "idk_dpo")
        step(acc, model, optimizer, loss, cfg)
    return System(finish(acc, model), task.tokenizer)


if __name__ == "__main__":
    sys.exit(run_method(sys.modules[__name__]))
