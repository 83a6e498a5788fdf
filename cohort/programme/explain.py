"""Pydantic's validation errors in the facilitator's words, at the line of the YAML they are about.

Used for the programme's own files (`load`) and for every YAML file cohort keeps in the folder
(attendance records, and what planning writes), so all of them report problems the same way:
`file:line:col: error: what (how to fix it)`, with "did you mean" where a name is close.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.json_schema import SkipJsonSchema

from ..errors import Diagnostic, did_you_mean
from ..languages import LANGUAGES
from .values import PER_LANGUAGE
from .yamlvalues import Positions

#: Pydantic's error types -> cohort's diagnostic codes (errors.CODES); any other: invalid-value.
_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "enum": "not-a-choice",
    "literal_error": "not-a-choice",
    "string_too_short": "empty-value",
    "too_short": "empty-value",
    "empty_value": "empty-value",
    "not_text": "not-text",
    "model_type": "not-a-mapping",
    "model_attributes_type": "not-a-mapping",
    "dict_type": "not-a-mapping",
    "tuple_type": "not-a-list",
    "list_type": "not-a-list",
    "string_type": "not-text",
    "control_character": "control-character",
}

#: Each collection's entries, named in messages ('participant 'anna' is missing ...').
SINGULAR = {
    "organisations": "organisation",
    "participants": "participant",
    "venues": "venue",
    "themes": "theme",
    "meetings": "meeting",
}


def explain(
    err: ValidationError,
    cls: type[BaseModel],
    prefix: tuple[str | int, ...],
    positions: Positions,
) -> list[Diagnostic]:
    """Pydantic's errors for a value at `prefix` (a path in the YAML) as diagnostics at their
    lines."""
    out = []
    for error in err.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if not _is_tag(p))
        if loc[-1:] == ("[key]",):
            loc = loc[:-1]
        path = (*prefix, *loc)
        kind = error["type"]
        if kind == "extra_forbidden" or not loc and prefix:
            where = positions.at(path, key=True)
        elif kind == "missing":
            where = positions.at(path[:-1], key=True) if path[:-1] else positions.at(())
        else:
            where = positions.at(path)
        message, hint = _per_language(error, loc) or _explain(error, cls, loc, prefix)
        out.append(
            Diagnostic(where, "error", message, hint, code=_CODES.get(kind, "invalid-value"))
        )
    return out


def _is_tag(part: str | int) -> bool:
    return isinstance(part, str) and ("[" in part and part.endswith("]") and part != "[key]")


def _explain(
    error: Any, cls: type[BaseModel], loc: tuple[str | int, ...], prefix: tuple[str | int, ...]
) -> tuple[str, str]:
    kind = error["type"]
    names = [p for p in loc if isinstance(p, str)]
    name = names[-1] if names else ""
    owner = _owner(prefix)
    value = error.get("input")
    if kind == "missing":
        what = f"{owner} is missing '{name}'" if owner else f"'{name}' is missing"
        return what, _field_hint(name)
    if kind == "extra_forbidden":
        fields = _fields_at(cls, loc[:-1])
        known = f"known fields: {', '.join(fields)}" if fields else ""
        hint = did_you_mean(name, fields) or _belongs_elsewhere(name, prefix, loc) or known
        return f"unknown field '{name}'", hint
    label = f"{name}: " if name else (f"{owner}: " if owner else "")
    if kind in {"value_error", "assertion_error"}:
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return label + message, _VALUE_HINTS.get(name, "")
    if kind in {"enum", "literal_error"}:
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",") if c.strip()]
        return (
            f"{label}'{value}' is not one of {', '.join(choices)}",
            did_you_mean(str(value), choices),
        )
    if kind in {"string_too_short", "too_short", "empty_value"}:
        return f"{label}must not be empty", ""
    if kind == "string_pattern_mismatch" and name == "country":
        return f"{label}'{value}' is not a two-letter country code", "write BE, NL, FR, ..."
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{label}expected a mapping of 'key: value' lines, not {_describe(value)}", ""
    if kind in {"tuple_type", "list_type"}:
        return f"{label}expected a list, not {_describe(value)}", ""
    if kind in {"string_type", "not_text"}:
        return f"{label}expected text, not {_describe(value)}", ""
    return f"{label}{error['msg']}", ""


#: How to fix a value a field cannot read, where its message does not say it already.
_VALUE_HINTS = {
    "email": "write one address such as 'name@example.org'",
}


#: fields of a meeting's `groups:` (how many, what called) and where they go
_MEETING_GROUPS = {"size", "count", "name", "names"}


def _belongs_elsewhere(name: str, prefix: tuple[str | int, ...], loc: tuple[str | int, ...]) -> str:
    """Where a field given at the wrong level belongs: `size:` under the programme's
    `groups:` (its rules) goes under a meeting's `groups:`."""
    path = tuple(p for p in (*prefix, *loc) if isinstance(p, str))
    if path == ("groups", name) and name in _MEETING_GROUPS:
        return (
            f"the programme's groups: holds the rules for every meeting's groups; '{name}:' "
            "goes under the groups: of each meeting that splits into groups "
            "(meetings: <id>: groups: {size: 4})"
        )
    return ""


def _per_language(error: Any, loc: tuple[str | int, ...]) -> tuple[str, str] | None:
    """A problem inside a text given per language (`title: {nl: .., de: ..}`): a key that is
    not a language, or one language's text ('title (fr): must not be empty')."""
    full = error["loc"]
    if len(full) < 2 or full[-2] != PER_LANGUAGE or len(loc) < 2:
        return None
    field, key = loc[-2], str(loc[-1])
    if error["type"] == "extra_forbidden":
        return (
            f"{field}: '{key}' is not a language cohort writes in",
            did_you_mean(key, LANGUAGES) or "give the text per language as nl, en or fr",
        )
    if error["type"] in {"string_too_short", "too_short", "empty_value"}:
        return f"{field} ({key}): must not be empty", ""
    return f"{field} ({key}): {error['msg']}", ""


def _describe(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"'{value}'"


def _owner(prefix: tuple[str | int, ...]) -> str:
    if len(prefix) == 2 and prefix[0] in SINGULAR:
        return f"{SINGULAR[str(prefix[0])]} '{prefix[1]}'"
    return ""


def _field_hint(name: str) -> str:
    examples = {
        "title": "add a line such as 'title: Bijeenkomst 1'",
        "date": "add a line such as 'date: 2024-02-22'",
        "name": "add a line such as 'name: Tetem'",
        "organiser": "add 'organiser:' with 'name:' and 'email:' below it",
        "id": "add a short id such as 'id: twente-2024'",
    }
    return examples.get(name, f"add '{name}:'")


def _fields_at(cls: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The YAML field names of the model found at `loc` inside `cls` (for hints)."""
    current: Any = cls
    for part in loc:
        if not isinstance(part, str):
            continue
        found = _model_in(current)
        if found is None:
            return []
        info = found.model_fields.get(part)
        if info is None:
            by_alias = {f.alias: f for f in found.model_fields.values() if f.alias}
            info = by_alias.get(part)
        if info is None:
            # a dict key (an id): stay on the dict's value type
            current = _dict_value(current)
            continue
        current = info.annotation
    found = _model_in(current)
    if found is None:
        return []
    return [
        (info.alias or name)
        for name, info in found.model_fields.items()
        if not info.exclude and not any(type(m) is SkipJsonSchema for m in info.metadata)
    ]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _dict_value(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is dict:
        return typing.get_args(annotation)[1]
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _dict_value(arg)
            if found is not None:
                return found
    return annotation
