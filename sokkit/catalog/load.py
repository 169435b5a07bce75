"""Load a catalog folder and check it: files, entries, rules, cross-entry links.

    catalog/taxonomy.yaml            axes and allowed values
    catalog/papers/<id>.yaml         one paper per file (the stem is the id)
    catalog/benchmarks/<id>.yaml     one benchmark per file
    catalog/metrics/<id>.yaml        one metric per file
    catalog/use-cases.yaml           optional: deployment needs and the evidence that tests them

`load_catalog` never raises for a data mistake: it returns the entries that
validated and every problem it found, so that one run reports everything.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .checks import Check, cross_checks
from .entries import Catalog, CatalogNotFound, Entry, display_path
from .exclusions import load_exclusions
from .models import ENTRY_MODELS, Paper, id_problem
from .problems import Problem, field_path, from_validation_error
from .results import RESULTS_DIR, results_problems
from .rules import paper_rules
from .schema import entry_schemas
from .taxonomy import Taxonomy, did_you_mean
from .usecases import load_use_cases
from .yamlsafe import YamlError, load_yaml

TAXONOMY_FILE = "taxonomy.yaml"
ENTRY_SUFFIX = ".yaml"


def load_taxonomy(root: Path) -> tuple[Taxonomy | None, list[Problem]]:
    path = root / TAXONOMY_FILE
    shown = display_path(path)
    if not path.is_file():
        return None, [Problem(shown, 1, "", "taxonomy file is missing; every catalog needs catalog/taxonomy.yaml")]
    try:
        doc = load_yaml(path, shown)
    except YamlError as exc:
        return None, [Problem(exc.path, exc.line, "", exc.message)]
    try:
        taxonomy = Taxonomy.model_validate(doc.data)
    except ValidationError as exc:
        return None, from_validation_error(exc, Taxonomy, doc)
    missing = sorted(required_axes() - set(taxonomy.axes))
    if missing:
        return None, [Problem(shown, doc.line_of(("axes",)), "axes", f"missing axes used by the entry schema: {', '.join(missing)}")]
    return taxonomy, []


@lru_cache(maxsize=1)
def required_axes() -> frozenset[str]:
    """Every taxonomy axis that some entry field refers to."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "x-taxonomy" in node:
                found.add(node["x-taxonomy"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(entry_schemas(None))
    return frozenset(found)


def _entry_files(folder: Path, problems: list[Problem]) -> list[Path]:
    if not folder.exists() and not folder.is_symlink():
        return []
    if folder.is_symlink() or not folder.is_dir():
        problems.append(Problem(display_path(folder), 1, "", "expected a folder of .yaml entries (not a link)"))
        return []
    try:
        paths = sorted(folder.iterdir())
    except OSError as exc:
        problems.append(Problem(display_path(folder), 1, "", f"cannot list the folder: {exc.strerror or exc}"))
        return []
    files = []
    for path in paths:
        # A link is refused by load_yaml with its name; a real folder is not an entry.
        if path.name.startswith(".") or (path.is_dir() and not path.is_symlink()):
            continue
        if path.suffix != ENTRY_SUFFIX:
            problems.append(Problem(display_path(path), 1, "", f"entries must be '{ENTRY_SUFFIX}' files named <id>{ENTRY_SUFFIX}"))
            continue
        files.append(path)
    return files


def load_entries(
    catalog: Catalog, kind: str, problems: list[Problem]
) -> None:
    model = ENTRY_MODELS[kind]
    context = {"taxonomy": catalog.taxonomy}
    known = catalog.known.setdefault(kind, set())
    target = catalog.entries(kind)
    for path in _entry_files(catalog.root / kind, problems):
        shown = display_path(path)
        entry_id = path.stem
        known.add(entry_id)
        problem = id_problem(entry_id)
        if problem:
            problems.append(Problem(shown, 1, "", f"file name: {problem}", (), did_you_mean(entry_id, [])))
            continue
        try:
            doc = load_yaml(path, shown)
        except YamlError as exc:
            problems.append(Problem(exc.path, exc.line, "", exc.message))
            continue
        if not isinstance(doc.data, dict):
            problems.append(Problem(shown, 1, "", f"expected a mapping of keys to values at the top of the file, got {type(doc.data).__name__}"))
            continue
        try:
            entry_model = model.model_validate(doc.data, context=context)
        except ValidationError as exc:
            problems.extend(from_validation_error(exc, model, doc))
            continue
        declared = getattr(entry_model, "id", None)
        if declared is not None and declared != entry_id:
            problems.append(Problem(shown, doc.line_of(("id",)), "id", f"id '{declared}' does not match the file name", (entry_id,)))
        if isinstance(entry_model, Paper):
            for loc, message, severity in paper_rules(entry_model, entry_id):
                problems.append(Problem(shown, doc.line_of(loc), field_path(loc), message, severity=severity))
        target[entry_id] = Entry(kind, entry_id, shown, entry_model, doc)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading builds many small acyclic objects; the cyclic collector would rescan
    them over and over, making load time grow faster than the catalog."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_catalog(root: Path | str, checks: Sequence[Check] = ()) -> tuple[Catalog, list[Problem]]:
    """Load and check a whole catalog. Raises CatalogNotFound only for a missing folder.

    `checks` are cross-entry checks that parts above the catalog contribute (the claims'
    audit specs, see `sokkit.validate`): the contract runs them, it does not know them."""
    root = Path(root)
    if not root.is_dir():
        raise CatalogNotFound(f"catalog folder '{root}' does not exist")
    with _gc_paused():
        taxonomy, problems = load_taxonomy(root)
        catalog = Catalog(root=root, taxonomy=taxonomy)
        for kind in ENTRY_MODELS:
            load_entries(catalog, kind, problems)
        problems.extend(load_use_cases(catalog))
        problems.extend(cross_checks(catalog))
        for check in checks:
            problems.extend(check(catalog))
        problems.extend(load_exclusions(catalog))
        problems.extend(results_problems(root, display_path(root / RESULTS_DIR)))
    problems.sort(key=lambda p: (p.file, p.line, p.field, p.message))
    return catalog, problems
