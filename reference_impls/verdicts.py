"""Calibrated verdicts: is an attacked model beyond what exact unlearning would show?

Exact unlearning is retraining without the forget set. Retrains with different seeds
differ, so one oracle is not a yardstick: the audit attacks several independent oracles
and uses their spread as the *null* — how much an attack recovers from a model that never
saw the forget set. A method is judged against that null, never against a fixed threshold.

For one metric under one attack (higher = the model knows more), with the oracles'
values o_1..o_K and a method's values m_1..m_n over unlearning seeds:

    null band      Ō ± w,   w = max(t(K-1) · s_O · sqrt(1 + 1/K), RESOLUTION)
    method range   M̄ ± h,   h = max(t(n-1) · s_M / sqrt(n), RESOLUTION)

The band is a 95% prediction interval: where the metric of one more independent retrain
would fall. The method's range is a 95% confidence interval for its mean over seeds.
RESOLUTION floors both, because five oracles that happen to agree, or seeds that all give
the same number, do not make a difference of a question or two meaningful, and because
another machine rounds differently (see sokkit's MACHINE_TOLERANCE, which it equals).

    beyond      M̄ - h > Ō + w          the attacked method knows more than a retrain would
    within      M̄ + h ≤ Ō + w          no more than a retrain would
    inconclusive  otherwise               the range straddles the band's edge

For a two-sided metric (the membership inference AUCs), being far *below* the band is also a
signal — a model that treats its forget set as stranger than never-seen data has left a
trace — so `beyond` also covers M̄ + h < Ō - w there.

The recovery score puts every attack on one scale: (M̄ - Ō) / (B̄ - Ō), with B̄ the attacked
base model. 0 is as good as retraining, 1 is as if nothing had been unlearned. It is
undefined when the attack does not separate the base from the oracles (B̄ within the band).

A model's overall verdict, from its per-attack results:

    not-forgotten     a forgetting check (plain questions, paraphrases) is beyond the null
    inconclusive      a forgetting check straddles, or no attack is beyond and one straddles
    suppression-like  it forgets, and some attack recovers beyond the null
    removal-like      it forgets, and every attack stays within the null

Pure Python and torch-free, so the catalog tools can read and re-judge audit results.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

CONFIDENCE = 0.95
# The smallest difference an audit number can resolve across machines: equal to sokkit's
# MACHINE_TOLERANCE (measured variation between machines, with headroom; a test ties them).
RESOLUTION = 0.05
# Attacks that ask the deployed model, without weights or optimisation: failing them means
# the model did not forget, not that an attacker recovered hidden knowledge.
FORGETTING_CHECKS = ("no_attack", "paraphrase")
TWO_SIDED = ("membership", "membership_mink")
VERDICTS = ("not-forgotten", "suppression-like", "removal-like", "inconclusive")
ATTACK_OUTCOMES = ("beyond", "within", "inconclusive")

# Two-sided 97.5% quantiles of Student's t by degrees of freedom (standard table values);
# tests check them against a numerical integration of the density.
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
         9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120,
         17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 25: 2.060, 30: 2.042, 40: 2.021, 60: 2.000,
         120: 1.980}


def t_quantile(df: float) -> float:
    """t(df) at 97.5%: the table value for the largest tabulated df not above `df`, which
    errs on the wide side; 1.960 beyond the table."""
    if df < 1:
        raise ValueError("a t interval needs at least one degree of freedom (two values)")
    if df > 120:
        return 1.960
    return _T975[max(k for k in _T975 if k <= df)]


def _sd(values: Sequence[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


@dataclass(frozen=True)
class Band:
    """The oracles' null band for one metric: where one more retrain would fall."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, oracle_values: Sequence[float]) -> "Band":
        if len(oracle_values) < 2:
            raise ValueError("a null band needs at least two independent oracles")
        k = len(oracle_values)
        mean = statistics.fmean(oracle_values)
        w = max(t_quantile(k - 1) * _sd(oracle_values) * math.sqrt(1 + 1 / k), RESOLUTION)
        return cls(mean, mean - w, mean + w, k)


@dataclass(frozen=True)
class Range:
    """A model's mean over seeds with its confidence interval."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> "Range":
        if not values:
            raise ValueError("no values")
        n = len(values)
        mean = statistics.fmean(values)
        h = RESOLUTION if n == 1 else max(t_quantile(n - 1) * _sd(values) / math.sqrt(n), RESOLUTION)
        return cls(mean, mean - h, mean + h, n)


def point(value: float) -> Range:
    """One model measured once, as a zero-width range: the band is already a prediction
    interval for a single retrain, so a single value is compared with it as it is (used to
    judge each oracle against the others)."""
    return Range(value, value, value, 1)


def attack_outcome(model: Range, null: Band, two_sided: bool = False) -> str:
    """beyond / within / inconclusive: is the attacked model beyond the oracles' null?"""
    if model.low > null.high or (two_sided and model.high < null.low):
        return "beyond"
    if model.high <= null.high and (not two_sided or model.low >= null.low):
        return "within"
    return "inconclusive"


@dataclass(frozen=True)
class Recovery:
    """(model − oracle mean) / (base − oracle mean), with its interval; None when the attack
    does not separate the base model from the oracles."""

    score: float | None
    low: float | None
    high: float | None
    null_low: float | None
    null_high: float | None

    @classmethod
    def of(cls, model: Range, base_mean: float, null: Band) -> "Recovery":
        span = base_mean - null.mean
        if null.low <= base_mean <= null.high:
            return cls(None, None, None, None, None)

        def scale(x: float) -> float:
            return (x - null.mean) / span

        low, high = sorted((scale(model.low), scale(model.high)))
        null_low, null_high = sorted((scale(null.low), scale(null.high)))
        return cls(scale(model.mean), low, high, null_low, null_high)


@dataclass(frozen=True)
class AttackJudgement:
    attack: str
    outcome: str
    model: Range
    null: Band
    recovery: Recovery

    def as_dict(self) -> dict:
        return {"attack": self.attack, "outcome": self.outcome, "model": asdict(self.model),
                "null": asdict(self.null), "recovery": asdict(self.recovery)}


def judge_attack(attack: str, model_values: Sequence[float], oracle_values: Sequence[float],
                 base_values: Sequence[float], single: bool = False) -> AttackJudgement:
    """One attack's judgement. `single`: `model_values` is one independent model measured
    once (an oracle left out of the null), compared as a point with the prediction band."""
    if single and len(model_values) != 1:
        raise ValueError("a single model has exactly one value")
    model, null = (point(model_values[0]) if single else Range.of(model_values)), Band.of(oracle_values)
    outcome = attack_outcome(model, null, two_sided=attack in TWO_SIDED)
    return AttackJudgement(attack, outcome, model, null, Recovery.of(model, statistics.fmean(base_values), null))


def overall_verdict(outcomes: Mapping[str, str]) -> str:
    """The model's verdict from {attack: outcome} (see the module docstring)."""
    for name, outcome in outcomes.items():
        if outcome not in ATTACK_OUTCOMES:
            raise ValueError(f"attack {name}: unknown outcome {outcome!r} (allowed: {', '.join(ATTACK_OUTCOMES)})")
    checks = [outcomes[a] for a in FORGETTING_CHECKS if a in outcomes]
    if not checks:
        raise ValueError(f"a verdict needs a forgetting check ({', '.join(FORGETTING_CHECKS)})")
    if "beyond" in checks:
        return "not-forgotten"
    if "inconclusive" in checks:
        return "inconclusive"
    attacks = [o for a, o in outcomes.items() if a not in FORGETTING_CHECKS]
    if "beyond" in attacks:
        return "suppression-like"
    if "inconclusive" in attacks:
        return "inconclusive"
    return "removal-like"


def judge_model(per_attack: Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float]]]
                ) -> tuple[str, dict[str, AttackJudgement]]:
    """{attack: (model values, oracle values, base values)} -> (verdict, judgements)."""
    judged = {a: judge_attack(a, *values) for a, values in per_attack.items()}
    return overall_verdict({a: j.outcome for a, j in judged.items()}), judged


def rule_text() -> str:
    """The rule in one paragraph, for reports and the site."""
    return (f"Each attack's metric is compared with the null band of the independent oracles "
            f"(a {CONFIDENCE:.0%} prediction interval for one more retrain) using the model's "
            f"{CONFIDENCE:.0%} confidence interval over seeds; both are at least ±{RESOLUTION} wide. "
            f"'beyond' when the interval lies above the band ({', '.join(TWO_SIDED)}: on either side), "
            f"'within' when it does not reach above it, 'inconclusive' when it straddles the edge. "
            f"A model is not-forgotten when a forgetting check ({', '.join(FORGETTING_CHECKS)}) is beyond, "
            f"suppression-like when it forgets and another attack is beyond, removal-like when every "
            f"attack is within, and inconclusive otherwise. Each oracle is checked the same way against "
            f"the band of the others, its single value as a point.")

