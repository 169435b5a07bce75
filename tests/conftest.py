from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Test the checkout the tests live in, even when another copy is installed in editable mode.
sys.path.insert(0, str(ROOT))
CATALOG = ROOT / "catalog"

GOOD_PAPER = """\
# yaml-language-server: $schema=../../schema/paper.schema.json
title: "A Method That Forgets"
authors: [Ada Lovelace, Alan Turing]
year: 2024
ids:
  arxiv: "2404.01234"
roles: [method]
intention: removal
technique: [gradient-ascent]
rationale: >-
  It raises the loss on the forget set by gradient ascent, aiming to erase the facts.
relations:
  - type: compares_with
    target: other-2023-baseline
review:
  status: reviewed
  checked: [arxiv-abstract]
"""

OTHER_PAPER = """\
title: "A Baseline"
authors: [Grace Hopper]
year: 2023
ids:
  arxiv: "2301.00001"
roles: [benchmark]
intention: null
review:
  status: draft
"""


class MiniCatalog:
    """A small valid catalog in a temp folder, with the real taxonomy."""

    def __init__(self, root: Path):
        self.root = root
        (root / "papers").mkdir(parents=True)
        (root / "benchmarks").mkdir()
        (root / "metrics").mkdir()
        shutil.copy(CATALOG / "taxonomy.yaml", root / "taxonomy.yaml")
        self.write("papers", "good-2024-method", GOOD_PAPER)
        self.write("papers", "other-2023-baseline", OTHER_PAPER)

    def write(self, kind: str, entry_id: str, text: str, suffix: str = ".yaml") -> Path:
        path = self.root / kind / f"{entry_id}{suffix}"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write_bytes(self, kind: str, entry_id: str, raw: bytes) -> Path:
        path = self.root / kind / f"{entry_id}.yaml"
        path.write_bytes(raw)
        return path


@pytest.fixture
def mini(tmp_path: Path) -> MiniCatalog:
    return MiniCatalog(tmp_path / "catalog")


# The shipped catalog plus one hostile entry, built once per test session for the browser
# tests and the checks of the built site (tests/test_browser.py, tests/test_site.py).
HOSTILE_ENTRY = """\
# yaml-language-server: $schema=../../schema/paper.schema.json
title: "Hostile <img src=x onerror=\\"window.__pwned=1\\"> </title><script>window.__pwned=2</script>"
authors: ["<script>window.__pwned=3</script>"]
year: 2024
ids:
  arxiv: "2412.99991"
roles: [method]
intention: suppression
technique: [in-context]
summary: "[click](javascript:window.__pwned=4) {: onclick=\\"window.__pwned=5\\"} <svg onload=window.__pwned=6>"
rationale: "<iframe src=javascript:window.__pwned=7></iframe>"
review:
  status: reviewed
  checked: [arxiv-abstract]
"""



@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory):
    from types import SimpleNamespace

    from sokkit.site import build_site
    from sokkit.validate import load_catalog

    root = tmp_path_factory.mktemp("shipped")
    catalog_dir = root / "catalog"
    shutil.copytree(CATALOG, catalog_dir)
    (catalog_dir / "papers" / "hostile-2024-entry.yaml").write_text(HOSTILE_ENTRY, encoding="utf-8")
    catalog, problems = load_catalog(catalog_dir)
    assert [p for p in problems if p.severity == "error"] == []
    site = root / "site"
    build_site(catalog, site, docs_dir=ROOT / "docs", config=ROOT / "mkdocs.yml")
    return SimpleNamespace(site=site, catalog=catalog)
