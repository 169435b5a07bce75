"""The taxonomy file: axes of classification and their allowed value ids."""

from __future__ import annotations

import difflib
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

# pydantic matches `pattern` with Rust regex, where `$` is the end of the string (no
# trailing newline). `index` and `benchmark-*` would collide with generated pages
# (compare/index.md, compare/benchmark-<id>.md).
def _not_reserved(value: str) -> str:
    if value == "index" or value.startswith("benchmark-"):
        raise ValueError(f"'{value}' is reserved for a generated page; choose another id")
    return value


TaxonId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=64), AfterValidator(_not_reserved)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class TaxonValue(_Strict):
    label: Annotated[str, StringConstraints(min_length=1)]
    description: Annotated[str, StringConstraints(min_length=10)] = Field(
        description="One paragraph saying what the value means."
    )


class Axis(_Strict):
    label: Annotated[str, StringConstraints(min_length=1)]
    description: Annotated[str, StringConstraints(min_length=1)]
    values: Annotated[dict[TaxonId, TaxonValue], Field(min_length=1)]


class Taxonomy(_Strict):
    axes: dict[TaxonId, Axis]

    def ids(self, axis: str) -> tuple[str, ...]:
        return tuple(self.axes[axis].values) if axis in self.axes else ()

    def has(self, axis: str, value: str) -> bool:
        found = self.axes.get(axis)
        return found is not None and value in found.values

    def label(self, axis: str, value: str) -> str:
        found = self.axes.get(axis)
        if found is None or value not in found.values:
            return value
        return found.values[value].label


def did_you_mean(value: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The closest id to a near-miss, or None when nothing is close."""
    if not isinstance(value, str):
        return None
    lowered = value.strip().lower().replace(" ", "-")
    if lowered != value and lowered in choices:
        return lowered
    matches = difflib.get_close_matches(lowered, list(choices), n=1, cutoff=0.75)
    return matches[0] if matches else None
