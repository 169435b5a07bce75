"""Render a catalog to site pages: plain Python, no MkDocs internals.

`render_pages` returns {path relative to the docs folder: text}; the site builder
writes them next to the hand-written docs and lets MkDocs turn them into HTML.
Every contributed string goes through `htmlsafe` on its way in: `md_text` in
Markdown, `esc_html` in raw HTML; links between pages are built from validated ids.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable

from .bibtex import bibtex_entry
from .catalog import Catalog, Entry
from .export import EXPORTERS
from .graph import view_data
from .htmlsafe import code_fence, esc_html, html_link, md_text
from .models import Paper
from .sitehtml import Column, anchor, href, page_url, table, title_heading
from .timeline import timeline_svg

PAPERS_DIR = "papers"
# Axes with a page per value, and how to read a paper's values on each.
PAPER_AXES: dict[str, Callable[[Paper], list[str]]] = {
    "intention": lambda p: [p.intention] if p.intention else [],
    "observed": lambda p: [p.observed] if p.observed else [],
    "technique": lambda p: list(p.technique),
    "level": lambda p: sorted({m.level for m in p.methods}),
    "role": lambda p: list(p.roles),
    "target": lambda p: list(p.targets),
    "setting": lambda p: list(p.setting),
    "review": lambda p: [p.review.status],
}
DOWNLOADS = {
    "json": ("catalog.json", "JSON: one object per paper (the stable export record)"),
    "bibtex": ("catalog.bib", "BibTeX: one entry per paper"),
    "csl-json": ("catalog.csl.json", "CSL-JSON: for Zotero, pandoc and citeproc"),
    "csv": ("catalog.csv", "CSV: one row per paper"),
    "graphml": ("catalog.graphml", "GraphML: papers, benchmarks and relations"),
}
NAV = [
    {"Home": "index.md"},
    {"Taxonomy": "taxonomy/index.md"},
    {"Papers": f"{PAPERS_DIR}/index.md"},
    {"Compare": "compare/index.md"},
    {"Benchmarks": "benchmarks/index.md"},
    {"Metrics": "metrics/index.md"},
    {"Graph": "graph.md"},
    {"Timeline": "timeline.md"},
    {"Checkable claims": "claims.md"},
    {"Intention audit": "audit.md"},
    {"Downloads": "downloads.md"},
]
# Generated per-item pages stay out of the navigation (see docs/architecture.md).
NOT_IN_NAV = ["/papers/*.md", "/taxonomy/*/*.md", "/compare/*.md", "/benchmarks/*.md", "/metrics/*.md"]


def front_matter(title: str) -> str:
    """Page title for MkDocs, HTML-escaped: themes print it into <title> unescaped.

    JSON strings are valid YAML double-quoted scalars, so no YAML writer is needed.
    """
    return f"---\ntitle: {json.dumps(esc_html(' '.join(title.split())))}\n---\n\n"


FEED_FILE = "feed.xml"


class Renderer:
    """One catalog's pages; keeps the label and link helpers in one place."""

    def __init__(self, catalog: Catalog, added: dict[str, str] | None = None):
        from .verify import load_results

        self.catalog = catalog
        self.taxonomy = catalog.taxonomy
        # paper id -> when it entered the catalog (sokkit.history)
        self.added = {pid: when for pid, when in (added or {}).items() if pid in catalog.papers}
        self.audit, claim_results = load_results(catalog)
        self.claim_results = {(r["paper"], r["claim"]): r for r in (claim_results or {}).get("claims", [])}
        self.claim_meta = claim_results or {}
        self.incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for source_id in sorted(catalog.papers):
            for rel in catalog.papers[source_id].model.relations:
                self.incoming[rel.target].append((rel.type, source_id))

    # --- labels and links ---------------------------------------------------------

    def label(self, axis: str, value: str | None) -> str:
        if value is None:
            return "—"
        return self.taxonomy.label(axis, value) if self.taxonomy else value

    def value_page(self, axis: str, value: str) -> str:
        return f"taxonomy/{axis}/{value}.md"

    def value_link(self, here: str, axis: str, value: str | None) -> str:
        if value is None:
            return "—"
        if self.taxonomy and self.taxonomy.has(axis, value) and axis in PAPER_AXES:
            return anchor(here, self.value_page(axis, value), self.label(axis, value))
        return esc_html(self.label(axis, value))

    def value_links(self, here: str, axis: str, values: list[str]) -> str:
        return ", ".join(self.value_link(here, axis, v) for v in values) or "—"

    def paper_link(self, here: str, paper_id: str) -> str:
        entry = self.catalog.papers.get(paper_id)
        if entry is None:
            return esc_html(paper_id)
        return anchor(here, f"{PAPERS_DIR}/{paper_id}.md", entry.model.title)

    def benchmark_link(self, here: str, bench_id: str) -> str:
        entry = self.catalog.benchmarks.get(bench_id)
        return anchor(here, f"benchmarks/{bench_id}.md", entry.model.name) if entry else esc_html(bench_id)

    # --- tables -----------------------------------------------------------------

    def paper_table(self, here: str, entries: list[Entry[Paper]], family: str | None = None) -> str:
        labels = lambda axis, values: [self.label(axis, v) for v in values]  # noqa: E731
        columns = [
            Column("Paper", lambda e: anchor(here, f"{PAPERS_DIR}/{e.id}.md", e.model.title), sort=lambda e: e.model.title),
            Column("Year", lambda e: str(e.model.year), values=lambda e: [str(e.model.year)],
                   sort=lambda e: str(e.model.year), numeric=True),
            Column("Intention", lambda e: esc_html(self.label("intention", e.model.intention)),
                   values=lambda e: labels("intention", PAPER_AXES["intention"](e.model)), sort=lambda e: e.model.intention or ""),
            Column("Observed", lambda e: esc_html(self.label("observed", e.model.observed)),
                   values=lambda e: labels("observed", PAPER_AXES["observed"](e.model)), sort=lambda e: e.model.observed or ""),
            Column("Roles", lambda e: esc_html(", ".join(labels("role", e.model.roles))),
                   values=lambda e: labels("role", e.model.roles)),
            Column("Technique", lambda e: esc_html(", ".join(labels("technique", e.model.technique))),
                   values=lambda e: labels("technique", e.model.technique)),
            Column("Targets", lambda e: esc_html(", ".join(labels("target", e.model.targets))),
                   values=lambda e: labels("target", e.model.targets)),
            Column("Venue", lambda e: esc_html(e.model.venue or "preprint"),
                   values=lambda e: [e.model.venue or "preprint"], sort=lambda e: e.model.venue or ""),
        ]
        if family is not None:
            columns.insert(4, Column(
                "Methods", lambda e: esc_html("; ".join(
                    f"{m.name} ({self.label('level', m.level)})" for m in e.model.methods if m.family == family) or "—"),
            ))
            columns.append(Column("Benchmarks", lambda e: ", ".join(self.benchmark_link(here, b) for b in e.model.benchmarks) or "—",
                                  values=lambda e: [self.catalog.benchmarks[b].model.name for b in e.model.benchmarks
                                                    if b in self.catalog.benchmarks]))
            columns.append(Column("Claims", lambda e: esc_html(", ".join(sorted({self.label("claim_kind", c.kind) for c in e.model.claims})) or "—"),
                                  values=lambda e: sorted({self.label("claim_kind", c.kind) for c in e.model.claims})))
        rows = sorted(entries, key=lambda e: (-e.model.year, e.id))
        return table(rows, columns)

    # --- pages ---------------------------------------------------------------------

    def paper_page(self, entry: Entry[Paper]) -> str:
        here = f"{PAPERS_DIR}/{entry.id}.md"
        p = entry.model
        out = [front_matter(p.title) + title_heading(p.title), ""]
        facts = ([f"<strong>Previously titled:</strong> {'; '.join(esc_html(t) for t in p.former_titles)}"]
                 if p.former_titles else [])
        facts += [f"<strong>Authors:</strong> {esc_html(', '.join(p.authors))}",
                 f"<strong>Year:</strong> {p.year}" + (f" · <strong>Venue:</strong> {esc_html(p.venue)}" if p.venue else "")]
        links = []
        if p.ids.arxiv:
            links.append(html_link(f"https://arxiv.org/abs/{p.ids.arxiv}", f"arXiv:{p.ids.arxiv}"))
        if p.ids.doi:
            links.append(html_link(f"https://doi.org/{p.ids.doi}", f"doi:{p.ids.doi}"))
        links.extend(html_link(url, self.label("link", kind)) for kind, url in p.links.items())
        if links:
            facts.append("<strong>Links:</strong> " + " · ".join(links))
        facts.append(f"<strong>Review status:</strong> {self.value_link(here, 'review', p.review.status)}"
                     + (f" — {esc_html(p.review.note)}" if p.review.note else ""))
        out += ['<p class="sokkit-facts">' + "<br>\n".join(facts) + "</p>", ""]
        rows = [
            ("Roles", self.value_links(here, "role", p.roles)),
            ("Intention", self.value_link(here, "intention", p.intention)),
            ("Observed behaviour", self.value_link(here, "observed", p.observed)),
            ("Technique", self.value_links(here, "technique", p.technique)),
            ("Targets", self.value_links(here, "target", p.targets)),
            ("Setting", self.value_links(here, "setting", p.setting)),
            ("Benchmarks", ", ".join(self.benchmark_link(here, b) for b in p.benchmarks) or "—"),
        ]
        out += ["## Classification", "", "<table>", *[f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows], "</table>", ""]
        if p.summary:
            out += ["## Summary", "", md_text(p.summary), ""]
        if p.rationale:
            out += ["## Why this classification", "", md_text(p.rationale), ""]
        if p.methods:
            out += ["## Methods introduced", "", "<table><tr><th>Method</th><th>Family</th><th>Intention</th><th>Level</th><th>Description</th></tr>"]
            for m in p.methods:
                out.append(f"<tr><td>{esc_html(m.name)}</td><td>{self.value_link(here, 'technique', m.family)}</td>"
                           f"<td>{self.value_link(here, 'intention', m.intention)}</td><td>{esc_html(self.label('level', m.level))}</td>"
                           f"<td>{esc_html(m.description or '')}</td></tr>")
            out += ["</table>", ""]
        if p.evidence:
            out += ["## Evidence on observed behaviour", "", "<ul>"]
            for ev in p.evidence:
                note = f": {esc_html(ev.note)}" if ev.note else ""
                source = self.paper_link(here, ev.paper) if ev.paper else self.audit_link(here, ev.audit)
                whose = {"third-party": "third-party evidence", "authors": "the authors' own evidence",
                         "audit": "this project's audit"}.get(ev.by or ("audit" if ev.audit else ""), "")
                detail = ", ".join(esc_html(x) for x in (ev.attack, whose) if x)
                out.append(f"<li>{source} — {esc_html(self.label('observed', ev.indicates))}"
                           f"{f' ({detail})' if detail else ''}{note}</li>")
            out += ["</ul>", ""]
        if p.claims:
            out += ["## Claims", "", "<ul>"]
            for claim in p.claims:
                out.append(f"<li><strong>{esc_html(self.label('claim_kind', claim.kind))}</strong> "
                           f"({esc_html(claim.source)}): {esc_html(claim.statement)}"
                           f"{self.claim_status(here, entry.id, claim)}</li>")
            out += ["</ul>", ""]
        incoming = self.incoming.get(entry.id, [])
        if p.relations or incoming:
            out += ["## Relations", "", "<ul>"]
            for rel in p.relations:
                note = f" — {esc_html(rel.note)}" if rel.note else ""
                out.append(f"<li>this paper <em>{esc_html(self.label('relation', rel.type))}</em> {self.paper_link(here, rel.target)}{note}</li>")
            for rel_type, source in incoming:
                out.append(f"<li>{self.paper_link(here, source)} <em>{esc_html(self.label('relation', rel_type))}</em> this paper</li>")
            out += ["</ul>", ""]
        out += ["## BibTeX", "", code_fence(bibtex_entry(p, entry.id), "bibtex"), ""]
        return "\n".join(out)

    def audit_link(self, here: str, method: str) -> str:
        """'Intention audit of <method>' with the verdict our toy-world run gave it."""
        result = (self.audit or {}).get("methods", {}).get(method)
        verdict = f" (toy world: {esc_html(result['verdict'])})" if result else " (not in the committed audit)"
        return anchor(here, "audit.md", f"Intention audit of the {method} reference implementation") + verdict

    def claim_status(self, here: str, paper_id: str, claim) -> str:
        """The toy-world verdict of a claim with an audit spec, with the numbers behind it."""
        if claim.audit is None:
            return ""
        spec = claim.audit
        what = f"{spec.method}" + (f", {spec.attack}" if spec.attack else "") + f", expects {spec.expects}"
        record = self.claim_results.get((paper_id, claim.id))
        if record is None:
            return f"<br><em>Checkable on the toy world ({esc_html(what)}); not yet run.</em>"
        n = record["numbers"]
        return (f'<br><span class="sokkit-claim sokkit-{esc_html(record["status"])}">{esc_html(record["status"])}</span> '
                f"on the toy world ({esc_html(what)}): difference {n['difference']:+.2f} ± {n.get('margin', n['spread']):.2f} "
                f"against threshold {n['threshold']:.2f} — {anchor(here, 'claims.md', 'how this was checked')}")

    def claims_page(self) -> str:
        here = "claims.md"
        rows = []
        for pid in sorted(self.catalog.papers):
            for claim in self.catalog.papers[pid].model.claims:
                if claim.audit is not None:
                    rows.append((pid, claim, self.claim_results.get((pid, claim.id))))
        meta = self.claim_meta
        out = ["# Checkable claims", "",
               "Claims from the catalog that carry an audit spec: which reference implementation, which attack of the "
               "intention audit, and what the paper predicts. `sokkit verify` runs the audit on the toy world and "
               "judges each claim: the difference between the method and the oracle retrained without the forget set, "
               "plus or minus a margin (its spread over seeds or the measured variation between machines, whichever is "
               "larger), against the audit's threshold; a claim whose status another machine could flip is inconclusive. The toy world is a small transformer "
               "trained on invented facts, not a large pretrained model: a result here says what the mechanism does in "
               "a controlled setting, not what the paper measured.", ""]
        if meta:
            out += ["<p>" + f"Results from <code>{esc_html(meta.get('command', ''))}</code>, code version "
                    f"<code>{esc_html(meta.get('code_version', ''))}</code>, {esc_html(meta.get('date', ''))}, seeds "
                    f"{esc_html(meta.get('seeds'))}. Rerun with <code>sokkit verify --check</code>; on a real model, see "
                    f"the reference implementations' README.</p>", ""]
            counts = Counter(r["status"] for r in self.claim_results.values())
            out += ["<p>" + ", ".join(f"{esc_html(k)}: {counts.get(k, 0)}" for k in ("reproduced", "not-reproduced", "inconclusive")) + "</p>", ""]
        out.append(table(rows, [
            Column("Paper", lambda r: self.paper_link(here, r[0]), sort=lambda r: r[0]),
            Column("Claim", lambda r: esc_html(r[1].statement)),
            Column("Kind", lambda r: esc_html(self.label("claim_kind", r[1].kind)), values=lambda r: [self.label("claim_kind", r[1].kind)]),
            Column("Method", lambda r: esc_html(r[1].audit.method), values=lambda r: [r[1].audit.method]),
            Column("Attack", lambda r: esc_html(r[1].audit.attack or "—"), values=lambda r: [r[1].audit.attack or "none"]),
            Column("Expects", lambda r: esc_html(r[1].audit.expects), values=lambda r: [r[1].audit.expects]),
            Column("Status", lambda r: esc_html(r[2]["status"] if r[2] else "not run"),
                   values=lambda r: [r[2]["status"] if r[2] else "not run"], sort=lambda r: r[2]["status"] if r[2] else ""),
            Column("Difference ± margin", lambda r: (f"{r[2]['numbers']['difference']:+.2f} ± {r[2]['numbers'].get('margin', r[2]['numbers']['spread']):.2f}"
                                                     f" (threshold {r[2]['numbers']['threshold']:.2f})") if r[2] else "—"),
        ]))
        return "\n".join(out)

    def audit_page(self) -> str:
        here = "audit.md"
        out = ["# Intention audit", "",
               "Each reference implementation unlearns the same forget set from the same toy model; then every attack "
               "is run on it and on the oracle retrained without the forget set. A method is *suppression-like* when "
               "some attack recovers measurably more than it does from the oracle, *removal-like* otherwise. These "
               "verdicts fill the observed-behaviour axis from evidence this project produced.", ""]
        if not self.audit:
            return "\n".join(out + ["No audit results yet: run `sokkit verify`.", ""])
        a = self.audit
        if (self.catalog.root / "results" / "audit.png").is_file():  # copied beside the pages by the site builder
            out += [f'<p><img src="{href(here, "audit.png")}" alt="Attack results per method and oracle"></p>', ""]
        rows = [("base", a["base"]), ("oracle", a["oracle"])] + sorted(a["methods"].items())
        out.append(table(rows, [
            Column("Model", lambda r: esc_html(r[0]), sort=lambda r: r[0]),
            Column("Design intent", lambda r: esc_html(r[1].get("intention") or "—"), values=lambda r: [r[1].get("intention") or "—"]),
            Column("Forget acc.", lambda r: f"{r[1]['forget_acc']:.2f}", sort=lambda r: f"{r[1]['forget_acc']:.4f}", numeric=True),
            Column("Retain acc.", lambda r: f"{r[1]['retain_acc']:.2f}", sort=lambda r: f"{r[1]['retain_acc']:.4f}", numeric=True),
            Column("Recovered by", lambda r: esc_html(", ".join(r[1].get("recovered_by", [])) or "—"),
                   values=lambda r: r[1].get("recovered_by", [])),
            Column("Verdict", lambda r: esc_html(r[1].get("verdict", "—")), values=lambda r: [r[1].get("verdict", "—")]),
        ]))
        settings = a.get("settings", {})
        out += ["", f"Seeds {esc_html(a.get('seeds'))}; versions {esc_html(a.get('versions'))}; verdict rule: "
                f"{esc_html(settings.get('verdict_rule', ''))}", ""]
        return "\n".join(out)

    def papers_index(self) -> str:
        here = f"{PAPERS_DIR}/index.md"
        return "\n".join([
            "# Papers", "",
            f"{len(self.catalog.papers)} papers. Filter and sort below; every paper is also in the "
            f"[downloads](../downloads.md).", "",
            self.paper_table(here, list(self.catalog.papers.values())),
        ])

    def taxonomy_index(self) -> str:
        here = "taxonomy/index.md"
        out = ["# Taxonomy", "", "Every axis an entry is classified on. Each value links to the papers that carry it.", ""]
        if self.taxonomy is None:
            return "\n".join(out)
        counts = self.counts()
        for axis_id, axis in self.taxonomy.axes.items():
            # Raw HTML with the validated axis id: a slug of the label could take a theme id.
            out += [f'<h2 id="{axis_id}">{esc_html(axis.label)}</h2>', "", md_text(axis.description), "", "<ul>"]
            for value_id, value in axis.values.items():
                if axis_id in PAPER_AXES:
                    name = anchor(here, self.value_page(axis_id, value_id), value.label) + f" ({counts[axis_id][value_id]})"
                else:
                    name = f"<strong>{esc_html(value.label)}</strong>"
                out.append(f"<li>{name} <code>{esc_html(value_id)}</code>: {esc_html(value.description)}</li>")
            out += ["</ul>", ""]
        return "\n".join(out)

    def counts(self) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = {axis: Counter() for axis in PAPER_AXES}
        for entry in self.catalog.papers.values():
            for axis, get in PAPER_AXES.items():
                counts[axis].update(get(entry.model))
        return counts

    def value_pages(self) -> dict[str, str]:
        pages = {}
        if self.taxonomy is None:
            return pages
        for axis, get in PAPER_AXES.items():
            for value_id, value in self.taxonomy.axes[axis].values.items():
                here = self.value_page(axis, value_id)
                entries = [e for e in self.catalog.papers.values() if value_id in get(e.model)]
                pages[here] = "\n".join([
                    front_matter(f"{self.taxonomy.axes[axis].label}: {value.label}"),
                    title_heading(f"{self.taxonomy.axes[axis].label}: {value.label}"), "",
                    md_text(value.description), "",
                    f"{len(entries)} paper{'s' * (len(entries) != 1)}. "
                    + anchor(here, "taxonomy/index.md", "All values of every axis") + ".", "",
                    self.paper_table(here, entries) if entries else "No papers yet.", "",
                ])
        return pages

    def compare_pages(self) -> dict[str, str]:
        pages: dict[str, str] = {}
        index = ["# Compare", "", "Comparison tables of the papers in each technique family and on each benchmark, "
                 "with their methods, intention, observed behaviour, benchmarks and the kinds of claims they make.", "",
                 "## By technique family", "", "<ul>"]
        for family in (self.taxonomy.ids("technique") if self.taxonomy else ()):
            entries = [e for e in self.catalog.papers.values() if family in e.model.technique]
            if not entries:
                continue
            here = f"compare/{family}.md"
            title = self.label("technique", family)
            pages[here] = "\n".join([front_matter(f"Compare: {title}"), title_heading(title), "",
                                     md_text(self.taxonomy.axes["technique"].values[family].description), "",
                                     self.paper_table(here, entries, family=family)])
            index.append(f"<li>{anchor('compare/index.md', here, title)} ({len(entries)})</li>")
        index += ["</ul>", "", "## By benchmark", "", "<ul>"]
        for bid, bench in sorted(self.catalog.benchmarks.items()):
            entries = [e for e in self.catalog.papers.values() if bid in e.model.benchmarks]
            if not entries:
                continue
            here = f"compare/benchmark-{bid}.md"
            pages[here] = "\n".join([front_matter(f"Compare on {bench.model.name}"), title_heading(f"Papers evaluated on {bench.model.name}"), "",
                                     anchor(here, f"benchmarks/{bid}.md", f"About {bench.model.name}") + ".", "",
                                     self.paper_table(here, entries, family="")])
            index.append(f"<li>{anchor('compare/index.md', here, bench.model.name)} ({len(entries)})</li>")
        index += ["</ul>", ""]
        pages["compare/index.md"] = "\n".join(index)
        return pages

    def benchmark_pages(self) -> dict[str, str]:
        pages = {}
        rows = []
        for bid, entry in sorted(self.catalog.benchmarks.items()):
            b = entry.model
            here = f"benchmarks/{bid}.md"
            users = [e for e in self.catalog.papers.values() if bid in e.model.benchmarks]
            out = [front_matter(b.name), title_heading(b.name), ""]
            if b.full_name:
                out += [f"*{md_text(b.full_name)}*", ""]
            out += [md_text(b.description), "", "<ul>"]
            if b.introduced_by:
                out.append(f"<li>Introduced by {self.paper_link(here, b.introduced_by)}</li>")
            out.append("<li>Targets: " + self.value_links(here, "target", b.targets) + "</li>")
            out.append("<li>Metrics: " + (", ".join(
                anchor(here, f"metrics/{m}.md", self.catalog.metrics[m].model.name) if m in self.catalog.metrics else esc_html(m)
                for m in b.metrics) or "—") + "</li>")
            if b.links:
                out.append("<li>Links: " + " · ".join(html_link(u, self.label("link", k)) for k, u in b.links.items()) + "</li>")
            out.append(f"<li>Review status: {esc_html(self.label('review', b.review.status))}</li>")
            out += ["</ul>", "", f"## Papers evaluated on {md_text(b.name)}", "",
                    self.paper_table(here, users) if users else "None yet.", ""]
            pages[here] = "\n".join(out)
            rows.append((bid, b, len(users)))
        index = ["# Benchmarks", "", table(rows, [
            Column("Benchmark", lambda r: anchor("benchmarks/index.md", f"benchmarks/{r[0]}.md", r[1].name), sort=lambda r: r[1].name),
            Column("Full name", lambda r: esc_html(r[1].full_name or "")),
            Column("Targets", lambda r: esc_html(", ".join(self.label("target", t) for t in r[1].targets)),
                   values=lambda r: [self.label("target", t) for t in r[1].targets]),
            Column("Papers using it", lambda r: str(r[2]), sort=lambda r: str(r[2]), numeric=True),
        ])]
        pages["benchmarks/index.md"] = "\n".join(index)
        return pages

    def metric_pages(self) -> dict[str, str]:
        pages = {}
        for mid, entry in sorted(self.catalog.metrics.items()):
            m = entry.model
            here = f"metrics/{mid}.md"
            out = [front_matter(m.name), title_heading(m.name), "", md_text(m.definition), "", "<ul>",
                   f"<li>Measures: {esc_html(self.label('metric_measures', m.measures))}</li>",
                   f"<li>Direction: {esc_html(m.direction.replace('-', ' '))}</li>"]
            if m.introduced_by:
                out.append(f"<li>Introduced by {self.paper_link(here, m.introduced_by)}</li>")
            out.append("<li>Used by benchmarks: " + (", ".join(self.benchmark_link(here, b) for b in m.benchmarks) or "—") + "</li>")
            out += ["</ul>", ""]
            pages[here] = "\n".join(out)
        pages["metrics/index.md"] = "\n".join(["# Metrics", "", table(sorted(self.catalog.metrics.items()), [
            Column("Metric", lambda r: anchor("metrics/index.md", f"metrics/{r[0]}.md", r[1].model.name), sort=lambda r: r[1].model.name),
            Column("Measures", lambda r: esc_html(self.label("metric_measures", r[1].model.measures)),
                   values=lambda r: [self.label("metric_measures", r[1].model.measures)]),
            Column("Direction", lambda r: esc_html(r[1].model.direction.replace("-", " ")), values=lambda r: [r[1].model.direction]),
            Column("Definition", lambda r: esc_html(r[1].model.definition)),
        ])])
        return pages

    def graph_page(self) -> str:
        here = "graph.md"
        data = view_data(self.catalog, lambda target: href(here, target).replace("&amp;", "&"))
        # Inside <script>, only "</" could end the block; escape every markup character.
        blob = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        blob = blob.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        relation_types = self.taxonomy.ids("relation") if self.taxonomy else ()
        boxes = "".join(f'<label><input type="checkbox" data-relation="{esc_html(t)}" checked> '
                        f"{esc_html(self.label('relation', t))}</label>" for t in (*relation_types, "uses_benchmark", "introduces"))
        families = "".join(f'<option value="{esc_html(f)}">{esc_html(self.label("technique", f))}</option>'
                           for f in (self.taxonomy.ids("technique") if self.taxonomy else ()))
        legend = " ".join(f'<span><span class="sokkit-swatch" style="background:{colour}"></span>{name}</span>'
                          for name, colour in (("removal", "#1e88e5"), ("suppression", "#e53935"),
                                               ("no intention", "#9e9e9e"), ("benchmark", "#43a047")))
        return "\n".join([
            "# Graph", "",
            f"{len(data['nodes'])} nodes and {len(data['edges'])} edges. Papers are placed by year (left to right) and by "
            "main technique family or role (top to bottom); colour shows intention. Click a node for details, "
            "double-click to open its page; scroll to zoom.", "",
            f'<div class="sokkit-graph-controls">{legend}</div>',
            f'<div class="sokkit-graph-controls"><select id="sokkit-graph-family" aria-label="Highlight a technique family">'
            f'<option value="">All families</option>{families}</select>{boxes}</div>',
            '<div id="sokkit-graph"></div>',
            '<div id="sokkit-graph-info"></div>',
            f'<script type="application/json" id="sokkit-graph-data">{blob}</script>',
            f'<script src="{href(here, "assets/sokkit/vendor/cytoscape.min.js")}"></script>',
            f'<script src="{href(here, "assets/sokkit/sokkit-graph.js")}"></script>',
            "",
        ])

    def home(self) -> str:
        here = "index.md"
        papers = [e.model for e in self.catalog.papers.values()]
        methods = [p for p in papers if p.intention]
        out = [
            "# sokkit", "",
            "A knowledge base of machine unlearning for large language models, organised by **intention**: "
            "does a method set out to **remove** knowledge from the model, or only to **suppress** its expression? "
            "The distinction comes from *SoK: Machine Unlearning for Large Language Models* (arXiv 2506.09227).", "",
            "- **Removal** methods change weights or representations so the knowledge is gone: no prompt, probe or "
            "light fine-tuning should bring it back, and the gold standard is a model retrained without the data.",
            "- **Suppression** methods keep the knowledge inside but stop it from showing: prompts, refusal training, "
            "output filters, inference-time offsets or steering.",
            "- **Observed behaviour** records what attacks actually found: many removal methods turned out "
            "*suppression-like* when relearning, quantization or probing brought the knowledge back.", "",
            f"The catalog holds **{len(papers)} papers**, **{len(self.catalog.benchmarks)} benchmarks** and "
            f"**{len(self.catalog.metrics)} metrics**: browse the [papers](papers/index.md), the "
            "[taxonomy](taxonomy/index.md), the [comparison tables](compare/index.md), the [graph](graph.md) "
            "or the [timeline](timeline.md), or [download](downloads.md) everything.", "",
            "## Intention × technique family", "",
            "Method papers by the intention they were designed with and the technique families they use; "
            "each count links to the papers.", "",
        ]
        if self.taxonomy is not None:
            intentions = list(self.taxonomy.ids("intention"))
            head = "".join(f"<th>{self.value_link(here, 'intention', i)}</th>" for i in intentions)
            out += ['<table class="sokkit-matrix">', f"<tr><th>Technique family</th>{head}<th>Suppression-like when tested</th></tr>"]
            for family in self.taxonomy.ids("technique"):
                cells = []
                for i in intentions:
                    n = sum(1 for p in methods if p.intention == i and family in p.technique)
                    cells.append(f"<td>{n}</td>")
                tested = sum(1 for p in methods if family in p.technique and p.observed == "suppression-like")
                if any(c != "<td>0</td>" for c in cells):
                    out.append(f"<tr><td>{anchor(here, f'compare/{family}.md', self.label('technique', family))}</td>"
                               + "".join(cells) + f"<td>{tested}</td></tr>")
            out += ["</table>", ""]
        if self.added:
            latest = self.latest_added(12)
            out += ["## Recently added", "",
                    f'<p>The latest entries in the catalog; follow them with the <a href="{href(here, FEED_FILE)}">Atom feed</a>.</p>',
                    "<ul>"]
            out += [f"<li>{self.paper_link(here, pid)} — added {esc_html(when[:10])}</li>" for pid, when in latest]
            out += ["</ul>", ""]
        recent = sorted(self.catalog.papers.values(), key=lambda e: (-e.model.year, e.id))[:12]
        if recent:
            out += ["## Newest papers", "", "<ul>"]
            out += [f"<li>{self.paper_link(here, e.id)} ({e.model.year})</li>" for e in recent]
            out += ["</ul>", ""]
        return "\n".join(out)

    def latest_added(self, n: int) -> list[tuple[str, str]]:
        return sorted(self.added.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)[:n]

    def atom_feed(self, n: int = 100) -> str:
        """Atom 1.0 of the latest additions, newest first; links are relative to the feed."""
        from xml.sax.saxutils import escape

        latest = self.latest_added(n)
        lines = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
                 "<title>sokkit: papers added to the catalog</title>", "<id>urn:sokkit:catalog</id>",
                 f"<updated>{escape(latest[0][1])}</updated>", '<link rel="alternate" href="./"/>']
        for pid, when in latest:
            p = self.catalog.papers[pid].model
            lines += ["<entry>", f"<title>{escape(p.title)}</title>", f"<id>urn:sokkit:paper:{escape(pid)}</id>",
                      f"<updated>{escape(when)}</updated>", f'<link href="{escape(page_url(f"{PAPERS_DIR}/{pid}.md"))}"/>',
                      *[f"<author><name>{escape(a)}</name></author>" for a in p.authors[:20]],
                      f"<summary>{escape(' '.join((p.summary or '').split()))}</summary>", "</entry>"]
        return "\n".join(lines + ["</feed>"]) + "\n"

    def downloads(self) -> str:
        out = ["# Downloads", "", "The whole catalog, regenerated with every build. The same files come from "
               "`sokkit export --format <format>`.", "", "<ul>"]
        for fmt, (name, what) in DOWNLOADS.items():
            out.append(f'<li><a href="{href("downloads.md", f"downloads/{name}")}" download>{esc_html(name)}</a> — '
                       f"{esc_html(what)} (<code>--format {fmt}</code>)</li>")
        out += ["</ul>", ""]
        return "\n".join(out)

    def timeline(self) -> str:
        return "\n".join(["# Timeline", "", "How the field grew: papers in the catalog per year, and per technique family "
                          "and year (a paper counts once for each family it uses).", "",
                          '<img src="' + href("timeline.md", "timeline.svg") + '" alt="Papers per year and technique family">', ""])


def render_pages(catalog: Catalog, added: dict[str, str] | None = None) -> dict[str, str]:
    """Every generated page and data file, keyed by path relative to the docs folder.
    `added` maps paper ids to the date they entered the catalog (sokkit.history); with
    it, the home page lists the latest additions and `feed.xml` is an Atom feed of them."""
    r = Renderer(catalog, added)
    pages = {
        "index.md": r.home(),
        "taxonomy/index.md": r.taxonomy_index(),
        f"{PAPERS_DIR}/index.md": r.papers_index(),
        "graph.md": r.graph_page(),
        "timeline.md": r.timeline(),
        "timeline.svg": timeline_svg(catalog),
        "downloads.md": r.downloads(),
        "claims.md": r.claims_page(),
        "audit.md": r.audit_page(),
    }
    pages.update(r.value_pages())
    pages.update(r.compare_pages())
    pages.update(r.benchmark_pages())
    pages.update(r.metric_pages())
    for paper_id, entry in catalog.papers.items():
        pages[f"{PAPERS_DIR}/{paper_id}.md"] = r.paper_page(entry)
    for fmt, (name, _) in DOWNLOADS.items():
        pages[f"downloads/{name}"] = EXPORTERS[fmt](catalog)
    if r.added:
        pages[FEED_FILE] = r.atom_feed()
    return pages


__all__ = ["render_pages", "NAV", "NOT_IN_NAV", "PAPERS_DIR", "FEED_FILE"]
