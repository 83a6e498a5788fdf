"""What the people of the five example programmes receive, read as they read it: every e-mail
cohort writes for them, decoded as a mail client decodes it, holds none of the slips a native
reader caught (a double space in a subject, a title bare after a French preposition, '1 mars')."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from conftest import PROGRAMMES, SEEDS, cohort

#: a day well before each example's first meeting: every meeting is still to come
BEFORE = {
    "brein-festijn-2021": "2021-09-01",
    "brussels-broedplekken-2023": "2023-01-10",
    "ons-buurtpunt-2019": "2019-02-01",
    "optil-cultuurplekken-2025": "2024-12-10",
    "twente-cop-2024": "2024-01-10",
}


@pytest.fixture(scope="module")
def outboxes(tmp_path_factory) -> dict[str, Path]:
    """Each example copied and invited: its outbox of invitations, by the example's name."""
    boxes = {}
    for name in SEEDS:
        folder = tmp_path_factory.mktemp(name)
        shutil.copytree(PROGRAMMES / name, folder, dirs_exist_ok=True)
        today = BEFORE[name]
        env = {"COHORT_NOW": f"{today}T09:00:00Z"}
        result = cohort("invite", folder, "-o", folder / "outbox", "--today", today, env=env)
        assert result.exit_code == 0, result
        boxes[name] = folder / "outbox"
    return boxes


def messages(outboxes: dict[str, Path]) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for box in outboxes.values() for p in sorted(box.glob("*.eml"))]


def test_the_examples_are_all_invited(outboxes):
    assert set(outboxes) == set(BEFORE)
    assert len(messages(outboxes)) > 300


def test_no_subject_shows_a_double_space(outboxes):
    """A subject with a '—' used to fold as 'communicatie \\r\\n =?utf-8?b?4oCU?=': the space
    before the fold stays, and a client showed 'communicatie  — donderdag'."""
    for path, data in messages(outboxes):
        modern = str(email.message_from_bytes(data, policy=email.policy.default)["Subject"])
        legacy = email.message_from_bytes(data, policy=email.policy.compat32)["Subject"]
        decoded = str(make_header(decode_header(legacy)))
        assert modern == decoded, path.name
        assert "  " not in modern, (path.name, modern)
        assert " \u2014 " in modern, (path.name, modern)


def bodies(outboxes: dict[str, Path], language: str) -> dict[str, str]:
    """The plain text of every message in `language`, by file name."""
    found = {}
    for path, data in messages(outboxes):
        message = email.message_from_bytes(data, policy=email.policy.default)
        if message["Content-Language"] == language:
            found[path.name] = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    return found


def test_no_french_title_follows_a_bare_preposition(outboxes):
    """'une rencontre de « Intervisions des Broedplekken 2023 »' is no French: a title after
    'de' or 'à' is named with its article, 'une rencontre du programme « … »'."""
    french = bodies(outboxes, "fr")
    assert len(french) >= 10
    for name, text in french.items():
        assert not re.search(r"\b(?:de|à|pour|par|d’|d')\s?«", text), name
        if ".invitation." in name:
            assert "Nous vous invitons à une rencontre du programme «\u202f" in text, name


def test_the_deadline_is_the_last_day_to_register_and_says_how(outboxes):
    """The optil start: 'Schrijf je in vóór dinsdag 21 januari' read as a day too late, and the
    plain text printed a raw mailto: link; now the last day, the address and the subject."""
    box = outboxes["optil-cultuurplekken-2025"]
    dutch = bodies({"optil": box}, "nl")["bijeenkomst-2025-1.zottegem-arne.invitation.0.eml"]
    assert (
        "Schrijf je uiterlijk op dinsdag 21 januari 2025 in: mail naar cultuurplekken@example.org"
        " met als onderwerp ‘Inschrijving: Startbijeenkomst — cultuurplekken van morgen’."
    ) in dutch
    french = bodies({"optil": box}, "fr")["bijeenkomst-2025-1.ieper-charlotte.invitation.0.eml"]
    assert (
        "Inscrivez-vous au plus tard le mardi 21 janvier 2025\u202f: écrivez à "
        "cultuurplekken@example.org avec pour objet «\u202fInscription\u202f: Startbijeenkomst"
    ) in french
    for language in ("nl", "fr", "en"):
        for name, text in bodies(outboxes, language).items():
            assert "mailto:" not in text, name
            assert "vóór" not in text and "avant le" not in text, name


def test_every_letter_of_the_examples_greets_by_a_first_name(outboxes):
    """'Beste Thijs,' (his first_name: 'Oude Vrielink' is his surname), never a whole name
    where a reader would expect their first name."""
    for language, greeting in (("nl", "Beste "), ("fr", "Bonjour "), ("en", "Dear ")):
        for name, text in bodies(outboxes, language).items():
            first_line = text.splitlines()[0]
            assert first_line.startswith(greeting) and first_line.endswith(","), name
            assert len(first_line[len(greeting) : -1].split()) == 1, (name, first_line)
    twente = bodies({"twente": outboxes["twente-cop-2024"]}, "nl")
    assert twente["bijeenkomst-1.thijs-oude-vrielink.invitation.0.eml"].startswith("Beste Thijs,")


def test_a_title_with_quotes_reads_as_a_quote_inside_a_quote(outboxes):
    """'Lerend netwerk 'ons buurtpunt'' inside our quotes read ‘Lerend netwerk 'ons
    buurtpunt'’: its own quotes are now the other kind."""
    dutch = bodies({"buurtpunt": outboxes["ons-buurtpunt-2019"]}, "nl")
    assert dutch
    for name, text in dutch.items():
        if ".invitation." in name:
            assert (
                "Je bent uitgenodigd voor een bijeenkomst van ‘Lerend netwerk “ons buurtpunt”’."
            ) in text, name
