"""A page per paper: facts, classification, methods, evidence, claims, relations, BibTeX."""

from __future__ import annotations

from ...catalog import Entry
from ...catalog.models import Paper
from ...export import bibtex_entry
from ...safe.html import code_block, esc_html, html_link, md_text
from ..markup import anchor, front_matter, title_heading
from .claimspec import difference_text, spec_text
from .context import PAPERS_DIR, Site
from .fitness import use_case_section
from .neighbourhood import neighbourhood_svg


def paper_page(site: Site, entry: Entry[Paper]) -> str:
    here = f"{PAPERS_DIR}/{entry.id}.md"
    p = entry.model
    out = [front_matter(p.title, search=False) + title_heading(p.title), ""]  # indexed by pages/search.py
    facts = ([f"<strong>Previously titled:</strong> {'; '.join(esc_html(t) for t in p.former_titles)}"]
             if p.former_titles else [])
    facts += [f"<strong>Authors:</strong> {esc_html(', '.join(p.authors))}",
             f"<strong>Year:</strong> {p.year}" + (f" · <strong>Venue:</strong> {esc_html(p.venue)}" if p.venue else "")]
    links = []
    if p.ids.arxiv:
        links.append(html_link(f"https://arxiv.org/abs/{p.ids.arxiv}", f"arXiv:{p.ids.arxiv}"))
    if p.ids.doi:
        links.append(html_link(f"https://doi.org/{p.ids.doi}", f"doi:{p.ids.doi}"))
    links.extend(html_link(url, site.label("link", kind)) for kind, url in p.links.items())
    if links:
        facts.append("<strong>Links:</strong> " + " · ".join(links))
    facts.append(f"<strong>Review status:</strong> {site.value_link(here, 'review', p.review.status)}"
                 + (f" — {esc_html(p.review.note)}" if p.review.note else ""))
    out += ['<p class="sokkit-facts">' + "<br>\n".join(facts) + "</p>", ""]
    rows = [
        ("Roles", site.value_links(here, "role", p.roles)),
        ("Intention", site.value_link(here, "intention", p.intention)),
        ("Observed behaviour", site.value_link(here, "observed", p.observed)),
        ("Technique", site.value_links(here, "technique", p.technique)),
        ("Targets", site.value_links(here, "target", p.targets)),
        ("Setting", site.value_links(here, "setting", p.setting)),
        ("Benchmarks", ", ".join(site.benchmark_link(here, b) for b in p.benchmarks) or "—"),
    ]
    out += ["## Classification", "", '<div class="sokkit-scroll" tabindex="0"><table class="sokkit-fields">', *[f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows], "</table></div>", ""]
    if p.summary:
        out += ["## Summary", "", md_text(p.summary), ""]
    if p.rationale:
        out += ["## Why this classification", "", md_text(p.rationale), ""]
    if p.methods:
        out += ["## Methods introduced", "", '<div class="sokkit-scroll" tabindex="0"><table class="sokkit-fields"><tr><th>Method</th><th>Family</th><th>Intention</th><th>Level</th><th>Description</th></tr>']
        for m in p.methods:
            out.append(f"<tr><td>{esc_html(m.name)}</td><td>{site.value_link(here, 'technique', m.family)}</td>"
                       f"<td>{site.value_link(here, 'intention', m.intention)}</td><td>{esc_html(site.label('level', m.level))}</td>"
                       f"<td>{esc_html(m.description or '')}</td></tr>")
        out += ["</table></div>", ""]
    if p.evidence:
        out += ["## Evidence on observed behaviour", "", "<ul>"]
        for ev in p.evidence:
            note = f": {esc_html(ev.note)}" if ev.note else ""
            source = site.paper_link(here, ev.paper) if ev.paper else audit_link(site, here, ev.audit)
            whose = {"third-party": "third-party evidence", "authors": "the authors' own evidence",
                     "audit": "this project's audit"}.get(ev.by or ("audit" if ev.audit else ""), "")
            detail = ", ".join(esc_html(x) for x in (ev.attack, whose) if x)
            out.append(f"<li>{source} — {esc_html(site.label('observed', ev.indicates))}"
                       f"{f' ({detail})' if detail else ''}{note}</li>")
        out += ["</ul>", ""]
    if p.claims:
        out += ["## Claims", "", "<ul>"]
        for claim in p.claims:
            out.append(f"<li><strong>{esc_html(site.label('claim_kind', claim.kind))}</strong> "
                       f"({esc_html(claim.source)}): {esc_html(claim.statement)}"
                       f"{claim_status(site, here, entry.id, claim)}</li>")
        out += ["</ul>", ""]
    out += use_case_section(site, here, entry)
    out.append(neighbourhood_svg(site, here, entry.id))
    incoming = site.incoming.get(entry.id, [])
    if p.relations or incoming:
        out += ["## Relations", "", "<ul>"]
        for rel in p.relations:
            note = f" — {esc_html(rel.note)}" if rel.note else ""
            out.append(f"<li>this paper <em>{esc_html(site.label('relation', rel.type))}</em> {site.paper_link(here, rel.target)}{note}</li>")
        for rel_type, source in incoming:
            out.append(f"<li>{site.paper_link(here, source)} <em>{esc_html(site.label('relation', rel_type))}</em> this paper</li>")
        out += ["</ul>", ""]
    out += ["## BibTeX", "", code_block(bibtex_entry(p, entry.id), "bibtex"), ""]
    return "\n".join(out)


def audit_link(site: Site, here: str, method: str) -> str:
    """'Intention audit of <method>' with the verdict our toy-world run gave it."""
    result = (site.audit or {}).get("methods", {}).get(method)
    verdict = f" (toy world: {esc_html(result['verdict'])})" if result else " (not in the committed audit)"
    return anchor(here, "audit.md", f"Intention audit of the {method} reference implementation") + verdict

def claim_status(site: Site, here: str, paper_id: str, claim) -> str:
    """The toy-world verdict of a claim with an audit spec, with the numbers behind it."""
    if claim.audit is None:
        return f"<br><em>{esc_html(claim.note)}</em>" if claim.note else ""
    spec = claim.audit
    what = spec_text(spec)
    record = site.claim_results.get((paper_id, claim.id))
    if record is None:
        return f"<br><em>Checkable on the toy world ({esc_html(what)}); not yet run.</em>"
    n = record["numbers"]
    return (f'<br><span class="sokkit-claim sokkit-{esc_html(record["status"])}">{esc_html(record["status"])}</span> '
            f"on the toy world ({esc_html(what)}): difference {difference_text(record, spec)} "
            f"— {anchor(here, 'claims.md', 'how this was checked')}")


def pages(site: Site) -> dict[str, str]:
    return {f"{PAPERS_DIR}/{paper_id}.md": paper_page(site, entry) for paper_id, entry in site.catalog.papers.items()}
