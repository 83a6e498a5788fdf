"""The groups of a meeting, as formed: one file per meeting, `groups/<meeting>.yaml`.

    # Written by cohort groups: the groups of 'intervisie-1' (seed 0); checksum 3f2a...
    meeting: intervisie-1
    groups:
      - name: Tafel 1
        members: [anna, bert, chris, dirk]
      - name: Tafel 2
        members: [eva, frank, gert]

`cohort groups --write` writes these files. The facilitator may change one by hand (move
someone, rename a table): the checksum in the first line then no longer matches, and cohort
keeps the file as theirs: it never rewrites it, and later rounds take its groups as they are.
A file written from scratch is the facilitator's too. Every command sees the groups through
an overlay (`overlay`): they become the meeting's `groups.formed`, at this file's lines, so the
schedule, agenda, sheet, e-mail and report all show the same groups.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import Report, did_you_mean
from ..programme.groups import FormedGroup
from ..programme.load import Raw
from ..programme.model import Frozen, Programme
from ..programme.values import Text
from . import store

FOLDER = "groups"


class Record(Frozen):
    """The groups of one meeting, as formed."""

    meeting: Text
    groups: tuple[FormedGroup, ...] = ()


#: A groups file as read: its record, positions, and whether it is still as cohort wrote it.
Stored = store.Stored[Record]


def path_of(folder: Path, meeting_id: str) -> Path:
    """The groups file of a meeting."""
    return folder / FOLDER / f"{meeting_id}.yaml"


def _checksum(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def load_all(folder: Path, report: Report) -> dict[str, Stored]:
    """Every groups file of a programme, by meeting id; problems go to `report`. A file is
    cohort's only while its first line's checksum matches the rest."""
    found = store.per_meeting(folder / FOLDER, Record, report, "the groups")
    for stored in found.values():
        first, _, body = stored.path.read_text(encoding="utf-8", errors="replace").partition("\n")
        stored.by_cohort = stored.by_cohort and first.endswith(f"checksum {_checksum(body)}")
    return found


def write(
    folder: Path, meeting_id: str, groups: Sequence[tuple[str, Sequence[str]]], seed: int
) -> Path:
    """Write the groups of a meeting (name and member ids per group) to its file."""
    data = {
        "meeting": meeting_id,
        "groups": [{"name": name, "members": list(members)} for name, members in groups],
    }
    body = store.dump(
        data,
        "# Change the groups here if you like: cohort then keeps this file "
        "as yours and never rewrites it.\n",
    )
    head = f"{store.MARKER} groups: the groups of '{meeting_id}' (seed {seed}); "
    path = path_of(folder, meeting_id)
    from ..files import write_atomic

    write_atomic(path, f"{head}checksum {_checksum(body)}\n{body}", durable=True)
    return path


def overlay(raw: Raw, report: Report) -> None:
    """Add each groups file to its meeting as `groups.formed`, at the file's own lines
    (see `programme.load.Overlay`)."""
    meetings = raw.collections.get("meetings", {})
    for mid, entry in meetings.items():
        spec = entry.get("groups") if isinstance(entry, dict) else None
        if isinstance(spec, dict) and "formed" in spec:
            report.error(
                raw.positions.at(("meetings", mid, "groups", "formed"), key=True),
                "'formed' is not a field of groups:",
                f"the groups as formed live in {FOLDER}/{mid}.yaml ('cohort groups --write')",
                code="unknown-field",
            )
    for mid, stored in load_all(raw.folder, report).items():
        raw.files.append(stored.path)
        if mid not in meetings or not isinstance(meetings[mid], dict):
            report.error(
                stored.positions.at(("meeting",)),
                f"unknown meeting '{mid}'",
                did_you_mean(mid, meetings),
                code="unknown-id",
            )
            continue
        assert stored.record is not None
        entry = meetings[mid]
        spec = entry.get("groups")
        formed = [{"name": g.name, "members": list(g.members)} for g in stored.record.groups]
        if isinstance(spec, dict):
            spec = {**spec, "formed": formed}
        elif spec is None:
            spec = {"count": max(1, len(formed)), "formed": formed}
        else:
            spec = {"size": spec, "formed": formed}
        meetings[mid] = {**entry, "groups": spec}
        base = ("meetings", mid, "groups", "formed")
        for table, mine in (
            (raw.positions.values, stored.positions.values),
            (raw.positions.keys, stored.positions.keys),
        ):
            for path, location in mine.items():
                if path and path[0] == "groups":
                    table[base + tuple(path[1:])] = location
        raw.positions.values.setdefault(base, stored.positions.at(("groups",)))


def check(programme: Programme, excused: dict[str, set[str]], at: Any, report: Report) -> None:
    """Groups as formed that do not fit the programme: unknown people, someone in two groups,
    an invitee in no group, someone placed who is excused or not invited. `at(*path)` gives
    the location of a value of the (overlaid) programme."""
    for mid, meeting in programme.meetings.items():
        if meeting.groups is None or not meeting.groups.formed:
            continue
        invited = {p.id for p in programme.invitees(meeting)} - excused.get(mid, set())
        placed: dict[str, int] = {}
        for i, group in enumerate(meeting.groups.formed):
            for j, pid in enumerate(group.members):
                where = at("meetings", mid, "groups", "formed", i, "members", j)
                if pid not in programme.participants:
                    hint = did_you_mean(pid, programme.participants)
                    report.error(where, f"unknown participant '{pid}'", hint, code="unknown-id")
                elif pid in placed:
                    report.error(where, f"'{pid}' is in two groups of '{mid}'", code="marked-twice")
                elif pid not in invited:
                    why = "is excused" if pid in excused.get(mid, set()) else "is not invited"
                    report.warning(
                        where,
                        f"'{pid}' is in a group of '{mid}' but {why}",
                        _again(mid),
                        code="groups-changed",
                    )
                placed.setdefault(pid, i)
        missing = sorted(invited - set(placed))
        if missing:
            report.warning(
                at("meetings", mid, "groups", "formed"),
                f"{len(missing)} invitee(s) of '{mid}' are in no group: {', '.join(missing)}",
                _again(mid),
                code="groups-changed",
            )


def _again(meeting_id: str) -> str:
    return (
        f"add them by hand, or form the groups anew: cohort groups --meeting {meeting_id} "
        "--force --write"
    )
