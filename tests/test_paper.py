"""Pages as a reader holds them: every example's agendas, sheets and reports, read back from
the PDF (where each word stands, with poppler's pdftotext -bbox; the text, with pypdf).

An agenda is one page a participant would pin up, with its themes and what they are about even
when it has no items; a time column as wide as its widest time; names and titles never
hyphenated; a sign-in sheet whose empty rows fill the page the list ends on; a report without a
page of three lines; and PDFs that poppler reads without a complaint of ours."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from conftest import PROGRAMMES, cohort
from pypdf import PdfReader
from test_printing import big_meeting

from cohort.documents.printing import LEAST_BLANK_ROWS
from cohort.programme.values import in_language
from cohort.records.workspace import load_checked

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="install poppler-utils (.ci/run does)"
)

EXAMPLES = sorted(p.name for p in PROGRAMMES.iterdir() if (p / "programme.yaml").is_file())
TODAY = ("--today", "2030-01-01")
A4_HEIGHT = 841.89  # points


@dataclass(frozen=True)
class Word:
    page: int
    left: float
    top: float
    right: float
    bottom: float
    text: str


_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def words(pdf: Path) -> list[Word]:
    """Every word of `pdf` with its box, in points from the top left of its page."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        Word(n, float(a), float(b), float(c), float(d), unescape(text))
        for n, page in enumerate(_PAGE.findall(html), start=1)
        for a, b, c, d, text in _WORD.findall(page)
    ]


def text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages).replace("\u200b", "")


def flat(value: str) -> str:
    """Text on one line, a word hyphenated over two lines whole again."""
    value = re.sub(r"\xad\s*", "", value).replace("’", "'")  # Typst's apostrophe: '
    return re.sub(r"\s+", " ", value).strip()


def sheet(name: str, meeting: str, out: Path) -> Path:
    """The sign-in sheet of an example's meeting, as PDF."""
    result = cohort("attendance", "sheet", PROGRAMMES / name, "--meeting", meeting, "-o", out)
    assert result.exit_code == 0, result
    return out / f"{meeting}-sheet.pdf"


@pytest.fixture(scope="module")
def agendas(tmp_path_factory):
    """The agendas of every example as PDF: {example: folder}."""
    out = tmp_path_factory.mktemp("agendas")
    for name in EXAMPLES:
        result = cohort("agenda", PROGRAMMES / name, "-o", out / name, "--format", "pdf", *TODAY)
        assert result.exit_code == 0, result
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_agenda_is_one_page_with_its_themes_and_what_comes_next(agendas, name):
    """Twente's second and third meetings and Brussels' intervisions have no items: their
    page still says what each theme is about, which meetings follow and what the programme
    is."""
    checked = load_checked(PROGRAMMES / name)
    programme = checked.programme
    for pdf in sorted((agendas / name).glob("*.pdf")):
        meeting = programme.meetings[pdf.name.split(".")[0]]
        assert len(PdfReader(pdf).pages) == 1, pdf.name
        page = flat(text(pdf))
        language = "fr" if ".fr." in pdf.name else programme.language.value
        for theme in programme.themes_of(meeting):
            if theme.description is not None:
                assert flat(in_language(theme.description, language)) in page, (pdf.name, theme)
        if not meeting.agenda and any(t.description for t in programme.themes_of(meeting)):
            # no longer three-quarters empty: its text runs on past the top two-fifths
            lowest = max(w.bottom for w in words(pdf) if w.bottom < A4_HEIGHT - 2.4 * 28.35)
            assert lowest > 0.4 * A4_HEIGHT, (pdf.name, lowest)


def test_an_agenda_without_items_names_the_next_meetings_and_the_programme(agendas):
    page = flat(text(agendas / "twente-cop-2024" / "bijeenkomst-2.pdf"))
    assert (
        "Thema's Een eerlijk samenwerkingsmodel Hoe komen we binnen onze broedplaats tot een "
        "eerlijk samenwerkingsmodel? Financiële middelen Waar vinden we financiële middelen?"
    ) in page
    assert (
        "Volgende bijeenkomsten Bijeenkomst 3 — Innovatie donderdag 6 juni 2024, 19:00–20:30 · "
        "Oyfo Techniekmuseum, Hengelo"
    ) in page
    assert "Over het programma In de Community of Practice werken" in page
    french = flat(text(agendas / "brussels-broedplekken-2023" / "intervisie-2.fr.pdf"))
    assert "Thèmes Ancrage socio-spatial Le Broedplek vise-t-il surtout" in french
    assert "Prochaines rencontres Intervision 3 — Atelier Noord" in french
    assert "À propos du programme Douze Broedplekken bruxellois" in french


def test_the_web_agenda_says_as_much(tmp_path):
    out = tmp_path / "out"
    twente = PROGRAMMES / "twente-cop-2024"
    result = cohort("agenda", twente, "-o", out, "--meeting", "bijeenkomst-2", "--format", "html")
    assert result.exit_code == 0, result
    page = re.sub(r"\s+", " ", (out / "bijeenkomst-2.html").read_text(encoding="utf-8"))
    assert (
        "<h2>Thema's</h2> <p><strong>Een eerlijk samenwerkingsmodel</strong><br>Hoe komen "
        "we binnen onze broedplaats tot een eerlijk samenwerkingsmodel?</p>"
    ) in page
    assert "<h2>Volgende bijeenkomsten</h2> <p><strong>Bijeenkomst 3 — Innovatie</strong>" in page
    assert "<h2>Over het programma</h2> <p>In de Community of Practice" in page


@pytest.mark.parametrize("meeting", ["intervisie-1.fr", "intervisie-1"])
def test_the_time_column_is_as_wide_as_its_widest_time(agendas, meeting):
    """French times are words ('13 h 30'): each item's title starts clear of the widest, at
    the same place on every line."""
    found = words(agendas / "brussels-broedplekken-2023" / f"{meeting}.pdf")
    heading = next(w for w in found if w.text in ("Ordre", "Agenda"))
    times, titles = [], []
    for top in sorted({w.top for w in found if w.top > heading.bottom}):
        line = [w for w in found if w.top == top]
        start = [w for w in line if re.fullmatch(r"\d{1,2}(:\d\d)?", w.text)]
        if not start or start[0] is not line[0]:
            continue
        time = [w for w in line if re.fullmatch(r"\d{1,2}(:\d\d)?|h", w.text)]
        time = time[
            : next(
                (n for n, w in enumerate(time[1:], 1) if w.left - time[n - 1].right > 5), len(time)
            )
        ]
        times.append(max(w.right for w in time))
        titles.append(line[len(time)].left)
    assert len(times) >= 3
    assert len({round(x, 1) for x in titles}) == 1  # one column
    assert min(titles) - max(times) >= 8  # clear of the widest time, by more than a space


def name_words(name: str) -> set[str]:
    """The words of every name and title of an example: people, organisations, venues, the
    programme, its meetings and themes (in each of its languages)."""
    programme = load_checked(PROGRAMMES / name).programme

    texts = [programme.title, *(p.name for p in programme.participants.values())]
    texts += [o.name for o in programme.organisations.values()]
    texts += [v.name for v in programme.venues.values()]
    texts += [m.title for m in programme.meetings.values()]
    found: set[str] = set()
    for value in texts:
        for language in ("nl", "fr", "en"):
            one = in_language(value, language)
            found |= {w for w in re.findall(r"[^\W\d_]+", one) if len(w) > 4}
    return found


@pytest.mark.parametrize("name", EXAMPLES)
def test_names_and_titles_are_never_hyphenated(agendas, tmp_path, name):
    """'Architecture Wor-kroom Brussels', 'Community of Practi-ce 2024': a name breaks
    between its words only, on the sheet (which has no other text to hyphenate), the report
    and the agenda's head; the text around it may hyphenate."""
    programme = load_checked(PROGRAMMES / name).programme
    meeting = next(m for m in programme.chronological() if not m.private)
    out = tmp_path / "out"
    assert "\xad" not in text(sheet(name, meeting.id, out))
    assert cohort("report", PROGRAMMES / name, "-o", out, "--format", "pdf").exit_code == 0
    broken = re.findall(r"(\w+)\xad\s*(\w+)", text(out / "report.pdf"))
    assert not {a + b for a, b in broken} & name_words(name), broken
    for pdf in (agendas / name).glob("*.pdf"):
        head = "\n".join(text(pdf).split("\n")[:4])  # the programme's and the meeting's title
        assert "\xad" not in head, (pdf.name, head)


def test_the_brussels_organiser_and_the_twente_title_stand_whole(tmp_path):
    out = tmp_path / "out"
    brussels = sheet("brussels-broedplekken-2023", "intervisie-3", out)
    assert "Architecture Workroom Brussels" in flat(text(brussels))
    assert (
        cohort("report", PROGRAMMES / "twente-cop-2024", "-o", out, "--format", "pdf").exit_code
        == 0
    )
    first = text(out / "report.pdf")
    assert "Practi\xad" not in first and "Community of Practice 2024" in flat(first)


# -- the sign-in sheet: empty rows fill the page the list ends on ------------------------------

BOTTOM = A4_HEIGHT - 2 * 28.35  # where the sheet's bottom margin begins
ROW = 27  # a row's height in points; its number stands some 11 points above its bottom


def rows_of(pdf: Path) -> dict[int, list[Word]]:
    """The numbers in the first column of a sheet, by page."""
    found: dict[int, list[Word]] = {}
    for w in words(pdf):
        if w.left < 60 and w.text.isdigit():
            found.setdefault(w.page, []).append(w)
    return found


@pytest.mark.parametrize("invitees", [8, 14, 17, 18, 19, 20, 21, 40])
def test_empty_rows_fill_the_last_page_and_never_spill_a_few(write, tmp_path, invitees):
    out = tmp_path / "out"
    result = cohort(
        "attendance", "sheet", write(big_meeting(invitees)), "--meeting", "dag", "-o", out
    )
    assert result.exit_code == 0, result
    pdf = out / "dag-sheet.pdf"
    pages = rows_of(pdf)
    numbers = [int(w.text) for page in sorted(pages) for w in pages[page]]
    assert numbers == list(range(1, len(numbers) + 1))  # walk-in rows numbered on
    assert len(numbers) - invitees >= LEAST_BLANK_ROWS
    for page, found in pages.items():
        # every page is full: no room left for another row
        assert BOTTOM - max(w.bottom for w in found) < ROW + 10, (
            page,
            max(w.bottom for w in found),
        )


def test_the_brein_festijn_sheet_is_one_page_with_the_note_column(tmp_path):
    pdf = sheet("brein-festijn-2021", "brein-festijn", tmp_path / "out")
    assert len(PdfReader(pdf).pages) == 1
    page = flat(text(pdf))
    assert "Aanwezig Verontschuldigd Opmerking Handtekening" in page
    # the programme's country is NL: 'experts', as the Netherlands (and Belgium) write it
    assert "Begeleiders, organisatoren en experts" in page and "experten" not in page


# -- the report ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Every example's report (Markdown and PDF), and Twente's with attendance recorded."""
    base = tmp_path_factory.mktemp("reports")
    twente = base / "twente-recorded"
    shutil.copytree(PROGRAMMES / "twente-cop-2024", twente)
    for meeting, present in (
        ("bijeenkomst-1", "sanne-visser,joost-meijer"),
        ("bijeenkomst-2", "sanne-visser"),
    ):
        recorded = cohort(
            "attendance", "record", twente, "--meeting", meeting, "--present", present
        )
        assert recorded.exit_code == 0, recorded
    out = {}
    for folder in [*(PROGRAMMES / name for name in EXAMPLES), twente]:
        target = base / "out" / folder.name
        result = cohort(
            "report",
            folder,
            "-o",
            target,
            "--format",
            "md",
            "--format",
            "pdf",
            "--today",
            "2024-07-01",
        )
        assert result.exit_code == 0, result
        out[folder.name] = target
    return out


def test_every_markdown_heading_and_table_follows_a_blank_line(reports):
    for name, folder in reports.items():
        lines = (folder / "report.md").read_text(encoding="utf-8").split("\n")
        for n, line in enumerate(lines[1:], start=1):
            starts = line.startswith("#") or (
                line.startswith("|") and not lines[n - 1].startswith("|")
            )
            if starts:
                assert lines[n - 1] == "", (name, n, lines[n - 1], line)
            assert line or lines[n - 1], (name, n)  # never two blank lines


def test_no_page_of_a_report_holds_only_a_few_lines(reports):
    for name, folder in reports.items():
        pages = [
            page.extract_text().strip().split("\n")
            for page in PdfReader(folder / "report.pdf").pages
        ]
        if len(pages) > 1:
            assert len(pages[-1]) > 8, (name, pages[-1])
    assert len(PdfReader(reports["twente-cop-2024"] / "report.pdf").pages) == 1


# -- what poppler says of cohort's PDFs ---------------------------------------------------------

#: poppler (22.12, Debian 12's) takes the `/Suspects false` of a tagged PDF's /MarkInfo, which
#: Typst writes and ISO 32000-1 (14.7.1, table 321) allows, for a value of the wrong type
#: (Catalog::getMarkInfo complains of any Suspects but `true`): not ours, nor Typst's
POPPLER_QUIRK = "Syntax Error: Suspects object is wrong type (boolean)"


def test_poppler_reads_every_kind_of_pdf_without_a_complaint_of_ours(agendas, reports, tmp_path):
    pdfs = [
        agendas / "twente-cop-2024" / "bijeenkomst-1.pdf",
        agendas / "brussels-broedplekken-2023" / "intervisie-1.fr.pdf",
        sheet("twente-cop-2024", "bijeenkomst-1", tmp_path / "sheet"),
        reports["twente-cop-2024"] / "report.pdf",
    ]
    for pdf in pdfs:
        for command in (["pdfinfo", str(pdf)], ["pdftotext", "-layout", str(pdf), "-"]):
            run = subprocess.run(command, capture_output=True, text=True, check=False)
            assert run.returncode == 0, (pdf, run.stderr)
            assert set(run.stderr.splitlines()) <= {POPPLER_QUIRK}, (pdf.name, run.stderr)
        assert PdfReader(pdf, strict=True).pages
