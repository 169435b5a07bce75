"""What every command of the `sokkit` command line shares: exit codes, `UsageError`,
loading a catalog (with every check `validate` runs) and reporting its problems.

Exit codes: 0 success, 1 the catalog has problems (or a check failed),
2 usage errors (bad options, missing folders, unwritable output).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..catalog import Catalog, CatalogNotFound, Problem
from ..catalog.problems import to_json
from ..validate import load_catalog

DEFAULT_CATALOG = Path("catalog")
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def load(catalog_dir: Path) -> tuple[Catalog, list[Problem]]:
    try:
        return load_catalog(catalog_dir)
    except CatalogNotFound as exc:
        raise UsageError(f"{exc} (pass the catalog folder, e.g. 'sokkit validate catalog')") from None


def report(problems: list[Problem], fmt: str = "text") -> None:
    if fmt == "json":
        print(to_json(problems))
        return
    for problem in problems:
        print(problem.format())
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = len({p.file for p in problems})
    summary = f"{errors} problem{'s' * (errors != 1)}"
    if warnings:
        summary += f" and {warnings} warning{'s' * (warnings != 1)}"
    print(f"{summary} in {files} file{'s' * (files != 1)}", file=sys.stderr)


def write_output(text: str, out: str | None) -> None:
    if out is None or out == "-":
        sys.stdout.write(text)
        return
    import os
    import stat

    from ..safe.files import atomic_write_text

    try:
        info = os.stat(out)
    except OSError:
        info = None
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        with open(out, "w", encoding="utf-8") as handle:  # /dev/stdout, a pipe: write into it, never replace it
            handle.write(text)
        return
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UsageError(f"cannot write '{out}': it is not a regular file")
    if info is not None and not info.st_mode & 0o222:
        raise UsageError(f"'{out}' is read-only; make it writable or choose another file")
    try:
        atomic_write_text(out, text)
    except OSError as exc:
        raise UsageError(f"cannot write '{out}': {exc.strerror or exc}") from None
    print(f"wrote {out}", file=sys.stderr)


def load_clean(catalog_dir: Path) -> Catalog | None:
    catalog, problems = load(catalog_dir)
    if any(p.severity == "error" for p in problems):
        report(problems)
        print("fix the problems above first (see 'sokkit validate')", file=sys.stderr)
        return None
    return catalog


def catalog_arg(parser: argparse.ArgumentParser, positional: bool = False) -> None:
    if positional:
        parser.add_argument("catalog", nargs="?", type=Path, default=DEFAULT_CATALOG,
                            help="catalog folder (default: catalog)")
    else:
        parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG,
                            help="catalog folder (default: catalog)")
