"""`cohort agenda` and `cohort attendance sheet`: what the facilitator prints for the door."""

from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest
from conftest import SMALL, cohort, edit
from openpyxl import load_workbook
from pypdf import PdfReader

HOSTILE = "#set page(width: 1cm) *bold* $x$ <a> @b [c] \\d _e_ 1. =f"
FORMULA = '=HYPERLINK("https://evil.example.org","klik")'


def pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def text_of(path) -> str:
    """The words of a PDF on one line; a word hyphenated over two lines is whole again."""
    return re.sub(
        r"\s+", " ", re.sub(r"\xad(?!\n)", "-", re.sub(r"\xad\n", "", " ".join(pages(path))))
    )


def test_an_agenda_has_what_people_need_at_the_door(seed, tmp_path):
    out = tmp_path / "agendas"
    result = cohort("agenda", seed("twente-cop-2024"), "-o", out)
    assert result.exit_code == 0, result
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        f"bijeenkomst-{n}.{ext}" for n in (1, 2, 3) for ext in ("html", "pdf")
    ]
    first = text_of(out / "bijeenkomst-1.pdf")
    for expected in (
        "Creatieve Broedplaatsen Twente",
        "Bijeenkomst 1 — Publieksbereik",
        "donderdag 22 februari 2024, 19:00–20:30",
        "werksessie",
        "Publieksbereik",
        "Tetem",
        "Stroinksbleekweg 16",
        "7523 ZL Enschede",
        "Agenda",
        "19:15",
        "Casus — hoe bereikt Het Pakhuis zijn publiek?",
        "Sanne Visser",
        "cop@example.org",
    ):
        assert expected in first, expected
    third = text_of(out / "bijeenkomst-3.pdf")
    assert "Floris Hazemeijerstraat 300" in third
    assert "Toegankelijkheid: Rolstoeltoegankelijk" in third
    reader = PdfReader(out / "bijeenkomst-1.pdf")
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_an_online_agenda_shows_the_join_link_and_a_qr_code(seed, tmp_path):
    out = tmp_path / "agendas"
    cohort("agenda", seed("brein-festijn-2021"), "-o", out, "--meeting", "brein-festijn")
    text = text_of(out / "brein-festijn.pdf")
    assert "Online deelnemen: https://meet.example.org/brein-festijn-2021" in text
    assert "woensdag 15 december 2021, 13:00–17:00" in text
    html = (out / "brein-festijn.html").read_text()
    assert "<svg" in html and "@page { size: A4;" in html
    assert '<a href="https://meet.example.org/brein-festijn-2021">' in html
    # the QR code on the page, read back module by module, is the join link's
    assert qr_modules(out / "brein-festijn.pdf") == expected_modules(
        "https://meet.example.org/brein-festijn-2021"
    )


def qr_modules(path) -> set[tuple[int, int]]:
    """The dark modules of the QR code in a PDF: Typst draws segno's SVG as one horizontal
    line segment per run of dark modules ('x1 y m x2 y l', y at the middle of a row)."""
    data = PdfReader(path).pages[0].get_contents().get_data()
    dark = set()
    for x1, y, x2 in re.findall(rb"(\d+) (\d+)\.5 m (\d+) \2\.5 l", data):
        dark.update((int(y), column) for column in range(int(x1), int(x2)))
    return dark


def expected_modules(url: str) -> set[tuple[int, int]]:
    import segno

    matrix = segno.make(url, error="m", micro=False).matrix
    return {(r, c) for r, row in enumerate(matrix) for c, value in enumerate(row) if value}


def test_only_pdf_or_only_html(seed, tmp_path):
    folder = seed("twente-cop-2024")
    cohort(
        "agenda", folder, "-o", tmp_path / "pdf", "--format", "pdf", "--meeting", "bijeenkomst-1"
    )
    assert [p.name for p in (tmp_path / "pdf").glob("bijeenkomst-*")] == ["bijeenkomst-1.pdf"]
    cohort("agenda", folder, "-o", tmp_path / "html", "--format", "html")
    assert len(list((tmp_path / "html").glob("*.html"))) == 3


def test_agendas_in_french(write, tmp_path):
    text = edit(SMALL, "language: nl", "language: fr")
    text = edit(
        text,
        "    themes: start\n",
        "    themes: start\n    agenda:\n"
        '      - time: "19:00"\n        title: Accueil\n        speaker: anna\n',
    )
    cohort("agenda", write(text), "-o", tmp_path / "out", "--meeting", "eerste")
    pdf = text_of(tmp_path / "out" / "eerste.pdf")
    assert "mardi 5 février 2030, 19 h – 21 h" in pdf  # the PDF's text: plain spaces
    assert "Ordre du jour" in pdf and "Anna Peeters" in pdf
    html = (tmp_path / "out" / "eerste.html").read_text()
    assert '<html lang="fr">' in html and "mardi 5 février 2030" in html


def test_hostile_names_print_literally(write, tmp_path):
    # a JSON string is a YAML double-quoted scalar holding exactly HOSTILE
    text = edit(SMALL, "    name: Anna Peeters", f"    name: {json.dumps(HOSTILE)}")
    text = edit(text, "title: Eerste bijeenkomst", 'title: "#pagebreak() *Eerste*"')
    text = edit(
        text,
        "    themes: start\n",
        "    themes: start\n    agenda:\n"
        '      - title: "= heading? #emph[no]"\n        speaker: anna\n',
    )
    folder = write(text)
    out = tmp_path / "out"
    assert cohort("agenda", folder, "-o", out, "--meeting", "eerste").exit_code == 0
    assert cohort("attendance", "sheet", folder, "--meeting", "eerste", "-o", out).exit_code == 0
    agenda = PdfReader(out / "eerste.pdf")
    assert len(agenda.pages) == 1  # no page break was made
    agenda_text = text_of(out / "eerste.pdf")
    assert "#pagebreak() *Eerste*" in agenda_text
    assert "= heading? #emph[no]" in agenda_text
    assert HOSTILE in agenda_text
    sheet = PdfReader(out / "eerste-sheet.pdf")
    assert round(float(sheet.pages[0].mediabox[2])) == 595  # still A4, not 1 cm wide
    assert HOSTILE in text_of(out / "eerste-sheet.pdf")


def big_meeting(n: int) -> str:
    people = "".join(
        f"  p{i:03d}:\n    name: Deelnemer {i:03d}\n    email: p{i}@example.org\n"
        f"    organisation: org{i % 7}\n"
        for i in range(n)
    )
    orgs = "".join(f"  org{i}:\n    name: Organisatie {chr(71 - i)}\n" for i in range(7))
    return (
        "id: groot\ntitle: Groot netwerk\nlanguage: nl\ntimezone: Europe/Brussels\n"
        "organiser:\n  name: Netwerk\n  email: netwerk@example.org\n"
        f"organisations:\n{orgs}participants:\n{people}"
        "venues:\n  zaal:\n    name: Grote Zaal\n    address: Markt 1\n    city: Gent\n"
        "meetings:\n  dag:\n    title: Netwerkdag\n    date: 2030-02-05\n    start: '10:00'\n"
        "    end: '16:00'\n    venue: zaal\n"
    )


def test_a_long_sheet_continues_over_pages_with_its_header(write, tmp_path):
    out = tmp_path / "out"
    result = cohort("attendance", "sheet", write(big_meeting(150)), "--meeting", "dag", "-o", out)
    assert result.exit_code == 0, result
    assert "(150 invitees)" in result.stdout
    texts = pages(out / "dag-sheet.pdf")
    assert len(texts) >= 4
    for number, text in enumerate(texts, start=1):
        assert re.search(
            r"Naam\s+Organisatie\s+Aanwezig\s+Verontschuldigd\s+Opmerking\s+Handtekening", text
        ), number
        assert f"{number} / {len(texts)}" in text
    everything = " ".join(texts)
    assert all(f"Deelnemer {i:03d}" in everything for i in range(150))
    # sorted by organisation, then name: Organisatie A (org6) comes first
    first_rows = texts[0][texts[0].index("Handtekening") :]
    assert first_rows.index("Organisatie A") < first_rows.index("Organisatie B")


def test_csv_and_xlsx_for_the_laptop_at_the_door(write, tmp_path):
    text = edit(SMALL, "    name: Bert Claes", f"    name: '{FORMULA}'")
    text = edit(
        text, "  leerhuis:\n    name: Leerhuis\n", '  leerhuis:\n    name: "+31 Leerhuis"\n'
    )
    out = tmp_path / "out"
    assert (
        cohort("attendance", "sheet", write(text), "--meeting", "eerste", "-o", out).exit_code == 0
    )
    raw = (out / "eerste-sheet.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows.pop(0) == ["Bijeenkomst", "eerste", "Eerste bijeenkomst", "2030-02-05", "", "", ""]
    assert rows[0] == [
        "id",
        "Naam",
        "Organisatie",
        "Rol",
        "Aanwezig",
        "Verontschuldigd",
        "Opmerking",
    ]
    by_id = {row[0]: row for row in rows[1:] if row[0]}
    assert by_id["bert"][1] == "'" + FORMULA
    assert by_id["anna"][2] == "'+31 Leerhuis"
    assert sum(1 for row in rows[1:] if not row[0]) == 8  # blank rows for walk-ins
    sheet = load_workbook(out / "eerste-sheet.xlsx").active
    assert [c.value for c in sheet[1][:2]] == ["Bijeenkomst", "eerste"]
    cells = {sheet.cell(row=r, column=1).value: r for r in range(3, sheet.max_row + 1)}
    name = sheet.cell(row=cells["bert"], column=2)
    assert (name.value, name.data_type) == (FORMULA, "s")
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value)


def test_printing_twice_gives_the_same_bytes(seed, tmp_path):
    folder = seed("twente-cop-2024")
    for run in ("a", "b"):
        time.sleep(1.05)  # a clock in the output (PDF dates, XLSX properties) would show
        cohort("agenda", folder, "-o", tmp_path / run)
        cohort("attendance", "sheet", folder, "--meeting", "bijeenkomst-1", "-o", tmp_path / run)
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_an_unknown_meeting_is_a_usage_error(seed, tmp_path):
    result = cohort(
        "attendance",
        "sheet",
        seed("twente-cop-2024"),
        "--meeting",
        "bijeenkomst-4",
        "-o",
        tmp_path / "x",
    )
    assert result.exit_code == 2
    assert "did you mean 'bijeenkomst-3'?" in result.stderr


def test_a_broken_typst_template_names_the_problem(write, tmp_path):
    folder = write(SMALL, **{"templates/agenda/agenda.typ": "#let x = (\n"})
    result = cohort("agenda", folder, "-o", tmp_path / "out", "--format", "pdf")
    assert result.exit_code == 1
    assert "Typst could not typeset it" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["ons-buurtpunt-2019", "brussels-broedplekken-2023"])
def test_every_seed_prints(seed, tmp_path, name):
    out = tmp_path / "out"
    assert cohort("agenda", seed(name), "-o", out).exit_code == 0
    for pdf in out.glob("*.pdf"):
        assert "De agenda volgt" not in text_of(pdf)  # no empty promise without items


def test_one_compiler_for_many_documents_gives_each_its_own_bytes():
    import datetime as dt

    from cohort.documents import typeset

    day = dt.date(2030, 1, 1)
    first = typeset.pdf("= Een\nEerste document", "a", day)
    second = typeset.pdf("= Twee\nTweede document", "b", day)
    again = typeset.pdf("= Een\nEerste document", "a", day)
    assert first == again != second
    assert "Tweede document" in PdfReader(io.BytesIO(second)).pages[0].extract_text()


def test_a_template_cannot_read_the_programme_files(write, tmp_path):
    folder = write(SMALL, **{"templates/agenda/agenda.typ": '#read("../programme.yaml")\n'})
    result = cohort("agenda", folder, "-o", tmp_path / "out", "--format", "pdf")
    assert result.exit_code == 1
    assert "Typst could not typeset it" in result.stderr


def test_the_sheet_has_the_excused_column_and_lists_staff_apart(seed, tmp_path):
    out = tmp_path / "sheets"
    folder = seed("twente-cop-2024")
    result = cohort("attendance", "sheet", folder, "--meeting", "bijeenkomst-1", "-o", out)
    assert result.exit_code == 0, result
    text = text_of(out / "bijeenkomst-1-sheet.pdf")
    assert re.search(r"Aanwezig\s+Verontschuldigd\s+Opmerking\s+Handtekening", text)
    heading = text.index("Begeleiders, organisatoren en experts")  # 'experten' is Belgian
    assert text.index("Niels Scholten") < heading < text.index("Adedapo Okafor (begeleider)")
    rows = list(csv.reader(io.StringIO((out / "bijeenkomst-1-sheet.csv").read_text("utf-8-sig"))))
    assert rows[-9][0] == "adedapo-facilitator"  # staff last, before the empty rows


def test_items_in_parallel_print_side_by_side_and_a_panel_as_its_experts(seed, tmp_path):
    out = tmp_path / "agendas"
    assert cohort("agenda", seed("brein-festijn-2021"), "-o", out, "--meeting", "brein-festijn")
    page = (out / "brein-festijn.html").read_text()
    assert page.count('<div class="room">Kamer') == 3 and page.count('class="slot"') == 1
    laid_out = PdfReader(out / "brein-festijn.pdf").pages[0].extract_text(extraction_mode="layout")
    rooms = next(line for line in laid_out.splitlines() if "Kamer 1" in line)
    assert "Kamer 2" in rooms and "Kamer 3" in rooms  # one line: side by side
    out = tmp_path / "panel"
    assert cohort("agenda", seed("ons-buurtpunt-2019"), "-o", out, "--meeting", "bijeenkomst-4")
    text = text_of(out / "bijeenkomst-4.pdf")
    assert "Dirk Wuyts (Expertenpanel) — subsidies, crowdfunding en een gezonde begroting" in text
    assert "Expertenpanel Expertenpanel" not in text


def test_a_meeting_without_items_has_no_empty_agenda_and_the_page_says_what_to_know(
    write, tmp_path
):
    text = edit(
        SMALL,
        "    city: Gent\n",
        "    city: Gent\n    directions: Achter de kerk.\n    parking: Parking Kouter.\n",
    )
    text = edit(
        text,
        '    date: 2030-02-05\n    start: "19:00"\n    end: "21:00"\n',
        '    date: 2030-02-05\n    start: "19:00"\n    end: "21:00"\n'
        "    description: Waarom we samenkomen.\n"
        "    preparation: Lees het verslag.\n    phone: 0470 00 00 00\n",
    )
    out = tmp_path / "out"
    assert cohort("agenda", write(text), "-o", out, "--meeting", "eerste").exit_code == 0
    page = text_of(out / "eerste.pdf")
    for words in (
        "Waarover het gaat Waarom we samenkomen.",
        "Voorbereiding Lees het verslag.",
        "Op de dag zelf bereikbaar op 0470 00 00 00",
        "Route: Achter de kerk.",
        "Parkeren: Parking Kouter.",
    ):
        assert words in page
    assert "Agenda" not in page and "De agenda volgt" not in page


def test_a_long_word_is_hyphenated_by_the_language_not_cut_anywhere(seed, tmp_path):
    """Dutch compounds run long: the agenda breaks one between syllables with a hyphen
    ('gemeen-schapsinfrastructuur'), never mid-syllable without one ('gemeensc / haps...')."""
    out = tmp_path / "out"
    folder = seed("brussels-broedplekken-2023")
    assert cohort("agenda", folder, "-o", out, "--meeting", "trefdag").exit_code == 0
    text = "\n".join(pages(out / "trefdag.pdf")).replace("\u200b", "")
    found = re.findall(r"gemeen\S*\s*\S*infrastructuur", text)
    assert found and all(re.fullmatch(r"gemeen(schaps)?\xad?\n?\S*", f) for f in found), found
    assert "gemeensc\n" not in text


JOIN = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjU3ZGI0YzItYjA1Ni00ZDc2LWE4ZjYt"
    "YTdmNDE1ZTg3OTk2%40thread.v2/0?context=%7b%22Tid%22%3a%22c0ffee%22%7d"
)
SITE = (
    "https://www.buurtwerk-gent.example.org/lerende-netwerken/samenwerkingsverbanden-in-de-buurt/"
)
ONLINE = f"""\
id: online
title: Lerend netwerk gemeenschapsinfrastructuur
language: LANG
organiser:
  name: Buurtwerk Gent
  email: secretariaat-lerende-netwerken@buurtwerk-gent.example.org
links: {{website: "{SITE}"}}
venues:
  teams: {{name: Teams, join_url: "{JOIN}"}}
participants:
  anna: {{name: Anna Peeters, email: anna@example.org}}
meetings:
  webinar:
    title: Webinar gemeenschapsinfrastructuurontwikkeling
    kind: webinar
    venue: teams
    date: 2030-11-06
    start: "19:00"
    end: "20:30"
    description: >-
      Samenwerkingsverbanden rond gemeenschapsinfrastructuurontwikkeling en
      buurtgerichte vrijwilligersorganisaties: wat de stedenbouwkundige
      verkeersveiligheidsmaatregelen betekenen voor de buurtbewonersverenigingen.
"""


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_a_long_join_link_is_copied_whole_from_the_agenda(write, tmp_path, language):
    """An address on the agenda is never hyphenated, nor given a character of cohort's: taken
    from the PDF it is the address, whole (line breaks aside, after a '/'), and clicking it
    opens it; while the words around it are hyphenated as the language does."""
    folder = write(ONLINE.replace("LANG", language))
    out = tmp_path / "agendas"
    result = cohort("agenda", folder, "-o", out, "--format", "pdf", "--today", "2030-01-01")
    assert result.exit_code == 0, result
    reader = PdfReader(out / "webinar.pdf")
    text = "".join(page.extract_text() for page in reader.pages)
    assert "\xad" in text  # the description's long words were hyphenated
    whole = re.sub(r"\s+", "", text)
    assert JOIN in whole  # no soft hyphen, no invisible break, nothing lost
    assert "secretariaat-lerende-netwerken@buurtwerk-gent.example.org" in whole
    lines = [line for line in text.splitlines() if "teams.microsoft.com" in line]
    assert lines and lines[0].rstrip().endswith("/")  # it breaks after a '/'
    targets = {
        str(link.get_object()["/A"]["/URI"])
        for page in reader.pages
        for link in page.get("/Annots", [])
    }
    assert targets == {JOIN, "mailto:secretariaat-lerende-netwerken@buurtwerk-gent.example.org"}
    # the public agenda shows the website instead (its QR code and its address under it)
    site = tmp_path / "site"
    assert cohort("build", folder, "-o", site, "--today", "2030-01-01").exit_code == 0
    public = PdfReader(site / "agendas" / "webinar.pdf")
    assert SITE in re.sub(r"\s+", "", "".join(page.extract_text() for page in public.pages))
    assert JOIN not in re.sub(r"\s+", "", "".join(p.extract_text() for p in public.pages))
