"""Escaping for every contributed string that reaches a page.

Pages are Markdown that MkDocs turns into HTML, and Markdown passes raw HTML
through, so contributed text is first HTML-escaped and then has every character
with a Markdown meaning backslash-escaped (including the braces of attribute
lists and the pipes of tables). Links are emitted as HTML anchors, and only for
http(s) URLs.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

# Python-Markdown's escapable characters, plus the table pipe.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")


def esc_html(text: object) -> str:
    return html.escape(str(text), quote=True)


def md_text(text: object) -> str:
    """Inline Markdown that displays `text` literally, on one line."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", esc_html(flat))


def safe_href(url: object) -> str | None:
    """The URL, escaped for an attribute, if it is an http(s) link; else None."""
    text = str(url)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        return None
    return esc_html(text)


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
