"""The lists over time, as a facilitator lives them: an offer that cannot run out before it
reached anyone, and runs once it did (or may have), whichever outbox it went from; looking that
changes nothing; one person, one place; someone who cancelled and comes back; a meeting that is
over or cancelled; a list started over; a list of tens of thousands; and the words of each
e-mail."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

from conftest import cohort, edit
from exports import Person, eventbrite_csv, people, pretix_csv
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
    register,
    statuses,
    study_day,
    text_of,
    waiting,
)
from servers import Mailbox, Scripted, scripted_server, smtp_server

# -- an offer's clock --------------------------------------------------------------------------


def place_offered(write, tmp_path) -> tuple[Path, Path]:
    """The study day full with two waiting; the first confirmed cancels, so the first waiting
    is offered the place: its e-mail written into the outbox, not sent."""
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(22), "en")))
    assert cohort("registrations", "cancel", pid(0), "-C", folder, env=NOW).exit_code == 0
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    return folder, outbox


def expires(folder: Path, person: str) -> dt.datetime:
    """When the offer to `person` runs out, as the list says."""
    return dt.datetime.fromisoformat(str(listed(folder)[person]["expires"]))


def test_an_offer_nobody_received_does_not_run_out(write, tmp_path):
    folder, outbox = place_offered(write, tmp_path)
    # nobody ran 'cohort send': a week later the offer still holds, and nothing expired
    result = invite(folder, outbox, env=at("2030-01-17T09:00:00Z"))
    assert statuses(folder)["offered"] == [pid(20)]
    assert not any("expired" in name for name in waiting(outbox))
    assert "registration e-mail" in result.stdout
    status = cohort("registrations", "status", folder, env=at("2030-01-17T09:00:00Z"))
    assert "('deelnemer-20-peeters'), its e-mail not delivered yet" in (status.stdout)


def test_an_offer_runs_from_its_delivery_and_ends_when_the_meeting_starts(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(22), "en")))
    # three days before the study day (5 February, 09:30), a place frees
    eve = at("2030-02-03T12:00:00Z")
    assert cohort("registrations", "cancel", pid(0), "-C", folder, env=eve).exit_code == 0
    outbox = tmp_path / "outbox"
    invite(folder, outbox, env=eve)
    offer = mail(outbox, f"studiedag.{pid(20)}.registration-offered.2.eml")
    assert (
        "Het aanbod geldt tot dinsdag 5 februari 2030 om 09:30, wanneer de bijeenkomst begint."
        in text_of(offer)
    )
    with smtp_server(Mailbox()) as url:
        sent = at("2030-02-04T12:00:00Z")
        assert cohort("send", outbox, "--server", url, "--confirm", env=sent).exit_code == 0
    invite(folder, outbox, env=at("2030-02-04T12:05:00Z"))
    # 48 hours from the delivery would be 6 February: it ends when the meeting starts
    assert listed(folder)[pid(20)]["expires"] == "2030-02-05T09:30:00+01:00"


def test_an_offer_delivered_from_another_outbox_runs_and_is_not_written_again(write, tmp_path):
    folder, first = place_offered(write, tmp_path)
    with smtp_server(Mailbox()) as url:
        sent = at("2030-01-10T10:00:00Z")
        assert cohort("send", first, "--server", url, "--confirm", env=sent).exit_code == 0
    # the next day the facilitator writes into another outbox (a typo in -o, another computer):
    # the programme's record says the offer was delivered, so its hours run from then
    second = tmp_path / "elsewhere" / "outbox"
    invite(folder, second, env=LATER)
    assert expires(folder, pid(20)) == dt.datetime(2030, 1, 12, 10, 0, tzinfo=dt.UTC)
    assert waiting(second) == []


def test_an_offer_that_may_have_arrived_runs_and_is_not_written_again(write, tmp_path):
    folder, outbox = place_offered(write, tmp_path)
    offer = f"studiedag.{pid(20)}.registration-offered.2.eml"
    # the connection drops after the offer went out: it may have arrived
    with scripted_server(Scripted({"deelnemer20@example.org": ["drop after data"]})) as url:
        result = cohort("send", outbox, "--server", url, "--confirm", env=at("2030-01-10T10:00Z"))
    assert "uncertain 1," in result.stdout
    invite(folder, outbox, env=LATER)
    # counted as received: its hours run from then, and it is neither written again nor
    # taken out (it waits for the facilitator to settle it)
    assert expires(folder, pid(20)) == dt.datetime(2030, 1, 12, 10, 0, tzinfo=dt.UTC)
    assert waiting(outbox) == [offer]


# -- looking changes nothing -------------------------------------------------------------------


def test_looking_at_the_lists_changes_nothing(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(22), "en")))
    assert cohort("registrations", "cancel", pid(0), "-C", folder, env=NOW).exit_code == 0
    path = folder / "registrations" / "studiedag.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            '"status": "offered"', '"status": "offered", "expires": "2030-01-11T09:00:00Z"'
        )
    )
    before = path.read_bytes()
    for args in ((), ("--today", "2030-01-20"), ("--format", "json")):
        result = cohort("registrations", "status", folder, *args, env=at("2030-01-20T09:00:00Z"))
        assert result.exit_code == 0, result
        assert path.read_bytes() == before
    # what it shows is how the list would stand, said as such
    assert "1 expired" in result.stderr and "not kept" in result.stderr
    assert statuses(folder)["offered"] == [pid(20)]


# -- one person, one place ---------------------------------------------------------------------


def test_one_person_holds_one_place_however_often_they_register(write, tmp_path):
    folder = study_day(write)
    jan = [
        Person("Jan Janssens", "jan@example.org", "2030-01-06", "09:00:00", "X001"),
        Person("Jan Janssens", "jan@example.org", "2030-01-06", "10:00:00", "X002"),
        Person("jan janssens", "JAN@Example.org", "2030-01-06", "11:00:00", "X003"),
    ]
    result = register(export(folder, "en.csv", pretix_csv([*jan, *people(2)], "en")))
    assert list(listed(folder)) == ["jan-janssens", pid(0), pid(1)]
    assert listed(folder)["jan-janssens"]["key"] == "X001-1"
    assert "2 second registration(s) of people already on the list: left out" in result.stdout
    assert re.search(
        r"en\.csv:3:19: warning: Jan Janssens <jan@example\.org> registered again; their "
        r"registration of 2030-01-06 09:00 \(X001-1\) stands",
        result.stderr,
    ), result.stderr
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    assert len([n for n in waiting(outbox) if "jan-janssens" in n]) == 1
    assert len([n for n in waiting(outbox, "invitation") if "jan-janssens" in n]) == 1


def test_an_eventbrite_order_under_the_buyers_name_twice_holds_one_place(write):
    folder = study_day(write)
    bob = [
        Person("Bob Koper", "bob@example.org", "2030-01-06", "10:00:00", "E1"),
        Person("Bob Koper", "bob@example.org", "2030-01-06", "10:00:00", "E1"),
    ]
    result = register(export(folder, "eventbrite.csv", eventbrite_csv(bob)))
    assert list(listed(folder)) == ["bob-koper"]
    assert "a second place of order E1 under the name and address of Bob Koper" in result.stderr
    assert "whom the other place is for" in result.stderr


def test_someone_who_cancelled_and_registers_again_joins_the_end_of_the_queue(write, tmp_path):
    folder = study_day(write)
    rows = people(21)
    register(export(folder, "en.csv", pretix_csv(rows, "en")))
    rows[0] = Person(**{**rows[0].__dict__, "status": "canceled"})
    register(export(folder, "en.csv", pretix_csv(rows, "en")))
    assert statuses(folder)["offered"] == [pid(20)]
    # they change their mind and order again, after two more registered
    again = Person(**{**rows[0].__dict__, "order": "Z0000", "day": "2030-01-09", "status": "paid"})
    later = people(2, day="2030-01-08", start=30)
    result = register(export(folder, "en.csv", pretix_csv([*rows, *later, again], "en")))
    assert "1 registered again after their registration ended (Deelnemer 00 Peeters (was " in (
        result.stdout
    )
    assert list(listed(folder))[-1] == pid(0)
    assert listed(folder)[pid(0)]["key"] == "Z0000-1"
    assert listed(folder)[pid(0)]["status"] == "waiting"
    assert listed(folder)[pid(0)]["position"] == 3
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    waits = mail(outbox, f"studiedag.{pid(0)}.registration-waiting.3.eml")
    assert "op nummer 3" in text_of(waits)
    # the next import of the same export changes nothing (the cancelled order stays cancelled)
    result = register(export(folder, "en.csv", pretix_csv([*rows, *later, again], "en")))
    assert "0 new, 0 updated" in result.stdout and "unchanged" in result.stdout


# -- a meeting that is over ----------------------------------------------------------------------


def test_nothing_is_registered_or_said_about_a_meeting_that_is_over(write, tmp_path):
    folder = study_day(write)
    file = export(folder, "en.csv", pretix_csv(people(22), "en"))
    register(file)
    after = at("2030-02-06T09:00:00Z")  # the day after the study day; COHORT_TODAY not set
    outbox = tmp_path / "outbox"
    invite(folder, outbox, env=after)
    assert waiting(outbox) == []
    assert not [n for n in waiting(outbox, "invitation") if n.startswith("studiedag.")]
    late = cohort("registrations", "import", file, "--meeting", "studiedag", env=after)
    assert late.exit_code == 1 and "began on 2030-02-05 at 09:30" in late.stderr
    cancel = cohort("registrations", "cancel", pid(0), "-C", folder, env=after)
    assert cancel.exit_code == 2 and "began" in cancel.stderr
    # e-mails written before and not sent are taken out once the meeting began
    cohort("registrations", "cancel", pid(0), "-C", folder, env=NOW)
    invite(folder, outbox)
    assert mail(outbox, f"studiedag.{pid(20)}.registration-offered.2.eml").exists()
    invite(folder, outbox, env=after)
    assert waiting(outbox) == []


def test_nobody_is_told_they_have_a_place_at_a_cancelled_meeting(write, tmp_path):
    folder = study_day(write)
    file = export(folder, "en.csv", pretix_csv(people(22), "en"))
    register(file)
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    assert len(waiting(outbox)) == 22  # 20 confirmed, 2 waiting: not sent yet
    meetings = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        edit(meetings, "    capacity: 21\n", "    capacity: 21\n    status: cancelled\n")
    )
    result = invite(folder, outbox)
    assert waiting(outbox) == []  # taken out before anyone read "you have a place"
    assert "registration" not in result.stdout
    status = cohort("registrations", "status", folder, env=NOW)
    assert "closed: studiedag (Studiedag) is cancelled; the list stands as it was" in (
        status.stderr
    )
    late = cohort("registrations", "import", file, "--meeting", "studiedag", env=NOW)
    assert late.exit_code == 1 and "studiedag (Studiedag) is cancelled" in late.stderr
    cancel = cohort("registrations", "cancel", pid(0), "-C", folder, env=NOW)
    assert cancel.exit_code == 2 and "is cancelled" in cancel.stderr
    assert listed(folder)[pid(0)]["status"] == "confirmed"


def test_a_place_told_that_may_have_arrived_is_kept_when_the_meeting_is_cancelled(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(22), "en")))
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    # the connection drops after one confirmation went out (the calendar invitation went
    # first, well): it may have arrived
    faults = {"deelnemer05@example.org": ["", "drop after data"]}
    with scripted_server(Scripted(faults)) as url:
        assert "uncertain 1," in cohort("send", outbox, "--server", url, "--confirm").stdout
    meetings = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        edit(meetings, "    capacity: 21\n", "    capacity: 21\n    status: cancelled\n")
    )
    invite(folder, outbox)
    # taken out of the queue (never sent again, not even with --resend-uncertain), and its
    # record kept in sent/
    assert waiting(outbox) == []
    kept = [p.name for p in (outbox / "sent").glob(f"studiedag.{pid(5)}.registration-*.eml")]
    assert len(kept) == 1
    journal = (outbox / "journal.jsonl").read_text().splitlines()
    assert json.loads([line for line in journal if kept[0] in line][-1])["event"] == "superseded"


def test_a_registration_after_the_deadline_is_reported_and_left_out(write):
    text = edit(
        STUDY_DAY, "    capacity: 21\n", "    capacity: 21\n    registration_deadline: 2030-01-06\n"
    )
    folder = study_day(write, text)
    rows = [*people(2), *people(1, day="2030-01-07", start=2)]
    result = register(export(folder, "en.csv", pretix_csv(rows, "en")))
    assert list(listed(folder)) == [pid(0), pid(1)]
    assert "after the registration deadline (2030-01-06): left out" in result.stderr
    assert "1 row(s) registered after the registration deadline" in result.stdout


# -- a list started over -----------------------------------------------------------------------


def test_a_list_started_over_is_not_taken_for_the_earlier_one(write, tmp_path):
    folder = study_day(write)
    rows = people(22)
    file = export(folder, "en.csv", pretix_csv(rows, "en"))
    register(file)
    cohort("registrations", "cancel", pid(0), "-C", folder, env=NOW)
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    with smtp_server(Mailbox()) as url:
        assert cohort("send", outbox, "--server", url, "--confirm", env=NOW).exit_code == 0
    # the facilitator moves the list away and imports the export again
    kept = tmp_path / "studiedag.yaml"
    shutil.move(folder / "registrations" / "studiedag.yaml", kept)
    register(file, env=LATER)
    refused = cohort("invite", folder, "-o", outbox, env=LATER)
    assert refused.exit_code == 1
    assert "started a new list" in refused.stderr and "--list-restarted" in refused.stderr
    assert waiting(outbox) == []
    # told that it was on purpose: everyone hears where they now stand (nothing is taken for
    # an e-mail of the earlier list), and it is not asked again
    result = invite(folder, outbox, "--list-restarted", env=LATER)
    assert len(waiting(outbox)) == 22, result
    assert mail(outbox, f"studiedag.{pid(0)}.registration-confirmed.1.eml").exists()
    assert invite(folder, outbox, env=LATER).exit_code == 0
    # putting the earlier file back is the other way
    shutil.copy(kept, folder / "registrations" / "studiedag.yaml")
    assert invite(folder, outbox, env=LATER).exit_code == 0


# -- a very long list --------------------------------------------------------------------------


def test_a_list_larger_than_a_programme_file_is_read_back(write, tmp_path):
    from cohort.records.registrations import Entry, Registrations, store_record

    folder = study_day(write)
    entry = {
        "name": "Persoon Met Een Lange Naam",
        "email": "persoon@example.org",
        "organisation": "Organisatie met een naam van enige lengte",
        "dietary": "Geen gluten, geen lactose, geen noten; graag een vegetarische maaltijd " * 3,
        "registered": "2030-01-06T09:00:00+01:00",
        "status": "waiting",
        "since": "2030-01-10T09:00:00+00:00",
        "step": 1,
        "position": 1,
    }
    many = {
        f"persoon-{n}": Entry.model_validate({**entry, "key": f"K{n:06d}-1"}) for n in range(25_000)
    }
    store_record(folder, Registrations(meeting="studiedag", registrations=many), "test")
    assert (folder / "registrations" / "studiedag.yaml").stat().st_size > 10 * 1024 * 1024
    result = cohort("registrations", "status", folder, "--format", "json", env=NOW)
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["lists"][0]["registrations"]) == 25_000


def test_cohort_refuses_to_write_a_list_it_could_not_read(write, monkeypatch):
    from cohort.errors import CohortError, Report
    from cohort.records import registrations

    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(3), "en")))
    monkeypatch.setattr(registrations, "MAX_RECORD_BYTES", 1000)
    stored = registrations.read(folder / "registrations" / "studiedag.yaml", Report())
    assert stored.record is not None
    try:
        registrations.store_record(folder, stored.record.model_copy(update={"tool": "x"}), "t")
    except CohortError as err:
        assert "more than cohort keeps in one list" in str(err)
        assert "include" not in str(err)
    else:
        raise AssertionError("written")


# -- a later export without the cancelled orders -----------------------------------------------


def test_registrations_missing_from_a_later_export_are_named_with_what_to_do(write):
    folder = study_day(write)
    rows = people(4)
    register(export(folder, "en.csv", pretix_csv(rows, "en")))
    # pretix's default export ('Only paid orders'): the cancelled order is simply not there
    result = register(export(folder, "en.csv", pretix_csv(rows[:2], "en")))
    assert (
        "2 registration(s) on the list are not in this export (Deelnemer 02 Peeters, "
        "Deelnemer 03 Peeters): kept as they stand; pretix leaves cancelled and unpaid orders "
        "out of an export made with 'Only paid orders' ticked" in result.stdout
    )


# -- what the e-mails say ----------------------------------------------------------------------


def test_an_order_is_told_as_one_and_each_of_its_people_as_themselves(write, tmp_path):
    folder = study_day(write)
    pair = [
        Person("Koper Een", "koper@example.org", "2030-01-06", "10:00:00", "P1", position=1),
        Person("Collega Twee", "collega@example.org", "2030-01-06", "10:00:00", "P1", position=2),
    ]
    register(export(folder, "en.csv", pretix_csv([*people(20), *pair], "en")))
    cohort("registrations", "cancel", pid(0), pid(1), "-C", folder, env=NOW)
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    offer = text_of(mail(outbox, "studiedag.collega-twee.registration-offered.2.eml"))
    assert "de 2 plaatsen van je bestelling zijn vrijgekomen" in offer
    assert "Je antwoord geldt voor de hele bestelling" in offer
    assert " ze voor je vrij" not in offer
    cohort("registrations", "accept", "koper-een", "-C", folder, env=NOW)
    invite(folder, outbox)
    confirmed = text_of(mail(outbox, "studiedag.collega-twee.registration-confirmed.3.eml"))
    assert "Je bent ingeschreven in een bestelling van 2 plaatsen" in confirmed
    assert "Je bestelling telt" not in confirmed


def test_a_single_offer_in_dutch_names_the_place(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(21), "en")))
    cohort("registrations", "cancel", pid(0), "-C", folder, env=NOW)
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    offer = text_of(mail(outbox, f"studiedag.{pid(20)}.registration-offered.2.eml"))
    assert "We houden ze" not in offer
    assert "om de plaats aan te nemen" in offer


def test_an_offer_expiring_with_nobody_waiting_does_not_say_the_place_went_on(write, tmp_path):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(21), "en")))
    cohort("registrations", "cancel", pid(0), "-C", folder, env=NOW)
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    with smtp_server(Mailbox()) as url:
        assert cohort("send", outbox, "--server", url, "--confirm", env=NOW).exit_code == 0
    invite(folder, outbox, env=NOW)
    invite(folder, outbox, env=at("2030-01-12T10:00:00Z"))
    expired = text_of(mail(outbox, f"studiedag.{pid(20)}.registration-expired.3.eml"))
    assert "houden we de plaats niet langer voor je vrij" in expired
    assert "volgende op de wachtlijst" not in expired


def test_a_refusal_says_what_the_registration_is(write):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(3), "en")))
    result = cohort("registrations", "accept", pid(0), "-C", folder, env=NOW)
    assert result.exit_code == 2
    assert (
        f"cannot accept '{pid(0)}': their registration has no place on offer (the registration "
        "is confirmed)" in result.stderr
    )
    assert "they has" not in result.stderr


# -- a merge conflict --------------------------------------------------------------------------


def test_a_merge_conflict_is_named_as_such_at_its_line(write):
    folder = study_day(write)
    register(export(folder, "en.csv", pretix_csv(people(2), "en")))
    path = folder / "registrations" / "studiedag.yaml"
    lines = path.read_text().splitlines(keepends=True)
    conflicted = [*lines[:6], "<<<<<<< HEAD\n", lines[6], "=======\n", lines[6], ">>>>>>> other\n"]
    path.write_text("".join([*conflicted, *lines[7:]]))
    result = cohort("validate", folder, env=NOW)
    assert result.exit_code == 1
    assert "registrations/studiedag.yaml:7:1: error: a merge conflict is left in this file" in (
        result.stderr
    )
    programme = folder / "programme.yaml"
    text = programme.read_text()
    programme.write_text(
        text.replace(
            "title: Lerend netwerk\n", "<<<<<<< HEAD\ntitle: A\n=======\ntitle: B\n>>>>>>> x\n"
        )
    )
    result = cohort("validate", folder, env=NOW)
    assert "programme.yaml:2:1: error: a merge conflict is left in this file" in result.stderr
