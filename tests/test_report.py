"""`cohort report`: the numbers a funder reads match what was recorded at the door."""

from __future__ import annotations

import json
import re

from conftest import cohort
from pypdf import PdfReader

AS_OF = "2024-05-01"  # between the second and the third Twente meeting


def twente_with_attendance(seed):
    folder = seed("twente-cop-2024")

    def record(meeting, *args):
        result = cohort("attendance", "record", folder, "--meeting", meeting, *args)
        assert result.exit_code == 0, result

    record(
        "bijeenkomst-1",
        "--present",
        "sanne-visser,joost-meijer,fatima-elamrani,bram-kuipers",
        "--present",
        "lotte-brinkman,adedapo-facilitator",
        "--excused",
        "ruben-hofstede",
        "--visitor",
        "Dirk de Vries, Gemeente Enschede",
    )
    record("bijeenkomst-2", "--present", "sanne-visser,fatima-elamrani,lotte-brinkman,joost-meijer")
    return folder


def test_the_json_report_matches_the_recorded_attendance(seed, tmp_path):
    folder = twente_with_attendance(seed)
    out = tmp_path / "report"
    result = cohort("report", folder, "-o", out, "--format", "json", "--today", AS_OF)
    assert result.exit_code == 0, result
    data = json.loads((out / "report.json").read_text())
    meetings = {m["id"]: m for m in data["meetings"]}
    first = meetings["bijeenkomst-1"]
    assert (
        first["invited"],
        first["attended"],
        first["excused"],
        first["absent"],
        first["visitors"],
    ) == (17, 6, 1, 10, 1)
    assert first["attended_ids"] == sorted(
        [
            "sanne-visser",
            "joost-meijer",
            "fatima-elamrani",
            "bram-kuipers",
            "lotte-brinkman",
            "adedapo-facilitator",
        ]
    )
    assert first["visitor_names"] == ["Dirk de Vries"]
    assert first["rate"] == round(6 / 17, 4)
    assert meetings["bijeenkomst-2"]["attended"] == 4
    third = meetings["bijeenkomst-3"]
    assert (third["held"], third["recorded"], third["attended"]) == (False, False, 0)
    assert data["to_come"] == ["bijeenkomst-3"]
    people = {p["id"]: p for p in data["participants"]}
    # attend-all: present twice so far, one to come -> can still meet it
    assert people["sanne-visser"]["rule"] == "can"
    assert people["bram-kuipers"]["rule"] == "not-met"
    assert people["adedapo-facilitator"]["rule"] is None  # the rule binds participants only
    assert data["rule"] == {"met": 0, "can": 4, "not-met": 12, "unrecorded": 0}
    orgs = {o["id"]: o for o in data["organisations"]}
    # Sanne and Joost of Het Pakhuis came to both meetings
    assert (orgs["het-pakhuis"]["present_at"], orgs["het-pakhuis"]["attended"]) == (2, 4)
    assert (orgs["het-lokaal"]["present_at"], orgs["het-lokaal"]["meetings"]) == (0, 2)


def test_a_finished_programme_says_who_met_the_rule(seed, tmp_path):
    folder = twente_with_attendance(seed)
    cohort(
        "attendance",
        "record",
        folder,
        "--meeting",
        "bijeenkomst-3",
        "--present",
        "sanne-visser,fatima-elamrani",
    )
    out = tmp_path / "report"
    cohort("report", folder, "-o", out, "--format", "json", "--today", "2024-07-01")
    people = {
        p["id"]: p["rule"] for p in json.loads((out / "report.json").read_text())["participants"]
    }
    assert people["sanne-visser"] == people["fatima-elamrani"] == "met"
    assert people["lotte-brinkman"] == "not-met"


def test_every_format_in_the_programmes_language(seed, tmp_path):
    folder = twente_with_attendance(seed)
    out = tmp_path / "report"
    result = cohort("report", folder, "-o", out, "--today", AS_OF)
    assert result.exit_code == 0
    assert "meetings: 2 held (2 recorded), 1 to come" in result.stdout
    assert "attendance rule: 0 met, 4 can still meet it, 12 not" in result.stdout
    assert sorted(p.name for p in out.glob("report.*")) == [
        "report.html",
        "report.json",
        "report.md",
        "report.pdf",
    ]
    markdown = (out / "report.md").read_text()
    assert "| 22 feb 2024 | Bijeenkomst 1 — Publieksbereik | 17 | 6 | 1 | 10 | 1 | 35% |" in (
        markdown
    )
    assert (
        "Stand op woensdag 1 mei 2024: 2 bijeenkomsten gehouden, 1 nog te komen. "
        "Gemiddelde aanwezigheid: "
    ) in markdown  # a plural, not 'bijeenkomst(en)'; a space between the sentences
    html = (out / "report.html").read_text()
    assert "<svg" in html and "<script" not in html
    assert re.search(r"<tr id=\"meeting-bijeenkomst-2\">.*?<td class=\"n\">4</td>", html, re.S)
    pdf = " ".join(page.extract_text() for page in PdfReader(out / "report.pdf").pages)
    pdf = re.sub(r"\xad(?!\n)", "-", re.sub(r"\xad\n", "", pdf))  # hyphenated words whole
    pdf = " ".join(pdf.split())
    # the PDF summarises (a table of ten thousand people would take Typst minutes): the rule's
    # tallies and the organisations, and where to find each person's attendance
    assert "Gehaald: 0 · nog haalbaar: 4 · niet gehaald: 12." in pdf
    assert "Sanne Visser" not in pdf and "Sanne Visser" in html
    assert "staat in de HTML-, Markdown- en JSON-versie van dit verslag" in pdf


def test_a_french_report_writes_french_typography_and_headers_that_agree(seed, tmp_path):
    """'# Rapport\u202f: …' (a narrow no-break space before the colon, in the heading and
    the page's title); the counts of people plural, as 'Invités' and 'Visiteurs' beside them,
    and the counts of a person's meetings nouns: 'Présences', 'Excuses', 'Absences'."""
    folder = twente_with_attendance(seed)
    path = folder / "programme.yaml"
    path.write_text(path.read_text().replace("\nlanguage: nl\n", "\nlanguage: fr\n", 1))
    out = tmp_path / "report"
    result = cohort("report", folder, "-o", out, "--today", AS_OF, "-f", "md", "-f", "html")
    assert result.exit_code == 0, result
    markdown = (out / "report.md").read_text()
    assert markdown.startswith("# Rapport\u202f: Creatieve Broedplaatsen Twente")
    assert (
        "| Date | Rencontre | Invités | Présents | Excusés | Absents | Visiteurs | % |"
    ) in markdown
    assert "| Nom | Organisation | Présences | Excuses | Absences |" in markdown
    html = (out / "report.html").read_text()
    assert "<title>Rapport\u202f: Creatieve Broedplaatsen Twente — " in html
    assert "<li>jeudi 6 juin 2024\u202f: Bijeenkomst 3 — Innovatie</li>" in html


def test_a_programme_without_any_attendance_yet(seed, tmp_path):
    out = tmp_path / "report"
    result = cohort("report", seed("optil-cultuurplekken-2025"), "-o", out, "--today", "2026-11-21")
    assert result.exit_code == 0, result
    data = json.loads((out / "report.json").read_text())
    assert data["average_rate"] is None
    assert data["to_come"] == [
        "coaching-2026-ieper",
        "coaching-2027-kempen",
        "webinar-2027-1",
        "bijeenkomst-2027-1",
        "webinar-2027-2",
        "bijeenkomst-2027-2",
    ]
    assert all(not m["recorded"] for m in data["meetings"])


def test_staff_miss_nothing_and_are_named_by_their_role(seed, tmp_path):
    folder = twente_with_attendance(seed)
    out = tmp_path / "report"
    result = cohort("report", folder, "-o", out, "-f", "json", "-f", "md", "--today", AS_OF)
    assert result.exit_code == 0, result
    people = {p["id"]: p for p in json.loads((out / "report.json").read_text())["participants"]}
    facilitator = people["adedapo-facilitator"]
    assert (facilitator["staff"], facilitator["missed"], facilitator["rule"]) == (True, None, None)
    assert people["ruben-hofstede"]["staff"] is False
    row = next(line for line in (out / "report.md").read_text().splitlines() if "Okafor" in line)
    assert row.endswith("| 1/2 | 0 | — | begeleider |")  # not 'gemist 1'


def test_a_finished_programme_without_records_says_attendance_is_not_recorded(seed, tmp_path):
    out = tmp_path / "report"
    folder = seed("twente-cop-2024")
    result = cohort("report", folder, "-o", out, "-f", "json", "-f", "md", "--today", "2025-01-01")
    assert result.exit_code == 0, result
    said = " ".join(result.stdout.split())
    assert "attendance rule: attendance is not recorded" in said
    assert "can still meet it" not in said
    markdown = (out / "report.md").read_text()
    assert "Aanwezigheid is niet geregistreerd" in markdown
    assert "nog haalbaar" not in markdown
    data = json.loads((out / "report.json").read_text())
    assert data["rule"] == {"met": 0, "can": 0, "not-met": 0, "unrecorded": 16}


def test_a_finished_programme_with_a_meeting_unrecorded_calls_it_undecided(seed, tmp_path):
    folder = twente_with_attendance(seed)
    out = tmp_path / "report"
    result = cohort("report", folder, "-o", out, "--format", "json", "--today", "2025-01-01")
    assert result.exit_code == 0, result
    assert "4 undecided (meetings held without a record)" in " ".join(result.stdout.split())
    people = {p["id"]: p for p in json.loads((out / "report.json").read_text())["participants"]}
    assert people["sanne-visser"]["rule"] == "unrecorded"


def test_counts_are_plurals_of_their_language(seed, tmp_path):
    """ngettext: '1 bijeenkomst gehouden', '2 bijeenkomsten'; never 'bijeenkomst(en)'."""
    out = tmp_path / "report"
    result = cohort("report", twente_with_attendance(seed), "-o", out, "--today", "2024-03-01")
    assert result.exit_code == 0, result
    markdown = (out / "report.md").read_text()
    assert "Stand op vrijdag 1 maart 2024: 1 bijeenkomst gehouden, 2 nog te komen." in markdown
    assert "(en)" not in markdown


def test_the_rule_reads_as_a_rule_and_nothing_recorded_reads_as_a_dash(seed, tmp_path):
    """'Regel: iedereen ... aanwezig. Gehaald: ...' with a space between the sentences; a
    person with no recorded meeting has '—', not '0/0'; the undecided are said in words."""
    folder = twente_with_attendance(seed)
    out = tmp_path / "report"
    result = cohort("report", folder, "-o", out, "-f", "md", "-f", "html", "--today", "2025-01-01")
    assert result.exit_code == 0, result
    markdown = (out / "report.md").read_text()
    assert re.search(r"Regel: iedereen is op \w+ \w+ aanwezig\. Gehaald: \d", markdown), markdown
    assert "aanwezig.Gehaald" not in (out / "report.html").read_text()
    assert re.search(
        r"Voor \d+ deelnemers? is dat nog niet te zeggen: de aanwezigheid op de gehouden "
        r"bijeenkomsten is niet genoteerd\.",
        markdown,
    )


def test_a_person_without_any_recorded_meeting_reads_as_a_dash(seed, tmp_path):
    folder = seed("twente-cop-2024")
    nothing = cohort("report", folder, "-o", tmp_path / "none", "-f", "md", "--today", "2025-01-01")
    assert nothing.exit_code == 0, nothing
    table = (tmp_path / "none" / "report.md").read_text()
    assert "| 0/0 |" not in table and "| — | — | — |" in table
