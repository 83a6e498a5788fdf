"""Registration exports, as the tools make them, read into one list of registrations.

Each reader follows its tool's real export (read through `tables.read_table`, every cell text):

- **pretix** order positions (`pretix/base/exporters/orderlist.py`, CSV or XLSX; in a
  workbook the sheet "Order positions"): one row per person, headers in the organiser's
  language, the event's slug (an organiser's export may hold several events: `--event`), the
  order's code and the position, `Status` (paid, pending, canceled, expired, ... translated),
  the order's date and time (ISO, the event's time zone), the attendee's name, e-mail and
  company (else the order's e-mail and invoice name), the order's locale, then the event's
  questions (a consent question among them).
- **Eventbrite** attendee report (CSV): `Order #`, `Order Date` (US: month first),
  `First Name`, `Last Name`, `Email`, `Quantity`, `Attendee #`, `Attendee Status`, `Company`,
  then the event's questions.
- **Google Forms** responses (CSV): `Timestamp`, `Email Address` (when the form collects
  addresses), then the questions.
- **Microsoft Forms** responses (XLSX): the first columns by position, whatever their headers'
  language: ID, start time, completion time, e-mail, name (and, in newer exports, the last
  modified time), then the questions. A form people sign in to gives their name and address
  there; a name question, when the form has one, goes first.

The programme's `registration: columns:` names a column for any field (by its header, exactly;
or by its letter, `{column: C}`), for these exports or any other; a column it names that the
export does not have is an error. Only the fields named here are read from a row: nothing else
of an export (phone numbers, addresses, prices, other answers) is kept. A consent question
counts only a yes cohort knows (`registration_words.consent`) or the programme names.

A row that cannot be read (no name, no e-mail address, no date, a date after today) is reported
at its row and column and left out; the others are read. A registration given twice (a form
sent again by the same person) counts once, at its first time, with its last answers, and is
reported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter

from ..errors import Report
from ..programme.registration import Letter
from ..programme.values import CONTROL, Email
from ..tables import Table
from . import registration_words as words

TOOLS = ("pretix", "eventbrite", "google", "microsoft", "columns")

#: fields only a programme's `columns:` makes cohort read (answers about health and food)
ASKED_ONLY = ("accessibility", "dietary")


@dataclass(frozen=True)
class Row:
    """One registration as the export gives it: who, since when, in which order, and whether
    it is cancelled; `consent` is None when the export asks none (else only an answer cohort
    reads as a yes is True)."""

    row: int
    key: str
    name: str
    email: str
    registered: dt.datetime
    organisation: str | None = None
    language: str | None = None
    accessibility: str | None = None
    dietary: str | None = None
    order: str | None = None
    places: int = 1
    cancelled: bool = False
    consent: bool | None = None


@dataclass
class Layout:
    """Where each field stands in a table: field -> column index, the header row, the tool
    whose export it is, and the columns the programme names that the export does not have
    (field -> what it names)."""

    tool: str
    columns: dict[str, int] = field(default_factory=dict)
    header: int = 0
    absent: dict[str, str | Letter] = field(default_factory=dict)

    def cell(self, row: list[str], name: str) -> str:
        """The text of a field's cell in `row` ("" when it has none), without the control
        characters a copy from a word processor leaves (no name or answer holds one)."""
        index = self.columns.get(name)
        if index is None or index >= len(row):
            return ""
        return _CONTROL.sub(" ", row[index]).strip()


#: control characters, with the spaces around them: each run becomes one space
_CONTROL = re.compile(rf" *{CONTROL.pattern}+ *")


def detect(table: Table) -> str | None:
    """Which tool made this export, from its headers (None when none we know)."""
    head = table.rows[0] if table.rows else []
    if words.find(head, words.PRETIX["order"]) is not None and (
        words.find(head, words.PRETIX["position"]) is not None
    ):
        return "pretix"
    if words.find(head, words.EVENTBRITE["order"]) is not None and (
        words.find(head, words.EVENTBRITE["status"]) is not None
    ):
        return "eventbrite"
    if head and words.plain(head[0]) in {words.plain(t) for t in words.GOOGLE_TIMESTAMP}:
        return "google"
    if head and head[0].strip() in words.MICROSOFT_ID and len(head) >= 5:
        return "microsoft"
    return None


def layout(table: Table, tool: str, columns: Mapping[str, str | Letter]) -> Layout:
    """The layout of `tool`'s export, with the programme's `columns` over it."""
    head = table.rows[0] if table.rows else []
    found = Layout(tool)
    if tool in ("pretix", "eventbrite"):
        named = words.PRETIX if tool == "pretix" else words.EVENTBRITE
        for name, headers in named.items():
            index = words.find(head, headers)
            if index is not None:
                found.columns[name] = index
        _consent(found, head, start=0)
    elif tool == "google":
        found.columns["date"] = 0
        index = words.find(head, words.GOOGLE_EMAIL)
        if index is not None:
            found.columns["email"] = index
        _questions(found, head, start=1)
    elif tool == "microsoft":
        # the respondent's address and name as Microsoft knows them (a form people sign in
        # to; 'anonymous' when it does not ask to): used when the form asks for neither
        found.columns.update({"date": 2, "order_email": 3, "invoice_name": 4})
        _questions(found, head, start=6 if _modified(table) else 5)
    for name, wanted in columns.items():
        key = name if name != "registered" else "date"
        index = _column(head, wanted)
        if index is None:
            found.absent[name] = wanted
            found.columns.pop(key, None)
        else:
            found.columns[key] = index
    return found


def _modified(table: Table) -> bool:
    """Whether a Microsoft Forms export has its newer sixth column, the last modified time:
    by its header's words, or by its cells (times, where a response was changed)."""
    head = table.rows[0]
    if len(head) <= 5:
        return False
    if any(word in words.plain(head[5]) for word in words.MICROSOFT_MODIFIED):
        return True
    cells = [r[5] for r in table.rows[1:] if len(r) > 5 and r[5].strip()]
    return bool(cells) and all(_is_moment(cell) for cell in cells)


def _consent(found: Layout, head: list[str], start: int) -> None:
    """The consent question of an export, by a word anywhere in its header ('Ik geef
    toestemming om ...'), among the columns no other field holds."""
    taken = set(found.columns.values())
    for column in range(start, len(head)):
        if column in taken:
            continue
        if any(word in words.plain(head[column]) for word in words.QUESTIONS["consent"]):
            found.columns.setdefault("consent", column)
            return


def _questions(found: Layout, head: list[str], start: int) -> None:
    """The questions of a form that hold fields, recognised by their words; the consent
    question by a word anywhere in it."""
    _consent(found, head, start)
    for name, question_words in words.QUESTIONS.items():
        if name in found.columns:
            continue
        index = words.find_question(head, question_words, start)
        if index is not None:
            found.columns[name] = index


def _is_moment(text: str) -> bool:
    return words.moment(text, ZoneInfo("UTC"), True) is not None if text.strip() else False


def _column(head: list[str], wanted: str | Letter) -> int | None:
    """A column named in `columns:`: its letter (`{column: C}`), or its header exactly as the
    export writes it (spaces, case and a closing ':?*' aside); None when the export has none
    such."""
    if isinstance(wanted, Letter):
        return wanted.index if wanted.index < len(head) else None
    return words.find(head, (wanted,))


def missing(found: Layout) -> list[str]:
    """The fields without which no registration can be read."""
    needed = []
    names = {"name", "first_name", "last_name", "invoice_name"}
    if not names & found.columns.keys():
        needed.append("name")
    if "email" not in found.columns and "order_email" not in found.columns:
        needed.append("email")
    if "date" not in found.columns:
        needed.append("registered")
    return needed


def events(table: Table, found: Layout) -> list[str]:
    """The events an export holds (pretix's `Event slug`, in the order they first come; none
    when the export does not say)."""
    if "event" not in found.columns:
        return []
    seen = {found.cell(row, "event"): None for row in table.rows[1:] if any(row)}
    return [event for event in seen if event]


@dataclass
class Reader:
    """Reads the rows of one table with its layout; rows that cannot be read go to `report`
    at row:col (as warnings: they are left out). `latest`: the last day a registration may
    carry (today); `event`: only that event's rows; `yes`: the programme's own yes-answers to
    the consent question."""

    table: Table
    found: Layout
    zone: ZoneInfo
    report: Report
    latest: dt.date | None = None
    event: str | None = None
    yes: frozenset[str] = frozenset()
    day_first: bool = True
    #: the rows of the export (of `event`), and those that could not be read
    read: int = 0
    unreadable: int = 0

    def __post_init__(self) -> None:
        column = self.found.columns.get("date")
        if column is not None:
            texts = [r[column] for r in self.table.rows[1:] if column < len(r)]
            default = self.found.tool != "eventbrite"
            self.day_first = words.day_first(texts, default, self.latest)

    def rows(self) -> list[Row]:
        """Every registration of the table that can be read, in its order; an order's rows
        share their key's order code; an order given in one row holds its Quantity's places,
        one given in several rows a place for each."""
        out: list[Row] = []
        seen: dict[str, int] = {}
        for number, cells in enumerate(self.table.rows[1:], start=2):
            if not any(c.strip() for c in cells):
                continue
            if self.event is not None and self.found.cell(cells, "event") != self.event:
                continue
            self.read += 1
            row = self.row(number, cells, seen)
            if row is not None:
                out.append(row)
        rows_of: dict[str, int] = {}
        for row in out:
            if row.order:
                rows_of[row.order] = rows_of.get(row.order, 0) + 1
        return [
            replace(row, places=1) if row.order and rows_of[row.order] > 1 else row for row in out
        ]

    def at(self, number: int, name: str) -> tuple[int, int]:
        return number, self.found.columns.get(name, -1) + 1

    @property
    def email_column(self) -> str:
        """The field whose column holds a row's address (where a row is pointed at)."""
        return "email" if "email" in self.found.columns else "order_email"

    def left_out(self, number: int, name: str, message: str, hint: str = "") -> None:
        self.report.warning(
            self.table.at(*self.at(number, name)),
            f"left out: {message.rstrip('.')}",
            hint,
            code="registration-row",
        )

    def row(self, number: int, cells: list[str], seen: dict[str, int]) -> Row | None:
        get = self.found.cell
        name = get(cells, "name") or " ".join(
            x for x in (get(cells, "first_name"), get(cells, "last_name")) if x
        )
        signed_in = get(cells, "invoice_name")
        if not name and words.plain(signed_in) not in words.ANONYMOUS:
            name = signed_in
        fallback = get(cells, "order_email")
        email = get(cells, "email") or (fallback if "@" in fallback else "")
        when = self.when(cells)
        problems = []
        if not name:
            column = "name" if "name" in self.found.columns else "invoice_name"
            problems.append((column, "a registration without a name", ""))
        checked, problem = self.email(email)
        if problem is not None:
            problems.append((self.email_column, problem, ""))
        if when is None:
            text = get(cells, "date")
            problems.append(
                (
                    "date",
                    f"'{text}' is not a date and time" if text else "a registration without a date",
                    "the export's registration time is needed for the waiting list",
                )
            )
        elif self.latest is not None and when.astimezone(self.zone).date() > self.latest:
            problems.append(
                (
                    "date",
                    f"registered {when.astimezone(self.zone):%Y-%m-%d %H:%M}, after today "
                    f"({self.latest})",
                    "is the export's date read in the right order, and is --today right?",
                )
            )
        for column, message, hint in problems:
            self.left_out(number, column, message, hint)
        if problems or checked is None or when is None:
            self.unreadable += 1
            return None
        order = get(cells, "order") or None
        return Row(
            row=number,
            key=self.key(cells, order, checked, name, seen),
            name=" ".join(name.split()),
            email=checked,
            registered=when,
            organisation=get(cells, "organisation") or get(cells, "invoice_organisation") or None,
            language=words.language(get(cells, "language")),
            accessibility=get(cells, "accessibility") or None,
            dietary=get(cells, "dietary") or None,
            order=order,
            places=self.places(number, get(cells, "quantity")),
            cancelled=words.plain(get(cells, "status")) in words.CANCELLED,
            consent=self.consent(number, cells),
        )

    def consent(self, number: int, cells: list[str]) -> bool | None:
        """The row's consent (None: the export asks none); an answer that is neither a yes
        nor a plain no is reported: it is no consent, unless the programme names it."""
        if "consent" not in self.found.columns:
            return None
        answer = self.found.cell(cells, "consent")
        given = words.consent(answer, self.yes)
        if given is None:
            self.report.warning(
                self.table.at(*self.at(number, "consent")),
                f"the consent answer '{answer}' is not a yes cohort knows: no consent, the "
                "row is not kept",
                "if it is your form's yes, add it under 'registration: consent_answers:'",
                code="registration-consent",
            )
        return given is True

    def when(self, cells: list[str]) -> dt.datetime | None:
        text = self.found.cell(cells, "date")
        if "time" in self.found.columns and text:
            text = f"{text} {self.found.cell(cells, 'time')}"
        return words.moment(text, self.zone, self.day_first) if text else None

    def email(self, text: str) -> tuple[str | None, str | None]:
        """The address checked as the programme checks one, or the problem with it."""
        if not text:
            return None, "a registration without an e-mail address"
        from pydantic import ValidationError

        try:
            return str(_email_adapter().validate_python(text)), None
        except ValidationError as err:
            message = str(err.errors()[0].get("msg", "")).removeprefix("Value error, ")
            return None, message or f"'{text}' is not an e-mail address"

    def key(
        self, cells: list[str], order: str | None, email: str, name: str, seen: dict[str, int]
    ) -> str:
        """The registration's identity in the export, the same in every later export of it:
        its order and position, its attendee number, else its address and name (several
        people may share one address)."""
        get = self.found.cell
        if self.found.tool == "pretix" and order:
            return f"{order}-{get(cells, 'position') or '1'}"
        if self.found.tool == "eventbrite" and get(cells, "attendee"):
            return get(cells, "attendee")
        if order:
            seen[order] = seen.get(order, 0) + 1
            return f"{order}-{seen[order]}"
        return f"{email.casefold()} {words.plain(name)}"

    def places(self, number: int, text: str) -> int:
        if not text:
            return 1
        if text.isdigit() and int(text) >= 1:
            return int(text)
        self.report.warning(
            self.table.at(*self.at(number, "quantity")),
            f"'{text}' is not a number of places: counted as one",
            code="registration-row",
        )
        return 1


@cache
def _email_adapter() -> TypeAdapter[str]:
    """The programme's own check of an e-mail address (made once)."""
    return TypeAdapter(Email)


@dataclass
class Read:
    """What an export gave: its registrations (in the order they were made), how many rows
    it has (of the event read), and how many of those could not be read."""

    rows: list[Row]
    read: int
    unreadable: int


def read_rows(reader: Reader) -> Read:
    """The registrations of an export (see `Reader`). A registration given twice (a form sent
    again by the same person) counts once, at its first time, with its last answers; the
    later row is reported."""
    merged: dict[str, Row] = {}
    for row in reader.rows():
        first = merged.get(row.key)
        if first is None:
            merged[row.key] = row
            continue
        reader.report.warning(
            reader.table.at(*reader.at(row.row, reader.email_column)),
            f"{row.name} <{row.email}> sent the form again (first at row {first.row}): one "
            "registration, at its first time, with the later answers",
            code="registration-twice",
        )
        merged[row.key] = replace(row, registered=first.registered)
    rows = sorted(merged.values(), key=lambda r: (r.registered, r.row))
    return Read(rows, reader.read, reader.unreadable)
