"""Claims' audit specs and their check against the reference implementations' registry.

The registry is the torch-free top of `reference_impls`, so validation needs no torch.
`audit_spec_checks` is the cross-entry check that `sokkit.validate` adds to the catalog's.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog, Problem
from ..catalog.models import Claim
from ..catalog.problems import field_path

# Which audit attacks can test which kind of claim; None means the spec takes no attack.
KIND_ATTACKS: dict[str, tuple[str, ...] | None] = {
    "relearning-recovers": ("relearn",),
    "finetuning-recovers": ("finetune",),
    "quantization-recovers": ("quant8", "quant4"),
    "probing-recovers": ("probe",),
    "prompting-recovers": ("paraphrase",),
    "membership-detectable": ("membership",),
}
# What a claim of an attack kind may predict: that the attack recovers (against the oracle),
# or that it recovers more from the method than from another (`than`).
ATTACK_KIND_EXPECTS = ("recovers", "recovers-more")
KIND_EXPECTS = {
    "forgetting-achieved": ("forgets", "reduces", "does-not-recover", "forgets-more"),
    "utility-preserved": ("preserves-utility", "preserves-utility-better"),
    "robust-to-attack": ("does-not-recover", "recovers-less"),
}
# Predictions that compare the method with another reference implementation (`than`):
# each with whether it is judged on an attack.
COMPARATIVE = {"recovers-less": True, "recovers-more": True, "forgets-more": False, "preserves-utility-better": False}
ABSOLUTE = {"recovers": True, "does-not-recover": True, "forgets": False, "reduces": False, "preserves-utility": False}
STATUSES = ("reproduced", "not-reproduced", "inconclusive")


class RegistryUnavailable(Exception):
    pass


def registry() -> tuple[dict[str, str], tuple[str, ...]]:
    """The reference implementations' method classes (name -> intention) and attacks.

    Imported from the torch-free top of `reference_impls`, so validation needs no torch.
    """
    try:
        from reference_impls import ATTACKS, METHODS
    except ImportError as exc:  # the package is not on the path (an installed sokkit)
        raise RegistryUnavailable(str(exc)) from None
    return dict(METHODS), tuple(ATTACKS)


def spec_problems(claim: Claim, methods: dict[str, str], attacks: tuple[str, ...]) -> Iterator[tuple[tuple, str, tuple[str, ...]]]:
    """(loc under the claim, message, allowed values) for each problem of its audit spec."""
    spec = claim.audit
    if spec is None:
        return
    if spec.method not in methods:
        yield ("audit", "method"), f"no reference implementation '{spec.method}'", tuple(methods)
    comparative = spec.expects in COMPARATIVE
    if comparative and spec.than is None:
        yield ("audit", "than"), (f"expects '{spec.expects}' compares the method with another: "
                                  "name it with 'than: <reference implementation>'"), tuple(m for m in methods if m != spec.method)
    if not comparative and spec.than is not None:
        yield ("audit", "than"), (f"expects '{spec.expects}' is judged against the oracle and takes no 'than'; "
                                  "remove it or use a comparative expectation"), tuple(COMPARATIVE)
    if spec.than is not None:
        if spec.than not in methods:
            yield ("audit", "than"), f"no reference implementation '{spec.than}'", tuple(methods)
        elif spec.than == spec.method:
            yield ("audit", "than"), f"'than' must name another reference implementation than '{spec.method}'", \
                tuple(m for m in methods if m != spec.method)
    needs_attack = {**COMPARATIVE, **ABSOLUTE}[spec.expects]
    if needs_attack and spec.attack is None:
        yield ("audit", "attack"), f"expects '{spec.expects}' needs an attack", attacks
    if not needs_attack and spec.attack is not None:
        yield ("audit", "attack"), f"expects '{spec.expects}' takes no attack; remove it", ()
    if spec.attack is not None and spec.attack not in attacks:
        yield ("audit", "attack"), f"no audit attack '{spec.attack}'", attacks
    allowed_attacks = KIND_ATTACKS.get(claim.kind)
    if allowed_attacks is not None:
        if spec.expects not in ATTACK_KIND_EXPECTS:
            yield ("audit", "expects"), (f"a '{claim.kind}' claim predicts that the attack recovers "
                                         "(or recovers more than from another method)"), ATTACK_KIND_EXPECTS
        elif spec.attack is not None and spec.attack not in allowed_attacks:
            yield ("audit", "attack"), f"a '{claim.kind}' claim is tested by another attack", allowed_attacks
    elif claim.kind in KIND_EXPECTS and spec.expects not in KIND_EXPECTS[claim.kind]:
        yield ("audit", "expects"), f"a '{claim.kind}' claim cannot expect '{spec.expects}'", KIND_EXPECTS[claim.kind]


def audit_spec_checks(catalog: Catalog) -> list[Problem]:
    """Claims' audit specs, and audit evidence, must name reference implementations and attacks that exist."""
    with_specs = [(e, i, c) for e in catalog.papers.values() for i, c in enumerate(e.model.claims) if c.audit]
    audit_evidence = [(e, i, ev) for e in catalog.papers.values() for i, ev in enumerate(e.model.evidence) if ev.audit]
    if not with_specs and not audit_evidence:
        return []
    try:
        methods, attacks = registry()
    except RegistryUnavailable as exc:
        entry, i, _ = (with_specs or audit_evidence)[0]
        loc = ("claims", i, "audit") if with_specs else ("evidence", i, "audit")
        return [Problem(entry.path, entry.line(*loc), field_path(loc),
                        f"cannot check audit references: the reference implementations are not importable ({exc})",
                        severity="warning")]
    problems = []
    for entry, i, ev in audit_evidence:
        if ev.audit not in methods:
            loc = ("evidence", i, "audit")
            problems.append(Problem(entry.path, entry.line(*loc), field_path(loc),
                                    f"no reference implementation '{ev.audit}'", tuple(methods)))
    for entry, i, claim in with_specs:
        for loc, message, allowed in spec_problems(claim, methods, attacks):
            full = ("claims", i, *loc)
            problems.append(Problem(entry.path, entry.line(*full), field_path(full), message, allowed))
    return problems


def use_case_checks(catalog: Catalog) -> list[Problem]:
    """The audit attacks that catalog/use-cases.yaml's properties name must exist in the
    registry, as those of audit specs must."""
    entry = catalog.use_cases
    if entry is None:
        return []
    named = [(p, i, a) for p, prop in entry.model.properties.items() for i, a in enumerate(prop.audit_attacks)]
    if not named:
        return []
    try:
        _, attacks = registry()
    except RegistryUnavailable as exc:
        p, i, _ = named[0]
        return [Problem(entry.path, entry.line("properties", p, "audit_attacks", i), f"properties.{p}.audit_attacks",
                        f"cannot check audit attacks: the reference implementations are not importable ({exc})",
                        severity="warning")]
    problems = []
    for p, i, attack in named:
        if attack not in attacks:
            problems.append(Problem(entry.path, entry.line("properties", p, "audit_attacks", i),
                                    f"properties.{p}.audit_attacks[{i}]", f"no audit attack '{attack}'", attacks))
    return problems
