"""Contributor commands: new, add (recorded arXiv answers), import-bib, fmt, exports."""

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest

from sokkit.contribute import arxiv
from sokkit.validate import load_catalog
from sokkit.cli import main
from sokkit.contribute.entryfmt import format_entry
from sokkit.catalog.names import split_name

from conftest import GOOD_PAPER, ROOT

DATA = Path(__file__).parent / "data"
CSL_SCHEMA = ROOT.parent / "shared" / "reference" / "csl-data.schema.json"


def recorded(name):
    def fetch(url):
        return (DATA / "arxiv" / name).read_bytes()
    return fetch


# --- new ---------------------------------------------------------------------------

def test_new_scaffolds_every_field_and_validation_says_what_to_fill(mini, capsys):
    assert main(["new", "fresh-2025-entry", "--catalog", str(mini.root)]) == 0
    text = (mini.root / "papers" / "fresh-2025-entry.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schema/paper.schema.json")
    for key in ("title:", "authors:", "ids:", "roles:", "intention:", "technique:", "methods:", "rationale:",
                "evidence:", "claims:", "relations:", "review:"):
        assert key in text
    assert "preference-optimization" in text and "removal, suppression" in text
    assert main(["validate", str(mini.root)]) == 1
    out = capsys.readouterr().out
    assert "fresh-2025-entry.yaml:6: title: must not be empty" in out


def test_new_refuses_to_overwrite_and_bad_ids(mini, capsys):
    before = (mini.root / "papers" / "good-2024-method.yaml").read_text()
    assert main(["new", "good-2024-method", "--catalog", str(mini.root)]) == 2
    assert (mini.root / "papers" / "good-2024-method.yaml").read_text() == before
    assert main(["new", "Bad Id", "--catalog", str(mini.root)]) == 2
    assert "not a valid id" in capsys.readouterr().err


# --- add -----------------------------------------------------------------------------

def test_add_writes_a_valid_formatted_draft(mini, monkeypatch):
    monkeypatch.setattr(arxiv, "fetch_url", recorded("2404.05868.xml"))
    assert main(["add", "https://arxiv.org/abs/2404.05868v2", "--role", "method", "--catalog", str(mini.root)]) == 0
    path = mini.root / "papers" / "zhang-2024-negative.yaml"
    catalog, problems = load_catalog(mini.root)
    assert [p.severity for p in problems] == ["warning"] * 3  # intention, technique, rationale to classify
    paper = catalog.papers["zhang-2024-negative"].model
    assert paper.title == "Negative Preference Optimization: From Catastrophic Collapse to Effective Unlearning"
    assert paper.authors == ["Ruiqi Zhang", "Licong Lin", "Yu Bai", "Song Mei"]
    assert (paper.year, paper.ids.arxiv, paper.review.status) == (2024, "2404.05868", "draft")
    assert "arXiv comment: Placeholder comment" in paper.review.note
    assert main(["fmt", "--check", str(path), "--catalog", str(mini.root)]) == 0


def test_add_refuses_a_paper_already_in_the_catalog(mini, monkeypatch, capsys):
    monkeypatch.setattr(arxiv, "fetch_url", recorded("2404.05868.xml"))
    assert main(["add", "2404.05868", "--catalog", str(mini.root)]) == 0
    assert main(["add", "arXiv:2404.05868", "--catalog", str(mini.root)]) == 1
    assert "already in the catalog as zhang-2024-negative (same arXiv id)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "reference, fetch, message",
    [
        ("2404.05868", "error-bad-id.xml", "arXiv rejected the id 2404.05868"),
        ("2512.99999", "empty.xml", "no paper with id 2512.99999"),
        ("not-an-id", None, "not an arXiv id or URL"),
        ("2413.00001", None, "not a valid arXiv id"),
    ],
)
def test_add_errors_are_clear_and_write_nothing(mini, monkeypatch, capsys, reference, fetch, message):
    if fetch:
        monkeypatch.setattr(arxiv, "fetch_url", recorded(fetch))
    before = sorted(p.name for p in (mini.root / "papers").iterdir())
    assert main(["add", reference, "--catalog", str(mini.root)]) == 1
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in (mini.root / "papers").iterdir()) == before


def test_api_error_entry_is_reported():
    with pytest.raises(arxiv.ArxivError, match="arXiv rejected the id 2499.99999"):
        arxiv.parse_feed((DATA / "arxiv" / "error-bad-id.xml").read_bytes(), "2499.99999")


def test_offline_is_a_clear_error(mini, monkeypatch, capsys):
    import urllib.error
    import urllib.request

    def refuse(*args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    assert main(["add", "2404.05868", "--catalog", str(mini.root)]) == 1
    err = capsys.readouterr().err
    assert "cannot reach arXiv" in err and "offline" in err and "Traceback" not in err


# --- import-bib ----------------------------------------------------------------------

def test_import_bib_handles_real_world_quirks(mini, capsys):
    bib = DATA / "bib" / "real-world.bib"
    assert main(["import-bib", str(bib), "--catalog", str(mini.root)]) == 1  # some blocks were reported
    out = capsys.readouterr().out
    assert f"{bib}:54: could not parse block '@article{{broken2020,'" in out
    assert f"{bib}:59: @misc{{noyear}}: entry has no four-digit year" in out
    assert f"{bib}:64: duplicate citation key 'jang2022knowledge'" in out
    assert f"{bib}:70: @{{already-here}} is already in the catalog as good-2024-method (same arXiv id); skipped" in out
    catalog, problems = load_catalog(mini.root)
    assert all(p.severity == "warning" for p in problems), [p.format() for p in problems]
    papers = catalog.papers
    assert papers["zhang-2024-negative"].model.ids.arxiv == "2404.05868"  # version suffix dropped
    tofu = papers["maini-2024-tofu"].model
    assert tofu.title == "TOFU: A Task of Fictitious Unlearning for LLMs"  # braces removed
    assert tofu.ids.doi == "10.48550/ARXIV.2401.06121" and tofu.venue is None  # CoRR is not a venue
    jang = papers["jang-2022-knowledge"].model
    assert jang.authors[0] == "Joel Jang" and jang.ids.arxiv == "2210.01504"  # Scholar's 'journal'
    fictional = papers["muller-2023-fictional"].model
    assert fictional.title == "A Fictional Study of Unlearning with Accents in Gödel's Names & Symbols"
    assert fictional.authors == ["Jörg Müller", "Anna van der Berg", "José García"]
    assert fictional.venue.startswith("Proceedings of the 61st Annual Meeting")  # @string resolved
    assert fictional.ids.doi == "10.18653/v1/2023.fake-long.1"  # URL prefix stripped
    assert len(papers) == 6


def test_import_bib_dry_run_writes_nothing(mini, capsys):
    before = sorted(p.name for p in (mini.root / "papers").iterdir())
    main(["import-bib", str(DATA / "bib" / "real-world.bib"), "--dry-run", "--catalog", str(mini.root)])
    assert "would create" in capsys.readouterr().out
    assert sorted(p.name for p in (mini.root / "papers").iterdir()) == before


def test_import_bib_missing_file_is_a_usage_error(mini, capsys):
    assert main(["import-bib", str(mini.root / "nope.bib"), "--catalog", str(mini.root)]) == 2


def test_round_trip_import_validate_export_import(mini, tmp_path):
    main(["import-bib", str(DATA / "bib" / "real-world.bib"), "--catalog", str(mini.root)])
    exported = tmp_path / "all.bib"
    assert main(["export", "--catalog", str(mini.root), "--format", "bibtex", "-o", str(exported)]) == 0
    from sokkit.contribute.bibimport import parse_bibtex

    again = parse_bibtex(exported.read_text(), "all.bib")
    assert again.problems == []
    catalog, _ = load_catalog(mini.root)
    original = {(p.model.title, tuple(p.model.authors), p.model.year, p.model.ids.arxiv) for p in catalog.papers.values()}
    assert {(e.paper.title, tuple(e.paper.authors), e.paper.year, e.paper.ids.arxiv) for e in again.entries} == original


# --- fmt -------------------------------------------------------------------------------

def test_fmt_is_idempotent_and_keeps_data(mini):
    messy = "# yaml-language-server: $schema=../../schema/paper.schema.json\n" + GOOD_PAPER.split("\n", 1)[1].replace(
        "authors: [Ada Lovelace, Alan Turing]", "authors:\n  - Ada Lovelace\n  - 'Alan Turing'"
    ).replace("year: 2024\n", "").replace("title:", "year: 2024\ntitle:")
    path = mini.write("papers", "good-2024-method", messy)
    before, _ = load_catalog(mini.root)
    assert main(["fmt", "--check", "--catalog", str(mini.root)]) == 1
    assert main(["fmt", "--catalog", str(mini.root)]) == 0
    first = path.read_text()
    assert first.index("title:") < first.index("year:") and "authors: [Ada Lovelace, Alan Turing]" in first
    assert main(["fmt", "--catalog", str(mini.root)]) == 0
    assert path.read_text() == first
    assert main(["fmt", "--check", "--catalog", str(mini.root)]) == 0
    after, _ = load_catalog(mini.root)
    assert after.papers["good-2024-method"].model == before.papers["good-2024-method"].model


def test_fmt_quotes_what_yaml_would_misread():
    from sokkit.catalog.models import Paper

    paper = Paper.model_validate({
        "title": "yes", "authors": ["No", "On: Off"], "year": 2024, "ids": {"arxiv": "2404.05860"},
        "venue": "2024", "roles": ["survey"], "summary": "  leading spaces and\nnewline  ",
        "review": {"status": "draft"},
    })
    text = format_entry(paper, "papers")
    assert 'arxiv: "2404.05860"' in text and 'venue: "2024"' in text and '"On: Off"' in text


def test_fmt_refuses_to_drop_comments_unless_asked(mini, capsys):
    path = mini.write("papers", "other-2023-baseline",
                      (mini.root / "papers" / "other-2023-baseline.yaml").read_text().replace("year: 2023", "year: 2023  \n# checked on arXiv"))
    assert main(["fmt", "--catalog", str(mini.root)]) == 1
    assert "left alone: it has comments" in capsys.readouterr().out
    assert "# checked on arXiv" in path.read_text()
    assert main(["fmt", "--drop-comments", "--catalog", str(mini.root)]) == 0
    assert "# checked" not in path.read_text()


def test_shipped_catalog_is_formatted():
    assert main(["fmt", "--check", "--catalog", str(ROOT / "catalog")]) == 0


# --- exports ---------------------------------------------------------------------------

def test_csl_json_export_matches_the_official_schema(mini, capsys):
    assert main(["export", "--catalog", str(mini.root), "--format", "csl-json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items[0]["author"][0] == {"family": "Lovelace", "given": "Ada"}
    assert items[0]["type"] == "article" and items[0]["number"] == "2404.01234"
    if not CSL_SCHEMA.is_file():
        pytest.skip("CSL schema not available (it lives in the project's shared reference folder)")
    import jsonschema

    jsonschema.validate(items, json.loads(CSL_SCHEMA.read_text()))


def test_csv_export_neutralises_formulas(mini, capsys):
    mini.write("papers", "good-2024-method", GOOD_PAPER.replace('"A Method That Forgets"', '"=HYPERLINK(1)"'))
    assert main(["export", "--catalog", str(mini.root), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["title"] == "'=HYPERLINK(1)" and rows[0]["authors"] == "Ada Lovelace; Alan Turing"


def test_graphml_export_reads_back(mini, tmp_path):
    out = tmp_path / "g.graphml"
    assert main(["export", "--catalog", str(mini.root), "--format", "graphml", "-o", str(out)]) == 0
    graph = nx.read_graphml(out)
    assert set(graph.nodes) == {"good-2024-method", "other-2023-baseline"}
    assert [d["type"] for _, _, d in graph.edges(data=True)] == ["compares_with"]


def test_bibtex_export_escapes_latex_specials(mini, capsys):
    mini.write("papers", "good-2024-method", GOOD_PAPER.replace('"A Method That Forgets"', '"50% of {Facts} & more_x"'))
    main(["export", "--catalog", str(mini.root), "--format", "bibtex"])
    assert r"title = {{50\% of \{Facts\} \& more\_x}}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "name, parts",
    [
        ("Charu C. Aggarwal", {"given": "Charu C.", "family": "Aggarwal"}),
        ("Anna van der Berg", {"given": "Anna", "family": "van der Berg"}),
        ("Lovelace, Ada", {"given": "Ada", "family": "Lovelace"}),
        ("Abdullah X", {"given": "Abdullah", "family": "X"}),
        ("Plato", {"family": "Plato"}),
        ("Martin Luther King Jr.", {"given": "Martin Luther", "family": "King", "suffix": "Jr."}),
    ],
)
def test_split_name(name, parts):
    assert split_name(name) == parts
