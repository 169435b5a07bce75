"""JSON Schema for catalog entries and catalog/use-cases.yaml, for editors (YAML language server) and other tools.

The schema comes from the pydantic models; fields tied to a taxonomy axis carry
`x-taxonomy` and, when a taxonomy is given, an `enum` of its current ids, so an
editor can complete and check them.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from .models import ENTRY_MODELS
from .taxonomy import Taxonomy
from .usecases import UseCases

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILES = {kind: f"{kind[:-1]}.schema.json" for kind in ENTRY_MODELS}
# Other catalog files with a schema: catalog/use-cases.yaml.
FILE_MODELS = {"use-cases": UseCases}
FILE_SCHEMAS = {"use-cases": "use-cases.schema.json"}


@lru_cache(maxsize=1)
def _base_schemas() -> dict[str, dict[str, Any]]:
    return {kind: model.model_json_schema(mode="validation") for kind, model in ENTRY_MODELS.items()}


def _add_enums(node: Any, taxonomy: Taxonomy) -> None:
    if isinstance(node, dict):
        axis = node.get("x-taxonomy")
        if axis is not None:
            node["enum"] = list(taxonomy.ids(axis))
        # dict[taxon, ...]: pydantic describes the key type under propertyNames
        for value in node.values():
            _add_enums(value, taxonomy)
    elif isinstance(node, list):
        for value in node:
            _add_enums(value, taxonomy)


def entry_schemas(taxonomy: Taxonomy | None) -> dict[str, dict[str, Any]]:
    """One JSON Schema per entry kind, keyed 'papers', 'benchmarks', 'metrics'."""
    out = {}
    for kind, base in _base_schemas().items():
        schema = copy.deepcopy(base)
        schema["$schema"] = SCHEMA_DIALECT
        schema["$id"] = f"https://sokkit.invalid/schema/{SCHEMA_FILES[kind]}"
        if taxonomy is not None:
            _add_enums(schema, taxonomy)
        out[kind] = schema
    return out


def file_schemas(taxonomy: Taxonomy | None) -> dict[str, dict[str, Any]]:
    """The JSON Schema of each other catalog file with a model (use-cases.yaml)."""
    out = {}
    for kind, model in FILE_MODELS.items():
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = SCHEMA_DIALECT
        schema["$id"] = f"https://sokkit.invalid/schema/{FILE_SCHEMAS[kind]}"
        if taxonomy is not None:
            _add_enums(schema, taxonomy)
        out[kind] = schema
    return out


def render_schemas(taxonomy: Taxonomy | None) -> dict[str, str]:
    """File name -> exact text, as committed in `schema/`."""
    def text(schema: dict[str, Any]) -> str:
        return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"

    out = {SCHEMA_FILES[kind]: text(schema) for kind, schema in entry_schemas(taxonomy).items()}
    out.update({FILE_SCHEMAS[kind]: text(schema) for kind, schema in file_schemas(taxonomy).items()})
    return out


def drifted(schema_dir: Path, taxonomy: Taxonomy | None) -> list[str]:
    """Names of schema files that are missing or differ from what the models give."""
    stale = []
    for name, text in render_schemas(taxonomy).items():
        path = schema_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale
