"""Canonical YAML text for a catalog entry, so that diffs in pull requests stay small.

Keys follow the model's field order, empty optional keys are dropped, short lists
of ids are written inline, long prose is folded at a fixed width, and anything
that plain YAML would read as another type is quoted. The output is checked by
parsing it back: formatting never changes an entry's data.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from pydantic import BaseModel

from ..catalog.models import Paper, Strict
from ..catalog.schema import SCHEMA_FILES
from ..catalog.yamlsafe import _plain_scalar, parse_yaml

WIDTH = 88
# Keys whose empty value still says something: a non-method paper's explicit null intention.
KEEP_WHEN_EMPTY = {(Paper, "intention")}
ALWAYS_QUOTED = {"title"}

_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")


class FormatError(Exception):
    pass


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or "\n" in text:
        return False
    if text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return False
    if any(ord(ch) < 32 for ch in text):
        return False
    return _plain_scalar(text) == text and isinstance(_plain_scalar(text), str)


def scalar(value: Any, quote: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if not quote and _plain_ok(text):
        return text
    # JSON strings are valid YAML double-quoted scalars.
    return json.dumps(text, ensure_ascii=False)


def _foldable(text: str) -> bool:
    return (
        len(text) > WIDTH - 20
        and "\n" not in text
        and "  " not in text
        and text == text.strip()
        and not any(ord(ch) < 32 for ch in text)
    )


def _folded(text: str, indent: str) -> list[str]:
    width = max(40, WIDTH - len(indent))
    return [indent + line for line in textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)]


def _ordered(model: BaseModel) -> list[tuple[str, Any]]:
    out = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value in (None, [], {}) and (type(model), name) not in KEEP_WHEN_EMPTY:
            continue
        if isinstance(value, BaseModel) and not _ordered(value):
            continue
        out.append((name, value))
    return out


def _emit_value(key: str, value: Any, indent: str, lines: list[str]) -> None:
    prefix = f"{indent}{key}:"
    if isinstance(value, BaseModel):
        lines.append(prefix)
        _emit_mapping(_ordered(value), indent + "  ", lines)
    elif isinstance(value, dict):
        lines.append(prefix)
        _emit_mapping(list(value.items()), indent + "  ", lines)
    elif isinstance(value, list):
        if all(not isinstance(v, (BaseModel, dict, list)) for v in value):
            inline = f"{prefix} [{', '.join(scalar(v) for v in value)}]"
            if len(inline) <= WIDTH + 12:
                lines.append(inline)
                return
            lines.append(prefix)
            lines += [f"{indent}  - {scalar(v)}" for v in value]
            return
        lines.append(prefix)
        for item in value:
            pairs = _ordered(item) if isinstance(item, BaseModel) else list(item.items())
            sub: list[str] = []
            _emit_mapping(pairs, indent + "    ", sub)
            first = sub[0][len(indent) + 4:]
            lines.append(f"{indent}  - {first}")
            lines += sub[1:]
    elif isinstance(value, str) and key not in ALWAYS_QUOTED and _foldable(value):
        lines.append(f"{prefix} >-")
        lines += _folded(value, indent + "  ")
    else:
        lines.append(f"{prefix} {scalar(value, quote=key in ALWAYS_QUOTED)}")


def _emit_mapping(pairs: list[tuple[str, Any]], indent: str, lines: list[str]) -> None:
    for key, value in pairs:
        _emit_value(str(key), value, indent, lines)


def modeline(kind: str) -> str:
    return f"# yaml-language-server: $schema=../../schema/{SCHEMA_FILES[kind]}"


def format_entry(model: Strict, kind: str) -> str:
    """The canonical text of a validated entry of `kind` ('papers', 'benchmarks', 'metrics')."""
    lines = [modeline(kind)]
    _emit_mapping(_ordered(model), "", lines)
    text = "\n".join(lines) + "\n"
    expected = model.model_dump(mode="python", exclude_none=False)
    again = type(model).model_validate(parse_yaml(text).data).model_dump(mode="python", exclude_none=False)
    if again != expected:
        raise FormatError("formatting would change the entry's data; please report this as a bug")
    return text


def extra_comments(text: str) -> list[int]:
    """1-based lines holding comments other than the schema modeline on line 1, whole-line
    and end-of-line (`title: "x"  # TODO`) alike.

    YAML's scanner drops comments, so they are found as the '#' characters that no token
    covers: a '#' inside a quoted, plain or block scalar is part of its token's span."""
    import yaml

    covered = bytearray(len(text) + 1)
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            covered[token.start_mark.index:token.end_mark.index] = b"\1" * (token.end_mark.index - token.start_mark.index)
    except yaml.YAMLError:
        pass  # fmt only sees files that loaded; be safe and report every '#' as a comment
    lines = []
    for index, char in enumerate(text):
        if char == "#" and not covered[index]:
            line = text.count("\n", 0, index) + 1
            if line not in lines and not (line == 1 and "yaml-language-server" in text.split("\n", 1)[0]):
                lines.append(line)
    return lines
