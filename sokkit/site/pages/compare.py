"""Comparison tables of the papers per technique family and per benchmark."""

from __future__ import annotations

import json

from ...safe.html import md_text
from ..markup import anchor, front_matter, href, title_heading
from .context import Site
from .downloads import DOWNLOADS
from .papers import COMPARE_PAGE, paper_table

FIELDS_FILE = "compare/fields.json"
LABELLED_AXES = ("role", "intention", "observed", "technique", "level", "target", "setting", "relation", "claim_kind")


def fields_data(site: Site) -> str:
    """What the compare view needs beside downloads/catalog.json: taxonomy labels, benchmark
    names and each checkable claim's toy-world status (catalog/results/claims.json)."""
    labels = {axis: {v: site.label(axis, v) for v in site.taxonomy.ids(axis)} for axis in LABELLED_AXES
              if site.taxonomy is not None and axis in site.taxonomy.axes}
    claims: dict[str, dict[str, str]] = {}
    for pid, entry in site.catalog.papers.items():
        for claim in entry.model.claims:
            if claim.audit is not None:
                record = site.claim_results.get((pid, claim.id))
                claims.setdefault(pid, {})[claim.id] = record["status"] if record else "not yet run"
    return json.dumps({"labels": labels, "benchmarks": {b: e.model.name for b, e in sorted(site.catalog.benchmarks.items())},
                       "claims": claims}, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def picked_view(here: str) -> list[str]:
    """The side-by-side view of papers picked in any table (compare/?ids=a,b,c), filled by
    assets/sokkit-compare.js from the site's own JSON."""
    catalog_json = href(here, f"downloads/{DOWNLOADS['json'][0]}")
    return [
        "## Picked papers side by side", "",
        f'<div id="sokkit-compare" data-catalog="{catalog_json}" data-fields="{href(here, FIELDS_FILE)}">'
        '<p class="sokkit-compare-empty">Tick the box in front of papers in any table (papers, taxonomy values, '
        "families, benchmarks), then choose <em>Compare picked</em>; the address of this page then names them "
        "(<code>compare/?ids=a,b,c</code>) and can be shared.</p>"
        '<p id="sokkit-compare-status" role="status"></p></div>',
        f'<script src="{href(here, "assets/sokkit/sokkit-compare.js")}"></script>', "",
    ]


def pages(site: Site) -> dict[str, str]:
    pages: dict[str, str] = {}
    index = ["# Compare", "", "Pick papers in any table and compare them side by side, or read the comparison "
             "tables of the papers in each technique family and on each benchmark, with their methods, intention, "
             "observed behaviour, benchmarks and the kinds of claims they make.", "",
             *picked_view(COMPARE_PAGE), "## By technique family", "", "<ul>"]
    for family in (site.taxonomy.ids("technique") if site.taxonomy else ()):
        entries = [e for e in site.catalog.papers.values() if family in e.model.technique]
        if not entries:
            continue
        here = f"compare/{family}.md"
        title = site.label("technique", family)
        pages[here] = "\n".join([front_matter(f"Compare: {title}"), title_heading(title), "",
                                 md_text(site.taxonomy.axes["technique"].values[family].description), "",
                                 paper_table(site, here, entries, family=family)])
        index.append(f"<li>{anchor('compare/index.md', here, title)} ({len(entries)})</li>")
    index += ["</ul>", "", "## By benchmark", "", "<ul>"]
    for bid, bench in sorted(site.catalog.benchmarks.items()):
        entries = [e for e in site.catalog.papers.values() if bid in e.model.benchmarks]
        if not entries:
            continue
        here = f"compare/benchmark-{bid}.md"
        pages[here] = "\n".join([front_matter(f"Compare on {bench.model.name}"), title_heading(f"Papers evaluated on {bench.model.name}"), "",
                                 anchor(here, f"benchmarks/{bid}.md", f"About {bench.model.name}") + ".", "",
                                 paper_table(site, here, entries, family="")])
        index.append(f"<li>{anchor('compare/index.md', here, bench.model.name)} ({len(entries)})</li>")
    index += ["</ul>", ""]
    pages[COMPARE_PAGE] = "\n".join(index)
    pages[FIELDS_FILE] = fields_data(site)
    return pages
