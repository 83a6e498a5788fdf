"""The JSON Schema of programme files, for editors (YAML language server) and other tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_ID = "https://cohort.example.org/schema/programme.json"


def json_schema() -> str:
    """The schema as text. Nothing at the top level is required, so that one schema serves both
    programme.yaml and the files it includes; `cohort validate` enforces the rest."""
    from .model import Programme
    from .values import PER_LANGUAGE_SCHEMA

    schema: dict[str, Any] = Programme.model_json_schema(mode="validation", by_alias=True)
    schema.pop("required", None)
    meeting = schema["$defs"]["Meeting"]
    # a meeting may leave its date open for `planning:` (cohort schedule --solve)
    meeting["required"] = [name for name in meeting.get("required", []) if name != "date"]
    _refer(schema)
    schema["$defs"]["TextPerLanguage"] = PER_LANGUAGE_SCHEMA
    for prop in schema["properties"].values():
        if "patternProperties" in prop:  # a collection: every key must be a valid id
            prop["additionalProperties"] = False
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "cohort programme",
        "description": "A cohort programme (programme.yaml) or a file it includes.",
    }
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _refer(node: Any) -> None:
    """Every text that may be given per language refers to one definition of that form."""
    from .values import PER_LANGUAGE_MARK

    if isinstance(node, dict):
        if node.pop(PER_LANGUAGE_MARK, None):
            node["$ref"] = "#/$defs/TextPerLanguage"
        for value in node.values():
            _refer(value)
    elif isinstance(node, list):
        for value in node:
            _refer(value)


def is_schema(data: bytes) -> bool:
    """Whether a file holds a schema cohort wrote (of any version): JSON with cohort's `$id`."""
    try:
        value = json.loads(data)
    except ValueError:
        return False
    return isinstance(value, dict) and value.get("$id") == SCHEMA_ID


def write_schema(path: Path, force: bool = False) -> bool:
    """Write the schema to `path`, over an older schema of cohort's but over nothing else unless
    `force` (and never over a YAML file); False when it was already up to date."""
    from ..files import replace_output

    return replace_output(path, json_schema(), ours=is_schema, force=force)
