"""Rules that tie several fields of one paper together, beyond what the schema says."""

from __future__ import annotations

from collections.abc import Iterator

from .models import Paper
from .yamlsafe import Loc

OBSERVED_RULE = ("rule: every piece of evidence suppression-like gives suppression-like, every piece removal-like "
                 "gives removal-like, any mix or any contested piece gives contested, no evidence gives untested")


def observed_from_evidence(paper: Paper) -> str:
    """The observed behaviour an entry's evidence supports, by OBSERVED_RULE, so the axis
    cannot drift from what the entry cites."""
    found = {e.indicates for e in paper.evidence if e.indicates != "untested"}
    if not found:
        return "untested"
    if len(found) == 1:
        return found.pop()
    return "contested"


def paper_rules(paper: Paper, entry_id: str) -> Iterator[tuple[Loc, str, str]]:
    """Rules that tie several fields of one paper together: (loc, message, severity).

    A draft only needs its facts: missing classification is a warning there, so that
    `sokkit add` and `import-bib` can create valid drafts for someone to classify. A
    metadata-only entry, whose abstract could not be read, carries no classification at
    all: classifying it would be a guess.
    """
    status = paper.review.status
    draft = status == "draft"
    needed = "warning" if draft else "error"
    later = " (needed before the entry leaves draft)" if draft else ""
    is_method = "method" in paper.roles
    # A metadata-only entry is unclassified by definition: it says so instead of warning.
    unread = status == "metadata-only"
    if unread and paper.claims:
        yield ("claims",), "a metadata-only entry has no claims: its abstract was not read (set review.status to provisional once it is)", "error"
    if unread and (paper.intention or paper.technique or paper.methods):
        yield ("intention",), "a metadata-only entry is not classified: its abstract was not read (leave out intention, technique and methods)", "error"
    if not paper.roles and not unread:
        yield ("roles",), f"a paper needs at least one role{later}", needed
    if is_method and not unread:
        if paper.intention is None:
            yield ("intention",), f"a method paper needs an intention (allowed: removal, suppression){later}", needed
        if not paper.technique:
            yield ("technique",), f"a method paper needs at least one technique family{later}", needed
        if not paper.rationale:
            yield ("rationale",), f"a method paper needs a rationale saying why its intention is what it is{later}", needed
    elif paper.intention is not None:
        yield ("intention",), "only method papers have an intention; set 'intention: null' or add the role 'method'", "error"
    if paper.observed not in (None, "untested") and not paper.evidence:
        yield ("observed",), f"observed behaviour '{paper.observed}' needs evidence: list the papers that show it under 'evidence'", "error"
    if paper.evidence and paper.observed is None:
        yield ("evidence",), "evidence is given but 'observed' is not set", "error"
    derived = observed_from_evidence(paper)
    if paper.evidence and paper.observed is not None and paper.observed != derived:
        yield ("observed",), (f"observed behaviour '{paper.observed}' does not follow from the evidence, which gives "
                              f"'{derived}' ({OBSERVED_RULE})"), "error"
    for i, ev in enumerate(paper.evidence):
        if (ev.paper is None) == (ev.audit is None):
            yield ("evidence", i), "an evidence item names either a 'paper' or an 'audit' (a reference implementation), not both or neither", "error"
    if not draft and not paper.review.checked:
        yield ("review", "checked"), f"review status '{paper.review.status}' needs 'checked' to say what the facts were checked against", "error"
    seen_claims: dict[str, int] = {}
    for i, claim in enumerate(paper.claims):
        if claim.id in seen_claims:
            yield ("claims", i, "id"), f"claim id '{claim.id}' is used twice in this file (also claims[{seen_claims[claim.id]}])", "error"
        seen_claims.setdefault(claim.id, i)
    seen_edges: set[tuple[str, str]] = set()
    for i, rel in enumerate(paper.relations):
        if rel.target == entry_id:
            yield ("relations", i, "target"), "a paper cannot relate to itself", "error"
        if (rel.type, rel.target) in seen_edges:
            yield ("relations", i), f"relation '{rel.type}' to '{rel.target}' is listed twice", "error"
        seen_edges.add((rel.type, rel.target))
    for axis_field in ("roles", "technique", "targets", "setting", "benchmarks"):
        values = getattr(paper, axis_field)
        for i, value in enumerate(values):
            if value in values[:i]:
                yield (axis_field, i), f"'{value}' is listed twice", "error"
