"""Who came: one file per meeting, `attendance/<meeting>.yaml` in the programme folder.

    meeting: bijeenkomst-1
    attended: [anna, bert]
    excused: [chris]
    absent: []              # everyone else invited counts as absent too
    visitors:
      - name: Dirk Visser
        organisation: Gemeente Hengelo

`cohort attendance record` writes these files (atomically, with a first line saying so) and
never rewrites one a facilitator wrote by hand; recording the same thing twice changes nothing,
and changing what was recorded needs --force. `cohort validate` and `cohort report` read them,
hand-written or not.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import CohortError, Diagnostic, Location, Report, UsageError, did_you_mean
from ..programme.model import Frozen, Ids, Meeting, Programme
from ..programme.values import NonEmptyText, Text
from . import store

FOLDER = "attendance"
STATUSES = ("attended", "excused", "absent")


def plain(text: str) -> str:
    """Text as people mean it, for matching names and words: without case, accents or extra
    spaces ('  Ünal ' and 'unal' are the same)."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Visitor(Frozen):
    """Someone who came without being invited."""

    name: NonEmptyText
    organisation: Text | None = None

    def key(self) -> tuple[str, str]:
        return (plain(self.name), plain(self.organisation or ""))


class Record(Frozen):
    """The attendance of one meeting, as recorded."""

    meeting: Text
    attended: Ids = ()
    excused: Ids = ()
    absent: Ids = ()
    visitors: tuple[Visitor, ...] = ()


#: An attendance file as read: its record (if valid), where things stand, who wrote it.
Loaded = store.Stored[Record]


def path_of(folder: Path, meeting_id: str) -> Path:
    """The attendance file of a meeting."""
    return folder / FOLDER / f"{meeting_id}.yaml"


def load_all(folder: Path, report: Report) -> dict[str, Loaded]:
    """Every attendance file of a programme, by meeting id; problems go to `report`."""
    return store.per_meeting(folder / FOLDER, Record, report, "the attendance")


def check(
    programme: Programme, loaded: dict[str, Loaded], report: Report, today: Any = None
) -> None:
    """Attendance files that do not fit the programme."""
    for meeting_id, item in loaded.items():
        record, at = item.record, item.positions.at
        assert record is not None
        meeting = programme.meetings.get(meeting_id)
        if meeting is None:
            report.error(
                at(("meeting",)),
                f"unknown meeting '{meeting_id}'",
                did_you_mean(meeting_id, programme.meetings) or "",
                code="unknown-id",
            )
            continue
        if item.path.stem != meeting_id:
            report.warning(
                at(("meeting",)),
                f"the attendance of '{meeting_id}' is in {item.path.name}",
                f"rename it to {meeting_id}.yaml",
                code="misnamed-record",
            )
        _check_people(programme, meeting, item, report)
        if meeting.cancelled and (record.attended or record.visitors):
            report.warning(
                at(("meeting",)),
                f"attendance is recorded for '{meeting_id}', which is cancelled",
                code="attendance-cancelled",
            )
        if today is not None and meeting.date > today and (record.attended or record.visitors):
            report.warning(
                at(("meeting",)),
                f"attendance is recorded for '{meeting_id}', "
                f"which is still to come ({meeting.date})",
                code="attendance-in-future",
            )


def _check_people(programme: Programme, meeting: Meeting, item: Loaded, report: Report) -> None:
    """Each id in an attendance file: known, recorded once, and invited (or a warning)."""
    assert item.record is not None
    invited = {p.id for p in programme.invitees(meeting)}
    seen: dict[str, str] = {}
    for status in STATUSES:
        for index, pid in enumerate(getattr(item.record, status)):
            where = item.positions.at((status, index))
            if pid not in programme.participants:
                report.error(
                    where,
                    f"unknown participant '{pid}'",
                    did_you_mean(pid, programme.participants),
                    code="unknown-id",
                )
            elif pid in seen:
                report.error(
                    where,
                    f"'{pid}' is recorded as both {seen[pid]} and {status}",
                    code="marked-twice",
                )
            elif pid not in invited and status != "absent":
                report.warning(
                    where,
                    f"'{pid}' was not invited to '{meeting.id}'",
                    "fine if they came anyway",
                    code="not-invited",
                )
            seen.setdefault(pid, status)


# -- recording ----------------------------------------------------------------------------------


@dataclass
class Marks:
    """What the facilitator says about one meeting: ids per status, and visitors; `warnings`
    about the sheet they came from."""

    attended: list[str] = field(default_factory=list)
    excused: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    visitors: list[Visitor] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


@dataclass
class Recorded:
    """What `record` did: the file, the record as it stands, whether it changed, counts, and
    what the facilitator should know (a meeting still to come, a sheet without its meeting)."""

    path: Path
    record: Record
    changed: bool
    counts: dict[str, int]
    warnings: list[Diagnostic] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the terminal."""
        c = self.counts
        counts = (
            f"{c['attended']} attended, {c['excused']} excused, {c['absent']} absent, "
            f"{c['visitors']} visitor(s); {c['unrecorded']} invitee(s) not recorded "
            "(they count as absent)"
        )
        if self.changed:
            return f"recorded for '{self.record.meeting}' in {self.path}: {counts}"
        return f"nothing changed for '{self.record.meeting}' ({counts})"


def record(
    folder: Path,
    programme: Programme,
    meeting: Meeting,
    marks: Marks,
    force: bool = False,
    today: dt.date | None = None,
    excused_by_reply: frozenset[str] = frozenset(),
) -> Recorded:
    """Add `marks` to what was recorded of `meeting`, and write it if anything changed; warns
    when the meeting is still to come on `today`. The invitees in `excused_by_reply` (who
    declined before the meeting, where the programme counts that as excused) are recorded as
    excused unless they are marked as having attended. Raises CohortError, recording nothing,
    for an unknown id, a contradiction of an earlier record without `force`, or a file in the
    way that cohort did not write (no option overrides that)."""
    path = path_of(folder, meeting.id)
    problems = _check_marks(programme, marks)
    before = _recorded(folder, path, meeting)
    status = {pid: s for s in STATUSES for pid in getattr(before, s)}
    earlier = dict(status)
    for new in STATUSES:
        for pid in getattr(marks, new):
            old = earlier.get(pid)
            if old is not None and old != new and not force:
                problems.append(
                    (
                        "marked-twice",
                        f"'{pid}' was recorded as {old}; add --force to record them as {new}",
                    )
                )
            status[pid] = new
    for pid in excused_by_reply:
        if status.get(pid, "absent") == "absent":
            status[pid] = "excused"
    if problems:
        raise _refused(path, problems)
    visitors = {v.key(): v for v in before.visitors}
    for visitor in marks.visitors:
        visitors.setdefault(visitor.key(), visitor)
    after = Record(
        meeting=meeting.id,
        **{s: tuple(sorted(pid for pid, v in status.items() if v == s)) for s in STATUSES},
        visitors=tuple(sorted(visitors.values(), key=Visitor.key)),
    )
    changed = after != before or not path.exists()
    if changed:
        head = store.header(
            "attendance record",
            f"who came to the meeting '{after.meeting}' (--force to change what was recorded)",
        )
        store.write(path, _dump(after), head, programme_folder=folder)
    invited = {p.id for p in programme.invitees(meeting)}
    counts = {s: len(getattr(after, s)) for s in STATUSES}
    counts["visitors"] = len(after.visitors)
    counts["unrecorded"] = len(invited - set(status))
    warnings = list(marks.warnings)
    if today is not None and meeting.date > today and (after.attended or after.visitors):
        warnings.append(
            Diagnostic(
                Location(path),
                "warning",
                f"attendance is recorded for '{meeting.id}', which is still to come "
                f"({meeting.date}; today is {today})",
                "is this the sheet of another meeting?",
                code="attendance-in-future",
            )
        )
    return Recorded(path, after, changed, counts, warnings)


def _recorded(folder: Path, path: Path, meeting: Meeting) -> Record:
    """What cohort recorded of a meeting before (an empty record if nothing). Raises
    CohortError when a file is damaged, when the meeting's file was written by hand or holds
    another meeting, or when the meeting is recorded in another file (cohort never rewrites
    or duplicates what the facilitator wrote)."""
    report = Report()
    found = load_all(folder, report)
    if report.errors:
        raise CohortError(diagnostics=report.sorted())
    elsewhere = found.get(meeting.id)
    if elsewhere is not None and elsewhere.path != path:
        raise CohortError(
            f"the attendance of '{meeting.id}' is already in {elsewhere.path}; change it "
            "there, or remove it to let cohort record",
            location=elsewhere.path,
        )
    if not path.exists() and not path.is_symlink():
        return Record(meeting=meeting.id)
    stored = next((item for item in found.values() if item.path == path), None)
    if stored is None or not stored.by_cohort or stored.record is None:
        raise CohortError(
            f"{path} was written by hand; cohort does not rewrite it. Edit it yourself, "
            "or move it away to let cohort record",
            location=path,
        )
    if stored.record.meeting != meeting.id:
        raise CohortError(
            f"{path} holds the attendance of '{stored.record.meeting}', not of '{meeting.id}'; "
            "move it away to let cohort record",
            location=path,
        )
    return stored.record


def _refused(path: Path, problems: list[tuple[str, str]]) -> CohortError:
    """The error that records nothing: one problem as it is, several one a line (each a
    diagnostic at the record they are about), then that nothing was recorded."""
    if len(problems) == 1:
        return CohortError(problems[0][1], code=problems[0][0])
    return CohortError(
        f"nothing was recorded ({len(problems)} problems)",
        [Diagnostic(Location(path), "error", text, code=code) for code, text in problems],
    )


def _check_marks(programme: Programme, marks: Marks) -> list[tuple[str, str]]:
    """What is wrong with the marks given, each as (diagnostic code, message)."""
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for status in STATUSES:
        for pid in getattr(marks, status):
            if pid not in programme.participants:
                hint = did_you_mean(pid, programme.participants)
                text = f"unknown participant '{pid}'" + (f" ({hint})" if hint else "")
                problems.append(("unknown-id", text))
            elif pid in seen and seen[pid] != status:
                problems.append(
                    ("marked-twice", f"'{pid}' is given as both {seen[pid]} and {status}")
                )
            seen.setdefault(pid, status)
    return problems


def _dump(record: Record) -> dict[str, Any]:
    data: dict[str, Any] = {"meeting": record.meeting}
    for status in STATUSES:
        data[status] = list(getattr(record, status))
    data["visitors"] = [
        {"name": v.name, **({"organisation": v.organisation} if v.organisation else {})}
        for v in record.visitors
    ]
    return data


def marks_given(
    programme: Programme,
    meeting: Meeting,
    *,
    present: list[str],
    excused: list[str],
    absent: list[str],
    visitors: list[str],
    sheet: Path | None,
) -> Marks:
    """The marks of `cohort attendance record`: from ids and visitors ("Name, Organisation") on
    the command line, or from a filled-in sheet, never both. Raises UsageError when neither or
    both are given."""
    given = any((present, excused, absent, visitors))
    if sheet is not None and given:
        raise UsageError("give either --from FILE or --present/--excused/--absent/--visitor")
    if sheet is None and not given:
        raise UsageError(
            "say who came: --present ID ..., --excused ID ..., --absent ID ..., "
            '--visitor "Name, Organisation", or --from a filled-in sheet'
        )
    if sheet is not None:
        from .sheets import from_sheet  # the sheet reader builds on this module

        return from_sheet(sheet, programme, meeting)
    return Marks(
        attended=present,
        excused=excused,
        absent=absent,
        visitors=[parse_visitor(v) for v in visitors],
    )


def parse_visitor(text: str) -> Visitor:
    """'Name, Organisation' as typed on the command line. Raises UsageError when there is no
    name, or when it holds what no value may (a control character)."""
    name, _, organisation = text.partition(",")
    if not name.strip():
        raise UsageError(f"--visitor '{text}': write it as 'Name, Organisation'")
    try:
        return Visitor(name=name.strip(), organisation=organisation.strip() or None)
    except ValidationError as err:
        reason = err.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        raise UsageError(f"--visitor '{text}': {reason}") from None
