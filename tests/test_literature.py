"""The whole literature: former titles, the exclusion list, coverage of a reference list,
and observed behaviour derived from evidence."""

from __future__ import annotations

import json

import pytest

from sokkit.catalog import observed_from_evidence
from sokkit.validate import load_catalog
from sokkit.cli import main
from sokkit.catalog.models import Paper
from sokkit.stats import ReferencePaper, coverage

from conftest import CATALOG, GOOD_PAPER

RENAMED = GOOD_PAPER.replace('title: "A Method That Forgets"',
                             'title: "A Method That Forgets"\nformer_titles: ["Forgetting by Ascent, a First Attempt"]')


def messages(mini):
    _, problems = load_catalog(mini.root)
    return [p for p in problems if p.severity == "error"]


def test_a_second_entry_under_a_former_title_is_a_duplicate(mini):
    mini.write("papers", "good-2024-method", RENAMED)
    assert messages(mini) == []
    mini.write("papers", "zz-2024-copy", GOOD_PAPER.replace('"2404.01234"', '"2404.09999"')
               .replace("A Method That Forgets", "Forgetting by ascent: a first attempt"))
    [p] = messages(mini)
    assert p.file.endswith("zz-2024-copy.yaml") and "same title as" in p.message
    assert "good-2024-method.yaml:3" in p.message  # the line of the former title it matches


def test_a_former_title_equal_to_the_current_one_up_to_case_is_not_a_self_duplicate(mini):
    mini.write("papers", "good-2024-method", GOOD_PAPER.replace(
        'title: "A Method That Forgets"', 'title: "A Method That Forgets"\nformer_titles: ["A METHOD THAT FORGETS"]'))
    assert messages(mini) == []


def test_import_bib_recognises_papers_cited_under_their_first_titles(mini, tmp_path, capsys):
    """Two papers renamed on arXiv, cited by their first titles without arXiv ids."""
    mini.write("papers", "good-2024-method", RENAMED)
    mini.write("papers", "zz-2024-second", GOOD_PAPER.replace('"2404.01234"', '"2402.10052"')
               .replace('title: "A Method That Forgets"', 'title: "Current Title of the Second"\n'
                                                           'former_titles: ["Unlearning Reveals the Influential Training Data"]'))
    bib = tmp_path / "old.bib"
    bib.write_text("@article{a, title={Forgetting by Ascent, a First Attempt}, author={Lovelace, Ada}, year={2024}}\n\n"
                   "@article{b, title={Unlearning Reveals the {Influential} Training Data}, author={Hopper, Grace}, year={2024}}\n")
    before = sorted(p.name for p in (mini.root / "papers").iterdir())
    main(["import-bib", str(bib), "--catalog", str(mini.root)])
    out = capsys.readouterr().out
    assert "already in the catalog as good-2024-method (same title)" in out
    assert "already in the catalog as zz-2024-second (same title)" in out
    assert sorted(p.name for p in (mini.root / "papers").iterdir()) == before


EXCLUDED = """\
excluded:
  - title: "An Image Classifier Paper"
    arxiv: "2501.00001"
    reason: "About image classifiers, not language models."
"""


def test_the_exclusion_list_is_validated(mini):
    (mini.root / "excluded.yaml").write_text(EXCLUDED)
    catalog, problems = load_catalog(mini.root)
    assert problems == [] and catalog.exclusions[0].arxiv == "2501.00001"
    (mini.root / "excluded.yaml").write_text(EXCLUDED.replace("    reason:", "    why:"))
    found = messages(mini)
    assert all(p.file.endswith("excluded.yaml") for p in found)
    assert any(p.line == 4 and "why" in p.field for p in found) and any("reason" in p.field for p in found)
    (mini.root / "excluded.yaml").write_text(EXCLUDED.replace('"2501.00001"', '"2404.01234"'))
    [p] = messages(mini)
    assert "the catalog has it as 'good-2024-method'" in p.message and p.line == 2
    (mini.root / "excluded.yaml").write_text(EXCLUDED + EXCLUDED.split("\n", 1)[1].replace("2501.00001", "2501.00002"))
    [p] = messages(mini)
    assert "same title as excluded[0]" in p.message


def test_coverage_counts_covered_excluded_and_missing_per_section(mini):
    mini.write("papers", "good-2024-method", RENAMED)
    (mini.root / "excluded.yaml").write_text(EXCLUDED)
    catalog, _ = load_catalog(mini.root)
    ref = [ReferencePaper("", "Forgetting by ascent: a first attempt", "2024"),  # a former title
           ReferencePaper("2301.00001", "Anything", "2023"),                      # by arXiv id
           ReferencePaper("2501.00001", "An Image Classifier Paper", "2025"),     # excluded
           ReferencePaper("2502.00002", "Not Here", "2025")]
    cov = coverage(catalog, ref)
    assert (cov["in_catalog"], cov["excluded"], cov["reference_papers"]) == (2, 1, 4)
    assert cov["by_section"]["2025"] == {"rows": 2, "covered": 0, "excluded": 1, "missing": 1}
    assert cov["missing"] == [{"arxiv": "2502.00002", "title": "Not Here", "section": "2025"}]


def test_stats_lists_the_missing_rows(mini, tmp_path, capsys):
    tsv = tmp_path / "ref.tsv"
    tsv.write_text("arxiv\ttitle\tlisted_under\n2404.01234\tA Method That Forgets\t2024\n2509.99999\tGone Paper\t2025\n")
    assert main(["stats", "--reference", str(tsv), "--catalog", str(mini.root)]) == 0
    out = capsys.readouterr().out
    assert "1 of 2 papers" in out and "2509.99999     Gone Paper" in out


def _paper(evidence: list[str]) -> Paper:
    return Paper.model_validate({
        "title": "T", "authors": ["A"], "year": 2024, "review": {"status": "draft"},
        "evidence": [{"paper": f"p-2024-{i}", "indicates": v} for i, v in enumerate(evidence)]},
        context={"taxonomy": None})


@pytest.mark.parametrize("evidence, observed", [
    ([], "untested"),
    (["suppression-like"], "suppression-like"),
    (["suppression-like", "suppression-like"], "suppression-like"),
    (["removal-like"], "removal-like"),
    (["removal-like", "suppression-like"], "contested"),
    (["contested", "suppression-like"], "contested"),
])
def test_observed_behaviour_follows_from_the_evidence(evidence, observed):
    assert observed_from_evidence(_paper(evidence)) == observed


def test_validate_refuses_an_observed_behaviour_its_evidence_does_not_support(mini):
    text = GOOD_PAPER.replace("relations:", "observed: removal-like\nevidence:\n"
                                            "  - {paper: other-2023-baseline, indicates: suppression-like, by: third-party}\nrelations:")
    mini.write("papers", "good-2024-method", text)
    [p] = messages(mini)
    assert p.field == "observed" and "gives 'suppression-like'" in p.message and "rule:" in p.message
    mini.write("papers", "good-2024-method", text.replace("observed: removal-like", "observed: suppression-like"))
    assert messages(mini) == []


def test_the_shipped_catalog_accounts_for_its_reference_list():
    """Each exclusion names a reason, and no excluded paper is also an entry (validate)."""
    catalog, problems = load_catalog(CATALOG)
    assert not [p for p in problems if p.severity == "error"]
    assert catalog.exclusions and all(len(x.reason) > 20 for x in catalog.exclusions)
    assert len(catalog.papers) >= 550


def test_paper_page_shows_former_titles_and_whose_evidence_it_is(mini):
    from sokkit.site.pages import render_pages

    text = RENAMED.replace("relations:", "observed: suppression-like\nevidence:\n  - {paper: other-2023-baseline, "
                                         "indicates: suppression-like, attack: relearning, by: third-party}\nrelations:")
    mini.write("papers", "good-2024-method", text.replace("First Attempt", "First <b>Attempt</b>"))
    catalog, problems = load_catalog(mini.root)
    assert not [p for p in problems if p.severity == "error"]
    page = render_pages(catalog)["papers/good-2024-method.md"]
    assert "Previously titled:</strong> Forgetting by Ascent, a First &lt;b&gt;Attempt&lt;/b&gt;" in page
    assert "(relearning, third-party evidence)" in page


def test_recently_added_and_the_atom_feed_follow_the_dates_entries_entered_the_catalog(mini):
    import xml.etree.ElementTree as ET

    from sokkit.site.pages import render_pages

    mini.write("papers", "good-2024-method", GOOD_PAPER.replace("A Method That Forgets", "Forgets <script>x</script> & more"))
    catalog, _ = load_catalog(mini.root)
    assert "feed.xml" not in render_pages(catalog)  # no history known: no feed, and no crash
    pages = render_pages(catalog, {"good-2024-method": "2026-11-02T10:00:00+00:00",
                                   "other-2023-baseline": "2026-11-01T10:00:00+00:00", "gone-2020-x": "2026-12-01T00:00:00+00:00"})
    home = pages["index.md"]
    assert home.index("good-2024-method") < home.index("other-2023-baseline") and "added 2026-11-02" in home
    feed = ET.fromstring(pages["feed.xml"])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert titles == ["Forgets <script>x</script> & more", "A Baseline"]  # parsed back: escaped, not markup
    assert feed.findtext("a:updated", namespaces=ns) == "2026-11-02T10:00:00+00:00"
    assert feed.find("a:entry/a:link", ns).get("href") == "papers/good-2024-method/"


def test_added_dates_come_from_the_commit_that_added_each_file(tmp_path):
    import subprocess

    from sokkit.site.history import added_dates

    root = tmp_path / "repo" / "catalog"
    (root / "papers").mkdir(parents=True)
    assert added_dates(root) == {}  # not a git checkout
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
           "PATH": __import__("os").environ["PATH"]}
    git = lambda *a, when: subprocess.run(["git", "-C", str(root.parent), *a], check=True, capture_output=True,  # noqa: E731
                                          env={**env, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when})
    git("init", "-q", when="2026-01-01T00:00:00Z")
    (root / "papers" / "a-2024-x.yaml").write_text("x")
    git("add", ".", when="2026-01-01T00:00:00Z")
    git("commit", "-qm", "a", when="2026-01-01T00:00:00Z")
    (root / "papers" / "a-2024-x.yaml").write_text("y")
    (root / "papers" / "b-2024-y.yaml").write_text("x")
    git("add", ".", when="2026-02-01T00:00:00Z")
    git("commit", "-qm", "b", when="2026-02-01T00:00:00Z")
    dates = added_dates(root)
    assert dates["a-2024-x"].startswith("2026-01-01") and dates["b-2024-y"].startswith("2026-02-01")


METADATA_ONLY = """\
title: "A Paper Whose Abstract Nobody Could Read"
authors: [Ada Lovelace]
year: 2026
roles: [method]
summary: "Title only: announces a method; the abstract was not available to this catalog."
review:
  status: metadata-only
  checked: [reference-list]
"""


def test_a_metadata_only_entry_needs_no_classification_and_may_not_carry_claims_or_one(mini):
    mini.write("papers", "lovelace-2026-unread", METADATA_ONLY)
    _, problems = load_catalog(mini.root)
    assert [p.format() for p in problems if "lovelace-2026-unread" in p.file] == []
    claimed = METADATA_ONLY + ("claims:\n  - {id: x, kind: forgetting-achieved, statement: It forgets., "
                               "source: Abstract}\n")
    mini.write("papers", "lovelace-2026-unread", claimed)
    assert any("no claims" in p.message for p in messages(mini))
    classified = METADATA_ONLY.replace("roles: [method]", "roles: [method]\nintention: removal\ntechnique: [gradient-ascent]")
    mini.write("papers", "lovelace-2026-unread", classified)
    assert any("not classified" in p.message and p.field == "intention" for p in messages(mini))
    # The same entry as provisional must be classified.
    mini.write("papers", "lovelace-2026-unread", METADATA_ONLY.replace("metadata-only", "provisional"))
    assert {p.field for p in messages(mini)} >= {"intention", "technique", "rationale"}


def test_every_row_of_the_reference_list_is_an_entry_or_an_exclusion():
    from sokkit.stats import DEFAULT_REFERENCE, read_reference

    if not (CATALOG.parent / DEFAULT_REFERENCE).is_file():
        pytest.skip("the reference list lies outside the project (../shared) and is absent here")
    catalog, _ = load_catalog(CATALOG)
    result = coverage(catalog, read_reference(CATALOG.parent / DEFAULT_REFERENCE))
    assert result["missing"] == []


def test_the_committed_coverage_matches_the_reference_list_where_it_is_present(tmp_path, capsys):
    from sokkit.stats import DEFAULT_REFERENCE

    reference = CATALOG.parent / DEFAULT_REFERENCE
    if not reference.is_file():
        pytest.skip("the reference list lies outside the project (../shared) and is absent here")
    committed = json.loads((CATALOG / "results" / "coverage.json").read_text())
    assert main(["stats", "--catalog", str(CATALOG), "--reference", str(reference), "--format", "json"]) == 0
    fresh = json.loads(capsys.readouterr().out)["reference_coverage"]
    assert {k: v for k, v in committed.items() if k != "reference"} == fresh, "rerun sokkit stats --save-coverage"


def test_home_page_shows_the_committed_coverage(mini):
    from sokkit.site.pages import render_pages

    results = mini.root / "results"
    results.mkdir()
    (results / "coverage.json").write_text(json.dumps({
        "reference": "list<script>.tsv", "reference_papers": 10, "in_catalog": 7, "excluded": 1,
        "by_section": {"2025": {"rows": 10, "covered": 7, "excluded": 1, "missing": 2}}, "missing": []}))
    catalog, problems = load_catalog(mini.root)
    assert not [p for p in problems if p.severity == "error"]
    home = render_pages(catalog)["index.md"]
    assert "the catalog holds <strong>7</strong> (70%)" in home and "<strong>2</strong> are still missing" in home
    assert "list&lt;script&gt;.tsv" in home and "<script>" not in home
    (results / "coverage.json").write_text('{"reference_papers": "many"}')
    _, problems = load_catalog(mini.root)
    assert any("coverage.json" in p.file for p in problems)


def test_every_shipped_method_attack_and_evaluation_paper_carries_a_claim():
    catalog, _ = load_catalog(CATALOG)
    lacking = [pid for pid, e in catalog.papers.items()
               if set(e.model.roles) & {"method", "attack", "evaluation"} and not e.model.claims
               and e.model.review.status not in ("draft", "metadata-only")]
    assert lacking == []
