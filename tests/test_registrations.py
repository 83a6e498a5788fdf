"""`cohort registrations`: the facilitator of a study day with twenty places downloads the
registrations from pretix (or Eventbrite, a Google form, a Microsoft form), imports them,
and everyone gets the e-mail that matches where they stand: confirmed, waiting (with their
position), offered a freed place, the offer expired, cancelled; each exactly once."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from conftest import ROOT, cohort, edit
from exports import (
    Person,
    eventbrite_csv,
    google_csv,
    microsoft_xlsx,
    people,
    pretix_csv,
    pretix_xlsx,
)
from registering import (
    LATER,
    NOW,
    STUDY_DAY,
    at,
    export,
    invite,
    listed,
    mail,
    pid,
    read,
    register,
    statuses,
    study_day,
    text_of,
    waiting,
)
from servers import Mailbox, smtp_server

# -- reading the exports ---------------------------------------------------------------------


def test_pretix_in_english_and_in_german_gives_the_same_people(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(5), "en")))
    english = listed(folder)
    (folder / "registrations" / "studiedag.yaml").unlink()
    register(export(folder, "de.csv", pretix_csv(people(5), "de")))
    german = listed(folder)
    assert english == german
    assert list(english) == [pid(n) for n in range(5)]
    assert english[pid(0)] == {
        "name": "Deelnemer 00 Peeters",
        "email": "deelnemer00@example.org",
        "organisation": "Organisatie 0",
        "language": "nl",
        "key": "A0000-1",
        "order": "A0000",
        "registered": "2030-01-06T09:00:00+01:00",
        "status": "confirmed",
        "since": "2030-01-10T09:00:00+00:00",
        "step": 1,
        "confirmed": "2030-01-10T09:00:00+00:00",
    }


def test_a_pretix_workbook_is_read_from_its_order_positions_sheet(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(5), "en")))
    english = listed(folder)
    (folder / "registrations" / "studiedag.yaml").unlink()
    register(pretix_xlsx(folder / "exports" / "bestellingen.xlsx", people(5), "nl"))
    assert listed(folder) == english


def test_eventbrite_google_and_microsoft_give_the_same_people(write, tmp_path):
    folder = study_day(write)
    found = {}
    for name, make in (
        ("eventbrite.csv", lambda p: export(folder, "eventbrite.csv", eventbrite_csv(p))),
        ("google.csv", lambda p: export(folder, "google.csv", google_csv(p))),
        ("microsoft.xlsx", lambda p: microsoft_xlsx(folder / "exports" / "ms.xlsx", p, "nl")),
        ("microsoft-en.xlsx", lambda p: microsoft_xlsx(folder / "exports" / "en.xlsx", p, "en")),
    ):
        register(make(people(4)))
        found[name] = {
            p: (e["name"], e["email"], e["registered"], e.get("organisation"))
            for p, e in listed(folder).items()
        }
        (folder / "registrations" / "studiedag.yaml").unlink()
    assert len({repr(v) for v in found.values()}) == 1, found
    assert found["google.csv"][pid(3)] == (
        "Deelnemer 03 Peeters",
        "deelnemer03@example.org",
        "2030-01-06T09:03:00+01:00",
        "Organisatie 3",
    )


def test_an_export_nobody_knows_is_read_with_the_programmes_columns(write, tmp_path):
    text = edit(
        STUDY_DAY,
        "registration:\n  offer_hours: 48\n",
        "registration:\n  offer_hours: 48\n  columns:\n    name: Wie\n    email: Adres\n"
        "    registered: Wanneer\n    dietary: Dieet\n",
    )
    folder = study_day(write, text)
    file = export(
        folder,
        "eigen.csv",
        "Wanneer;Wie;Adres;Telefoon;Dieet;Toegankelijkheid\n"
        "06-01-2030 09:00;Anna Smet;anna@example.org;0470 00 00 00;vegetarisch;rolstoel\n"
        "06-01-2030 09:05;Bart Maes;bart@example.org;0470 11 11 11;;\n",
    )
    register(file)
    anna = listed(folder)["anna-smet"]
    assert anna["registered"] == "2030-01-06T09:00:00+01:00"
    assert anna["dietary"] == "vegetarisch"
    # only what the programme names is kept: no phone number, no accessibility answer
    stored = (folder / "registrations" / "studiedag.yaml").read_text()
    assert "0470" not in stored and "rolstoel" not in stored


def test_an_export_of_an_unknown_layout_says_what_to_do(write, tmp_path):
    folder = study_day(write)
    file = export(folder, "raar.csv", "Wie,Wat\nAnna,iets\n")
    result = cohort("registrations", "import", file, "--meeting", "studiedag", env=NOW)
    assert result.exit_code == 1
    assert "cannot tell which tool made this export" in result.stderr
    assert "registration: columns:" in result.stderr
    assert not (folder / "registrations").exists()


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff;;\n"])
def test_an_empty_export_is_said_to_be_empty(write, content):
    # also when the programme names columns: no 'its columns: ' listing nothing
    folder = study_day(
        write,
        edit(
            STUDY_DAY, "  offer_hours: 48\n", "  offer_hours: 48\n  columns:\n    dietary: Dieet\n"
        ),
    )
    file = export(folder, "leeg.csv", content)
    result = cohort("registrations", "import", file, "--meeting", "studiedag", env=NOW)
    assert result.exit_code == 1
    assert "leeg.csv: error: this export is empty (not even a row of headers)" in result.stderr
    assert not (folder / "registrations").exists()


def test_a_list_is_for_a_meeting_or_for_the_programme_not_both(write):
    folder = study_day(write)
    file = export(folder, "en.csv", pretix_csv(people(2), "en"))
    result = cohort(
        "registrations", "import", file, "--meeting", "studiedag", "--programme", env=NOW
    )
    assert result.exit_code == 2
    assert "for one meeting (--meeting ID) or for the whole programme (--programme), not both" in (
        result.stderr
    )


def test_control_characters_pasted_into_a_form_are_left_out_of_its_answers(write):
    folder = study_day(write)
    file = export(
        folder,
        "google.csv",
        "Timestamp,Email Address,Naam,Organisatie\n"
        '2030-01-06 09:15:03,a@example.org,"Anna\x0bSmet","Stad\x01 Gent\x07"\n',
    )
    register(file)
    anna = listed(folder)["anna-smet"]
    assert (anna["name"], anna["organisation"]) == ("Anna Smet", "Stad Gent")


def test_a_row_that_cannot_be_read_is_named_at_its_row_and_column_and_the_rest_imported(write):
    folder = study_day(write)
    rows = people(4)
    rows[1] = Person("Zonder Adres", "geen-adres", "2030-01-06", "09:01:00", "B0001")
    rows[2] = Person("Leeg Adres", "", "2030-01-06", "09:02:00", "B0002")
    file = export(folder, "en.csv", pretix_csv(rows, "en"))
    result = register(file)
    assert re.search(r"exports/en\.csv:3:19: warning: left out: .*geen-adres", result.stderr), (
        result.stderr
    )
    assert "exports/en.csv:4:19: warning: left out: a registration without an e-mail address" in (
        result.stderr
    )
    assert "4 row(s) read (pretix), 2 left out (see above), 2 new" in result.stdout
    assert list(listed(folder)) == [pid(0), pid(3)]


def test_an_export_of_which_no_row_can_be_read_imports_nothing(write):
    folder = study_day(write)
    rows = [Person(**{**p.__dict__, "email": ""}) for p in people(3)]
    file = export(folder, "en.csv", pretix_csv(rows, "en"))
    result = cohort("registrations", "import", file, "--meeting", "studiedag", env=NOW)
    assert result.exit_code == 1
    assert "none of the export's 3 row(s) can be read" in result.stderr
    assert not (folder / "registrations").exists()


def test_consent_is_honoured(write, tmp_path):
    folder = study_day(write)
    rows = people(3)
    rows[1] = Person(**{**rows[1].__dict__, "status": "canceled"})  # google_csv: no consent
    register(export(folder, "google.csv", google_csv(rows)))
    assert pid(1) not in listed(folder)
    assert "Deelnemer 01" not in (folder / "registrations" / "studiedag.yaml").read_text()
    # withdrawn later: the registration is erased (name and address too), the place freed
    register(export(folder, "google.csv", google_csv([rows[0], rows[1], *people(1, start=2)])))
    withdrawn = [Person(**{**rows[0].__dict__, "status": "canceled"}), *people(1, start=2)]
    result = register(export(folder, "google.csv", google_csv(withdrawn)))
    assert "1 registration(s) erased, consent withdrawn (Deelnemer 00 Peeters)" in result.stdout
    assert "not registered" not in result.stdout
    assert pid(0) not in listed(folder)
    stored = (folder / "registrations" / "studiedag.yaml").read_text()
    assert "Deelnemer 00" not in stored and "deelnemer00@" not in stored


# -- capacity and the waiting list ------------------------------------------------------------


def test_twenty_places_and_twenty_three_registrations(write, tmp_path):
    folder = study_day(write)
    result = register(export(folder, "en.csv", pretix_csv(people(23), "en")))
    assert "20 confirmed, 3 waiting" in result.stdout
    assert statuses(folder) == {
        "confirmed": [pid(n) for n in range(20)],
        "waiting": [pid(20), pid(21), pid(22)],
    }
    outbox = tmp_path / "outbox"
    result = invite(folder, outbox)
    assert waiting(outbox) == sorted(
        [f"studiedag.{pid(n)}.registration-confirmed.1.eml" for n in range(20)]
        + [f"studiedag.{pid(n)}.registration-waiting.1.eml" for n in (20, 21, 22)]
    )
    for position, n in enumerate((20, 21, 22), start=1):
        message = mail(outbox, f"studiedag.{pid(n)}.registration-waiting.1.eml")
        assert str(read(message)["Subject"]) == "Wachtlijst: Studiedag"
        assert f"op de wachtlijst, op nummer {position}." in text_of(message)
    confirmed = read(mail(outbox, f"studiedag.{pid(0)}.registration-confirmed.1.eml"))
    assert str(confirmed["Subject"]) == "Inschrijving bevestigd: Studiedag"
    assert str(confirmed["To"]) == "Deelnemer 00 Peeters <deelnemer00@example.org>"
    assert "dinsdag 5 februari 2030, 09:30–16:30" in text_of(
        mail(outbox, f"studiedag.{pid(0)}.registration-confirmed.1.eml")
    )
    # the confirmed get the calendar invitation too (a message of its own); nobody waiting does
    invitations = waiting(outbox, "invitation")
    assert f"studiedag.{pid(0)}.invitation.0.eml" in invitations
    assert not any(pid(n) in name for n in (20, 21, 22) for name in invitations)
    # and only to the study day: the work session is the network's
    assert not any(name.startswith(f"werksessie.{pid(0)}") for name in invitations)


def test_importing_twice_changes_nothing(write, tmp_path):
    folder = study_day(write)
    file = export(folder, "en.csv", pretix_csv(people(23), "en"))
    register(file)
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    before = (folder / "registrations" / "studiedag.yaml").read_bytes()
    messages = {p.name: p.read_bytes() for p in outbox.glob("*.eml")}
    result = register(file, env=LATER)
    assert "unchanged" in result.stdout and "0 new, 0 updated" in result.stdout
    assert (folder / "registrations" / "studiedag.yaml").read_bytes() == before
    invite(folder, outbox, env=LATER)
    assert {p.name: p.read_bytes() for p in outbox.glob("*.eml")} == messages


def test_one_cancellation_one_offer_and_each_e_mail_once(write, tmp_path):
    folder = study_day(write)
    rows = people(23)
    file = export(folder, "en.csv", pretix_csv(rows, "en"))
    register(file)
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        assert cohort("send", outbox, "--server", url, "--confirm", env=NOW).exit_code == 0
        assert len(mailbox.received) == 23 + 23  # registration e-mails, calendar invitations
        # participant 3 cancels in pretix; the export says so
        rows[3] = Person(**{**rows[3].__dict__, "status": "canceled"})
        result = register(export(folder, "en.csv", pretix_csv(rows, "en")), env=LATER)
        assert "1 cancelled, 1 offered" in result.stdout
        result = invite(folder, outbox, env=LATER)
        assert waiting(outbox) == [
            f"studiedag.{pid(3)}.registration-cancelled.2.eml",
            f"studiedag.{pid(20)}.registration-offered.2.eml",
        ]
        offer = mail(outbox, f"studiedag.{pid(20)}.registration-offered.2.eml")
        assert str(read(offer)["Subject"]) == "Er is een plaats voor je: Studiedag"
        assert "Het aanbod geldt 48 uur vanaf deze e-mail." in text_of(offer)
        # the calendar of the one who cancelled hears of it too
        assert f"studiedag.{pid(3)}.cancellation.1.eml" in waiting(outbox, "cancellation")
        assert cohort("send", outbox, "--server", url, "--confirm", env=LATER).exit_code == 0
        # again: nothing new
        register(export(folder, "en.csv", pretix_csv(rows, "en")), env=LATER)
        assert "0 message(s) due" in invite(folder, outbox, env=LATER).stdout
    subjects = [
        (to, str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"]))
        for _, to, raw in mailbox.received
    ]
    offers = [to for to, subject in subjects if subject.startswith("Er is een plaats voor je")]
    assert offers == [["deelnemer20@example.org"]]


def test_the_cancel_command_frees_a_place_too(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(21), "en")))
    result = cohort("registrations", "cancel", pid(0), "-C", folder, env=NOW)
    assert result.exit_code == 0, result
    assert statuses(folder)["offered"] == [pid(20)]
    assert statuses(folder)["cancelled"] == [pid(0)]
    again = cohort("registrations", "cancel", pid(0), "-C", folder, env=NOW)
    assert again.exit_code == 2 and "already cancelled" in again.stderr
    # someone confirmed gives up their place (as a declined calendar invitation will); nobody
    # waits any more, so the place stays free
    result = cohort("registrations", "decline", pid(1), "-C", folder, env=NOW)
    assert result.exit_code == 0, result
    assert statuses(folder)["declined"] == [pid(1)]
    assert "1 place(s) free" in result.stdout
    unknown = cohort("registrations", "accept", "niemand", "-C", folder, env=NOW)
    assert unknown.exit_code == 2 and "'niemand' is on no registration list" in unknown.stderr


def test_an_offer_that_expires_moves_on(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(23), "en")))
    assert cohort("registrations", "cancel", pid(0), "-C", folder, env=NOW).exit_code == 0
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        # the offer reaches its person a day later: its 48 hours start then
        assert cohort("send", outbox, "--server", url, "--confirm", env=LATER).exit_code == 0
        invite(folder, outbox, env=at("2030-01-11T09:05:00Z"))
        assert listed(folder)[pid(20)]["expires"] == "2030-01-13T09:00:00+00:00"
        # two days after it was delivered, the first waiting did not answer
        result = cohort("registrations", "status", folder, env=at("2030-01-13T10:00:00Z"))
        assert result.exit_code == 0, result
        assert "1 expired, 1 offered" in result.stderr
        assert "waiting list:\n      1. Deelnemer 22 Peeters" in result.stdout
        invite(folder, outbox, env=at("2030-01-13T10:00:00Z"))
        assert statuses(folder)["expired"] == [pid(20)]
        assert statuses(folder)["offered"] == [pid(21)]
        expired = mail(outbox, f"studiedag.{pid(20)}.registration-expired.3.eml")
        assert "tot zondag 13 januari 2030 om 10:00" in text_of(expired)
        assert "is de plaats naar de volgende op de wachtlijst gegaan" in text_of(expired)
        assert str(read(expired)["Subject"]) == "Aanbod verlopen: Studiedag"
        assert (mail(outbox, f"studiedag.{pid(21)}.registration-offered.2.eml")).exists()
        # the second accepts: confirmed, and invited
        accepted = cohort("registrations", "accept", pid(21), "-C", folder, env=LATER)
        assert accepted.exit_code == 0, accepted
        assert pid(21) in statuses(folder)["confirmed"]
        invite(folder, outbox, env=at("2030-01-13T11:00:00Z"))
    assert any(n.startswith(f"studiedag.{pid(21)}.invitation.") for n in waiting(outbox, "invit"))
    assert (mail(outbox, f"studiedag.{pid(21)}.registration-confirmed.3.eml")).exists()
    assert not (mail(outbox, f"studiedag.{pid(21)}.registration-offered.2.eml")).exists()


def test_an_eventbrite_order_of_two_is_promoted_only_when_two_places_are_free(write, tmp_path):
    folder = study_day(write)
    rows = people(20)
    pair = Person("Paar Janssens", "paar@example.org", "2030-01-06", "10:00:00", "E1", quantity=2)
    single = Person("Solo Smet", "solo@example.org", "2030-01-06", "10:05:00", "E2")
    register(export(folder, "eventbrite.csv", eventbrite_csv([*rows, pair, single])))
    assert statuses(folder)["waiting"] == ["paar-janssens", "solo-smet"]
    # one place frees: the pair is passed over (said why), the single is offered it
    result = cohort("registrations", "cancel", pid(0), "-C", folder, env=NOW)
    assert "skipped order E1: an order of 2 places, 1 free" in result.stdout
    assert statuses(folder)["offered"] == ["solo-smet"]
    assert statuses(folder)["waiting"] == ["paar-janssens"]
    # the single takes it; two more free up: now the pair is offered both
    cohort("registrations", "accept", "solo-smet", "-C", folder, env=NOW)
    cohort("registrations", "cancel", pid(1), pid(2), "-C", folder, env=NOW)
    assert statuses(folder)["offered"] == ["paar-janssens"]
    assert listed(folder)["paar-janssens"]["places"] == 2


def test_an_order_of_several_rows_stays_together(write, tmp_path):
    folder = study_day(write)
    together = [
        Person("Eerste Lid", "koper@example.org", "2030-01-06", "10:00:00", "P1", position=1),
        Person("Tweede Lid", "tweede@example.org", "2030-01-06", "10:00:00", "P1", position=2),
    ]
    register(export(folder, "en.csv", pretix_csv([*people(19), *together], "en")))
    # one place left for an order of two: both wait
    assert statuses(folder)["waiting"] == ["eerste-lid", "tweede-lid"]
    result = cohort("registrations", "status", folder, env=NOW)
    assert "1. Eerste Lid, Tweede Lid" in result.stdout
    assert "skipped: an order of 2 places, 1 free" in result.stdout


def test_existing_participants_are_matched_by_address(write, tmp_path):
    folder = study_day(write)
    lien = Person("Lien Lid-Verbeke", "LIEN@example.org", "2030-01-06", "08:00:00", "L1")
    kim = Person("Kim Kern", "kim@example.org", "2030-01-06", "08:01:00", "K1")
    result = register(export(folder, "en.csv", pretix_csv([lien, kim, *people(2)], "en")))
    # Lien is a participant of the network (not invited to the study day): her own id
    assert list(listed(folder)) == ["lid", pid(0), pid(1)]
    # Kim is invited by the programme already: she has her place
    assert "1 row(s) of people the programme already invites: left out" in result.stdout


def test_registered_guests_are_invited_to_their_meeting_only(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(2), "en")))
    result = cohort("schedule", folder, "--format", "json", env=NOW)
    meetings = {m["id"]: m for m in __import__("json").loads(result.stdout)["meetings"]}
    assert meetings["studiedag"]["invited"] == 3  # Kim and the two
    assert meetings["werksessie"]["invited"] == 2  # the network, as before
    assert cohort("validate", folder, "--strict", env=NOW).exit_code == 0


def test_a_programme_list_makes_participants(write, tmp_path):
    text = STUDY_DAY.replace("    capacity: 21\n    invited: [kern]\n", "")
    folder = study_day(write, text)
    result = cohort(
        "registrations",
        "import",
        export(folder, "en.csv", pretix_csv(people(40), "en")),
        "--programme",
        env=NOW,
    )
    assert result.exit_code == 0, result
    # 40 places at De Zaal, two of them the network's
    assert statuses(folder, "programme") == {
        "confirmed": [pid(n) for n in range(38)],
        "waiting": [pid(38), pid(39)],
    }
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    assert (outbox / f"werksessie.{pid(0)}.invitation.0.eml").exists()
    assert (outbox / f"studiedag.{pid(0)}.invitation.0.eml").exists()
    assert not (outbox / f"werksessie.{pid(38)}.invitation.0.eml").exists()
    assert "welkom!" in text_of(mail(outbox, f"netwerk.{pid(0)}.registration-confirmed.1.eml"))


def test_nothing_of_a_registration_is_published(write, tmp_path):
    text = edit(
        STUDY_DAY,
        "registration:\n  offer_hours: 48\n",
        "registration:\n  offer_hours: 48\n  columns:\n    dietary: Dietary requirements\n",
    )
    folder = study_day(write, text)
    rows = [Person(**{**p.__dict__, "dietary": "glutenvrij"}) for p in people(3)]
    register(export(folder, "en.csv", pretix_csv(rows, "en")))
    assert listed(folder)[pid(0)]["dietary"] == "glutenvrij"
    site = tmp_path / "site"
    assert cohort("build", folder, "-o", site, env=NOW).exit_code == 0
    # the personal feeds (their own, under an unguessable name) are not listed; no report
    # is built unless asked
    public = [p for p in site.rglob("*") if p.is_file() and "people" not in p.parts]
    for path in public:
        data = path.read_bytes()
        for secret in (b"Deelnemer 00", b"deelnemer00@", b"glutenvrij"):
            assert secret not in data, (path, secret)


def test_the_waiting_list_in_json_for_scripts(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(22), "en")))
    result = cohort("registrations", "status", folder, "--format", "json", env=NOW)
    data = __import__("json").loads(result.stdout)
    (studiedag,) = data["lists"]
    assert studiedag["counts"]["confirmed"] == 20
    assert [
        (r["id"], r["position"]) for r in studiedag["registrations"] if r["status"] == "waiting"
    ] == [
        (pid(20), 1),
        (pid(21), 2),
    ]


def test_a_programmes_own_template_is_used(write, tmp_path):
    folder = study_day(
        write,
        **{"templates__email__registration__waiting.txt": "Nummer {{ registration.position }}.\n"},
    )
    register(export(folder, "en.csv", pretix_csv(people(21), "en")))
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    assert (
        text_of(mail(outbox, f"studiedag.{pid(20)}.registration-waiting.1.eml")).strip()
        == "Nummer 1."
    )


@pytest.mark.parametrize(
    ("language", "subject", "said"),
    [
        (
            "en",
            "Waiting list: Studiedag",
            "Thank you for registering for the meeting ‘Studiedag’. All places are taken",
        ),
        (
            "fr",
            "Liste d’attente\u202f: Studiedag",
            # never 'à Studiedag': a title after a preposition is named with its article
            "Merci pour votre inscription à la rencontre «\u202fStudiedag\u202f». "
            "Toutes les places sont prises\u202f: vous êtes sur la liste d’attente",
        ),
    ],
)
def test_each_person_reads_their_own_language(write, tmp_path, language, subject, said):
    folder = study_day(write)
    rows = [Person(**{**p.__dict__, "locale": language}) for p in people(21)]
    register(export(folder, "en.csv", pretix_csv(rows, "en")))
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    message = read(mail(outbox, f"studiedag.{pid(20)}.registration-waiting.1.eml"))
    assert str(message["Subject"]) == subject
    assert said in text_of(mail(outbox, f"studiedag.{pid(20)}.registration-waiting.1.eml"))


def test_a_damaged_list_is_named_at_its_line(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(2), "en")))
    path = folder / "registrations" / "studiedag.yaml"
    path.write_text(path.read_text().replace('"status": "confirmed"', '"status": "maybe"', 1))
    result = cohort("validate", folder, env=NOW)
    assert result.exit_code == 1
    assert re.search(r"registrations/studiedag\.yaml:\d+:\d+: error: .*maybe", result.stderr)


def test_the_optil_example_closing_meeting_as_the_readme_shows_it(seed, tmp_path):
    folder = seed("optil-cultuurplekken-2025")
    outbox = tmp_path / "outbox"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### `cohort registrations import FILE") :]
    commands = section[section.index("```sh\n") + 6 : section.index("```\n\n```\n")]
    shown = section[section.index("```\n\n```\n") + 9 :]
    shown = shown[: shown.index("```")]
    here = "programmes/optil-cultuurplekken-2025"
    said = ""
    for line in commands.splitlines():
        words = line.replace(here, str(folder)).replace("optil-outbox", str(outbox)).split()
        result = cohort(*words[1:])
        assert result.exit_code == 0, (line, result)
        said += result.stdout
    assert said.replace(str(folder), here).replace(str(outbox), "optil-outbox") == shown
    env = {"COHORT_NOW": "2027-09-10T08:00:00Z"}
    ruben = mail(outbox, "bijeenkomst-2027-2.ruben-aerts.registration-waiting.1.eml")
    assert "Je bent ingeschreven in een bestelling van 2 plaatsen, die samen blijft" in text_of(
        ruben
    )
    marie = mail(outbox, "bijeenkomst-2027-2.marie-dubois.registration-confirmed.1.eml")
    assert str(read(marie)["Subject"]).startswith("Inscription confirmée\u202f: Slotbijeenkomst")
    # the sign-in sheet of the day has the registered with their organisation
    sheet = tmp_path / "sheet"
    assert (
        cohort(
            "attendance", "sheet", folder, "--meeting", "bijeenkomst-2027-2", "-o", sheet, env=env
        ).exit_code
        == 0
    )
    rows = (sheet / "bijeenkomst-2027-2-sheet.csv").read_text(encoding="utf-8-sig")
    assert "Hanne Wouters" in rows and "Cultuurdienst Lier" in rows
    assert "Yasmine Bouzid" not in rows


def test_a_list_written_by_hand_is_read_but_never_rewritten(write, tmp_path):
    folder = study_day(
        write,
        **{
            "registrations__studiedag.yaml": """\
                meeting: studiedag
                registrations:
                  anna:
                    name: Anna Smet
                    email: anna@example.org
                    key: anna@example.org
                    registered: 2030-01-06T09:00:00+01:00
                    status: confirmed
                    since: 2030-01-07T09:00:00+01:00
                    step: 1
                """
        },
    )
    result = cohort("schedule", folder, "--format", "json", env=NOW)
    meetings = {m["id"]: m for m in __import__("json").loads(result.stdout)["meetings"]}
    assert meetings["studiedag"]["invited"] == 2
    before = (folder / "registrations" / "studiedag.yaml").read_bytes()
    result = cohort(
        "registrations",
        "import",
        export(folder, "en.csv", pretix_csv(people(2), "en")),
        "--meeting",
        "studiedag",
        env=NOW,
    )
    assert result.exit_code == 1 and "was not written by cohort" in result.stderr
    assert (folder / "registrations" / "studiedag.yaml").read_bytes() == before
