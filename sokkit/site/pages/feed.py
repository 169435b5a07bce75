"""The Atom feed of the latest additions to the catalog (dated by sokkit.site.history)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from ..markup import page_url
from .context import PAPERS_DIR, Site


FEED_FILE = "feed.xml"


def atom_feed(site: Site, n: int = 100) -> str:
    """Atom 1.0 of the latest additions, newest first; links are relative to the feed."""
    latest = site.latest_added(n)
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
             "<title>sokkit: papers added to the catalog</title>", "<id>urn:sokkit:catalog</id>",
             f"<updated>{escape(latest[0][1])}</updated>", '<link rel="alternate" href="./"/>']
    for pid, when in latest:
        p = site.catalog.papers[pid].model
        lines += ["<entry>", f"<title>{escape(p.title)}</title>", f"<id>urn:sokkit:paper:{escape(pid)}</id>",
                  f"<updated>{escape(when)}</updated>", f'<link href="{escape(page_url(f"{PAPERS_DIR}/{pid}.md"))}"/>',
                  *[f"<author><name>{escape(a)}</name></author>" for a in p.authors[:20]],
                  f"<summary>{escape(' '.join((p.summary or '').split()))}</summary>", "</entry>"]
    return "\n".join(lines + ["</feed>"]) + "\n"


def pages(site: Site) -> dict[str, str]:
    return {FEED_FILE: atom_feed(site)} if site.added else {}
