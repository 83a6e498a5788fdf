"""`cohort schema`: editors validate and complete programme files with it while typing."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from conftest import PROGRAMMES, SEEDS, cohort

from cohort.programme.yamlfile import read

_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?")


def as_editor_reads_it(value, quoted=frozenset()):
    """YAML 1.2 core schema, as the YAML language server reads a file: plain 40 is a number,
    true a boolean, while 2024-02-22 and 19:00 are text."""
    if isinstance(value, dict):
        return {k: as_editor_reads_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_reads_it(v) for v in value]
    if isinstance(value, str) and value in {"true", "false"}:
        return value == "true"
    if isinstance(value, str) and _INT.fullmatch(value):
        return int(value)
    if isinstance(value, str) and _FLOAT.fullmatch(value):
        return float(value)
    return value


@pytest.fixture(scope="module")
def schema():
    result = cohort("schema")
    assert result.exit_code == 0
    return json.loads(result.stdout)


def test_the_schema_is_a_valid_json_schema(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    meetings = schema["properties"]["meetings"]
    assert list(meetings["patternProperties"].values()) == [{"$ref": "#/$defs/Meeting"}]
    assert meetings["additionalProperties"] is False


@pytest.mark.parametrize("name", SEEDS)
def test_every_file_of_every_seed_conforms_to_the_schema(schema, name):
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((PROGRAMMES / name).rglob("*.yaml")):
        if path.read_text(encoding="utf-8").startswith("# Written by cohort"):
            continue  # a record cohort keeps (planning/solution.yaml), not a programme file
        data = as_editor_reads_it(read(path).data)
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]
        assert errors == [], path


def test_the_schema_catches_a_misspelt_field_and_a_bad_id(schema):
    validator = jsonschema.Draft202012Validator(schema)
    good = {"title": "x", "date": "2024-01-01", "start": "19:00", "end": "20:00"}
    assert validator.is_valid({"meetings": {"m": good}})
    assert not validator.is_valid({"meetings": {"m": {**good, "titel": "x"}}})
    assert not validator.is_valid({"meetings": {"m 1": good}})


def test_the_schema_in_the_repository_is_current():
    committed = (PROGRAMMES / "programme.schema.json").read_text(encoding="utf-8")
    assert committed == cohort("schema").stdout, (
        "run: cohort schema -o programmes/programme.schema.json"
    )


def test_schema_to_a_file(tmp_path):
    target = tmp_path / "programme.schema.json"
    assert cohort("schema", "-o", target).exit_code == 0
    assert json.loads(target.read_text())["title"] == "cohort programme"
