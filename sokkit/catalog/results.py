"""Checks of catalog/results/: the committed audit and claim results that the site shows.

These files are written by `sokkit verify`, but a contributor can edit them like any other
file, so `validate` reads them with the same care as entries."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..safe.files import UnsafeFile, read_regular
from .entries import Catalog
from .problems import Problem

RESULTS_DIR = "results"
# What `sokkit verify` writes there, and the site shows.
AUDIT_FILE = "audit.json"
CLAIMS_FILE = "claims.json"
FIGURE_FILE = "audit.png"
# Written by `sokkit stats --save-coverage`: how much of a reference list the catalog holds,
# kept so that the site can show it where the list itself is not shipped.
COVERAGE_FILE = "coverage.json"


# The small schema of what the site reads from the results files: enough that rendering
# cannot fail on a hand-edited file. Other keys are kept as they are.
class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ModelResult(_Open):
    forget_acc: float
    retain_acc: float
    intention: str | None = None
    verdict: str | None = None
    recovered_by: list[str] = []


class AuditFile(_Open):
    base: ModelResult
    oracle: ModelResult
    methods: dict[str, ModelResult]
    settings: dict[str, Any] = {}


class Numbers(_Open):
    difference: float
    spread: float
    # Judged against a threshold (comparisons, utility, 'reduces') ...
    threshold: float | None = None
    # ... or by the audit's outcome against the oracles' null band.
    outcome: Literal["beyond", "within", "inconclusive"] | None = None
    method_low: float | None = None
    method_high: float | None = None
    null_low: float | None = None
    null_high: float | None = None


class ClaimRecord(_Open):
    paper: str
    claim: str
    status: Literal["reproduced", "not-reproduced", "inconclusive"]
    numbers: Numbers


class ClaimsFile(_Open):
    command: str = ""
    code_version: str = ""
    date: str = ""
    claims: list[ClaimRecord] = []


class SectionCoverage(_Open):
    rows: int
    covered: int
    excluded: int
    missing: int


class CoverageFile(_Open):
    reference: str
    reference_papers: int
    in_catalog: int
    excluded: int
    by_section: dict[str, SectionCoverage] = {}
    missing: list[dict[str, str]] = []


SCHEMAS = {AUDIT_FILE: AuditFile, CLAIMS_FILE: ClaimsFile, COVERAGE_FILE: CoverageFile}


def read_json(path: Path) -> Any:
    """Parse a results file and check it against its schema; UnsafeFile, or ValueError
    (ValidationError is one) when it is not a regular file of the expected JSON."""
    data = json.loads(read_regular(path).decode("utf-8"))
    schema = SCHEMAS.get(path.name)
    if schema is not None:
        schema.model_validate(data)
    return data


def results_problems(root: Path, shown: str) -> list[Problem]:
    """Problems with the files of `root`/results (`shown` is how that folder is named in messages)."""
    folder = Path(root) / RESULTS_DIR
    if not os.path.lexists(folder):
        return []
    if folder.is_symlink() or not folder.is_dir():
        return [Problem(shown, 1, "", "expected a folder of results (not a link)")]
    problems = []
    for path in sorted(folder.iterdir()):
        name = f"{shown}/{path.name}"
        try:
            if path.suffix == ".json":
                read_json(path)
            elif not path.is_dir() or path.is_symlink():
                read_regular(path)
        except UnsafeFile as exc:
            problems.append(Problem(name, 1, "", str(exc).split(": ", 1)[1]))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "(top level)"
            problems.append(Problem(name, 1, where, f"{first['msg']} ({len(exc.errors())} problem(s) in all)"))
        except ValueError as exc:
            problems.append(Problem(name, getattr(exc, "lineno", 1), "", f"not valid JSON: {exc}"))
    return problems


def results_dir(catalog: Catalog) -> Path:
    return catalog.root / RESULTS_DIR


def load_coverage(catalog: Catalog) -> dict[str, Any] | None:
    """The committed coverage of a reference list, or None where absent or unreadable."""
    try:
        return read_json(results_dir(catalog) / COVERAGE_FILE)
    except (UnsafeFile, ValueError):
        return None


def load_results(catalog: Catalog) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The committed audit and claim results, or None where absent or unreadable."""
    folder = results_dir(catalog)
    out = []
    for name in (AUDIT_FILE, CLAIMS_FILE):
        try:
            out.append(read_json(folder / name))
        except (UnsafeFile, ValueError):
            out.append(None)
    return out[0], out[1]
