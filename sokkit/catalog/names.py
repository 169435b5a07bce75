"""Personal names: split for CSL-JSON and BibTeX, joined back from BibTeX parts."""

from __future__ import annotations

# Lower-case particles that belong to the family name ("van der Berg", "de la Cruz").
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "dos", "das", "ter", "ten", "bin", "al"}
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def split_name(name: str) -> dict[str, str]:
    """'Charu C. Aggarwal' -> {'given': 'Charu C.', 'family': 'Aggarwal'}.

    A name written 'Family, Given' is split at the comma. A single word is a family name.
    """
    name = " ".join(name.split())
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    words = name.split(" ")
    suffix = ""
    if len(words) > 2 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    if len(words) == 1:
        parts = {"family": words[0]}
    else:
        start = len(words) - 1
        while start > 1 and words[start - 1].lower() in PARTICLES:
            start -= 1
        parts = {"family": " ".join(words[start:]), "given": " ".join(words[:start])}
    if suffix:
        parts["suffix"] = suffix
    return parts


def join_name_parts(first: list[str], von: list[str], last: list[str], jr: list[str]) -> str:
    """BibTeX name parts back to 'First von Last Jr'."""
    return " ".join(part for part in (" ".join(first), " ".join(von), " ".join(last), " ".join(jr)) if part)
