"""Load a programme folder: read its YAML files strictly, merge them, validate into the model.

Every entry of a collection is validated on its own, so one broken participant does not hide
the problems elsewhere: the facilitator sees all of them in one run. Entries that fail are left
out of the model and remembered in `Loaded.broken`, so the checks do not report them twice.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ValidationError

from . import model
from .errors import CohortError, Diagnostic, Location, Report, UsageError
from .yamlfile import Document, Positions, YamlProblem, read

ENTRY_FILE = "programme.yaml"

_ENTRY_MODELS: dict[str, type[model.Frozen]] = {
    "organisations": model.Organisation,
    "participants": model.Participant,
    "venues": model.Venue,
    "themes": model.Theme,
    "meetings": model.Meeting,
}
_SINGULAR = {
    "organisations": "organisation",
    "participants": "participant",
    "venues": "venue",
    "themes": "theme",
    "meetings": "meeting",
}


@dataclass
class Loaded:
    """A programme as loaded: the model, where each value came from, and what was wrong."""

    folder: Path
    programme: model.Programme | None
    positions: Positions
    report: Report
    files: list[Path] = field(default_factory=list)
    broken: set[tuple[str, str]] = field(default_factory=set)
    #: top-level fields that were wrong and set aside; checks that need them are skipped
    skipped: set[str] = field(default_factory=set)

    def at(self, *path: str | int, key: bool = False) -> Location:
        return self.positions.at(path, key=key)


def find_entry(folder: Path) -> Path:
    """The programme.yaml of a folder, or a clear error saying what to do."""
    if not folder.exists():
        raise UsageError(f"there is no folder '{folder}'")
    if folder.is_file():
        if folder.name == ENTRY_FILE:
            return folder
        raise UsageError(f"'{folder}' is a file; give the programme's folder")
    entry = folder / ENTRY_FILE
    if not entry.is_file():
        other = folder / "programme.yml"
        hint = (
            f"rename '{other.name}' to '{ENTRY_FILE}'"
            if other.is_file()
            else f"create one with 'cohort init {folder}'"
        )
        raise CohortError(f"there is no {ENTRY_FILE} in '{folder}' ({hint})", location=folder)
    return entry


def load(folder: Path) -> Loaded:
    """Read and validate a programme folder. Raises CohortError only when nothing can be said
    beyond the first problem (no entry file, a file that is not YAML); otherwise every problem
    is in `Loaded.report`."""
    entry = find_entry(folder)
    folder = entry.parent
    report = Report()
    positions = Positions()
    loaded = Loaded(folder, None, positions, report, [entry])

    main = _read(entry, report)
    if main is None:
        report.raise_if_errors()
        return loaded
    positions.update(main.positions)
    data = main.data
    if not isinstance(data, dict):
        report.error(
            Location(entry, 1, 1),
            f"the top level of {ENTRY_FILE} must be a mapping of 'key: value' lines, "
            f"not a {_kind_of(data)}",
            "start with 'id:', 'title:' and so on; see 'cohort init'",
        )
        report.raise_if_errors()
    data = dict(data)

    merged: dict[str, dict[str, Any]] = {name: {} for name in model.COLLECTIONS}
    origin: dict[tuple[str, str], Location] = {}
    _merge(main, data, merged, origin, report)
    for path in _included(folder, entry, data.get("include"), positions, report):
        loaded.files.append(path)
        doc = _read(path, report)
        if doc is None:
            continue
        if not isinstance(doc.data, dict):
            report.error(
                Location(path, 1, 1),
                f"an included file must be a mapping with {_names(model.COLLECTIONS)}, "
                f"not a {_kind_of(doc.data)}",
            )
            continue
        for key in doc.data:
            if key not in model.COLLECTIONS:
                hint = _suggest(key, model.COLLECTIONS) or (
                    f"included files hold only {_names(model.COLLECTIONS)}"
                )
                report.error(doc.positions.at((key,), key=True), f"unknown key '{key}'", hint)
        positions.update(doc.positions)
        _merge(doc, doc.data, merged, origin, report)

    top = {k: v for k, v in data.items() if k not in model.COLLECTIONS}
    programme = _validate(top, merged, positions, report, loaded.broken, loaded.skipped)
    loaded.programme = programme
    # a value the YAML reader refused (a tag, an alias loop) is reported once, not again by
    # the model
    refused = {d.location for d in report.diagnostics if d.code == "yaml"}
    report.diagnostics = [
        d for d in report.diagnostics if d.code == "yaml" or d.location not in refused
    ]
    return loaded


def _read(path: Path, report: Report) -> Document | None:
    try:
        doc = read(path)
    except YamlProblem as problem:
        report.extend([problem.diagnostic])
        return None
    report.extend(doc.problems)
    return doc


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "single value"


def _names(names: typing.Iterable[str]) -> str:
    names = [f"'{n}'" for n in names]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _suggest(word: str, choices: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _included(
    folder: Path, entry: Path, patterns: Any, positions: Positions, report: Report
) -> list[Path]:
    """The files named by `include:` (globs allowed), inside the folder, in a stable order."""
    if patterns is None:
        return []
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list):
        report.error(positions.at(("include",)), "include: expected a list of file names")
        return []
    found: list[Path] = []
    root = folder.resolve()
    for index, pattern in enumerate(patterns):
        where = positions.at(("include", index))
        if not isinstance(pattern, str) or not pattern.strip():
            report.error(where, "include: expected a file name such as 'participants.yaml'")
            continue
        pure = PurePosixPath(pattern)
        if pure.is_absolute() or ".." in pure.parts:
            report.error(
                where,
                f"include: '{pattern}' lies outside the programme folder",
                "keep included files inside the folder, e.g. 'people/participants.yaml'",
            )
            continue
        matches = sorted(p for p in folder.glob(pattern) if p.is_file())
        if not matches:
            report.error(where, f"include: no file matches '{pattern}'")
            continue
        for path in matches:
            if path.resolve() == entry.resolve() or path in found:
                continue
            if not path.resolve().is_relative_to(root):
                report.error(where, f"include: '{path}' lies outside the programme folder")
                continue
            if path.suffix not in {".yaml", ".yml"}:
                report.error(where, f"include: '{path.name}' is not a .yaml file")
                continue
            found.append(path)
    return found


def _merge(
    doc: Document,
    data: dict[str, Any],
    merged: dict[str, dict[str, Any]],
    origin: dict[tuple[str, str], Location],
    report: Report,
) -> None:
    """Add a file's collections to the programme's, refusing an id defined twice."""
    for name in model.COLLECTIONS:
        entries = data.get(name)
        if entries is None:
            continue
        where = doc.positions.at((name,))
        if isinstance(entries, list):
            hint = "write each entry under its id as key: 'tetem:' instead of '- id: tetem'"
            report.error(where, f"{name}: expected a mapping from id to {_SINGULAR[name]}", hint)
            continue
        if not isinstance(entries, dict):
            report.error(where, f"{name}: expected a mapping from id to {_SINGULAR[name]}")
            continue
        for key, entry in entries.items():
            here = doc.positions.at((name, key), key=True)
            if (name, key) in origin:
                first = origin[(name, key)]
                report.error(
                    here,
                    f"duplicate {_SINGULAR[name]} id '{key}' (first defined at {first})",
                    "give each an id of its own",
                )
                continue
            origin[(name, key)] = here
            if isinstance(entry, dict) and "id" in entry:
                report.error(
                    doc.positions.at((name, key, "id"), key=True),
                    f"the id of this {_SINGULAR[name]} is its key '{key}'; remove 'id:'",
                )
                entry = {k: v for k, v in entry.items() if k != "id"}
            merged[name][key] = entry


def _validate(
    top: dict[str, Any],
    merged: dict[str, dict[str, Any]],
    positions: Positions,
    report: Report,
    broken: set[tuple[str, str]],
    skipped: set[str],
) -> model.Programme | None:
    valid: dict[str, dict[str, Any]] = {}
    for name, entries in merged.items():
        cls = _ENTRY_MODELS[name]
        valid[name] = {}
        for key, entry in entries.items():
            try:
                valid[name][key] = cls.model_validate(
                    {**entry, "id": key} if isinstance(entry, dict) else entry
                )
            except ValidationError as err:
                broken.add((name, key))
                report.extend(explain(err, cls, (name, key), positions))
            except ValueError:
                broken.add((name, key))
                report.error(positions.at((name, key)), f"invalid {_SINGULAR[name]} '{key}'")
    try:
        return model.Programme.model_validate({**top, **valid})
    except ValidationError as err:
        report.extend(explain(err, model.Programme, (), positions))
        dropped = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
    # Set the broken fields aside, so the cross-checks can still report what else is wrong.
    # The programme is marked partial: nothing is produced from it.
    patched = {k: v for k, v in top.items() if k not in dropped}
    patched.setdefault("id", "programme")
    patched.setdefault("title", "programme")
    patched.setdefault("organiser", {"name": "?"})
    try:
        programme = model.Programme.model_validate({**patched, **valid})
    except ValidationError:
        return None
    skipped.update(dropped)
    return programme


# -- pydantic errors, in the facilitator's words, at the right line ------------------------------


def explain(
    err: ValidationError,
    cls: type[BaseModel],
    prefix: tuple[str | int, ...],
    positions: Positions,
) -> list[Diagnostic]:
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
        message, hint = _explain(error, cls, loc, prefix)
        out.append(Diagnostic(where, "error", message, hint, kind.replace("_", "-")))
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
        fields = _fields_at(cls, loc[:-1])
        what = f"{owner} is missing '{name}'" if owner else f"'{name}' is missing"
        return what, _field_hint(name, fields)
    if kind == "extra_forbidden":
        fields = _fields_at(cls, loc[:-1])
        hint = _suggest(name, fields) or (f"known fields: {', '.join(fields)}" if fields else "")
        return f"unknown field '{name}'", hint
    label = f"{name}: " if name else (f"{owner}: " if owner else "")
    if kind in {"value_error", "assertion_error"}:
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return label + message, ""
    if kind in {"enum", "literal_error"}:
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",") if c.strip()]
        return (
            f"{label}'{value}' is not one of {', '.join(choices)}",
            _suggest(str(value), choices),
        )
    if kind == "string_too_short":
        return f"{label}must not be empty", ""
    if kind == "string_pattern_mismatch" and name == "country":
        return f"{label}'{value}' is not a two-letter country code", "write BE, NL, FR, ..."
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{label}expected a mapping of 'key: value' lines, not {_describe(value)}", ""
    if kind in {"tuple_type", "list_type"}:
        return f"{label}expected a list, not {_describe(value)}", ""
    if kind in {"string_type"}:
        return f"{label}expected text, not {_describe(value)}", ""
    return f"{label}{error['msg']}", ""


def _describe(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"'{value}'"


def _owner(prefix: tuple[str | int, ...]) -> str:
    if len(prefix) == 2 and prefix[0] in _SINGULAR:
        return f"{_SINGULAR[str(prefix[0])]} '{prefix[1]}'"
    return ""


def _field_hint(name: str, fields: list[str]) -> str:
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
        if not info.exclude
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
