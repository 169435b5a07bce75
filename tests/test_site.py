import re

import pytest

from sokkit.validate import load_catalog
from sokkit.safe.html import code_fence, html_link, md_text, safe_href
from sokkit.site.pages import render_pages
from sokkit.site import SiteBuildError, build_site

from conftest import GOOD_PAPER, OTHER_PAPER, ROOT

HOSTILE = GOOD_PAPER.replace(
    'title: "A Method That Forgets"',
    'title: "</title><script>alert(1)</script> [x](javascript:alert(2)) {: onclick=alert(3)}"',
).replace(
    "rationale: >-\n  It raises",
    "summary: '<img src=x onerror=alert(4)> ``` | table | break'\nrationale: >-\n  It raises",
)


def test_markdown_escaping_neutralises_html_and_markdown():
    text = md_text("<script>alert(1)</script> *bold* [x](javascript:y) {: onclick=z} a|b")
    assert "<" not in text and ">" not in text
    for ch in "*[]|{}`~":  # written as character references, inert to Markdown
        assert ch not in text


def test_quotes_in_markdown_text_display_as_quotes_after_rendering():
    """An apostrophe must reach the reader as an apostrophe, not as a visible "&#x27;"
    (escaping quotes first and '#' after once did that to every summary)."""
    import html as html_lib
    import re

    markdown = pytest.importorskip("markdown")
    rendered = markdown.markdown(md_text("It's a \"removal\" method #1, isn't it?"))
    visible = html_lib.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert visible == 'It\'s a "removal" method #1, isn\'t it?'
    assert "&#x27;" not in visible and "&#39;" not in visible


def test_only_http_links_become_anchors():
    assert safe_href("javascript:alert(1)") is None
    assert safe_href("data:text/html,x") is None
    assert html_link("javascript:alert(1)", "<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert html_link('https://e.org/?a="b"', "x").startswith('<a href="https://e.org/?a=&quot;b&quot;"')


def test_code_fence_cannot_be_closed_by_its_content():
    fenced = code_fence("a\n```\nb", "bibtex")
    assert fenced.startswith("````bibtex\n") and fenced.endswith("\n````")


def test_pages_cover_home_taxonomy_index_and_each_paper(mini):
    catalog, problems = load_catalog(mini.root)
    assert problems == []
    pages = render_pages(catalog)
    assert {"index.md", "taxonomy/index.md", "papers/index.md", "papers/good-2024-method.md", "papers/other-2023-baseline.md",
            "taxonomy/intention/removal.md", "taxonomy/technique/gradient-ascent.md", "compare/index.md",
            "compare/gradient-ascent.md", "benchmarks/index.md", "metrics/index.md", "graph.md", "timeline.md",
            "timeline.svg", "downloads.md", "downloads/catalog.json", "downloads/catalog.bib", "downloads/catalog.csl.json",
            "downloads/catalog.csv", "downloads/catalog.graphml"} <= set(pages)
    paper = pages["papers/good-2024-method.md"]
    assert "@misc{lovelace2024method," in paper and "eprint = {2404.01234}" in paper
    # the incoming edge is shown on the target's page
    assert "compares with" in pages["papers/other-2023-baseline.md"]
    # a value page lists exactly the papers with that value
    assert "good-2024-method/" in pages["taxonomy/intention/removal.md"]
    assert "other-2023-baseline/" not in pages["taxonomy/intention/removal.md"]


def test_relative_links_between_generated_pages():
    from sokkit.site.markup import href, page_url

    assert page_url("index.md") == "" and page_url("papers/index.md") == "papers/" and page_url("graph.md") == "graph/"
    assert href("papers/index.md", "papers/x.md") == "x/"
    assert href("compare/gradient-ascent.md", "papers/x.md") == "../../papers/x/"
    assert href("index.md", "papers/index.md") == "papers/"
    assert href("papers/x.md", "index.md") == "../../"
    assert href("timeline.md", "timeline.svg") == "../timeline.svg"


def test_graph_data_block_cannot_close_its_script(mini):
    mini.write("papers", "good-2024-method", GOOD_PAPER.replace('"A Method That Forgets"', '"</script><script>alert(1)</script>"'))
    catalog, _ = load_catalog(mini.root)
    page = render_pages(catalog)["graph.md"]
    block = page.split('id="sokkit-graph-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and "\\u003c/script\\u003e" in block


def test_site_builds_and_hostile_entry_renders_inert(mini, tmp_path):
    mini.write("papers", "good-2024-method", HOSTILE)
    catalog, problems = load_catalog(mini.root)
    assert problems == []
    out = tmp_path / "site"
    build_site(catalog, out, docs_dir=ROOT / "docs", config=ROOT / "mkdocs.yml")
    page = (out / "papers" / "good-2024-method" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for live in ("<script>alert", "</title><script", "<img src=x", 'href="javascript:'):
        assert live not in page
    # hostile attribute text may appear as text, never inside a tag
    assert not re.search(r"<[^>]*\s(onclick|onerror)=", page)
    assert (out / "index.html").is_file() and (out / "downloads" / "catalog.json").is_file()


def test_failed_build_keeps_the_previous_site(mini, tmp_path):
    catalog, _ = load_catalog(mini.root)
    out = tmp_path / "site"
    build_site(catalog, out, docs_dir=ROOT / "docs", config=ROOT / "mkdocs.yml")
    before = sorted(p.name for p in out.iterdir())
    broken_docs = tmp_path / "docs"
    broken_docs.mkdir()
    (broken_docs / "index.md").write_text("# clashes with the generated home page\n")
    with pytest.raises(SiteBuildError, match="would overwrite"):
        build_site(catalog, out, docs_dir=broken_docs, config=ROOT / "mkdocs.yml")
    broken_docs.joinpath("index.md").unlink()
    broken_docs.joinpath("page.md").write_text("[dead](missing.md)\n")
    with pytest.raises(SiteBuildError, match="mkdocs build failed"):
        build_site(catalog, out, docs_dir=broken_docs, config=ROOT / "mkdocs.yml")
    assert sorted(p.name for p in out.iterdir()) == before
    assert not list(tmp_path.glob(".sokkit-build-*"))


def test_serve_rebuilds_on_yaml_edits_and_keeps_the_site_on_errors(mini, tmp_path, capsys):
    import time

    from sokkit.site.serve import Rebuilder

    out = tmp_path / "site"
    rebuilder = Rebuilder(mini.root, out, ROOT / "docs", ROOT / "mkdocs.yml")
    assert rebuilder.rebuild() is True
    assert rebuilder.poll() is None  # nothing changed
    page = out / "papers" / "good-2024-method" / "index.html"
    assert "A Method That Forgets" in page.read_text()
    time.sleep(0.01)
    mini.write("papers", "good-2024-method", GOOD_PAPER.replace("A Method That Forgets", "A Renamed Method"))
    assert rebuilder.poll() is True
    assert "A Renamed Method" in page.read_text()
    mini.write("papers", "good-2024-method", GOOD_PAPER.replace("roles: [method]", "roles: [methd]"))
    assert rebuilder.poll() is False
    assert "A Renamed Method" in page.read_text()  # the previous build stays up
    assert "unknown role 'methd'" in capsys.readouterr().err


def test_broken_relative_link_fails_the_build(mini, tmp_path):
    catalog, _ = load_catalog(mini.root)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.md").write_text('<a href="../nowhere/">raw link</a>\n')
    with pytest.raises(SiteBuildError, match="broken link"):
        build_site(catalog, tmp_path / "site", docs_dir=docs, config=ROOT / "mkdocs.yml")


def test_graph_data_carries_rank_degree_and_top_labels(mini):
    from sokkit.graph import LABELLED, short_label, view_data

    catalog, _ = load_catalog(mini.root)
    data = view_data(catalog, lambda target: target)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert sum(n["top"] for n in nodes.values()) == min(LABELLED, len(nodes))
    assert all(n["rank"] > 0 for n in nodes.values())
    # other-2023-baseline is compared with, so it outranks the paper that compares with it
    assert nodes["other-2023-baseline"]["rank"] > nodes["good-2024-method"]["rank"]
    assert short_label("NPO: a method") == "NPO" and len(short_label("x" * 80)) == 34
    page = render_pages(catalog)["graph.md"]
    assert page.startswith("---\nhide:\n  - navigation\n  - toc\n---") and 'id="sokkit-graph-search"' in page


def test_paper_page_draws_its_neighbourhood_as_escaped_links(mini):
    mini.write("papers", "other-2023-baseline", OTHER_PAPER.replace('title: "A Baseline"', 'title: "<b>Base</b> & line"'))
    mini.write("papers", "good-2024-method", GOOD_PAPER.replace("type: compares_with", "type: builds_on"))
    catalog, problems = load_catalog(mini.root)
    assert problems == []
    pages = render_pages(catalog)
    good, other = pages["papers/good-2024-method.md"], pages["papers/other-2023-baseline.md"]
    svg = good.split('<figure class="sokkit-neighbourhood">', 1)[1].split("</figure>", 1)[0]
    assert "Builds on (1)" in svg and '<a href="../other-2023-baseline/">' in svg
    assert "<b>" not in svg and "&lt;b&gt;Base&lt;/b&gt; &amp; line" in svg
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "Built on by (1)" in other and '<a href="../good-2024-method/">' in other


def test_paper_tables_can_be_picked_and_the_compare_view_has_its_data(mini):
    import json

    catalog, _ = load_catalog(mini.root)
    pages = render_pages(catalog)
    assert '<tr data-id="good-2024-method">' in pages["papers/index.md"]
    assert 'data-compare="../compare/"' in pages["papers/index.md"]
    assert 'data-compare="../../../compare/"' in pages["taxonomy/intention/removal.md"]
    index = pages["compare/index.md"]
    assert 'data-catalog="../downloads/catalog.json"' in index and 'data-fields="fields.json"' in index
    fields = json.loads(pages["compare/fields.json"])
    assert fields["labels"]["intention"]["removal"] == "Removal" and "claims" in fields
    record = json.loads(pages["downloads/catalog.json"])[0]
    assert "evidence" in record


def test_search_index_is_lean_on_the_shipped_catalog(shipped_site):
    import json

    index = shipped_site.site / "search" / "search_index.json"
    per_paper = index.stat().st_size / len(shipped_site.catalog.papers)
    print(f"\nsearch index: {index.stat().st_size} bytes, {per_paper:.0f} bytes per paper")
    assert per_paper <= 2048
    docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
    papers = [d for d in docs if d["location"].startswith("papers/") and d["location"] != "papers/"]
    # one entry per paper, none from BibTeX or tables
    assert len(papers) == len({d["location"] for d in papers}) == len(shipped_site.catalog.papers)
    assert not any("@misc{" in d["text"] or "@article{" in d["text"] or "@inproceedings{" in d["text"] for d in docs)
    npo = next(d for d in papers if d["location"] == "papers/zhang-2024-npo/")
    assert "Ruiqi Zhang" in npo["text"] and "arXiv:2404.05868" in npo["text"] and "Preference optimisation" in npo["text"]
    undial = next(d for d in papers if d["location"] == "papers/dong-2024-undial/")
    assert "Deliberate Imagination" in undial["text"]
    hostile = next(d for d in papers if d["location"] == "papers/hostile-2024-entry/")
    assert "<script" not in hostile["text"] + hostile["title"] and "&lt;script&gt;" in hostile["text"]
    assert not (shipped_site.site / "search" / "papers.json").exists()


def test_serve_rebuilds_a_catalog_edit_in_place_and_keeps_search_whole(mini, tmp_path):
    import json

    from sokkit.site.serve import Rebuilder

    out = tmp_path / "site"
    rebuilder = Rebuilder(mini.root, out, ROOT / "docs", ROOT / "mkdocs.yml")
    try:
        assert rebuilder.rebuild() is True and rebuilder.incremental is not None
        docs_before = len(json.loads((out / "search" / "search_index.json").read_text())["docs"])
        mini.write("papers", "good-2024-method", GOOD_PAPER.replace("A Method That Forgets", "A Renamed Method"))
        assert rebuilder.poll() is True and rebuilder.incremental is not None  # in place, not a full build
        assert "A Renamed Method" in (out / "papers" / "good-2024-method" / "index.html").read_text()
        assert "A Renamed Method" in (out / "papers" / "index.html").read_text()
        index = json.loads((out / "search" / "search_index.json").read_text())["docs"]
        assert len(index) == docs_before and any(d["title"] == "A Renamed Method" for d in index)
        assert not (out / "search" / "papers.json").exists()
        # a removed entry's page goes too
        (mini.root / "papers" / "good-2024-method.yaml").unlink()
        assert rebuilder.poll() is True
        assert not (out / "papers" / "good-2024-method").exists()
        assert "good-2024-method" not in (out / "papers" / "index.html").read_text()
    finally:
        rebuilder.close()
    assert not list(tmp_path.glob(".sokkit-serve-*"))


def test_raw_blocks_round_trip_and_code_blocks_stay_inert():
    from sokkit.safe.html import code_block, esc_html
    from sokkit.site.rawhook import join_raw, split_raw

    page = "---\ntitle: x\n---\n\n<h1>x</h1>\n\n## Head\n\ntext\n\n<table><tr><td>a</td></tr></table>\n\n<ul>\n<li>b</li>\n</ul>\n"
    markdown, blocks = split_raw(page)
    assert blocks == ["<table><tr><td>a</td></tr></table>", "<ul>\n<li>b</li>\n</ul>"]
    assert "<!--sokkit:raw:0-->" in markdown and "## Head" in markdown and "<h1>x</h1>" in markdown
    joined = join_raw(markdown, blocks)
    assert joined.count("<li>b</li>") == 1 and "<td>a</td>" in joined and "sokkit:raw" not in joined
    # contributed text cannot forge a placeholder or a block boundary
    assert "<!--" not in esc_html("<!--sokkit:raw:0-->")
    block = code_block("@misc{a,\n\n  title = {```</code><script>x</script>}\n}", "bibtex")
    assert "\n" not in block and "<script>" not in block and "```" not in block
