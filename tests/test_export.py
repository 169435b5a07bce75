import json

from sokkit.cli import main

from conftest import GOOD_PAPER

REQUIRED = {"id", "title", "authors", "year", "venue", "arxiv", "doi", "roles", "intention", "technique", "review"}


def test_export_json_lists_every_paper_with_the_stable_fields(mini, capsys):
    assert main(["export", "--catalog", str(mini.root), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in data] == ["good-2024-method", "other-2023-baseline"]
    assert REQUIRED <= set(data[0])
    first = data[0]
    assert first["arxiv"] == "2404.01234" and first["intention"] == "removal"
    assert first["authors"] == ["Ada Lovelace", "Alan Turing"] and first["review"] == "reviewed"
    assert first["relations"] == [{"type": "compares_with", "target": "other-2023-baseline"}]
    assert data[1]["intention"] is None and data[1]["doi"] is None


def test_export_to_file(mini, tmp_path):
    out = tmp_path / "sub" / "catalog.json"
    assert main(["export", "--catalog", str(mini.root), "-o", str(out)]) == 0
    assert len(json.loads(out.read_text())) == 2
    assert [p.name for p in out.parent.iterdir()] == ["catalog.json"]


def test_export_refuses_an_invalid_catalog_and_writes_nothing(mini, tmp_path, capsys):
    mini.write("papers", "bad-2024-role", GOOD_PAPER.replace("roles: [method]", "roles: [methd]"))
    out = tmp_path / "catalog.json"
    assert main(["export", "--catalog", str(mini.root), "-o", str(out)]) == 1
    assert not out.exists()
    assert "bad-2024-role.yaml:7" in capsys.readouterr().out


def test_export_to_unwritable_place_is_a_usage_error(mini, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["export", "--catalog", str(mini.root), "-o", str(blocker / "x.json")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_written_files_get_ordinary_permissions(mini, tmp_path):
    import os
    import stat

    out = tmp_path / "catalog.json"
    assert main(["export", "--catalog", str(mini.root), "-o", str(out)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
