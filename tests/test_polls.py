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


@pytest.mark.parametrize(
    ("export", "tool"),
    [("nextcloud9.csv", "nextcloud"), ("rallly-fr.csv", "rallly"), ("rallly-de.csv", "rallly")],
)
def test_the_newer_exports_and_other_languages_import_to_the_same_answers(programme, export, tool):
    target = programme / "polls" / export
    shutil.copy(POLLS / export, target)
    result = cohort("poll", "import", target)
    assert result.exit_code == 0, result.output
    assert f"9 answers of 3 participants on 3 options ({tool})" in result.stdout
    data = yaml.safe_load((programme / "planning" / "answers.yaml").read_text(encoding="utf-8"))
    assert data["answers"] == EXPECTED


def test_framadate_moments_in_words_are_parts_of_the_day(programme):
    target = programme / "polls" / "framadate-moments.csv"
    shutil.copy(POLLS / "framadate-moments.csv", target)
    result = cohort("poll", "import", target)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((programme / "planning" / "answers.yaml").read_text(encoding="utf-8"))
    assert data["options"] == ["2026-03-05 morning", "2026-03-05 afternoon", "2026-03-12 19:00"]
    assert data["answers"]["anna"] == {
        "2026-03-05 morning": "yes",
        "2026-03-05 afternoon": "no",
        "2026-03-12 19:00": "if-need-be",
    }
    # a meeting at 13:30 takes the afternoon's answers, one at 9:00 the morning's
    from cohort.records.answers import Answers

    answers = Answers.model_validate(data)
    assert answers.answer("anna", dt.date(2026, 3, 5), dt.time(13, 30)) == "no"
    assert answers.answer("anna", dt.date(2026, 3, 5), dt.time(9)) == "yes"


def test_two_moments_in_words_that_name_no_part_of_the_day_are_an_error_in_numbers(programme):
    target = programme / "polls" / "framadate.csv"
    text = (POLLS / "framadate-moments.csv").read_text(encoding="utf-8-sig")
    target.write_text(text.replace("Matin,Après-midi", "Lunch,Diner"), encoding="utf-8-sig")
    result = cohort("poll", "import", target)
    assert result.exit_code == 1
    assert f"{target}:2:3: error: the moments 'Lunch' (column 2) and 'Diner' of 2026-03-05" in (
        result.stderr
    )
    twice = programme / "polls" / "twice.csv"
    shutil.copy(POLLS / "newdle.csv", twice)
    twice.write_text(
        twice.read_text(encoding="utf-8-sig").replace("2026-03-19T19:00", "2026-03-05T19:00"),
        encoding="utf-8",
    )
    result = cohort("poll", "import", twice)
    assert f"{twice}:1:4: error: this option (2026-03-05, 19:00) is also in column 2" in (
        result.stderr
    )


def test_answers_about_another_time_count_for_the_meeting_on_that_day(programme):
    from test_planning import answers_file, with_answers

    text = (programme / "programme.yaml").read_text(encoding="utf-8")
    text = text.replace('start: "19:00"\n  end: "21:00"', 'start: "13:30"\n  end: "16:00"')
    (programme / "programme.yaml").write_text(text, encoding="utf-8")
    first = dt.date(2026, 1, 5)
    days = [first + dt.timedelta(days=n) for n in range(177)]
    days = [d for d in days if d.weekday() in (1, 3)]
    # the poll asked about the evenings; nobody can come before April
    answers = {
        pid: {f"{d} 19:00": ("no" if d < dt.date(2026, 4, 1) else "yes") for d in days}
        for pid in ("anna", "bert", "carla")
    }
    with_answers(programme, answers_file(answers))
    text = text.replace("spacing: {min: 14, max: 42}", "spacing: {min: 7, max: 42}")
    (programme / "programme.yaml").write_text(text, encoding="utf-8")
    result = cohort("schedule", programme, "--solve", "--format", "json")
    assert result.exit_code == 0, result.output
    import json

    chosen = json.loads(result.stdout)["solution"]["meetings"]
    assert all(m["date"] >= "2026-04-01" for m in chosen.values()), chosen
    assert all(m["cannot_come"] == [] for m in chosen.values())
    assert "warning: the poll asked about 19:00, but meetings start at 13:30" in result.stderr


def test_a_poll_about_other_days_says_its_answers_count_for_nothing(programme):
    from test_planning import answers_file, with_answers

    with_answers(programme, answers_file({"anna": {"2027-03-04": "no", "2027-03-11": "yes"}}))
    result = cohort("schedule", programme, "--solve")
    assert result.exit_code == 0, result.output
    assert (
        "warning: none of the poll's 2 days is a day open meetings may take "
        "(2027-03-04 to 2027-03-11): its answers count for nothing"
    ) in result.stderr


def _workbook(path: Path, shared: str, cells: int) -> Path:
    """A minimal XLSX whose sheet repeats one shared string in `cells` rows (as a spreadsheet
    writes it: the text once, each cell an index into it)."""
    import zipfile
    from xml.sax.saxutils import escape

    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(1, cells + 1)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{package}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kind}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}.sharedStrings+xml"/>'
        "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{package}/relationships"><Relationship Id="r1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="Poll" sheetId="1" r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package}/relationships">'
        f'<Relationship Id="r1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="r2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{rows}</sheetData>'
        "</worksheet>",
        "xl/sharedStrings.xml": f'<sst xmlns="{main}" count="{cells}" uniqueCount="1">'
        f"<si><t>{escape(shared)}</t></si></sst>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def test_a_workbook_repeating_one_long_text_is_refused_before_it_is_read_through(programme):
    import random

    letters = random.Random(9).choices("abcdefghijklmnopqrstuvwxyz ", k=1_000_000)
    target = _workbook(programme / "polls" / "doodle.xlsx", "".join(letters), 40)
    assert target.stat().st_size < 1_000_000  # the archive check lets it through
    result = cohort("poll", "import", target)
    assert result.exit_code == 1
    assert "its cells hold more than 33 million characters of text (by row 34)" in result.stderr
    assert len(result.output) < 2_000


def test_many_problems_are_counted_after_the_first_and_long_cells_are_cut(programme):
    target = programme / "polls" / "newdle.csv"
    rows = ["Participant name,2026-03-05T19:00,Comment", "Anna Peeters," + "y" * 5_000 + ","]
    rows += [f"Stranger {n},available," for n in range(100)]
    target.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = cohort("poll", "import", target)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 31, errors[-3:]
    assert errors[-1].endswith(
        "error: and 71 more problems in this export (the first 30 are above); fix these first: "
        "is it the poll's own export, unchanged?"
    )
    assert f"{target}:2:2: error: '{'y' * 39}…' is not an answer newdle writes" in result.stderr
    assert "y" * 100 not in result.stderr


def test_names_match_exactly_then_loosely_with_a_warning_and_never_contradict(write):
    from test_planning import PLANNED

    text = PLANNED.replace(
        "  carla: {name: Carla Smet, email: carla@example.org, organisation: c}\n",
        "  carla: {name: Carla Smet, email: carla@example.org, organisation: c}\n"
        "  an1: {name: An de Smet, email: an1@example.org, organisation: a}\n"
        "  an2: {name: An De Smet, email: an2@example.org, organisation: b}\n"
        "  jose: {name: José Maes, email: jose@example.org, organisation: c}\n",
    )
    folder = write(text)
    target = folder / "polls" / "newdle.csv"
    target.parent.mkdir()
    target.write_text(
        "Participant name,2026-03-05T19:00\nAn de Smet,available\nAn De Smet,unavailable\n"
        "jose  maes,ifneedbe\n",
        encoding="utf-8",
    )
    result = cohort("poll", "import", target)
    assert result.exit_code == 0, result.output
    assert f"{target}:4:1: warning: 'jose maes' is taken as José Maes (jose)" in result.stderr
    data = yaml.safe_load((folder / "planning" / "answers.yaml").read_text(encoding="utf-8"))
    assert data["answers"]["an1"] == {"2026-03-05 19:00": "yes"}
    assert data["answers"]["an2"] == {"2026-03-05 19:00": "no"}
    target.write_text("Participant name,2026-03-05T19:00\nan de smet,available\n", encoding="utf-8")
    result = cohort("poll", "import", target)
    assert result.exit_code == 1
    assert (
        "'an de smet' fits 'An de Smet' (an1) and 'An De Smet' (an2) only when case, spaces and "
        "accents are ignored"
    ) in result.stderr
    assert "is not a participant" not in result.stderr


def test_an_email_address_of_someone_else_is_warned_about(programme):
    target = programme / "polls" / "nextcloud.csv"
    text = (POLLS / "nextcloud.csv").read_text(encoding="utf-8")
    target.write_text(
        text.replace("Bert Claes,,", "Bert Claes,carla@example.org,").replace(
            "Carla Smet,carla@example.org,", "Carla Smet,,"
        ),
        encoding="utf-8",
    )
    result = cohort("poll", "import", target)
    assert (
        f"{target}:3:2: warning: 'Bert Claes' answered with the e-mail address of Carla Smet "
        "(carla); the answers count as Carla Smet's, not as Bert Claes's (bert)"
    ) in result.stderr


def test_a_poll_without_answers_is_an_error_and_writes_nothing(programme):
    target = programme / "polls" / "rallly.csv"
    target.write_text("0 participants,Thu 5 Mar 19:00 - 21:00\r\n", encoding="utf-8")
    result = cohort("poll", "import", target)
    assert result.exit_code == 1
    assert "this rallly export holds no answers (nobody responded yet)" in result.stderr
    assert not (programme / "planning" / "answers.yaml").exists()


def test_options_outside_the_window_are_warned_about(programme):
    target = programme / "polls" / "newdle.csv"
    text = (POLLS / "newdle.csv").read_text(encoding="utf-8-sig")
    target.write_text(text.replace("2026-03-19", "2026-09-17"), encoding="utf-8")
    result = cohort("poll", "import", target)
    assert result.exit_code == 0, result.output
    assert (
        f"{target}:1:4: warning: 1 of the poll's 3 options lie outside the planning window "
        "2026-01-05 to 2026-06-30 (2026-09-17)"
    ) in result.stderr


def test_a_second_poll_replaces_the_first_only_when_told(programme):
    first = programme / "polls" / "newdle.csv"
    shutil.copy(POLLS / "newdle.csv", first)
    assert cohort("poll", "import", first).exit_code == 0
    answers = (programme / "planning" / "answers.yaml").read_bytes()
    second = programme / "polls" / "rallly.csv"
    shutil.copy(POLLS / "rallly.csv", second)
    refused = cohort("poll", "import", second)
    assert refused.exit_code == 2
    assert "holds the answers of another poll (polls/newdle.csv)" in refused.stderr
    assert "add --replace" in refused.stderr
    assert (programme / "planning" / "answers.yaml").read_bytes() == answers
    again = cohort("poll", "import", first)  # the same poll, exported again: updated
    assert again.exit_code == 0
    replaced = cohort("poll", "import", second, "--replace")
    assert replaced.exit_code == 0 and "(rallly)" in replaced.stdout


def test_an_export_read_as_the_wrong_tool_is_one_error_naming_it(programme):
    target = programme / "polls" / "framadate.csv"
    shutil.copy(POLLS / "framadate.csv", target)
    result = cohort("poll", "import", target, "--tool", "newdle")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "this does not read as a newdle export" in errors[0], errors
