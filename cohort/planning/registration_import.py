"""`cohort registrations import FILE`: a form's export into the list of a meeting (or of the
programme), each row matched to a person, a second import of the same export changing nothing.

Who a row is, the same rule for every tool: the person of its e-mail address and name. A
participant of the programme, or someone on a list, with that address is that person when the
name agrees, or when only one name comes with that address in the export (a name written
another way); several names at one address (a secretariat registering three colleagues, an
order whose positions carry the buyer's address) are several people, each registered and
told at that address, and said once. Anyone else is a new person with an id of their own
(from their name, kept for good).

One person holds one place per list: a second registration of someone whose earlier one stands
(waiting, offered, confirmed; another order, a second place of an order under the buyer's own
name) is reported and left out. Someone whose registration ended (cancelled, declined, expired)
and who registers again is a new registration, at the end of the queue. A cancelled row
cancels; a row without consent is not kept, and a consent withdrawn later erases the
registration (the place is freed; nothing more is said to them). Someone the programme already
invites (to the meeting; to the programme: any participant who is not a guest of one meeting)
is not put on the list: they have their place. A row registered after the meeting's
`registration_deadline` is reported and left out; nothing is imported for a meeting that began
or is cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import CohortError, Diagnostic, Location, Report, UsageError, did_you_mean
from ..programme.model import Programme, Role
from ..programme.registration import Letter
from ..records import registrations as record
from ..records.registrations import Entry, Registrations
from ..records.workspace import Checked, load_checked
from ..tables import Table, read_table
from . import registration_exports as exports
from .registering import (
    Done,
    decide_list,
    lists_of,
    moment,
    over,
    scope_of,
    store_list,
    summary,
    why_closed,
)
from .registration_words import PRETIX_SHEETS, plain
from .registrations import Action

#: the statuses of a registration that holds, or waits for, a place
ACTIVE = frozenset({"confirmed", "offered", "waiting"})


class _People:
    """Who a row is (see the module's docstring): a participant of the programme or someone
    on a list, by e-mail address and name, or a new person with an id made from their name."""

    def __init__(self, programme: Programme, lists: Mapping[str | None, Registrations]) -> None:
        self.by_email: dict[str, list[str]] = defaultdict(list)
        self.names: dict[str, str] = {}
        self.taken: set[str] = set(programme.participants)
        for person in programme.participants.values():
            if person.email:
                self.by_email[person.email.casefold()].append(person.id)
            self.names[person.id] = person.name
        for other in lists.values():
            for pid, entry in other.registrations.items():
                if pid not in self.names:
                    self.by_email[entry.email.casefold()].append(pid)
                    self.names[pid] = entry.name
                self.taken.add(pid)

    def who(self, row: exports.Row, names_here: int) -> str:
        """The id of the person of a row; `names_here`: how many names this export gives with
        the row's address."""
        known = self.by_email[row.email.casefold()]
        for pid in known:
            if plain(self.names[pid]) == plain(row.name):
                return pid
        if len(known) == 1 and names_here == 1:
            return known[0]
        base = record.slug(row.name)
        pid, n = base, 1
        while pid in self.taken:
            n += 1
            pid = f"{base}-{n}"
        self.taken.add(pid)
        self.names[pid] = row.name
        known.append(pid)
        return pid


def _already_invited(programme: Programme, scope: str | None, pid: str) -> bool:
    """Whether the programme itself gives someone their place (so they need no registration)."""
    person = programme.participants.get(pid)
    if person is None:
        return False
    if scope is None:
        return person.role is not Role.guest
    return any(p.id == pid for p in programme.invitees(programme.meetings[scope]))


class _Merge:
    """An export merged into a list: the registrations (known ones, by their key in the
    export, updated; new ones added in the order they registered), the new registrations
    among them, the cancellations it brings, and what was left out and why (`report`: at the
    row). Nothing but the programme's fields is kept of a row."""

    def __init__(
        self,
        programme: Programme,
        current: Registrations,
        lists: Mapping[str | None, Registrations],
        now: dt.datetime,
        reader: exports.Reader,
    ) -> None:
        self.programme = programme
        self.current = current
        self.now = now
        self.reader = reader
        self.report = reader.report
        self.people = _People(programme, lists)
        self.by_key = {entry.key: pid for pid, entry in current.registrations.items()}
        self.registrations = dict(current.registrations)
        self.new: set[str] = set()
        self.actions: dict[str, Action] = {}
        self.erased: list[str] = []
        self.again: list[str] = []
        self.shared: dict[str, set[str]] = {}
        self.left_out = {"consent": 0, "invited": 0, "twice": 0, "late": 0}
        self.added = self.updated = 0
        meeting = programme.meetings.get(current.meeting or "")
        deadline = meeting.registration_deadline if meeting else None
        self.deadline = (
            dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(0), programme.zone)
            if deadline
            else None
        )

    def where(self, row: exports.Row) -> Location:
        """Where a row stands in the export (at its address)."""
        return self.reader.table.at(*self.reader.at(row.row, self.reader.email_column))

    def rows(self, rows: Sequence[exports.Row]) -> None:
        names: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            names[row.email.casefold()].add(plain(row.name))
        self.shared = {email: found for email, found in names.items() if len(found) > 1}
        for row in rows:
            pid = self.by_key.get(row.key)
            if pid is not None:
                self.known(pid, row)
            elif row.consent is False:
                self.left_out["consent"] += 1
            else:
                self.add(row, len(names[row.email.casefold()]))
        everyone = sorted(self.registrations.items(), key=lambda item: item[1].registered)
        self.registrations = dict(everyone)

    def known(self, pid: str, row: exports.Row) -> None:
        if row.consent is False:
            # consent withdrawn: the registration is erased, and its place freed
            entry = self.registrations.pop(pid)
            self.erased.append(entry.name)
            self.actions.pop(pid, None)
            return
        entry = self.registrations[pid]
        updated = entry.model_copy(update=_details(row))
        if updated != entry:
            self.registrations[pid] = updated
            self.updated += 1
        if row.cancelled:
            self.actions[pid] = "cancel"

    def add(self, row: exports.Row, names_here: int) -> None:
        pid = self.people.who(row, names_here)
        existing = self.registrations.get(pid)
        if existing is not None and row.cancelled:
            return  # an earlier registration of someone on the list, cancelled: nothing to do
        if existing is not None and existing.status in ACTIVE:
            self.twice(row, existing)
            return
        if _already_invited(self.programme, self.current.meeting, pid):
            self.left_out["invited"] += 1
            return
        if self.deadline is not None and row.registered >= self.deadline and not row.cancelled:
            self.left_out["late"] += 1
            deadline = (self.deadline - dt.timedelta(days=1)).date()
            when = row.registered.astimezone(self.programme.zone)
            self.report.warning(
                self.where(row),
                f"{row.name} registered {when:%Y-%m-%d %H:%M}, after the registration deadline "
                f"({deadline}): left out",
                "move 'registration_deadline' of the meeting to take late registrations",
                code="registration-late",
            )
            return
        if existing is not None:
            self.again.append(f"{row.name} (was {existing.status})")
            self.actions.pop(pid, None)  # its earlier registration's cancellation is done
        values = {
            **_details(row),
            "key": row.key,
            "registered": row.registered,
            "status": "cancelled" if row.cancelled else "waiting",
            "since": self.now,
        }
        if existing is not None:
            values["step"] = existing.step
            values["confirmed"] = existing.confirmed
        self.registrations[pid] = Entry.model_validate(values)
        self.new.add(pid)
        self.added += 1

    def twice(self, row: exports.Row, existing: Entry) -> None:
        """A second registration of someone whose first one stands: reported, left out."""
        self.left_out["twice"] += 1
        when = existing.registered.astimezone(self.programme.zone)
        if row.order and row.order == existing.order:
            message = (
                f"a second place of order {row.order} under the name and address of "
                f"{row.name} <{row.email}>, who holds the first: one place per person; left out"
            )
            hint = (
                "ask them whom the other place is for, and have it registered under that "
                "person's own name and address"
            )
        else:
            message = (
                f"{row.name} <{row.email}> registered again; their registration of "
                f"{when:%Y-%m-%d %H:%M} ({existing.key}) stands: one place per person; this one "
                "is left out"
            )
            hint = "cancel it in the form's tool, or cancel the first here to keep this one"
        self.report.warning(self.where(row), message, hint, code="registration-twice")

    def notes(self, rows: Sequence[exports.Row], tool: str) -> list[str]:
        """What was left out, and what else the facilitator should know, for the terminal."""
        said = {
            "consent": "row(s) without consent: not registered",
            "invited": "row(s) of people the programme already invites: left out",
            "twice": "second registration(s) of people already on the list: left out (see above)",
            "late": "row(s) registered after the registration deadline: left out (see above)",
        }
        notes = [f"{n} {said[why]}" for why, n in self.left_out.items() if n]
        if self.erased:
            notes.append(
                f"{len(self.erased)} registration(s) erased, consent withdrawn "
                f"({_names(self.erased)}): their places are freed, and nothing more is sent "
                "to them"
            )
        if self.again:
            notes.append(
                f"{len(self.again)} registered again after their registration ended "
                f"({_names(self.again)}): a new registration each, at the end of the queue"
            )
        for email, names in sorted(self.shared.items()):
            people = [r.name for r in rows if r.email.casefold() == email]
            notes.append(
                f"{email} is the address of {len(names)} people ({_names(people)}): each is "
                "registered, and each one's e-mails go to that address"
            )
        notes += self.absent(rows, tool)
        return notes

    def absent(self, rows: Sequence[exports.Row], tool: str) -> list[str]:
        """Registrations that stand but are not in this export (cancelled in the tool, and
        left out of an export of paid orders only?)."""
        keys = {row.key for row in rows}
        gone = [
            e.name for e in self.registrations.values() if e.status in ACTIVE and e.key not in keys
        ]
        if not gone:
            return []
        why = (
            "; pretix leaves cancelled and unpaid orders out of an export made with 'Only paid "
            "orders' ticked (its default): export with it unticked, so that a cancellation "
            "frees its place"
            if tool == "pretix"
            else ""
        )
        return [
            f"{len(gone)} registration(s) on the list are not in this export "
            f"({_names(gone)}): kept as they stand{why}; or cancel one with "
            "'cohort registrations cancel ID'"
        ]


def _names(names: Sequence[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _details(row: exports.Row) -> dict[str, object]:
    """What is kept of a row: the person and their order; nothing else of the export."""
    return {
        "name": row.name,
        "email": row.email,
        "organisation": row.organisation,
        "language": row.language,
        "accessibility": row.accessibility,
        "dietary": row.dietary,
        "order": row.order,
        "places": row.places,
    }


def find_programme(file: Path) -> Path:
    """The programme folder an export lies in (its folder or one above, holding
    programme.yaml)."""
    from .poll_import import find_programme as find

    return find(file)


def _layout(checked: Checked, table: Table, file: Path, tool: str | None) -> exports.Layout:
    """The layout of an export: its tool (given, or recognised), and the programme's columns
    over it. Raises CohortError when no tool is recognised, when a column the programme names
    is not in the export (with the closest header), or when a field cannot be found."""
    programme = checked.programme
    columns = {str(k): v for k, v in programme.registration.columns.items()}
    if not any(cell.strip() for row in table.rows for cell in row):
        raise CohortError(
            "this export is empty (not even a row of headers); export the registrations "
            "again from the form's tool",
            location=file,
            code="registration-layout",
        )
    tool = tool or exports.detect(table) or ("columns" if columns else None)
    head_row = table.rows[0] if table.rows else []
    head = ", ".join(f"'{h}'" for h in head_row[:8])
    if tool is None:
        sheets = ""
        if len(table.sheets) > 1:
            sheets = (
                f" (sheet '{table.sheet}' of a workbook with the sheets "
                + ", ".join(f"'{s}'" for s in table.sheets)
                + "; a pretix workbook is read from its order positions sheet: "
                + ", ".join(f"'{s}'" for s in PRETIX_SHEETS)
                + ")"
            )
        raise CohortError(
            f"cannot tell which tool made this export{sheets} (its first columns: "
            f"{head or 'none'}); name its columns in the programme under 'registration: "
            "columns:' (name, email, registered, ...), or give --tool",
            location=file,
            code="registration-layout",
        )
    found = exports.layout(table, tool, columns)
    if found.absent:
        report = Report()
        for name, wanted in found.absent.items():
            where = checked.loaded.at("registration", "columns", name)
            if isinstance(wanted, Letter):
                what = f"the column {wanted.column}, and the export has {len(head_row)} columns"
                hint = ""
            else:
                what = f"the column '{wanted}', which the export does not have"
                hint = _closest(wanted, head_row) or f"its columns: {head}"
            report.error(
                where,
                f"registration: columns: {name} names {what} ({file.name})",
                hint,
                code="registration-column",
            )
        report.raise_if_errors()
    lacking = exports.missing(found)
    if lacking:
        raise CohortError(
            f"this {tool} export has no column for {', '.join(lacking)} (its first columns: "
            f"{head}); name it under 'registration: columns:' in programme.yaml",
            location=file,
            code="registration-layout",
        )
    return found


def _closest(wanted: str, headers: list[str]) -> str:
    """A hint naming the header closest to one the export lacks: one that holds it ('Naam'
    in 'Naam deelnemer'), else one spelled alike."""
    holding = [h for h in headers if h.strip() and plain(wanted) in plain(h)]
    if holding:
        return f"did you mean '{holding[0]}'?"
    return did_you_mean(wanted, [h for h in headers if h.strip()])


def _event(table: Table, found: exports.Layout, event: str | None) -> str | None:
    """The event to read of an export that holds several (pretix's organiser-level export).
    Raises UsageError when it holds several and `event` names none of them."""
    slugs = exports.events(table, found)
    if event is None:
        if len(slugs) > 1:
            raise UsageError(
                f"this export holds the registrations of {len(slugs)} events ("
                + ", ".join(f"'{s}'" for s in slugs)
                + "); say which one is this list's with --event SLUG"
            )
        return None
    if event not in slugs:
        hint = did_you_mean(event, slugs) or "its events: " + ", ".join(f"'{s}'" for s in slugs)
        raise UsageError(f"--event '{event}' is not an event of this export ({hint})")
    return event


def import_export(
    file: Path,
    folder: Path | None,
    meeting: str | None,
    today: dt.date | None,
    tool: str | None = None,
    event: str | None = None,
) -> Done:
    """`cohort registrations import`: read an export into the list of a meeting (or of the
    programme), decide, and keep it. Rows that cannot be read are reported at their row and
    column and left out; raises CohortError when the export cannot be read at all, or is
    for a meeting that began or is cancelled, before anything is written."""
    if tool is not None and tool not in exports.TOOLS:
        hint = did_you_mean(tool, exports.TOOLS) or f"one of {', '.join(exports.TOOLS)}"
        raise UsageError(f"--tool '{tool}' is not an export cohort reads ({hint})")
    checked = load_checked(folder or find_programme(file), today, keep_loaded=True)
    programme = checked.programme
    scope = scope_of(programme, meeting)
    now = moment(programme, today)
    if over(programme, scope, now):
        raise CohortError(
            f"{why_closed(programme, scope)}: nothing is registered, or said, for a meeting "
            "that is over or cancelled",
            location=file,
        )
    table = read_table(file, what="registration export", sheets=PRETIX_SHEETS)
    found = _layout(checked, table, file, tool)
    report = Report()
    reader = exports.Reader(
        table,
        found,
        programme.zone,
        report,
        latest=now.astimezone(programme.zone).date(),
        event=_event(table, found, event),
        yes=frozenset(plain(a) for a in programme.registration.consent_answers),
    )
    read = exports.read_rows(reader)
    if read.unreadable and not read.rows:
        raise CohortError(diagnostics=[*report.sorted(), _nothing(file, read.read)])
    lists = lists_of(checked.folder)
    current = lists.get(scope) or Registrations(meeting=scope, started=now)
    merged = _Merge(programme, current, lists, now, reader)
    merged.rows(read.rows)
    current = current.model_copy(
        update={
            "registrations": merged.registrations,
            "source": _relative(file, checked.folder),
            "tool": found.tool,
        }
    )
    decision = decide_list(checked, current, now, merged.actions, new=merged.new)
    changed = store_list(checked.folder, current, decision, "registrations import")
    path = record.path_of(checked.folder, scope)
    done = Done(warnings=[*checked.warnings, *report.sorted()])
    done.lines.append(
        f"{'wrote' if changed else 'unchanged'} {path}: {read.read} row(s) read ({found.tool})"
        + (f", {read.unreadable} left out (see above)" if read.unreadable else "")
        + f", {merged.added} new, {merged.updated} updated"
    )
    done.lines += merged.notes(read.rows, found.tool)
    done.lines += summary(programme, scope, decision)
    return done


def _nothing(file: Path, rows: int) -> Diagnostic:
    return Diagnostic(
        Location(file),
        "error",
        f"none of the export's {rows} row(s) can be read (see above); nothing was imported",
        code="registration-row",
    )


def _relative(file: Path, folder: Path) -> str:
    try:
        return file.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return file.name
