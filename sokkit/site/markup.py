"""Building blocks for generated pages: page URLs, relative links, filterable tables.

Tables are raw HTML inside the Markdown so that cells can carry filter and sort
keys; every cell's text goes through `esc_html`, and every link is either a
relative link between generated pages (built from validated ids) or `html_link`.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..safe.html import esc_attr, esc_html


def page_url(md_path: str) -> str:
    """The site URL (relative to the site root) MkDocs gives a page, with directory URLs."""
    stem = md_path[:-3] if md_path.endswith(".md") else md_path
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/" if md_path.endswith(".md") else stem


def href(from_md: str, target: str) -> str:
    """A relative link from generated page `from_md` to a page (.md) or a file."""
    to = page_url(target)
    base = page_url(from_md)
    rel = posixpath.relpath("/" + to, "/" + base) if to else posixpath.relpath("/", "/" + base)
    if to == "" or to.endswith("/"):
        rel = rel.rstrip("/") + "/"
    return esc_attr(rel)


def title_heading(text: object) -> str:
    """A page's heading from contributed text, as raw HTML: a Markdown heading would get an
    id slugged from the text, and a title such as '__config' would then take an id the
    theme's own script looks up."""
    return f"<h1>{esc_html(text)}</h1>"


def anchor(from_md: str, target: str, label: object) -> str:
    return f'<a href="{href(from_md, target)}">{esc_html(label)}</a>'


@dataclass(frozen=True)
class Column:
    label: str
    cell: Callable[[Any], str]                       # HTML for the cell (already escaped)
    values: Callable[[Any], Iterable[str]] | None = None  # filter values; makes a select
    sort: Callable[[Any], str] | None = None          # sort key; makes the column sortable
    numeric: bool = False


def table(rows: list[Any], columns: list[Column], row_id: Callable[[Any], str] | None = None,
          compare_url: str | None = None) -> str:
    """A filterable, sortable HTML table (see assets/sokkit-tables.js). With `row_id` (a
    validated paper id per row) and `compare_url` (the compare page), rows can be picked
    for the side-by-side comparison."""
    head = []
    for col in columns:
        attrs = ""
        if col.values is not None:
            attrs += ' data-filter="select"'
        if col.sort is not None:
            attrs += f' data-sort="{"number" if col.numeric else "text"}"'
        head.append(f"<th{attrs}>{esc_html(col.label)}</th>")
    body = []
    for row in rows:
        cells = []
        for col in columns:
            attrs = ""
            if col.values is not None:
                attrs += f' data-values="{esc_attr("|".join(v for v in col.values(row) if v))}"'
            if col.sort is not None:
                attrs += f' data-sort="{esc_attr(col.sort(row))}"'
            cells.append(f"<td{attrs}>{col.cell(row)}</td>")
        rid = f' data-id="{esc_attr(row_id(row))}"' if row_id is not None else ""
        body.append(f"<tr{rid}>" + "".join(cells) + "</tr>")
    return (
        '<div class="sokkit-table-wrap" tabindex="0" data-search-exclude>\n<table class="sokkit-table" data-sokkit-table'
        + (f' data-compare="{esc_attr(compare_url)}"' if compare_url and row_id is not None else "") + '>\n<thead><tr>' + "".join(head)
        + "</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>\n</div>\n"
    )


def front_matter(title: str, search: bool = True) -> str:
    """Page title for MkDocs, HTML-escaped: themes print it into <title> unescaped. With
    `search=False` the search plugin leaves the page out (its entry comes from pages/search.py).

    JSON strings are valid YAML double-quoted scalars, so no YAML writer is needed.
    """
    excluded = "" if search else "search:\n  exclude: true\n"
    return f"---\ntitle: {json.dumps(esc_html(' '.join(title.split())))}\n{excluded}---\n\n"
