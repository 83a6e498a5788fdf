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

from ..errors import CohortError, Report, did_you_mean
from ..files import existing, leads_outside, write_atomic
from ..programme.groups import FormedGroup
from ..programme.load import Raw
from ..programme.model import Frozen, Programme
from ..programme.values import LocalText, Text
from ..programme.yamlfile import MAX_FILE_BYTES
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


def ours(path: Path) -> bool:
    """Whether the groups file at `path` is still as cohort wrote it (its marker and checksum);
    True when there is none. A link, a pipe or a folder there is never cohort's."""
    current = existing(path, MAX_FILE_BYTES)
    if current is None:
        return True
    first, _, body = current.decode("utf-8", errors="replace").partition("\n")
    return first.startswith(store.MARKER) and first.endswith(f"checksum {_checksum(body)}")


def writable(folder: Path) -> None:
    """Raises CohortError, before anything is formed, when `groups/` cannot hold cohort's files:
    a link out of the programme folder, or something else than a folder."""
    place = folder / FOLDER
    if (real := leads_outside(place, folder)) is not None:
        raise CohortError(
            f"'{place}' leads outside the programme folder (to '{real}'); cohort keeps its "
            "groups inside it: make groups/ a folder of its own",
            location=place,
        )
    if place.exists() and not place.is_dir():
        raise CohortError(
            f"'{place}' is a file, where cohort keeps its groups files in a folder: move it "
            "away (or rename it), then run the command again",
            location=place,
        )


def write(
    folder: Path, meeting_id: str, groups: Sequence[tuple[str, Sequence[str]]], seed: int
) -> Path:
    """Write the groups of a meeting (name and member ids per group) to its file. Raises
    CohortError, writing nothing, when the file there is not cohort's as it wrote it (the
    facilitator's, whatever the options) or groups/ cannot hold it (`writable`)."""
    writable(folder)
    if not ours(path_of(folder, meeting_id)):
        raise CohortError(
            f"'{path_of(folder, meeting_id)}' is yours (you wrote or changed it), so cohort "
            "does not rewrite it: edit it yourself, or move it out of groups/ to let cohort "
            "form the groups",
            location=path_of(folder, meeting_id),
        )
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
        formed = [
            {"name": _as_written(g.name), "members": list(g.members)} for g in stored.record.groups
        ]
        if isinstance(spec, dict):
            spec = {**spec, "formed": formed}
        elif spec is None:
            report.warning(
                stored.positions.at(("meeting",)),
                f"'{mid}' no longer asks for groups (its groups: is gone), but this file still "
                "gives it groups, which every document shows",
                f"give the meeting its groups: again, or move {stored.path} out of groups/",
                code="groups-stale",
            )
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


def _as_written(name: str) -> str | dict[str, str]:
    """A group's name as its file gives it: one text, or a text per language (read again with
    the programme, so that a plain string means the programme's language)."""
    return dict(name.by_language) if isinstance(name, LocalText) else name


def check(programme: Programme, excused: dict[str, set[str]], at: Any, report: Report) -> None:
    """Groups as formed that do not fit the programme: unknown people, someone in two groups,
    an invitee in no group, someone placed who is excused or not invited, an empty group, a
    group of one, two groups of one name. `at(*path)` gives the location of a value of the
    (overlaid) programme; people are named with their id ('Anna Peeters (anna)')."""
    for mid, meeting in programme.meetings.items():
        if meeting.groups is None or not meeting.groups.formed:
            continue
        here = at("meetings", mid, "groups", "formed")
        yours = not ours(here.file)
        invited = {p.id for p in programme.invitees(meeting)} - excused.get(mid, set())
        placed: dict[str, int] = {}
        named: set[str] = set()
        for i, group in enumerate(meeting.groups.formed):
            _shape(programme, mid, i, group, named, at, report)
            for j, pid in enumerate(group.members):
                where = at("meetings", mid, "groups", "formed", i, "members", j)
                if pid not in programme.participants:
                    hint = did_you_mean(pid, programme.participants)
                    report.error(where, f"unknown participant '{pid}'", hint, code="unknown-id")
                elif pid in placed:
                    report.error(
                        where,
                        f"{_person(programme, pid)} is in two groups of '{mid}'",
                        "keep them in one",
                        code="marked-twice",
                    )
                elif pid not in invited:
                    why = "is excused" if pid in excused.get(mid, set()) else "is not invited"
                    report.warning(
                        where,
                        f"{_person(programme, pid)} is in group '{group.name}' of '{mid}' but "
                        f"{why}",
                        _again(mid, here.file, yours, "remove them from the group"),
                        code="groups-changed",
                    )
                placed.setdefault(pid, i)
        missing = sorted(invited - set(placed))
        if missing:
            people = ", ".join(_person(programme, pid) for pid in missing)
            report.warning(
                here,
                f"{len(missing)} {'invitee' if len(missing) == 1 else 'invitees'} of '{mid}' "
                f"{'is' if len(missing) == 1 else 'are'} in no group: {people}",
                _again(mid, here.file, yours, "add them to a group"),
                code="groups-changed",
            )


def _shape(
    programme: Programme,
    mid: str,
    i: int,
    group: FormedGroup,
    named: set[str],
    at: Any,
    report: Report,
) -> None:
    """A group with a name another group of the meeting has (`named`: those before it),
    nobody in it, or one person."""
    if group.name in named:
        report.warning(
            at("meetings", mid, "groups", "formed", i, "name"),
            f"two groups of '{mid}' are called '{group.name}'",
            "give each group a name of its own",
            code="groups-changed",
        )
    named.add(group.name)
    where = at("meetings", mid, "groups", "formed", i)
    if not group.members:
        report.warning(
            where,
            f"group '{group.name}' of '{mid}' has nobody in it",
            "move people into it, or remove it",
            code="groups-changed",
        )
    elif len(group.members) == 1 and group.members[0] in programme.participants:
        report.warning(
            where,
            f"group '{group.name}' of '{mid}' has one person: "
            f"{_person(programme, group.members[0])}",
            "a group has at least 2 people: move them into another group",
            code="groups-changed",
        )


def _person(programme: Programme, pid: str) -> str:
    """'Anna Peeters (anna)'."""
    person = programme.participants.get(pid)
    return f"{person.name} ({pid})" if person else f"'{pid}'"


def _again(meeting_id: str, file: Path, yours: bool, by_hand: str) -> str:
    """How to mend groups that no longer fit: by hand in the facilitator's file (cohort never
    rewrites it, not even with --force), or by forming cohort's anew."""
    if yours:
        return (
            f"{by_hand} in {file} (you changed or wrote it, so cohort never rewrites it), or "
            f"move that file out of groups/ and run cohort groups --meeting {meeting_id} --write"
        )
    return (
        f"form the groups anew: cohort groups --meeting {meeting_id} --force --write (or "
        f"{by_hand} by hand in {file})"
    )
