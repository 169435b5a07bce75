import json

import jsonschema
import pytest

from sokkit.catalog import load_taxonomy
from sokkit.cli import main
from sokkit.catalog.schema import SCHEMA_FILES, drifted, render_schemas
from sokkit.catalog.yamlsafe import load_yaml, schema_modeline

from conftest import CATALOG, GOOD_PAPER, ROOT

SCHEMA_DIR = ROOT / "schema"


def test_committed_schema_matches_models_and_taxonomy():
    taxonomy, problems = load_taxonomy(CATALOG)
    assert problems == []
    assert drifted(SCHEMA_DIR, taxonomy) == [], "schema/ is stale: run 'sokkit schema'"


def test_drift_is_detected(tmp_path):
    taxonomy, _ = load_taxonomy(CATALOG)
    for name, text in render_schemas(taxonomy).items():
        (tmp_path / name).write_text(text)
    assert drifted(tmp_path, taxonomy) == []
    paper = tmp_path / SCHEMA_FILES["papers"]
    paper.write_text(paper.read_text().replace('"removal"', '"erasure"'))
    assert drifted(tmp_path, taxonomy) == [SCHEMA_FILES["papers"]]
    assert main(["schema", "--catalog", str(CATALOG), "--out", str(tmp_path), "--check"]) == 1


def test_schema_enums_come_from_the_taxonomy():
    schema = json.loads((SCHEMA_DIR / "paper.schema.json").read_text())
    assert schema["properties"]["roles"]["items"]["enum"][0] == "method"
    assert "additionalProperties" in schema and schema["additionalProperties"] is False
    assert "code" in schema["properties"]["links"]["propertyNames"]["enum"]


@pytest.mark.parametrize("kind", ["papers", "benchmarks", "metrics"])
def test_every_shipped_entry_passes_its_json_schema_and_names_it(kind):
    schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[kind]).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((CATALOG / kind).glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert schema_modeline(text) == f"../../schema/{SCHEMA_FILES[kind]}", f"{path.name}: missing schema modeline"
        errors = [e.message for e in validator.iter_errors(load_yaml(path).data)]
        assert errors == [], f"{path.name}: {errors}"


def test_json_schema_rejects_what_the_validator_rejects():
    schema = json.loads((SCHEMA_DIR / "paper.schema.json").read_text())
    from sokkit.catalog.yamlsafe import parse_yaml

    bad = parse_yaml(GOOD_PAPER.replace("roles: [method]", "roles: [methd]")).data
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
