"""BibTeX for catalog papers, from their checked facts plus any `bibtex:` extras."""

from __future__ import annotations

import re
import unicodedata

from ..catalog import Catalog
from ..catalog.models import Paper

_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_"}
_SPECIAL_RE = re.compile(r"[\\{}%&$#_]")


def bib_escape(text: str) -> str:
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], " ".join(text.split()))


def _ascii_word(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", text.encode("ascii", "ignore").decode().lower())


def cite_key(paper: Paper, entry_id: str) -> str:
    if paper.bibtex and paper.bibtex.key:
        return paper.bibtex.key
    surname = _ascii_word(paper.authors[0].split(",")[0].split()[-1]) if paper.authors else "anon"
    words = [w for w in (_ascii_word(w) for w in paper.title.split()) if len(w) > 3]
    return f"{surname}{paper.year}{words[0] if words else ''}" or entry_id


def bibtex_entry(paper: Paper, entry_id: str) -> str:
    extras = paper.bibtex.fields if paper.bibtex else {}
    entry_type = paper.bibtex.type if paper.bibtex and paper.bibtex.type else ("inproceedings" if paper.venue else "misc")
    fields: dict[str, str] = {
        "title": "{" + bib_escape(paper.title) + "}",
        "author": " and ".join(bib_escape(a) for a in paper.authors),
        "year": str(paper.year),
    }
    if paper.venue:
        fields["booktitle" if entry_type == "inproceedings" else "note"] = bib_escape(paper.venue)
    if paper.ids.arxiv:
        fields.update(eprint=paper.ids.arxiv, archiveprefix="arXiv")
    if paper.ids.doi:
        fields["doi"] = bib_escape(paper.ids.doi)
    if "paper" in paper.links:
        fields["url"] = paper.links["paper"]
    elif paper.ids.arxiv:
        fields["url"] = f"https://arxiv.org/abs/{paper.ids.arxiv}"
    for name, value in extras.items():
        fields[name] = bib_escape(value)
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
    return f"@{entry_type}{{{cite_key(paper, entry_id)},\n{body}\n}}"


def export_bibtex(catalog: Catalog) -> str:
    return "\n\n".join(bibtex_entry(catalog.papers[key].model, key) for key in sorted(catalog.papers)) + "\n"
