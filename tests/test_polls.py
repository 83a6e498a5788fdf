"""`cohort poll import`: the exports of Framadate, Rallly, Nextcloud Polls, newdle and Doodle
all become the same answers; a cell or a respondent cohort cannot place is an error at its row
and column, never a guess."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import cohort
from test_planning import PLANNED, before_the_year  # noqa: F401 (planned as of December 2025)

from cohort.planning.pollwords import parse_day, parse_time

POLLS = Path(__file__).parent / "polls"

EXPECTED = {
    "anna": {"2026-03-05 19:00": "yes", "2026-03-12 19:00": "if-need-be", "2026-03-19 19:00": "no"},
    "bert": {"2026-03-05 19:00": "no", "2026-03-12 19:00": "yes", "2026-03-19 19:00": "yes"},
    "carla": {
        "2026-03-05 19:00": "if-need-be",
        "2026-03-12 19:00": "yes",
        "2026-03-19 19:00": "no",
    },
}


def doodle(path: Path, rows: list[list[object]] | None = None) -> Path:
    """A Doodle spreadsheet export: preamble, month/day/time rows (merged cells empty), the
    answers, a Count row."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows or [
        ['Poll "Leernetwerk 2026"'],
        ["https://doodle.com/poll/abcdef"],
        [],
        ["", "March 2026", None, None],
        ["", "Thu 5", "Thu 12", "Thu 19"],
        ["", "7:00 PM – 9:00 PM", "7:00 PM – 9:00 PM", "7:00 PM – 9:00 PM"],
        ["Anna Peeters", "OK", "(OK)", None],
        ["Bert Claes", None, "OK", "OK"],
        ["Carla Smet", "(OK)", "OK", None],
        ["Count", 2, 3, 1],
    ]:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def programme(write):
    folder = write(PLANNED)
    (folder / "polls").mkdir()
    return folder


@pytest.mark.parametrize(
    "export", ["framadate.csv", "rallly.csv", "nextcloud.csv", "newdle.csv", "doodle.xlsx"]
)
def test_every_poll_format_imports_to_the_same_answers(programme, export):
    target = programme / "polls" / export
    if export == "doodle.xlsx":
        doodle(target)
    else:
        shutil.copy(POLLS / export, target)
    result = cohort("poll", "import", target)
    assert result.exit_code == 0, result.output
    tool = export.split(".")[0]
    assert f"9 answers of 3 participants on 3 options ({tool})" in result.stdout
    written = (programme / "planning" / "answers.yaml").read_text(encoding="utf-8")
    assert written.startswith("# Written by cohort poll import")
    data = yaml.safe_load(written)
    assert data["answers"] == EXPECTED
    assert data["options"] == ["2026-03-05 19:00", "2026-03-12 19:00", "2026-03-19 19:00"]
    assert data["source"] == f"polls/{export}" and data["tool"] == tool
    # the solver reads them: nobody who said no is scheduled on the 19th
    assert cohort("validate", programme).exit_code == 0


def test_an_unknown_answer_is_an_error_at_its_row_and_column(programme):
    target = programme / "polls" / "framadate.csv"
    text = (POLLS / "framadate.csv").read_bytes().replace(b"Indien nodig,Nee", b"Misschien,Nee")
    target.write_bytes(text)
    result = cohort("poll", "import", target)
    assert result.exit_code == 1
    assert f"{target}:3:3: error: 'Misschien' is not an answer framadate writes" in result.stderr
    assert not (programme / "planning" / "answers.yaml").exists()


def test_a_respondent_who_is_not_a_participant_is_named_with_the_closest(programme):
    target = programme / "polls" / "newdle.csv"
    text = (
        (POLLS / "newdle.csv").read_text(encoding="utf-8-sig").replace("Bert Claes", "Bert Klaas")
    )
    target.write_text(text, encoding="utf-8")
    result = cohort("poll", "import", target)
    assert result.exit_code == 1
    assert (
        f"{target}:3:1: error: respondent 'Bert Klaas' is not a participant of this programme "
        "(did you mean 'Bert Claes'?)"
    ) in result.stderr


def test_someone_who_answered_twice_is_an_error(programme):
    target = programme / "polls" / "rallly.csv"
    text = (POLLS / "rallly.csv").read_text(encoding="utf-8") + "\r\nanna peeters,Yes,Yes,Yes"
    target.write_text(text, encoding="utf-8")
    result = cohort("poll", "import", target)
    assert result.exit_code == 1
    assert f"{target}:5:1: error: 'anna peeters' answered twice (first on row 2)" in result.stderr


def test_doodle_empty_means_no_and_an_unknown_mark_is_an_error(programme):
    target = doodle(
        programme / "polls" / "doodle.xlsx",
        [
            ["", "March 2026"],
            ["", "Thu 5"],
            ["Anna Peeters", "?"],
            ["Count", 0],
        ],
    )
    result = cohort("poll", "import", target)
    assert f"{target}:3:2: error: '?' is not an answer doodle writes" in result.stderr


def test_an_export_nobody_wrote_is_refused_with_the_tools_named(programme):
    target = programme / "polls" / "other.csv"
    target.write_text("", encoding="utf-8")
    result = cohort("poll", "import", target)
    assert result.exit_code == 1
    assert cohort("poll", "import", target, "--tool", "dodle").exit_code == 2


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("05/03/2026", "2026-03-05"),  # fr, en-GB short
        ("3/5/26", "2026-03-05"),  # en-US short
        ("05.03.26", "2026-03-05"),  # de short
        ("jeudi 5 mars 2026", "2026-03-05"),  # Framadate's older long labels
        ("donderdag 5 maart 2026", "2026-03-05"),
        ("Thursday, March 5, 2026", "2026-03-05"),
        ("Thu 5 Mar", "2026-03-05"),  # Rallly: no year, the weekday decides
        ("do 5 mrt.", "2026-03-05"),
        ("Fri 5 Mar", "2027-03-05"),
    ],
)
def test_day_labels_in_the_languages_polls_use(label, expected):
    assert parse_day(label, dt.date(2026, 1, 5)) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [("19:00", "19:00"), ("19h30", "19:30"), ("7:00 PM – 9:00 PM", "19:00"), ("soir", None)],
)
def test_moments(moment, expected):
    found = parse_time(moment)
    assert (found.strftime("%H:%M") if found else None) == expected
