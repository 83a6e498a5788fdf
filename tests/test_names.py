"""Every output is safe for every name (issue 11, section 4).

Names come from people: pasted from Word (a vertical tab), from a terminal (an ESC), in Chinese,
with emoji, 88 letters without a space, or simply "Null". Each is either refused at its line by
`validate` or printed, put in a spreadsheet and a calendar as written; never an internal error.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from pathlib import Path

import pytest
from conftest import PROGRAMMES, SMALL, at, cohort, edit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cohort.documents import typeset

TODAY = ("--today", "2030-01-01")
ROOT = PROGRAMMES.parent


def diagnostics(folder):
    result = cohort("validate", folder, "--format", "json", *TODAY)
    return result, json.loads(result.stdout)["diagnostics"]


@pytest.mark.parametrize(
    ("written", "what"),
    [
        ('"Anna\\vPeeters"', "a vertical tab (U+000B)"),
        ('"Anna\\ePeeters"', "an escape character (U+001B)"),
        ('"Anna\\x85Peeters"', "a control character (U+0085)"),
        # characters that turn the text after them round, or hide (issue 11, f06)
        ('"Anna \\u202ePeeters"', "a right-to-left override (U+202E)"),
        ('"Anna \\u2067Peeters"', "a right-to-left isolate (U+2067)"),
        ('"Anna\\u200bPeeters"', "a zero-width space (U+200B)"),
    ],
)
def test_a_control_character_in_a_value_is_refused_at_its_line(write, written, what):
    text = edit(SMALL, "name: Anna Peeters", f"name: {written}")
    result, found = diagnostics(write(text))
    assert result.exit_code == 1
    (problem,) = [d for d in found if d["code"] == "control-character"]
    assert f"programme.yaml:{problem['line']}:{problem['column']}" == at(text, written)
    assert f"holds {what}" in problem["message"]


def test_a_control_character_pasted_into_the_file_is_refused_at_its_place(write):
    text = edit(SMALL, "name: Anna Peeters", "name: Anna\x0bPeeters")
    result, found = diagnostics(write(text))
    assert result.exit_code == 1
    assert [(d["line"], d["column"], d["code"]) for d in found] == [
        (
            int(at(text, "\x0b").split(":")[1]),
            int(at(text, "\x0b").split(":")[2]),
            "control-character",
        )
    ]
    assert "a vertical tab (U+000B) stands here" in found[0]["message"]


@pytest.mark.parametrize(
    "command",
    [
        ("attendance", "sheet", "--meeting", "eerste"),
        ("calendar",),
        ("agenda",),
        ("report",),
        ("invite",),
    ],
)
def test_no_output_command_fails_on_a_control_character(write, tmp_path, command):
    folder = write(edit(SMALL, "name: Anna Peeters", 'name: "Anna\\vPeeters"'))
    name, *rest = command
    args = [rest[0], folder, *rest[1:]] if name == "attendance" else [folder, *rest]
    result = cohort(name, *args, "-o", tmp_path / "out", *TODAY)
    assert result.exit_code == 1, result
    assert "holds a vertical tab (U+000B)" in result.stderr


def test_messages_never_send_a_terminal_what_a_sheet_holds(write, tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "id,Naam,Organisatie,Aanwezig\n,Eve\x1b[2J\x1b[31m,Buurthuis,x\n", encoding="utf-8"
    )
    result = cohort("attendance", "record", write(), "--meeting", "eerste", "--from", sheet, *TODAY)
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    assert f"{sheet}:2:2: error: holds an escape character (U+001B)" in result.stderr
    visitor = cohort(
        "attendance",
        "record",
        write(),
        "--meeting",
        "eerste",
        "--visitor",
        "Eve\x1b[2J, Buurthuis",
        *TODAY,
    )
    assert visitor.exit_code == 2
    assert "\x1b" not in visitor.output and "holds an escape character" in visitor.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  anna:\n", '  "anna\\n":\n'),
        ("  eerste:\n", '  "eerste\\n":\n'),
        ("    venue: zaal\n    date: 2030-02-05", '    venue: "zaal\\n"\n    date: 2030-02-05'),
    ],
)
def test_an_id_with_a_line_break_is_refused(write, old, new):
    result, found = diagnostics(write(edit(SMALL, old, new)))
    assert result.exit_code == 1
    assert any("is not a valid id" in d["message"] for d in found), found


def test_every_csv_goes_through_the_one_writer():
    """tables.csv_bytes: a byte order mark, and no cell a spreadsheet would run."""
    writers = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "cohort").rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))
    ]
    assert writers == ["cohort/tables.py"]


def test_the_schedule_as_csv_is_safe_in_a_spreadsheet(write):
    text = edit(SMALL, "title: Eerste bijeenkomst", "title: '=2+5'")
    text = edit(text, "title: Tweede bijeenkomst", "title: '@SUM(A1:A9)'")
    result = cohort("schedule", write(text), "--format", "csv", *TODAY)
    assert result.exit_code == 0, result
    raw = result.stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbfid,") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    title = rows[0].index("Titel")
    titles = {row[0]: row[title] for row in rows[1:]}
    assert titles == {"eerste": "'=2+5", "tweede": "'@SUM(A1:A9)"}


def test_null_is_a_name_like_any_other(write, tmp_path):
    text = edit(SMALL, "name: Anna Peeters", "name: Null")
    text = edit(text, "title: Van start", "title: NULL")
    folder = write(text)
    assert cohort("validate", folder, *TODAY).exit_code == 0
    assert (
        cohort("attendance", "sheet", folder, "--meeting", "eerste", "-o", tmp_path / "s").exit_code
        == 0
    )
    rows = (tmp_path / "s" / "eerste-sheet.csv").read_text(encoding="utf-8-sig")
    assert "anna,Null,Leerhuis" in rows
    schedule = cohort("schedule", folder, "--format", "csv", *TODAY)
    assert ",NULL," in schedule.stdout


def test_an_empty_value_or_a_tilde_still_means_none(write):
    text = edit(SMALL, "    capacity: 20\n", "    capacity:\n    accessibility: ~\n")
    assert cohort("validate", write(text), *TODAY).exit_code == 0


def test_null_in_a_field_that_wants_an_id_is_that_word(write):
    text = edit(
        SMALL, "    venue: zaal\n    date: 2030-03-05", "    venue: null\n    date: 2030-03-05"
    )
    result, found = diagnostics(write(text))
    assert result.exit_code == 1
    assert any("'null'" in d["message"] for d in found), found


LONG = "Wolfeschlegelsteinhausenbergerdorff" * 2 + "Abcdefghijklmnopq"  # 87 letters


def name_lines(pdf: Path, name: str) -> list[str]:
    """The lines of a PDF's text that hold a piece of `name` (pypdf shows break opportunities
    as zero-width spaces)."""
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages).replace("\u200b", "")
    lines = (re.sub(r"^\d+ ", "", line) for line in text.splitlines())  # the row's number
    return [line for line in lines if line and line in name]


def test_a_long_name_wraps_inside_its_cell(write, tmp_path):
    folder = write(edit(SMALL, "name: Anna Peeters", f"name: {LONG}"))
    out = tmp_path / "out"
    assert (
        cohort("attendance", "sheet", folder, "--meeting", "eerste", "-o", out, *TODAY).exit_code
        == 0
    )
    lines = name_lines(out / "eerste-sheet.pdf", LONG)
    assert len(lines) >= 3, lines  # one line of 87 letters would run over the next columns
    assert "".join(lines) == LONG


def test_a_long_title_wraps_on_the_agenda(write, tmp_path):
    folder = write(edit(SMALL, "title: Eerste bijeenkomst", f"title: {LONG}"))
    out = tmp_path / "out"
    result = cohort("agenda", folder, "--meeting", "eerste", "--format", "pdf", "-o", out, *TODAY)
    assert result.exit_code == 0, result
    reader = PdfReader(out / "eerste.pdf")
    text = reader.pages[0].extract_text().replace("\u200b", "")
    assert LONG not in text.splitlines()  # not on one line, which would run off the page
    assert LONG in text.replace("\n", "")


def fonts_installed() -> bool:
    families = typeset.Typesetter().fonts().families()
    return any("CJK" in f for f in families) and "Noto Color Emoji" in families


needs_fonts = pytest.mark.skipif(
    not fonts_installed(),
    reason="install Debian's fonts-noto-cjk and fonts-noto-color-emoji (.ci/run does)",
)


@needs_fonts
def test_chinese_and_emoji_names_print_with_the_fonts_of_the_machine(write, tmp_path):
    folder = write(edit(SMALL, "name: Anna Peeters", "name: 张伟 🎉"))
    for run in ("a", "b"):
        result = cohort(
            "attendance", "sheet", folder, "--meeting", "eerste", "-o", tmp_path / run, *TODAY
        )
        assert result.exit_code == 0, result
        assert "no font" not in result.stderr
    pdf = tmp_path / "a" / "eerste-sheet.pdf"
    assert pdf.read_bytes() == (tmp_path / "b" / "eerste-sheet.pdf").read_bytes()
    reader = PdfReader(pdf)
    fonts = {
        str(font.get_object().get("/BaseFont", ""))
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert any("NotoSansCJK" in f or "NotoSerifCJK" in f for f in fonts), fonts
    text = reader.pages[0].extract_text()
    assert "张伟 🎉" in text
    assert "\x00" not in text  # Typst maps a missing glyph (an empty box) to U+0000


def test_a_character_no_font_has_is_named_in_a_warning(write, tmp_path):
    nowhere = "\u0378"  # not assigned in Unicode: no font anywhere has it
    folder = write(edit(SMALL, "name: Anna Peeters", f"name: Anna {nowhere}"))
    result = cohort(
        "attendance", "sheet", folder, "--meeting", "eerste", "-o", tmp_path / "o", *TODAY
    )
    assert result.exit_code == 0, result
    assert (
        "warning: sign-in sheet of 'eerste': no font on this machine has "
        f"{nowhere} (U+0378); it prints as an empty box"
    ) in result.stderr
    assert (
        "U+"
        not in cohort(
            "attendance", "sheet", write(), "--meeting", "eerste", "-o", tmp_path / "p", *TODAY
        ).stderr
    )


HOSTILE = st.lists(
    st.sampled_from(
        [
            "Anna",
            " ",
            "=1+2",
            "@SUM(A1)",
            "+32 475",
            "-",
            "#set page(width: 1cm)",
            "*bold* _x_ $y$",
            "\\",
            '"',
            "'",
            "<b>",
            "&amp;",
            "张伟",
            "🎉",
            "👩‍👩‍👧",
            "\u202e",
            "\u00ad",
            "\u200b",
            "Ω",
            "ß",
            LONG,
            ";",
            ",",
            "\\v",
            "\\e",
            "\\n",
            "\\t",
        ]
    ),
    min_size=1,
    max_size=6,
).map("".join)


def quoted(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE, HOSTILE)
def test_whatever_the_name_every_output_answers_without_an_internal_error(person, title):
    text = edit(SMALL, "name: Anna Peeters", f"name: {quoted(person)}")
    text = edit(text, "title: Eerste bijeenkomst", f"title: {quoted(title)}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "p"
        folder.mkdir()
        (folder / "programme.yaml").write_text(text, encoding="utf-8")
        for args in (
            ("attendance", "sheet", folder, "--meeting", "eerste"),
            ("calendar", folder),
            ("agenda", folder, "--meeting", "eerste"),
            ("schedule", folder, "--format", "csv"),
        ):
            out = () if args[0] == "schedule" else ("-o", Path(tmp) / "out" / args[0])
            result = cohort(*args, *out, *TODAY)
            assert result.exit_code in (0, 1), result
            assert "internal error" not in result.output, result
