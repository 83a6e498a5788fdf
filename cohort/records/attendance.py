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

import difflib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CohortError, Diagnostic, Location, Report, UsageError, did_you_mean
from ..programme.model import Frozen, Ids, Meeting, Programme
from ..programme.values import NonEmptyText, Text
from ..tables import read_table, unneutralise
from . import store

FOLDER = "attendance"
STATUSES = ("attended", "excused", "absent")
_NOT_MARKED = {"", "0", "no", "nee", "non", "n", "false", "onwaar", "faux", "-", "x-"}


class Visitor(Frozen):
    """Someone who came without being invited."""

    name: NonEmptyText
    organisation: Text | None = None

    def key(self) -> tuple[str, str]:
        return (_plain(self.name), _plain(self.organisation or ""))


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
    """What the facilitator says about one meeting: ids per status, and visitors."""

    attended: list[str] = field(default_factory=list)
    excused: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    visitors: list[Visitor] = field(default_factory=list)


@dataclass
class Recorded:
    """What `record` did: the file, the record as it stands, whether it changed, counts."""

    path: Path
    record: Record
    changed: bool
    counts: dict[str, int]

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
    folder: Path, programme: Programme, meeting: Meeting, marks: Marks, force: bool = False
) -> Recorded:
    """Add `marks` to what was recorded of `meeting`, and write it if anything changed."""
    problems = _check_marks(programme, marks)
    path = path_of(folder, meeting.id)
    before = _recorded(folder, path, meeting)
    status = {pid: s for s in STATUSES for pid in getattr(before, s)}
    for new in STATUSES:
        for pid in getattr(marks, new):
            old = status.get(pid)
            if old is not None and old != new and not force:
                problems.append(
                    f"'{pid}' was recorded as {old}; add --force to record them as {new}"
                )
            status[pid] = new
    if problems:
        raise CohortError(
            "; ".join(problems)
            if len(problems) == 1
            else "nothing was recorded:\n  " + "\n  ".join(problems)
        )
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
        store.write(path, _dump(after), head)
    invited = {p.id for p in programme.invitees(meeting)}
    counts = {s: len(getattr(after, s)) for s in STATUSES}
    counts["visitors"] = len(after.visitors)
    counts["unrecorded"] = len(invited - set(status))
    return Recorded(path, after, changed, counts)


def _recorded(folder: Path, path: Path, meeting: Meeting) -> Record:
    """What cohort recorded of a meeting before (an empty record if nothing). Raises
    CohortError when the file is damaged or was written by hand (cohort never rewrites it)."""
    if not path.exists():
        return Record(meeting=meeting.id)
    report = Report()
    loaded = load_all(folder, report).get(meeting.id)
    if report.errors:
        raise CohortError(diagnostics=report.sorted())
    if loaded is None or loaded.path != path or loaded.record is None:
        return Record(meeting=meeting.id)
    if not loaded.by_cohort:
        raise CohortError(
            f"{path} was written by hand; cohort does not rewrite it. Edit it yourself, "
            "or move it away to let cohort record"
        )
    return loaded.record


def _check_marks(programme: Programme, marks: Marks) -> list[str]:
    problems = []
    seen: dict[str, str] = {}
    for status in STATUSES:
        for pid in getattr(marks, status):
            if pid not in programme.participants:
                hint = did_you_mean(pid, programme.participants)
                problems.append(f"unknown participant '{pid}'" + (f" ({hint})" if hint else ""))
            elif pid in seen and seen[pid] != status:
                problems.append(f"'{pid}' is given as both {seen[pid]} and {status}")
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
        return from_sheet(sheet, programme, meeting)
    return Marks(
        attended=present,
        excused=excused,
        absent=absent,
        visitors=[parse_visitor(v) for v in visitors],
    )


def parse_visitor(text: str) -> Visitor:
    """'Name, Organisation' as typed on the command line."""
    name, _, organisation = text.partition(",")
    if not name.strip():
        raise CohortError(f"--visitor '{text}': write it as 'Name, Organisation'")
    return Visitor(name=name.strip(), organisation=organisation.strip() or None)


# -- importing a filled-in sheet -------------------------------------------------------------


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _headers() -> dict[str, str]:
    """Column titles in every language cohort writes sheets in -> what the column holds."""
    from ..i18n import Texts
    from ..languages import LANGUAGES

    names = {"id": "id"}
    for language in LANGUAGES:
        _ = Texts(language).gettext
        for word, column in (
            ("Name", "name"),
            ("Organisation", "organisation"),
            ("Present", "present"),
            ("Excused", "excused"),
        ):
            names[_plain(_(word))] = column
    return names


def _cell(value: str) -> str:
    return unneutralise(value.strip())


def from_sheet(path: Path, programme: Programme, meeting: Meeting) -> Marks:  # noqa: C901 (rewritten with the sheet reader of issue 11)
    """Read a filled-in sign-in sheet (CSV or XLSX, as `attendance sheet` wrote it, with the
    facilitator's marks). Every row that cannot be matched is reported, none dropped."""
    rows = read_table(path, what="sign-in sheet").rows
    if not rows:
        raise CohortError(f"{path}: the sheet is empty")
    known = _headers()
    columns = {known[_plain(h)]: i for i, h in enumerate(rows[0]) if _plain(h) in known}
    if "present" not in columns:
        raise CohortError(
            f"{path}:1: no column for who was present (such as "
            "'Aanwezig', 'Present' or 'Présent'); is this a cohort sheet?"
        )
    if "id" not in columns and "name" not in columns:
        raise CohortError(f"{path}:1: no 'id' or name column to tell who is who")
    invitees = programme.invitees(meeting)
    by_name = {_plain(p.name): p for p in invitees}
    marks = Marks()
    problems: list[Diagnostic] = []

    def get(row: list[str], column: str) -> str:
        index = columns.get(column)
        return _cell(row[index]) if index is not None and index < len(row) else ""

    def marked(value: str) -> bool:
        return _plain(value) not in _NOT_MARKED

    for number, row in enumerate(rows[1:], start=2):
        pid, name = get(row, "id"), get(row, "name")
        present, excused = marked(get(row, "present")), marked(get(row, "excused"))
        where = Location(path, number, 1)
        if not pid and not name:
            continue
        if present and excused:
            problems.append(
                Diagnostic(where, "error", "marked both present and excused", code="marked-twice")
            )
            continue
        if not pid:
            match = by_name.get(_plain(name))
            if match is not None:
                pid = match.id
            else:
                close = difflib.get_close_matches(_plain(name), list(by_name), n=1, cutoff=0.8)
                if close:
                    person = by_name[close[0]]
                    problems.append(
                        Diagnostic(
                            where,
                            "error",
                            f"'{name}' is not on the list",
                            f"did you mean '{person.name}' ({person.id})? put the id in the id "
                            "column, or correct the name",
                            code="unknown-name",
                        )
                    )
                    continue
                if not excused:  # someone who was not invited wrote their name: a visitor
                    marks.visitors.append(
                        Visitor(name=name, organisation=get(row, "organisation") or None)
                    )
                continue
        elif pid not in programme.participants:
            hint = did_you_mean(pid, programme.participants)
            problems.append(
                Diagnostic(
                    where, "error", f"unknown participant id '{pid}'", hint, code="unknown-id"
                )
            )
            continue
        if present:
            marks.attended.append(pid)
        elif excused:
            marks.excused.append(pid)
    if problems:
        raise CohortError(diagnostics=problems)
    return marks
