"""Claims checkable by code: spec validation, judging audit numbers, verify's bookkeeping."""

import json

import pytest

from sokkit.claims import verify as verify_module
from sokkit.validate import load_catalog
from sokkit.claims import MACHINE_TOLERANCE, judge
from sokkit.cli import main
from sokkit.catalog.models import AuditSpec
from sokkit.site.pages import render_pages

from conftest import GOOD_PAPER

CLAIM = """\
claims:
  - id: relearning-brings-it-back
    kind: relearning-recovers
    statement: Relearning on part of the forget set recovers the rest.
    source: Section 5
    audit: {AUDIT}
"""


def with_spec(audit: str) -> str:
    return GOOD_PAPER.replace("relations:", CLAIM.replace("{AUDIT}", audit) + "relations:")


def problems_for(mini, audit):
    mini.write("papers", "good-2024-method", with_spec(audit))
    return [p for p in load_catalog(mini.root)[1] if "good-2024-method" in p.file]


def test_valid_spec_passes(mini):
    assert problems_for(mini, "{method: npo, attack: relearn, expects: recovers}") == []


@pytest.mark.parametrize(
    "audit, field, fragment, allowed",
    [
        ("{method: npoo, attack: relearn, expects: recovers}", "claims[0].audit.method", "no reference implementation 'npoo'", "npo"),
        ("{method: npo, attack: relarn, expects: recovers}", "claims[0].audit.attack", "no audit attack 'relarn'", "relearn"),
        ("{method: npo, expects: recovers}", "claims[0].audit.attack", "needs an attack", "relearn"),
        ("{method: npo, attack: probe, expects: recovers}", "claims[0].audit.attack", "tested by another attack", "relearn"),
        ("{method: npo, attack: relearn, expects: forgets}", "claims[0].audit.attack", "takes no attack", None),
    ],
)
def test_bad_specs_name_line_and_allowed(mini, audit, field, fragment, allowed):
    problems = problems_for(mini, audit)
    match = [p for p in problems if p.field == field and fragment in p.message]
    assert match, [p.format() for p in problems]
    assert match[0].line == 17  # the audit: line
    if allowed:
        assert allowed in match[0].allowed


ORACLES = {"relearn": [0.08, 0.10, 0.12, 0.09, 0.11], "no_attack": [0.03, 0.00, 0.06, 0.03, 0.03]}


def attack_record(name, values, oracle=None):
    """An attack's record as the calibrated audit writes it (judged by the real rule)."""
    import statistics

    from reference_impls.verdicts import judge_attack

    oracle = oracle or ORACLES[name]
    mean = statistics.fmean(values)
    return {"metric": "accuracy", "mean": mean, "std": statistics.stdev(values), "per_seed": list(values),
            "oracle_mean": statistics.fmean(oracle), "oracle_values": oracle, "gap": mean - statistics.fmean(oracle),
            "gap_std": statistics.stdev(values), **judge_attack(name, values, oracle, [1.0, 1.0, 1.0]).as_dict()}


def audit_result(relearn=(0.10, 0.11, 0.09), forget=(0.05, 0.04, 0.06), base_retain=1.0, retain=0.99, retain_std=0.01):
    import statistics

    return {
        "settings": {"quick": True},
        "base": {"forget_acc": 1.0, "retain_acc": base_retain},
        "oracle": {"forget_acc": 0.03, "retain_acc": 1.0},
        "methods": {"npo": {"forget_acc": statistics.fmean(forget), "forget_acc_std": statistics.stdev(forget),
                            "retain_acc": retain, "retain_acc_std": retain_std,
                            "attacks": {"relearn": attack_record("relearn", list(relearn)),
                                        "no_attack": attack_record("no_attack", list(forget))}}},
    }


@pytest.mark.parametrize(
    "relearn, expects, status",
    [
        ((0.50, 0.52, 0.48), "recovers", "reproduced"),
        ((0.10, 0.11, 0.09), "recovers", "not-reproduced"),
        ((0.10, 0.30, 0.50), "recovers", "inconclusive"),   # the interval straddles the band's edge
        ((0.10, 0.11, 0.09), "does-not-recover", "reproduced"),
        ((0.50, 0.52, 0.48), "does-not-recover", "not-reproduced"),
        ((0.10, 0.30, 0.50), "does-not-recover", "inconclusive"),
        # just above the band with no spread: the resolution floor keeps it from counting
        ((0.17, 0.17, 0.17), "recovers", "inconclusive"),
    ],
)
def test_judging_attack_claims_uses_the_audits_outcome_against_the_null(relearn, expects, status):
    spec = AuditSpec(method="npo", attack="relearn", expects=expects)
    got, numbers = judge(spec, audit_result(relearn=relearn))
    assert got == status
    assert numbers["null_low"] < numbers["oracle"] < numbers["null_high"]
    assert numbers["method_low"] <= numbers["method"] <= numbers["method_high"]
    assert numbers["outcome"] in ("beyond", "within", "inconclusive")


def test_a_method_that_did_not_forget_leaves_recovery_claims_untested():
    result = audit_result(relearn=(0.9, 0.92, 0.88), forget=(0.6, 0.62, 0.58))
    result["methods"]["npo"]["verdict"] = "not-forgotten"
    for expects in ("recovers", "does-not-recover"):
        status, numbers = judge(AuditSpec(method="npo", attack="relearn", expects=expects), result)
        assert status == "inconclusive" and "did not forget" in numbers["note"]
    assert judge(AuditSpec(method="npo", expects="forgets"), result)[0] == "not-reproduced"


def test_judging_forgetting_and_utility():
    forgets = AuditSpec(method="npo", expects="forgets")
    assert judge(forgets, audit_result(forget=(0.05, 0.03, 0.04)))[0] == "reproduced"
    assert judge(forgets, audit_result(forget=(0.6, 0.62, 0.58)))[0] == "not-reproduced"
    # "lowers" is weaker than "forgets": a drop from the base model (1.0) is enough
    reduces = AuditSpec(method="npo", expects="reduces")
    assert judge(reduces, audit_result(forget=(0.6, 0.6, 0.6)))[0] == "reproduced"
    assert judge(reduces, audit_result(forget=(0.95, 0.95, 0.95)))[0] == "not-reproduced"
    assert judge(reduces, audit_result(forget=(0.83, 0.83, 0.83)))[0] == "inconclusive"
    assert judge(reduces, audit_result(forget=(0.6, 0.6, 0.6)))[1]["difference"] == pytest.approx(0.4)
    utility = AuditSpec(method="npo", expects="preserves-utility")
    assert judge(utility, audit_result(retain=0.98))[0] == "reproduced"
    assert judge(utility, audit_result(retain=0.5))[0] == "not-reproduced"


def test_verify_reuses_identical_settings_and_checks_drift(mini, monkeypatch, capsys):
    mini.write("papers", "good-2024-method", with_spec("{method: npo, attack: relearn, expects: recovers}"))
    runs = []

    def fake_run(methods, quick, seeds, log=print):
        runs.append(methods)
        result = audit_result(relearn=(0.5, 0.52, 0.48) if len(runs) < 3 else (0.10, 0.11, 0.09))
        result["settings"] = {**result["settings"], "quick": quick, "methods": methods}
        result["seeds"] = list(range(seeds))
        return result

    monkeypatch.setattr(verify_module, "run_audit", fake_run)
    monkeypatch.setattr(verify_module, "settings_now", lambda m, q, s: {"quick": q, "methods": m})
    monkeypatch.setattr(verify_module, "write_audit", lambda catalog, audit: (mini.root / "results").mkdir(exist_ok=True) or
                        (mini.root / "results" / "audit.json").write_text(json.dumps(audit)))
    assert main(["verify", "--quick", "--catalog", str(mini.root)]) == 0
    assert "reproduced" in capsys.readouterr().out
    saved = json.loads((mini.root / "results" / "claims.json").read_text())
    record = saved["claims"][0]
    assert (record["paper"], record["claim"], record["status"]) == ("good-2024-method", "relearning-brings-it-back", "reproduced")
    assert saved["command"] == "sokkit verify --quick" and saved["seeds"] == [0, 1, 2] and saved["date"]
    # identical settings: the committed audit is reused, nothing reruns
    assert main(["verify", "--quick", "--catalog", str(mini.root)]) == 0
    assert len(runs) == 1
    # --check reruns; the same numbers match
    assert main(["verify", "--check", "--catalog", str(mini.root)]) == 0
    # a rerun whose result moved beyond the spread is reported and exits 1
    assert main(["verify", "--check", "--catalog", str(mini.root)]) == 1
    assert "drift: good-2024-method:relearning-brings-it-back" in capsys.readouterr().out


def _claims(*rows):
    return {"claims": [{"paper": "p", "claim": c, "status": st, "numbers": {"difference": d, "spread": 0.0, "margin": 0.1}}
                       for c, st, d in rows]}


def test_compare_is_exact_on_the_same_machine_and_tolerant_elsewhere():
    committed = _claims(("a", "reproduced", 0.40), ("b", "inconclusive", 0.20), ("c", "reproduced", 0.40))
    fresh = _claims(("a", "reproduced", 0.40001), ("b", "reproduced", 0.30), ("c", "not-reproduced", 0.0))
    failures, notes = verify_module.compare(committed, fresh, same_machine=True)
    assert [f.split(":")[1] for f in failures] == ["a", "b", "c"]  # any change at all, on the same machine
    failures, notes = verify_module.compare(committed, fresh, same_machine=False)
    assert [f.split(":")[1] for f in failures] == ["c"]  # only the contradiction
    assert any(n.startswith("p:b: inconclusive before, reproduced now") for n in notes)
    assert any("p:c: difference 0.000 is more than the margin 0.100" in n for n in notes)
    assert verify_module.compare(committed, committed, same_machine=True) == ([], [])


def test_a_committed_status_edited_by_hand_fails_the_check_on_any_machine():
    from conftest import CATALOG
    from sokkit.claims import checkable_claims

    catalog, _ = load_catalog(CATALOG)
    audit, claims = verify_module.load_results(catalog)
    specs = checkable_claims(catalog)
    assert verify_module.consistency(specs, audit, claims) == []
    for new in ("reproduced", "not-reproduced", "inconclusive"):
        edited = json.loads(json.dumps(claims))
        record = next(r for r in edited["claims"] if r["status"] != new)
        record["status"] = new
        problems = verify_module.consistency(specs, audit, edited)
        assert len(problems) == 1 and problems[0].startswith(f"{record['paper']}:{record['claim']}: committed as {new}")


def test_committed_results_record_the_machine_and_the_tolerance_covers_measured_variation():
    from conftest import CATALOG

    audit = json.loads((CATALOG / "results" / "audit.json").read_text())
    claims = json.loads((CATALOG / "results" / "claims.json").read_text())
    for key in verify_module.MACHINE_KEYS:
        assert audit["versions"].get(key) not in (None, ""), key
    assert claims["machine_tolerance"] == MACHINE_TOLERANCE
    assert {m["source"] for m in audit["models"].values()} == {"shipped"}
    variation = json.loads((CATALOG / "results" / "variation.json").read_text())
    assert variation["runs"] and len({json.dumps(r["machine"], sort_keys=True) for r in variation["runs"]}) >= 2
    assert MACHINE_TOLERANCE >= variation["max_abs_difference"] > 0


def test_site_shows_claim_status(mini):
    mini.write("papers", "good-2024-method", with_spec("{method: npo, attack: relearn, expects: recovers}"))
    results = mini.root / "results"
    results.mkdir()
    (results / "claims.json").write_text(json.dumps({"command": "sokkit verify --quick", "code_version": "abc", "date": "2026-11-27",
        "seeds": [0, 1], "claims": [{"paper": "good-2024-method", "claim": "relearning-brings-it-back", "status": "reproduced",
        "spec": {"method": "npo", "attack": "relearn", "expects": "recovers"},
        "numbers": {"difference": 0.5, "spread": 0.05, "threshold": 0.15}}]}))
    catalog, _ = load_catalog(mini.root)
    pages = render_pages(catalog)
    assert "sokkit-reproduced" in pages["papers/good-2024-method.md"] and "+0.50 ± 0.05" in pages["papers/good-2024-method.md"]
    assert "reproduced: 1" in pages["claims.md"] and "sokkit verify --quick" in pages["claims.md"]


def test_shipped_results_cover_every_spec_and_verify_check_reproduces_them():
    """The done-criterion of checkable claims: a rerun on the shipped checkpoints agrees
    with the committed statuses (exactly on the machine that made them; without a
    reproduced/not-reproduced contradiction elsewhere)."""
    import os
    import subprocess
    import sys

    from conftest import CATALOG, ROOT
    from sokkit.claims import checkable_claims

    results = CATALOG / "results" / "claims.json"
    catalog, _ = load_catalog(CATALOG)
    recorded = {(r["paper"], r["claim"]) for r in json.loads(results.read_text())["claims"]}
    assert {(c.paper, c.claim.id) for c in checkable_claims(catalog)} == recorded
    assert len(recorded) >= 20
    env = {k: v for k, v in os.environ.items() if k != "SOKKIT_TOY_WORLD"}  # the default world, as committed
    run = subprocess.run([sys.executable, "-m", "sokkit", "verify", "--check"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=3000)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "agrees with the committed results" in run.stderr
    assert "machine" in run.stderr  # it says whether it runs where the results were made


OBSERVED = GOOD_PAPER.replace("relations:", "observed: suppression-like\nevidence:\n{EVIDENCE}relations:")


@pytest.mark.parametrize(
    "evidence, fragment, allowed",
    [
        ("  - {audit: npoo, indicates: suppression-like}\n", "no reference implementation 'npoo'", "npo"),
        ("  - {audit: npo, paper: other-2023-baseline, indicates: suppression-like}\n", "either a 'paper' or an 'audit'", None),
        ("  - {indicates: suppression-like}\n", "either a 'paper' or an 'audit'", None),
    ],
)
def test_audit_evidence_is_checked(mini, evidence, fragment, allowed):
    mini.write("papers", "good-2024-method", OBSERVED.replace("{EVIDENCE}", evidence))
    problems = [p for p in load_catalog(mini.root)[1] if "good-2024-method" in p.file]
    match = [p for p in problems if fragment in p.message]
    assert match and match[0].field.startswith("evidence[0]") and match[0].line == 14, [p.format() for p in problems]
    if allowed:
        assert allowed in match[0].allowed


def test_audit_evidence_renders_with_the_toy_world_verdict(mini):
    mini.write("papers", "good-2024-method", OBSERVED.replace("{EVIDENCE}", "  - {audit: npo, indicates: suppression-like}\n"))
    results = mini.root / "results"
    results.mkdir()
    row = {"forget_acc": 0.1, "retain_acc": 1.0, "recovered_by": [], "verdict": "removal-like"}
    (results / "audit.json").write_text(json.dumps({"base": row, "oracle": row, "seeds": [0], "settings": {},
        "methods": {"npo": {**row, "intention": "removal", "verdict": "suppression-like", "recovered_by": ["relearn"]}}}))
    catalog, problems = load_catalog(mini.root)
    assert problems == []
    page = render_pages(catalog)["papers/good-2024-method.md"]
    assert "Intention audit of the npo reference implementation</a> (toy world: suppression-like)" in page
