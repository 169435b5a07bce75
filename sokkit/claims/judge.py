"""Judging claims with an audit spec against the results of the intention audit
(`reference_impls.audit`); the specs themselves are checked in `specs`.

A claim's spec names a reference implementation, an attack and what the paper
predicts. Judging reads the audit's numbers for that method; the calibrated audit has
already judged every attack against the null of independent oracles (beyond / within /
inconclusive at 95%, see `reference_impls/verdicts.py`), and judging uses that outcome:

- `recovers` / `does-not-recover`: the attack's outcome — beyond the null is a recovery,
  within it is none, and inconclusive stays inconclusive; for a method the audit found
  `not-forgotten` both are inconclusive (what was never forgotten cannot be recovered);
- `forgets`: the plain forget questions (`no_attack`) within the null: forgotten as far as
  retraining; beyond it: not forgotten;
- `reduces`: the base model's forget accuracy minus the method's, predicted above
  EFFECT_SIZE (a claim that unlearning *lowers* what the model knows, not that it matches
  retraining);
- `preserves-utility`: the base model's retain accuracy minus the method's, predicted
  below EFFECT_SIZE.

The last two have no oracle null to compare with, so they use a stated effect size.

A comparative spec (`than: <another reference implementation>`) is judged the same way on
the difference between the two methods, method minus `than`, with threshold 0:

- `recovers-less` / `recovers-more`: the attacked metric of the method minus that of
  `than` (the oracle cancels out), predicted below / above 0;
- `forgets-more`: forget accuracy, method minus `than`, predicted below 0;
- `preserves-utility-better`: retain accuracy, method minus `than`, predicted above 0.

Its spread combines the two methods' spreads over seeds, sqrt(s_method² + s_than²) (the
seeds of two methods are independent runs, so their variances add), from the per-seed
lists where the audit records them. `compare_series` works on any per-seed values, so the
same rule carries over to the calibrated audit's per-seed recovery scores.

With `d` that difference, `m` its margin — the larger of its spread over seeds (one
standard deviation) and MACHINE_TOLERANCE, the measured variation between machines —
and `t` the threshold: a prediction of "above t" is reproduced when `d - m > t`, not
reproduced when `d + m < t`, and inconclusive when `d ± m` straddles `t` (and the other
way round for a prediction of "below t"). A status that another machine could flip is
therefore reported as inconclusive, not as established.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..catalog import Catalog, Entry
from ..catalog.models import AuditSpec, Claim, Paper

STATUSES = ("reproduced", "not-reproduced", "inconclusive")


@dataclass(frozen=True)
class CheckableClaim:
    paper: str
    claim: Claim

    @property
    def key(self) -> str:
        return f"{self.paper}:{self.claim.id}"


def checkable_claims(catalog: Catalog, selection: list[str] | None = None) -> list[CheckableClaim]:
    """Claims with an audit spec, optionally only those named ('paper' or 'paper:claim')."""
    found = []
    for pid in sorted(catalog.papers):
        entry: Entry[Paper] = catalog.papers[pid]
        for claim in entry.model.claims:
            if claim.audit is None:
                continue
            item = CheckableClaim(pid, claim)
            if selection and pid not in selection and item.key not in selection:
                continue
            found.append(item)
    return found


# How far one audit number can move between two machines even when both attack the same
# committed checkpoints: unlearning and the attacks still train, and other CPU kernels or
# thread counts round differently. benchmarks/audit_variation.py reran the audit at 1 and 2
# threads and with torch's AVX2 and plain kernels instead of AVX-512
# (catalog/results/variation.json): the largest difference was 0.0035. The figure below is
# about 14 times that, as headroom for what could not be measured here (other processor
# makers, other builds of torch); a test keeps it at least as large as the measurement. A
# claim is only judged reproduced or not when its difference clears the threshold by more
# than this and by more than its spread over seeds.
MACHINE_TOLERANCE = 0.05


def margin(spread: float) -> float:
    return max(spread, MACHINE_TOLERANCE)


def _verdict(difference: float, spread: float, threshold: float, above: bool) -> str:
    m = margin(spread)
    if difference - m > threshold:
        return "reproduced" if above else "not-reproduced"
    if difference + m < threshold:
        return "not-reproduced" if above else "reproduced"
    return "inconclusive"


@dataclass(frozen=True)
class Series:
    """One method's values of one metric over seeds: mean, spread (one standard deviation)
    and, where the audit records them, the per-seed values."""

    mean: float
    spread: float
    values: tuple[float, ...] | None = None

    @classmethod
    def of(cls, values: Sequence[float]) -> "Series":
        if not values:
            raise ValueError("no values")
        values = tuple(float(v) for v in values)
        return cls(statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0, values)


def compare_series(method: Series, than: Series) -> tuple[float, float]:
    """(difference, spread) of method minus than: the difference of the means, and the two
    spreads combined as independent runs, sqrt(s_m² + s_t²)."""
    return method.mean - than.mean, math.hypot(method.spread, than.spread)


# Comparative predictions: (what is compared, whether the method's value is predicted above `than`'s).
COMPARATIVE_RULES = {
    "recovers-less": ("attack", False),
    "recovers-more": ("attack", True),
    "forgets-more": ("forget", False),
    "preserves-utility-better": ("retain", True),
}


def _series(row: dict[str, Any], what: str, attack: str | None) -> tuple[str, Series]:
    """(metric name, series) of one method row of the audit for a comparison."""
    if what == "attack":
        result = row["attacks"][attack]
        if result.get("per_seed"):
            return result["metric"], Series.of(result["per_seed"])
        return result["metric"], Series(result["mean"], result["std"])
    if what == "forget":
        plain = row.get("attacks", {}).get("no_attack", {}).get("per_seed")
        return "forget accuracy", Series.of(plain) if plain else Series(row["forget_acc"], row["forget_acc_std"])
    return "retain accuracy", Series(row["retain_acc"], row["retain_acc_std"])


def judge_comparison(spec: AuditSpec, audit: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The status of a comparative spec: method minus `than`, threshold 0."""
    what, above = COMPARATIVE_RULES[spec.expects]
    metric, mine = _series(audit["methods"][spec.method], what, spec.attack)
    _, theirs = _series(audit["methods"][spec.than], what, spec.attack)
    difference, spread = compare_series(mine, theirs)
    numbers: dict[str, Any] = {"metric": metric, "method": mine.mean, "than": theirs.mean}
    if mine.values is not None:
        numbers["method_per_seed"] = list(mine.values)
    if theirs.values is not None:
        numbers["than_per_seed"] = list(theirs.values)
    numbers.update(difference=difference, spread=spread, threshold=0.0, margin=margin(spread))
    return _verdict(difference, spread, 0.0, above=above), numbers


# The change in accuracy that counts as an effect for the judgements without an oracle null:
# a drop in forget accuracy of more than this is a reduction, a drop in retain accuracy of
# less than this is preserved utility. 0.15 is about one question in seven, a change a user
# would notice; the margins (spread, MACHINE_TOLERANCE) are added on top.
EFFECT_SIZE = 0.15

OUTCOME_STATUS = {"beyond": "reproduced", "within": "not-reproduced", "inconclusive": "inconclusive"}
FLIPPED = {"reproduced": "not-reproduced", "not-reproduced": "reproduced", "inconclusive": "inconclusive"}


def _half_width(attack: dict[str, Any]) -> float:
    model = attack.get("model") or {}
    if "high" in model and "low" in model:
        return (model["high"] - model["low"]) / 2
    return attack.get("std", 0.0)


def judge(spec: AuditSpec, audit: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The status of one spec against one audit result, with the numbers behind it."""
    if spec.than is not None:
        return judge_comparison(spec, audit)
    method = audit["methods"][spec.method]
    if spec.expects in ("recovers", "does-not-recover", "forgets"):
        attack = method["attacks"]["no_attack" if spec.expects == "forgets" else spec.attack]
        null = attack["null"]
        numbers = {
            "metric": attack["metric"], "method": attack["mean"], "method_per_seed": attack["per_seed"],
            "oracle": attack["oracle_mean"], "null_low": null["low"], "null_high": null["high"],
            "method_low": attack["model"]["low"], "method_high": attack["model"]["high"],
            "outcome": attack["outcome"], "recovery": (attack.get("recovery") or {}).get("score"),
            "difference": attack["gap"], "spread": attack["gap_std"], "margin": margin(_half_width(attack)),
        }
        status = OUTCOME_STATUS[attack["outcome"]]
        if spec.expects != "forgets" and method.get("verdict") == "not-forgotten":
            # knowledge that was never forgotten cannot be recovered: the claim is not tested
            numbers["note"] = "the method did not forget on the toy world, so recovery is not tested"
            return "inconclusive", numbers
        return (status if spec.expects == "recovers" else FLIPPED[status]), numbers
    if spec.expects == "reduces":
        _, mine = _series(method, "forget", None)
        difference = audit["base"]["forget_acc"] - mine.mean
        spread, threshold, above = mine.spread, EFFECT_SIZE, True
        numbers = {"metric": "forget accuracy", "method": mine.mean, "base": audit["base"]["forget_acc"]}
    else:
        difference = audit["base"]["retain_acc"] - method["retain_acc"]
        spread, threshold, above = method["retain_acc_std"], EFFECT_SIZE, False
        numbers = {"metric": "retain accuracy", "method": method["retain_acc"], "base": audit["base"]["retain_acc"]}
    numbers.update(difference=difference, spread=spread, threshold=threshold, margin=margin(spread))
    return _verdict(difference, spread, threshold, above=above), numbers
