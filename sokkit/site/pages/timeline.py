"""The timeline page and its figure, a standalone SVG: papers per year and technique family.

Written as a standalone file and shown through <img>, so even a hostile label
could not run script; labels are escaped anyway.
"""

from __future__ import annotations

from collections import Counter

from ...catalog import Catalog
from ...safe.html import esc_html
from ..markup import href
from .context import Site

CELL_W, CELL_H, LEFT, TOP, BAR_H = 46, 22, 250, 30, 90


def timeline_svg(catalog: Catalog) -> str:
    papers = [e.model for e in catalog.papers.values()]
    years = list(range(min((p.year for p in papers), default=2024), max((p.year for p in papers), default=2024) + 1))
    families = list(catalog.taxonomy.ids("technique")) if catalog.taxonomy else sorted({t for p in papers for t in p.technique})
    counts = Counter((p.year, t) for p in papers for t in p.technique)
    per_year = Counter(p.year for p in papers)
    peak = max(counts.values(), default=1)
    peak_year = max(per_year.values(), default=1)
    width = LEFT + CELL_W * len(years) + 20
    grid_top = TOP + BAR_H + 30
    height = grid_top + CELL_H * len(families) + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="11">',
        f'<text x="{LEFT}" y="18" font-size="13" font-weight="bold">Papers per year (bars) and per technique family (cells)</text>',
    ]
    for i, year in enumerate(years):
        x = LEFT + i * CELL_W
        h = BAR_H * per_year[year] / peak_year
        out.append(f'<rect x="{x + 6}" y="{TOP + BAR_H - h:.1f}" width="{CELL_W - 12}" height="{h:.1f}" fill="#607d8b"/>')
        out.append(f'<text x="{x + CELL_W / 2}" y="{TOP + BAR_H - h - 3:.1f}" text-anchor="middle">{per_year[year]}</text>')
        out.append(f'<text x="{x + CELL_W / 2}" y="{grid_top - 8}" text-anchor="middle">{year}</text>')
    for j, family in enumerate(families):
        y = grid_top + j * CELL_H
        label = catalog.taxonomy.label("technique", family) if catalog.taxonomy else family
        out.append(f'<text x="{LEFT - 8}" y="{y + CELL_H * 0.7:.1f}" text-anchor="end">{esc_html(label)}</text>')
        for i, year in enumerate(years):
            n = counts[(year, family)]
            shade = 0.08 + 0.92 * n / peak if n else 0.0
            x = LEFT + i * CELL_W
            out.append(f'<rect x="{x + 1}" y="{y + 1}" width="{CELL_W - 2}" height="{CELL_H - 2}" '
                       f'fill="#1e88e5" fill-opacity="{shade:.2f}" stroke="#eee"/>')
            if n:
                colour = "#fff" if shade > 0.5 else "#000"
                out.append(f'<text x="{x + CELL_W / 2}" y="{y + CELL_H * 0.7:.1f}" text-anchor="middle" fill="{colour}">{n}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def timeline(site: Site) -> str:
    return "\n".join(["# Timeline", "", "How the field grew: papers in the catalog per year, and per technique family "
                      "and year (a paper counts once for each family it uses).", "",
                      '<img src="' + href("timeline.md", "timeline.svg") + '" alt="Papers per year and technique family">', ""])


def pages(site: Site) -> dict[str, str]:
    return {"timeline.md": timeline(site), "timeline.svg": timeline_svg(site.catalog)}
