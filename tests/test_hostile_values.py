"""Every output is safe for every name, and validate says everything at once (issue 11: f05,
f06, f08, f09 of a fresh tester's attack).

A name typed into a public form, a title pasted from somewhere, an id with a line break: each
is tried where a facilitator would meet it (the Markdown report pasted into a wiki, the
certificate, the terminal line an editor jumps to).
"""

from __future__ import annotations

import json
import re

from conftest import SMALL, at, cohort, edit

TODAY = ("--today", "2030-06-01")
#: A Markdown link or image: `](` not escaped.
UNESCAPED_LINK = re.compile(r"(?<!\\)\]\(")
HOSTILE = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) ![p](http://x/p.png) `c`"


def test_markdown_report_shows_a_hostile_name_as_letters(write, tmp_path):
    text = edit(SMALL, "name: Anna Peeters", f'name: "{HOSTILE}"')
    text = edit(text, "title: Kleine leergroep", 'title: "Leergroep <script>alert(1)</script>"')
    folder = write(text)
    for meeting in ("eerste", "tweede"):
        recorded = cohort(
            "attendance", "record", folder, "--meeting", meeting, "--present", "anna", *TODAY
        )
        assert recorded.exit_code == 0, recorded
    result = cohort("report", folder, "-o", tmp_path / "rep", "--format", "md", *TODAY)
    assert result.exit_code == 0, result
    report = (tmp_path / "rep" / "report.md").read_text()
    assert "<img" not in report and "<script" not in report
    assert not UNESCAPED_LINK.search(report)
    assert "&lt;img src=x onerror=alert(1)&gt; \\[x\\](javascript:alert(1))" in report
    assert "# Verslag: Leergroep &lt;script&gt;alert(1)&lt;/script&gt;" in report


def test_markdown_schedule_shows_a_hostile_title_as_letters(write):
    text = edit(SMALL, "title: Kleine leergroep", f'title: "{HOSTILE}"')
    text = edit(text, "title: Eerste bijeenkomst", 'title: "<b>Eerste</b> | [a](b)"')
    result = cohort("schedule", write(text), "--format", "markdown", *TODAY)
    assert result.exit_code == 0, result
    heading, *rest = result.stdout.splitlines()
    assert heading.startswith("# &lt;img src=x onerror=alert(1)&gt; \\[x\\]")
    assert "<b>" not in result.stdout and not UNESCAPED_LINK.search(result.stdout)
    assert any("&lt;b&gt;Eerste&lt;/b&gt; \\| \\[a\\](b)" in line for line in rest)


def test_a_right_to_left_override_pasted_into_the_file_is_refused_at_its_place(write):
    text = edit(SMALL, "name: Anna Peeters", "name: Anna \u202ePeeters")
    result = cohort("validate", write(text), *TODAY)
    assert result.exit_code == 1
    assert f"{at(text, chr(0x202E))}: error: a right-to-left override (U+202E)" in result.stderr
    assert "\u202e" not in result.output


def test_joiners_in_names_and_emoji_stay(write):
    text = edit(SMALL, "name: Anna Peeters", "name: Anna \U0001f469\u200d\U0001f4bb Peeters")
    assert cohort("validate", write(text), *TODAY).exit_code == 0


def test_a_registration_export_loses_characters_that_hide_or_turn_text(seed):
    folder = seed("optil-cultuurplekken-2025")
    export = folder / "exports" / "slotbijeenkomst-pretix.csv"
    lines = export.read_text(encoding="utf-8-sig").splitlines()
    head = lines[0].split(",")
    assert "Naam deelnemer" in head, head
    import csv
    import io

    rows = list(csv.reader(io.StringIO(export.read_text(encoding="utf-8-sig"))))
    row = rows[1]
    row[rows[0].index("Naam deelnemer")] = "Eve\u202e\x1b[31m Rood\u2066"
    row[rows[0].index("Bestelcode")] = "EVIL1"
    for column in ("E-mailadres van deelnemer", "E-mail"):
        row[rows[0].index(column)] = "eve@example.org"
    hostile = folder / "exports" / "hostile.csv"
    with hostile.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([rows[0], row])
    result = cohort(
        "registrations",
        "import",
        hostile,
        "--meeting",
        "bijeenkomst-2027-2",
        "--folder",
        folder,
        "--today",
        "2027-11-01",
    )
    assert result.exit_code == 0, result
    record = (folder / "registrations" / "bijeenkomst-2027-2.yaml").read_text()
    assert "Eve [31m Rood" in record
    assert not any(c in record for c in "\u202e\x1b\u2066")
    assert cohort("validate", folder, "--today", "2027-01-01").exit_code in (0, 1)
    assert (
        "control-character"
        not in cohort("validate", folder, "--format", "json", "--today", "2027-01-01").stdout
    )


def test_validate_names_a_bad_id_together_with_its_entrys_bad_fields(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    text = (
        "id: f08\ntitle: T\norganiser: {name: O, email: o@example.org}\n"
        'participants:\n  "a b": {name: A, email: not-an-email}\n'
        'meetings:\n  "m1\\n": {title: Mx, date: 2026-13-01, start: "19:00", end: "21:00",\n'
        "    venue: nosuch}\n"
    )
    (folder / "programme.yaml").write_text(text)
    result = cohort("validate", folder, *TODAY)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    where = at(text, '"a b"')
    assert any(
        line.startswith(f"{folder}/{where}") and "'a b' is not a valid id" in line for line in lines
    ), lines
    assert any("'m1\\n' is not a valid id" in line for line in lines), lines
    assert any(
        "'not-an-email' is not an e-mail address" in line
        and line.endswith("(write one address such as 'name@example.org')")
        for line in lines
    ), lines
    assert any("is not a date in the calendar" in line for line in lines), lines
    unknown = (
        f"{folder}/{at(text, 'nosuch')}: error: unknown venue 'nosuch' (add it under 'venues:')"
    )
    assert unknown in lines, lines


def test_every_diagnostic_is_one_line_whatever_the_value_holds(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "programme.yaml").write_text(
        'id: "x\\ny\\u202e"\ntitle: T\norganiser: {name: O, email: o@example.org}\n'
    )
    result = cohort("validate", folder, *TODAY)
    assert result.exit_code == 1
    problem, summary = result.stderr.splitlines()
    assert problem.startswith("programme.yaml:1:5: error: id: 'x\\ny\\u202e' is not") or (
        problem.startswith(f"{folder / 'programme.yaml'}:1:5: error: id: 'x\\ny\\u202e'")
    ), problem
    assert summary == "1 error, 0 warnings"


def test_ids_that_would_collide_as_file_names_are_warned_of(write):
    text = edit(SMALL, "  bert:\n", "  ANNA:\n")
    text = edit(text, "  tweede:\n", "  nul:\n")
    result = cohort("validate", write(text), "--format", "json", *TODAY)
    assert result.exit_code == 0, result
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "file-name"]
    assert [(d["severity"], f"programme.yaml:{d['line']}:{d['column']}") for d in found] == [
        ("warning", at(text, "ANNA:")),
        ("warning", at(text, "nul:")),
    ]
    assert "'ANNA' and 'anna' differ only in case" in found[0]["message"]
    assert "'nul' is a name Windows keeps for a device" in found[1]["message"]
