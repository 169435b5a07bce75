"""Benchmark and metric pages, each with an index table."""

from __future__ import annotations

from ...safe.html import esc_html, html_link, md_text
from ..markup import Column, anchor, front_matter, table, title_heading
from .context import Site
from .papers import paper_table


def benchmark_pages(site: Site) -> dict[str, str]:
    pages = {}
    rows = []
    for bid, entry in sorted(site.catalog.benchmarks.items()):
        b = entry.model
        here = f"benchmarks/{bid}.md"
        users = [e for e in site.catalog.papers.values() if bid in e.model.benchmarks]
        out = [front_matter(b.name), title_heading(b.name), ""]
        if b.full_name:
            out += [f"*{md_text(b.full_name)}*", ""]
        out += [md_text(b.description), "", "<ul>"]
        if b.introduced_by:
            out.append(f"<li>Introduced by {site.paper_link(here, b.introduced_by)}</li>")
        out.append("<li>Targets: " + site.value_links(here, "target", b.targets) + "</li>")
        out.append("<li>Metrics: " + (", ".join(
            anchor(here, f"metrics/{m}.md", site.catalog.metrics[m].model.name) if m in site.catalog.metrics else esc_html(m)
            for m in b.metrics) or "—") + "</li>")
        if b.links:
            out.append("<li>Links: " + " · ".join(html_link(u, site.label("link", k)) for k, u in b.links.items()) + "</li>")
        out.append(f"<li>Review status: {esc_html(site.label('review', b.review.status))}</li>")
        out += ["</ul>", "", f"## Papers evaluated on {md_text(b.name)}", "",
                paper_table(site, here, users) if users else "None yet.", ""]
        pages[here] = "\n".join(out)
        rows.append((bid, b, len(users)))
    index = ["# Benchmarks", "", table(rows, [
        Column("Benchmark", lambda r: anchor("benchmarks/index.md", f"benchmarks/{r[0]}.md", r[1].name), sort=lambda r: r[1].name),
        Column("Full name", lambda r: esc_html(r[1].full_name or "")),
        Column("Targets", lambda r: esc_html(", ".join(site.label("target", t) for t in r[1].targets)),
               values=lambda r: [site.label("target", t) for t in r[1].targets]),
        Column("Papers using it", lambda r: str(r[2]), sort=lambda r: str(r[2]), numeric=True),
    ])]
    pages["benchmarks/index.md"] = "\n".join(index)
    return pages


def metric_pages(site: Site) -> dict[str, str]:
    pages = {}
    for mid, entry in sorted(site.catalog.metrics.items()):
        m = entry.model
        here = f"metrics/{mid}.md"
        out = [front_matter(m.name), title_heading(m.name), "", md_text(m.definition), "", "<ul>",
               f"<li>Measures: {esc_html(site.label('metric_measures', m.measures))}</li>",
               f"<li>Direction: {esc_html(m.direction.replace('-', ' '))}</li>"]
        if m.introduced_by:
            out.append(f"<li>Introduced by {site.paper_link(here, m.introduced_by)}</li>")
        out.append("<li>Used by benchmarks: " + (", ".join(site.benchmark_link(here, b) for b in m.benchmarks) or "—") + "</li>")
        out += ["</ul>", ""]
        pages[here] = "\n".join(out)
    pages["metrics/index.md"] = "\n".join(["# Metrics", "", table(sorted(site.catalog.metrics.items()), [
        Column("Metric", lambda r: anchor("metrics/index.md", f"metrics/{r[0]}.md", r[1].model.name), sort=lambda r: r[1].model.name),
        Column("Measures", lambda r: esc_html(site.label("metric_measures", r[1].model.measures)),
               values=lambda r: [site.label("metric_measures", r[1].model.measures)]),
        Column("Direction", lambda r: esc_html(r[1].model.direction.replace("-", " ")), values=lambda r: [r[1].model.direction]),
        Column("Definition", lambda r: esc_html(r[1].model.definition)),
    ])])
    return pages


def pages(site: Site) -> dict[str, str]:
    return {**benchmark_pages(site), **metric_pages(site)}
