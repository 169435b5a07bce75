"""The downloads page and the files it offers: every export format of `sokkit.export`."""

from __future__ import annotations

from ...export import export
from ...safe.html import esc_html
from ..markup import href
from .context import Site


DOWNLOADS = {
    "json": ("catalog.json", "JSON: one object per paper (the stable export record)"),
    "bibtex": ("catalog.bib", "BibTeX: one entry per paper"),
    "csl-json": ("catalog.csl.json", "CSL-JSON: for Zotero, pandoc and citeproc"),
    "csv": ("catalog.csv", "CSV: one row per paper"),
    "graphml": ("catalog.graphml", "GraphML: papers, benchmarks and relations"),
}


def downloads(site: Site) -> str:
    out = ["# Downloads", "", "The whole catalog, regenerated with every build. The same files come from "
           "`sokkit export --format <format>`.", "", "<ul>"]
    for fmt, (name, what) in DOWNLOADS.items():
        out.append(f'<li><a href="{href("downloads.md", f"downloads/{name}")}" download>{esc_html(name)}</a> — '
                   f"{esc_html(what)} (<code>--format {fmt}</code>)</li>")
    out += ["</ul>", ""]
    return "\n".join(out)


def pages(site: Site) -> dict[str, str]:
    files = {f"downloads/{name}": export(site.catalog, fmt) for fmt, (name, _) in DOWNLOADS.items()}
    return {"downloads.md": downloads(site), **files}
