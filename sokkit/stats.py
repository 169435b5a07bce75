"""Counts that show where the catalog is thick and where it is thin."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import Catalog, normalise_title, title_keys

# A reference list of papers, as a TSV with at least `arxiv` and `title` columns.
DEFAULT_REFERENCE = Path("../shared/reference/llm-unlearning-papers.tsv")


class ReferenceError(Exception):
    pass


@dataclass(frozen=True)
class ReferencePaper:
    arxiv: str
    title: str
    section: str = ""


def read_reference(path: Path) -> list[ReferencePaper]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            if not reader.fieldnames or not {"arxiv", "title"} <= set(reader.fieldnames):
                raise ReferenceError(f"{path}: expected a tab-separated file with 'arxiv' and 'title' columns")
            return [ReferencePaper(row["arxiv"].strip(), row["title"].strip(), (row.get("listed_under") or "").strip())
                    for row in reader if row.get("title")]
    except OSError as exc:
        raise ReferenceError(f"cannot read reference list '{path}': {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ReferenceError(f"{path}: not valid UTF-8") from None
    except (csv.Error, AttributeError) as exc:  # a field over csv's size limit, a short row
        raise ReferenceError(f"{path}: not a readable tab-separated list ({exc})") from None


def coverage(catalog: Catalog, reference: list[ReferencePaper]) -> dict[str, Any]:
    """How much of a reference list the catalog holds, overall and per section: each row
    is covered (an entry has its arXiv id, title or a former title), excluded (listed in
    catalog/excluded.yaml with a reason) or missing; the missing ones are listed."""
    arxiv_ids = {e.model.ids.arxiv for e in catalog.papers.values() if e.model.ids.arxiv}
    titles = {key for e in catalog.papers.values() for _, key in title_keys(e.model)}
    excluded_ids = {x.arxiv for x in catalog.exclusions if x.arxiv}
    excluded_titles = {normalise_title(x.title) for x in catalog.exclusions}

    def state(r: ReferencePaper) -> str:
        if (r.arxiv and r.arxiv in arxiv_ids) or normalise_title(r.title) in titles:
            return "covered"
        if (r.arxiv and r.arxiv in excluded_ids) or normalise_title(r.title) in excluded_titles:
            return "excluded"
        return "missing"

    states = [(r, state(r)) for r in reference]
    sections: dict[str, dict[str, int]] = {}
    for r, st in states:
        row = sections.setdefault(r.section or "(none)", {"rows": 0, "covered": 0, "excluded": 0, "missing": 0})
        row["rows"] += 1
        row[st] += 1
    total = len(reference)
    found = sum(1 for _, st in states if st == "covered")
    excluded = sum(1 for _, st in states if st == "excluded")
    return {"reference_papers": total, "in_catalog": found, "excluded": excluded,
            "share": round(found / total, 3) if total else None,
            "accounted_share": round((found + excluded) / total, 3) if total else None,
            "by_section": sections,
            "missing": [{"arxiv": r.arxiv, "title": r.title, "section": r.section} for r, st in states if st == "missing"]}


def _ordered(counter: Counter[Any], order: tuple[str, ...] = ()) -> dict[str, int]:
    """Taxonomy order first (zeros included, so gaps show), then anything else."""
    out = {key: counter.get(key, 0) for key in order}
    for key in sorted(k for k in counter if k not in out):
        out[str(key)] = counter[key]
    return out


def catalog_stats(catalog: Catalog, reference: list[ReferencePaper] | None = None) -> dict[str, Any]:
    papers = [e.model for e in catalog.papers.values()]
    tax = catalog.taxonomy
    ids = (lambda axis: tax.ids(axis)) if tax else (lambda axis: ())
    linked_in = Counter(rel.target for p in papers for rel in p.relations)
    methods = {e.id: e.model for e in catalog.papers.values() if "method" in e.model.roles}
    unlinked = sorted(pid for pid, p in methods.items() if not p.relations and not linked_in[pid] and not p.benchmarks)
    stats: dict[str, Any] = {
        "papers": len(papers),
        "benchmarks": len(catalog.benchmarks),
        "metrics": len(catalog.metrics),
        "with_arxiv_id": sum(1 for p in papers if p.ids.arxiv),
        "with_claims": sum(1 for p in papers if p.claims),
        "claims": sum(len(p.claims) for p in papers),
        "relations": sum(len(p.relations) for p in papers),
        "by_role": _ordered(Counter(r for p in papers for r in p.roles), ids("role")),
        "by_intention": _ordered(Counter(p.intention or "none" for p in papers), ids("intention") + ("none",)),
        "by_observed": _ordered(Counter(p.observed for p in papers if p.observed), ids("observed")),
        "by_technique": _ordered(Counter(t for p in papers for t in p.technique), ids("technique")),
        "by_year": _ordered(Counter(str(p.year) for p in papers)),
        "by_review": _ordered(Counter(p.review.status for p in papers), ids("review")),
        "method_papers_without_links": unlinked,
    }
    if reference is not None:
        stats["reference_coverage"] = coverage(catalog, reference)
    return stats


def format_stats(stats: dict[str, Any]) -> str:
    lines = [
        f"{stats['papers']} papers ({stats['with_arxiv_id']} with an arXiv id), "
        f"{stats['benchmarks']} benchmarks, {stats['metrics']} metrics",
        f"{stats['relations']} relations; {stats['claims']} claims in {stats['with_claims']} papers",
    ]
    for key, title in (("by_role", "role"), ("by_intention", "intention"), ("by_observed", "observed behaviour"),
                       ("by_technique", "technique family"), ("by_year", "year"), ("by_review", "review status")):
        lines.append("")
        lines.append(f"by {title}:")
        width = max((len(k) for k in stats[key]), default=0)
        lines += [f"  {name:<{width}}  {count:>4}" + ("  <- none yet" if count == 0 else "")
                  for name, count in stats[key].items()]
    unlinked = stats["method_papers_without_links"]
    lines += ["", f"method papers linked to nothing else: {len(unlinked)}"]
    lines += [f"  {pid}" for pid in unlinked]
    cov = stats.get("reference_coverage")
    if cov:
        lines += ["", f"reference list coverage: {cov['in_catalog']} of {cov['reference_papers']} papers "
                      f"({100 * (cov['share'] or 0):.1f}%), {cov['excluded']} excluded with a reason, "
                      f"{len(cov['missing'])} missing"]
        width = max((len(k) for k in cov["by_section"]), default=0)
        lines += [f"  {name:<{width}}  {row['covered']:>4} of {row['rows']:>4} covered, {row['excluded']} excluded, "
                  f"{row['missing']} missing" for name, row in cov["by_section"].items()]
        if cov["missing"]:
            lines += ["missing:"] + [f"  {m['arxiv'] or '(no arXiv id)':<14} {m['title']}" for m in cov["missing"]]
    return "\n".join(lines) + "\n"
