import re
import json

from sokkit.validate import load_catalog
from sokkit.cli import main
from sokkit.stats import ReferencePaper, catalog_stats, coverage


def test_counts_follow_taxonomy_order_and_show_gaps(mini):
    catalog, _ = load_catalog(mini.root)
    stats = catalog_stats(catalog)
    assert stats["papers"] == 2 and stats["with_arxiv_id"] == 2
    assert list(stats["by_intention"])[:2] == ["removal", "suppression"]
    assert stats["by_intention"] == {"removal": 1, "suppression": 0, "none": 1}
    assert stats["by_technique"]["gradient-ascent"] == 1 and stats["by_technique"]["distillation"] == 0
    assert stats["by_review"] == {"draft": 1, "metadata-only": 0, "provisional": 0, "reviewed": 1}
    assert stats["by_year"] == {"2023": 1, "2024": 1}
    # the method paper links to the baseline, so nothing is unlinked
    assert stats["method_papers_without_links"] == []


def test_reference_coverage_matches_by_arxiv_id_or_title(mini):
    catalog, _ = load_catalog(mini.root)
    reference = [
        ReferencePaper("2404.01234", "whatever"),
        ReferencePaper("", "A BASELINE"),
        ReferencePaper("2501.00001", "Not in the catalog"),
    ]
    got = coverage(catalog, reference)
    assert (got["reference_papers"], got["in_catalog"], got["share"], got["excluded"]) == (3, 2, 0.667, 0)
    assert [m["arxiv"] for m in got["missing"]] == ["2501.00001"]


def test_stats_command_text_and_json(mini, tmp_path, capsys):
    ref = tmp_path / "ref.tsv"
    ref.write_text("arxiv\ttitle\n2404.01234\tA Method That Forgets\n2501.00001\tOther\n")
    assert main(["stats", "--catalog", str(mini.root), "--reference", str(ref)]) == 0
    out = capsys.readouterr().out
    assert "2 papers (2 with an arXiv id)" in out and "reference list coverage: 1 of 2 papers (50.0%)" in out
    assert re.search(r"^  suppression +0  <- none yet$", out, re.M)
    assert main(["stats", "--catalog", str(mini.root), "--reference", "none", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["papers"] == 2 and "reference_coverage" not in data


def test_bad_reference_file_is_a_usage_error(mini, tmp_path, capsys):
    ref = tmp_path / "ref.tsv"
    ref.write_text("id\tname\nx\ty\n")
    assert main(["stats", "--catalog", str(mini.root), "--reference", str(ref)]) == 2
    assert "'arxiv' and 'title' columns" in capsys.readouterr().err
    assert main(["stats", "--catalog", str(mini.root), "--reference", str(tmp_path / "missing.tsv")]) == 2
