"""Registrations: who signed up through a form, and where each stands on the list.

`cohort registrations import` reads a form's export and keeps what the programme needs in
`registrations/<meeting>.yaml` (or `registrations/programme.yaml` for the whole programme),
in the order of the waiting list; the facilitator's participants.yaml is never rewritten. The
file is YAML in its flow style (which is also JSON), one registration a line, so that a diff
shows exactly whose registration changed, and a list of thousands reads in milliseconds:

    # Written by cohort registrations import: the registrations of 'studiedag'
    # Change it with that command, not by hand: cohort never rewrites a file you wrote.
    {
      "meeting": "studiedag",
      "source": "exports/studiedag.csv",
      "tool": "pretix",
      "started": "2026-03-02T09:00:00+00:00",
      "registrations": {
        "anna-de-smet": {"name": "Anna De Smet", "email": "anna@example.org", "organisation":
          "Stadsmuseum Gent", "key": "ABC12-1", "order": "ABC12", "registered":
          "2026-03-01T10:15:00+01:00", "status": "confirmed", "since":
          "2026-03-02T09:00:00+00:00", "step": 1, "confirmed": "2026-03-02T09:00:00+00:00"}
      }
    }

(each registration on one line in the file). `key` is the registration in the export (order
and position), `status` one of confirmed, waiting, offered, declined, expired, cancelled, and
`step` the transitions so far: the e-mail of the last one is due. `started` is when the list
began: the e-mails of a list are named by it and by each registration's step (`mail_name`), so
a list started over (its file moved away, the export imported again) never takes an e-mail of
the earlier list for one of its own (`cohort invite` refuses to go on without being told, see
`documents.registration_mail`). A file that is not in this form (edited by hand, a merge
conflict) is read by the strict YAML reader, so each problem is reported at its line. cohort
refuses to write a list larger than it reads back (`MAX_RECORD_BYTES`).

Every command sees the registrations through the overlay `overlay`: someone confirmed is a
participant invited to the meeting (or, registered for the programme, a participant like those
in participants.yaml); someone waiting or offered a place is invited to nothing. Someone whose
registration was confirmed and then cancelled stays known, invited to nothing, so that `invite`
sends their calendar the cancellation. A person registered only for one meeting is a `guest`
(an attendance rule does not bind them) invited to that meeting alone.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ..errors import CohortError, Report, did_you_mean
from ..files import write_atomic
from ..languages import Language
from ..programme.load import Raw
from ..programme.values import Email, Id, NonEmptyText, Text
from ..programme.yamlfile import MAX_RECORD_BYTES
from . import store

FOLDER = "registrations"
PROGRAMME_FILE = "programme.yaml"

Status = Literal["confirmed", "waiting", "offered", "declined", "expired", "cancelled"]
STATUSES: tuple[Status, ...] = (
    "confirmed",
    "waiting",
    "offered",
    "declined",
    "expired",
    "cancelled",
)


class Entry(BaseModel):
    """One registration: the person (only what the programme needs), the place in the queue
    (`registered`, then the file's order), and where it stands (`status` since `since`, after
    `step` transitions, each of which was told by one e-mail)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: NonEmptyText
    email: Email
    organisation: Text | None = None
    language: Language | None = None
    accessibility: Text | None = None
    dietary: Text | None = None
    key: NonEmptyText
    order: Text | None = None
    places: int = Field(default=1, ge=1)
    registered: AwareDatetime
    status: Status
    since: AwareDatetime
    step: int = Field(default=0, ge=0)
    #: on the waiting list: the position the last e-mail gave
    position: int | None = None
    #: offered a place: until when it is held
    expires: AwareDatetime | None = None
    #: when the registration was first confirmed (someone once confirmed stays known)
    confirmed: AwareDatetime | None = None
    #: expired or declined: whether the place went on to someone waiting
    passed_on: bool = False


class Registrations(BaseModel):
    """The registrations of one meeting (`meeting:`), or of the whole programme (no `meeting`),
    in the order of the waiting list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    meeting: Id | None = None
    source: Text | None = None
    tool: Text | None = None
    #: when the list began (its e-mails are named by it)
    started: AwareDatetime | None = None
    #: earlier lists of this meeting whose e-mails an outbox holds, left behind on purpose
    #: (`cohort invite --list-restarted`)
    earlier: tuple[NonEmptyText, ...] = ()
    registrations: dict[Id, Entry] = {}

    @property
    def scope(self) -> str | None:
        """The meeting these registrations are for; None: the whole programme."""
        return self.meeting


Stored = store.Stored[Registrations]


def token(record: Registrations) -> str:
    """The list's name in the names of its e-mails: when it started, to the second."""
    if record.started is None:
        return "0"
    return record.started.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")


def mail_name(label: str, pid: str, entry: Entry, list_token: str) -> str:
    """The outbox name of the e-mail of a registration's last transition: `label` is the
    meeting's id (or the programme's, for its list); see the module's docstring."""
    return f"{label}.{pid}.registration-{entry.status}.{entry.step}-{list_token}.eml"


#: the parts of a registration e-mail's name
MAIL_NAME = re.compile(
    r"(?P<scope>[^.]+)\.(?P<person>[^.]+)\.registration-(?P<status>[a-z]+)"
    r"\.(?P<step>\d+)-(?P<list>[0-9T]+)\.eml"
)


def path_of(folder: Path, meeting: str | None) -> Path:
    """The registrations file of a meeting, or of the programme (`meeting` None)."""
    return folder / FOLDER / (f"{meeting}.yaml" if meeting else PROGRAMME_FILE)


def load_all(folder: Path, report: Report) -> dict[str | None, Stored]:
    """Every registrations file of a programme, by meeting id (None: the programme); problems
    go to `report` at their line."""
    found: dict[str | None, Stored] = {}
    for path in store.records_in(folder / FOLDER):
        stored = read(path, report)
        record = stored.record
        if record is None:
            continue
        where = stored.positions.at(("meeting",))
        expected = path_of(folder, record.meeting).name
        if path.name != expected:
            report.error(
                where,
                f"the registrations of {_scope_name(record.meeting)} are in {path.name}",
                f"rename it to {expected}",
                code="misnamed-record",
            )
            continue
        found[record.meeting] = stored
    return found


def _scope_name(meeting: str | None) -> str:
    return f"'{meeting}'" if meeting else "the programme"


def store_record(folder: Path, record: Registrations, command: str) -> bool:
    """Write a registrations file (False when it held exactly this already). Raises
    CohortError rather than rewrite one that cohort did not write."""
    path = path_of(folder, record.meeting)
    if path.is_file() and not path.read_text(encoding="utf-8", errors="replace").startswith(
        store.MARKER
    ):
        raise CohortError(
            f"{path} was not written by cohort, and cohort never rewrites a file you wrote; "
            "move it away to start the list again from the export",
            location=path,
        )
    head = store.header(command, f"the registrations of {_scope_name(record.meeting)}")
    fields: dict[str, Any] = {}
    for key in ("meeting", "source", "tool", "started", "earlier"):
        value = getattr(record, key)
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        if value:
            fields[key] = value
    entries = {pid: _dump(entry) for pid, entry in record.registrations.items()}
    text = store.flow(head, fields, "registrations", entries)
    size = len(text.encode("utf-8"))
    if size > MAX_RECORD_BYTES:
        raise CohortError(
            f"{len(record.registrations)} registrations would make {path} "
            f"{size // (1024 * 1024)} MB, more than cohort keeps in one list "
            f"({MAX_RECORD_BYTES // (1024 * 1024)} MB); nothing was written. Keep a list per "
            "meeting (--meeting) rather than one for the programme",
            location=path,
        )
    return write_atomic(path, text)


def _dump(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in entry:
        if value is None or (key == "places" and value == 1) or (key == "passed_on" and not value):
            continue
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, Language):
            value = value.value
        out[key] = value
    return out


def read(path: Path, report: Report) -> Stored:
    """A registrations file as cohort writes it, read at once (a registration a line, each
    known by its line); anything else through the strict YAML reader, with every problem at
    its line (see `store.read_flow`)."""
    return store.read_flow(path, Registrations, report, "registrations")


# -- the overlay -----------------------------------------------------------------------------


def slug(text: str) -> str:
    """An id made of a name: 'Anna De Smet' -> 'anna-de-smet' (letters without accents)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return words[:48].strip("-") or "person"


@dataclass
class People:
    """Everyone the registrations make known, across all files: who is confirmed where, who
    was confirmed once (and stays known), their details from the first file that names them."""

    entries: dict[str, Entry] = field(default_factory=dict)
    confirmed: dict[str | None, set[str]] = field(default_factory=dict)
    known: dict[str | None, set[str]] = field(default_factory=dict)
    where: dict[str, tuple[Stored, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, stored: dict[str | None, Stored]) -> People:
        people = cls()
        for scope in sorted(stored, key=lambda s: s or ""):
            item = stored[scope]
            assert item.record is not None
            for pid, entry in item.record.registrations.items():
                if entry.status != "confirmed" and entry.confirmed is None:
                    continue
                people.entries.setdefault(pid, entry)
                people.where.setdefault(pid, (item, pid))
                people.known.setdefault(scope, set()).add(pid)
                if entry.status == "confirmed":
                    people.confirmed.setdefault(scope, set()).add(pid)
        return people


def overlay(raw: Raw, report: Report) -> None:
    """Make registered people participants and invitees (see the module's docstring)."""
    stored = load_all(raw.folder, report)
    meetings = raw.collections.get("meetings", {})
    for scope, item in list(stored.items()):
        raw.files.append(item.path)
        if scope is not None and scope not in meetings:
            report.error(
                item.positions.at(("meeting",)),
                f"unknown meeting '{scope}'",
                did_you_mean(scope, meetings) or "",
                code="unknown-id",
            )
            del stored[scope]
    if not stored:
        return
    people = People.of(stored)
    new = _participants(raw, people)
    in_programme = people.confirmed.get(None, set())
    left_out = (people.known.get(None, set()) - in_programme) | (new - in_programme)
    for mid, meeting in list(meetings.items()):
        if not isinstance(meeting, dict):
            continue
        include = people.confirmed.get(mid, set())
        exclude = (people.known.get(mid, set()) | left_out) - include
        if include or exclude:
            rule = _rule(meeting.get("invited"), include, exclude)
            if rule is not None:
                meetings[mid] = {**meeting, "invited": rule}


def _participants(raw: Raw, people: People) -> set[str]:
    """Add the people the registrations make known and the programme does not have, each
    with the place of their registration (for messages about them); returns their ids."""
    participants = raw.collections.setdefault("participants", {})
    new = {pid for pid in people.entries if pid not in participants}
    organisations = _Organisations(raw.collections.setdefault("organisations", {}))
    in_programme = people.confirmed.get(None, set())
    for pid in sorted(new):
        entry = people.entries[pid]
        person: dict[str, Any] = {"name": entry.name, "email": entry.email}
        if entry.organisation:
            person["organisation"] = organisations.id_of(entry.organisation)
        if entry.language is not None:
            person["language"] = entry.language.value
        person["role"] = "participant" if pid in in_programme else "guest"
        participants[pid] = person
        item, key = people.where[pid]
        here = item.positions.at(("registrations", key), key=True)
        raw.positions.keys[("participants", pid)] = here
        raw.positions.values[("participants", pid)] = here
    return new


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _rule(invited: Any, include: set[str], exclude: set[str]) -> dict[str, Any] | None:
    """A meeting's `invited:` with registered people added and taken out; None when it is not
    a rule cohort can read (validation reports it as written)."""
    if invited is None or invited == "everyone":
        rule: dict[str, Any] = {"everyone": True}
    elif isinstance(invited, list):
        rule = {"participants": invited}
    elif isinstance(invited, dict):
        rule = dict(invited)
    else:
        return None
    if include:
        rule["participants"] = _listed(rule.get("participants")) + sorted(include)
    catches_anyone = any(rule.get(k) not in (None, [], False, "no") for k in _BROAD)
    if exclude and catches_anyone:
        rule["except"] = _listed(rule.get("except")) + sorted(exclude)
    return rule


#: the parts of an `invited:` rule that may take in people it does not name
_BROAD = ("everyone", "roles", "organisations")


class _Organisations:
    """The organisation of a registered person: an organisation of the programme with that name
    (or id), else one made for it, with an id from its name."""

    def __init__(self, organisations: dict[str, Any]) -> None:
        self.organisations = organisations
        self.by_name: dict[str, str] = {}
        for oid, org in organisations.items():
            self.by_name.setdefault(_plain(oid), oid)
            if isinstance(org, dict) and isinstance(org.get("name"), str):
                self.by_name[_plain(org["name"])] = oid

    def id_of(self, name: str) -> str:
        key = _plain(name)
        if key not in self.by_name:
            base = slug(name)
            oid, n = base, 1
            while oid in self.organisations:
                n += 1
                oid = f"{base}-{n}"
            self.organisations[oid] = {"name": name}
            self.by_name[key] = oid
        return self.by_name[key]


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()
