"""Load a catalog folder and check it: files, entries, rules, cross-entry links.

    catalog/taxonomy.yaml            axes and allowed values
    catalog/papers/<id>.yaml         one paper per file (the stem is the id)
    catalog/benchmarks/<id>.yaml     one benchmark per file
    catalog/metrics/<id>.yaml        one metric per file

`load_catalog` never raises for a data mistake: it returns the entries that
validated and every problem it found, so that one run reports everything.
"""

from __future__ import annotations

import gc
import os
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from .models import ENTRY_MODELS, Benchmark, Exclusion, Exclusions, Metric, Paper, id_problem
from .problems import Problem, field_path, from_validation_error
from .results import RESULTS_DIR, results_problems
from .schema import entry_schemas
from .taxonomy import Taxonomy, did_you_mean
from .yamlsafe import Loc, YamlDocument, YamlError, load_yaml

TAXONOMY_FILE = "taxonomy.yaml"
ENTRY_SUFFIX = ".yaml"

M = TypeVar("M", bound=BaseModel)


class CatalogNotFound(Exception):
    """The catalog folder itself is missing: a usage error, not a data problem."""


@dataclass
class Entry(Generic[M]):
    kind: str
    id: str
    path: str
    model: M
    doc: YamlDocument

    def line(self, *loc: Any) -> int:
        return self.doc.line_of(tuple(loc))


@dataclass
class Catalog:
    root: Path
    taxonomy: Taxonomy | None
    papers: dict[str, Entry[Paper]] = field(default_factory=dict)
    benchmarks: dict[str, Entry[Benchmark]] = field(default_factory=dict)
    metrics: dict[str, Entry[Metric]] = field(default_factory=dict)
    # Ids of every file found, including those that failed validation, so that
    # one broken entry does not also make every link to it an error.
    known: dict[str, set[str]] = field(default_factory=dict)
    exclusions: list[Exclusion] = field(default_factory=list)

    def entries(self, kind: str) -> dict[str, Entry[Any]]:
        return getattr(self, kind)


def display_path(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("..") else str(path)


# Cyrillic and Greek letters that look like Latin ones (after casefolding), so that two
# titles differing only by such a homoglyph are caught as duplicates. A small map, not
# Unicode's full confusables table: it is enough for titles in Latin script, where the
# look-alikes are the threat; a genuinely Greek word folds too, which is harmless here.
_HOMOGLYPHS = str.maketrans({
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "н": "h", "і": "i", "ј": "j", "к": "k",
    "ӏ": "l", "м": "m", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "х": "x", "ԝ": "w",
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "n", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "y", "χ": "x",
})


def normalise_title(title: str) -> str:
    """Case-, accent-, punctuation-, spacing- and look-alike-insensitive form of a title:
    NFKC (full-width and ligature forms), casefold, the homoglyph map, then accents dropped."""
    text = unicodedata.normalize("NFKC", title).casefold().translate(_HOMOGLYPHS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[a-z0-9]+", text, re.ASCII))


# --- per-entry rules beyond the schema ---------------------------------------------

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


# --- loading -------------------------------------------------------------------------

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


EXCLUSIONS_FILE = "excluded.yaml"


def load_exclusions(catalog: Catalog) -> list[Problem]:
    """The optional exclusion list; an excluded paper must not also be an entry."""
    path = catalog.root / EXCLUSIONS_FILE
    if not (path.exists() or path.is_symlink()):  # a dangling link is reported, not skipped
        return []
    shown = display_path(path)
    try:
        doc = load_yaml(path, shown)
    except YamlError as exc:
        return [Problem(exc.path, exc.line, "", exc.message)]
    try:
        model = Exclusions.model_validate(doc.data)
    except ValidationError as exc:
        return from_validation_error(exc, Exclusions, doc)
    problems, seen = [], {}
    arxiv_owner = {e.model.ids.arxiv: e.id for e in catalog.papers.values() if e.model.ids.arxiv}
    title_owner = {key: e.id for e in catalog.papers.values() for _, key in title_keys(e.model)}
    for i, item in enumerate(model.excluded):
        line = doc.line_of(("excluded", i))
        keys = [("arXiv id", item.arxiv)] if item.arxiv else []
        keys.append(("title", normalise_title(item.title)))
        for label, key in keys:
            if (label, key) in seen:
                problems.append(Problem(shown, line, f"excluded[{i}]", f"same {label} as excluded[{seen[label, key]}]"))
            seen.setdefault((label, key), i)
            owner = (arxiv_owner if label == "arXiv id" else title_owner).get(key)
            if owner:
                problems.append(Problem(shown, line, f"excluded[{i}]",
                                        f"excluded, but the catalog has it as '{owner}' (same {label}); keep one"))
    catalog.exclusions = model.excluded
    return problems


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
                problems.append(Problem(shown, doc.line_of(loc), _field(loc), message, severity=severity))
        target[entry_id] = Entry(kind, entry_id, shown, entry_model, doc)


def _field(loc: Loc) -> str:
    return field_path(loc)


# --- cross-entry checks -------------------------------------------------------------------

def _check_ref(
    problems: list[Problem], entry: Entry[Any], loc: Loc, value: str | None, known: set[str], what: str
) -> None:
    if value is None or value in known:
        return
    problems.append(
        Problem(entry.path, entry.line(*loc), _field(loc), f"no {what} with id '{value}' in the catalog",
                (), did_you_mean(value, sorted(known)))
    )


def cross_checks(catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    paper_ids = catalog.known.get("papers", set())
    bench_ids = catalog.known.get("benchmarks", set())
    metric_ids = catalog.known.get("metrics", set())
    for entry in catalog.papers.values():
        paper = entry.model
        for i, rel in enumerate(paper.relations):
            _check_ref(problems, entry, ("relations", i, "target"), rel.target, paper_ids, "paper")
        for i, ev in enumerate(paper.evidence):
            _check_ref(problems, entry, ("evidence", i, "paper"), ev.paper, paper_ids, "paper")
        for i, bench in enumerate(paper.benchmarks):
            _check_ref(problems, entry, ("benchmarks", i), bench, bench_ids, "benchmark")
    for entry in catalog.benchmarks.values():
        _check_ref(problems, entry, ("introduced_by",), entry.model.introduced_by, paper_ids, "paper")
        for i, metric in enumerate(entry.model.metrics):
            _check_ref(problems, entry, ("metrics", i), metric, metric_ids, "metric")
    for entry in catalog.metrics.values():
        _check_ref(problems, entry, ("introduced_by",), entry.model.introduced_by, paper_ids, "paper")
        for i, bench in enumerate(entry.model.benchmarks):
            _check_ref(problems, entry, ("benchmarks", i), bench, bench_ids, "benchmark")
    problems.extend(duplicate_papers(catalog))
    problems.extend(audit_spec_checks(catalog))
    return problems


def audit_spec_checks(catalog: Catalog) -> list[Problem]:
    """Claims' audit specs must name reference implementations and attacks that exist."""
    from .claims import RegistryUnavailable, registry, spec_problems

    with_specs = [(e, i, c) for e in catalog.papers.values() for i, c in enumerate(e.model.claims) if c.audit]
    audit_evidence = [(e, i, ev) for e in catalog.papers.values() for i, ev in enumerate(e.model.evidence) if ev.audit]
    if not with_specs and not audit_evidence:
        return []
    try:
        methods, attacks = registry()
    except RegistryUnavailable as exc:
        entry, i, _ = (with_specs or audit_evidence)[0]
        loc = ("claims", i, "audit") if with_specs else ("evidence", i, "audit")
        return [Problem(entry.path, entry.line(*loc), _field(loc),
                        f"cannot check audit references: the reference implementations are not importable ({exc})",
                        severity="warning")]
    problems = []
    for entry, i, ev in audit_evidence:
        if ev.audit not in methods:
            loc = ("evidence", i, "audit")
            problems.append(Problem(entry.path, entry.line(*loc), _field(loc),
                                    f"no reference implementation '{ev.audit}'", tuple(methods)))
    for entry, i, claim in with_specs:
        for loc, message, allowed in spec_problems(claim, methods, attacks):
            full = ("claims", i, *loc)
            problems.append(Problem(entry.path, entry.line(*full), _field(full), message, allowed))
    return problems


# What makes two entries the same paper: (label, the paper's keys with where each sits).
# A paper is known under its current title and every former title, so a BibTeX file or a
# second entry that uses an old title is still recognised.
def _arxiv_keys(p: Paper) -> list[tuple[Loc, str]]:
    return [(("ids", "arxiv"), p.ids.arxiv)] if p.ids.arxiv else []


def _doi_keys(p: Paper) -> list[tuple[Loc, str]]:
    return [(("ids", "doi"), p.ids.doi.lower())] if p.ids.doi else []


def title_keys(p: Paper) -> list[tuple[Loc, str]]:
    keys = [(("title",), normalise_title(p.title))]
    keys += [(("former_titles", i), normalise_title(t)) for i, t in enumerate(p.former_titles)]
    return [(loc, key) for loc, key in keys if key]


IDENTITY_KEYS: tuple[tuple[str, Any], ...] = (
    ("arXiv id", _arxiv_keys),
    ("DOI", _doi_keys),
    ("title", title_keys),
)


def duplicate_papers(catalog: Catalog) -> list[Problem]:
    """Two files describing one paper: same arXiv id, DOI or normalised (current or former) title."""
    problems = []
    for label, keys in IDENTITY_KEYS:
        owner: dict[str, tuple[Entry[Paper], Loc]] = {}
        for entry in sorted(catalog.papers.values(), key=lambda e: e.id):
            for loc, value in keys(entry.model):
                if value not in owner:
                    owner[value] = (entry, loc)
                    continue
                other, other_loc = owner[value]
                if other is entry:
                    continue  # a former title that differs from the current one only in case or punctuation
                problems.append(
                    Problem(entry.path, entry.line(*loc), _field(loc),
                            f"same {label} as {other.path}:{other.line(*other_loc)}; one paper gets one entry")
                )
    return problems


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


def load_catalog(root: Path | str) -> tuple[Catalog, list[Problem]]:
    """Load and check a whole catalog. Raises CatalogNotFound only for a missing folder."""
    root = Path(root)
    if not root.is_dir():
        raise CatalogNotFound(f"catalog folder '{root}' does not exist")
    with _gc_paused():
        taxonomy, problems = load_taxonomy(root)
        catalog = Catalog(root=root, taxonomy=taxonomy)
        for kind in ENTRY_MODELS:
            load_entries(catalog, kind, problems)
        problems.extend(cross_checks(catalog))
        problems.extend(load_exclusions(catalog))
        problems.extend(results_problems(root, display_path(root / RESULTS_DIR)))
    problems.sort(key=lambda p: (p.file, p.line, p.field, p.message))
    return catalog, problems
