"""A filled-in sheet is read as people actually fill it in (issue 11, section 5).

The sign-in sheet comes back from the door saved by Dutch or French Excel, with whatever people
wrote in the Present column, sometimes for another meeting, sometimes as a hostile workbook.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import tracemalloc
import zipfile

import pytest
import yaml
from conftest import SMALL, cohort
from openpyxl import Workbook

from cohort.errors import CohortError
from cohort.tables import read_table

TODAY = ("--today", "2030-03-10")


def sheet_rows(folder, tmp_path, meeting="eerste"):
    """The sheet cohort writes for `meeting`, as rows of text."""
    out = tmp_path / f"sheet-{meeting}"
    result = cohort("attendance", "sheet", folder, "--meeting", meeting, "-o", out, *TODAY)
    assert result.exit_code == 0, result
    data = (out / f"{meeting}-sheet.csv").read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data, newline="")))


def mark(rows, marks):
    """The facilitator's marks: {participant id: text in the Present column}."""
    header = next(i for i, row in enumerate(rows) if row[0] == "id")
    present = rows[header].index(next(t for t in rows[header] if t in ("Aanwezig", "Présent")))
    for row in rows[header + 1 :]:
        if row[0] in marks:
            row[present] = marks[row[0]]
    return rows


def as_excel(path, rows, *, encoding="utf-8-sig"):
    """Save rows as Dutch or French Excel does ("CSV UTF-8" or the older "CSV (gescheiden door
    lijstscheidingsteken)"): `;` between cells, CRLF, every row as wide as the widest, quotes
    only where needed, and the ISO date turned into the local form."""
    width = max(len(row) for row in rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        cells = [re.sub(r"^(\d{4})-0?(\d+)-0?(\d+)$", r"\3-\2-\1", c) for c in row]
        writer.writerow(cells + [""] * (width - len(row)))
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def record(folder, *args, meeting="eerste"):
    return cohort("attendance", "record", folder, "--meeting", meeting, *args, *TODAY)


def recorded(folder, meeting="eerste"):
    return yaml.safe_load((folder / "attendance" / f"{meeting}.yaml").read_text())


FRENCH = SMALL.replace("language: nl", "language: fr").replace(
    "name: Anna Peeters", "name: Anna Pétillon"
)


@pytest.mark.parametrize(
    ("programme", "encoding", "yes", "no"),
    [
        (SMALL, "utf-8-sig", "x", "afwezig"),  # Dutch Excel, "CSV UTF-8"
        (SMALL, "cp1252", "ja", "nee"),  # Dutch Excel, the older "CSV (lijstscheidingsteken)"
        (FRENCH, "utf-8-sig", "oui", "non"),
        (FRENCH, "cp1252", "présent", "absent"),
    ],
)
def test_a_sheet_saved_by_dutch_or_french_excel_is_read(
    write, tmp_path, programme, encoding, yes, no
):
    folder = write(programme)
    rows = mark(sheet_rows(folder, tmp_path), {"anna": yes, "bert": no})
    sheet = as_excel(tmp_path / "from-excel.csv", rows, encoding=encoding)
    raw = sheet.read_bytes()
    assert b";" in raw and b"\r\n" in raw
    result = record(folder, "--from", sheet)
    assert result.exit_code == 0, result
    assert recorded(folder)["attended"] == ["anna"]
    assert recorded(folder)["excused"] == []


@pytest.mark.parametrize("word", ["absent", "afwezig", "non", "nee", "no", "0", "-", "", "FALSE"])
def test_a_no_in_the_present_column_is_not_attended(write, tmp_path, word):
    folder = write()
    sheet = as_excel(
        tmp_path / "s.csv", mark(sheet_rows(folder, tmp_path), {"anna": "x", "bert": word})
    )
    result = record(folder, "--from", sheet)
    assert result.exit_code == 0, result
    assert recorded(folder)["attended"] == ["anna"]


@pytest.mark.parametrize(
    "word", ["x", "X", "ja", "Ja", "oui", "yes", "✓", "✔", "1", "TRUE", "aanwezig", "Présent"]
)
def test_a_yes_in_the_present_column_is_attended(write, tmp_path, word):
    folder = write()
    sheet = as_excel(tmp_path / "s.csv", mark(sheet_rows(folder, tmp_path), {"bert": word}))
    result = record(folder, "--from", sheet)
    assert result.exit_code == 0, result
    assert recorded(folder)["attended"] == ["bert"]


def test_anything_else_is_an_error_at_its_row_and_column(write, tmp_path):
    folder = write()
    rows = mark(sheet_rows(folder, tmp_path), {"anna": "misschien", "bert": "?"})
    sheet = as_excel(tmp_path / "s.csv", rows)
    result = record(folder, "--from", sheet)
    assert result.exit_code == 1
    anna = next(n for n, row in enumerate(rows, start=1) if row[0] == "anna")
    bert = next(n for n, row in enumerate(rows, start=1) if row[0] == "bert")
    assert f"{sheet}:{anna}:5: error: 'misschien' is not a mark cohort reads (write x," in (
        result.stderr
    )
    assert f"{sheet}:{bert}:5: error: '?' is not a mark cohort reads" in result.stderr
    assert "afwezig" in result.stderr  # the words it does read
    assert not (folder / "attendance").exists()


def test_the_excused_column_has_its_own_words(write, tmp_path):
    folder = write()
    rows = sheet_rows(folder, tmp_path)
    header = next(i for i, row in enumerate(rows) if row[0] == "id")
    excused = rows[header].index("Verontschuldigd")
    for row in rows[header + 1 :]:
        if row[0] == "bert":
            row[excused] = "verontschuldigd"
    result = record(folder, "--from", as_excel(tmp_path / "s.csv", rows))
    assert result.exit_code == 0, result
    assert recorded(folder)["excused"] == ["bert"]


def test_the_sheet_of_another_meeting_is_not_recorded(write, tmp_path):
    folder = write()
    rows = mark(sheet_rows(folder, tmp_path, "tweede"), {"anna": "x"})
    sheet = as_excel(tmp_path / "tweede.csv", rows)
    result = record(folder, "--from", sheet, meeting="eerste")
    assert result.exit_code == 1
    assert (
        f"{sheet}:1:2: error: this is the sign-in sheet of 'tweede', not of 'eerste'; nothing "
        "was recorded (record it with --meeting tweede)"
    ) in result.stderr
    assert not (folder / "attendance").exists()
    assert record(folder, "--from", sheet, meeting="tweede").exit_code == 0


def test_the_xlsx_sheet_carries_its_meeting_too(write, tmp_path):
    from openpyxl import load_workbook

    folder = write()
    out = tmp_path / "x"
    cohort("attendance", "sheet", folder, "--meeting", "tweede", "-o", out, *TODAY)
    workbook = load_workbook(out / "tweede-sheet.xlsx")
    workbook.active["E3"] = "x"
    workbook.save(tmp_path / "tweede.xlsx")
    result = record(folder, "--from", tmp_path / "tweede.xlsx", meeting="eerste")
    assert result.exit_code == 1
    assert "this is the sign-in sheet of 'tweede', not of 'eerste'" in result.stderr


def test_a_sheet_that_does_not_say_its_meeting_is_read_with_a_warning(write, tmp_path):
    folder = write()
    sheet = tmp_path / "own.csv"
    sheet.write_text("id;Naam;Aanwezig\r\nanna;Anna Peeters;x\r\n", encoding="utf-8-sig")
    result = record(folder, "--from", sheet)
    assert result.exit_code == 0, result
    assert "warning: the sheet does not say which meeting it is for" in result.stderr
    assert recorded(folder)["attended"] == ["anna"]


def test_recording_a_meeting_still_to_come_warns(write, tmp_path):
    folder = write()
    result = cohort(
        "attendance", "record", folder, "--meeting", "tweede", "--present", "anna", *TODAY
    )
    assert result.exit_code == 0, result
    assert (
        "warning: attendance is recorded for 'tweede', which is still to come (2030-03-05; "
        "today is 2030-03-10)" not in result.stderr
    )
    later = cohort(
        "attendance",
        "record",
        folder,
        "--meeting",
        "tweede",
        "--present",
        "bert",
        "--today",
        "2030-02-10",
    )
    assert later.exit_code == 0, later
    assert (
        "warning: attendance is recorded for 'tweede', which is still to come (2030-03-05; "
        "today is 2030-02-10) (is this the sheet of another meeting?)"
    ) in later.stderr


# -- hostile workbooks: refused clearly, with bounded memory ----------------------------------


def workbook(sheet_xml: bytes | None = None) -> bytes:
    """A valid XLSX from openpyxl, with its sheet replaced by `sheet_xml`."""
    book = Workbook()
    book.active["A1"] = "id"
    buffer = io.BytesIO()
    book.save(buffer)
    if sheet_xml is None:
        return buffer.getvalue()
    source = zipfile.ZipFile(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            target.writestr(info.filename, data)
    return out.getvalue()


SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"%s<sheetData>%s</sheetData></worksheet>"
)


def bomb() -> bytes:
    """60 MB of rows that deflate to a few hundred KB."""
    rows = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' * 1_000_000
    return workbook(SHEET % (b"", rows))


def million_rows() -> bytes:
    return workbook(SHEET % (b'<dimension ref="A1:G1000000"/>', b""))


def far_rows() -> bytes:
    """No dimension, and one row far down: every row above it is read as empty."""
    return workbook(SHEET % (b"", b'<row r="900000"><c r="A900000"><v>1</v></c></row>'))


def wide_row() -> bytes:
    return workbook(SHEET % (b"", b'<row r="1"><c r="XFD1"><v>1</v></c></row>'))


def lying_sizes() -> bytes:
    """An archive that says its sheet unpacks to 200 bytes, while it unpacks to 20 MB."""
    rows = b'<row r="1"><c r="A1"><v>1</v></c></row>' * 500_000
    data = bytearray(workbook(SHEET % (b"", rows)))
    name = b"xl/worksheets/sheet1.xml"
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[start + offset : start + offset + 4] = struct.pack("<I", 200)
            start += 4
    return bytes(data)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (bomb, "this workbook would unpack to"),
        (million_rows, "the sheet claims 1000000 rows"),
        (far_rows, "more than 200000 rows"),
        (wide_row, "more than 1000 columns"),
        (lying_sizes, "cannot read it as an XLSX workbook"),
    ],
    ids=["zip bomb", "a million rows claimed", "rows far down", "a wide row", "lying sizes"],
)
def test_a_hostile_workbook_is_refused_clearly_with_bounded_memory(write, tmp_path, build, message):
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(build())
    tracemalloc.start()
    try:
        with pytest.raises(CohortError) as refused:
            read_table(path, what="sign-in sheet")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message in str(refused.value), refused.value
    assert peak < 64 * 1024 * 1024, f"{peak // (1024 * 1024)} MB"
    result = record(write(), "--from", path)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "internal error" not in result.stderr
