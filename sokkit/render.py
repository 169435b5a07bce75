"""Render a catalog to site pages: plain Python, no MkDocs internals.

`render_pages` returns {relative path: text}; the site builder writes them
next to the hand-written docs and lets MkDocs turn them into HTML. Every
contributed string goes through `htmlsafe` on its way in.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from .bibtex import bibtex_entry
from .catalog import Catalog, Entry
from .export import export_json, paper_url
from .htmlsafe import code_fence, esc_html, html_link, md_text
from .models import Paper

PAPERS_DIR = "papers"


def _paper_link(catalog: Catalog, paper_id: str, from_papers_dir: bool) -> str:
    entry = catalog.papers.get(paper_id)
    label = md_text(entry.model.title if entry else paper_id)
    target = f"{paper_id}.md" if from_papers_dir else f"{PAPERS_DIR}/{paper_id}.md"
    return f"[{label}]({target})" if entry else label


def _label(catalog: Catalog, axis: str, value: str | None) -> str:
    if value is None:
        return "—"
    taxonomy = catalog.taxonomy
    return md_text(taxonomy.label(axis, value) if taxonomy else value)


def _labels(catalog: Catalog, axis: str, values: list[str]) -> str:
    return ", ".join(_label(catalog, axis, v) for v in values) or "—"


def incoming_relations(catalog: Catalog) -> dict[str, list[tuple[str, str]]]:
    incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for source_id in sorted(catalog.papers):
        for rel in catalog.papers[source_id].model.relations:
            incoming[rel.target].append((rel.type, source_id))
    return incoming


def front_matter(title: str) -> str:
    """Page title for MkDocs, HTML-escaped: themes print it into <title> unescaped.

    JSON strings are valid YAML double-quoted scalars, so no YAML writer is needed.
    """
    return f"---\ntitle: {json.dumps(esc_html(' '.join(title.split())))}\n---\n\n"


def render_paper(catalog: Catalog, entry: Entry[Paper], incoming: list[tuple[str, str]]) -> str:
    paper = entry.model
    out = [front_matter(paper.title) + f"# {md_text(paper.title)}", ""]
    facts = [
        f"**Authors:** {md_text(', '.join(paper.authors))}",
        f"**Year:** {paper.year}" + (f" · **Venue:** {md_text(paper.venue)}" if paper.venue else ""),
    ]
    ids = []
    if paper.ids.arxiv:
        ids.append(html_link(f"https://arxiv.org/abs/{paper.ids.arxiv}", f"arXiv:{paper.ids.arxiv}"))
    if paper.ids.doi:
        ids.append(html_link(f"https://doi.org/{paper.ids.doi}", f"doi:{paper.ids.doi}"))
    ids.extend(html_link(url, kind) for kind, url in paper.links.items())
    if ids:
        facts.append("**Links:** " + " · ".join(ids))
    facts.append(f"**Review status:** {_label(catalog, 'review', paper.review.status)}")
    out += ["  \n".join(facts), ""]

    out += ["## Classification", "", "| Axis | Value |", "| --- | --- |"]
    rows = [
        ("Roles", _labels(catalog, "role", paper.roles)),
        ("Intention", _label(catalog, "intention", paper.intention)),
        ("Observed behaviour", _label(catalog, "observed", paper.observed)),
        ("Technique", _labels(catalog, "technique", paper.technique)),
        ("Targets", _labels(catalog, "target", paper.targets)),
        ("Setting", _labels(catalog, "setting", paper.setting)),
        ("Benchmarks", ", ".join(md_text(b) for b in paper.benchmarks) or "—"),
    ]
    out += [f"| {name} | {value} |" for name, value in rows] + [""]
    if paper.summary:
        out += ["## Summary", "", md_text(paper.summary), ""]
    if paper.rationale:
        out += ["## Why this classification", "", md_text(paper.rationale), ""]
    if paper.methods:
        out += ["## Methods introduced", "", "| Method | Family | Intention | Level | Description |", "| --- | --- | --- | --- | --- |"]
        for m in paper.methods:
            out.append(
                f"| {md_text(m.name)} | {_label(catalog, 'technique', m.family)} | {_label(catalog, 'intention', m.intention)} "
                f"| {_label(catalog, 'level', m.level)} | {md_text(m.description or '')} |"
            )
        out.append("")
    if paper.evidence:
        out += ["## Evidence on observed behaviour", ""]
        for ev in paper.evidence:
            note = f": {md_text(ev.note)}" if ev.note else ""
            out.append(f"- {_paper_link(catalog, ev.paper, True)} — {_label(catalog, 'observed', ev.indicates)}{note}")
        out.append("")
    if paper.claims:
        out += ["## Claims", ""]
        for claim in paper.claims:
            out.append(
                f"- **{_label(catalog, 'claim_kind', claim.kind)}** ({md_text(claim.source)}): {md_text(claim.statement)}"
            )
        out.append("")
    if paper.relations or incoming:
        out += ["## Relations", ""]
        for rel in paper.relations:
            note = f" — {md_text(rel.note)}" if rel.note else ""
            out.append(f"- this paper *{_label(catalog, 'relation', rel.type)}* {_paper_link(catalog, rel.target, True)}{note}")
        for rel_type, source in incoming:
            out.append(f"- {_paper_link(catalog, source, True)} *{_label(catalog, 'relation', rel_type)}* this paper")
        out.append("")
    out += ["## BibTeX", "", code_fence(bibtex_entry(paper, entry.id), "bibtex"), ""]
    return "\n".join(out)


def render_papers_index(catalog: Catalog) -> str:
    out = [
        "# Papers",
        "",
        f"{len(catalog.papers)} papers. The same data is available as [JSON](../downloads/catalog.json).",
        "",
        "| Paper | Year | Roles | Intention | Technique | Review |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for entry in sorted(catalog.papers.values(), key=lambda e: (-e.model.year, e.id)):
        p = entry.model
        out.append(
            f"| [{md_text(p.title)}]({entry.id}.md) | {p.year} | {_labels(catalog, 'role', p.roles)} "
            f"| {_label(catalog, 'intention', p.intention)} | {_labels(catalog, 'technique', p.technique)} "
            f"| {_label(catalog, 'review', p.review.status)} |"
        )
    return "\n".join(out) + "\n"


def render_taxonomy(catalog: Catalog) -> str:
    taxonomy = catalog.taxonomy
    out = ["# Taxonomy", "", "Every axis an entry is classified on, with the number of papers using each value.", ""]
    if taxonomy is None:
        return "\n".join(out)
    paper_fields = {"intention": "intention", "observed": "observed", "technique": "technique", "role": "roles",
                    "target": "targets", "setting": "setting", "review": None}
    counts: dict[str, Counter[str]] = {axis: Counter() for axis in paper_fields}
    for entry in catalog.papers.values():
        p = entry.model
        for axis, attr in paper_fields.items():
            value = p.review.status if axis == "review" else getattr(p, attr)
            for v in value if isinstance(value, list) else [value]:
                if v is not None:
                    counts[axis][v] += 1
    for axis_id, axis in taxonomy.axes.items():
        out += [f"## {md_text(axis.label)}", "", md_text(axis.description), ""]
        show_counts = axis_id in counts
        out += ["| Id | Value | Meaning |" + (" Papers |" if show_counts else ""),
                "| --- | --- | --- |" + (" --- |" if show_counts else "")]
        for value_id, value in axis.values.items():
            row = f"| `{value_id}` | {md_text(value.label)} | {md_text(value.description)} |"
            if show_counts:
                row += f" {counts[axis_id][value_id]} |"
            out.append(row)
        out.append("")
    return "\n".join(out)


def render_home(catalog: Catalog) -> str:
    papers = [e.model for e in catalog.papers.values()]
    methods = [p for p in papers if p.intention]
    out = [
        "# sokkit",
        "",
        "A knowledge base of machine unlearning for large language models, organised by **intention**: "
        "does a method set out to **remove** knowledge from the model, or only to **suppress** its expression? "
        "The distinction comes from *SoK: Machine Unlearning for Large Language Models* (arXiv 2506.09227).",
        "",
        f"The catalog holds **{len(papers)} papers**, **{len(catalog.benchmarks)} benchmarks** and "
        f"**{len(catalog.metrics)} metrics**. Browse the [papers](papers/index.md) or the [taxonomy](taxonomy.md).",
        "",
        "## Intention × technique family",
        "",
        "Method papers by the intention they were designed with and the technique families they use.",
        "",
    ]
    taxonomy = catalog.taxonomy
    if taxonomy is not None:
        intentions = list(taxonomy.ids("intention"))
        out += ["| Technique | " + " | ".join(_label(catalog, "intention", i) for i in intentions) + " |",
                "| --- |" + " --- |" * len(intentions)]
        for family in taxonomy.ids("technique"):
            row = [sum(1 for p in methods if p.intention == i and family in p.technique) for i in intentions]
            if any(row):
                out.append(f"| {_label(catalog, 'technique', family)} | " + " | ".join(map(str, row)) + " |")
        out.append("")
    recent = sorted(catalog.papers.values(), key=lambda e: (-e.model.year, e.id))[:10]
    if recent:
        out += ["## Most recent papers", ""]
        out += [f"- {_paper_link(catalog, e.id, False)} ({e.model.year})" for e in recent]
        out.append("")
    return "\n".join(out)


def render_pages(catalog: Catalog) -> dict[str, str]:
    """Every generated page and data file, keyed by path relative to the docs folder."""
    incoming = incoming_relations(catalog)
    pages = {
        "index.md": render_home(catalog),
        "taxonomy.md": render_taxonomy(catalog),
        f"{PAPERS_DIR}/index.md": render_papers_index(catalog),
        "downloads/catalog.json": export_json(catalog),
    }
    for paper_id, entry in catalog.papers.items():
        pages[f"{PAPERS_DIR}/{paper_id}.md"] = render_paper(catalog, entry, incoming.get(paper_id, []))
    return pages


NAV = [
    {"Home": "index.md"},
    {"Taxonomy": "taxonomy.md"},
    {"Papers": f"{PAPERS_DIR}/index.md"},
]


def nav_json() -> str:
    return json.dumps(NAV)


__all__ = ["render_pages", "NAV", "paper_url"]
