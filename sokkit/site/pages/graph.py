"""The graph page: the catalog's graph as inline JSON with fixed positions, drawn by cytoscape.js."""

from __future__ import annotations

import json

from ...graph import view_data
from ...safe.html import esc_html
from ..markup import href
from .context import Site


def graph_page(site: Site) -> str:
    here = "graph.md"
    data = view_data(site.catalog, lambda target: href(here, target).replace("&amp;", "&"))
    # Inside <script>, only "</" could end the block; escape every markup character.
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    blob = blob.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    relation_types = site.taxonomy.ids("relation") if site.taxonomy else ()
    boxes = "".join(f'<label><input type="checkbox" data-relation="{esc_html(t)}" checked> '
                    f"{esc_html(site.label('relation', t))}</label>" for t in (*relation_types, "uses_benchmark", "introduces"))
    families = "".join(f'<option value="{esc_html(f)}">{esc_html(site.label("technique", f))}</option>'
                       for f in (site.taxonomy.ids("technique") if site.taxonomy else ()))
    legend = " ".join(f'<span><span class="sokkit-swatch" style="background:{colour}"></span>{name}</span>'
                      for name, colour in (("removal", "#1e88e5"), ("suppression", "#e53935"),
                                           ("no intention", "#9e9e9e"), ("benchmark", "#43a047")))
    return "\n".join([
        "# Graph", "",
        f"{len(data['nodes'])} nodes and {len(data['edges'])} edges. Papers are placed by year (left to right) and by "
        "main technique family or role (top to bottom); colour shows intention. Click a node for details, "
        "double-click to open its page; scroll to zoom.", "",
        f'<div class="sokkit-graph-controls">{legend}</div>',
        f'<div class="sokkit-graph-controls"><select id="sokkit-graph-family" aria-label="Highlight a technique family">'
        f'<option value="">All families</option>{families}</select>{boxes}</div>',
        '<div id="sokkit-graph"></div>',
        '<div id="sokkit-graph-info"></div>',
        f'<script type="application/json" id="sokkit-graph-data">{blob}</script>',
        f'<script src="{href(here, "assets/sokkit/vendor/cytoscape.min.js")}"></script>',
        f'<script src="{href(here, "assets/sokkit/sokkit-graph.js")}"></script>',
        "",
    ])


def pages(site: Site) -> dict[str, str]:
    return {"graph.md": graph_page(site)}
