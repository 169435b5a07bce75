"""Hardening: nothing a contributor or a careless user does can destroy data, run code or break a page."""

import os

import pytest

from sokkit.validate import load_catalog
from sokkit.cli import main
from sokkit.site.build import BUILD_PREFIX, MARKER, UnsafeOutput, build_site, check_out, clean_stale_builds

from conftest import ROOT


# --- 1. build --out may replace only an absent or empty folder or a previous site ---------

def _snapshot(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("target", [".", "..", "catalog", "catalog/papers", "docs", "NOTES.md", "/dev/null", "work"])
def test_build_out_refuses_what_it_must_not_replace(mini, tmp_path, monkeypatch, capsys, target):
    project = mini.root.parent
    (project / "docs").mkdir()
    (project / "NOTES.md").write_text("my notes\n")
    (project / "work").mkdir()
    (project / "work" / "draft.txt").write_text("unsaved work\n")
    monkeypatch.chdir(project)
    before = _snapshot(project)
    assert main(["build", "--catalog", "catalog", "--docs", "docs", "--out", target]) == 2
    err = capsys.readouterr().err
    assert "refusing to replace" in err and "--out may name only" in err and "Traceback" not in err
    assert err.count("\n") == 1
    assert _snapshot(project) == before
    assert (project / "NOTES.md").read_text() == "my notes\n"
    assert os.path.exists("/dev/null") and not os.path.isdir("/dev/null")


def test_check_out_allows_absent_empty_and_previous_sites(tmp_path):
    check_out(tmp_path / "absent", [])
    (tmp_path / "empty").mkdir()
    check_out(tmp_path / "empty", [])
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / MARKER).write_text("x")
    (tmp_path / "old" / "index.html").write_text("x")
    check_out(tmp_path / "old", [])
    (tmp_path / "link").symlink_to(tmp_path / "old")
    with pytest.raises(UnsafeOutput, match="symbolic link"):
        check_out(tmp_path / "link", [])


def test_next_build_cleans_only_its_own_stale_temp_folders(tmp_path):
    stale = tmp_path / f"{BUILD_PREFIX}killed"
    stale.mkdir()
    (stale / MARKER).write_text("999999999\n")  # no such process
    running = tmp_path / f"{BUILD_PREFIX}running"
    running.mkdir()
    (running / MARKER).write_text(f"{os.getpid()}\n")
    foreign = tmp_path / f"{BUILD_PREFIX}not-ours"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    swapped = tmp_path / ".site.old.abc"  # a swap killed after moving the old site aside
    (swapped / "previous").mkdir(parents=True)
    (swapped / MARKER).write_text("999999999\n")
    clean_stale_builds(tmp_path, "site")
    assert not stale.exists() and not swapped.exists() and running.is_dir() and foreign.is_dir()


def test_build_writes_the_marker_and_cleans_stale_builds(mini, tmp_path):
    stale = tmp_path / f"{BUILD_PREFIX}killed"
    stale.mkdir()
    (stale / MARKER).write_text("999999999\n")
    catalog, _ = load_catalog(mini.root)
    out = tmp_path / "site"
    build_site(catalog, out, docs_dir=ROOT / "docs", config=ROOT / "mkdocs.yml")
    assert (out / MARKER).is_file() and not stale.exists()
    assert not list(tmp_path.glob(f"{BUILD_PREFIX}*"))
    build_site(catalog, out, docs_dir=ROOT / "docs", config=ROOT / "mkdocs.yml")  # replaces its own site
    assert (out / "index.html").is_file()


def test_serve_refuses_an_unsafe_out(mini, monkeypatch, capsys):
    monkeypatch.chdir(mini.root.parent)
    assert main(["serve", "--catalog", "catalog", "--out", "."]) == 2
    assert "refusing to replace" in capsys.readouterr().err


# --- 2. regular files only under catalog/ and docs/ ----------------------------------------

def _problems_for(mini, name):
    _, problems = load_catalog(mini.root)
    return [p for p in problems if name in p.file]


@pytest.mark.parametrize("target", ["/etc/passwd", "/dev/zero"])
def test_symlinked_entry_is_refused_before_reading(mini, target):
    (mini.root / "papers" / "evil-2024-link.yaml").symlink_to(target)
    problems = _problems_for(mini, "evil-2024-link.yaml")
    assert [p.message for p in problems] == ["is a symbolic link; only regular files are read"]


def test_fifo_entry_is_refused_without_hanging(mini):
    os.mkfifo(mini.root / "papers" / "evil-2024-fifo.yaml")
    problems = _problems_for(mini, "evil-2024-fifo.yaml")
    assert [p.message for p in problems] == ["is a FIFO; only regular files are read"]


def test_symlinked_papers_folder_is_refused(mini, tmp_path):
    real = tmp_path / "elsewhere"
    (mini.root / "papers").rename(real)
    (mini.root / "papers").symlink_to(real)
    assert any("not a link" in p.message for p in _problems_for(mini, "papers"))


def test_results_files_must_be_regular(mini, tmp_path):
    (mini.root / "results").mkdir()
    (mini.root / "results" / "audit.json").symlink_to("/etc/passwd")
    (mini.root / "results" / "audit.png").symlink_to("/dev/zero")
    problems = _problems_for(mini, "results")
    assert sorted(p.file.rsplit("/", 1)[1] for p in problems) == ["audit.json", "audit.png"]
    assert all("symbolic link" in p.message for p in problems)


@pytest.mark.parametrize("target", ["/etc/hostname", "/nonexistent/dangling"])
def test_docs_symlinks_are_refused_not_copied(mini, tmp_path, capsys, target):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.md").symlink_to(target)
    assert main(["build", "--catalog", str(mini.root), "--docs", str(docs), "--out", str(tmp_path / "site")]) == 1
    err = capsys.readouterr().err
    assert f"{docs / 'page.md'}: is a symbolic link" in err and "Traceback" not in err
    assert not (tmp_path / "site").exists()


# --- 3. one id rule for every command -------------------------------------------------------

from sokkit.catalog.models import id_problem  # noqa: E402


@pytest.mark.parametrize("bad", ["../../x", "Not A Valid ID", "zhang-2024-npo\n", "index", "a" * 300,
                                 "zhang-2024-npо", "zhang--2024", "-x", "x/y", "ｚｈａｎｇ"])
def test_one_id_rule_refuses(bad):
    assert id_problem(bad)


def test_add_with_a_path_as_id_is_refused_before_anything(mini, monkeypatch, capsys):
    import sokkit.contribute.arxiv

    monkeypatch.setattr(sokkit.contribute.arxiv, "lookup", lambda ref: pytest.fail("looked up"))
    assert main(["add", "2404.01234", "--id", "../../x", "--catalog", str(mini.root)]) == 2
    assert "not a valid id" in capsys.readouterr().err
    assert not (mini.root.parent.parent / "x.yaml").exists()


@pytest.mark.parametrize("bad", ["index", "a" * 300])
def test_new_refuses_reserved_and_overlong_ids_without_traceback(mini, capsys, bad):
    assert main(["new", bad, "--catalog", str(mini.root)]) == 2
    err = capsys.readouterr().err
    assert ("reserved" in err or "not a valid id" in err) and "Traceback" not in err
    assert not list((mini.root / "papers").glob("index*")) and len(list((mini.root / "papers").iterdir())) == 2


def test_entry_named_index_is_refused_so_it_cannot_replace_the_papers_index(mini):
    from conftest import OTHER_PAPER

    mini.write("papers", "index", OTHER_PAPER.replace("2301.00001", "2301.00002").replace("A Baseline", "Index"))
    assert any("reserved" in p.message for p in _problems_for(mini, "index.yaml"))


def test_patterns_match_the_whole_string():
    from sokkit.catalog.models import DOI_RE, is_arxiv_id

    assert not is_arxiv_id("2404.05868\n") and is_arxiv_id("2404.05868")
    assert not is_arxiv_id("２404.05868") and not is_arxiv_id("٢٤٠٤.05868")
    assert not DOI_RE.fullmatch("10.1234/x\n")


def test_derived_ids_stay_valid_for_very_long_words():
    from sokkit.contribute.scaffold import derive_id

    assert id_problem(derive_id(["Ada " + "L" * 200], 2024, "W" * 500 + ": a title")) is None


def test_taxonomy_ids_cannot_collide_with_generated_pages():
    from pydantic import ValidationError
    from sokkit.catalog.taxonomy import Axis

    for bad in ("index", "benchmark-tofu", "x\n"):
        with pytest.raises(ValidationError):
            Axis.model_validate({"label": "T", "description": "d", "values": {bad: {"label": "x", "description": "long enough text"}}})


# --- 4. one escaping gate; single-line fields; results files checked ----------------------

import json  # noqa: E402
import re  # noqa: E402

import markdown  # noqa: E402

from sokkit.site.pages import render_pages  # noqa: E402

from conftest import GOOD_PAPER  # noqa: E402


def to_html(md: str) -> str:
    """Markdown to HTML with the extensions of mkdocs.yml, as MkDocs renders a page."""
    md = re.sub(r"\A---\n.*?\n---\n", "", md, flags=re.S)
    return markdown.markdown(md, extensions=["tables", "admonition", "toc", "pymdownx.superfences", "pymdownx.highlight"])


def executable(page: str) -> list[str]:
    """Traces of executable or structure-breaking HTML in a rendered page. The paper page's own
    neighbourhood figure is an inline SVG built by sokkit (contributed text cannot write a
    '<'); everything inside it is still checked."""
    page = page.replace('<figure class="sokkit-neighbourhood"><svg ', '<figure class="sokkit-neighbourhood"><sokkit-svg ')
    found = re.findall(r"<script|<iframe|<img|<svg|<object|<embed|<pre|<code|<h[1-6] id=\"__", page, re.I)
    found += re.findall(r"<[^>]*\son[a-z]+\s*=", page, re.I)
    found += re.findall(r"""(?:href|src)\s*=\s*["']?\s*(?!https?:|\.|#|[a-z0-9-]+/)[a-z]+:""", page, re.I)
    return found


def _page_html(mini, rel):
    catalog, problems = load_catalog(mini.root)
    assert [p for p in problems if p.severity == "error"] == [], [p.format() for p in problems]
    return to_html(render_pages(catalog)[rel])


HOSTILE_TEXT = 'x\n\n```{#__config .js}\nalert(1)\n```\n\n~~~\n[y](javascript:alert(2)) <img src=x onerror=alert(3)>'


def test_multi_line_text_cannot_open_a_fence_or_raw_html(mini):
    block = json.dumps(HOSTILE_TEXT)
    paper = GOOD_PAPER.replace("rationale: >-\n  It raises", f"summary: {block}\nrationale: >-\n  It raises").replace(
        "review:\n  status: reviewed", f"claims:\n  - id: c1\n    kind: relearning-recovers\n    statement: {block}\n"
        f"    source: Table 2\nmethods:\n  - name: M\n    family: gradient-ascent\n    intention: removal\n"
        f"    level: parameters\n    description: {block}\nreview:\n  status: reviewed\n  note: {block}").replace(
        "target: other-2023-baseline", f"target: other-2023-baseline\n    note: {block}")
    mini.write("papers", "good-2024-method", paper)
    page = _page_html(mini, "papers/good-2024-method.md").split("<h2 id=\"bibtex\"")[0]
    assert executable(page) == []
    assert 'id="__config"' not in page


def test_benchmark_name_link_is_inert_on_its_comparison_page(mini):
    mini.write("benchmarks", "tofu", 'name: "[TOFU](javascript:alert(1))"\ndescription: "A benchmark of invented authors."\n'
               'review:\n  status: draft\n')
    mini.write("papers", "good-2024-method", GOOD_PAPER.replace("roles: [method]", "roles: [method]\nbenchmarks: [tofu]"))
    for rel in ("compare/benchmark-tofu.md", "benchmarks/tofu.md", "benchmarks/index.md", "papers/good-2024-method.md"):
        page = _page_html(mini, rel)
        assert 'href="javascript:' not in page and executable(page.split('<h2 id="bibtex"')[0]) == [], rel


def test_single_line_fields_refuse_line_breaks(mini):
    mini.write("papers", "good-2024-method", GOOD_PAPER.replace('"A Method That Forgets"', '"A Method\\nThat Forgets"'))
    assert any("one line" in p.message for p in _problems_for(mini, "good-2024-method"))


def test_results_text_is_escaped_and_malformed_results_are_reported(mini):
    (mini.root / "results").mkdir()
    row = {"forget_acc": 0.1, "retain_acc": 0.9, "verdict": "[x](javascript:alert(1))", "intention": "`<script>`"}
    (mini.root / "results" / "audit.json").write_text(json.dumps({"base": row, "oracle": row, "methods": {"npo": row}}))
    page = _page_html(mini, "audit.md")
    assert 'href="javascript:' not in page and executable(page) == []
    (mini.root / "results" / "claims.json").write_text(json.dumps({"claims": [{"paper": "x", "claim": "y", "status": "ok"}]}))
    problems = _problems_for(mini, "claims.json")
    assert len(problems) == 1 and "claims.0.status" in problems[0].field
    catalog, _ = load_catalog(mini.root)
    render_pages(catalog)  # a malformed results file is ignored by the site, not a crash


# --- 5. Unicode: invisible characters refused, look-alike titles caught ------------------

@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u2060"])
def test_bidi_and_zero_width_characters_are_refused_in_any_field(mini, char):
    mini.write("papers", "good-2024-method", GOOD_PAPER.replace("Ada Lovelace", f"Ada{char} Lovelace"))
    problems = _problems_for(mini, "good-2024-method")
    assert len(problems) == 1 and f"U+{ord(char):04X}" in problems[0].message and problems[0].line == 3


def test_invisible_characters_are_refused_in_text_from_arxiv_or_bibtex():
    from pydantic import ValidationError
    from sokkit.catalog.models import Paper

    with pytest.raises(ValidationError, match="U\\+202E"):
        Paper.model_validate({"title": "A \u202etitle", "authors": ["A B"], "year": 2024})


@pytest.mark.parametrize("lookalike", ["A Mеthod That Forgets",  # Cyrillic e
                                       "A Μethod That Forgets",  # Greek capital mu
                                       "Ａ Method That Forgets",  # full-width A
                                       "A METHOD THAT FORGETS"])
def test_duplicate_check_folds_homoglyphs(mini, lookalike):
    from conftest import OTHER_PAPER

    mini.write("papers", "copy-2024-method", OTHER_PAPER.replace("A Baseline", lookalike).replace("2301.00001", "2301.00009"))
    assert [p.message for p in _problems_for(mini, "") if "same title as" in p.message]


# --- 6. fmt keeps every comment ---------------------------------------------------------

def test_fmt_leaves_a_file_with_an_end_of_line_comment_alone(mini, capsys):
    path = mini.root / "papers" / "good-2024-method.yaml"
    text = path.read_text().replace('title: "A Method That Forgets"', 'title:   "A Method That Forgets"  # TODO check')
    path.write_text(text)
    assert main(["fmt", "--catalog", str(mini.root)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:2: left alone: it has comments (line 2)" in out
    assert path.read_text() == text
    assert main(["fmt", "--drop-comments", "--catalog", str(mini.root)]) == 0
    assert "TODO" not in path.read_text()


def test_hash_inside_values_is_not_a_comment():
    from sokkit.contribute.entryfmt import extra_comments

    text = '# yaml-language-server: $schema=x\ntitle: "C# #1"\nnote: a#b\nsummary: >-\n  text # kept\n'
    assert extra_comments(text) == []
    assert extra_comments(text + "year: 2024 # eol\n") == [6]


# --- 7. no traceback for mistakes or environment problems ---------------------------------

def _denied(*args, **kwargs):
    raise PermissionError(13, "Permission denied", str(args[0]) if args else None)


def _one_sentence(capsys, code, expected, *needles):
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert code == expected, text
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, text


def test_unwritable_out_is_a_usage_error(mini, capsys):
    code = main(["build", "--catalog", str(mini.root), "--out", "/proc/sokkit-no-such/site"])
    _one_sentence(capsys, code, 2, "cannot write the site to '/proc/sokkit-no-such/site'")


def test_serve_port_out_of_range_is_a_usage_error(mini, tmp_path, capsys):
    code = main(["serve", "--catalog", str(mini.root), "--out", str(tmp_path / "site"), "--port", "99999"])
    _one_sentence(capsys, code, 2, "--port 99999 is not a port number")
    assert not (tmp_path / "site").exists()


def test_unreadable_papers_folder_is_a_problem_not_a_crash(mini, monkeypatch, capsys):
    from pathlib import Path

    real = Path.iterdir
    monkeypatch.setattr(Path, "iterdir", lambda self: _denied(self) if self.name == "papers" else real(self))
    _one_sentence(capsys, main(["validate", str(mini.root)]), 1, "cannot list the folder: Permission denied")


def test_new_into_a_read_only_folder_is_a_usage_error(mini, monkeypatch, capsys):
    from pathlib import Path

    monkeypatch.setattr(Path, "write_text", _denied)
    _one_sentence(capsys, main(["new", "zhang-2024-npo", "--catalog", str(mini.root)]), 2, "Permission denied")


def test_fmt_into_a_read_only_folder_reports_each_file(mini, monkeypatch, capsys):
    import sokkit.safe.files

    path = mini.root / "papers" / "good-2024-method.yaml"
    path.write_text(path.read_text().replace('title: "A Method That Forgets"', "title:    A Method That Forgets"))
    monkeypatch.setattr(sokkit.safe.files.tempfile, "mkstemp", _denied)
    _one_sentence(capsys, main(["fmt", "--catalog", str(mini.root)]), 2, "left alone: cannot write it (Permission denied)")


BIB = """
@article{a, title={Forgetting One Thing}, author={Lovelace, Ada}, year={2024}}
@article{b, title={Forgetting Another Thing}, author={Hopper, Grace}, year={2024}}
@article{c, title={%s}, author={Turing, Alan}, year={2024}}
""" % ("W" * 300 + " word")


def test_import_bib_with_a_very_long_word_writes_valid_ids(mini, tmp_path, capsys):
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB)
    _one_sentence(capsys, main(["import-bib", str(bib), "--catalog", str(mini.root)]), 0, "created 3 draft entries")
    assert all(id_problem(p.stem) is None for p in (mini.root / "papers").iterdir())


def test_import_bib_writes_all_drafts_or_none(mini, tmp_path, monkeypatch, capsys):
    import sokkit.contribute.scaffold

    bib = tmp_path / "refs.bib"
    bib.write_text(BIB)
    real, calls = sokkit.contribute.scaffold.link_new_file, []

    def fail_on_third(source, path):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(path))
        real(source, path)

    monkeypatch.setattr(sokkit.contribute.scaffold, "link_new_file", fail_on_third)
    _one_sentence(capsys, main(["import-bib", str(bib), "--catalog", str(mini.root)]), 2, "nothing written")
    assert sorted(p.name for p in (mini.root / "papers").iterdir()) == ["good-2024-method.yaml", "other-2023-baseline.yaml"]


def test_add_with_an_author_arxiv_lists_with_two_commas(mini, monkeypatch, capsys):
    import sokkit.contribute.arxiv
    from types import SimpleNamespace

    record = SimpleNamespace(title="A Title", authors=["Smith, J., Jr."], year=2024, arxiv_id="2404.05868",
                             doi=None, journal_ref=None, comment=None)
    monkeypatch.setattr(sokkit.contribute.arxiv, "lookup", lambda ref: record)
    _one_sentence(capsys, main(["add", "2404.05868", "--catalog", str(mini.root)]), 1, "does not make a valid entry")


def test_oversized_field_in_a_reference_list(mini, tmp_path, capsys):
    tsv = tmp_path / "ref.tsv"
    tsv.write_text("arxiv\ttitle\n2404.05868\t" + "x" * 200_000 + "\n")
    _one_sentence(capsys, main(["stats", "--catalog", str(mini.root), "--reference", str(tsv)]), 2, "not a readable")


def test_serve_watcher_survives_the_catalog_moving(mini, tmp_path, capsys):
    from sokkit.site.serve import Rebuilder, _fingerprint

    rebuilder = Rebuilder(mini.root, tmp_path / "site", ROOT / "docs", ROOT / "mkdocs.yml")
    mini.root.rename(tmp_path / "moved")
    assert _fingerprint(rebuilder.watched) is not None
    assert rebuilder.rebuild() is False
    assert "does not exist" in capsys.readouterr().err


# --- smaller items of the issue -------------------------------------------------------------

@pytest.mark.parametrize("cell", ["=1+1", " =1+1", "\uff1d1+1", "\n=1", "\t@x", "-2"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell):
    from sokkit.export.spreadsheet import _csv_cell

    assert _csv_cell(cell).startswith("'")


def test_hand_written_docs_with_spaces_in_their_names_pass_the_link_check(tmp_path):
    from sokkit.site.build import broken_links

    (tmp_path / "my page").mkdir()
    (tmp_path / "my page" / "index.html").write_text("x")
    (tmp_path / "index.html").write_text('<a href="my%20page/">x</a>')
    assert broken_links(tmp_path) == []


def test_export_does_not_replace_a_read_only_file_or_a_device(mini, tmp_path, capsys):
    target = tmp_path / "out.json"
    target.write_text("keep")
    target.chmod(0o444)
    assert main(["export", "--catalog", str(mini.root), "-o", str(target)]) == 2
    assert "read-only" in capsys.readouterr().err and target.read_text() == "keep"
    assert main(["export", "--catalog", str(mini.root), "-o", "/dev/null"]) == 0
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_a_validated_url_cannot_form_a_markdown_link_inside_its_anchor():
    from sokkit.safe.html import html_link

    md = "See " + html_link("https://e.org/[x](javascript:alert(1))`", "[y](javascript:alert(2))") + " here."
    page = to_html(md)
    assert 'href="javascript:' not in page and "<code" not in page and page.count("<a ") == 1
