"""A paper's neighbourhood as a small inline SVG drawn at build time: what it builds on and
what it is evaluated on (left), what builds on it and what attacks it (right).

Static-first: no JavaScript and nothing from the network; every node is a link to its page
(relative, built from validated ids) and every label and tooltip goes through `esc_html`.
"""

from __future__ import annotations

from ...graph import short_label
from ...safe.html import esc_html
from ..markup import href
from .context import PAPERS_DIR, Site

WIDTH, ROW, BOX_W, BOX_H, SHOWN = 760, 26, 250, 20, 8
# (heading, side) in drawing order; each side stacks its groups from the top.
GROUPS = (("Builds on", "left"), ("Evaluated on", "left"), ("Built on by", "right"), ("Attacked by", "right"))
COLOURS = {"Builds on": "#1565c0", "Evaluated on": "#2e7d32", "Built on by": "#1565c0", "Attacked by": "#c62828"}


def neighbours(site: Site, paper_id: str) -> dict[str, list[tuple[str, str, str]]]:
    """{group: [(target page, label, full title)]}, each group sorted by title, no duplicates."""
    p = site.catalog.papers[paper_id].model
    papers = site.catalog.papers

    def paper(pid: str) -> tuple[str, str, str]:
        title = papers[pid].model.title
        return f"{PAPERS_DIR}/{pid}.md", short_label(title, 36), title

    groups = {
        "Builds on": {r.target for r in p.relations if r.type == "builds_on" and r.target in papers},
        "Built on by": {s for t, s in site.incoming.get(paper_id, []) if t == "builds_on"},
        "Attacked by": {s for t, s in site.incoming.get(paper_id, []) if t == "attacks"},
    }
    out = {name: sorted((paper(pid) for pid in ids), key=lambda x: (x[2], x[0])) for name, ids in groups.items()}
    # its benchmarks, then the papers it says it evaluates on
    benches = site.catalog.benchmarks
    out["Evaluated on"] = sorted(
        ((f"benchmarks/{b}.md", short_label(benches[b].model.name, 36), benches[b].model.full_name or benches[b].model.name)
         for b in set(p.benchmarks) if b in benches), key=lambda x: (x[2], x[0]))
    out["Evaluated on"] += sorted((paper(r.target) for r in p.relations if r.type == "evaluates_on" and r.target in papers),
                                  key=lambda x: (x[2], x[0]))
    return out


def neighbourhood_svg(site: Site, here: str, paper_id: str) -> str:
    """The section (heading and figure) for paper `paper_id`'s page; empty when it has no neighbours."""
    groups = neighbours(site, paper_id)
    if not any(groups.values()):
        return ""
    columns: dict[str, list[tuple[str, list]]] = {"left": [], "right": []}
    for name, side in GROUPS:
        if groups[name]:
            columns[side].append((name, groups[name]))
    heights = {side: sum(ROW * (1 + min(len(items), SHOWN) + (len(items) > SHOWN)) + 8 for _, items in col)
               for side, col in columns.items()}
    height = max(60, *heights.values()) + 10
    cx, cy = WIDTH // 2, height // 2
    title = site.catalog.papers[paper_id].model.title
    lines, nodes = [], []
    for side, col in columns.items():
        x = 8 if side == "left" else WIDTH - BOX_W - 8
        edge_x = x + BOX_W if side == "left" else x
        y = 8
        for name, items in col:
            nodes.append(f'<text x="{x}" y="{y + 14}" class="sokkit-nb-head">{esc_html(name)} ({len(items)})</text>')
            y += ROW
            for target, label, full in items[:SHOWN]:
                lines.append(f'<line x1="{edge_x}" y1="{y + BOX_H // 2}" x2="{cx}" y2="{cy}" stroke="{COLOURS[name]}"/>')
                nodes.append(f'<a href="{href(here, target)}"><title>{esc_html(full)}</title>'
                             f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="4" stroke="{COLOURS[name]}"/>'
                             f'<text x="{x + 6}" y="{y + 14}">{esc_html(label)}</text></a>')
                y += ROW
            if len(items) > SHOWN:
                nodes.append(f'<text x="{x + 6}" y="{y + 14}" class="sokkit-nb-more">and {len(items) - SHOWN} more '
                             "(see Relations below)</text>")
                y += ROW
            y += 8
    centre_w = 200
    nodes.append(f'<g class="sokkit-nb-self"><title>{esc_html(title)}</title>'
                 f'<rect x="{cx - centre_w // 2}" y="{cy - 16}" width="{centre_w}" height="32" rx="6"/>'
                 f'<text x="{cx}" y="{cy + 5}" text-anchor="middle">{esc_html(short_label(title, 28))}</text></g>')
    return "\n".join([
        "## Neighbourhood", "",
        f'<figure class="sokkit-neighbourhood"><svg viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="group" aria-label="Neighbourhood of this paper" xmlns="http://www.w3.org/2000/svg">'
        f'<g class="sokkit-nb-lines">{"".join(lines)}</g>{"".join(nodes)}</svg>'
        "<figcaption>What this paper builds on and is evaluated on (left), what builds on it and what attacks it "
        "(right); every box links to its page.</figcaption></figure>", "",
    ])
