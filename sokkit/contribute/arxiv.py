"""Paper metadata from the arXiv API (Atom feed), for `sokkit add`."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from ..catalog.models import is_arxiv_id

API_URL = "https://export.arxiv.org/api/query?id_list={id}&max_results=1"
MAX_RESPONSE_BYTES = 2_000_000
TIMEOUT_S = 20
NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}

_ID_IN_TEXT = re.compile(
    r"^(?:https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|arxiv:)?"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?/?$",
    re.IGNORECASE | re.ASCII,
)


class ArxivError(Exception):
    """A user-facing failure: bad id, paper not found, arXiv unreachable."""


@dataclass(frozen=True)
class ArxivRecord:
    arxiv_id: str
    title: str
    authors: list[str]
    year: int
    doi: str | None
    journal_ref: str | None
    comment: str | None


def parse_arxiv_ref(text: str) -> str:
    """An arXiv id from an id, 'arXiv:' reference or abs/pdf URL, without version."""
    match = _ID_IN_TEXT.fullmatch(text.strip())
    if not match:
        raise ArxivError(
            f"'{text}' is not an arXiv id or URL (allowed: 2404.05868, arXiv:2404.05868v2, "
            "https://arxiv.org/abs/2404.05868)"
        )
    arxiv_id = match.group("id")
    if not is_arxiv_id(arxiv_id):
        raise ArxivError(f"'{arxiv_id}' is not a valid arXiv id")
    return arxiv_id


def fetch_url(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "sokkit (catalog scaffolding)"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            data = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise ArxivError(f"arXiv answered HTTP {exc.code}; try again later") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ArxivError(f"cannot reach arXiv ({reason}); are you offline?") from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise ArxivError("arXiv's answer was unexpectedly large; not parsed")
    return data


def _text(node: ET.Element | None) -> str | None:
    if node is None or node.text is None:
        return None
    return " ".join(node.text.split()) or None


def parse_feed(data: bytes, arxiv_id: str) -> ArxivRecord:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ArxivError("arXiv's answer contains a DTD; refusing to parse it")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ArxivError(f"arXiv's answer is not a valid Atom feed ({exc})") from None
    entry = root.find("atom:entry", NS)
    if entry is None:
        raise ArxivError(f"arXiv has no paper with id {arxiv_id}")
    entry_id = _text(entry.find("atom:id", NS)) or ""
    if "/api/errors" in entry_id:
        raise ArxivError(f"arXiv rejected the id {arxiv_id}: {_text(entry.find('atom:summary', NS))}")
    if not re.search(rf"/abs/{re.escape(arxiv_id)}(v\d+)?\Z", entry_id, re.ASCII):
        raise ArxivError(f"arXiv answered with a different paper ({entry_id}) for {arxiv_id}")
    title = _text(entry.find("atom:title", NS))
    published = _text(entry.find("atom:published", NS)) or ""
    authors = [a for a in (_text(n) for n in entry.findall("atom:author/atom:name", NS)) if a]
    if not title or not authors or not re.match(r"\d{4}-", published, re.ASCII):
        raise ArxivError(f"arXiv's record for {arxiv_id} lacks a title, authors or date")
    return ArxivRecord(
        arxiv_id=arxiv_id,
        title=title,
        authors=authors,
        year=int(published[:4]),
        doi=_text(entry.find("arxiv:doi", NS)),
        journal_ref=_text(entry.find("arxiv:journal_ref", NS)),
        comment=_text(entry.find("arxiv:comment", NS)),
    )


def lookup(reference: str, fetch: Callable[[str], bytes] | None = None) -> ArxivRecord:
    arxiv_id = parse_arxiv_ref(reference)
    fetch = fetch or fetch_url  # looked up at call time, so tests can replace it
    return parse_feed(fetch(API_URL.format(id=urllib.parse.quote(arxiv_id, safe="/"))), arxiv_id)
