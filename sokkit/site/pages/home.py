"""The home page: what the catalog is, the intention × technique matrix, recent additions."""

from __future__ import annotations

from ...catalog.results import load_coverage
from ...safe.html import esc_html
from ..markup import anchor, href
from .context import Site
from .feed import FEED_FILE


def home(site: Site) -> str:
    here = "index.md"
    papers = [e.model for e in site.catalog.papers.values()]
    methods = [p for p in papers if p.intention]
    out = [
        "# sokkit", "",
        "A knowledge base of machine unlearning for large language models, organised by **intention**: "
        "does a method set out to **remove** knowledge from the model, or only to **suppress** its expression? "
        "The distinction comes from *SoK: Machine Unlearning for Large Language Models* (arXiv 2506.09227).", "",
        "- **Removal** methods change weights or representations so the knowledge is gone: no prompt, probe or "
        "light fine-tuning should bring it back, and the gold standard is a model retrained without the data.",
        "- **Suppression** methods keep the knowledge inside but stop it from showing: prompts, refusal training, "
        "output filters, inference-time offsets or steering.",
        "- **Observed behaviour** records what attacks actually found: many removal methods turned out "
        "*suppression-like* when relearning, quantization or probing brought the knowledge back.", "",
        f"The catalog holds **{len(papers)} papers**, **{len(site.catalog.benchmarks)} benchmarks** and "
        f"**{len(site.catalog.metrics)} metrics**: browse the [papers](papers/index.md), the "
        "[taxonomy](taxonomy/index.md), the [comparison tables](compare/index.md), the [graph](graph.md) "
        "or the [timeline](timeline.md), or [download](downloads.md) everything.", "",
        "## Intention × technique family", "",
        "Method papers by the intention they were designed with and the technique families they use; "
        "each count links to the papers.", "",
    ]
    if site.taxonomy is not None:
        intentions = list(site.taxonomy.ids("intention"))
        head = "".join(f"<th>{site.value_link(here, 'intention', i)}</th>" for i in intentions)
        out += ['<table class="sokkit-matrix">', f"<tr><th>Technique family</th>{head}<th>Suppression-like when tested</th></tr>"]
        for family in site.taxonomy.ids("technique"):
            cells = []
            for i in intentions:
                n = sum(1 for p in methods if p.intention == i and family in p.technique)
                cells.append(f"<td>{n}</td>")
            tested = sum(1 for p in methods if family in p.technique and p.observed == "suppression-like")
            if any(c != "<td>0</td>" for c in cells):
                out.append(f"<tr><td>{anchor(here, f'compare/{family}.md', site.label('technique', family))}</td>"
                           + "".join(cells) + f"<td>{tested}</td></tr>")
        out += ["</table>", ""]
    out += coverage_block(site)
    if site.added:
        latest = site.latest_added(12)
        out += ["## Recently added", "",
                f'<p>The latest entries in the catalog; follow them with the <a href="{href(here, FEED_FILE)}">Atom feed</a>.</p>',
                "<ul>"]
        out += [f"<li>{site.paper_link(here, pid)} — added {esc_html(when[:10])}</li>" for pid, when in latest]
        out += ["</ul>", ""]
    recent = sorted(site.catalog.papers.values(), key=lambda e: (-e.model.year, e.id))[:12]
    if recent:
        out += ["## Newest papers", "", "<ul>"]
        out += [f"<li>{site.paper_link(here, e.id)} ({e.model.year})</li>" for e in recent]
        out += ["</ul>", ""]
    return "\n".join(out)


def coverage_block(site: Site) -> list[str]:
    """How much of the reference list the catalog holds, from results/coverage.json."""
    cov = load_coverage(site.catalog)
    if not cov or not cov.get("reference_papers"):
        return []
    total, found, excluded = cov["reference_papers"], cov["in_catalog"], cov["excluded"]
    missing = total - found - excluded
    out = ["## Coverage of the field", "",
           f"<p>Of the <strong>{total}</strong> papers of a public community list of LLM-unlearning papers "
           f"(<code>{esc_html(cov['reference'])}</code>), the catalog holds <strong>{found}</strong> "
           f"({found / total:.0%}); <strong>{excluded}</strong> are left out with a stated reason and "
           f"<strong>{missing}</strong> are still missing. Entries marked <em>metadata only</em> are "
           "papers whose abstract could not be read yet.</p>",
           '<table class="sokkit-matrix"><tr><th>Section of the list</th><th>Papers</th><th>In the catalog</th>'
           "<th>Left out</th><th>Missing</th></tr>"]
    for name, row in cov.get("by_section", {}).items():
        out.append(f"<tr><td>{esc_html(name)}</td><td>{row['rows']}</td><td>{row['covered']}</td>"
                   f"<td>{row['excluded']}</td><td>{row['missing']}</td></tr>")
    out += ["</table>", ""]
    return out


def pages(site: Site) -> dict[str, str]:
    return {"index.md": home(site)}
