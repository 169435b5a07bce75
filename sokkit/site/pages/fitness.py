"""Which deployment needs (catalog/use-cases.yaml) a method paper's evidence meets: the
assessments the guide page and the paper pages share, how one finding reads with the
entries and results it rests on, and the section on each method paper's page.

Every word about a use case or property comes from use-cases.yaml, every reason from
`catalog.usecases` (derived from the entry), every name from the taxonomy and the entries.
"""

from __future__ import annotations

from ...catalog import Entry
from ...catalog.models import Paper
from ...catalog.usecases import Finding, UseCaseAssessment, UseCases, assess
from ...safe.html import esc_html
from ..markup import anchor, href
from .context import PAPERS_DIR, Site

GUIDE_PAGE = "guide.md"
# How each status reads as a heading and on a paper page, in the order they are shown.
STATUS_WORDS = {"fails": "Fail", "meets": "Meet", "contested": "Contested", "untested": "Untested"}
FIT_WORDS = {"meets": "fit for", "fails": "unfit for", "contested": "contested for", "untested": "untested for"}


def use_cases(site: Site) -> UseCases | None:
    return site.catalog.use_cases.model if site.catalog.use_cases is not None else None


def is_method_paper(paper: Paper) -> bool:
    return "method" in paper.roles


def assessments(site: Site) -> dict[str, dict[str, UseCaseAssessment]]:
    """{paper id: {use case: assessment}} for every method paper, computed once per site."""
    cached = getattr(site, "_use_case_assessments", None)
    if cached is not None:
        return cached
    cases = use_cases(site)
    result: dict[str, dict[str, UseCaseAssessment]] = {}
    if cases is not None:
        for pid in sorted(site.catalog.papers):
            paper = site.catalog.papers[pid].model
            if is_method_paper(paper):
                result[pid] = {name: assess(paper, case, cases.properties, site.audit)
                               for name, case in cases.use_cases.items()}
    site._use_case_assessments = result  # type: ignore[attr-defined]
    return result


def use_case_link(site: Site, here: str, name: str) -> str:
    cases = use_cases(site)
    label = cases.use_cases[name].label if cases else name
    return f'<a href="{href(here, GUIDE_PAGE)}#use-case-{name}">{esc_html(label)}</a>'


def finding_html(site: Site, here: str, paper_id: str, finding: Finding) -> str:
    """One finding: its reason, linked to what it rests on; the audit's caveat beside
    every statement that rests on the toy-world audit."""
    kind, _, ref = finding.source.partition(":")
    if kind == "paper":
        source = site.paper_link(here, ref)
    elif kind == "audit":
        source = anchor(here, "audit.md", f"intention audit of {ref}")
        caveat = (use_cases(site).audit_caveat if use_cases(site) else None)
        if caveat:
            source += f" <em>({esc_html(caveat)})</em>"
    elif kind == "claim":
        source = anchor(here, f"{PAPERS_DIR}/{paper_id}.md", f"claim {ref}")
    else:
        source = anchor(here, f"{PAPERS_DIR}/{paper_id}.md", "the entry")
    return f"{esc_html(finding.reason)} — {source}"


def property_label(site: Site, name: str) -> str:
    cases = use_cases(site)
    return cases.properties[name].label if cases and name in cases.properties else name


def reasons_html(site: Site, here: str, paper_id: str, result: UseCaseAssessment, status: str | None = None) -> str:
    """The findings behind a use case's status, per property: those of the properties that
    decide it (failing ones for `fails`, contested ones for `contested`), all for `meets`."""
    status = status or result.status
    parts = []
    for prop, pa in result.properties.items():
        if status in ("fails", "contested") and pa.status != status:
            continue
        if status == "untested" and pa.status != "untested":
            continue
        findings = "; ".join(finding_html(site, here, paper_id, f) for f in pa.findings if f.status == pa.status)
        parts.append(f"<strong>{esc_html(property_label(site, prop))}</strong>: "
                     + (findings or esc_html(pa.status)))
    return "; ".join(parts)


def use_case_section(site: Site, here: str, entry: Entry[Paper]) -> list[str]:
    """The paper page's section: the use cases its method is fit / unfit / untested for."""
    per = assessments(site).get(entry.id)
    if not per:
        return []
    out = ["## Use cases", "", "<ul>"]
    for status in STATUS_WORDS:
        for name, result in per.items():
            if result.status != status:
                continue
            out.append(f"<li><strong>{esc_html(FIT_WORDS[status])}</strong> {use_case_link(site, here, name)}: "
                       f"{reasons_html(site, here, entry.id, result)}</li>")
    out += ["</ul>", ""]
    return out
