"""`cohort schedule`: the facilitator's overview, in the programme's language."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from conftest import PROGRAMMES, SMALL, cohort, edit

GOLDEN = Path(__file__).parent / "golden"
#: a table written to a file or a pipe is 160 columns wide; pytest-xdist sets COLUMNS=80
WIDE = {"COLUMNS": "160"}


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("COHORT_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("format", "name"), [("table", "twente.txt"), ("markdown", "twente.md")])
def test_twente_schedule_matches_the_golden_file(format, name):
    result = cohort("schedule", PROGRAMMES / "twente-cop-2024", "--format", format, env=WIDE)
    assert result.exit_code == 0, result
    golden(name, result.stdout)


@pytest.mark.parametrize("columns", [80, 100, 120, 200])
def test_the_table_fits_the_terminal_and_loses_no_word(columns):
    folder = PROGRAMMES / "optil-cultuurplekken-2025"
    result = cohort("schedule", folder, env={"COLUMNS": str(columns)})
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert "…" not in result.stdout  # wrapped, never cut short
    assert ("Genodigden" in result.stdout) == (columns >= 110)  # left out when narrow
    assert "bevestigd" in result.stdout and "geannuleerd" not in result.stdout
    dates = "di 28 jan 2025" if columns < 160 else "dinsdag 28 januari 2025"
    assert dates in result.stdout


@pytest.mark.parametrize("columns", [80, 100])
def test_a_narrow_table_breaks_lines_between_words_never_inside_one(columns):
    folder = PROGRAMMES / "ons-buurtpunt-2019"
    table = cohort("schedule", folder, env={"COLUMNS": str(columns)}).stdout
    words = {
        word
        for m in json.loads(cohort("schedule", folder, "--format", "json").stdout)["meetings"]
        for word in m["title"].split()
        if word.isalpha()
    }
    assert words and all(word in table for word in words), sorted(
        w for w in words if w not in table
    )


@pytest.mark.parametrize("columns", [80, 100])
def test_a_word_too_long_for_its_column_breaks_with_a_hyphen_never_silently(columns):
    """Brussels' compounds: 'Sociaal-ruimtelijke' and 'Sint-Jans-Molenbeek' break after a
    hyphen of their own, 'Broedplekkentraject' between syllables with a hyphen added; no line
    ends in a piece of a word without a sign (rich alone cut 'Sociaal-ruimteli' / 'jke')."""
    folder = PROGRAMMES / "brussels-broedplekken-2023"
    table = cohort("schedule", folder, env={"COLUMNS": str(columns)}).stdout
    # every word whole (markdown is not wrapped), and the short dates of a narrow table
    words = set(cohort("schedule", folder, "--format", "markdown").stdout.split())
    words |= set(cohort("schedule", folder, env={"COLUMNS": "159"}).stdout.split())
    assert max(len(line) for line in table.splitlines()) <= columns
    assert "…" not in table
    for token in table.split():
        if token not in words and not token.endswith("-"):
            # the rest of a word broken on the line above, never its beginning
            assert any(w.endswith(token) for w in words), token
    tokens = table.split()
    assert not {"Sociaal-ruimteli", "Sint-Jans-Molen", "Broedplekkentraj"} & set(tokens)
    if columns >= 100:  # the themes (below 100 columns left out)
        assert "Sociaal-" in tokens and "Broedplekkentra-" in tokens
    assert "Sint-" in tokens and "Jans-Molenbeek" in tokens


def test_the_csv_has_iso_dates_and_times_a_spreadsheet_sorts(write):
    text = edit(
        SMALL, "    venue: zaal\n    date: 2030-03-05", "    venue: zaal\n    date: 2030-03-05"
    )
    result = cohort("schedule", write(text), "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"), newline="")))
    assert rows[0][:5] == ["id", "date", "start", "end_date", "end"]
    assert rows[1][:5] == ["eerste", "2030-02-05", "19:00", "2030-02-05", "21:00"]
    assert rows[1][5] == "dinsdag 5 februari 2030"  # and the date in words, as the table has it


def test_dates_are_in_the_programmes_language(write):
    dutch = cohort("schedule", write(), "--format", "markdown").stdout
    assert "| dinsdag 5 februari 2030 | 19:00–21:00 | intervisie | Eerste bijeenkomst |" in dutch
    assert "| Datum | Tijd | Soort | Titel | Thema | Locatie | Genodigden | Status |" in dutch
    french = cohort(
        "schedule", write(edit(SMALL, "language: nl", "language: fr")), "--format", "markdown"
    ).stdout
    assert (
        "| mardi 5 février 2030 | 19\u202fh\u2009–\u200921\u202fh | intervision "
        "| Eerste bijeenkomst |"
    ) in french
    english = cohort(
        "schedule", write(edit(SMALL, "language: nl", "language: en")), "--format", "markdown"
    ).stdout
    assert "| Tuesday 5 February 2030 | 19:00–21:00 | intervision |" in english


def test_the_rotation_of_venues_and_hosts():
    result = cohort("schedule", PROGRAMMES / "twente-cop-2024", "--format", "json")
    rotation = json.loads(result.stdout)["rotation"]
    assert [(r["venue"], r["city"], r["host"]) for r in rotation] == [
        ("tetem", "Enschede", "Tetem"),
        ("twenterand", "Vriezenveen", "Ondernemerhuis Twenterand"),
        ("oyfo", "Hengelo", "Oyfo Techniekmuseum"),
    ]


def test_json_lists_meetings_with_their_ids_in_order(write):
    data = json.loads(cohort("schedule", write(), "--format", "json").stdout)
    assert [(m["id"], m["invited"], m["status"]) for m in data["meetings"]] == [
        ("eerste", 2, "planned"),
        ("tweede", 2, "planned"),
    ]


def test_csv_has_ids_and_quotes_commas(write):
    result = cohort("schedule", write(), "--format", "csv")
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfid,")  # a byte order mark, for Excel
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "id"
    assert rows[1][0] == "eerste"
    assert rows[1][rows[0].index("Locatie")] == "De Zaal, Gent"


def test_warnings_come_below_and_do_not_stop_the_schedule(write):
    result = cohort("schedule", write(edit(SMALL, "capacity: 20", "capacity: 1")), env=WIDE)
    assert result.exit_code == 0
    assert "Eerste bijeenkomst" in result.stdout
    assert "warning: 2 people are invited to 'eerste', but De Zaal holds 1" in result.stderr


def test_errors_stop_the_schedule_with_every_problem(write):
    text = edit(SMALL, "venue: zaal\n    date: 2030-02-05", "venue: zall\n    date: 2030-02-05")
    result = cohort("schedule", write(text))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error: unknown venue 'zall'" in result.stderr


def test_a_cancelled_meeting_stays_in_the_schedule(write):
    text = edit(
        SMALL,
        "    venue: zaal\n    date: 2030-03-05",
        "    venue: zaal\n    status: cancelled\n    date: 2030-03-05",
    )
    out = cohort("schedule", write(text), "--format", "markdown").stdout
    assert "| Tweede bijeenkomst |  | De Zaal, Gent | 2 | geannuleerd |" in out


def test_plain_output_without_colour_when_not_on_a_terminal(write):
    result = cohort("schedule", write(), env={"NO_COLOR": "1", **WIDE})
    assert "\x1b[" not in result.stdout
    assert "Eerste bijeenkomst" in result.stdout


def test_the_same_input_gives_the_same_output(write):
    folder = write()
    for format in ("table", "markdown", "csv", "json"):
        first = cohort("schedule", folder, "--format", format).stdout_bytes
        assert cohort("schedule", folder, "--format", format).stdout_bytes == first


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch, write):
    import sys

    from cohort.cli.common import colour_wanted
    from cohort.documents.schedule import render
    from cohort.records.workspace import load_checked

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert colour_wanted()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_wanted()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    monkeypatch.delenv("NO_COLOR")
    assert not colour_wanted()
    checked = load_checked(write())
    assert "\x1b[" in render(checked.programme, "table", color=True)
    assert "\x1b[" not in render(checked.programme, "table", color=False)
