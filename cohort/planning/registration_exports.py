"""Registration exports, as the tools make them, read into one list of registrations.

Each reader follows its tool's real export (read through `tables.read_table`, every cell text):

- **pretix** order positions (`pretix/base/exporters/orderlist.py`, CSV or XLSX; in a
  workbook the sheet "Order positions"): one row per person, headers in the organiser's
  language, the order's code and the position, `Status` (paid, pending, canceled, expired, ...
  translated), the order's date and time (ISO, the event's time zone), the attendee's name,
  e-mail and company (else the order's e-mail and invoice name), the order's locale.
- **Eventbrite** attendee report (CSV): `Order #`, `Order Date` (US: month first),
  `First Name`, `Last Name`, `Email`, `Quantity`, `Attendee #`, `Attendee Status`, `Company`.
- **Google Forms** responses (CSV): `Timestamp`, `Email Address` (when the form collects
  addresses), then the questions.
- **Microsoft Forms** responses (XLSX): the first columns by position, whatever their headers'
  language: ID, start time, completion time, e-mail, name (and, in newer exports, the last
  modified time), then the questions.

The programme's `registration: columns:` names a column for any field (by its header or its
letter), for these exports or any other. Only the fields named here are read from a row:
nothing else of an export (phone numbers, addresses, prices, other answers) is kept. Every row
that cannot be read is an error at its row and column, and nothing is imported until all are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter

from ..errors import Report
from ..programme.values import Email
from ..tables import Table
from . import registration_words as words

TOOLS = ("pretix", "eventbrite", "google", "microsoft", "columns")

#: fields only a programme's `columns:` makes cohort read (answers about health and food)
ASKED_ONLY = ("accessibility", "dietary")


@dataclass(frozen=True)
class Row:
    """One registration as the export gives it: who, since when, in which order, and whether
    it is cancelled; `consent` is None when the export asks none."""

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
    """Where each field stands in a table: field -> column index, the header row, and the tool
    whose export it is."""

    tool: str
    columns: dict[str, int] = field(default_factory=dict)
    header: int = 0

    def cell(self, row: list[str], name: str) -> str:
        index = self.columns.get(name)
        if index is None or index >= len(row):
            return ""
        return row[index].strip()


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


def layout(table: Table, tool: str, columns: Mapping[str, str]) -> Layout:
    """The layout of `tool`'s export, with the programme's `columns` over it."""
    head = table.rows[0] if table.rows else []
    found = Layout(tool)
    if tool in ("pretix", "eventbrite"):
        named = words.PRETIX if tool == "pretix" else words.EVENTBRITE
        for name, headers in named.items():
            index = words.find(head, headers)
            if index is not None:
                found.columns[name] = index
    elif tool == "google":
        found.columns["date"] = 0
        index = words.find(head, words.GOOGLE_EMAIL)
        if index is not None:
            found.columns["email"] = index
        _questions(found, head, start=1)
    elif tool == "microsoft":
        # the respondent's address and name as Microsoft knows them ('anonymous' when the
        # form does not ask to sign in): used when the form asks for neither
        found.columns.update({"date": 2, "order_email": 3, "invoice_name": 4})
        _questions(found, head, start=6 if _modified(table) else 5)
    for name, header in columns.items():
        found.columns[name if name != "registered" else "date"] = _column(head, header)
    return found


def _modified(table: Table) -> bool:
    """Whether a Microsoft Forms export has its newer sixth column, the last modified time."""
    rows = table.rows[1:]
    return (
        len(table.rows[0]) > 5
        and bool(rows)
        and all(_is_moment(r[5] if len(r) > 5 else "") for r in rows)
    )


def _questions(found: Layout, head: list[str], start: int) -> None:
    """The questions of a form that hold fields, recognised by their words; the consent
    question by a word anywhere in it ('Ik geef toestemming om ...')."""
    for column in range(start, len(head)):
        if any(word in words.plain(head[column]) for word in words.QUESTIONS["consent"]):
            found.columns.setdefault("consent", column)
    for name, question_words in words.QUESTIONS.items():
        if name in found.columns:
            continue
        index = words.find_question(head, question_words, start)
        if index is not None:
            found.columns[name] = index


def _is_moment(text: str) -> bool:
    return words.moment(text, ZoneInfo("UTC"), True) is not None if text.strip() else False


def _column(head: list[str], header: str) -> int:
    """A column named in `columns:`: by its header, else by its letter (A, B, ..., AA)."""
    index = words.find(head, (header,))
    if index is not None:
        return index
    letters = header.strip().upper()
    if letters.isalpha() and len(letters) <= 3:
        number = 0
        for letter in letters:
            number = number * 26 + (ord(letter) - 64)
        return number - 1
    return -1


def missing(found: Layout) -> list[str]:
    """The fields without which no registration can be read."""
    needed = []
    if "name" not in found.columns and not {"first_name", "last_name"} & found.columns.keys():
        needed.append("name")
    if "email" not in found.columns and "order_email" not in found.columns:
        needed.append("email")
    if "date" not in found.columns:
        needed.append("registered")
    return needed


@dataclass
class Reader:
    """Reads the rows of one table with its layout; problems go to `report` at row:col."""

    table: Table
    found: Layout
    zone: ZoneInfo
    report: Report
    day_first: bool = True

    def __post_init__(self) -> None:
        column = self.found.columns.get("date")
        if column is not None:
            texts = [r[column] for r in self.table.rows[1:] if column < len(r)]
            self.day_first = words.day_first(texts, default=self.found.tool != "eventbrite")

    def rows(self) -> list[Row]:
        """Every registration of the table, in its order; an order's rows share their key's
        order code, an Eventbrite order without attendee numbers counts its rows."""
        out: list[Row] = []
        seen: dict[str, int] = {}
        for number, cells in enumerate(self.table.rows[1:], start=2):
            if not any(c.strip() for c in cells):
                continue
            row = self.row(number, cells, seen)
            if row is not None:
                out.append(row)
        return out

    def at(self, number: int, name: str) -> tuple[int, int]:
        return number, self.found.columns.get(name, -1) + 1

    def error(self, number: int, name: str, message: str, hint: str = "") -> None:
        self.report.error(
            self.table.at(*self.at(number, name)), message, hint, code="registration-row"
        )

    def row(self, number: int, cells: list[str], seen: dict[str, int]) -> Row | None:
        get = self.found.cell
        name = get(cells, "name") or " ".join(
            x for x in (get(cells, "first_name"), get(cells, "last_name")) if x
        )
        name = name or get(cells, "invoice_name")
        fallback = get(cells, "order_email")
        email = get(cells, "email") or (fallback if "@" in fallback else "")
        when = self.when(cells)
        problems = 0
        if not name:
            self.error(number, "name", "a registration without a name")
            problems += 1
        checked = self.email(number, email)
        if checked is None:
            problems += 1
        if when is None:
            text = get(cells, "date")
            self.error(
                number,
                "date",
                f"'{text}' is not a date and time" if text else "a registration without a date",
                "the export's registration time is needed for the waiting list",
            )
            problems += 1
        if problems or checked is None or when is None:
            return None
        order = get(cells, "order") or None
        key = self.key(cells, order, checked, seen)
        places = self.places(number, get(cells, "quantity"))
        return Row(
            row=number,
            key=key,
            name=" ".join(name.split()),
            email=checked,
            registered=when,
            organisation=get(cells, "organisation") or get(cells, "invoice_organisation") or None,
            language=words.language(get(cells, "language")),
            accessibility=get(cells, "accessibility") or None,
            dietary=get(cells, "dietary") or None,
            order=order,
            places=places,
            cancelled=words.plain(get(cells, "status")) in words.CANCELLED,
            consent=None
            if "consent" not in self.found.columns
            else words.plain(get(cells, "consent")) not in words.NO,
        )

    def when(self, cells: list[str]) -> dt.datetime | None:
        text = self.found.cell(cells, "date")
        if "time" in self.found.columns and text:
            text = f"{text} {self.found.cell(cells, 'time')}"
        return words.moment(text, self.zone, self.day_first) if text else None

    def email(self, number: int, text: str) -> str | None:
        column = "email" if "email" in self.found.columns else "order_email"
        if not text:
            self.error(number, column, "a registration without an e-mail address")
            return None
        from pydantic import ValidationError

        try:
            return str(_email_adapter().validate_python(text))
        except ValidationError as err:
            message = str(err.errors()[0].get("msg", "")).removeprefix("Value error, ")
            self.error(number, column, message or f"'{text}' is not an e-mail address")
            return None

    def key(self, cells: list[str], order: str | None, email: str, seen: dict[str, int]) -> str:
        """The registration's identity in the export, the same in every later export of it."""
        get = self.found.cell
        if self.found.tool == "pretix" and order:
            return f"{order}-{get(cells, 'position') or '1'}"
        if self.found.tool == "eventbrite" and get(cells, "attendee"):
            return get(cells, "attendee")
        if order:
            seen[order] = seen.get(order, 0) + 1
            return f"{order}-{seen[order]}"
        return email.casefold()

    def places(self, number: int, text: str) -> int:
        if not text:
            return 1
        if text.isdigit() and int(text) >= 1:
            return int(text)
        self.error(number, "quantity", f"'{text}' is not a number of places")
        return 1


@cache
def _email_adapter() -> TypeAdapter[str]:
    """The programme's own check of an e-mail address (made once)."""
    return TypeAdapter(Email)


def read_rows(
    table: Table, tool: str, columns: Mapping[str, str], zone: ZoneInfo, report: Report
) -> list[Row]:
    """The registrations of an export; problems (a row without name or address, a date that
    is none) go to `report`. A registration given twice (a form sent again by the same
    address) counts once: its first time, its last answers."""
    found = layout(table, tool, columns)
    reader = Reader(table, found, zone, report)
    merged: dict[str, Row] = {}
    for row in reader.rows():
        first = merged.get(row.key)
        merged[row.key] = row if first is None else replace(row, registered=first.registered)
    return sorted(merged.values(), key=lambda r: (r.registered, r.row))
