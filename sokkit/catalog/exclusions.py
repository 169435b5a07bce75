"""catalog/excluded.yaml: reference-list papers left out of the catalog, with a reason."""

from __future__ import annotations

from .entries import Catalog, display_path
from .identity import normalise_title, title_keys
from .models import Exclusions
from .problems import Problem, load_optional_file

EXCLUSIONS_FILE = "excluded.yaml"


def load_exclusions(catalog: Catalog) -> list[Problem]:
    """The optional exclusion list; an excluded paper must not also be an entry."""
    path = catalog.root / EXCLUSIONS_FILE
    shown = display_path(path)
    doc, model, problems = load_optional_file(path, shown, Exclusions)
    if model is None:
        return problems
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
