"""`cohort registrations import FILE`: a form's export into the list of a meeting (or of the
programme), each row matched to a participant by e-mail address or made a new person with an id
of their own (from their name, kept for good); a second import of the same export changes
nothing, a cancelled row cancels, a row without consent is not kept.

Someone the programme already invites (to the meeting; to the programme: any participant who is
not a guest of one meeting) is not put on the list: they have their place.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import CohortError, Report, UsageError, did_you_mean
from ..programme.model import Programme, Role
from ..records import registrations as record
from ..records.registrations import Entry, Registrations
from ..records.workspace import load_checked
from ..tables import read_table
from . import registration_exports as exports
from .registering import Done, decide_list, lists_of, moment, scope_of, store_list, summary
from .registration_words import PRETIX_SHEETS
from .registrations import Action


class _People:
    """Who a row is: a participant of the programme (by e-mail), someone on another list, or a
    new person with an id of their own, made from their name."""

    def __init__(self, programme: Programme, lists: Mapping[str | None, Registrations]) -> None:
        self.programme = programme
        self.by_email: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.taken: set[str] = set(programme.participants)
        for other in lists.values():
            for pid, entry in other.registrations.items():
                self.by_email.setdefault(entry.email.casefold(), pid)
                self.names.setdefault(pid, entry.name)
                self.taken.add(pid)
        for person in programme.participants.values():
            if person.email:
                self.by_email[person.email.casefold()] = person.id
            self.names[person.id] = person.name

    def who(self, row: exports.Row, shared: bool) -> str:
        """The id of the person of a row; `shared`: other rows of this export give the same
        address, so it is theirs only when the names agree."""
        pid = self.by_email.get(row.email.casefold())
        if pid is not None and (not shared or _plain(self.names[pid]) == _plain(row.name)):
            return pid
        base = record.slug(row.name)
        pid, n = base, 1
        while pid in self.taken:
            n += 1
            pid = f"{base}-{n}"
        self.taken.add(pid)
        self.names[pid] = row.name
        if not shared:
            self.by_email[row.email.casefold()] = pid
        return pid


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


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
    export, updated; new ones added in the order they registered), the cancellations it
    brings (cancelled rows, and rows whose consent is withdrawn), and what was left out and
    why. Nothing but the programme's fields is kept of a row."""

    def __init__(
        self,
        programme: Programme,
        current: Registrations,
        lists: Mapping[str | None, Registrations],
        now: dt.datetime,
    ) -> None:
        self.programme = programme
        self.current = current
        self.now = now
        self.people = _People(programme, lists)
        self.by_key = {entry.key: pid for pid, entry in current.registrations.items()}
        self.registrations = dict(current.registrations)
        self.new: dict[str, Entry] = {}
        self.actions: dict[str, Action] = {}
        self.left_out = {"consent": 0, "invited": 0, "twice": 0}
        self.added = self.updated = 0

    def rows(self, rows: Sequence[exports.Row]) -> None:
        addresses = Counter(row.email.casefold() for row in rows)
        for row in rows:
            pid = self.by_key.get(row.key)
            if row.consent is False:
                self.left_out["consent"] += 1
                if pid is not None:
                    self.actions[pid] = "cancel"
            elif pid is not None:
                self.known(pid, row)
            else:
                self.add(row, shared=addresses[row.email.casefold()] > 1)
        everyone = [*self.registrations.items(), *self.new.items()]
        everyone.sort(key=lambda item: item[1].registered)
        self.registrations = dict(everyone)

    def known(self, pid: str, row: exports.Row) -> None:
        entry = self.registrations[pid]
        updated = entry.model_copy(update=_details(row))
        if updated != entry:
            self.registrations[pid] = updated
            self.updated += 1
        if row.cancelled:
            self.actions[pid] = "cancel"

    def add(self, row: exports.Row, shared: bool) -> None:
        pid = self.people.who(row, shared)
        if pid in self.registrations or pid in self.new:
            self.left_out["twice"] += 1
            return
        if _already_invited(self.programme, self.current.meeting, pid):
            self.left_out["invited"] += 1
            return
        self.new[pid] = Entry.model_validate(
            {
                **_details(row),
                "key": row.key,
                "registered": row.registered,
                "status": "cancelled" if row.cancelled else "waiting",
                "since": self.now,
            }
        )
        self.added += 1

    def notes(self, rows: Sequence[exports.Row]) -> list[str]:
        """What was left out, for the terminal."""
        said = {
            "consent": "row(s) without consent: not registered",
            "invited": "row(s) of people the programme already invites: left out",
            "twice": "person(s) registered twice: their first registration counts",
        }
        notes = [f"{n} {said[why]}" for why, n in self.left_out.items() if n]
        keys = {row.key for row in rows}
        absent = sum(1 for e in self.current.registrations.values() if e.key not in keys)
        if absent:
            notes.append(
                f"{absent} registration(s) not in this export: kept (cancel one with "
                "'cohort registrations cancel')"
            )
        return notes


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


def import_export(
    file: Path,
    folder: Path | None,
    meeting: str | None,
    today: dt.date | None,
    tool: str | None = None,
) -> Done:
    """`cohort registrations import`: read an export into the list of a meeting (or of the
    programme), decide, and keep it. Raises CohortError with every problem of the export (at
    row and column) before anything is written."""
    if tool is not None and tool not in exports.TOOLS:
        hint = did_you_mean(tool, exports.TOOLS) or f"one of {', '.join(exports.TOOLS)}"
        raise UsageError(f"--tool '{tool}' is not an export cohort reads ({hint})")
    checked = load_checked(folder or find_programme(file), today)
    programme = checked.programme
    scope = scope_of(programme, meeting)
    table = read_table(file, what="registration export", sheets=PRETIX_SHEETS)
    columns = {str(k): v for k, v in programme.registration.columns.items()}
    tool = tool or exports.detect(table) or ("columns" if columns else None)
    head = ", ".join(f"'{h}'" for h in (table.rows[0] if table.rows else [])[:8])
    if tool is None:
        raise CohortError(
            f"cannot tell which tool made this export (its first columns: {head or 'none'}); "
            "name its columns in the programme under 'registration: columns:' "
            "(name, email, registered, ...), or give --tool",
            location=file,
            code="registration-layout",
        )
    found = exports.layout(table, tool, columns)
    lacking = exports.missing(found)
    if lacking:
        raise CohortError(
            f"this {tool} export has no column for {', '.join(lacking)} (its first columns: "
            f"{head}); name it under 'registration: columns:' in programme.yaml",
            location=file,
            code="registration-layout",
        )
    report = Report()
    rows = exports.read_rows(table, tool, columns, programme.zone, report)
    report.raise_if_errors()
    now = moment(programme, today)
    lists = lists_of(checked.folder)
    current = lists.get(scope) or Registrations(meeting=scope)
    merged = _Merge(programme, current, lists, now)
    merged.rows(rows)
    current = current.model_copy(
        update={
            "registrations": merged.registrations,
            "source": _relative(file, checked.folder),
            "tool": tool,
        }
    )
    decision = decide_list(checked, current, now, merged.actions)
    changed = store_list(checked.folder, current, decision, "registrations import")
    path = record.path_of(checked.folder, scope)
    done = Done(warnings=checked.warnings)
    done.lines.append(
        f"{'wrote' if changed else 'unchanged'} {path}: {len(rows)} row(s) read ({tool}), "
        f"{merged.added} new, {merged.updated} updated"
    )
    done.lines += merged.notes(rows)
    done.lines += summary(programme, scope, decision)
    return done


def _relative(file: Path, folder: Path) -> str:
    try:
        return file.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return file.name
