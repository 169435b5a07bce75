"""The graph page: the catalog's graph as inline JSON with fixed positions, drawn by cytoscape.js.

The page has its own layout (`hide` front matter: no navigation or table of contents, and
`.sokkit-wide` lifts the width cap), a search box that focuses a paper and its
neighbourhood, the relation and family filters, and a legend. Positions, degrees and
PageRank are computed at build time (`sokkit.graph.view_data`).
"""

from __future__ import annotations

import json

from ...graph import LABELLED, view_data
from ...safe.html import esc_html
from ..markup import href
from .context import Site

EDGE_LABELS = {"uses_benchmark": "uses benchmark", "introduces": "introduces benchmark"}
COLOURS = (("removal", "#1e88e5"), ("suppression", "#e53935"), ("no intention", "#757575"), ("benchmark", "#2e7d32"))
EDGES = (("builds on", "#1e88e5"), ("attacks", "#e53935"), ("other relations", "#9e9e9e"))


def json_script(element_id: str, data: object) -> str:
    """Data for the page's script; inside <script> only "</" could end the block, so every
    markup character is escaped."""
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    blob = blob.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{element_id}">{blob}</script>'


def graph_page(site: Site) -> str:
    here = "graph.md"
    data = view_data(site.catalog, lambda target: href(here, target).replace("&amp;", "&"))
    relation_types = site.taxonomy.ids("relation") if site.taxonomy else ()
    boxes = "".join(f'<label><input type="checkbox" data-relation="{esc_html(t)}" checked> '
                    f"{esc_html(EDGE_LABELS.get(t) or site.label('relation', t))}</label>"
                    for t in (*relation_types, *EDGE_LABELS))
    families = "".join(f'<option value="{esc_html(f)}">{esc_html(site.label("technique", f))}</option>'
                       for f in (site.taxonomy.ids("technique") if site.taxonomy else ()))
    legend = "".join(f'<li><span class="sokkit-swatch" style="background:{colour}"></span>{name}</li>' for name, colour in COLOURS)
    legend += "".join(f'<li><span class="sokkit-line" style="background:{colour}"></span>{name}</li>' for name, colour in EDGES)
    legend += ('<li><span class="sokkit-swatch sokkit-diamond"></span>benchmark (diamond)</li>'
               "<li>size: links within the catalog</li>"
               f"<li>labels: the {LABELLED} highest by PageRank; zoom in for more</li>")
    return "\n".join([
        "---", "hide:", "  - navigation", "  - toc", "---", "",
        "# Graph", "",
        '<div class="sokkit-wide" markdown="0">',
        f"<p>{len(data['nodes'])} nodes and {len(data['edges'])} edges. Papers are placed by year (left to right) and by "
        "main technique family or role (top to bottom); colour shows intention. Find a paper to see its neighbourhood; "
        "click a node for details, double-click to open its page; scroll to zoom.</p>",
        '<div class="sokkit-graph-controls">'
        '<label for="sokkit-graph-search">Find a paper</label>'
        '<input type="search" id="sokkit-graph-search" list="sokkit-graph-titles" autocomplete="off" '
        'placeholder="Title or id…">'
        '<datalist id="sokkit-graph-titles"></datalist>'
        '<button type="button" id="sokkit-graph-clear">Show all</button>'
        '<span id="sokkit-graph-status" role="status"></span></div>',
        f'<div class="sokkit-graph-controls"><select id="sokkit-graph-family" aria-label="Highlight a technique family">'
        f'<option value="">All families</option>{families}</select>{boxes}</div>',
        f'<ul class="sokkit-graph-legend" aria-label="Legend">{legend}</ul>',
        '<div id="sokkit-graph" role="img" aria-label="Graph of papers, benchmarks and their relations"></div>',
        '<div id="sokkit-graph-info" aria-live="polite"></div>',
        "</div>",
        json_script("sokkit-graph-data", data),
        f'<script src="{href(here, "assets/sokkit/vendor/cytoscape.min.js")}"></script>',
        f'<script src="{href(here, "assets/sokkit/sokkit-graph.js")}"></script>',
        "",
    ])


def pages(site: Site) -> dict[str, str]:
    return {"graph.md": graph_page(site)}
