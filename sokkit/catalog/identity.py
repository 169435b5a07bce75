"""Paper identity: what makes two entries (or an entry and a BibTeX record) the same
paper: arXiv id, DOI, and the normalised current or former titles."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .models import Paper
from .yamlsafe import Loc

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
