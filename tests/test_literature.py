"""The whole literature: former titles, the exclusion list, coverage of a reference list,
and observed behaviour derived from evidence."""

from __future__ import annotations

import json

import pytest

from sokkit.catalog import load_catalog, observed_from_evidence
from sokkit.cli import main
from sokkit.models import Paper
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
    from sokkit.render import render_pages

    text = RENAMED.replace("relations:", "observed: suppression-like\nevidence:\n  - {paper: other-2023-baseline, "
                                         "indicates: suppression-like, attack: relearning, by: third-party}\nrelations:")
    mini.write("papers", "good-2024-method", text.replace("First Attempt", "First <b>Attempt</b>"))
    catalog, problems = load_catalog(mini.root)
    assert not [p for p in problems if p.severity == "error"]
    page = render_pages(catalog)["papers/good-2024-method.md"]
    assert "Previously titled:</strong> Forgetting by Ascent, a First &lt;b&gt;Attempt&lt;/b&gt;" in page
    assert "(relearning, third-party evidence)" in page
