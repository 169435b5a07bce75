"""The catalog as every command sees it: the contract's own checks plus those of the parts
above it that `validate` runs (the claims' audit specs, and the use cases' audit attacks, against the
reference implementations' torch-free registry). The catalog package cannot import claims, so the check is passed in here."""

from __future__ import annotations

from pathlib import Path

from .catalog import Catalog, Problem
from .catalog import load_catalog as _load_contract
from .catalog.checks import Check
from .claims.specs import audit_spec_checks, use_case_checks

CHECKS: tuple[Check, ...] = (audit_spec_checks, use_case_checks)


def load_catalog(root: Path | str) -> tuple[Catalog, list[Problem]]:
    """Load and check a whole catalog, claims' audit specs included; raises CatalogNotFound
    only for a missing folder."""
    return _load_contract(root, CHECKS)
