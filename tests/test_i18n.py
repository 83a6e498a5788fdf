"""The words cohort hands to people exist in Dutch, French and English."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po
from conftest import ROOT

from cohort.i18n import LOCALE_DIR, Texts, fill, french_join
from cohort.programme.model import Kind, Role, Status


def extracted_messages(tmp_path):
    pot = tmp_path / "cohort.pot"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from babel.messages.frontend import main; main()",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(pot),
            "--no-location",
            "--sort-output",
            "--omit-header",
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot.open("rb")) if m.id}


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_message_in_the_code_is_translated(tmp_path, language):
    wanted = extracted_messages(tmp_path)
    catalog = read_po((LOCALE_DIR / language / "LC_MESSAGES" / "cohort.po").open("rb"))
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    assert sorted(wanted - translated) == [], (
        "pybabel update -i cohort/locale/cohort.pot -d cohort/locale -D cohort, then translate"
    )


def test_every_kind_status_and_role_has_a_word(tmp_path):
    for language in ("nl", "fr", "en"):
        texts = Texts(language)
        assert len({texts.kind(k) for k in Kind}) == len(Kind)
        assert len({texts.status(s) for s in Status}) == len(Status)
        assert len({texts.role(r) for r in Role}) == len(Role)


@pytest.mark.parametrize(
    ("language", "country", "expected"),
    [
        ("nl", "NL", "donderdag 22 februari 2024"),
        ("nl", "BE", "donderdag 22 februari 2024"),
        ("fr", "BE", "jeudi 22 février 2024"),
        ("en", None, "Thursday 22 February 2024"),
        ("fr", "NL", "jeudi 22 février 2024"),  # no fr_NL in CLDR: French as such
        ("en", "BE", "Thursday 22 February 2024"),
    ],
)
def test_dates_in_each_language(language, country, expected):
    assert Texts(language, country).date(dt.date(2024, 2, 22)) == expected


@pytest.mark.parametrize(
    ("language", "country", "full", "medium", "day"),
    [
        ("fr", "BE", "dimanche 1er mars 2020", "1er mars 2020", "dimanche 1er mars"),
        ("fr", None, "dimanche 1er mars 2020", "1er mars 2020", "dimanche 1er mars"),
        ("nl", "BE", "zondag 1 maart 2020", "1 mrt 2020", "zondag 1 maart"),
        # CLDR's en_BE writes '01 Mar 2020' and 'Sunday, 1 March': one English everywhere
        ("en", "BE", "Sunday 1 March 2020", "1 Mar 2020", "Sunday 1 March"),
        ("en", "NL", "Sunday 1 March 2020", "1 Mar 2020", "Sunday 1 March"),
    ],
)
def test_the_first_of_a_month(language, country, full, medium, day):
    """French writes '1er mars'; English the same way in a table and in a sentence."""
    texts = Texts(language, country)
    first = dt.date(2020, 3, 1)
    assert (texts.date(first), texts.date(first, "medium"), texts.day(first)) == (
        full,
        medium,
        day,
    )
    assert "er" not in Texts("fr").date(dt.date(2020, 3, 2))  # 'lundi 2 mars 2020'


def test_words_in_each_language():
    assert Texts("nl").kind(Kind.work_session) == "werksessie"
    assert Texts("fr").kind(Kind.work_session) == "séance de travail"
    assert Texts("en").kind(Kind.work_session) == "work session"
    assert Texts("fr").status(Status.cancelled) == "annulée"


def test_no_word_is_hidden_from_the_catalogs_in_an_f_string():
    """Babel cannot extract `_()` inside an f-string: such a word would never be translated."""
    import re

    pattern = re.compile(r"""f(["']).*\{[^}]*\b(_|gettext|ngettext)\(""")
    offenders = [
        f"{path.name}:{number}"
        for path in sorted((ROOT / "cohort").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("language", "start", "end", "all_day", "at", "expected"),
    [
        (
            "nl",
            (2024, 4, 9, 19, 0),
            (2024, 4, 9, 20, 30),
            False,
            True,
            "dinsdag 9 april 2024 van 19:00 tot 20:30",
        ),
        (
            "fr",
            (2024, 4, 9, 19, 0),
            (2024, 4, 9, 20, 30),
            False,
            True,
            "mardi 9 avril 2024 de 19\u202fh à 20\u202fh\u202f30",
        ),
        (
            "nl",
            (2024, 4, 9, 19, 0),
            (2024, 4, 9, 20, 30),
            False,
            False,
            "dinsdag 9 april 2024, 19:00–20:30",
        ),
        (
            "en",
            (2031, 6, 2, 10, 0),
            (2031, 6, 4, 16, 0),
            False,
            True,
            "from Monday 2 June 2031 at 10:00 to Wednesday 4 June 2031 at 16:00",
        ),
        (
            "en",
            (2024, 4, 9, 19, 0),
            (2024, 4, 9, 20, 30),
            False,
            True,
            "Tuesday 9 April 2024 from 19:00 to 20:30",
        ),
        (
            "fr",
            (2024, 4, 9, 13, 30),
            (2024, 4, 9, 17, 0),
            False,
            False,
            "mardi 9 avril 2024, 13\u202fh\u202f30 – 17\u202fh",
        ),
        (
            "fr",
            (2031, 6, 2, 9, 30),
            (2031, 6, 4, 16, 0),
            False,
            True,
            "du lundi 2 juin 2031 à 9\u202fh\u202f30 au mercredi 4 juin 2031 à 16\u202fh",
        ),
        (
            "nl",
            (2023, 9, 21, 0, 0),
            (2023, 9, 22, 0, 0),
            True,
            False,
            "donderdag 21 september 2023",
        ),
        (
            "fr",
            (2031, 6, 10, 0, 0),
            (2031, 6, 13, 0, 0),
            True,
            False,
            "mardi 10 juin 2031 – jeudi 12 juin 2031",
        ),
    ],
)
def test_when_a_meeting_takes_place_in_words(language, start, end, all_day, at, expected):
    """A range of times in a sentence reads 'van .. tot ..', 'de .. à ..', 'from .. to ..'."""
    period = Texts(language).period(dt.datetime(*start), dt.datetime(*end), all_day, at=at)
    assert period == expected


@pytest.mark.parametrize(
    ("moment", "nl", "fr", "en"),
    [
        ((9, 30), "09:30", "9\u202fh\u202f30", "09:30"),
        ((17, 0), "17:00", "17\u202fh", "17:00"),
        ((13, 5), "13:05", "13\u202fh\u202f05", "13:05"),
    ],
)
def test_times_as_each_language_writes_them(moment, nl, fr, en):
    """French typography on CLDR's hour pattern ('HH 'h''): '17 h', '9 h 30'."""
    time = dt.time(*moment)
    assert [Texts(language).time(time) for language in ("nl", "fr", "en")] == [nl, fr, en]
    assert Texts("fr", "BE").time(time) == fr


@pytest.mark.parametrize(
    ("before", "value", "joined"),
    [
        ("une rencontre de ", "Intervisiesessies", "une rencontre d’Intervisiesessies"),
        ("une rencontre de ", "Écoles en réseau", "une rencontre d’Écoles en réseau"),
        ("une rencontre de ", "histoire locale", "une rencontre d’histoire locale"),
        ("une rencontre de ", "Hôtel de ville", "une rencontre d’Hôtel de ville"),
        ("une rencontre de ", "hockey", "une rencontre de hockey"),  # h aspiré
        ("une rencontre de ", "Hasselt", "une rencontre de Hasselt"),
        ("une rencontre de ", "Het Netwerk", "une rencontre de Het Netwerk"),  # a Dutch h
        ("une rencontre de ", "Yves", "une rencontre d’Yves"),
        ("une rencontre de ", "yoga", "une rencontre de yoga"),  # y before a vowel
        ("une rencontre de ", "Brussels", "une rencontre de Brussels"),
        ("de ", "11 h", "de 11 h"),
        ("inscription à ", "Le Forum", "inscription au Forum"),
        ("inscription à ", "Les Ateliers", "inscription aux Ateliers"),
        ("une rencontre de ", "Les Broedplekken", "une rencontre des Broedplekken"),
        ("une rencontre de ", "Le Réseau", "une rencontre du Réseau"),
        ("une rencontre de ", "La Ruche", "une rencontre de La Ruche"),
        ("De ", "Anvers", "D’Anvers"),
        ("il faut que ", "il vienne", "il faut qu’il vienne"),
        ("inscription à ", "Atelier", "inscription à Atelier"),  # 'à' does not elide
    ],
)
def test_french_elides_and_contracts_where_a_value_follows(before, value, joined):
    assert "".join(french_join(before, value)) == joined


def test_a_message_is_filled_with_french_elision_only_in_french():
    message = "Nous vous invitons à une rencontre de %(programme)s (%(n)d places, 100%%)."
    values = {"programme": "Intervisiesessies", "n": 3}
    assert fill(message, values, "fr") == (
        "Nous vous invitons à une rencontre d’Intervisiesessies (3 places, 100%)."
    )
    assert fill(message, values, "nl") == message % values
    escaped = fill("rencontre de %(x)s", {"x": "Ateliers <b>"}, "fr", escape=html.escape)
    assert escaped == "rencontre d’Ateliers &lt;b&gt;"


def test_a_title_the_translation_quotes_has_its_own_quotes_turned():
    """A quote inside a quote is the other kind: ‘Lerend netwerk “ons buurtpunt”’ (nl, en),
    « Réseau apprenant “ons buurtpunt” » (fr); an apostrophe is no quote."""
    title = {"programme": "Lerend netwerk 'ons buurtpunt'"}
    assert fill("van ‘%(programme)s’.", title, "nl") == "van ‘Lerend netwerk “ons buurtpunt”’."
    assert fill("of ‘%(programme)s’.", title, "en") == "of ‘Lerend netwerk “ons buurtpunt”’."
    french = fill("du programme «\u202f%(programme)s\u202f».", title, "fr")
    assert french == "du programme «\u202fLerend netwerk “ons buurtpunt”\u202f»."
    typed = {"programme": "Réseau apprenant « ons buurtpunt »"}
    assert fill("«\u202f%(programme)s\u202f»", typed, "fr") == (
        "«\u202fRéseau apprenant “ons buurtpunt”\u202f»"
    )
    assert (
        fill("‘%(x)s’", {"x": "Partager l'espace, ’t Hof"}, "nl") == "‘Partager l'espace, ’t Hof’"
    )
    assert fill("“%(x)s”", {"x": 'Een ‘x’ en "y"'}, "en") == "“Een ‘x’ en ‘y’”"
    # not quoted by the translation: as the user wrote it
    assert fill("Titel: %(x)s", title | {"x": title["programme"]}, "nl") == (
        "Titel: Lerend netwerk 'ons buurtpunt'"
    )


def test_a_date_without_its_year():
    day = dt.date(2024, 4, 9)
    assert [Texts(language).day(day) for language in ("nl", "fr", "en")] == [
        "dinsdag 9 april",
        "mardi 9 avril",
        "Tuesday 9 April",
    ]


def test_the_french_catalogue_writes_one_style():
    """One French for the whole catalogue: the typographic apostrophe everywhere (no "L'invitation"
    beside "d’experts" in one e-mail), and the generic masculine throughout (no 'inscrit·e'
    beside 'Animateurs, organisateurs')."""
    catalog = read_po((LOCALE_DIR / "fr" / "LC_MESSAGES" / "cohort.po").open("rb"))
    for message in catalog:
        if not message.id:
            continue
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            assert "'" not in text, text
            assert not re.search(r"\w·\w", text), text
