"""Comparative claims (a spec with `than`) and the guide from evidence to decisions
(catalog/use-cases.yaml, the guide page, the use cases on a method paper's page)."""

import json
import shutil

import pytest

from sokkit.catalog.models import AuditSpec
from sokkit.claims import MACHINE_TOLERANCE, judge
from sokkit.claims.judge import Series, compare_series
from sokkit.site import build_site
from sokkit.site.pages import render_pages
from sokkit.validate import load_catalog

from conftest import CATALOG, GOOD_PAPER, ROOT

CLAIM = """\
claims:
  - id: more-robust-than-npo
    kind: {KIND}
    statement: Relearning recovers less from it than from NPO.
    source: Section 5
    audit: {AUDIT}
"""


def with_spec(audit: str, kind: str = "robust-to-attack") -> str:
    return GOOD_PAPER.replace("relations:", CLAIM.replace("{AUDIT}", audit).replace("{KIND}", kind) + "relations:")


def problems_for(mini, audit, kind="robust-to-attack"):
    mini.write("papers", "good-2024-method", with_spec(audit, kind))
    return [p for p in load_catalog(mini.root)[1] if "good-2024-method" in p.file]


@pytest.mark.parametrize("audit, kind", [
    ("{method: simnpo, than: npo, attack: relearn, expects: recovers-less}", "robust-to-attack"),
    ("{method: npo, than: rmu, attack: quant4, expects: recovers-more}", "quantization-recovers"),
    ("{method: prompting, than: grad_ascent, expects: forgets-more}", "forgetting-achieved"),
    ("{method: rmu, than: grad_ascent, expects: preserves-utility-better}", "utility-preserved"),
    ("{method: output_filter, than: grad_ascent, expects: forgets-more}", "other"),
])
def test_a_comparative_spec_validates(mini, audit, kind):
    assert problems_for(mini, audit, kind) == []


@pytest.mark.parametrize("audit, kind, field, fragment, allowed", [
    ("{method: simnpo, than: npoo, attack: relearn, expects: recovers-less}", "robust-to-attack",
     "claims[0].audit.than", "no reference implementation 'npoo'", "npo"),
    ("{method: simnpo, than: simnpo, attack: relearn, expects: recovers-less}", "robust-to-attack",
     "claims[0].audit.than", "another reference implementation", "npo"),
    ("{method: simnpo, attack: relearn, expects: recovers-less}", "robust-to-attack",
     "claims[0].audit.than", "name it with 'than", "npo"),
    ("{method: simnpo, than: npo, attack: relearn, expects: does-not-recover}", "robust-to-attack",
     "claims[0].audit.than", "takes no 'than'", "recovers-less"),
    ("{method: simnpo, than: npo, expects: recovers-less}", "robust-to-attack",
     "claims[0].audit.attack", "needs an attack", "relearn"),
    ("{method: simnpo, than: npo, attack: relearn, expects: forgets-more}", "robust-to-attack",
     "claims[0].audit.attack", "takes no attack", None),
    ("{method: simnpo, than: npo, attack: relearn, expects: recovers-more}", "robust-to-attack",
     "claims[0].audit.expects", "cannot expect 'recovers-more'", "recovers-less"),
    ("{method: simnpo, than: npo, expects: forgets-more}", "utility-preserved",
     "claims[0].audit.expects", "cannot expect 'forgets-more'", "preserves-utility-better"),
    ("{method: simnpo, than: npo, attack: relearn, expects: recovers-less}", "relearning-recovers",
     "claims[0].audit.expects", "predicts that the attack recovers", "recovers-more"),
])
def test_bad_comparative_specs_name_file_line_and_allowed(mini, audit, kind, field, fragment, allowed):
    problems = problems_for(mini, audit, kind)
    match = [p for p in problems if p.field == field and fragment in p.message]
    assert match, [p.format() for p in problems]
    assert match[0].file.endswith("good-2024-method.yaml") and match[0].line == 17  # the audit: line
    if allowed:
        assert allowed in match[0].allowed


def row(relearn, forget=(0.1, 0.1, 0.1), retain=0.95, retain_std=0.01):
    def series(values):
        mean = sum(values) / len(values)
        return {"metric": "accuracy", "mean": mean, "std": Series.of(values).spread, "per_seed": list(values),
                "oracle_mean": 0.1, "gap": mean - 0.1, "gap_std": 0.0, "threshold": 0.15}
    return {"forget_acc": sum(forget) / 3, "forget_acc_std": Series.of(forget).spread, "retain_acc": retain,
            "retain_acc_std": retain_std, "attacks": {"relearn": series(relearn), "no_attack": series(forget)}}


def audit(simnpo, npo):
    return {"settings": {"thresholds": {"no_attack": 0.15}}, "base": {"forget_acc": 1.0, "retain_acc": 1.0},
            "oracle": {"forget_acc": 0.1}, "methods": {"simnpo": simnpo, "npo": npo}}


LESS = AuditSpec(method="simnpo", than="npo", attack="relearn", expects="recovers-less")


@pytest.mark.parametrize("simnpo, npo, status", [
    ((0.20, 0.22, 0.21), (0.60, 0.62, 0.61), "reproduced"),        # clearly less
    ((0.60, 0.62, 0.61), (0.20, 0.22, 0.21), "not-reproduced"),    # clearly more
    ((0.40, 0.42, 0.41), (0.42, 0.40, 0.41), "inconclusive"),      # equal within the floor
    ((0.10, 0.60, 0.35), (0.50, 0.60, 0.55), "inconclusive"),      # apart, but the seeds disagree
])
def test_a_comparative_spec_is_judged_on_the_difference_and_its_combined_spread(simnpo, npo, status):
    got, numbers = judge(LESS, audit(row(simnpo), row(npo)))
    assert got == status
    mine, theirs = Series.of(simnpo), Series.of(npo)
    assert numbers["difference"] == pytest.approx(mine.mean - theirs.mean)
    assert numbers["spread"] == pytest.approx((mine.spread ** 2 + theirs.spread ** 2) ** 0.5)
    assert numbers["margin"] >= MACHINE_TOLERANCE and numbers["threshold"] == 0.0
    assert numbers["method_per_seed"] == list(simnpo) and numbers["than_per_seed"] == list(npo)
    # the other direction of the same comparison flips a decided status
    more = judge(AuditSpec(method="simnpo", than="npo", attack="relearn", expects="recovers-more"),
                 audit(row(simnpo), row(npo)))[0]
    assert more == {"reproduced": "not-reproduced", "not-reproduced": "reproduced"}.get(status, status)


def test_forgetting_and_utility_comparisons_and_any_per_seed_scores():
    a = audit(row((0.5,) * 3, forget=(0.05, 0.06, 0.04), retain=0.90), row((0.5,) * 3, forget=(0.4, 0.42, 0.41), retain=0.99))
    assert judge(AuditSpec(method="simnpo", than="npo", expects="forgets-more"), a)[0] == "reproduced"
    assert judge(AuditSpec(method="simnpo", than="npo", expects="preserves-utility-better"), a)[0] == "not-reproduced"
    # the same rule on other per-seed values, e.g. the calibrated audit's recovery scores
    assert compare_series(Series.of([0.1, 0.2, 0.15]), Series.of([0.8, 0.9, 0.85])) == pytest.approx((-0.7, 0.0707107))


def test_the_simnpo_claim_is_judged_as_the_paper_states_it():
    catalog, _ = load_catalog(CATALOG)
    claim = next(c for c in catalog.papers["fan-2024-simnpo"].model.claims if c.id == "simnpo-relearning-robust")
    assert (claim.audit.method, claim.audit.than, claim.audit.attack, claim.audit.expects) == \
        ("simnpo", "npo", "relearn", "recovers-less")
    committed = json.loads((CATALOG / "results" / "audit.json").read_text())
    status, numbers = judge(claim.audit, committed)
    record = next(r for r in json.loads((CATALOG / "results" / "claims.json").read_text())["claims"]
                  if r["claim"] == claim.id)
    assert record["status"] == status and record["spec"]["than"] == "npo"
    simnpo, npo = committed["methods"]["simnpo"]["attacks"]["relearn"], committed["methods"]["npo"]["attacks"]["relearn"]
    assert numbers["difference"] == pytest.approx(simnpo["mean"] - npo["mean"])


def claims_results(mini, status="reproduced"):
    results = mini.root / "results"
    results.mkdir(exist_ok=True)
    (results / "claims.json").write_text(json.dumps({"command": "sokkit verify --quick", "claims": [
        {"paper": "good-2024-method", "claim": "more-robust-than-npo", "status": status,
         "spec": {"method": "simnpo", "than": "npo", "attack": "relearn", "expects": "recovers-less"},
         "numbers": {"difference": -0.4, "spread": 0.02, "threshold": 0.0, "margin": 0.05}}]}))


def test_a_comparative_result_is_shown_with_both_methods(mini):
    mini.write("papers", "good-2024-method", with_spec("{method: simnpo, than: npo, attack: relearn, expects: recovers-less}"))
    claims_results(mini)
    catalog, problems = load_catalog(mini.root)
    assert problems == []
    pages = render_pages(catalog)
    paper = pages["papers/good-2024-method.md"]
    assert "simnpo compared with npo, relearn, expects recovers-less" in paper
    assert "-0.40 ± 0.05 (simnpo − npo, threshold 0.00)" in paper
    assert "simnpo <em>than</em> npo" in pages["claims.md"] and "(simnpo − npo, threshold 0.00)" in pages["claims.md"]


# --- use cases and the guide --------------------------------------------------------

SUPPRESSED = ("observed: suppression-like\nevidence:\n"
              "  - {paper: other-2023-baseline, indicates: suppression-like, attack: relearning}\n")
REMOVED = ("observed: removal-like\nevidence:\n  - {paper: other-2023-baseline, indicates: removal-like}\n"
           "claims:\n  - {id: a, kind: forgetting-achieved, statement: It forgets., source: Abstract}\n"
           "  - {id: b, kind: utility-preserved, statement: It keeps the rest., source: Abstract}\n")


def with_use_cases(mini, extra=""):
    shutil.copy(CATALOG / "use-cases.yaml", mini.root / "use-cases.yaml")
    mini.write("papers", "good-2024-method", GOOD_PAPER.replace("relations:", extra + "relations:"))
    catalog, problems = load_catalog(mini.root)
    assert problems == [], [p.format() for p in problems]
    return catalog


def section(page: str, heading: str) -> str:
    start = page.index(heading)
    end = page.find("<h2", start + 1)
    return page[start:end if end > 0 else None]


def test_the_guide_is_built_from_use_cases_and_changes_with_observed_behaviour(mini):
    untested = render_pages(with_use_cases(mini))
    guide = untested["guide.md"]
    assert "An open-weight model must not contain it" in guide  # labels from use-cases.yaml
    assert "Cannot be brought back from the weights" in guide and "Gradient ascent" in guide  # properties, taxonomy
    open_weight = section(guide, 'id="use-case-open-weight-release"')
    assert "<h3>Fail (0)</h3>" in open_weight and "<summary>Untested (1)</summary>" in open_weight

    suppressed = render_pages(with_use_cases(mini, SUPPRESSED))
    open_weight = section(suppressed["guide.md"], 'id="use-case-open-weight-release"')
    assert "<h3>Fail (1)</h3>" in open_weight and "relearning: suppression-like" in open_weight
    assert 'href="../papers/other-2023-baseline/"' in open_weight  # the attack paper it rests on
    assert "fail 1" in suppressed["guide.md"].split("<h2", 1)[0]  # the matrix
    page = suppressed["papers/good-2024-method.md"]
    assert "## Use cases" in page and "unfit for" in page and "guide/#use-case-open-weight-release" in page

    removed = render_pages(with_use_cases(mini, REMOVED))
    open_weight = section(removed["guide.md"], 'id="use-case-open-weight-release"')
    assert "<h3>Meet (1)</h3>" in open_weight and "<h3>Fail (0)</h3>" in open_weight
    assert "fit for" in removed["papers/good-2024-method.md"]


def test_audit_statements_carry_the_audit_caveat_and_link_the_results(mini):
    results = mini.root / "results"
    results.mkdir()
    base = {"forget_acc": 1.0, "retain_acc": 1.0}
    (results / "audit.json").write_text(json.dumps({"base": base, "oracle": base, "settings": {}, "methods": {
        "npo": {"forget_acc": 0.1, "retain_acc": 1.0, "attacks": ["no_attack", "paraphrase", "membership"],
                "recovered_by": ["membership"], "verdict": "suppression-like"}}}))
    catalog = with_use_cases(mini, "observed: untested\nevidence:\n  - {audit: npo, indicates: untested}\n")
    erasure = section(render_pages(catalog)["guide.md"], 'id="use-case-personal-data-erasure"')
    caveat = catalog.use_cases.model.audit_caveat
    assert "recovers it by membership" in erasure and 'href="../audit/"' in erasure
    assert caveat and caveat.split(":")[0] in erasure


def test_no_use_cases_file_means_no_guide_page(mini, tmp_path):
    catalog, problems = load_catalog(mini.root)
    assert problems == [] and catalog.use_cases is None
    pages = render_pages(catalog)
    assert "guide.md" not in pages and "## Use cases" not in pages["papers/good-2024-method.md"]
    build_site(catalog, tmp_path / "site", docs_dir=ROOT / "docs", config=ROOT / "mkdocs.yml")


@pytest.mark.parametrize("edit, line, field, fragment", [
    (lambda t: t.replace("requires: [stops-output, keeps-utility]", "requires: [stops-output, keeps-utilty]", 1),
     None, "use_cases.hosted-model.requires[1]", "no property 'keeps-utilty'"),
    (lambda t: t.replace("    observed: true\n", "    observed: true\n    weight: 2\n", 1), None, "", "unknown key 'weight'"),
    (lambda t: t.replace("audit_attacks: [membership]", "audit_attacks: [membershp]"), None,
     "properties.leaves-no-trace.audit_attacks[0]", "no audit attack 'membershp'"),
    (lambda t: t.replace("claim_kinds: [utility-preserved]", "claim_kinds: [utility-kept]"), None, "", "unknown claim_kind"),
    (lambda t: t + "use_cases: {}\n", None, "", "duplicate"),
])
def test_a_bad_use_cases_file_is_an_error_with_file_and_line(mini, edit, line, field, fragment):
    text = edit((CATALOG / "use-cases.yaml").read_text())
    (mini.root / "use-cases.yaml").write_text(text)
    catalog, problems = load_catalog(mini.root)
    match = [p for p in problems if fragment in p.message and p.file.endswith("use-cases.yaml")]
    assert match, [p.format() for p in problems]
    assert match[0].severity == "error" and match[0].line > 1
    if field:
        assert match[0].field == field
    # the line named is where the mistake is
    bad_line = text.splitlines()[match[0].line - 1]
    assert any(word in bad_line for word in ("keeps-utilty", "weight", "membershp", "utility-kept", "use_cases"))


def test_the_site_with_the_guide_builds_strictly_with_its_links_checked(mini, tmp_path):
    shutil.copy(CATALOG / "use-cases.yaml", mini.root / "use-cases.yaml")
    spec = with_spec("{method: simnpo, than: npo, attack: relearn, expects: recovers-less}")
    mini.write("papers", "good-2024-method", spec.replace("claims:", SUPPRESSED + "claims:"))
    claims_results(mini)
    catalog, problems = load_catalog(mini.root)
    assert problems == [] and catalog.use_cases is not None, [p.format() for p in problems]
    out = tmp_path / "site"
    build_site(catalog, out, docs_dir=ROOT / "docs", config=ROOT / "mkdocs.yml")  # mkdocs --strict, links checked
    guide = (out / "guide" / "index.html").read_text()
    assert 'id="use-case-open-weight-release"' in guide
    assert "guide/" in (out / "index.html").read_text()  # in the navigation
