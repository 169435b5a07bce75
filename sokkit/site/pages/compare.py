"""Comparison tables of the papers per technique family and per benchmark."""

from __future__ import annotations

from ...safe.html import md_text
from ..markup import anchor, front_matter, title_heading
from .context import Site
from .papers import paper_table


def pages(site: Site) -> dict[str, str]:
    pages: dict[str, str] = {}
    index = ["# Compare", "", "Comparison tables of the papers in each technique family and on each benchmark, "
             "with their methods, intention, observed behaviour, benchmarks and the kinds of claims they make.", "",
             "## By technique family", "", "<ul>"]
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
    pages["compare/index.md"] = "\n".join(index)
    return pages
