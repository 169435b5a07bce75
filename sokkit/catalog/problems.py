"""Problems found in a catalog, and their wording for people and machines."""

from __future__ import annotations

import datetime
import json
from dataclasses import asdict, dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .taxonomy import did_you_mean
from .yamlsafe import Loc, YamlDocument, YamlError, load_yaml

MAX_ALLOWED_SHOWN = 40


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str = ""
    message: str = ""
    allowed: tuple[str, ...] = ()
    suggestion: str | None = None
    severity: str = "error"

    def format(self) -> str:
        where = f"{self.file}:{self.line}: "
        text = f"{self.field}: {self.message}" if self.field else self.message
        if self.allowed:
            shown = list(self.allowed[:MAX_ALLOWED_SHOWN])
            more = len(self.allowed) - len(shown)
            text += f" (allowed: {', '.join(shown)}{f', ... {more} more' if more > 0 else ''})"
        if self.suggestion:
            text += f"; did you mean '{self.suggestion}'?"
        return where + ("warning: " if self.severity == "warning" else "") + text

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["allowed"] = list(self.allowed)
        return data


def field_path(loc: Loc) -> str:
    """('relations', 2, 'target') -> 'relations[2].target'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def yaml_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    return type(value).__name__


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated/Optional layers to reach a model, list or dict type."""
    while True:
        origin = get_origin(annotation)
        if origin is None:
            return annotation
        args = [a for a in get_args(annotation) if a is not type(None)]
        if origin in (list, dict):
            return annotation
        if not args:
            return annotation
        annotation = args[0]


def model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that holds the key at `loc` (loc excludes the key itself)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                return None
            current = info.annotation
        elif get_origin(current) is list:
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list, e.g. [a, b]",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}


def from_validation_error(
    error: ValidationError, model: type[BaseModel], doc: YamlDocument
) -> list[Problem]:
    """Turn pydantic's errors into problems that name the file, line and allowed values."""
    problems = []
    for err in error.errors(include_url=False):
        loc = tuple(part for part in err["loc"] if part != "[key]")
        kind = err["type"]
        ctx = err.get("ctx") or {}
        value = err.get("input")
        allowed: tuple[str, ...] = ()
        suggestion = None
        line = doc.line_of(loc)
        name = field_path(loc)
        if kind == "missing":
            message = "required key is missing"
            line = doc.line_of(loc[:-1])
        elif kind == "extra_forbidden":
            owner = model_at(model, loc[:-1])
            keys = tuple(owner.model_fields) if owner else ()
            message = f"unknown key '{loc[-1]}'"
            allowed, suggestion = keys, did_you_mean(str(loc[-1]), keys)
        elif kind in _TYPE_WORDS:
            message = f"expected {_TYPE_WORDS[kind]}, got {yaml_type(value)}"
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                message += f" ({str(value)[:60]!r})"
        elif kind == "taxonomy":
            message = f"unknown {ctx['axis']} '{ctx['value']}'"
            allowed, suggestion = tuple(ctx.get("allowed", ())), ctx.get("suggestion")
        elif kind == "literal_error":
            message = f"'{value}' is not allowed"
            allowed = tuple(part.strip(" '") for part in ctx.get("expected", "").replace(" or ", ", ").split(","))
        elif kind == "too_short":
            what = "character" if isinstance(value, str) else "item"
            message = f"needs at least {ctx.get('min_length', 1)} {what}(s)"
        elif kind == "string_too_short":
            least = ctx.get("min_length", 1)
            message = "must not be empty" if least <= 1 else f"is too short (at least {least} characters)"
        elif kind == "string_too_long":
            message = f"is too long (at most {ctx.get('max_length')} characters)"
        else:
            message = err["msg"]
        problems.append(Problem(doc.path, line, name, message, allowed, suggestion))
    return problems


def to_json(problems: list[Problem]) -> str:
    return json.dumps([p.as_json() for p in problems], indent=2, ensure_ascii=False)


def load_optional_file(path, shown: str, model: type[BaseModel], context: dict | None = None,
                       mapping_of: str | None = None) -> tuple[YamlDocument | None, Any, list[Problem]]:
    """An optional catalog file beside the entries (excluded.yaml, use-cases.yaml): parsed
    strictly and validated. (None, None, []) when it is absent; a dangling link is reported,
    not skipped. `mapping_of` names the keys a top level that is not a mapping should have."""
    if not (path.exists() or path.is_symlink()):
        return None, None, []
    try:
        doc = load_yaml(path, shown)
    except YamlError as exc:
        return None, None, [Problem(exc.path, exc.line, "", exc.message)]
    if mapping_of and not isinstance(doc.data, dict):
        return None, None, [Problem(shown, 1, "", f"expected a mapping with {mapping_of}, got {type(doc.data).__name__}")]
    try:
        return doc, model.model_validate(doc.data, context=context), []
    except ValidationError as exc:
        return None, None, from_validation_error(exc, model, doc)
