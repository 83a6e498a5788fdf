"""What people read in their e-mail, per language: a bilingual Brussels programme writes to a
Dutch, a French and an English reader; each gets an invitation (telling a speaker what they
present), an update that says what changed, and a cancellation, in their own language with the
programme's texts in that language too. The words are held in golden files, read and approved
once; write them again with COHORT_UPDATE_GOLDEN=1 after an intended change, and read the diff."""

from __future__ import annotations

import email
import email.policy
import os
from pathlib import Path

import pytest
from conftest import cohort, edit
from icalendar import Calendar
from servers import Mailbox, smtp_server

GOLDEN = Path(__file__).parent / "golden" / "email"
NOW = {"COHORT_NOW": "2030-03-01T09:00:00Z", "COHORT_SMTP_BACKOFF": "0"}
LATER = {"COHORT_NOW": "2030-03-10T09:00:00Z", "COHORT_SMTP_BACKOFF": "0"}

PROGRAMME = """\
id: broedplekken
title:
  nl: Intervisiesessies Broedplekken
  fr: Intervisions des incubateurs
  en: Breeding grounds intervision
language: nl
timezone: Europe/Brussels
country: BE
organiser:
  name: Architecture Workroom Brussels
  email: broedplekken@example.org
calendar:
  domain: broedplekken.example.org
organisations:
  kanaalhuis:
    name: {nl: Broedplek Kanaalhuis, fr: Incubateur Kanaalhuis}
participants:
  an:
    name: An Peeters
    email: an@example.org
    organisation: kanaalhuis
  benoit:
    name: Benoît Dubois
    email: benoit@example.org
    language: fr
    role: expert
    expertise: {nl: vzw-recht, fr: droit des ASBL, en: non-profit law}
  chris:
    name: Chris Taylor
    email: chris@example.org
    language: en
venues:
  kanaalhuis:
    name: {nl: Broedplek Kanaalhuis, fr: Incubateur Kanaalhuis}
    address: {nl: Havenlaan 12, fr: Avenue du Port 12}
    postcode: "1000"
    city: {nl: Brussel, fr: Bruxelles, en: Brussels}
    accessibility:
      nl: Gelijkvloers, rolstoeltoegankelijk.
      fr: De plain-pied, accessible en fauteuil roulant.
      en: Step-free, wheelchair accessible.
    directions:
      nl: Vijf minuten wandelen van metrostation Ribaucourt.
      fr: À cinq minutes à pied de la station de métro Ribaucourt.
      en: Five minutes' walk from Ribaucourt metro station.
    parking:
      nl: Fietsenstalling op de binnenkoer.
      fr: Parking vélos dans la cour.
      en: Bicycle racks in the courtyard.
  de-koer:
    name: {nl: Broedplek De Koer, fr: Incubateur De Koer}
    address: {nl: Ninoofsesteenweg 140, fr: Chaussée de Ninove 140}
    postcode: "1080"
    city: {nl: Sint-Jans-Molenbeek, fr: Molenbeek-Saint-Jean}
themes:
  inbedding:
    title:
      nl: Sociaal-ruimtelijke inbedding
      fr: Ancrage socio-spatial
      en: Social and spatial embedding
meetings:
  sessie-1:
    title: {nl: Intervisie 1, fr: Intervision 1, en: Intervision 1}
    kind: intervision
    themes: inbedding
    venue: kanaalhuis
    date: 2030-04-02
    start: "13:30"
    end: "17:00"
    registration_deadline: 2030-03-26
    preparation:
      nl: Breng één vraag mee over je eigen Broedplek.
      fr: Apportez une question sur votre propre incubateur.
      en: Bring one question about your own breeding ground.
    description:
      nl: We leren elkaars Broedplek kennen en kiezen de vragen voor de volgende sessies.
      fr: Nous découvrons l'incubateur de chacun et choisissons les questions des sessions.
      en: We get to know each other's breeding ground and choose the questions for the sessions.
    agenda:
      - time: "13:30"
        title: {nl: Onthaal, fr: Accueil, en: Welcome}
      - time: "14:00"
        title:
          nl: Het Kanaalhuis stelt zich voor
          fr: Présentation du Kanaalhuis
          en: The Kanaalhuis introduces itself
        speaker: an
      - time: "14:45"
        title:
          nl: Een onthaalbalie inrichten
          fr: Aménager un accueil
          en: Setting up a welcome desk
        speaker: benoit
      - time: "15:30"
        title:
          nl: Verbinders in de wijk
          fr: Les relais dans le quartier
          en: Connectors in the neighbourhood
        speaker: chris
        room: {nl: Zaal 1, fr: Salle 1, en: Room 1}
      - time: "15:30"
        title: {nl: Ruimte delen, fr: Partager l'espace, en: Sharing space}
        room: {nl: Zaal 2, fr: Salle 2, en: Room 2}
      - time: "16:15"
        title: {nl: Vragen aan het panel, fr: Questions au panel, en: Questions to the panel}
        panel: [benoit]
  sessie-2:
    title: {nl: Intervisie 2, fr: Intervision 2, en: Intervision 2}
    kind: intervision
    venue: kanaalhuis
    date: 2030-04-09
    start: "19:00"
    end: "20:30"
  sessie-3:
    title: {nl: Intervisie 3, fr: Intervision 3, en: Intervision 3}
    kind: intervision
    venue: kanaalhuis
    date: 2030-04-16
    start: "19:00"
    end: "20:30"
"""

READERS = {"nl": "an", "fr": "benoit", "en": "chris"}
MESSAGES = {
    "invitation": "sessie-1.{who}.invitation.0.eml",
    "update": "sessie-2.{who}.update.1.eml",
    "cancellation": "sessie-3.{who}.cancellation.1.eml",
}


def _invite(folder: Path, outbox: Path, env: dict[str, str]) -> None:
    result = cohort("invite", folder, "-o", outbox, "--today", "2030-03-01", env=env)
    assert result.exit_code == 0, result


@pytest.fixture(scope="module")
def outbox(tmp_path_factory) -> Path:
    """Invited and delivered; then the second session moves (day, time, venue) and the third
    is cancelled, and cohort writes the update and the cancellation."""
    folder = tmp_path_factory.mktemp("broedplekken")
    (folder / "programme.yaml").write_text(PROGRAMME)
    box = folder.parent / "outbox"
    _invite(folder, box, NOW)
    with smtp_server(Mailbox()) as url:
        sent = cohort("send", box, "--server", url, "--confirm", env=NOW)
    assert "sent 9," in sent.stdout, sent
    text = edit(
        PROGRAMME,
        '    venue: kanaalhuis\n    date: 2030-04-09\n    start: "19:00"\n    end: "20:30"',
        '    venue: de-koer\n    date: 2030-04-11\n    start: "19:30"\n    end: "21:00"',
    )
    text = edit(text, "    date: 2030-04-16\n", "    date: 2030-04-16\n    status: cancelled\n")
    (folder / "programme.yaml").write_text(text)
    _invite(folder, box, LATER)
    return box


def shown(path: Path) -> tuple[str, str]:
    """What the reader sees: the subject, the plain text and the calendar's own words (summary,
    place, description); and the HTML body."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    calendar = "\n".join(
        f"{name}: {event[name]}" for name in ("SUMMARY", "LOCATION", "DESCRIPTION") if name in event
    )
    head = f"Subject: {message['Subject']}\nContent-Language: {message['Content-Language']}\n"
    text = f"{head}\n{plain}\n--- calendar ---\n{calendar}\n"
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


@pytest.mark.parametrize("kind", sorted(MESSAGES))
@pytest.mark.parametrize("language", sorted(READERS))
def test_each_reader_reads_their_own_language(outbox, language, kind):
    name = MESSAGES[kind].format(who=READERS[language])
    found = outbox / name if (outbox / name).exists() else outbox / "sent" / name
    text, html = shown(found)
    for suffix, actual in ((".txt", text), (".html", html)):
        golden = GOLDEN / language / f"{kind}{suffix}"
        if os.environ.get("COHORT_UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(actual, encoding="utf-8")
        assert actual == golden.read_text(encoding="utf-8"), golden


def test_a_french_participant_of_the_brussels_programme_reads_it_in_french(seed, tmp_path):
    """The bilingual example: Femke reads French (participants.yaml), the programme is Dutch;
    her e-mail and her personal feed carry the French texts, the programme feed the Dutch."""
    folder = seed("brussels-broedplekken-2023")
    env = {"COHORT_NOW": "2023-01-10T09:00:00Z"}
    result = cohort("invite", folder, "-o", tmp_path / "outbox", "--today", "2023-01-10", env=env)
    assert result.exit_code == 0, result
    (path, *_) = sorted((tmp_path / "outbox").glob("*.femke-janssens.invitation.0.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(("plain",)).get_content()
    assert (
        "Nous vous invitons à une rencontre du programme "
        "«\u202fIntervisions des Broedplekken 2023\u202f»." in body
    )
    assert "Intervision" in str(message["Subject"])
    assert "Intervisie" not in body
    # her table, by its French name (the groups file says 'Tafel 2', as the facilitator reads)
    assert "Votre groupe\u202f: Table 2, avec " in body and "Tafel" not in body
    assert body.startswith("Bonjour Femke,\r\n")
    feeds = tmp_path / "calendars"
    assert cohort("calendar", folder, "-o", feeds, env=env).exit_code == 0
    (mine,) = (feeds / "people").glob("femke-janssens-*.ics")
    text = mine.read_text()
    assert "Chaussée de" in text or "Avenue du Port" in text or "Boulevard Anspach" in text
    assert "Intervisions des Broedplekken 2023" in text
    programme_feed = (feeds / "programme.ics").read_text()
    assert "Intervisiesessies Broedplekken 2023" in programme_feed
    assert "Intervisions des Broedplekken" not in programme_feed


GREETED = """\
id: greetings
title: Lerend netwerk
language: nl
organiser: {name: Leerhuis, email: leerhuis@example.org}
venues:
  zaal: {name: De Zaal, address: Kerkstraat 1, city: Gent}
participants:
  mieke: {name: Maria Janssens, first_name: Mieke, email: mieke@example.org}
  bart: {name: Bart De Smet, email: bart@example.org}
  jan-pieter: {name: Jan Pieter Janssens, email: jp@example.org}
  dokter: {name: Dr. Anna Peeters, email: anna@example.org}
  peeters: {name: PEETERS Jan, email: jan@example.org}
  chloe: {name: Chloé Dubois, email: chloe@example.org, language: fr}
  chris: {name: Chris Taylor, email: chris@example.org, language: en}
meetings:
  eerste:
    title: Eerste bijeenkomst
    venue: zaal
    date: 2030-04-02
    start: "19:00"
    end: "21:00"
"""


def test_a_letter_greets_by_the_first_name_where_it_can_tell_it(write, tmp_path):
    """'Beste Jan,', 'Dear Jan,', 'Bonjour Jan,': by `first_name` when given, else by the first
    word of the name where that is the first name beyond doubt; else by the whole name."""
    folder = write(GREETED)
    outbox = tmp_path / "outbox"
    result = cohort("invite", folder, "-o", outbox, env=NOW)
    assert result.exit_code == 0, result
    expected = {
        "mieke": "Beste Mieke,",
        "bart": "Beste Bart,",
        "jan-pieter": "Beste Jan Pieter Janssens,",
        "dokter": "Beste Dr. Anna Peeters,",
        "peeters": "Beste PEETERS Jan,",
        "chloe": "Bonjour Chloé,",
        "chris": "Dear Chris,",
    }
    for person, greeting in expected.items():
        path = outbox / f"eerste.{person}.invitation.0.eml"
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message.get_body(("plain",)).get_content().splitlines()[0] == greeting
        assert f"<p>{greeting}</p>" in message.get_body(("html",)).get_content()


def test_a_speaker_reads_their_parts_in_the_order_of_the_day_with_the_room(tmp_path):
    """Chris sits on a panel at 13:30 and presents at 15:30 in Room 1, in parallel with Room
    2: the panel comes first, and the room is said (it used to be left out, and the panel line
    came after the later talk)."""
    folder = tmp_path / "programme"
    folder.mkdir()
    text = edit(
        PROGRAMME,
        "        title: {nl: Onthaal, fr: Accueil, en: Welcome}\n",
        "        title: {nl: Onthaal, fr: Accueil, en: Welcome}\n        panel: [chris]\n",
    )
    (folder / "programme.yaml").write_text(text)
    _invite(folder, tmp_path / "outbox", NOW)
    path = tmp_path / "outbox" / "sessie-1.chris.invitation.0.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert (
        "You sit on the expert panel at 13:30 (‘Welcome’).\n"
        "You present ‘Connectors in the neighbourhood’ at 15:30, Room 1.\n"
    ) in plain
    html = message.get_body(("html",)).get_content()
    assert html.index("expert panel at 13:30") < html.index("at 15:30, Room 1.")
