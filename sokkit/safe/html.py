"""Escaping for every contributed string that reaches a page.

Pages are Markdown that MkDocs turns into HTML, and Markdown passes raw HTML
through, but still reads Markdown in the text between inline tags, and the
superfences preprocessor opens a fence at any line start, even inside a raw HTML
block. So every contributed string, whatever file it comes from (entries,
benchmarks, metrics, taxonomy, results), goes through `esc_html`: folded onto one
line, HTML-escaped, and with the characters of Markdown syntax written as numeric
character references, which Markdown leaves alone and the browser shows as the
characters. Links are emitted as HTML anchors, and only for http(s) URLs.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

def _refs(chars: str) -> dict[int, str]:
    return {ord(c): f"&#{ord(c)};" for c in chars}


# Code spans and fences (` ~), links and images ([ ]), attribute lists and fence
# attributes ({ }), tables (|), escapes (\\) and emphasis (* _): live anywhere in a line.
_INLINE = _refs("`~[]{}|\\*_")
# Block syntax that only acts at the start of a line (headings, lists, admonitions,
# rules), for text that begins a Markdown line.
_LINE = _refs("`~[]{}|\\*_#!+-.=:")


def esc_html(text: object) -> str:
    """The gate for contributed text in HTML or Markdown: one line, escaped, inert."""
    flat = " ".join(str(text).split())
    return html.escape(flat, quote=True).translate(_INLINE)


# Inside a tag, Markdown's inline patterns that run before raw HTML is set aside (code
# spans, escapes, links) are the only ones that could reach an attribute.
_ATTR = _refs("`\\[]")


def esc_attr(value: object) -> str:
    """An attribute value (a URL or a data value) built by sokkit; inert to Markdown too."""
    return html.escape(str(value), quote=True).translate(_ATTR)


# Quotes as decimal references in the same pass as the Markdown characters: escaping them
# first (html.escape's &#x27;) and then '#' would turn an apostrophe into a visible "&#x27;".
_LINE_QUOTES = {**_LINE, ord("'"): "&#39;", ord('"'): "&#34;"}


def md_text(text: object) -> str:
    """Markdown that displays `text` literally, on one line, even at the start of a line."""
    flat = " ".join(str(text).split())
    return html.escape(flat, quote=False).translate(_LINE_QUOTES)


def safe_href(url: object) -> str | None:
    """The URL, escaped for an attribute, if it is an http(s) link; else None."""
    text = str(url)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        return None
    return esc_attr(text)


def html_link(url: object, label: object) -> str:
    """An anchor to an external http(s) URL, or the escaped label alone."""
    href = safe_href(url)
    if href is None:
        return esc_html(label)
    return f'<a href="{href}" rel="noopener noreferrer nofollow">{esc_html(label)}</a>'


def code_fence(body: str, lang: str = "") -> str:
    """A fenced block that no backtick run inside `body` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


_CODE = _refs("`~")


def code_block(body: str, lang: str = "") -> str:
    """A code block as raw HTML in the theme's markup (`.highlight`, so it keeps the copy
    button), without syntax colouring: HTML-escaped, on one line (line breaks written as
    `&#10;`, so no blank line can split the block and no line can open a fence)."""
    cls = f"language-{html.escape(lang, quote=True)} highlight" if lang else "highlight"
    return f'<div class="{cls}"><pre><span></span><code>{html.escape(body, quote=False).translate(_CODE).replace(chr(10), "&#10;")}</code></pre></div>'


def search_text(text: object, limit: int | None = None) -> str:
    """Text for the site's search index, which the theme shows as HTML: one line, HTML-escaped
    (no Markdown is involved), cut at a word boundary to at most `limit` characters."""
    flat = " ".join(str(text).split())
    if limit is not None and len(flat) > limit:
        flat = flat[:limit].rsplit(" ", 1)[0] + " …"
    return html.escape(flat, quote=False)
