"""BibTeX as people really have it → draft catalog entries (`sokkit import-bib`).

Parsing uses bibtexparser v2 with an explicit middleware stack: resolve @string
macros (month names included), strip the outer braces or quotes, decode LaTeX
accents and commands, split the author list and each name into its parts.
Blocks bibtexparser cannot parse are reported with their line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..catalog.models import Paper
from ..catalog.names import join_name_parts

ARXIV_IN_TEXT = re.compile(r"(?:arxiv[:\s/]*|arxiv\.org/(?:abs|pdf)/)(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
BARE_ARXIV = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?$", re.ASCII)  # with fullmatch
DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)
PREPRINT_VENUE = re.compile(r"arxiv|corr|preprint|ssrn|biorxiv", re.IGNORECASE)


@dataclass
class BibProblem:
    line: int
    message: str


@dataclass
class BibEntry:
    key: str
    line: int
    paper: Paper


@dataclass
class BibParseResult:
    entries: list[BibEntry] = field(default_factory=list)
    problems: list[BibProblem] = field(default_factory=list)


def parse_stack() -> list[Any]:
    from bibtexparser import middlewares as m

    return [
        m.ResolveStringReferencesMiddleware(allow_inplace_modification=True),
        m.RemoveEnclosingMiddleware(allow_inplace_modification=True),
        m.LatexDecodingMiddleware(allow_inplace_modification=True),
        m.SeparateCoAuthors(allow_inplace_modification=True),
        m.SplitNameParts(allow_inplace_modification=True),
    ]


def _field(fields: dict[str, Any], *names: str) -> Any:
    lowered = {k.lower(): v for k, v in fields.items()}
    for name in names:
        if name in lowered and lowered[name] not in (None, ""):
            return lowered[name]
    return None


def _clean(text: Any) -> str:
    return " ".join(str(text).replace("{", "").replace("}", "").split())


def _arxiv_id(fields: dict[str, Any]) -> str | None:
    eprint = _field(fields, "eprint")
    prefix = str(_field(fields, "archiveprefix", "eprinttype") or "")
    if eprint and (not prefix or prefix.lower() == "arxiv"):
        match = BARE_ARXIV.fullmatch(_clean(eprint)) or ARXIV_IN_TEXT.search(_clean(eprint))
        if match:
            return match.group(1)
    for name in ("journal", "url", "note", "howpublished", "volume"):
        value = _field(fields, name)
        match = ARXIV_IN_TEXT.search(_clean(value)) if value else None
        if match:
            return match.group(1)
    return None


def _authors(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [a.strip() for a in re.split(r"\s+and\s+", value) if a.strip()]
    out = []
    for name in value:
        if hasattr(name, "last"):
            out.append(_clean(join_name_parts(name.first, name.von, name.last, name.jr)))
        else:
            out.append(_clean(name))
    return [a for a in out if a and a.lower() != "others"]


def entry_to_paper(fields: dict[str, Any], source: str) -> Paper:
    """A draft Paper from one BibTeX entry's fields; raises ValueError with a reason."""
    title = _field(fields, "title")
    if not title:
        raise ValueError("entry has no title")
    authors = _authors(_field(fields, "author"))
    if not authors:
        raise ValueError("entry has no authors")
    year_text = _clean(_field(fields, "year") or "")
    if not re.fullmatch(r"\d{4}", year_text):
        raise ValueError(f"entry has no four-digit year (found '{year_text}')")
    ids: dict[str, str] = {}
    arxiv = _arxiv_id(fields)
    if arxiv:
        ids["arxiv"] = arxiv
    doi = _field(fields, "doi")
    if doi:
        ids["doi"] = DOI_PREFIX.sub("", _clean(doi))
    venue = _field(fields, "booktitle", "journal")
    data: dict[str, Any] = {
        "title": _clean(title),
        "authors": authors,
        "year": int(year_text),
        "ids": ids,
        "review": {"status": "draft", "note": f"Imported from {source}; facts not yet checked against the paper's record."},
    }
    if venue and not PREPRINT_VENUE.search(_clean(venue)):
        data["venue"] = _clean(venue)
    if arxiv:
        data["links"] = {"paper": f"https://arxiv.org/abs/{arxiv}"}
    try:
        return Paper.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{where}: {first['msg']}") from None


def parse_bibtex(text: str, source: str) -> BibParseResult:
    import logging

    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock, ParsingFailedBlock

    # bibtexparser logs each failed block itself; they are reported here, with lines.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    library = bibtexparser.parse_string(text, parse_stack=parse_stack())
    result = BibParseResult()
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            result.problems.append(BibProblem(line, f"duplicate citation key '{block.key}'; the first one is kept"))
        elif isinstance(block, ParsingFailedBlock):
            reason = getattr(block.error, "abort_reason", None) or str(block.error or "").strip() or "syntax error"
            reason = reason.strip().splitlines()[0]
            head = block.raw.strip().splitlines()[0][:60] if block.raw else ""
            result.problems.append(BibProblem(line, f"could not parse block '{head}': {reason}"))
        else:
            result.problems.append(BibProblem(line, "could not parse this block"))
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        fields = {f.key: f.value for f in entry.fields}
        try:
            paper = entry_to_paper(fields, source)
        except ValueError as exc:
            result.problems.append(BibProblem(line, f"@{entry.entry_type}{{{entry.key}}}: {exc}"))
            continue
        result.entries.append(BibEntry(entry.key, line, paper))
    result.problems.sort(key=lambda p: p.line)
    return result
