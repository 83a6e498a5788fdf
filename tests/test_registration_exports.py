"""Reading registration exports as the tools really make them: a consent question answered in
sentences, in pretix and Eventbrite too; columns the programme names (and one it names wrongly);
a secretariat registering colleagues from one address; Microsoft Forms people sign in to; a
US-locale Google Sheet; pretix in French, and an organiser's export of several events."""

from __future__ import annotations

import re

from conftest import cohort, edit
from exports import Person, eventbrite_csv, people, pretix_csv, pretix_rows
from registering import NOW, STUDY_DAY, export, listed, register, statuses, study_day

GOOGLE_HEAD = "Timestamp,Email Address,Naam,Mogen we je gegevens bewaren? (toestemming)\n"


def columns(text: str) -> str:
    """The study day with `text` added under `registration:`."""
    return edit(
        STUDY_DAY, "registration:\n  offer_hours: 48\n", "registration:\n  offer_hours: 48\n" + text
    )


# -- consent: only a clear yes -----------------------------------------------------------------


def test_a_consent_refused_in_a_sentence_is_no_consent(write):
    folder = study_day(write)
    file = export(
        folder,
        "google.csv",
        GOOGLE_HEAD
        + '2030/01/06 9:15:03 AM GMT+1,a@example.org,Anna Akkoord,"Ja, ik geef toestemming"\n'
        + '2030/01/06 9:20:03 AM GMT+1,b@example.org,Bert Weigert,"Nee, ik geef geen toestemming"\n'
        + '2030/01/06 9:25:03 AM GMT+1,c@example.org,Chris Non,"Non, je refuse"\n'
        + '2030/01/06 9:26:03 AM GMT+1,d@example.org,Dirk No,"No, I do not consent"\n'
        + "2030/01/06 9:27:03 AM GMT+1,e@example.org,Eva Punt,Nee.\n"
        + "2030/01/06 9:28:03 AM GMT+1,f@example.org,Fien Vaag,Misschien later\n",
    )
    result = register(file)
    assert list(listed(folder)) == ["anna-akkoord"]
    assert "5 row(s) without consent: not registered" in result.stdout
    # only the answer that is neither a yes nor a plain no is reported, where it stands
    assert re.search(
        r"google\.csv:7:4: warning: the consent answer 'Misschien later' is not a yes cohort "
        r"knows: no consent",
        result.stderr,
    ), result.stderr
    assert "Nee, ik geef geen" not in result.stderr
    stored = (folder / "registrations" / "studiedag.yaml").read_text()
    for refused in ("Bert", "Chris", "Dirk", "Eva", "Fien"):
        assert refused not in stored


def test_a_forms_own_yes_is_named_in_the_programme(write):
    folder = study_day(write, columns("  consent_answers:\n    - Ja hoor, bewaar maar\n"))
    file = export(
        folder,
        "google.csv",
        GOOGLE_HEAD
        + '2030/01/06 9:15:03 AM GMT+1,a@example.org,Anna Akkoord,"Ja hoor, bewaar maar"\n',
    )
    register(file)
    assert list(listed(folder)) == ["anna-akkoord"]


def pretix_with_question(question: str, answers: list[str]) -> str:
    """A pretix export whose event asks a question (where pretix puts questions)."""
    rows = pretix_rows(people(len(answers)), "en")
    at = rows[0].index("Dietary requirements")
    rows[0][at] = question
    for row, answer in zip(rows[1:], answers, strict=True):
        row[at] = answer
    return "".join(",".join(f'"{c}"' if "," in c else c for c in row) + "\r\n" for row in rows)


def test_a_consent_question_in_pretix_is_honoured(write):
    folder = study_day(write)
    question = "Ik geef toestemming voor het gebruik van mijn gegevens"
    file = export(folder, "pretix.csv", pretix_with_question(question, ["Yes", "No", "Yes"]))
    result = register(file)
    assert list(listed(folder)) == ["deelnemer-00-peeters", "deelnemer-02-peeters"]
    assert "1 row(s) without consent: not registered" in result.stdout


def test_a_consent_question_in_eventbrite_is_honoured(write):
    folder = study_day(write)
    content = eventbrite_csv(people(2))
    head, first, second = content.splitlines()
    content = "\r\n".join(
        [head + ",I consent to my data being kept", first + ",Yes", second + ",", ""]
    )
    register(export(folder, "eventbrite.csv", content))
    assert list(listed(folder)) == ["deelnemer-00-peeters"]


def test_the_programme_names_the_consent_column_of_any_tool(write):
    folder = study_day(write, columns("  columns:\n    consent: Dietary requirements\n"))
    rows = [
        Person(**{**p.__dict__, "dietary": answer})
        for p, answer in zip(people(2), ["Oui", ""], strict=True)
    ]
    register(export(folder, "pretix.csv", pretix_csv(rows, "en")))
    assert list(listed(folder)) == ["deelnemer-00-peeters"]


# -- the columns a programme names ------------------------------------------------------------


def test_a_column_the_export_does_not_have_is_an_error_with_the_closest_header(write):
    folder = study_day(write, columns("  columns:\n    name: Naam\n    dietary: Dieet\n"))
    file = export(
        folder,
        "form.csv",
        "Timestamp,Email Address,Naam deelnemer,Dieetwensen,Link\n"
        "2030/01/06 9:15:03 AM GMT+1,a@example.org,Anna Smet,vegan,https://x.example/?secret=1\n",
    )
    result = cohort("registrations", "import", file, "--meeting", "studiedag", env=NOW)
    assert result.exit_code == 1
    assert re.search(
        r"programme\.yaml:\d+:\d+: error: registration: columns: name names the column 'Naam', "
        r"which the export does not have \(form\.csv\) \(did you mean 'Naam deelnemer'\?\)",
        result.stderr,
    ), result.stderr
    assert "columns: dietary names the column 'Dieet'" in result.stderr
    assert not (folder / "registrations").exists()


def test_a_column_is_named_by_its_letter_only_when_written_as_one(write):
    folder = study_day(write, columns("  columns:\n    name: {column: C}\n    dietary: D\n"))
    file = export(
        folder,
        "form.csv",
        "Timestamp,Email Address,Wie ben je,D\n"
        "2030/01/06 9:15:03 AM GMT+1,a@example.org,Anna Smet,vegan\n",
    )
    register(file)
    assert listed(folder)["anna-smet"]["dietary"] == "vegan"
    bad = study_day(write, columns("  columns:\n    name: {column: C1}\n"))
    result = cohort("validate", bad, env=NOW)
    assert result.exit_code == 1 and "'C1' is not a column letter" in result.stderr


# -- one address, several people ---------------------------------------------------------------


def test_a_secretariat_registering_three_colleagues_registers_three_people(write):
    folder = study_day(write)
    file = export(
        folder,
        "google.csv",
        "Timestamp,Email Address,Naam deelnemer,Organisatie\n"
        "2030/01/06 9:15:03 AM GMT+1,secretariaat@example.org,Collega Eén,Stad X\n"
        "2030/01/06 9:20:03 AM GMT+1,secretariaat@example.org,Collega Twee,Stad X\n"
        "2030/01/06 9:25:03 AM GMT+1,secretariaat@example.org,Collega Drie,Stad X\n",
    )
    result = register(file)
    assert "3 row(s) read (google), 3 new" in result.stdout
    assert list(listed(folder)) == ["collega-een", "collega-twee", "collega-drie"]
    assert (
        "secretariaat@example.org is the address of 3 people (Collega Eén, Collega Twee, "
        "Collega Drie)" in result.stdout
    )
    # the same export again: the same three people, nothing new
    assert "0 new, 0 updated" in register(file).stdout


def test_a_form_sent_again_by_the_same_person_counts_once_and_is_said(write):
    folder = study_day(write)
    file = export(
        folder,
        "google.csv",
        "Timestamp,Email Address,Naam,Dieetwensen\n"
        "2030/01/06 9:15:03 AM GMT+1,anna@example.org,Anna Smet,\n"
        "2030/01/06 9:45:03 AM GMT+1,anna@example.org,Anna Smet,vegan\n",
    )
    result = register(file)
    assert "2 row(s) read (google), 1 new" in result.stdout
    assert "google.csv:3:2: warning: Anna Smet <anna@example.org> sent the form again" in (
        result.stderr
    )
    assert listed(folder)["anna-smet"]["registered"] == "2030-01-06T09:15:03+01:00"


# -- Microsoft Forms ---------------------------------------------------------------------------


def microsoft(path, head: list[str], rows: list[list[object]]):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_microsoft_form_people_sign_in_to_gives_their_name_and_address(write):
    import datetime as dt

    folder = study_day(write)
    (folder / "exports").mkdir()
    done = dt.datetime(2030, 1, 6, 9, 3, 12)
    head = [
        "Id",
        "Begintijd",
        "Tijdstip van voltooien",
        "E-mail",
        "Naam",
        "Tijdstip van laatste wijziging",
        "Organisatie",
    ]
    rows = [
        [1, done, done, "kim@example.be", "Kim Wouters", None, "Stad Aalst"],
        [2, done, done + dt.timedelta(minutes=5), "jo@example.be", "Jo Peeters", done, "Stad Gent"],
    ]
    register(microsoft(folder / "exports" / "nl.xlsx", head, rows))
    assert {
        pid: (e["name"], e["email"], e.get("organisation")) for pid, e in listed(folder).items()
    } == {
        "kim-wouters": ("Kim Wouters", "kim@example.be", "Stad Aalst"),
        "jo-peeters": ("Jo Peeters", "jo@example.be", "Stad Gent"),
    }
    (folder / "registrations" / "studiedag.yaml").unlink()
    french = ["ID", "Heure de début", "Heure de fin", "Adresse de messagerie", "Nom", "Langue"]
    rows = [[1, done, done, "claire@example.be", "Claire Dubois", "Français"]]
    register(microsoft(folder / "exports" / "fr.xlsx", french, rows))
    assert listed(folder)["claire-dubois"]["language"] == "fr"


# -- dates -------------------------------------------------------------------------------------


def test_a_us_locale_sheet_is_read_month_first(write):
    folder = study_day(write)
    file = export(
        folder,
        "google.csv",
        "Timestamp,Email Address,Full name\n"
        "1/6/2030 9:15:03 AM,us1@example.org,Us One\n"
        "1/7/2030 8:00:00 PM,us2@example.org,Us Two\n"
        "1/9/2030 8:00:00 AM,us3@example.org,Us Three\n",
    )
    register(file)
    assert [e["registered"] for e in listed(folder).values()] == [
        "2030-01-06T09:15:03+01:00",
        "2030-01-07T20:00:00+01:00",
        "2030-01-09T08:00:00+01:00",
    ]


def test_one_mistyped_date_does_not_turn_the_column_around(write):
    # Day first, one row typed a month ahead (1 February, after today): read month first, the
    # other three would be in June to September and the column would run in time.
    folder = study_day(write)
    file = export(
        folder,
        "google.csv",
        "Timestamp,Email Address,Full name\n"
        "01/02/2030 10:00:00,typo@example.org,Tom Typo\n"
        "06/01/2030 09:15:03,a@example.org,Anna Smet\n"
        "07/01/2030 09:15:03,b@example.org,Bert Smet\n"
        "09/01/2030 09:15:03,c@example.org,Cas Smet\n",
    )
    result = register(file)
    assert [e["registered"] for e in listed(folder).values()] == [
        "2030-01-06T09:15:03+01:00",
        "2030-01-07T09:15:03+01:00",
        "2030-01-09T09:15:03+01:00",
    ]
    assert "google.csv:2:1: warning: left out: registered 2030-02-01 10:00, after today" in (
        result.stderr
    )


def test_a_registration_dated_after_today_is_reported_and_left_out(write):
    folder = study_day(write)
    file = export(
        folder,
        "google.csv",
        "Timestamp,Email Address,Full name\n"
        "2030-01-06 09:15:03,a@example.org,Anna Smet\n"
        "2030-01-12 09:15:03,b@example.org,Bert Later\n",
    )
    result = register(file)
    assert list(listed(folder)) == ["anna-smet"]
    assert "google.csv:3:1: warning: left out: registered 2030-01-12 09:15, after today" in (
        result.stderr
    )


# -- pretix in French, and an organiser's export -------------------------------------------------

FRENCH = [
    "Titre de l'événement", "Nom de l'événement", "Code de commande", "ID de la position",
    "Statut", "E-Mail", "Numéro de téléphone", "Date de commande", "Heure de commande",
    "Nom du participant", "E-mail du participant", "Entreprise du participant",
    "Langue de la commande",
]  # fmt: skip


def french_workbook(path, statuses: list[str]):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Commandes"
    book.active.append(["Code de commande", "Statut"])
    sheet = book.create_sheet("Position de commande")
    sheet.append(FRENCH)
    for n, status in enumerate(statuses):
        sheet.append(
            ["studiedag", "Studiedag", f"F{n:03d}", 1, status, f"f{n}@example.org", "",
             "2030-01-06", f"09:{n:02d}:00", f"Personne {n} Dupont", f"f{n}@example.org",
             "Ville de Liège", "fr"]
        )  # fmt: skip
    book.create_sheet("Frais de commande")
    book.save(path)
    return path


def test_pretix_in_french_cancels_with_its_own_words(write):
    folder = study_day(write)
    (folder / "exports").mkdir()
    statuses_ = ["payé", "annulé", "expiré", "annulée", "en attente"]
    register(french_workbook(folder / "exports" / "pretix-fr.xlsx", statuses_))
    assert statuses(folder) == {
        "confirmed": ["personne-0-dupont", "personne-4-dupont"],
        "cancelled": ["personne-1-dupont", "personne-2-dupont", "personne-3-dupont"],
    }


def test_a_workbook_whose_sheet_is_not_found_names_its_sheets(write):
    from openpyxl import Workbook

    folder = study_day(write)
    (folder / "exports").mkdir()
    book = Workbook()
    book.active.title = "Commandes"
    book.active.append(["Code de commande", "Statut"])
    book.create_sheet("Positions (export)").append(FRENCH)
    book.save(folder / "exports" / "x.xlsx")
    result = cohort(
        "registrations", "import", folder / "exports" / "x.xlsx", "--meeting", "studiedag", env=NOW
    )
    assert result.exit_code == 1
    assert (
        "sheet 'Commandes' of a workbook with the sheets 'Commandes', 'Positions (export)'"
        in result.stderr
    )
    assert "'Position de commande'" in result.stderr


def test_an_organisers_export_of_several_events_asks_which_one(write):
    folder = study_day(write)
    rows = pretix_rows(people(4), "en")
    slug = rows[0].index("Event slug")
    rows[3][slug] = rows[4][slug] = "andere-dag"
    file = export(folder, "pretix.csv", "".join(",".join(row) + "\r\n" for row in rows))
    result = cohort("registrations", "import", file, "--meeting", "studiedag", env=NOW)
    assert result.exit_code == 2
    assert "holds the registrations of 2 events ('studiedag', 'andere-dag')" in result.stderr
    assert "--event SLUG" in result.stderr
    assert not (folder / "registrations").exists()
    result = register(file, "--event", "studiedag")
    assert "2 row(s) read (pretix), 2 new" in result.stdout
    assert list(listed(folder)) == ["deelnemer-00-peeters", "deelnemer-01-peeters"]
    wrong = cohort(
        "registrations", "import", file, "--meeting", "studiedag", "--event", "studiedg", env=NOW
    )
    assert wrong.exit_code == 2 and "did you mean 'studiedag'?" in wrong.stderr


# -- Eventbrite's quantity ---------------------------------------------------------------------


def test_an_eventbrite_order_in_attendee_rows_counts_a_place_per_row(write):
    folder = study_day(write)
    rows = [
        Person("Bob Koper", "bob@example.org", "2030-01-06", "10:00:00", "E1", quantity=2),
        Person("Carol Gast", "carol@example.org", "2030-01-06", "10:00:00", "E1", quantity=2),
        Person("Solo Smet", "solo@example.org", "2030-01-06", "10:05:00", "E2", quantity=2),
    ]
    register(export(folder, "eventbrite.csv", eventbrite_csv(rows)))
    places = {pid: e.get("places", 1) for pid, e in listed(folder).items()}
    # the order of two in two rows holds two places, not four; one row for two holds two
    assert places == {"bob-koper": 1, "carol-gast": 1, "solo-smet": 2}
