"""Losses: sequence log-probs over the answer tokens, token NLL and KL.

`sequence_logprobs` sums log p(answer token) over the answer, one number per sequence —
the quantity preference losses (NPO, DPO) compare with a frozen reference.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .data import IGNORE


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
