"""Deployment needs (`catalog/use-cases.yaml`) and what the catalog's evidence says of each
method paper against them.

A use case requires properties; a property names the kinds of evidence that test it. For
one method paper and one property the assessment is one of

    fails      some evidence shows the property does not hold (with what shows it)
    contested  the evidence disagrees (observed behaviour `contested`)
    meets      evidence shows it holds and none shows otherwise
    untested   no recorded evidence bears on it

and for a use case: `fails` if a required property fails, `meets` if all meet, `contested`
if one is contested and none fails, otherwise `untested` (naming what is untested).
For one property, in this order: a method that only works where the weights are left as
they were fails by construction; otherwise, when the property is tested by observed
behaviour and the entry has some, that decides (it is derived from the cited attack papers
and audits); otherwise this project's intention audit (toy world) and the authors' own
claims and settings are collected, and where they disagree the property is contested.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import Field

from .entries import Catalog, Entry, display_path
from .models import ShortText, Strict, Text, taxon
from .problems import Problem, load_optional_file
from .taxonomy import did_you_mean

USE_CASES_FILE = "use-cases.yaml"

STATUSES = ("fails", "contested", "meets", "untested")


# Property and use-case names: ids, since the site builds anchors and links from them.
Key = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]


class Property(Strict):
    """One thing a deployment needs, and the evidence that tests it."""

    label: ShortText
    definition: Text
    # Checked against the audit's attack names by validate, which knows the registry.
    audit_attacks: list[Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]] = Field(
        default_factory=list, description="Intention-audit attacks that test it (toy world).")
    observed: bool = Field(False, description="Whether the entry's observed behaviour (removal-like / suppression-like) tests it.")
    untouched_levels: list[taxon("level")] = Field(
        default_factory=list, description="Method levels that leave the weights as they were, failing it by construction.")
    claim_kinds: list[taxon("claim_kind")] = Field(
        default_factory=list, description="Claim kinds by which a paper's authors report meeting it.")
    settings: list[taxon("setting")] = Field(
        default_factory=list, description="Evaluation settings of a paper that show it.")


class UseCase(Strict):
    label: ShortText
    definition: Text
    requires: list[Key] = Field(min_length=1, description="Property ids from `properties`.")


class UseCases(Strict):
    """catalog/use-cases.yaml."""

    properties: dict[Key, Property]
    use_cases: dict[Key, UseCase]
    audit_caveat: Text | None = Field(
        None, description="Shown next to every statement that rests on this project's toy-world audit.")


@dataclass(frozen=True)
class Finding:
    """One piece of evidence for or against a property: what it says and what it rests on."""

    status: str          # fails / contested / meets
    reason: str          # plain text, one clause
    source: str          # "paper:<id>", "audit:<method>", "entry" (the entry's own fields)
    whose: str           # construction / third-party / authors / audit


@dataclass
class PropertyAssessment:
    status: str
    findings: list[Finding] = field(default_factory=list)


@dataclass
class UseCaseAssessment:
    status: str
    properties: dict[str, PropertyAssessment]

    @property
    def untested(self) -> list[str]:
        return [p for p, a in self.properties.items() if a.status == "untested"]

    @property
    def failing(self) -> list[str]:
        return [p for p, a in self.properties.items() if a.status == "fails"]


def _combine(statuses: Iterable[str]) -> str:
    """A use case's status from its properties' (see the module docstring)."""
    statuses = set(statuses)
    if "fails" in statuses:
        return "fails"
    if "contested" in statuses:
        return "contested"
    return "meets" if statuses == {"meets"} else "untested"


def audit_failures(audit: dict[str, Any] | None, method: str) -> tuple[set[str], set[str]] | None:
    """(attacks that recovered, attacks run) for a reference implementation in the audit
    results, or None when the audit did not run it. A method the audit found not to forget
    fails its forgetting checks."""
    if not audit or method not in audit.get("methods", {}):
        return None
    row = audit["methods"][method]
    recovered = set(row.get("recovered_by", []))
    if row.get("verdict") == "not-forgotten":
        recovered |= {"no_attack"}
    return recovered, set(row.get("attacks", []))


OBSERVED_STATUS = {"suppression-like": "fails", "removal-like": "meets", "contested": "contested"}


def assess_property(paper, prop: Property, audit: dict[str, Any] | None) -> PropertyAssessment:
    """The status of one property for one method paper (rule in the module docstring)."""
    levels = {m.level for m in paper.methods}
    if prop.untouched_levels and levels and levels <= set(prop.untouched_levels):
        return PropertyAssessment("fails", [Finding(
            "fails", f"it works at the {' and '.join(sorted(levels))} level only, leaving the weights as they were",
            "entry", "construction")])
    if prop.observed and paper.observed in OBSERVED_STATUS:
        # The observed axis is already derived from every cited attack paper and audit
        # (OBSERVED_RULE), so it decides; the items are listed as what it rests on.
        findings = []
        for ev in paper.evidence:
            if ev.indicates not in OBSERVED_STATUS:
                continue
            attack = f"{ev.attack}: " if ev.attack else ""
            source, whose = (f"paper:{ev.paper}", ev.by or "third-party") if ev.paper else (f"audit:{ev.audit}", "audit")
            findings.append(Finding(OBSERVED_STATUS[ev.indicates], f"{attack}{ev.indicates}", source, whose))
        return PropertyAssessment(OBSERVED_STATUS[paper.observed], findings)
    findings = []
    for ev in paper.evidence:
        result = audit_failures(audit, ev.audit) if ev.audit and prop.audit_attacks else None
        if result is None:
            continue
        recovered, ran = result
        tested = [a for a in prop.audit_attacks if a in ran]
        hit = [a for a in tested if a in recovered]
        if hit:
            findings.append(Finding("fails", f"the toy-world audit recovers it by {', '.join(hit)}", f"audit:{ev.audit}", "audit"))
        elif tested:
            findings.append(Finding("meets", f"the toy-world audit does not recover it by {', '.join(tested)}",
                                    f"audit:{ev.audit}", "audit"))
    for claim in paper.claims:
        if claim.kind in prop.claim_kinds:
            findings.append(Finding("meets", f"the authors report it ({claim.kind})", f"claim:{claim.id}", "authors"))
    shown = [s for s in paper.setting if s in prop.settings]
    if shown:
        findings.append(Finding("meets", f"the authors evaluate it in the {' and '.join(shown)} setting", "entry", "authors"))
    statuses = {f.status for f in findings}
    if statuses == {"fails", "meets"}:
        return PropertyAssessment("contested", findings)  # e.g. the authors' claim against the toy-world audit
    return PropertyAssessment(statuses.pop() if statuses else "untested", findings)


def assess(paper, use_case: UseCase, properties: dict[str, Property], audit: dict[str, Any] | None) -> UseCaseAssessment:
    per = {p: assess_property(paper, properties[p], audit) for p in use_case.requires}
    return UseCaseAssessment(_combine(a.status for a in per.values()), per)


def load_use_cases(catalog: Catalog) -> list[Problem]:
    """The optional catalog/use-cases.yaml: parsed strictly, validated, and every `requires`
    checked against the properties defined. Sets `catalog.use_cases` when it is valid; a
    missing file is no problem (the site then has no guide page)."""
    path = catalog.root / USE_CASES_FILE
    shown = display_path(path)
    doc, model, problems = load_optional_file(path, shown, UseCases, {"taxonomy": catalog.taxonomy},
                                              mapping_of="'properties' and 'use_cases'")
    if model is None:
        return problems
    problems = []
    defined = tuple(model.properties)
    for name, case in model.use_cases.items():
        for i, prop in enumerate(case.requires):
            if prop not in model.properties:
                loc = ("use_cases", name, "requires", i)
                problems.append(Problem(shown, doc.line_of(loc), f"use_cases.{name}.requires[{i}]",
                                        f"no property '{prop}' in 'properties'", defined, did_you_mean(prop, defined)))
    if problems:
        return problems
    catalog.use_cases = Entry("use-cases", "use-cases", shown, model, doc)
    return []
