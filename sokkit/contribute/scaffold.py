"""Creating new entries: the commented template of `sokkit new`, draft entries built
from checked facts (`sokkit add`, `sokkit import-bib`), ids, and duplicate checks."""

from __future__ import annotations

import datetime
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..catalog import IDENTITY_KEYS, Catalog
from .entryfmt import format_entry
from ..catalog.models import ID_MAX, Paper, id_problem
from ..catalog.taxonomy import Taxonomy

STOPWORDS = {"a", "an", "the", "on", "of", "for", "to", "in", "and", "via", "with", "from", "towards", "toward",
             "is", "are", "do", "does", "can", "your", "what", "when", "how", "why", "not", "be", "we", "by", "at"}


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def derive_id(authors: list[str], year: int, title: str) -> str:
    """'<first author surname>-<year>-<keyword>', e.g. zhang-2024-npo."""
    from ..catalog.names import split_name

    surname = ascii_slug(split_name(authors[0])["family"]).split("-")[-1] if authors else "anon"
    head = title.split(":", 1)[0].strip()
    if ":" in title and len(head.split()) == 1 and len(head) <= 16:
        keyword = ascii_slug(head)
    else:
        words = [ascii_slug(w) for w in re.findall(r"[\w'-]+", title)]
        keyword = next((w for w in words if w and w not in STOPWORDS and len(w) > 2), "paper")
    # Capped so that a very long surname or word still gives a valid id (ID_MAX).
    surname = (surname or "anon")[:40].strip("-") or "anon"
    keyword = keyword.split("-")[0][:24] or "paper"
    entry_id = f"{surname}-{year}-{keyword}"
    return entry_id if not id_problem(entry_id) and len(entry_id) <= ID_MAX - 4 else f"anon-{year}-paper"


@dataclass
class DuplicateIndex:
    """Which catalog paper already holds an arXiv id, DOI or normalised title
    (the identity keys the validator's duplicate check uses)."""

    owners: dict[str, dict[str, str]] = field(default_factory=lambda: {label: {} for label, _ in IDENTITY_KEYS})

    @classmethod
    def of(cls, catalog: Catalog) -> "DuplicateIndex":
        index = cls()
        for pid, entry in catalog.papers.items():
            index.add(pid, entry.model)
        return index

    def add(self, pid: str, paper: Paper) -> None:
        for label, keys in IDENTITY_KEYS:
            for _, value in keys(paper):
                self.owners[label].setdefault(value, pid)

    def find(self, paper: Paper) -> tuple[str, str] | None:
        for label, keys in IDENTITY_KEYS:
            for loc, value in keys(paper):
                if value in self.owners[label]:
                    return self.owners[label][value], label
        return None


def unused_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def link_new_file(source: Path, path: Path) -> None:
    """Give the file `source` the name `path` too, failing with FileExistsError rather than replace."""
    try:
        os.link(source, path)
    except FileExistsError as exc:
        exc.filename = str(path)
        raise


def write_new_file(path: Path, text: str) -> None:
    """Create `path` with `text`, atomically, failing if it already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)  # fails with FileExistsError instead of replacing
    finally:
        tmp.unlink(missing_ok=True)


def draft_text(paper: Paper) -> str:
    return format_entry(paper, "papers")


def _allowed(taxonomy: Taxonomy, axis: str) -> str:
    return ", ".join(taxonomy.ids(axis))


def template(entry_id: str, taxonomy: Taxonomy) -> str:
    """A commented skeleton of every field. It fails validation until filled in, with
    messages that say what each field needs."""
    year = datetime.date.today().year
    if id_problem(entry_id):
        raise ValueError(id_problem(entry_id))
    return f"""\
# yaml-language-server: $schema=../../schema/paper.schema.json
# New entry {entry_id}. Take facts (title, authors, year, ids, venue) from the paper's
# arXiv page or publisher and never guess an identifier: leave out what you cannot check.
# Write summary, rationale and claims in your own words. Delete these comment lines and
# any field you leave empty, then run `sokkit validate` and `sokkit fmt`.
title: ""                    # exact title, as on the paper's arXiv page
authors: []                  # every author in order: [First Last, First Last]
year: {year}                   # year of the first arXiv version
# venue: ICLR 2025           # only when a public record confirms it
ids:
  arxiv: ""                  # quoted, without version: "2404.05868"
  # doi: "10.18653/v1/..."   # without https://doi.org/
links: {{}}                    # http(s) only; kinds: {_allowed(taxonomy, 'link')}
  # paper: https://arxiv.org/abs/2404.05868
  # code: https://github.com/...
roles: []                    # {_allowed(taxonomy, 'role')}
intention: null              # method papers: {_allowed(taxonomy, 'intention')}; others: null
technique: []                # {_allowed(taxonomy, 'technique')}
methods: []                  # named methods it introduces, each with:
  # - name: NPO
  #   family: preference-optimization   # a technique id
  #   intention: removal
  #   level: parameters                 # {_allowed(taxonomy, 'level')}
  #   description: one or two sentences
summary: ""                  # 1-3 sentences, your own words
rationale: ""                # 2-4 sentences: why the intention is what it is
observed: untested           # {_allowed(taxonomy, 'observed')}; anything but untested needs evidence
evidence: []
  # - paper: hu-2024-jogging-memory     # a catalog paper id
  #   indicates: suppression-like
  #   note: what that paper showed about this method
targets: []                  # {_allowed(taxonomy, 'target')}
setting: []                  # {_allowed(taxonomy, 'setting')}
benchmarks: []               # ids of files in catalog/benchmarks/
claims: []
  # - id: short-kebab-id
  #   kind: relearning-recovers         # {_allowed(taxonomy, 'claim_kind')}
  #   statement: a checkable statement, your own words
  #   source: Section 4, Table 2
relations: []
  # - type: compares_with               # {_allowed(taxonomy, 'relation')}
  #   target: zhang-2024-npo            # a catalog paper id
  #   note: optional
review:
  status: draft              # {_allowed(taxonomy, 'review')}
  checked: []                # {_allowed(taxonomy, 'review_source')}
"""
