"""A filled-in sign-in sheet, read as people really fill it in.

`cohort attendance sheet` writes the sheet as CSV and XLSX (see `documents.printing`) in this
layout, which is what this module reads back:

    Bijeenkomst | eerste | Eerste bijeenkomst | 2030-02-05       <- the meeting the sheet is for
    id | Naam | Organisatie | Rol | Aanwezig | Verontschuldigd | Opmerking
    anna | Anna Peeters | Leerhuis | deelnemer | x |  |
    ...  (empty rows for walk-ins, who write their name and organisation)

The table itself is read by `tables.read_table` (Dutch and French Excel's `;`, CRLF, a byte
order mark, Windows-1252; XLSX with bounded memory). The column titles are recognised in every
language cohort writes sheets in, so are the marks people write in the Present and Excused
cells: a closed vocabulary per language of words that mean yes and words that mean no (an empty
cell is no). Anything else ("misschien", "?") is an error at its row and column, because reading
a guess into a record would be worse than asking. A sheet made for another meeting is refused.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from pydantic import ValidationError

from ..errors import CohortError, Diagnostic, Location, did_you_mean
from ..i18n import Texts
from ..languages import LANGUAGES
from ..programme.model import Meeting, Programme
from ..tables import Table, read_table, unneutralise
from .attendance import Marks, Visitor, plain

#: What a Present or Excused cell may say, per language (compared without case and accents):
#: words for yes in either column, words for yes in one column only, words for no. Symbols and
#: numbers mean the same in every language; Excel writes TRUE and FALSE for its checkboxes.
YES = {
    "": ("x", "v", "1", "+", "✓", "✔", "☑", "☒", "ok"),
    "nl": ("ja", "j", "waar"),
    "en": ("yes", "y", "true"),
    "fr": ("oui", "o", "vrai"),
}
PRESENT = {"nl": ("aanwezig",), "en": ("present",), "fr": ("present", "presente")}
EXCUSED = {
    "nl": ("verontschuldigd", "verontschuldiging"),
    "en": ("excused",),
    "fr": ("excuse", "excusee"),
}
NO = {
    "": ("0", "-", "–", "✗", "✘", "☐"),
    "nl": ("nee", "neen", "n", "niet", "afwezig", "onwaar"),
    "en": ("no", "n", "not", "absent", "false"),
    "fr": ("non", "n", "pas", "absent", "absente", "faux"),
}


def _words(table: dict[str, tuple[str, ...]]) -> frozenset[str]:
    return frozenset(plain(word) for words in table.values() for word in words)


_YES = {"present": _words(YES) | _words(PRESENT), "excused": _words(YES) | _words(EXCUSED)}
_NO = _words(NO)


def vocabulary(column: str) -> str:
    """The words a column takes, for a message: 'x, ja, yes, ... for yes; nee, no, ... or
    empty for no'."""
    own = PRESENT if column == "present" else EXCUSED
    yes = dict.fromkeys(w for table in (YES, own) for ws in table.values() for w in ws)
    no = dict.fromkeys(w for ws in NO.values() for w in ws)
    return f"{', '.join(yes)} for yes; {', '.join(no)} or leave it empty for no"


def _texts() -> list[Texts]:
    return [Texts(language) for language in LANGUAGES]


def meeting_row(texts: Texts, meeting: Meeting) -> list[str]:
    """The first row of a sheet: which meeting it is for (its id is what `record` checks)."""
    return [texts.gettext("Meeting"), meeting.id, meeting.title, meeting.date.isoformat()]


def _headers() -> dict[str, str]:
    """Column titles in every language cohort writes sheets in -> what the column holds."""
    names = {"id": "id"}
    for texts in _texts():
        for word, column in (
            ("Name", "name"),
            ("Organisation", "organisation"),
            ("Present", "present"),
            ("Excused", "excused"),
        ):
            names[plain(texts.gettext(word))] = column
    return names


#: How far down a sheet its column titles may stand (below a title or the meeting's row).
_HEADER_ROWS = 10


def _layout(table: Table) -> tuple[int, dict[str, int]]:
    """The index of the row of column titles, and each known column's index."""
    known = _headers()
    for index, row in enumerate(table.rows[:_HEADER_ROWS]):
        columns: dict[str, int] = {}
        for i, title in enumerate(row):
            columns.setdefault(known.get(plain(title), ""), i)
        columns.pop("", None)
        if "present" in columns:
            return index, columns
    raise CohortError(
        "no column for who was present (such as 'Aanwezig', 'Present' or 'Présent'); is this "
        "a sign-in sheet from 'cohort attendance sheet'?",
        location=table.at(1),
    )


def _sheet_meeting(table: Table, header: int) -> tuple[str, Location] | None:
    """The meeting a sheet says it is for (its id, and where), from a row above the titles."""
    words = {plain(texts.gettext("Meeting")) for texts in _texts()}
    for number, row in enumerate(table.rows[:header], start=1):
        if len(row) > 1 and plain(row[0]) in words and row[1].strip():
            return unneutralise(row[1].strip()), table.at(number, 2)
    return None


def from_sheet(path: Path, programme: Programme, meeting: Meeting) -> Marks:
    """Read a filled-in sign-in sheet of `meeting` (CSV or XLSX, as `attendance sheet` wrote
    it, with the facilitator's marks). Rows are matched by id, or by name for people who wrote
    themselves on an empty row (visitors). Raises CohortError with every problem at its row and
    column: a mark that is not in the vocabulary, a name or id that matches no one (with the
    closest), someone marked twice, a sheet of another meeting; nothing is dropped."""
    table = read_table(path, what="sign-in sheet")
    if not table.rows:
        raise CohortError("the sheet is empty", location=path)
    header, columns = _layout(table)
    if "id" not in columns and "name" not in columns:
        raise CohortError(
            "no 'id' or name column to tell who is who", location=table.at(header + 1)
        )
    marks = Marks()
    said = _sheet_meeting(table, header)
    if said is None:
        marks.warnings.append(
            Diagnostic(
                table.at(1),
                "warning",
                f"the sheet does not say which meeting it is for; it is recorded as the "
                f"sheet of '{meeting.id}'",
                "a sheet from 'cohort attendance sheet' names its meeting in its first row",
                code="wrong-meeting",
            )
        )
    elif said[0] != meeting.id:
        raise CohortError(
            f"this is the sign-in sheet of '{said[0]}', not of '{meeting.id}'; nothing was "
            f"recorded (record it with --meeting {said[0]})",
            location=said[1],
            code="wrong-meeting",
        )
    reader = _Rows(table, columns, programme, meeting)
    for number, row in enumerate(table.rows[header + 1 :], start=header + 2):
        reader.read(number, row, marks)
    if reader.problems:
        raise CohortError(diagnostics=reader.problems)
    return marks


class _Rows:
    """Reads the rows of one sheet into marks, collecting every problem."""

    def __init__(
        self, table: Table, columns: dict[str, int], programme: Programme, meeting: Meeting
    ) -> None:
        self.table = table
        self.columns = columns
        self.programme = programme
        self.by_name = {plain(p.name): p for p in programme.invitees(meeting)}
        self.problems: list[Diagnostic] = []

    def cell(self, row: list[str], column: str) -> str:
        index = self.columns.get(column)
        return unneutralise(row[index].strip()) if index is not None and index < len(row) else ""

    def at(self, number: int, column: str) -> Location:
        return self.table.at(number, self.columns.get(column, -1) + 1)

    def error(self, where: Location, message: str, hint: str = "", *, code: str) -> None:
        self.problems.append(Diagnostic(where, "error", message, hint, code=code))

    def mark(self, number: int, row: list[str], column: str) -> bool | None:
        """Whether a Present or Excused cell is marked; None (and an error) when it says
        something that is not in the vocabulary."""
        value = self.cell(row, column)
        word = plain(value)
        if not word or word in _NO:
            return False
        if word in _YES[column]:
            return True
        self.error(
            self.at(number, column),
            f"'{value}' is not a mark cohort reads",
            f"write {vocabulary(column)}",
            code="not-a-mark",
        )
        return None

    def read(self, number: int, row: list[str], marks: Marks) -> None:
        pid, name = self.cell(row, "id"), self.cell(row, "name")
        present = self.mark(number, row, "present")
        excused = self.mark(number, row, "excused") if "excused" in self.columns else False
        if present is None or excused is None or (not pid and not name):
            return
        if present and excused:
            self.error(
                self.at(number, "present"),
                "marked both present and excused",
                "keep one of the two marks",
                code="marked-twice",
            )
            return
        if not pid:
            found = self.match(number, row, name, marks, excused)
            if found is None:
                return
            pid = found
        elif pid not in self.programme.participants:
            self.error(
                self.at(number, "id"),
                f"unknown participant id '{pid}'",
                did_you_mean(pid, self.programme.participants),
                code="unknown-id",
            )
            return
        if present:
            marks.attended.append(pid)
        elif excused:
            marks.excused.append(pid)

    def match(
        self, number: int, row: list[str], name: str, marks: Marks, excused: bool
    ) -> str | None:
        """The id of someone who wrote their name on an empty row; a visitor is added to
        `marks` and None returned."""
        match = self.by_name.get(plain(name))
        if match is not None:
            return match.id
        close = difflib.get_close_matches(plain(name), list(self.by_name), n=1, cutoff=0.8)
        if close:
            person = self.by_name[close[0]]
            self.error(
                self.at(number, "name"),
                f"'{name}' is not on the list",
                f"did you mean '{person.name}' ({person.id})? put the id in the id column, or "
                "correct the name",
                code="unknown-name",
            )
        elif not excused:  # someone who was not invited wrote their name: a visitor
            try:
                marks.visitors.append(
                    Visitor(name=name, organisation=self.cell(row, "organisation") or None)
                )
            except ValidationError as err:
                problem = err.errors(include_url=False)[0]
                column = "organisation" if problem["loc"][:1] == ("organisation",) else "name"
                reason = str(problem["msg"]).removeprefix("Value error, ")
                code = "control-character" if "control character" in reason else "invalid-value"
                self.error(self.at(number, column), reason, code=code)
        return None
