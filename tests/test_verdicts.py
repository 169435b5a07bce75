"""The calibrated verdict rule on constructed cases: a clean oracle, a planted suppression,
a planted failure to forget, and the statistics underneath."""

import math

import pytest

from reference_impls import verdicts
from reference_impls.verdicts import Band, Range, Recovery, attack_outcome, judge_model, overall_verdict, t_quantile

# Five independent oracles: forget accuracy ~0.03, relearning brings them to ~0.30
# (an oracle can learn the relearned people's facts from scratch, a little).
ORACLES = {"no_attack": [0.03, 0.00, 0.06, 0.03, 0.03], "paraphrase": [0.03, 0.06, 0.00, 0.03, 0.06],
           "relearn": [0.28, 0.31, 0.34, 0.25, 0.31], "quant4": [0.03, 0.03, 0.06, 0.00, 0.03],
           "membership": [0.52, 0.49, 0.55, 0.50, 0.51]}
BASE = {"no_attack": [0.97, 0.97], "paraphrase": [0.94, 0.91], "relearn": [0.97, 1.0], "quant4": [0.94, 0.97],
        "membership": [0.95, 0.95]}


def case(**model):
    """Per attack (model values, oracle values, base values); attacks not given sit at the
    oracles' mean with no spread over seeds."""
    return {a: (model.get(a, [sum(ORACLES[a]) / 5] * 3), ORACLES[a], BASE[a]) for a in ORACLES}


def t_density_quantile(df: int, p: float = 0.975) -> float:
    """Student's t quantile by integrating the density (Simpson's rule) and bisection."""
    c = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2))

    def cdf(x: float) -> float:
        n = 4000
        h = x / n
        f = [c * (1 + (i * h) ** 2 / df) ** (-(df + 1) / 2) for i in range(n + 1)]
        return 0.5 + h / 3 * (f[0] + f[-1] + 4 * sum(f[1:-1:2]) + 2 * sum(f[2:-1:2]))

    lo, hi = 0.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < p else (lo, mid)
    return lo


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 9, 20, 30])
def test_t_table_matches_the_density(df):
    assert t_quantile(df) == pytest.approx(t_density_quantile(df), abs=2e-3)


def test_t_quantile_errs_wide_between_table_rows():
    assert t_quantile(27) == t_quantile(25) > t_density_quantile(27)
    with pytest.raises(ValueError):
        t_quantile(0)


def test_a_clean_oracle_is_removal_like():
    # Another independent retrain: its numbers lie inside the null.
    verdict, judged = judge_model(case(no_attack=[0.03, 0.03, 0.06], relearn=[0.31, 0.28, 0.31]))
    assert verdict == "removal-like"
    assert {j.outcome for j in judged.values()} == {"within"}


def test_a_planted_suppression_is_suppression_like():
    # Forgets when asked, but relearning on other people brings the forget facts back.
    verdict, judged = judge_model(case(no_attack=[0.03, 0.0, 0.03], relearn=[0.81, 0.75, 0.84]))
    assert verdict == "suppression-like"
    assert judged["relearn"].outcome == "beyond"
    assert judged["relearn"].recovery.score == pytest.approx((0.8 - 0.298) / (0.985 - 0.298), abs=1e-9)


def test_a_planted_failure_to_forget_is_not_forgotten_not_suppression():
    # Still answers plain questions: every attack "recovers", but nothing was hidden.
    verdict, judged = judge_model(case(no_attack=[0.66, 0.69, 0.63], relearn=[0.9, 0.88, 0.91],
                                       quant4=[0.7, 0.7, 0.66]))
    assert verdict == "not-forgotten"
    assert judged["relearn"].outcome == "beyond"


def test_answering_paraphrases_is_a_failure_to_forget():
    assert judge_model(case(paraphrase=[0.5, 0.55, 0.6]))[0] == "not-forgotten"


def test_a_straddling_attack_is_inconclusive_and_a_clear_one_still_wins():
    # Relearning mean just above the band's edge with a wide spread over seeds.
    null = Band.of(ORACLES["relearn"])
    straddle = [null.high - 0.1, null.high + 0.05, null.high + 0.2]
    assert attack_outcome(Range.of(straddle), null) == "inconclusive"
    assert judge_model(case(relearn=straddle))[0] == "inconclusive"
    assert judge_model(case(relearn=straddle, quant4=[0.8, 0.8, 0.8]))[0] == "suppression-like"


def test_membership_is_two_sided():
    # Far below the oracles' AUC: the forget set looks stranger than never-seen data.
    verdict, judged = judge_model(case(membership=[0.2, 0.22, 0.18]))
    assert judged["membership"].outcome == "beyond"
    assert verdict == "suppression-like"
    # The same shift is not a signal for a one-sided attack.
    assert attack_outcome(Range.of([-0.3, -0.3]), Band.of(ORACLES["quant4"])) == "within"


def test_bands_and_ranges_are_never_narrower_than_the_resolution():
    agreeing = Band.of([0.1, 0.1, 0.1, 0.1, 0.1])
    assert agreeing.high - agreeing.mean == pytest.approx(verdicts.RESOLUTION)
    same = Range.of([0.2, 0.2, 0.2])
    assert same.high - same.mean == pytest.approx(verdicts.RESOLUTION)
    # Wide seeds make even a model at the oracles' mean inconclusive: within needs confidence.
    assert attack_outcome(Range.of(ORACLES["membership"][:3]), Band.of(ORACLES["membership"])) == "inconclusive"
    # A difference below the resolution is never "beyond", however tight the seeds.
    assert attack_outcome(Range.of([0.1 + verdicts.RESOLUTION] * 3), agreeing) == "inconclusive"


def test_the_band_widens_with_the_oracles_spread():
    tight, wide = Band.of([0.3, 0.31, 0.29, 0.3, 0.3]), Band.of([0.1, 0.5, 0.3, 0.2, 0.4])
    assert wide.high - wide.mean > tight.high - tight.mean
    s = 0.158113883  # stdev of the wide values
    assert wide.high - wide.mean == pytest.approx(t_quantile(4) * s * math.sqrt(1 + 1 / 5), rel=1e-6)


def test_recovery_is_undefined_when_the_attack_does_not_separate_base_from_oracles():
    null = Band.of(ORACLES["membership"])
    assert Recovery.of(Range.of([0.5, 0.5]), 0.52, null).score is None
    r = Recovery.of(Range.of([0.5, 0.5]), 0.95, null)
    assert r.score is not None and r.null_low < 0 < r.null_high


def test_the_rule_needs_a_forgetting_check_and_known_outcomes():
    with pytest.raises(ValueError, match="forgetting check"):
        overall_verdict({"relearn": "within"})
    with pytest.raises(ValueError, match="allowed"):
        overall_verdict({"no_attack": "maybe"})
    with pytest.raises(ValueError, match="two independent oracles"):
        Band.of([0.1])


def test_resolution_equals_the_catalogs_machine_tolerance():
    from sokkit.claims import MACHINE_TOLERANCE

    assert verdicts.RESOLUTION == MACHINE_TOLERANCE


def test_a_single_oracle_is_judged_as_a_point_against_the_others_band():
    from reference_impls.verdicts import judge_attack

    others = [0.10, 0.12, 0.08, 0.11]
    band = Band.of(others)
    inside = band.high - 0.01  # within the prediction band, but less than RESOLUTION from its edge
    assert judge_attack("relearn", [inside], others, [1.0], single=True).outcome == "within"
    assert judge_attack("relearn", [inside], others, [1.0]).outcome == "inconclusive"  # as a mean over seeds
    assert judge_attack("relearn", [band.high + 0.01], others, [1.0], single=True).outcome == "beyond"
    with pytest.raises(ValueError):
        judge_attack("relearn", [0.1, 0.2], others, [1.0], single=True)
