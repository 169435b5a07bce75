"""Claims that code can check: audit specs (`specs`, torch-free, run by `validate`),
judging them against an audit (`judge`), and `sokkit verify` (`verify`, which runs the
reference implementations' audit)."""

from .judge import MACHINE_TOLERANCE, STATUSES, CheckableClaim, checkable_claims, judge, margin
from .specs import KIND_ATTACKS, KIND_EXPECTS, RegistryUnavailable, audit_spec_checks, registry, spec_problems

__all__ = [
    "MACHINE_TOLERANCE", "STATUSES", "CheckableClaim", "checkable_claims", "judge", "margin",
    "KIND_ATTACKS", "KIND_EXPECTS", "RegistryUnavailable", "audit_spec_checks", "registry", "spec_problems",
]
