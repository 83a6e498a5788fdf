"""Load a programme folder: read its YAML files strictly, merge them, validate into the model.

Every entry of a collection is validated on its own, so one broken participant does not hide
the problems elsewhere: the facilitator sees all of them in one run. Entries that fail are left
out of the model and remembered in `Loaded.broken`, so the checks do not report them twice.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from pydantic import ValidationError

from ..errors import CohortError, Location, Report, UsageError, did_you_mean
from ..files import leads_outside
from ..languages import LANGUAGES, Language
from . import model
from .explain import SINGULAR, explain
from .values import id_problem
from .yamlfile import Document, YamlProblem, read
from .yamlvalues import Positions

ENTRY_FILE = "programme.yaml"

_ENTRY_MODELS: dict[str, type[model.Frozen]] = {
    "organisations": model.Organisation,
    "participants": model.Participant,
    "venues": model.Venue,
    "themes": model.Theme,
    "meetings": model.Meeting,
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
    #: meetings whose date is still to be planned (`planning:`): an overlay gave them a
    #: provisional one, so checks of dates skip them and nothing is produced from them
    unplanned: set[str] = field(default_factory=set)

    def at(self, *path: str | int, key: bool = False) -> Location:
        return self.positions.at(path, key=key)


def find_entry(folder: Path) -> Path:
    """The programme.yaml of a folder, or a clear error saying what to do."""
    if not folder.exists():
        raise UsageError(f"there is no folder '{folder}'", code="not-a-folder")
    if folder.is_file():
        if folder.name == ENTRY_FILE:
            return folder
        raise UsageError(f"'{folder}' is a file; give the programme's folder", code="not-a-folder")
    entry = folder / ENTRY_FILE
    if not entry.exists() and not entry.is_symlink():  # a pipe is there: reading refuses it
        other = folder / "programme.yml"
        hint = (
            f"rename '{other.name}' to '{ENTRY_FILE}'"
            if other.is_file()
            else f"create one with 'cohort init {folder}'"
        )
        raise CohortError(
            f"there is no {ENTRY_FILE} in '{folder}' ({hint})", location=folder, code="no-programme"
        )
    return entry


@dataclass
class Raw:
    """The programme as read from the facilitator's files, before validation: its top-level
    fields and its collections (id -> entry as plain values), with where each value stands.
    An overlay may add to it or complete it."""

    folder: Path
    top: dict[str, Any]
    collections: dict[str, dict[str, Any]]
    positions: Positions
    files: list[Path]
    unplanned: set[str] = field(default_factory=set)


class Overlay(Protocol):
    """What a file cohort owns adds to the programme before it is validated: a solved schedule
    fills in open dates and venues, registrations add participants. Stages after reading
    (`records`) provide overlays; reading itself knows none of them. An overlay reports its
    problems to `report` at its own file's lines, and adds the files it read to `raw.files`
    and their positions to `raw.positions`."""

    def __call__(self, raw: Raw, report: Report) -> None: ...


def load(folder: Path, overlays: Sequence[Overlay] = ()) -> Loaded:
    """Read and validate a programme folder, with what `overlays` add to it. Raises CohortError
    only when nothing can be said beyond the first problem (no entry file, a file that is not
    YAML); otherwise every problem is in `Loaded.report`."""
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
            code="not-a-mapping",
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
                code="not-a-mapping",
            )
            continue
        for key in doc.data:
            if key not in model.COLLECTIONS:
                hint = did_you_mean(key, model.COLLECTIONS) or (
                    f"included files hold only {_names(model.COLLECTIONS)}"
                )
                report.error(
                    doc.positions.at((key,), key=True),
                    f"unknown key '{key}'",
                    hint,
                    code="unknown-field",
                )
        positions.update(doc.positions)
        _merge(doc, doc.data, merged, origin, report)

    top = {k: v for k, v in data.items() if k not in model.COLLECTIONS}
    raw = Raw(folder, top, merged, positions, loaded.files)
    for overlay in overlays:
        overlay(raw, report)
    programme = _validate(raw.top, merged, positions, report, loaded.broken, loaded.skipped)
    _broken_references(merged, loaded.broken, positions, report)
    loaded.programme = programme
    loaded.unplanned = raw.unplanned
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


def _included(
    folder: Path, entry: Path, patterns: Any, positions: Positions, report: Report
) -> list[Path]:
    """The files named by `include:` (globs allowed), inside the folder, in a stable order."""
    if patterns is None:
        return []
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list):
        report.error(
            positions.at(("include",)), "include: expected a list of file names", code="bad-include"
        )
        return []
    found: list[Path] = []
    for index, pattern in enumerate(patterns):
        where = positions.at(("include", index))
        for path in _matches(folder, pattern, where, report):
            if path.resolve() != entry.resolve() and path not in found:
                found.append(path)
    return found


def _matches(folder: Path, pattern: Any, where: Location, report: Report) -> list[Path]:
    """The YAML files inside `folder` that one `include:` pattern names; every file it names
    that cannot be included is reported at the pattern."""
    if not isinstance(pattern, str) or not pattern.strip():
        report.error(
            where, "include: expected a file name such as 'participants.yaml'", code="bad-include"
        )
        return []
    pure = PurePosixPath(pattern)
    if pure.is_absolute() or ".." in pure.parts:
        report.error(
            where,
            f"include: '{pattern}' lies outside the programme folder",
            "keep included files inside the folder, e.g. 'people/participants.yaml'",
            code="bad-include",
        )
        return []
    # not only plain files: a pipe or a link named here is refused when it is read, at its name
    try:
        matches = sorted(p for p in folder.glob(pattern) if not p.is_dir())
    except (OSError, ValueError) as error:  # a name too long for the file system, a NUL
        reason = getattr(error, "strerror", None) or str(error)
        report.error(
            where,
            f"include: '{pattern[:80]}' cannot name a file here ({reason})",
            "give the name of a .yaml file inside the folder, e.g. 'participants.yaml'",
            code="bad-include",
        )
        return []
    if not matches:
        report.error(where, f"include: no file matches '{pattern}'", code="bad-include")
    good = []
    for path in matches:
        if (real := leads_outside(path, folder)) is not None:
            report.error(
                where,
                f"include: '{path}' leads outside the programme folder (to '{real}')",
                "copy the file into the programme folder instead of linking to it",
                code="outside-programme",
            )
        elif path.suffix not in {".yaml", ".yml"}:
            report.error(where, f"include: '{path.name}' is not a .yaml file", code="bad-include")
        else:
            good.append(path)
    return good


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
            report.error(
                where,
                f"{name}: expected a mapping from id to {SINGULAR[name]}",
                hint,
                code="not-a-mapping",
            )
            continue
        if not isinstance(entries, dict):
            report.error(
                where,
                f"{name}: expected a mapping from id to {SINGULAR[name]}",
                code="not-a-mapping",
            )
            continue
        for key, entry in entries.items():
            here = doc.positions.at((name, key), key=True)
            if (name, key) in origin:
                first = origin[(name, key)]
                report.error(
                    here,
                    f"duplicate {SINGULAR[name]} id '{key}' (first defined at {first})",
                    "give each an id of its own",
                    code="duplicate-id",
                )
                continue
            origin[(name, key)] = here
            if isinstance(entry, dict) and "id" in entry:
                report.error(
                    doc.positions.at((name, key, "id"), key=True),
                    f"the id of this {SINGULAR[name]} is its key '{key}'; remove 'id:'",
                    code="id-in-entry",
                )
                entry = {k: v for k, v in entry.items() if k != "id"}
            merged[name][key] = entry


#: The references an entry makes by id (collection, field) -> (the collection named, the word),
#: checked here for an entry that failed validation (`check` checks those of the others), so
#: that one run names every problem of it.
_REFERENCES = {
    ("meetings", "venue"): ("venues", "venue"),
    ("participants", "organisation"): ("organisations", "organisation"),
    ("venues", "host"): ("organisations", "organisation"),
}


def _broken_references(
    merged: dict[str, dict[str, Any]],
    broken: set[tuple[str, str]],
    positions: Positions,
    report: Report,
) -> None:
    """Report an unknown id that a broken entry names (`meetings: {m: {venue: nosuch}}`)."""
    for name, key in sorted(broken):
        entry = merged.get(name, {}).get(key)
        if not isinstance(entry, dict):
            continue
        for (collection, field_name), (target, what) in _REFERENCES.items():
            value = entry.get(field_name) if collection == name else None
            if isinstance(value, str) and value not in merged.get(target, {}):
                report.error(
                    positions.at((name, key, field_name)),
                    f"unknown {what} '{value}'",
                    did_you_mean(value, merged.get(target, {})) or f"add it under '{target}:'",
                    code="unknown-id",
                )


def _validate(
    top: dict[str, Any],
    merged: dict[str, dict[str, Any]],
    positions: Positions,
    report: Report,
    broken: set[tuple[str, str]],
    skipped: set[str],
) -> model.Programme | None:
    valid: dict[str, dict[str, Any]] = {}
    # a text given per language reads, where no language is asked, in the programme's
    language = top.get("language")
    context = {"language": language if language in LANGUAGES else Language.nl.value}
    for name, entries in merged.items():
        cls = _ENTRY_MODELS[name]
        valid[name] = {}
        for key, entry in entries.items():
            try:
                valid[name][key] = cls.model_validate(
                    {**entry, "id": key} if isinstance(entry, dict) else entry, context=context
                )
            except ValidationError as err:
                broken.add((name, key))
                report.extend(explain(err, cls, (name, key), positions))
                # a broken entry never reaches the programme, where its key is checked as an id
                problem = id_problem(key)
                if problem is not None:
                    report.error(
                        positions.at((name, key), key=True),
                        f"{key}: {problem}",
                        code="invalid-value",
                    )
            except ValueError:
                broken.add((name, key))
                report.error(
                    positions.at((name, key)),
                    f"invalid {SINGULAR[name]} '{key}'",
                    code="invalid-value",
                )
    try:
        return model.Programme.model_validate({**top, **valid}, context=context)
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
        programme = model.Programme.model_validate({**patched, **valid}, context=context)
    except ValidationError:
        return None
    skipped.update(dropped)
    return programme
