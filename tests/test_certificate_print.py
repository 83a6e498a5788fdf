"""Certificates as they print: a QR code a phone reads, every name and title on the page (in
any script, however long), the words of three languages as their readers write them, and
mistakes in a facilitator's own template found at their line before anything is written."""

from __future__ import annotations

import email
import email.policy
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SMALL, cohort, edit
from pypdf import PdfReader
from test_certificates import AFTER, certificates, code_on, record, text_of, twente
from test_names import needs_fonts

needs_zbar = pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
    reason="install zbar-tools and poppler-utils (.ci/run does)",
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="install poppler-utils (.ci/run does)"
)
NNBSP = "\u202f"  # the narrow no-break space French puts before a colon


def scanned(pdf: Path, dpi: int = 150) -> list[str]:
    """What a QR reader (zbar) reads on the first page of `pdf`, printed at `dpi`."""
    png = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", "1", str(pdf), str(png)],
        check=True,
    )
    read = subprocess.run(
        ["zbarimg", "--quiet", "--raw", f"{png}.png"], capture_output=True, text=True, check=False
    )
    return read.stdout.split()


@needs_zbar
def test_the_qr_code_reads_as_the_code_printed_beside_it(seed, tmp_path):
    out = tmp_path / "out"
    assert certificates(twente(seed), out).exit_code == 0
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 4
    for pdf in pdfs:
        # the printed code is 14 characters: segno would draw a Micro QR code (M4), which
        # zbar and most phone cameras cannot read; and it must stand on the page whole
        assert scanned(pdf) == [code_on(pdf)], pdf.name


@needs_zbar
def test_the_agendas_qr_code_reads_too_however_short_the_link(write, tmp_path):
    folder = write(edit(SMALL, "attendance:", "links:\n  website: https://x.be\nattendance:"))
    out = tmp_path / "agendas"
    result = cohort("agenda", folder, "-o", out, "--meeting", "eerste", "--format", "pdf")
    assert result.exit_code == 0, result
    assert scanned(out / "eerste.pdf") == ["https://x.be"]


@needs_fonts
def test_chinese_and_emoji_names_print_on_the_certificate(seed, tmp_path):
    folder = twente(seed)
    people = folder / "participants.yaml"
    people.write_text(edit(people.read_text(), "name: Sanne Visser", "name: 张伟 🎓"))
    out = tmp_path / "out"
    result = certificates(folder, out, "--participant", "sanne-visser")
    assert result.exit_code == 0, result
    assert "no font" not in result.stderr
    text = text_of(out / "sanne-visser.pdf")
    assert "张伟 🎓" in text and "\x00" not in text


def boxes(pdf: Path) -> list[tuple[str, float, float, float, float]]:
    """Every word on the first page with its box (xMin, yMin, xMax, yMax, in points), as
    poppler's pdftotext sees them."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    return [
        (word, float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, word in re.findall(pattern, html)
    ]


LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff" * 6  # 210 letters without a space
LONG_TITLE = "Werkbijeenkomst over " + "samenwerkingsovereenkomsten" * 4 + " en " + "lang " * 40


@needs_poppler
def test_a_long_name_and_a_long_title_stay_on_the_page_and_in_their_column(seed, tmp_path):
    folder = twente(seed)
    people = folder / "participants.yaml"
    people.write_text(edit(people.read_text(), "name: Sanne Visser", f"name: {LONG_NAME}"))
    text = (folder / "programme.yaml").read_text()
    old = "title: Bijeenkomst 2 — Samenwerken en financiering"
    (folder / "programme.yaml").write_text(edit(text, old, f"title: {LONG_TITLE.strip()}"))
    out = tmp_path / "out"
    assert certificates(folder, out, "--participant", "sanne-visser").exit_code == 0
    words = boxes(out / "sanne-visser.pdf")
    margin = 2.4 / 2.54 * 72 - 1  # the page's side margins, in points (less a rounding)
    assert all(margin <= x0 and x1 <= 595 - margin for _, x0, _, x1, _ in words), [
        (w[:20], x0, x1) for w, x0, _, x1, _ in words if x0 < margin or x1 > 595 - margin
    ]
    pieces = [w.replace("\u200b", "") for w, *_ in words]
    name = [w for w in pieces if len(w) >= 8 and w in LONG_NAME]
    assert len(name) >= 2 and "".join(name) == LONG_NAME  # all of it, over several lines
    # the title wraps in its column, clear of the hours beside it
    (hours_column,) = [x0 for w, x0, *_ in words if w == "Uren"]
    title = [x1 for w, _, _, x1, _ in words if w.replace("\u200b", "") in LONG_TITLE]
    assert title and max(title) < hours_column


def english_dutch_french(write):
    """A programme in the Netherlands where one meeting is asked of everyone (required: 1) and
    lasts 45 minutes; Anna reads Dutch, Bert French, Cleo English."""
    text = edit(SMALL, "timezone: Europe/Brussels", "timezone: Europe/Amsterdam\ncountry: NL")
    text = edit(text, "  required: all", "  required: 1")
    text = edit(
        text,
        '    start: "19:00"\n    end: "21:00"\n  tweede',
        '    start: "19:00"\n    end: "19:45"\n  tweede',
    )
    text = edit(
        text, "    email: bert@example.org\n", "    email: bert@example.org\n    language: fr\n"
    )
    text = edit(
        text,
        "venues:",
        "  cleo:\n    name: Cleo Mertens\n    email: cleo@example.org\n    language: en\nvenues:",
    )
    folder = write(text)
    record(folder, "eerste", "--present", "anna,bert,cleo", "--today", "2030-03-01")
    return folder


def test_the_words_of_each_language_as_its_readers_write_them(write, tmp_path):
    folder = english_dutch_french(write)
    out, outbox = tmp_path / "out", tmp_path / "outbox"
    result = cohort(
        "certificates", folder, "-o", out, "--today", "2030-03-01", "--email", "--outbox", outbox
    )
    assert result.exit_code == 0, result
    cleo, anna, bert = (raw_text(out / f"{p}.pdf") for p in ("cleo", "anna", "bert"))
    # the rule in a sentence as each language writes it; in Dutch, after 'dat', the verb last
    for expected in (
        "This is to certify that Cleo Mertens attended the programme ‘Kleine leergroep’, "
        "organised by Leerhuis, and so meets its attendance rule (at least one meeting).",
        "0.75 hours",
        "Issued in Gent on 5 February 2030",
    ):
        assert expected in cleo, expected
    assert "meetings" not in cleo and "0,75" not in cleo
    for expected in (
        "Hierbij verklaren wij dat Anna Peeters Leerhuis heeft deelgenomen aan het programma "
        "‘Kleine leergroep’, georganiseerd door Leerhuis, en zo voldoet aan de "
        "aanwezigheidsregel van het programma (minstens één bijeenkomst).",
        "0,75 uur",
        "Verificatiecode: ",
    ):
        assert expected in anna, expected
    assert "was aanwezig" not in anna
    for expected in (
        f"Nous certifions que Bert Claes Leerhuis a participé au programme «{NNBSP}Kleine "
        f"leergroep{NNBSP}», organisé par Leerhuis, et satisfait ainsi à la règle de présence "
        "du programme (au moins une rencontre).",
        "0,75 heure",  # singular below 2
        f"Code de vérification{NNBSP}: ",
        "Fait à Gent, le 5 février 2030",
    ):
        assert expected in bert, expected
    assert "heures" not in bert and "rencontres" not in bert
    messages = {
        p.name.split(".")[1]: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in outbox.glob("*.eml")
    }
    assert str(messages["bert"]["Subject"]) == (f"Attestation de présence{NNBSP}: Kleine leergroep")
    assert str(messages["cleo"]["Subject"]) == "Certificate of attendance: Kleine leergroep"
    body = messages["cleo"].get_body(("plain",)).get_content()
    assert "for the programme ‘Kleine leergroep’: 1 meeting, 0.75 hours in all." in body
    body = messages["bert"].get_body(("plain",)).get_content()
    assert (
        f"attestation de présence au programme «{NNBSP}Kleine leergroep{NNBSP}»{NNBSP}: "
        "1 rencontre, 0,75 heure au total."
    ) in body
    # the code on a line of its own, and what it is for
    assert f"Code de vérification{NNBSP}: " in body
    assert "Il permet de confirmer l’authenticité de l’attestation" in body
    # signed by the organisation itself: its name once, not again under the signature
    assert body.replace("\r\n", "\n").endswith(
        "Bien cordialement,\nLeerhuis\nleerhuis@example.org\n"
    )


def test_the_footnote_says_plainly_what_a_full_day_counts(write, tmp_path):
    """Not 'Een dag van een bijeenkomst die de hele dag duurt, telt als 7 uur.'"""
    folder = english_dutch_french(write)
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        edit(text, '    start: "19:00"\n    end: "19:45"\n', "    all_day: true\n")
    )
    out = tmp_path / "out"
    result = cohort("certificates", folder, "-o", out, "--today", "2030-03-01")
    assert result.exit_code == 0, result
    cleo, anna, bert = (raw_text(out / f"{p}.pdf") for p in ("cleo", "anna", "bert"))
    assert "A full day counts as 7 hours." in cleo
    assert "Een volledige dag telt als 7 uur." in anna
    assert "Une journée complète compte pour 7 heures." in bert


def raw_text(pdf: Path) -> str:
    """The text of a PDF with its line breaks as spaces, and every other space as it is (a
    narrow no-break space stays one)."""
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    return re.sub(r"[ \n]+", " ", re.sub(r"\xad(?!\n)", "-", re.sub(r"\xad\n", "", text)))


def own_template(folder: Path, name: str, text: str) -> Path:
    path = folder / "templates" / "certificates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_an_error_in_a_typst_template_is_named_at_its_line_and_nothing_is_written(seed, tmp_path):
    folder = twente(seed)
    builtin = (Path(__file__).parent.parent / "templates/certificates/certificate.typ").read_text()
    broken = edit(builtin, "#v(1.2cm)\n#align(center)[", "#v(1.2cm)\n#foo(1)\n#align(center)[")
    path = own_template(folder, "certificate.typ", broken)
    line = broken[: broken.index("#foo(1)")].count("\n") + 1
    out = tmp_path / "out"
    result = certificates(folder, out)
    assert result.exit_code == 1
    assert f"{path}:{line}:1: error: certificate of 'fatima-elamrani': Typst could not " in (
        result.stderr
    )
    assert "unknown variable: foo" in result.stderr
    assert not out.exists() and not (folder / "certificate-secret.txt").exists()


def test_a_broken_mail_template_stops_the_run_before_anything_is_written(seed, tmp_path):
    folder = twente(seed)
    path = own_template(folder, "subject.txt", "{{ certificate.title }}\n")
    out, outbox = tmp_path / "out", tmp_path / "outbox"
    result = certificates(folder, out, "--email", "--outbox", outbox)
    assert result.exit_code == 1
    assert f"{path}:1:1: error: in template:" in result.stderr
    assert not out.exists() and not list(outbox.glob("*.eml"))
    assert not (folder / "certificate-secret.txt").exists()


def test_a_certificate_of_participation_verifies_and_says_what_it_is(seed, tmp_path):
    folder = twente(seed, extra="certificates:\n  partial: true\n")
    out = tmp_path / "out"
    assert certificates(folder, out, "--partial").exit_code == 0
    code = code_on(out / "lotte-brinkman.pdf")
    verified = cohort("certificates", "verify", code, folder, "--today", AFTER)
    assert verified.exit_code == 0
    assert "certificate of participation of Lotte Brinkman" in verified.stdout
    assert "not that they met the attendance rule" in verified.stdout
    assert "earlier rules" not in verified.stdout
    # the programme stops issuing them: the certificate is still genuine, and says so
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(edit(text, "  partial: true\n", "  partial: false\n"))
    later = cohort("certificates", "verify", code, folder, "--today", AFTER)
    assert later.exit_code == 0
    assert "issued under earlier rules: the programme no longer issues them" in later.stdout


def test_staff_get_no_certificate_of_participation(seed, tmp_path):
    folder = twente(seed, extra="certificates:\n  partial: true\n")
    record(folder, "bijeenkomst-1", "--present", "adedapo-facilitator", "--force")
    out, outbox = tmp_path / "out", tmp_path / "outbox"
    result = certificates(folder, out, "--partial", "--email", "--outbox", outbox)
    assert result.exit_code == 0, result
    assert not (out / "adedapo-facilitator.pdf").exists()
    assert "no certificate for Adedapo Okafor ('adedapo-facilitator'): not bound by the " in (
        result.stdout
    )
    issued = sorted(p.stem for p in out.glob("*.pdf"))
    assert issued == ["bram-kuipers", "fatima-elamrani", "gerrit-ten-have", "joost-meijer",
                      "lotte-brinkman", "sanne-visser"]  # fmt: skip
    # the summary counts exactly what was issued, and names each certificate of participation
    assert "wrote 6 certificate(s) to" in result.stdout
    assert "(4 of attendance, 2 of participation; 6 changed)" in result.stdout
    assert len(re.findall(r"certificate of participation for", result.stdout)) == 2
    assert sorted(p.name.split(".")[1] for p in outbox.glob("*.eml")) == issued


def test_the_report_counts_a_meeting_only_once_it_is_over(write, tmp_path):
    text = edit(
        SMALL, '    date: 2030-03-05\n    start: "19:00"\n    end: "21:00"\n',
        '    date: 2030-03-05\n    end_date: 2030-03-07\n    start: "09:00"\n    end: "17:00"\n',
    )  # fmt: skip
    folder = write(text)
    record(folder, "eerste", "--present", "anna,bert", "--today", "2030-03-05")
    record(folder, "tweede", "--present", "anna,bert", "--today", "2030-03-05")
    for day, held in (("2030-03-05", 1), ("2030-03-07", 2)):
        out = tmp_path / day
        result = cohort("report", folder, "-o", out, "--format", "json", "--today", day)
        assert result.exit_code == 0, result
        report = json.loads((out / "report.json").read_text())
        assert sum(m["held"] for m in report["meetings"]) == held, day
        issued = cohort("certificates", folder, "-o", tmp_path / f"c{day}", "--today", day)
        assert issued.exit_code == 0, issued
        assert len(list((tmp_path / f"c{day}").glob("*.pdf"))) == (2 if held == 2 else 0)
