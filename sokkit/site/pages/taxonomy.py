"""The taxonomy tree, and a page per value of each axis that papers carry."""

from __future__ import annotations

from collections import Counter

from ...safe.html import esc_html, md_text
from ..markup import anchor, front_matter, title_heading
from .context import PAPER_AXES, Site
from .papers import paper_table


def taxonomy_index(site: Site) -> str:
    here = "taxonomy/index.md"
    out = ["# Taxonomy", "", "Every axis an entry is classified on. Each value links to the papers that carry it.", ""]
    if site.taxonomy is None:
        return "\n".join(out)
    counts = value_counts(site)
    for axis_id, axis in site.taxonomy.axes.items():
        # Raw HTML with the validated axis id: a slug of the label could take a theme id.
        out += [f'<h2 id="{axis_id}">{esc_html(axis.label)}</h2>', "", md_text(axis.description), "", "<ul>"]
        for value_id, value in axis.values.items():
            if axis_id in PAPER_AXES:
                name = anchor(here, site.value_page(axis_id, value_id), value.label) + f" ({counts[axis_id][value_id]})"
            else:
                name = f"<strong>{esc_html(value.label)}</strong>"
            out.append(f"<li>{name} <code>{esc_html(value_id)}</code>: {esc_html(value.description)}</li>")
        out += ["</ul>", ""]
    return "\n".join(out)


def value_counts(site: Site) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {axis: Counter() for axis in PAPER_AXES}
    for entry in site.catalog.papers.values():
        for axis, get in PAPER_AXES.items():
            counts[axis].update(get(entry.model))
    return counts


def value_pages(site: Site) -> dict[str, str]:
    pages = {}
    if site.taxonomy is None:
        return pages
    for axis, get in PAPER_AXES.items():
        for value_id, value in site.taxonomy.axes[axis].values.items():
            here = site.value_page(axis, value_id)
            entries = [e for e in site.catalog.papers.values() if value_id in get(e.model)]
            pages[here] = "\n".join([
                front_matter(f"{site.taxonomy.axes[axis].label}: {value.label}"),
                title_heading(f"{site.taxonomy.axes[axis].label}: {value.label}"), "",
                md_text(value.description), "",
                f"{len(entries)} paper{'s' * (len(entries) != 1)}. "
                + anchor(here, "taxonomy/index.md", "All values of every axis") + ".", "",
                paper_table(site, here, entries) if entries else "No papers yet.", "",
            ])
    return pages


def pages(site: Site) -> dict[str, str]:
    return {"taxonomy/index.md": taxonomy_index(site), **value_pages(site)}
