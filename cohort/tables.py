"""Tables people bring and take away: CSV and XLSX, read as people really save them, written so
that no spreadsheet runs a cell as a formula.

Reading is for every table a facilitator hands cohort (a filled-in sign-in sheet, a poll's
export, a registration form's export):

- CSV in UTF-8 with or without a byte order mark, UTF-16 (Excel's "Unicode text"), or
  Windows-1252 as the last resort; the delimiter found among `,` `;` and tab (Dutch and French
  Excel save with `;`), CRLF or LF line ends;
- XLSX through openpyxl's read-only mode, after the archive itself is checked: its size, the
  size it unpacks to and the ratio (a zip bomb is refused before it is opened), and the sheet's
  declared dimension (a sheet claiming a million rows is refused before a row is read). Rows are
  read one at a time and kept up to their last filled cell; reading stops at MAX_ROWS rows, a
  row wider than MAX_COLUMNS, MAX_CELLS cells or MAX_TEXT characters in all (one long shared
  string repeated in every cell), so memory and time stay bounded whatever the
  file claims (an archive that lies about its sizes ends in a CRC error, not in memory: Python's
  zipfile unpacks no more than an entry declares).

Every cell comes back as text, so all readers parse the same way: dates as ISO 8601
(`2026-03-05`, or `2026-03-05T19:00:00` with a time), whole numbers without `.0`.

Writing goes through one CSV writer: UTF-8 with a byte order mark (so Excel opens accents
intact) and cells that a spreadsheet would run as a formula neutralised (OWASP, "CSV
injection": a leading `'`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import CohortError, Location
from .files import read_regular

#: A table larger than this is refused: registrations of a national programme are far smaller.
MAX_BYTES = 32 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
#: Cells in all, up to the last filled cell of each row: what a table may hold in memory (some
#: tens of MB).
MAX_CELLS = 2_000_000
#: The text all cells may hold together, in characters: as much as the largest CSV (a
#: workbook's cells may all repeat one long shared string, which its size does not show).
MAX_TEXT = MAX_BYTES
#: An XLSX archive may unpack to at most this much, at most this many times its own size.
MAX_UNPACKED = 256 * 1024 * 1024
MAX_RATIO = 200
#: What a spreadsheet reads as the start of a formula (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters dropped from every cell of an export (`read_table(visible=True)`): the C0 and C1
#: controls but tab and line breaks, and the invisible ones that reorder or hide text (bidi
#: embeddings, overrides and isolates, the zero-width space, the word joiner, a byte order
#: mark). An export carries what anyone typed into a public form; the records, calendars and
#: sheets cohort makes of it cannot carry them (`programme.values.CONTROL` refuses the same
#: characters in the programme's YAML; a sign-in sheet's are refused at their cell).
INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
_DELIMITERS = ",;\t"


@dataclass(frozen=True)
class Table:
    """The rows of one table as text, with where they came from (for messages that point at a
    row and column: row 1 is the file's first row, as a spreadsheet numbers it)."""

    path: Path
    rows: list[list[str]]
    sheet: str | None = None
    #: every sheet of the workbook it was read from, in order (a CSV: none)
    sheets: tuple[str, ...] = ()

    def at(self, row: int, column: int = 0) -> Location:
        """The place of a cell: `row` and `column` count from 1 as in a spreadsheet (column 0:
        the whole row)."""
        return Location(self.path, row, column)

    @staticmethod
    def column_name(column: int) -> str:
        """A spreadsheet's name of a column counted from 1: 1 -> A, 27 -> AA."""
        name = ""
        while column > 0:
            column, rest = divmod(column - 1, 26)
            name = chr(65 + rest) + name
        return name


def read_table(
    path: Path, *, what: str = "table", sheets: Sequence[str] = (), visible: bool = False
) -> Table:
    """Read a CSV or XLSX file as rows of text (see the module's docstring).

    `what` names the table in messages ("poll export", "sign-in sheet"); of a workbook, the
    first sheet named one of `sheets` (in any case) is read, else the active one (a pretix
    workbook holds its orders, order positions and fees). Raises CohortError
    for a file that is missing, not a regular file, too large, not a table, or neither CSV nor
    XLSX. `visible` drops the characters of INVISIBLE from every cell (a poll export, which
    carries what anyone typed; a registration export replaces them by a space field by field,
    `registration_exports`); a sign-in sheet keeps them, so that
    each is refused at its cell."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
        raise CohortError(f"cohort reads a {what} from a .csv or .xlsx file", location=path)
    data = read_regular(path, MAX_BYTES, what=what)
    if suffix in (".xlsx", ".xlsm"):
        table = Table(path, *_xlsx(path, data, sheets))
    else:
        table = Table(path, _csv(path, data))
    if not visible:
        return table
    # an export of a public form: what anyone typed, without INVISIBLE
    return replace(table, rows=[[INVISIBLE.sub("", cell) for cell in row] for row in table.rows])


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise CohortError(
            "not text in UTF-8 or Windows-1252; save the table as 'CSV UTF-8'", location=path
        ) from None


def _csv(path: Path, data: bytes) -> list[list[str]]:
    text = _decode(path, data)
    if "\x00" in text:
        raise CohortError("this is not a CSV file (it holds NUL bytes)", location=path)
    sample = text[: 64 * 1024]
    stated = re.match(r"sep=(.)\r?\n", sample)  # Excel's own line naming the delimiter
    if stated is not None:
        delimiter = stated.group(1)
    else:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
        except csv.Error:
            first = "\n".join(sample.splitlines()[:5])
            delimiter = max(_DELIMITERS, key=first.count) if first else ","
    rows: list[list[str]] = []
    budget = _Budget(path)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False):
            rows.append(budget.take(row, len(rows) + 1))
    except csv.Error as err:
        raise CohortError(f"not a readable CSV file ({err})", location=path) from None
    return _trimmed(rows)


class _Budget:
    """Counts rows, cells and their text as they are read, and stops a table that holds too
    much."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cells = 0
        self.text = 0

    def take(self, row: Sequence[str], number: int) -> list[str]:
        """Row `number` up to its last filled cell; raises CohortError when the table grows
        beyond what cohort reads."""
        if number > MAX_ROWS:
            raise CohortError(
                f"more than {MAX_ROWS} rows; is this the right file?", location=self.path
            )
        if len(row) > MAX_COLUMNS:
            raise CohortError(
                f"row {number} has more than {MAX_COLUMNS} columns",
                location=Location(self.path, number, 0),
            )
        end = len(row)
        while end and not row[end - 1].strip():
            end -= 1
        self.cells += end
        if self.cells > MAX_CELLS:
            raise CohortError(
                f"more than {MAX_CELLS} cells (by row {number}); cohort reads tables up to that "
                "size: is this the right file?",
                location=self.path,
            )
        self.text += sum(len(cell) for cell in row[:end])
        if self.text > MAX_TEXT:  # one long shared string of a workbook, in many cells
            raise CohortError(
                f"its cells hold more than {MAX_TEXT // 1_000_000} million characters of text "
                f"(by row {number}); cohort reads tables up to that size: is this the right file?",
                location=self.path,
            )
        return list(row[:end])


def _check_archive(path: Path, data: bytes) -> None:
    """Refuse an XLSX that would unpack to far more than it is (a zip bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise CohortError("not an XLSX workbook (not a zip archive)", location=path) from None
    with archive:
        entries = archive.infolist()
        unpacked = sum(entry.file_size for entry in entries)
        if (
            len(entries) > 10_000
            or unpacked > MAX_UNPACKED
            or unpacked > MAX_RATIO * max(len(data), 1)
        ):
            raise CohortError(
                f"this workbook would unpack to {unpacked // (1024 * 1024)} MB from "
                f"{len(data) // 1024} KB; cohort refuses it (a damaged or hostile file?)",
                location=path,
            )


def _xlsx(
    path: Path, data: bytes, sheets: Sequence[str]
) -> tuple[list[list[str]], str | None, tuple[str, ...]]:
    _check_archive(path, data)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a file that is not a workbook
        raise CohortError(f"cannot read it as an XLSX workbook ({err})", location=path) from None
    try:
        sheet = _sheet(book, sheets)
        declared = (sheet.max_row or 0, sheet.max_column or 0)
        if declared[0] > MAX_ROWS or declared[1] > MAX_COLUMNS:
            raise CohortError(
                f"the sheet claims {declared[0]} rows and {declared[1]} columns; cohort reads "
                f"at most {MAX_ROWS} rows and {MAX_COLUMNS} columns",
                location=path,
            )
        rows: list[list[str]] = []
        budget = _Budget(path)
        for row in sheet.iter_rows(values_only=True):
            if len(row) > MAX_COLUMNS:  # refused before its cells are turned into text
                budget.take(("",) * len(row), len(rows) + 1)
            rows.append(budget.take([_text(value) for value in row], len(rows) + 1))
        return _trimmed(rows), sheet.title, tuple(s.title for s in book.worksheets)
    except CohortError:
        raise
    except Exception as err:  # a sheet that breaks while it is read (a bad CRC, bad XML, ...)
        raise CohortError(f"cannot read it as an XLSX workbook ({err})", location=path) from None
    finally:
        book.close()


def _sheet(book: Any, names: Sequence[str]) -> Any:
    """The sheet of a workbook to read: the first named one of `names`, else the active one."""
    wanted = [name.casefold() for name in names]
    for sheet in book.worksheets:
        if sheet.title.casefold() in wanted:
            return sheet
    return book.active if book.active is not None else book.worksheets[0]


def _text(value: object) -> str:
    """A cell's value as the text a person sees in it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    """Rows (each already without the empty cells a spreadsheet leaves at its end) without the
    empty rows at the end."""
    while rows and not rows[-1]:
        rows.pop()
    return rows


def neutralise(cell: str) -> str:
    """A cell that no spreadsheet will run as a formula (OWASP's advice: a leading quote)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def unneutralise(cell: str) -> str:
    """Undo `neutralise` on a cell read back from a sheet cohort wrote."""
    if cell.startswith("'") and cell[1:2] and cell[1:2] in "=+-@":
        return cell[1:]
    return cell


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as CSV for a spreadsheet: UTF-8 with a byte order mark, CRLF line ends (RFC 4180),
    every cell neutralised. `None` is written as an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise("" if cell is None else str(cell)) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
