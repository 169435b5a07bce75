"""Strict, position-keeping YAML loading for contributed catalog files.

PyYAML's loaders are either unsafe (tags build arbitrary objects) or lossy (the
last of two duplicate keys silently wins, line numbers are thrown away). Catalog
files are untrusted, and every error must name a line, so this module builds
plain Python data straight from the parser's event stream and refuses anything
outside the small subset a catalog entry needs: one document, no tags, no
anchors or aliases, no duplicate keys, no complex keys, bounded depth.

The C parser (libyaml) is used when PyYAML was built with it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
HAS_LIBYAML = _Parser is not yaml.SafeLoader

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32

Loc = tuple[Any, ...]


class YamlError(Exception):
    """A file that is not acceptable YAML for the catalog; carries the line."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass
class YamlDocument:
    """Parsed data plus the 1-based line of every key and sequence item."""

    path: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int:
        """Line of the deepest part of `loc` that exists in the file."""
        loc = tuple(loc)
        while loc:
            line = self.lines.get(loc)
            if line is not None:
                return line
            loc = loc[:-1]
        return self.lines.get((), 1)


# Implicit scalar typing (YAML 1.1 as PyYAML does it), looked up by first character.
_RESOLVERS = Resolver.yaml_implicit_resolvers
_CONSTRUCTOR = SafeConstructor()
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"


def _plain_scalar(value: str) -> Any:
    for tag, regexp in _RESOLVERS.get(value[:1] if value else "", ()):
        if regexp.match(value):
            break
    else:
        return value
    if tag == _NULL_TAG:
        return None
    if tag == _BOOL_TAG:
        return value.lower() in ("yes", "true", "on")
    if tag in ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"):
        return value
    return _CONSTRUCTOR.construct_object(ScalarNode(tag, value))


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_yaml(text: str, path: str = "<string>") -> YamlDocument:
    """Parse one YAML document from `text` into plain dicts, lists and scalars."""
    lines: dict[Loc, int] = {}
    # Each open container is [container, loc, pending_key, pending_key_line].
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0
    have_root = False

    def fail(event: Any, message: str) -> YamlError:
        mark = event.start_mark
        return YamlError(path, (mark.line + 1) if mark else 1, message)

    def attach(event: Any, value: Any, is_container: bool) -> Loc:
        nonlocal root, have_root
        line = event.start_mark.line + 1
        if not stack:
            root, have_root = value, True
            lines[()] = line
            return ()
        parent = stack[-1]
        container = parent[0]
        if isinstance(container, list):
            loc = parent[1] + (len(container),)
            container.append(value)
            lines[loc] = line
            return loc
        if parent[2] is _NO_KEY:
            if is_container:
                raise fail(event, "a key must be a plain value, not a list or mapping")
            if value in container:
                first = lines.get(parent[1] + (value,), "?")
                raise fail(
                    event,
                    f"duplicate key {_describe(value)} (first set at line {first}); "
                    "each key may appear once",
                )
            parent[2], parent[3] = value, line
            return ()
        key = parent[2]
        loc = parent[1] + (key,)
        container[key] = value
        lines[loc] = parent[3]
        parent[2] = _NO_KEY
        return loc

    try:
        for event in yaml.parse(text, Loader=_Parser):
            kind = type(event)
            if kind is yaml.ScalarEvent or kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                if event.anchor is not None:
                    raise fail(event, f"YAML anchors (&{event.anchor}) are not allowed in catalog files")
                if event.tag is not None:
                    raise fail(event, f"YAML tags ({event.tag}) are not allowed in catalog files")
                if kind is yaml.ScalarEvent:
                    value = _plain_scalar(event.value) if event.implicit[0] else event.value
                    attach(event, value, False)
                else:
                    if len(stack) >= MAX_DEPTH:
                        raise fail(event, f"nesting deeper than {MAX_DEPTH} levels is not allowed")
                    container: Any = [] if kind is yaml.SequenceStartEvent else {}
                    loc = attach(event, container, True)
                    stack.append([container, loc, _NO_KEY, 0])
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                stack.pop()
            elif kind is yaml.AliasEvent:
                raise fail(event, f"YAML aliases (*{event.anchor}) are not allowed in catalog files")
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise fail(event, "only one YAML document per file is allowed (found '---')")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(path, line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(path, 1, f"invalid YAML: {exc}") from None
    except (ValueError, OverflowError) as exc:  # e.g. an impossible date such as 2024-02-30
        raise YamlError(path, 1, f"invalid YAML value: {exc}") from None

    if not have_root or root is None:
        raise YamlError(path, 1, "file is empty (expected a YAML mapping of keys to values)")
    return YamlDocument(path=path, data=root, lines=lines)


_NO_KEY = object()
_BOM = "\ufeff"


# Bidi controls (which can make text display in another order than it is read, as in
# "Trojan Source") and zero-width characters (which make equal-looking strings differ).
INVISIBLE_RE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u180e]")


def invisible_problem(text: str) -> str | None:
    """Why `text` is refused for holding an invisible character (None if it does not)."""
    match = INVISIBLE_RE.search(text)
    if match is None:
        return None
    return (f"contains the invisible character U+{ord(match.group()):04X} "
            f"({unicodedata.name(match.group(), 'format character')}); bidi controls and zero-width characters are not allowed")


def decode_utf8(raw: bytes, path: str) -> str:
    """Decode strictly as UTF-8, naming the line of the first bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(
            path, line, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        ) from None
    return text[1:] if text.startswith(_BOM) else text


def load_yaml(path: Path | str, display: str | None = None) -> YamlDocument:
    """Read and parse a catalog file; `display` is the path shown in messages."""
    path = Path(path)
    shown = display or str(path)
    from ..safe.files import UnsafeFile, check_regular, read_regular

    try:
        size = check_regular(path, limit=1 << 62).st_size
        if size > MAX_FILE_BYTES:
            raise YamlError(shown, 1, f"file is {size} bytes; catalog files are limited to {MAX_FILE_BYTES}")
        raw = read_regular(path, MAX_FILE_BYTES)
    except UnsafeFile as exc:
        raise YamlError(shown, 1, str(exc).split(": ", 1)[1]) from None
    if not raw.strip():
        raise YamlError(shown, 1, "file is empty (expected a YAML mapping of keys to values)")
    text = decode_utf8(raw, shown)
    problem = invisible_problem(text)
    if problem:
        line = text[: INVISIBLE_RE.search(text).start()].count("\n") + 1
        raise YamlError(shown, line, f"the file {problem}")
    return parse_yaml(text, shown)


_SCHEMA_LINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$")


def schema_modeline(text: str) -> str | None:
    """The `$schema` named by a YAML language-server modeline on the first line."""
    first = text.split("\n", 1)[0]
    match = _SCHEMA_LINE.match(first.strip())
    return match.group(1) if match else None
