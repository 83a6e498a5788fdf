"""The YAML files cohort owns in a programme folder: how they are written and read back.

What cohort decides or imports (attendance, a solved schedule, groups, registrations, replies)
is kept in YAML files next to the facilitator's, in folders of their own (`attendance/`,
`planning/`, `groups/`, ...), so that it can be committed, read and diffed like the rest. Each
such file starts with a comment line naming the command that wrote it: cohort rewrites only
files that start so, and never one a facilitator wrote by hand. Files are written atomically
and durably (they are records, not outputs that the next run regenerates).

Reading goes through the same strict YAML reader and the same translation of validation errors
as the programme's own files, so a damaged record is reported at its file, line and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import CohortError, Location, Report
from ..files import existing, leads_outside, read_regular, write_atomic
from ..programme.explain import explain
from ..programme.yamlfile import MAX_FILE_BYTES, MAX_RECORD_BYTES, YamlProblem, read
from ..programme.yamlvalues import Positions

MARKER = "# Written by cohort"

M = TypeVar("M", bound=BaseModel)


@dataclass
class Stored(Generic[M]):
    """A file cohort owns, as read: its record (None when it is not valid), where each value
    stands, and whether cohort wrote it (its first line is cohort's marker)."""

    path: Path
    record: M | None
    positions: Positions
    by_cohort: bool


def header(command: str, about: str) -> str:
    """The comment lines a record starts with: who wrote it and what it is; the first line
    starts with MARKER, so cohort knows the file for its own."""
    return (
        f"{MARKER} {command}: {about}\n"
        f"# Change it with that command, not by hand: cohort never rewrites a file you wrote.\n"
    )


def dump(data: Any, head: str) -> str:
    """A record as YAML text after its header: keys in the given order, Unicode as written."""
    body = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    return head + body


def write(path: Path, data: Any, head: str, programme_folder: Path | None = None) -> bool:
    """Write a record atomically and durably; False when it already held exactly this.

    Raises CohortError, and writes nothing, when something other than a record cohort wrote is
    in the way: a file that does not start with MARKER (the facilitator's), a link, a pipe, or
    a record folder that is a link out of the programme folder (`programme_folder`, by default
    the folder above the record's own). No option overrides this."""
    return write_text(path, dump(data, head), programme_folder)


def write_text(path: Path, text: str, programme_folder: Path | None = None) -> bool:
    """Write a record's whole text (its header first) as `write` does, with the same checks."""
    root = programme_folder if programme_folder is not None else path.parent.parent
    if path.parent.exists() and (real := leads_outside(path.parent, root)) is not None:
        raise CohortError(
            f"'{path.parent}' leads outside the programme folder (to '{real}'); cohort keeps "
            "its records inside it: make it a folder of its own",
            location=path.parent,
        )
    if _in_the_way(path):
        raise CohortError(
            f"'{path}' was not written by cohort (its first line is not '{MARKER} ...'), so "
            "cohort does not change it: edit it yourself, or move it away to let cohort write "
            "it",
            location=path,
        )
    return write_atomic(path, text, durable=True)


def _in_the_way(path: Path) -> bool:
    """Whether `path` holds something cohort must not replace (see `write`)."""
    current = existing(path, MAX_FILE_BYTES)
    return current is not None and not current.startswith(MARKER.encode())


def read_record(
    path: Path, model: type[M], report: Report, programme_folder: Path | None = None
) -> Stored[M]:
    """Read one record file into `model`; every problem goes to `report` at its line, and the
    record is None when it is not valid. A record is a file of the programme folder
    (`programme_folder`, by default the folder above the record's own): a link out of it is
    refused, not read."""
    root = programme_folder if programme_folder is not None else path.parent.parent
    if (real := leads_outside(path, root)) is not None:
        report.error(
            Location(path),
            f"this file leads outside the programme folder (to '{real}'); cohort reads only "
            "files inside it",
            "copy the file into the folder instead of linking to it",
            code="outside-programme",
        )
        return Stored(path, None, Positions(), False)
    try:
        document = read(path, record=True)
    except YamlProblem as problem:
        report.extend([problem.diagnostic])
        return Stored(path, None, Positions(), False)
    report.extend(document.problems)
    by_cohort = document.text.startswith(MARKER)
    try:
        record = model.model_validate(document.data)
    except ValidationError as err:
        report.extend(explain(err, model, (), document.positions))
        return Stored(path, None, document.positions, by_cohort)
    return Stored(path, record, document.positions, by_cohort)


def flow(head: str, fields: dict[str, Any], collection: str, entries: dict[str, Any]) -> str:
    """A record in YAML's flow style, which is also JSON: `fields` one a line, then the
    `collection` with one entry a line, so a diff shows exactly whose entry changed and a
    file of thousands reads in milliseconds (see `read_flow`)."""
    lines = ["{"]
    lines += [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in fields.items()]
    rows = [f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in entries.items()]
    lines.append(
        f"  {json.dumps(collection)}: {{" + ("\n" + ",\n".join(rows) + "\n  " if rows else "")
    )
    lines[-1] += "}"
    lines.append("}")
    return head + "\n".join(lines) + "\n"


def read_flow(path: Path, model: type[M], report: Report, collection: str) -> Stored[M]:
    """A record as `flow` writes it, read at once as JSON (each entry known by its line);
    anything else (edited by hand, a merge conflict) through the strict YAML reader, with
    every problem at its line."""
    try:
        text = read_regular(path, MAX_RECORD_BYTES, what="record").decode("utf-8")
        body = "".join(line for line in text.splitlines(True) if not line.startswith("#"))
        data = json.loads(body, object_pairs_hook=_unique)
        record = model.model_validate(data)
    except (ValueError, CohortError):  # ValidationError and JSONDecodeError are ValueErrors
        return read_record(path, model, report)
    positions = Positions()
    for number, line in enumerate(text.splitlines(), start=1):
        found = _LINE.match(line)
        if found:
            where = Location(path, number, len(found.group(1)) + 1)
            name = json.loads(found.group(2))
            key = (collection, name) if found.group(1) == "    " else (name,)
            positions.keys[key] = positions.values[key] = where
    return Stored(path, record, positions, text.startswith(MARKER))


_LINE = re.compile(r'^( {2}| {4})("(?:[^"\\]|\\.)*"):')


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (the YAML reader then says where)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"'{key}' twice")
        out[key] = value
    return out


def records_in(folder: Path) -> Iterator[Path]:
    """The YAML files of a record folder, in a stable order (none if it does not exist)."""
    if folder.is_dir():
        yield from sorted(p for p in folder.glob("*.y*ml") if not p.name.startswith("."))


def per_meeting(
    folder: Path,
    model: type[M],
    report: Report,
    what: str,
    read: Callable[[Path, type[M], Report], Stored[M]] = read_record,
) -> dict[str, Stored[M]]:
    """The valid records of a folder that keeps one file per meeting (named by the record's
    `meeting:`), by meeting id; a second file for one meeting is an error at its `meeting:`
    (the file named after the meeting is the one kept: the error is at the other, a backup
    copy mostly). `what` names the records in that error ('the attendance', 'the groups');
    `read` reads one file (`read_record`, or a `read_flow`)."""
    found: dict[str, Stored[M]] = {}
    if folder.exists() and not folder.is_dir():
        report.error(
            Location(folder),
            f"{folder.name} is not a folder: cohort keeps {what} there, one file per meeting",
            f"rename or move it, and make {folder.name}/ a folder",
            code="unreadable",
        )
    for path in records_in(folder):
        stored = read(path, model, report)
        if stored.record is None:
            continue
        meeting = str(getattr(stored.record, "meeting"))  # noqa: B009 (any model with meeting)
        if meeting in found:
            kept, other = found[meeting], stored
            if other.path.stem == meeting and kept.path.stem != meeting:
                kept, other = other, kept
            found[meeting] = kept
            report.error(
                other.positions.at(("meeting",)),
                f"{what} of '{meeting}' {'are' if what.endswith('s') else 'is'} also in "
                f"{kept.path.name}; keep one file per meeting",
                f"move {other.path} out of {folder.name}/ or delete it; keep backup copies "
                "outside the programme's folder",
                code="duplicate-record",
            )
            continue
        found[meeting] = stored
    return found
