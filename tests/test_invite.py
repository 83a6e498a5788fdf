"""`cohort invite` and `cohort send`: the facilitator invites twelve organisations to three
meetings, moves one, cancels another; everyone gets a clear e-mail their calendar understands,
each exactly once."""

from __future__ import annotations

import email
import email.policy
import os
from pathlib import Path

import pytest
from conftest import cohort, edit
from icalendar import Calendar
from servers import Mailbox, smtp_server

NOW = {"COHORT_NOW": "2030-01-10T09:00:00Z", "COHORT_SMTP_BACKOFF": "0"}
LATER = {"COHORT_NOW": "2030-01-20T09:00:00Z", "COHORT_SMTP_BACKOFF": "0"}

ORGS = [
    "Atelier Noord",
    "De Koer",
    "Havenhuis",
    "Stadsveld",
    "De Wissel",
    "Mozaïek",
    "Kanaalhuis",
    "De Serre",
    "Klankkast",
    "Zuidpunt",
    "De Brug",
    "Buurtfabriek",
]


def network(language: str = "nl", extra: str = "") -> str:
    lines = [
        "id: netwerk",
        "title: Lerend netwerk",
        f"language: {language}",
        "timezone: Europe/Brussels",
        "organiser:",
        "  name: Het Netwerk",
        "  email: netwerk@example.org",
        "calendar:",
        "  domain: netwerk.example.org",
        extra,
        "organisations:",
    ]
    for i, org in enumerate(ORGS):
        lines += [f"  org{i}:", f"    name: {org}"]
    lines += ["participants:"]
    for i, org in enumerate(ORGS):
        lines += [
            f"  p{i}:",
            f"    name: Persoon {i} van {org}",
            f"    email: p{i}@example.org",
            f"    organisation: org{i}",
        ]
    lines += [
        "venues:",
        "  zaal:",
        "    name: De Zaal",
        "    address: Kerkstraat 1",
        "    city: Gent",
        "    postcode: '9000'",
        "  online:",
        "    name: Meet",
        "    join_url: https://meet.example.org/netwerk",
        "meetings:",
    ]
    for n, day in enumerate(["2030-02-05", "2030-03-05", "2030-04-02"], start=1):
        lines += [
            f"  m{n}:",
            f"    title: Bijeenkomst {n}",
            f"    date: {day}",
            "    start: '19:00'",
            "    end: '21:00'",
            "    venue: zaal",
        ]
    return "\n".join(lines) + "\n"


def invite(folder, outbox, *args, env=NOW, today="2030-01-10"):
    result = cohort("invite", folder, "-o", outbox, "--today", today, *args, env=env)
    assert result.exit_code == 0, result
    return result


def read(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def calendar_of(message) -> tuple[Calendar, object]:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    cal = Calendar.from_ical(part.get_content())
    return cal, part


def waiting(outbox: Path) -> list[str]:
    return sorted(p.name for p in outbox.glob("*.eml"))


def test_every_invitee_gets_an_invitation_their_calendar_understands(write, tmp_path):
    folder = write(network())
    outbox = tmp_path / "outbox"
    result = invite(folder, outbox)
    assert "36 message(s) due (36 invitations)" in result.stdout
    assert len(waiting(outbox)) == 36
    message = read(outbox / "m2.p5.invitation.0.eml")
    # multipart/mixed( multipart/alternative(text, html, calendar), invite.ics )
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    assert attachment.get_filename() == "invite.ics"
    cal, part = calendar_of(message)
    assert str(cal["METHOD"]) == "REQUEST" == part.get_param("method")
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == "m2.netwerk@netwerk.example.org"
    assert event["SEQUENCE"] == 0
    assert str(event["ORGANIZER"]) == "mailto:netwerk@example.org"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:p5@example.org"
    assert attendee.params["CN"] == "Persoon 5 van Mozaïek"
    assert (attendee.params["RSVP"], attendee.params["PARTSTAT"]) == ("TRUE", "NEEDS-ACTION")
    assert Calendar.from_ical(attachment.get_content()).to_ical() == cal.to_ical()
    assert message["To"].addresses[0].addr_spec == "p5@example.org"
    assert str(message["Subject"]) == "Uitnodiging: Bijeenkomst 2 — dinsdag 5 maart 2030"
    text = message.get_body(("plain",)).get_content()
    assert "Beste Persoon 5 van Mozaïek," in text
    assert "dinsdag 5 maart 2030 van 19:00 tot 21:00" in text
    assert "De Zaal, Kerkstraat 1, 9000 Gent" in text


def test_the_same_uid_and_sequence_as_the_calendars(write, tmp_path):
    folder = write(network())
    invite(folder, tmp_path / "outbox")
    assert cohort("calendar", folder, "-o", tmp_path / "cal", env=NOW).exit_code == 0
    feed = Calendar.from_ical((tmp_path / "cal" / "meetings" / "m1.ics").read_bytes())
    (published,) = feed.walk("VEVENT")
    (invited,) = calendar_of(read(tmp_path / "outbox" / "m1.p0.invitation.0.eml"))[0].walk("VEVENT")
    assert (str(invited["UID"]), invited["SEQUENCE"]) == (
        str(published["UID"]),
        published["SEQUENCE"],
    )


def test_each_invitee_sees_only_themselves_unless_the_programme_opts_in(write, tmp_path):
    folder = write(network())
    invite(folder, tmp_path / "outbox")
    for path in (tmp_path / "outbox").glob("*.eml"):
        data = path.read_bytes()
        me = read(path)["To"].addresses[0].addr_spec
        others = [f"p{i}@example.org" for i in range(12) if f"p{i}@example.org" != me]
        assert not any(o.encode() in data for o in others), path.name
    folder = write(network(extra="  list_attendees: true"))
    invite(folder, tmp_path / "all")
    (event,) = calendar_of(read(tmp_path / "all" / "m1.p0.invitation.0.eml"))[0].walk("VEVENT")
    assert len(event["ATTENDEE"]) == 12


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        (
            "nl",
            "Uitnodiging: Bijeenkomst 1 — dinsdag 5 februari 2030",
            "dinsdag 5 februari 2030 van 19:00 tot 21:00",
        ),
        (
            "fr",
            "Invitation\u202f: Bijeenkomst 1 — mardi 5 février 2030",  # a narrow no-break space
            "mardi 5 février 2030 de 19\u202fh à 21\u202fh",  # a time is never split
        ),
        (
            "en",
            "Invitation: Bijeenkomst 1 — Tuesday 5 February 2030",
            "Tuesday 5 February 2030 from 19:00 to 21:00",
        ),
    ],
)
def test_invitations_in_the_programmes_language(write, tmp_path, language, subject, phrase):
    invite(write(network(language)), tmp_path / "outbox")
    message = read(tmp_path / "outbox" / "m1.p0.invitation.0.eml")
    assert str(message["Subject"]) == subject
    assert phrase in message.get_body(("plain",)).get_content()
    assert phrase in message.get_body(("html",)).get_content()


def test_the_participants_language_wins(write, tmp_path):
    text = edit(
        network("nl"),
        "    email: p3@example.org\n",
        "    email: p3@example.org\n    language: fr\n",
    )
    invite(write(text), tmp_path / "outbox")
    assert str(read(tmp_path / "outbox" / "m1.p3.invitation.0.eml")["Subject"]).startswith(
        "Invitation\u202f: "
    )
    assert str(read(tmp_path / "outbox" / "m1.p4.invitation.0.eml")["Subject"]).startswith(
        "Uitnodiging: "
    )


def test_invitees_without_an_address_are_named(write, tmp_path):
    text = edit(network(), "    email: p7@example.org\n", "")
    result = invite(write(text), tmp_path / "outbox")
    assert "warning: Persoon 7 van De Serre ('p7') has no e-mail address" in result.stderr
    assert len(waiting(tmp_path / "outbox")) == 33


def test_rendering_again_gives_the_same_bytes(write, tmp_path):
    folder = write(network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    first = {p.name: p.read_bytes() for p in outbox.glob("*.eml")}
    invite(folder, outbox, env=LATER)
    assert {p.name: p.read_bytes() for p in outbox.glob("*.eml")} == first


def test_move_one_meeting_cancel_another_each_message_once(write, tmp_path):
    folder = write(network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        sent = cohort("send", outbox, "--server", url, "--confirm", env=NOW)
        assert sent.exit_code == 0, sent
        assert "sent 36, deferred 0, uncertain 0, refused 0, failed 0, held back 0" in sent.stdout
        assert len(mailbox.received) == 36
        assert waiting(outbox) == []

        # nothing changed: nothing to send
        assert "0 message(s) due" in invite(folder, outbox).stdout

        # the second meeting moves to 18:00, the third is cancelled
        text = (folder / "programme.yaml").read_text()
        text = text.replace(
            "date: 2030-03-05\n    start: '19:00'", "date: 2030-03-05\n    start: '18:00'"
        )
        text = text.replace("date: 2030-04-02\n", "date: 2030-04-02\n    status: cancelled\n")
        (folder / "programme.yaml").write_text(text)
        result = invite(folder, outbox, env=LATER)
        assert "24 message(s) due (12 cancellations, 12 updates)" in result.stdout
        update = read(outbox / "m2.p0.update.1.eml")
        assert str(update["Subject"]) == "Gewijzigd: Bijeenkomst 2 — dinsdag 5 maart 2030"
        assert "is gewijzigd" in update.get_body(("plain",)).get_content()
        (event,) = calendar_of(update)[0].walk("VEVENT")
        assert (event["SEQUENCE"], event["DTSTART"].dt.hour) == (1, 18)
        cancel = read(outbox / "m3.p0.cancellation.1.eml")
        cal, part = calendar_of(cancel)
        assert str(cal["METHOD"]) == "CANCEL" == part.get_param("method")
        (event,) = cal.walk("VEVENT")
        assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 1)
        assert str(cancel["Subject"]) == "Geannuleerd: Bijeenkomst 3 — dinsdag 2 april 2030"

        sent = cohort("send", outbox, "--server", url, "--confirm", env=LATER)
        assert "sent 24" in sent.stdout
        assert "0 message(s) due" in invite(folder, outbox, env=LATER).stdout
    ids = [email.message_from_bytes(raw)["Message-ID"] for _, _, raw in mailbox.received]
    assert len(ids) == len(set(ids)) == 60


def invited_and_sent(write, tmp_path):
    """The network invited to its three meetings, and every invitation delivered."""
    folder = write(network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    with smtp_server(Mailbox()) as url:
        sent = cohort("send", outbox, "--server", url, "--confirm", env=NOW)
    assert "sent 36, deferred 0, uncertain 0, refused 0, failed 0, held back 0" in sent.stdout, sent
    return folder, outbox


def test_a_meeting_removed_after_inviting_is_cancelled(write, tmp_path):
    folder, outbox = invited_and_sent(write, tmp_path)
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(text[: text.index("  m3:")])
    result = invite(folder, outbox, env=LATER)
    assert "12 message(s) due (12 cancellations)" in result.stdout
    (event,) = calendar_of(read(outbox / "m3.p4.cancellation.1.eml"))[0].walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def except_p2(text: str) -> str:
    return edit(
        text,
        "  m1:\n    title: Bijeenkomst 1\n",
        "  m1:\n    title: Bijeenkomst 1\n    invited: {everyone: true, except: [p2]}\n",
    )


def sequence_of(message) -> int:
    (event,) = calendar_of(message)[0].walk("VEVENT")
    return int(event["SEQUENCE"])


def test_someone_no_longer_invited_gets_a_cancellation_their_calendar_accepts(write, tmp_path):
    """RFC 5546 §3.2.5: a CANCEL with the SEQUENCE of the invitation they hold is stale, and
    their calendar keeps the meeting. It must be higher, and the calendars say the same."""
    folder, outbox = invited_and_sent(write, tmp_path)
    invitation = read(outbox / "sent" / "m1.p2.invitation.0.eml")
    original = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(except_p2(original))
    invite(folder, outbox, env=LATER)
    assert waiting(outbox) == ["m1.p2.cancellation.1.eml"]  # the others hear nothing
    message = read(outbox / "m1.p2.cancellation.1.eml")
    assert "Je wordt niet meer verwacht" in message.get_body(("plain",)).get_content()
    cal, _ = calendar_of(message)
    assert str(cal["METHOD"]) == "CANCEL"
    assert sequence_of(message) == 1 > sequence_of(invitation) == 0
    assert cohort("calendar", folder, "-o", tmp_path / "cal", env=LATER).exit_code == 0
    (published,) = Calendar.from_ical((tmp_path / "cal" / "meetings" / "m1.ics").read_bytes()).walk(
        "VEVENT"
    )
    assert published["SEQUENCE"] == 1

    # sent; then invited again: an invitation above the cancellation, so it is not stale either
    with smtp_server(Mailbox()) as url:
        assert cohort("send", outbox, "--server", url, "--confirm", env=LATER).exit_code == 0
    (folder / "programme.yaml").write_text(original)
    invite(folder, outbox, env=LATER)
    assert waiting(outbox) == ["m1.p2.invitation.2.eml"]
    assert sequence_of(read(outbox / "m1.p2.invitation.2.eml")) == 2


def test_nothing_is_sent_about_a_meeting_that_is_over(write, tmp_path):
    folder, outbox = invited_and_sent(write, tmp_path)
    text = (folder / "programme.yaml").read_text()
    text = edit(
        text, "date: 2030-02-05\n    start: '19:00'", "date: 2030-02-05\n    start: '18:00'"
    )
    text = edit(text, "date: 2030-03-05\n", "date: 2030-03-05\n    status: cancelled\n")
    text = edit(
        text, "date: 2030-04-02\n    start: '19:00'", "date: 2030-04-02\n    start: '18:00'"
    )
    (folder / "programme.yaml").write_text(except_p2(text))
    # on 20 March the first two meetings are over; the third is still to come
    result = invite(folder, outbox, "--reminder", "--days", "30", env=LATER, today="2030-03-20")
    assert "12 message(s) due (12 updates)" in result.stdout
    assert (
        "24 message(s) not written: meeting(s) already over (m1, m2); nothing is sent about the "
        "past"
    ) in result.stdout
    assert waiting(outbox) == sorted(f"m3.p{i}.update.1.eml" for i in range(12))


def test_a_meeting_already_over_gets_no_invitations_and_waiting_ones_are_removed(write, tmp_path):
    folder = write(network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox)  # 10 January: all three to come, 36 invitations waiting
    result = invite(folder, outbox, env=LATER, today="2030-02-06")
    assert "24 message(s) due (24 invitations); 12 waiting message(s) no longer due removed" in (
        result.stdout
    )
    assert "12 message(s) not written: meeting(s) already over (m1)" in result.stdout
    assert not any(name.startswith("m1.") for name in waiting(outbox))
    # on the day itself it is not over yet
    assert "36 message(s) due" in invite(folder, outbox, env=LATER, today="2030-02-05").stdout


def test_invitations_not_yet_sent_are_replaced_not_doubled(write, tmp_path):
    folder = write(network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        text.replace("date: 2030-03-05\n    start: '19:00'", "date: 2030-03-05\n    start: '18:00'")
    )
    result = invite(folder, outbox, env=LATER)
    assert "12 waiting message(s) no longer due removed" in result.stdout
    names = waiting(outbox)
    assert "m2.p0.invitation.1.eml" in names and "m2.p0.invitation.0.eml" not in names
    assert len(names) == 36  # nobody had the first one, so it is an invitation, not an update


def test_reminders_for_meetings_coming_up(write, tmp_path):
    folder, outbox = invited_and_sent(write, tmp_path)
    result = cohort(
        "invite",
        folder,
        "-o",
        outbox,
        "--reminder",
        "--days",
        "7",
        "--today",
        "2030-01-30",
        env=LATER,
    )
    assert "12 message(s) due (12 reminders)" in result.stdout
    assert waiting(outbox)[0] == "m1.p0.reminder.0.eml"
    reminder = read(outbox / "m1.p0.reminder.0.eml")
    assert str(reminder["Subject"]).startswith("Herinnering: ")
    # the meeting is in their calendar already: no 'met één klik zet je ... in je agenda'
    for part in ("plain", "html"):
        body = reminder.get_body((part,)).get_content()
        assert "Een herinnering aan de bijeenkomst" in body
        assert "met één klik" not in body and "in de bijlage" not in body


def test_a_cancellation_apologises_and_says_what_comes_next(write, tmp_path):
    """Not bare: sorry, and the next meeting they are invited to, or that we keep them
    informed when none is left."""
    folder, outbox = invited_and_sent(write, tmp_path)
    text = (folder / "programme.yaml").read_text()
    text = edit(text, "date: 2030-03-05\n", "date: 2030-03-05\n    status: cancelled\n")
    text = edit(text, "date: 2030-04-02\n", "date: 2030-04-02\n    status: cancelled\n")
    text = edit(
        text,
        "  m3:\n",
        "  m4:\n    title: Bijeenkomst 4\n    date: 2030-05-07\n"
        "    start: '19:00'\n    end: '21:00'\n    venue: zaal\n  m3:\n",
    )
    (folder / "programme.yaml").write_text(text)
    invite(folder, outbox, env=LATER)
    second = read(outbox / "m2.p0.cancellation.1.eml").get_body(("plain",)).get_content()
    assert (
        "Onze excuses voor het ongemak.\r\n"
        "Je volgende bijeenkomst: ‘Bijeenkomst 4’, dinsdag 7 mei 2030 van 19:00 tot 21:00.\r\n"
    ) in second
    (folder / "programme.yaml").write_text(
        text[: text.index("  m4:")] + text[text.index("  m3:") :]
    )
    invite(folder, outbox, env=LATER)
    third = read(outbox / "m3.p0.cancellation.1.eml").get_body(("plain",)).get_content()
    assert "Onze excuses voor het ongemak.\r\nWe houden je op de hoogte.\r\n" in third


def test_one_meeting_only(write, tmp_path):
    result = invite(write(network()), tmp_path / "outbox", "--meeting", "m2")
    assert "12 message(s) due" in result.stdout
    unknown = cohort("invite", write(network()), "-o", tmp_path / "x", "--meeting", "m11")
    assert unknown.exit_code == 2
    assert "--meeting 'm11' is not a meeting of this programme (did you mean 'm1'?)" in (
        unknown.stderr
    )


def test_a_programmes_own_template_is_used(write, tmp_path):
    folder = write(
        network(),
        **{"templates/email/message.txt": "Hallo {{ person.name }}, tot {{ day|date }}!\n"},
    )
    invite(folder, tmp_path / "outbox")
    body = read(tmp_path / "outbox" / "m1.p0.invitation.0.eml").get_body(("plain",))
    assert (
        body.get_content().replace("\r\n", "\n")
        == "Hallo Persoon 0 van Atelier Noord, tot dinsdag 5 februari 2030!\n"
    )


def test_a_typo_in_a_template_names_the_file_and_line(write, tmp_path):
    folder = write(
        network(),
        **{"templates/email/message.txt": "Hallo {{ person.name }},\n\ntot {{ meeting.dat }}\n"},
    )
    result = cohort("invite", folder, "-o", tmp_path / "outbox", env=NOW)
    assert result.exit_code == 1
    template = folder / "templates" / "email" / "message.txt"
    assert f"{template}:3:1: error: in template:" in result.stderr
    assert "dat" in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.glob("outbox/*.eml")) == []  # nothing half-written


def test_a_template_syntax_error_names_the_file_and_line(write, tmp_path):
    folder = write(network(), **{"templates/email/subject.txt": "{% if kind %}Hallo\n"})
    result = cohort("invite", folder, "-o", tmp_path / "outbox", env=NOW)
    assert result.exit_code == 1
    assert f"{folder / 'templates' / 'email' / 'subject.txt'}:" in result.stderr
    assert "template syntax" in result.stderr


def test_a_template_cannot_reach_python(write, tmp_path):
    folder = write(
        network(),
        **{"templates/email/message.txt": "{{ person.__class__.__mro__[1].__subclasses__() }}\n"},
    )
    result = cohort("invite", folder, "-o", tmp_path / "outbox", env=NOW)
    assert result.exit_code == 1
    assert "unsafe" in result.stderr or "not safely accessible" in result.stderr


def test_html_is_escaped(write, tmp_path):
    text = edit(network(), "Persoon 0 van Atelier Noord", "<script>alert(1)</script>")
    invite(write(text), tmp_path / "outbox")
    html = read(tmp_path / "outbox" / "m1.p0.invitation.0.eml").get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_invitations_need_the_organisers_address(write, tmp_path):
    text = edit(network(), "  email: netwerk@example.org\n", "")
    folder = write(text)
    check = cohort("validate", folder, "--today", "2030-01-10")
    assert f"{folder / 'programme.yaml'}:5:1: warning: the organiser has no e-mail address" in (
        check.stderr
    )
    result = cohort("invite", folder, "-o", tmp_path / "outbox", env=NOW)
    assert result.exit_code == 1
    assert "the organiser has no e-mail address, and invitations are sent from it" in (
        result.stderr
    )
    assert not (tmp_path / "outbox").exists()


def test_a_meeting_over_several_days_says_when_it_ends(write, tmp_path):
    text = edit(
        network("en"),
        "date: 2030-02-05\n    start: '19:00'\n    end: '21:00'",
        "date: 2030-02-05\n    end_date: 2030-02-07\n    start: '10:00'\n    end: '16:00'",
    )
    invite(write(text), tmp_path / "outbox")
    body = read(tmp_path / "outbox" / "m1.p0.invitation.0.eml").get_body(("plain",)).get_content()
    assert ("from Tuesday 5 February 2030 at 10:00 to Thursday 7 February 2030 at 16:00") in body


def test_an_invitation_says_by_when_to_register(write, tmp_path):
    text = edit(
        network(),
        "  m1:\n    title: Bijeenkomst 1\n",
        "  m1:\n    title: Bijeenkomst 1\n    registration_deadline: 2030-01-31\n",
    )
    text = edit(
        text, "calendar:", "links:\n  registration: https://netwerk.example.org/in\ncalendar:"
    )
    invite(write(text), tmp_path / "outbox", "--meeting", "m1")
    body = read(tmp_path / "outbox" / "m1.p0.invitation.0.eml").get_body(("plain",)).get_content()
    assert (
        # the deadline is the last day to register, not the first day too late
        "Schrijf je uiterlijk op donderdag 31 januari 2030 in via het inschrijvingsformulier.\r\n"
        "https://netwerk.example.org/in"
    ) in body
    assert "vóór" not in body


def test_how_to_register_is_said_to_participants_only_and_where_it_is_a_choice(write, tmp_path):
    """Without a form, an e-mail with its subject written; staff are not asked to register,
    nor anyone where the attendance rule expects everyone invited."""
    text = edit(
        network(),
        "  m1:\n    title: Bijeenkomst 1\n",
        "  m1:\n    title: Bijeenkomst 1\n    registration_deadline: 2030-01-31\n",
    )
    text = edit(text, "    organisation: org0\n", "    organisation: org0\n    role: facilitator\n")
    invite(write(text), tmp_path / "outbox", "--meeting", "m1")
    mails = sorted((tmp_path / "outbox").glob("m1.*.invitation.0.eml"))
    bodies = {m.name.split(".")[1]: read(m).get_body(("plain",)).get_content() for m in mails}
    asked = sorted(n for n, b in bodies.items() if "Schrijf je uiterlijk op" in b)
    assert asked == sorted(set(bodies) - {"p0"}), asked  # the facilitator is not asked
    # in plain text the address and the subject to write, never a raw mailto: link
    assert (
        "Schrijf je uiterlijk op donderdag 31 januari 2030 in: mail naar netwerk@example.org "
        "met als onderwerp ‘Inschrijving: Bijeenkomst 1’."
    ) in bodies["p1"]
    assert "mailto:" not in bodies["p1"]
    html = read(mails[1]).get_body(("html",)).get_content()
    assert 'href="mailto:netwerk@example.org?subject=Inschrijving%3A%20Bijeenkomst%201"' in html
    everyone = edit(text, "organisations:", "attendance:\n  required: all\norganisations:")
    invite(write(everyone), tmp_path / "again", "--meeting", "m1")
    again = sorted((tmp_path / "again").glob("m1.*.invitation.0.eml"))
    assert again and all(
        "Schrijf je in" not in read(m).get_body(("plain",)).get_content() for m in again
    )


GOLDEN = Path(__file__).parent / "golden" / "email"


@pytest.mark.parametrize(
    "name",
    ["m1.p0.invitation.0.eml", "m2.p0.update.1.eml", "m3.p0.cancellation.1.eml"],
)
def test_the_mime_structure_of_each_kind_of_message_is_held(write, tmp_path, name):
    """An invitation, an update and a cancellation, byte for byte: an unintended change to the
    MIME structure, a header or the calendar part fails here. After an intended change, write
    them again with COHORT_UPDATE_GOLDEN=1 and read the diff."""
    folder, outbox = invited_and_sent(write, tmp_path)
    text = (folder / "programme.yaml").read_text()
    text = edit(
        text, "date: 2030-03-05\n    start: '19:00'", "date: 2030-03-05\n    start: '18:00'"
    )
    text = edit(text, "date: 2030-04-02\n", "date: 2030-04-02\n    status: cancelled\n")
    (folder / "programme.yaml").write_text(text)
    invite(folder, outbox, env=LATER)
    found = outbox / name if (outbox / name).exists() else outbox / "sent" / name
    golden = GOLDEN / name
    assert read(found)["Content-Language"] == "nl"
    if os.environ.get("COHORT_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(found.read_bytes())
    assert found.read_bytes() == golden.read_bytes()
