"""The guide from evidence to decisions: for each deployment need in catalog/use-cases.yaml,
which method papers meet it, fail it or are contested on the recorded evidence, and how
many are untested. Built only from use-cases.yaml, the taxonomy and the entries (through
`fitness`); no page when the catalog has no use-cases.yaml."""

from __future__ import annotations

from collections import Counter

from ...safe.html import esc_html, md_text
from .context import Site
from .fitness import GUIDE_PAGE, STATUS_WORDS, assessments, reasons_html, use_case_link, use_cases

HERE = GUIDE_PAGE


def _property_rows(site: Site, name: str) -> list[str]:
    cases = use_cases(site)
    prop = cases.properties[name]
    axis = (lambda a: site.taxonomy.axes[a].label if site.taxonomy and a in site.taxonomy.axes else a)
    tested = []
    if prop.audit_attacks:
        tested.append("intention-audit attacks: " + ", ".join(esc_html(a) for a in prop.audit_attacks))
    if prop.observed:
        tested.append(esc_html(axis("observed")))
    if prop.untouched_levels:
        tested.append(esc_html(axis("level")) + " (fails at): "
                      + ", ".join(esc_html(site.label("level", v)) for v in prop.untouched_levels))
    if prop.claim_kinds:
        tested.append(esc_html(axis("claim_kind")) + ": " + ", ".join(esc_html(site.label("claim_kind", v)) for v in prop.claim_kinds))
    if prop.settings:
        tested.append(esc_html(axis("setting")) + ": " + ", ".join(site.value_link(HERE, "setting", v) for v in prop.settings))
    return [f'<li id="property-{name}"><strong>{esc_html(prop.label)}</strong>: {esc_html(prop.definition)}'
            + (f" <em>({'; '.join(tested)})</em>" if tested else "") + "</li>"]


def matrix(site: Site) -> str:
    """Technique family × use case: counts of method papers per status."""
    cases = use_cases(site)
    per = assessments(site)
    counts: dict[tuple[str, str], Counter] = {}
    families = sorted({f for pid in per for f in site.catalog.papers[pid].model.technique},
                      key=lambda f: site.label("technique", f))
    for pid, results in per.items():
        for family in site.catalog.papers[pid].model.technique:
            for name, result in results.items():
                counts.setdefault((family, name), Counter())[result.status] += 1
    head = "<tr><th>Technique family</th>" + "".join(
        f"<th>{use_case_link(site, HERE, n)}</th>" for n in cases.use_cases) + "</tr>"
    rows = []
    for family in families:
        cells = []
        for name in cases.use_cases:
            c = counts.get((family, name), Counter())
            cells.append("<td>" + " · ".join(f"{STATUS_WORDS[s].lower()} {c[s]}" for s in STATUS_WORDS if c[s]) + "</td>")
        rows.append(f"<tr><th>{site.value_link(HERE, 'technique', family)}</th>{''.join(cells)}</tr>")
    return '<table class="sokkit-guide-matrix">' + head + "".join(rows) + "</table>"


def use_case_block(site: Site, name: str) -> list[str]:
    cases = use_cases(site)
    case = cases.use_cases[name]
    out = [f'<h2 id="use-case-{name}">{esc_html(case.label)}</h2>', "", md_text(case.definition), "",
           "<p><strong>Requires:</strong></p>", "<ul>"]
    for prop in case.requires:
        out += _property_rows(site, prop)
    out += ["</ul>", ""]
    per = {pid: results[name] for pid, results in assessments(site).items()}
    for status in ("fails", "meets", "contested"):
        papers = [pid for pid, r in per.items() if r.status == status]
        out.append(f"<h3>{esc_html(STATUS_WORDS[status])} ({len(papers)})</h3>")
        if papers:
            out.append("<ul>")
            out += [f"<li>{site.paper_link(HERE, pid)} — {reasons_html(site, HERE, pid, per[pid])}</li>" for pid in papers]
            out.append("</ul>")
        out.append("")
    untested = [pid for pid, r in per.items() if r.status == "untested"]
    out += [f"<details><summary>{esc_html(STATUS_WORDS['untested'])} ({len(untested)})</summary>", "<ul>"]
    out += [f"<li>{site.paper_link(HERE, pid)} — {reasons_html(site, HERE, pid, per[pid])}</li>" for pid in untested]
    out += ["</ul></details>", ""]
    return out


def guide_page(site: Site) -> str:
    cases = use_cases(site)
    out = ["# Which method for which need", "",
           "Each need below is defined in `catalog/use-cases.yaml` with the properties it requires and the evidence "
           "that tests each property. A method paper *fails* a need when the recorded evidence shows a required "
           "property does not hold, *meets* it when the evidence shows every required property holds, is "
           "*contested* when the evidence disagrees, and is *untested* otherwise. The evidence is the entry's "
           "observed behaviour (from the attack papers it cites), this project's intention audit on the toy world, "
           "and the authors' own claims and settings.", "",
           "## At a glance", "", matrix(site), ""]
    for name in cases.use_cases:
        out += use_case_block(site, name)
    return "\n".join(out)


def pages(site: Site) -> dict[str, str]:
    if use_cases(site) is None:
        return {}
    return {GUIDE_PAGE: guide_page(site)}
