"""`cohort attendance record`: after the meeting, who came is recorded, and nothing is lost."""

from __future__ import annotations

import csv
import hashlib
import io

import yaml
from conftest import SMALL, at, cohort
from openpyxl import load_workbook

TODAY = ("--today", "2030-03-10")


def record(folder, *args):
    return cohort("attendance", "record", folder, "--meeting", "eerste", *args, *TODAY)


def recorded(folder, meeting="eerste"):
    return yaml.safe_load((folder / "attendance" / f"{meeting}.yaml").read_text())


def fingerprints(folder):
    return {
        p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and "attendance" not in p.parts
    }


def with_people(n: int = 4) -> str:
    people = "".join(
        f"  p{i}:\n    name: Persoon {i}\n    email: p{i}@example.org\n    organisation: leerhuis\n"
        for i in range(n)
    )
    return SMALL.replace("participants:\n", "participants:\n" + people)


def test_record_who_came_and_the_programme_files_stay_byte_identical(write):
    folder = write()
    before = fingerprints(folder)
    result = record(
        folder,
        "--present",
        "anna",
        "--excused",
        "bert",
        "--visitor",
        "Dirk de Vries, Gemeente Gent",
    )
    assert result.exit_code == 0, result
    assert "1 attended, 1 excused, 0 absent, 1 visitor(s)" in result.stdout
    assert recorded(folder) == {
        "meeting": "eerste",
        "attended": ["anna"],
        "excused": ["bert"],
        "absent": [],
        "visitors": [{"name": "Dirk de Vries", "organisation": "Gemeente Gent"}],
    }
    assert fingerprints(folder) == before
    assert cohort("validate", folder, *TODAY).exit_code == 0


def test_recording_the_same_thing_twice_changes_nothing(write):
    folder = write()
    record(folder, "--present", "anna,bert")
    path = folder / "attendance" / "eerste.yaml"
    first = path.read_bytes()
    again = record(folder, "--present", "bert", "--present", "anna")
    assert again.exit_code == 0
    assert "nothing changed for 'eerste'" in again.stdout
    assert path.read_bytes() == first


def test_contradicting_an_earlier_record_needs_force(write):
    folder = write()
    record(folder, "--present", "anna")
    refused = record(folder, "--excused", "anna")
    assert refused.exit_code == 1
    assert "'anna' was recorded as attended; add --force to record them as excused" in (
        refused.stderr
    )
    assert recorded(folder)["attended"] == ["anna"]
    forced = record(folder, "--excused", "anna", "--force")
    assert forced.exit_code == 0
    assert (recorded(folder)["attended"], recorded(folder)["excused"]) == ([], ["anna"])


def test_an_unknown_id_names_the_closest(write):
    result = record(write(), "--present", "ana")
    assert result.exit_code == 1
    assert "unknown participant 'ana' (did you mean 'anna'?)" in result.stderr
    assert "nothing was recorded" in result.stderr or "unknown participant" in result.stderr


def test_several_problems_are_said_one_a_line(write):
    """Not 'nothing was recorded:\\n  ...' printed with a literal backslash-n."""
    folder = write()
    record(folder, "--present", "anna")
    result = record(folder, "--excused", "anna", "--absent", "anna", "--present", "ana")
    assert result.exit_code == 1
    assert "\\n" not in result.stderr
    path = folder / "attendance" / "eerste.yaml"
    lines = result.stderr.splitlines()
    assert f"{path}: error: unknown participant 'ana' (did you mean 'anna'?)" in lines
    assert f"{path}: error: 'anna' is given as both excused and absent" in lines
    assert (
        f"{path}: error: 'anna' was recorded as attended; add --force to record them as absent"
    ) in lines
    assert lines[-1] == "error: nothing was recorded (4 problems)"
    assert recorded(folder)["attended"] == ["anna"]


def test_a_hand_written_file_is_never_rewritten(write):
    hand = "meeting: eerste\nattended: [anna]\n"
    folder = write(SMALL, **{"attendance/eerste.yaml": hand})
    result = record(folder, "--present", "bert")
    assert result.exit_code == 1
    assert "was written by hand; cohort does not rewrite it" in result.stderr
    assert (folder / "attendance" / "eerste.yaml").read_text() == hand


def test_validate_checks_attendance_files(write):
    hand = (
        "meeting: eerste\nattended: [anna, brt]\nexcused: [anna]\n"
        "visitors:\n  - organisation: Zonder naam\n"
    )
    folder = write(
        SMALL, **{"attendance/eerste.yaml": hand, "attendance/derde.yaml": "meeting: derde\n"}
    )
    result = cohort("validate", folder, "--format", "json", *TODAY)
    import json

    found = [
        (d["file"].rsplit("/", 1)[-1], d["line"], d["column"], d["message"])
        for d in json.loads(result.stdout)["diagnostics"]
    ]
    assert result.exit_code == 1
    assert [f for f in found if f[0] != "programme.yaml"] == [
        ("derde.yaml", 1, 10, "unknown meeting 'derde'"),
        ("eerste.yaml", 5, 5, "'name' is missing"),
    ]


def test_validate_finds_ids_in_a_valid_attendance_file(write):
    hand = "meeting: eerste\nattended: [anna, brt]\nexcused: [anna]\n"
    folder = write(SMALL, **{"attendance/eerste.yaml": hand})
    result = cohort("validate", folder, *TODAY)
    path = str(folder / "attendance" / "eerste.yaml")
    assert result.exit_code == 1
    assert (
        f"{at(hand, 'brt', file=path)}: error: unknown participant 'brt' (did you mean "
        "'bert'?)" in result.stderr
    )
    assert (
        f"{at(hand, 'anna]', file=path)}: error: 'anna' is recorded as both attended and "
        "excused" in result.stderr
    )


def test_attendance_for_a_meeting_still_to_come_is_suspicious(write):
    folder = write()
    record(folder, "--present", "anna")
    later = cohort("validate", folder, "--today", "2030-01-01")
    assert "attendance is recorded for 'eerste', which is still to come (2030-02-05)" in (
        later.stderr
    )


def fill_csv(path, marks):
    """The facilitator marks the sheet: marks = {row id or name: (present, excused)}."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    blank = iter(i for i, row in enumerate(rows) if i and not row[0])
    for key, (present, excused) in marks.items():
        index = next((i for i, row in enumerate(rows) if row[0] == key), None)
        if index is None:  # a walk-in writes their name on an empty row
            index = next(blank)
            rows[index][1], rows[index][2] = key.split(" / ")
        rows[index][4], rows[index][5] = present, excused
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_a_filled_in_csv_sheet_is_imported(write, tmp_path):
    folder = write(with_people())
    out = tmp_path / "sheet"
    cohort("attendance", "sheet", folder, "--meeting", "eerste", "-o", out)
    sheet = out / "eerste-sheet.csv"
    fill_csv(
        sheet,
        {
            "anna": ("x", ""),
            "p1": ("ja", ""),
            "p2": ("", "x"),
            "Walter Wandel / Buurthuis": ("x", ""),
        },
    )
    result = record(folder, "--from", sheet)
    assert result.exit_code == 0, result
    assert recorded(folder) == {
        "meeting": "eerste",
        "attended": ["anna", "p1"],
        "excused": ["p2"],
        "absent": [],
        "visitors": [{"name": "Walter Wandel", "organisation": "Buurthuis"}],
    }
    assert "3 invitee(s) not recorded" in result.stdout


def test_a_filled_in_xlsx_sheet_is_imported(write, tmp_path):
    folder = write(with_people())
    out = tmp_path / "sheet"
    cohort("attendance", "sheet", folder, "--meeting", "eerste", "-o", out)
    workbook = load_workbook(out / "eerste-sheet.xlsx")
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in ("bert", "p3"):
            row[4].value = "✓"
    workbook.save(out / "filled.xlsx")
    result = record(folder, "--from", out / "filled.xlsx")
    assert result.exit_code == 0, result
    assert recorded(folder)["attended"] == ["bert", "p3"]


def test_names_that_do_not_match_are_reported_with_a_suggestion(write, tmp_path):
    folder = write(with_people())
    out = tmp_path / "sheet"
    cohort("attendance", "sheet", folder, "--meeting", "eerste", "-o", out)
    sheet = out / "eerste-sheet.csv"
    fill_csv(sheet, {"anna": ("x", ""), "Ana Peters / Leerhuis": ("x", "")})
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("\np0,", "\np9,"), encoding="utf-8")
    result = record(folder, "--from", sheet)
    assert result.exit_code == 1
    lines = text.splitlines()
    p0 = next(i for i, line in enumerate(lines, start=1) if line.startswith("p0,"))
    walk_in = next(i for i, line in enumerate(lines, start=1) if line.startswith(",Ana Peters"))
    assert f"{sheet}:{p0}:1: error: unknown participant id 'p9'" in result.stderr
    assert (
        f"{sheet}:{walk_in}:2: error: 'Ana Peters' is not on the list (did you mean "
        "'Anna Peeters' (anna)?"
    ) in result.stderr
    assert not (folder / "attendance").exists()  # nothing recorded, nothing dropped


def test_a_file_that_is_not_a_sheet(write, tmp_path):
    other = tmp_path / "notes.csv"
    other.write_text("what,when\nkoffie,10:00\n")
    result = record(write(), "--from", other)
    assert result.exit_code == 1
    assert "no column for who was present" in result.stderr


def test_from_and_flags_together_is_a_usage_error(write, tmp_path):
    assert record(write(), "--from", tmp_path / "x.csv", "--present", "anna").exit_code == 2
    assert record(write()).exit_code == 2


def test_the_report_position_helper_is_exact(write):
    # the attendance diagnostics above use the same line:col as programme diagnostics
    hand = "meeting: eerste\nattended: [zz]\n"
    folder = write(SMALL, **{"attendance/eerste.yaml": hand})
    result = cohort("validate", folder, *TODAY)
    assert f"{at(hand, 'zz', file=str(folder / 'attendance' / 'eerste.yaml'))}: error:" in (
        result.stderr
    )
