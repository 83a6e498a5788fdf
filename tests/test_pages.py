"""What people read on paper and on the site, held word for word per language: the agenda a
participant pins up, the sign-in sheet at the door and the public page (golden files in
tests/golden/pages/<language>/, read and approved once; COHORT_UPDATE_GOLDEN=1 rewrites them
after a change that was read again)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import textwrap
from pathlib import Path

import pytest

from cohort.documents.build import index_page
from cohort.documents.printing import Printer
from cohort.programme.load import load

GOLDEN = Path(__file__).parent / "golden" / "pages"

#: One programme, worded in each language: an evening with items in parallel and a panel of
#: experts, staff among the invitees, a private coaching session, meetings over two years (one
#: of them past, one cancelled).
PROGRAMME = {
    "nl": dict(
        title="Lerend netwerk buurtwerk",
        meeting="Bijeenkomst 2 — samen sterker",
        what="We delen wat werkt in de buurt en zoeken samen antwoorden op jullie vragen.",
        prepare="Breng één vraag mee die je aan het panel wil stellen.",
        directions="Vijf minuten wandelen van station Gent-Sint-Pieters.",
        parking="Fietsenstalling aan de ingang; betaald parkeren op de Kouter.",
        welcome="Onthaal met koffie",
        rounds=("Tafel over vrijwilligers", "Tafel over financiering"),
        rooms=("Zaal A", "Zaal B"),
        panel="Panel: jullie vragen, onze antwoorden",
        expertise=("vzw-recht en verzekeringen", "subsidies en crowdfunding"),
        coaching="Coaching op maat",
        first="Startbijeenkomst",
        extra="Extra bijeenkomst",
    ),
    "fr": dict(
        title="Réseau apprenant travail de quartier",
        meeting="Rencontre 2 — plus forts ensemble",
        what="Nous partageons ce qui marche dans le quartier et cherchons ensemble des réponses "
        "à vos questions.",
        prepare="Apportez une question que vous aimeriez poser au panel.",
        directions="À cinq minutes à pied de la gare de Gand-Saint-Pierre.",
        parking="Parking vélos à l'entrée ; parking payant au Kouter.",
        welcome="Accueil et café",
        rounds=("Table sur les bénévoles", "Table sur le financement"),
        rooms=("Salle A", "Salle B"),
        panel="Panel : vos questions, nos réponses",
        expertise=("droit des ASBL et assurances", "subsides et financement participatif"),
        coaching="Coaching sur mesure",
        first="Rencontre de lancement",
        extra="Rencontre supplémentaire",
    ),
    "en": dict(
        title="Neighbourhood work learning network",
        meeting="Meeting 2 — stronger together",
        what="We share what works in the neighbourhood and look for answers to your questions "
        "together.",
        prepare="Bring one question you would like to ask the panel.",
        directions="Five minutes' walk from Gent-Sint-Pieters station.",
        parking="Bicycle racks at the entrance; paid parking on the Kouter.",
        welcome="Welcome and coffee",
        rounds=("Table on volunteers", "Table on funding"),
        rooms=("Room A", "Room B"),
        panel="Panel: your questions, our answers",
        expertise=("non-profit law and insurance", "grants and crowdfunding"),
        coaching="Coaching to measure",
        first="Kick-off",
        extra="Extra meeting",
    ),
}


def programme_text(language: str) -> str:
    w = {
        key: json.dumps(value, ensure_ascii=False)
        if isinstance(value, str)
        else [json.dumps(v, ensure_ascii=False) for v in value]
        for key, value in PROGRAMME[language].items()
    }
    return textwrap.dedent(
        f"""\
        id: buurtwerk
        title: {w["title"]}
        language: {language}
        timezone: Europe/Brussels
        organiser:
          name: Buurtwerk Gent
          email: buurtwerk@example.org
          phone: +32 9 000 00 00
        attendance:
          required: all
          kinds: work-session
        organisations:
          buurtwerk: {{name: Buurtwerk Gent}}
          buurthuis: {{name: Buurthuis De Knoop}}
          experten: {{name: Expertenpool}}
        participants:
          fien: {{name: Fien Maes, email: fien@example.org, organisation: buurtwerk,
                 role: facilitator}}
          anna: {{name: Anna Peeters, email: anna@example.org, organisation: buurthuis}}
          bert: {{name: Bert Claes, email: bert@example.org, organisation: buurthuis}}
          isabelle: {{name: Isabelle Pauwels, email: isabelle@example.org,
                     organisation: experten, role: expert, expertise: {w["expertise"][0]}}}
          dirk: {{name: Dirk Wuyts, email: dirk@example.org, organisation: experten,
                 role: expert, expertise: {w["expertise"][1]}}}
        venues:
          knoop:
            name: Buurthuis De Knoop
            address: Kerkstraat 1
            postcode: "9000"
            city: Gent
            directions: {w["directions"]}
            parking: {w["parking"]}
          online:
            name: Meet
            join_url: https://meet.example.org/buurtwerk
        meetings:
          eerste:
            title: {w["first"]}
            kind: work-session
            venue: knoop
            date: 2029-11-06
            start: "19:00"
            end: "21:00"
            invited: {{roles: [participant, facilitator]}}
          coaching-anna:
            title: {w["coaching"]}
            kind: coaching
            venue: online
            date: 2030-01-15
            start: "10:00"
            duration: 1h
            invited: [anna, fien]
          tweede:
            title: {w["meeting"]}
            kind: work-session
            venue: knoop
            date: 2030-02-05
            start: "19:00"
            end: "21:30"
            registration_deadline: 2030-01-29
            description: {w["what"]}
            preparation: {w["prepare"]}
            phone: +32 470 00 00 00
            agenda:
              - time: "19:00"
                title: {w["welcome"]}
                speaker: fien
              - time: "19:20"
                title: {w["rounds"][0]}
                room: {w["rooms"][0]}
              - time: "19:20"
                title: {w["rounds"][1]}
                room: {w["rooms"][1]}
              - time: "20:30"
                title: {w["panel"]}
                panel: [isabelle, dirk]
          derde:
            title: {w["extra"]}
            kind: work-session
            venue: knoop
            date: 2030-03-05
            start: "19:00"
            end: "21:00"
            status: cancelled
        """
    )


def golden(language: str, name: str, actual: str) -> None:
    path = GOLDEN / language / name
    if os.environ.get("COHORT_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def loaded(tmp_path: Path, language: str):
    folder = tmp_path / language
    folder.mkdir()
    (folder / "programme.yaml").write_text(programme_text(language), encoding="utf-8")
    result = load(folder)
    assert result.programme is not None, result.report
    return folder, result.programme


def without_qr(source: str) -> str:
    """The QR code's SVG is a long picture, not words: one placeholder stands for it."""
    return re.sub(
        r'image\(bytes\(".*?"\), format: "svg"', 'image(bytes("<qr>"), format: "svg"', source
    )


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_agenda_reads_as_approved(tmp_path, language):
    folder, programme = loaded(tmp_path, language)
    printer = Printer(folder, programme)
    golden(language, "agenda.typ", without_qr(printer.agenda_source(programme.meetings["tweede"])))
    assert printer.agenda_pdf(programme.meetings["tweede"]).startswith(b"%PDF")


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_sign_in_sheet_reads_as_approved(tmp_path, language):
    folder, programme = loaded(tmp_path, language)
    printer = Printer(folder, programme)
    golden(language, "sheet.typ", printer.sheet_source(programme.meetings["tweede"]))
    assert printer.sheet_pdf(programme.meetings["tweede"]).startswith(b"%PDF")


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_public_page_reads_as_approved(tmp_path, language):
    folder, programme = loaded(tmp_path, language)
    page = index_page(
        folder, programme, agendas=True, link_report=False, today=dt.date(2029, 12, 1)
    )
    golden(language, "index.html", page)
    assert "coaching" not in page.casefold() and "meet.example.org" not in page


#: The badges of the site and the agenda, in each language: sentence case, all of them.
BADGES = {
    "nl": {"past": "Afgelopen", "next": "Volgende bijeenkomst", "cancelled": "Geannuleerd"},
    "fr": {"past": "A eu lieu", "next": "Prochaine rencontre", "cancelled": "Annulée"},
    "en": {"past": "Took place", "next": "Next meeting", "cancelled": "Cancelled"},
}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_every_badge_reads_in_sentence_case(tmp_path, language):
    """A past, the next and a cancelled meeting are marked alike on the site, and the
    cancelled one on its agenda too: a capital first, the rest as the language writes it
    (no style turns them into capitals)."""
    folder, programme = loaded(tmp_path, language)
    page = index_page(folder, programme, True, False, dt.date(2029, 12, 1))
    badges = dict(re.findall(r'<span class="badge (\w+)">([^<]*)</span>', page))
    assert badges == BADGES[language]
    assert "text-transform" not in page
    cancelled = BADGES[language]["cancelled"]
    printer = Printer(folder, programme)
    assert f'<p class="cancelled">{cancelled}</p>' in printer.agenda_html(
        programme.meetings["derde"]
    )
    assert f'weight: "bold")[{cancelled}]' in printer.agenda_source(programme.meetings["derde"])


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_bilingual_brussels_page_reads_as_approved(seed, language):
    """The Brussels example is written in Dutch and French: its page in each, the French one
    at fr/index.html, each linking to the other (hreflang), with its own agendas and feed."""
    from cohort.records.workspace import load_checked

    checked = load_checked(seed("brussels-broedplekken-2023"))
    assert checked.programme.published_in == ("nl", "fr")
    page = index_page(
        checked.folder, checked.programme, True, False, dt.date(2023, 3, 15), language
    )
    golden(language, "brussels.html", page)


#: The subscription and the download, each said as it is, in each language.
SUBSCRIBE = {
    "nl": ("Abonneren", "(wijzigingen volgen dan vanzelf)", "Kalender downloaden (.ics)"),
    "fr": (
        "S’abonner",
        "(les changements suivent alors d’eux-mêmes)",
        "Télécharger le calendrier (.ics)",
    ),
    "en": ("Subscribe", "(changes then follow by themselves)", "Download the calendar (.ics)"),
}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_only_the_subscription_promises_that_changes_follow(tmp_path, language):
    """A downloaded calendar is a copy: the words that changes follow by themselves stand
    next to the subscription, never before both links."""
    folder, programme = loaded(tmp_path, language)
    text = (folder / "programme.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "attendance:", "calendar:\n  base_url: https://buurtwerk.example.org/\nattendance:"
    )
    (folder / "programme.yaml").write_text(text, encoding="utf-8")
    programme = load(folder).programme
    assert programme is not None
    page = index_page(folder, programme, True, False, dt.date(2029, 12, 1))
    subscribe, follow, download = (
        re.escape(w).replace("'", "(?:'|&#39;)") for w in SUBSCRIBE[language]
    )
    sentence = re.search(r'<section class="subscribe">\s*<p>(.*?)</p>', page, re.S)
    assert sentence is not None
    assert re.fullmatch(
        rf"[^<]*:\s*<a href=\"webcal://[^\"]+\">{subscribe}</a>\s*{follow} · "
        rf"<a href=\"[^\"]+\" download>{download}</a>",
        sentence.group(1).strip(),
    ), sentence.group(1)
