"""Checks of catalog/results/: the committed audit and claim results that the site shows.

These files are written by `sokkit verify`, but a contributor can edit them like any other
file, so `validate` reads them with the same care as entries."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .fsutil import UnsafeFile, read_regular
from .problems import Problem

RESULTS_DIR = "results"


def read_json(path: Path) -> Any:
    """Parse a results file; UnsafeFile or ValueError when it is not a regular file of JSON."""
    return json.loads(read_regular(path).decode("utf-8"))


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
        except ValueError as exc:
            problems.append(Problem(name, getattr(exc, "lineno", 1), "", f"not valid JSON: {exc}"))
    return problems
