"""The catalog shipped in the repository must always validate cleanly."""

from sokkit.validate import load_catalog

from conftest import CATALOG


def test_shipped_catalog_is_clean():
    catalog, problems = load_catalog(CATALOG)
    assert [p.format() for p in problems] == []
    assert len(catalog.papers) >= 10
    assert "ren-2025-sok" in catalog.papers
