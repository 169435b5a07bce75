"""Hardening: nothing a contributor or a careless user does can destroy data, run code or break a page."""

import os

import pytest

from sokkit.catalog import load_catalog
from sokkit.cli import main
from sokkit.site import BUILD_PREFIX, MARKER, UnsafeOutput, build_site, check_out, clean_stale_builds

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
    clean_stale_builds(tmp_path)
    assert not stale.exists() and running.is_dir() and foreign.is_dir()


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
