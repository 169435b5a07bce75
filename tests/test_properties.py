"""Property test: arbitrary Unicode and markup in every free-text field of an entry either
is refused by validation or renders as inert text, and never crashes the renderer."""

from collections import Counter
import re
from html.parser import HTMLParser
import shutil
import tempfile
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")  # the 'dev' extra; CI installs it
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from sokkit.validate import load_catalog  # noqa: E402
from sokkit.site.pages import render_pages  # noqa: E402

from conftest import CATALOG, GOOD_PAPER, OTHER_PAPER  # noqa: E402
from test_harden import to_html  # noqa: E402

MARKUP = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href='javascript:alert(1)'>x</a>",
    "[x](javascript:alert(1))", "![x](javascript:alert(1))", "<javascript:alert(1)>", "```", "~~~", "```{#__config .js}",
    "{: onclick=alert(1)}", "{#__config}", "__config", "\n", "\n\n", "    ", "\t", "|", "| a | b |\n|---|---|",
    "*", "_", "`", "\\", "<!--", "-->", "]]>", "&#60;script&#62;", "&lt;", "javascript:", "!!! note", "# h", "1. ",
    "> ", "---", "===", "<div markdown=1>", "</div>", "<style>", "é", "中文", "🙂", "Ａ", "\u0301",
])
# Characters validation refuses (controls, bidi, zero-width, line breaks): rare, so that
# most examples pass validation and reach the renderer.
REFUSED = st.sampled_from(["\u202e", "\u200b", "\x00", "\x85", "\u2028", "\x1b"])
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp")), max_size=20)
TEXT = st.lists(st.one_of(MARKUP, PRINTABLE), min_size=1, max_size=6).map("".join)
# One field in a hundred gets a refused character; single-line fields get no line breaks
# (those are refused too), so that most examples reach the renderer.
MULTI_LINE = st.tuples(TEXT, st.integers(0, 99), REFUSED).map(lambda t: t[0] + t[2] if t[1] == 0 else t[0])
ONE_LINE = MULTI_LINE.map(lambda s: s.replace("\n", " ").replace("\r", " "))
SINGLE_LINE_FIELDS = {"title", "venue", "source", "method"}
FIELDS = ("title", "summary", "rationale", "venue", "note", "statement", "source", "method", "description", "relation")


def _yaml_str(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text` (escapes for all but printable characters)."""
    def one(c: str) -> str:
        if c in '"\\':
            return "\\" + c
        if c.isprintable():
            return c
        return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
    return '"' + "".join(map(one, text)) + '"'


def _entry(values: dict[str, str]) -> str:
    v = {k: _yaml_str(s) for k, s in values.items()}
    return GOOD_PAPER.replace('"A Method That Forgets"', v["title"]).replace(
        "rationale: >-\n  It raises the loss on the forget set by gradient ascent, aiming to erase the facts.",
        f"rationale: {v['rationale']}\nsummary: {v['summary']}\nvenue: {v['venue']}\n"
        f"methods:\n  - name: {v['method']}\n    family: gradient-ascent\n    intention: removal\n"
        f"    level: parameters\n    description: {v['description']}\n"
        f"claims:\n  - id: c1\n    kind: relearning-recovers\n    statement: {v['statement']}\n    source: {v['source']}",
    ).replace("target: other-2023-baseline", f"target: other-2023-baseline\n    note: {v['relation']}").replace(
        "checked: [arxiv-abstract]", f"checked: [arxiv-abstract]\n  note: {v['note']}")


def _tags(page: str) -> Counter:
    return Counter(tag.lower() for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", page))


class _Scan(HTMLParser):
    """Executable HTML as a browser would parse it: script-like tags, on* handlers,
    non-http(s) links, and ids in the theme's namespace (`__config`, ...)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "style", "base", "form", "meta", "link"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction") and re.match(r"[a-z][a-z0-9+.-]*:", value, re.I) \
                    and not re.match(r"https?:", value, re.I):
                self.found.append(f"{tag} {name}={value[:30]}")
            if name == "id" and value.startswith("__"):
                self.found.append(f"{tag} id={value}")


def _executable(page: str) -> list[str]:
    scan = _Scan()
    scan.feed(page)
    scan.close()
    return scan.found


@pytest.fixture(scope="module")
def catalog_dir():
    root = Path(tempfile.mkdtemp(prefix="sokkit-prop-"))
    for kind in ("papers", "benchmarks", "metrics"):
        (root / kind).mkdir()
    shutil.copy(CATALOG / "taxonomy.yaml", root / "taxonomy.yaml")
    (root / "papers" / "other-2023-baseline.yaml").write_text(OTHER_PAPER, encoding="utf-8")
    yield root
    shutil.rmtree(root, ignore_errors=True)


PAGES = ("papers/good-2024-method.md", "papers/index.md", "index.md", "claims.md")


def _render(catalog_dir: Path, values: dict[str, str]) -> dict[str, str] | None:
    (catalog_dir / "papers" / "good-2024-method.yaml").write_text(_entry(values), encoding="utf-8")
    catalog, problems = load_catalog(catalog_dir)
    if any(p.severity == "error" for p in problems):
        return None  # refused with a message: fine
    pages = render_pages(catalog)
    return {rel: to_html(pages[rel]) for rel in PAGES}


@pytest.fixture(scope="module")
def baseline(catalog_dir):
    """The tags each page has with plain text in every field: hostile text may add none."""
    pages = _render(catalog_dir, {field: f"plain {field}" for field in FIELDS})
    assert pages is not None
    return {rel: _tags(page) for rel, page in pages.items()}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.fixed_dictionaries({field: ONE_LINE if field in SINGLE_LINE_FIELDS else MULTI_LINE for field in FIELDS}))
def test_free_text_renders_inert_or_is_refused(catalog_dir, baseline, values):
    pages = _render(catalog_dir, values)
    hypothesis.event("refused" if pages is None else "rendered")
    if pages is None:
        return
    for rel, page in pages.items():
        assert _executable(page) == [], (rel, values)
        added = _tags(page) - baseline[rel]
        assert not added, (rel, dict(added), values)
