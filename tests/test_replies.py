"""Who is coming: the invitees' calendar replies, read from their mail into the programme, and
used by the schedule, the sheet, the attendance record, the report, reminders and waiting lists."""

from __future__ import annotations

import json
import mailbox
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SMALL, cohort, edit
from servers import ImapBox, Mailbox, imap_server, smtp_server

FIXTURES = ROOT / "tests" / "replies"
UID = "eerste.small@cohort.invalid"
#: invitations go out on 10 January 2030; the first meeting is on 5 February
NOW = {"COHORT_NOW": "2030-01-10T08:00:00Z"}
#: the replies are read on 25 January, after they came in (a reply from the future is refused)
READ = {"COHORT_NOW": "2030-01-25T08:00:00Z"}

PROGRAMME = edit(
    SMALL,
    "venues:",
    """  chris:
    name: Chris Janssens
    email: chris@example.org
    organisation: leerhuis
  dana:
    name: Dana Wouters
    email: dana@example.org
    organisation: leerhuis
venues:""",
)


def reply(
    attendee: str,
    partstat: str,
    stamp: str = "20300120T120000Z",
    sequence: int = 0,
    uid: str = UID,
    sender: str | None = None,
    organiser: str = "leerhuis@example.org",
) -> bytes:
    """A minimal iMIP reply, as a small client writes it."""
    ics = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Test//Reply//EN",
            "METHOD:REPLY",
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{stamp}",
            f"SEQUENCE:{sequence}",
            f"ORGANIZER:mailto:{organiser}",
            f"ATTENDEE;PARTSTAT={partstat}:mailto:{attendee}",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    return (
        f"From: <{sender or attendee}>\r\nTo: <leerhuis@example.org>\r\nSubject: Reply\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/calendar; charset=utf-8; method=REPLY\r\n\r\n"
        + ics
    ).encode()


@pytest.fixture
def invited(write):
    """The programme, with its invitations written (so its meetings have UIDs and SEQUENCE)."""
    folder = write(PROGRAMME)
    result = cohort("invite", folder, "-o", folder.parent / "outbox", env=NOW)
    assert result.exit_code == 0, result
    return folder


def mail_folder(
    tmp_path: Path, *messages: bytes, fixtures: bool = False, name: str = "mail"
) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    if fixtures:
        for path in FIXTURES.glob("*.eml"):
            shutil.copy(path, folder / path.name)
    for number, data in enumerate(messages, start=1):
        (folder / f"extra-{number}.eml").write_bytes(data)
    return folder


def replies_of(folder: Path, meeting: str = "eerste") -> dict:
    return yaml.safe_load((folder / "replies" / f"{meeting}.yaml").read_text())["replies"]


def test_replies_of_outlook_gmail_apple_and_thunderbird_map_to_meeting_person_and_answer(
    invited, tmp_path
):
    result = cohort("replies", "import", invited, mail_folder(tmp_path, fixtures=True), env=READ)
    assert result.exit_code == 0, result
    assert "4 answer(s) recorded (1 accepted, 2 declined, 1 tentative)" in result.stdout
    kept = replies_of(invited)
    assert {pid: r["answer"] for pid, r in kept.items()} == {
        "anna": "accepted",  # Outlook, its address in capitals
        "bert": "declined",  # Gmail, its comment as X-RESPONSE-COMMENT
        "chris": "tentative",  # Apple, from an iCloud address: matched by From
        "dana": "declined",  # Thunderbird
    }
    assert kept["bert"]["comment"] == "Sorry, die avond heb ik raad van bestuur"
    assert kept["anna"]["comment"] == "Ik kom graag, tot dan!"
    assert kept["dana"]["stamp"] == "2030-01-17T08:10:00+00:00"
    schedule = cohort("schedule", invited, "--format", "json", env=NOW)
    counts = [m.get("replies") for m in json.loads(schedule.stdout)["meetings"]]
    assert counts == [
        {"accepted": 1, "declined": 2, "tentative": 1, "unanswered": 0},
        {"accepted": 0, "declined": 0, "tentative": 0, "unanswered": 4},
    ]
    table = cohort("schedule", invited, env=NOW).stdout
    assert "Ja" in table and "Afgemeld" in table and "Geen antwoord" in table


def test_importing_twice_changes_nothing(invited, tmp_path):
    source = mail_folder(tmp_path, fixtures=True)
    cohort("replies", "import", invited, source, env=READ)
    path = invited / "replies" / "eerste.yaml"
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    again = cohort("replies", "import", invited, source, env=READ)
    assert again.exit_code == 0
    assert "0 answer(s) recorded, 4 already known" in again.stdout
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_the_latest_answer_wins_whatever_the_order_they_are_read_in(invited, tmp_path):
    early = reply("anna@example.org", "DECLINED", stamp="20300115T090000Z")
    late = reply("anna@example.org", "ACCEPTED", stamp="20300118T090000Z")
    cohort("replies", "import", invited, mail_folder(tmp_path, late, early), env=READ)
    assert replies_of(invited)["anna"]["answer"] == "accepted"
    result = cohort("replies", "import", invited, mail_folder(tmp_path, early, name="b"), env=READ)
    assert "0 answer(s) recorded, 0 already known, 1 older than the answer kept" in result.stdout
    assert replies_of(invited)["anna"]["answer"] == "accepted"
    later = mail_folder(
        tmp_path, reply("anna@example.org", "TENTATIVE", stamp="20300119T090000Z"), name="c"
    )
    cohort("replies", "import", invited, later, env=READ)
    assert replies_of(invited)["anna"]["answer"] == "tentative"


def test_an_answer_to_an_older_version_is_flagged_and_counts_as_no_answer(invited, tmp_path):
    text = (invited / "programme.yaml").read_text()
    (invited / "programme.yaml").write_text(text.replace('start: "19:00"', 'start: "18:30"', 1))
    moved = cohort("calendar", invited, "-o", invited.parent / "calendars", env=NOW)
    assert moved.exit_code == 0, moved
    old = reply("anna@example.org", "ACCEPTED", sequence=0)
    result = cohort("replies", "import", invited, mail_folder(tmp_path, old), env=READ)
    assert "outdated: extra-1.eml: anna answered 'accepted' to an older version" in result.stderr
    assert "(SEQUENCE 0; it changed since, now 1)" in result.stderr
    assert replies_of(invited)["anna"]["sequence"] == 0
    assert "0 accepted, 0 declined, 0 tentative, 4 no answer (1 to an older version)" in (
        result.stdout
    )


def test_an_unknown_address_is_reported_never_guessed(invited, tmp_path):
    stranger = reply("anna.peeters@elders.example", "DECLINED", sender="a.peeters@elders.example")
    result = cohort("replies", "import", invited, mail_folder(tmp_path, stranger), env=READ)
    assert result.exit_code == 0
    assert "unknown address: extra-1.eml: anna.peeters@elders.example answered 'declined'" in (
        result.stderr
    )
    assert "1 from an unknown address" in result.stdout
    assert not (invited / "replies").exists()


def test_hostile_replies_are_refused_clearly(invited, tmp_path):
    huge = reply("anna@example.org", "DECLINED").replace(
        b"MIME-Version", b"X-Padding: " + b"x" * 6_000_000 + b"\r\nMIME-Version"
    )
    broken = reply("bert@example.org", "DECLINED").replace(b"END:VEVENT\r\n", b"")
    foreign = reply("chris@example.org", "DECLINED", uid="040000008200E00074C5B7101A82E008@x")
    hijacked = reply("dana@example.org", "DECLINED", organiser="boss@elders.example")
    source = mail_folder(tmp_path, huge, broken, foreign, hijacked)
    result = cohort("replies", "import", invited, source, env=READ)
    assert result.exit_code == 0, result
    notes = result.stderr
    assert "refused extra-1.eml: it is too large (5.7 MB" in notes
    assert "refused extra-2.eml: its calendar part cannot be read" in notes
    assert "refused extra-3.eml: it answers an event that is not a meeting of this programme" in (
        notes
    )
    assert "refused extra-4.eml: its organiser is boss@elders.example" in notes
    assert "4 refused" in result.stdout
    assert not (invited / "replies").exists()


def test_a_plain_text_answer_is_listed_for_the_facilitator(invited, tmp_path):
    invitation = next((invited.parent / "outbox").glob("eerste.anna.invitation.*"))
    message_id = next(
        line.split(":", 1)[1].strip()
        for line in invitation.read_text().splitlines()
        if line.lower().startswith("message-id:")
    )
    text = (
        "From: Anna Peeters <anna@example.org>\r\nTo: leerhuis@example.org\r\n"
        f"Subject: Re: Uitnodiging\r\nIn-Reply-To: {message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nIk kan helaas niet.\r\n> oude tekst\r\n"
    ).encode()
    unrelated = b"From: <news@example.com>\r\nSubject: Nieuwsbrief\r\n\r\nHallo\r\n"
    result = cohort("replies", "import", invited, mail_folder(tmp_path, text, unrelated), env=READ)
    assert "to read: extra-1.eml: anna@example.org, 'Re: Uitnodiging': “Ik kan helaas niet.”" in (
        result.stderr
    )
    assert "Nieuwsbrief" not in result.stderr
    assert "1 to read yourself; 1 not about this programme" in result.stdout
    assert not (invited / "replies").exists()


def test_mbox_and_maildir_are_read_and_left_as_they_were(invited, tmp_path):
    messages = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))]
    box = mailbox.mbox(tmp_path / "replies.mbox")
    for data in messages:
        box.add(data)
    box.flush()
    result = cohort("replies", "import", invited, tmp_path / "replies.mbox", env=READ)
    assert "read 4 message(s) from replies.mbox: 4 answer(s) recorded" in result.stdout
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    for data in messages:
        maildir.add(data)
    before = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "Maildir").rglob("*"))
    again = cohort("replies", "import", invited, tmp_path / "Maildir", env=READ)
    assert "read 4 message(s) from Maildir: 0 answer(s) recorded, 4 already known" in again.stdout
    after = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "Maildir").rglob("*"))
    assert after == before  # still in new/, no flags added


@pytest.fixture(scope="module")
def authority():
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


def test_an_imap_mailbox_is_read_over_tls_without_changing_a_flag(invited, tmp_path, authority):
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    messages = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))]
    box = ImapBox([*messages, b"From: <x@example.com>\r\n\r\nhoi\r\n"], "leerhuis", "geheim", (2,))
    env = {
        **READ,
        "SSL_CERT_FILE": str(bundle),
        "COHORT_IMAP_USER": "leerhuis",
        "COHORT_IMAP_PASSWORD": "geheim",
    }
    flags = box.flags()
    with imap_server(box, authority.issue_cert("localhost")) as url:
        result = cohort("replies", "import", invited, url, env=env)
        wrong = cohort(
            "replies", "import", invited, url, env={**env, "COHORT_IMAP_PASSWORD": "fout"}
        )
    assert result.exit_code == 0, result
    assert "read 5 message(s)" in result.stdout and "4 answer(s) recorded" in result.stdout
    assert box.flags() == flags  # \Seen on message 2 only, as before
    assert any(c.startswith("EXAMINE") for c in box.commands)
    assert not any(c.upper().startswith(("SELECT", "UID STORE")) for c in box.commands)
    fetches = [c for c in box.commands if "BODY" in c.upper()]
    assert fetches and all("BODY.PEEK[]" in c for c in fetches)
    assert wrong.exit_code == 1
    assert "refused the user and password; check COHORT_IMAP_USER" in wrong.stderr


def test_an_imap_server_whose_certificate_is_not_trusted_is_not_read(invited, authority):
    box = ImapBox([reply("anna@example.org", "ACCEPTED")], "leerhuis", "geheim")
    env = {**NOW, "COHORT_IMAP_USER": "leerhuis", "COHORT_IMAP_PASSWORD": "geheim"}
    with imap_server(box, authority.issue_cert("localhost")) as url:
        result = cohort("replies", "import", invited, url, env=env)
    assert result.exit_code == 1
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert box.commands == []
    plain = cohort("replies", "import", invited, "imap://localhost:143/INBOX", env=env)
    assert plain.exit_code == 2 and "imaps://" in plain.stderr


def test_an_answer_set_by_hand_and_the_declines_everywhere(invited, tmp_path):
    text = (invited / "programme.yaml").read_text()
    (invited / "programme.yaml").write_text(text + "replies:\n  declined: excused\n")
    result = cohort(
        "replies",
        "set",
        invited,
        "declined",
        "--meeting",
        "eerste",
        "--participant",
        "bert",
        "--comment",
        "belde af",
        env=NOW,
    )
    assert result.exit_code == 0, result
    assert replies_of(invited)["bert"] == {
        "answer": "declined",
        "stamp": "2030-01-10T08:00:00+00:00",
        "sequence": 0,
        "via": "hand",
        "comment": "belde af",
    }
    # the sign-in sheet marks him, or leaves him off
    cohort("attendance", "sheet", invited, "--meeting", "eerste", "-o", tmp_path / "s", env=NOW)
    sheet = (tmp_path / "s" / "eerste-sheet.csv").read_text(encoding="utf-8-sig")
    assert "bert,Bert Claes,Leerhuis,deelnemer,,,Afgemeld" in sheet
    cohort(
        "attendance", "sheet", invited, "--meeting", "eerste", "-o", tmp_path / "t",
        "--without-declined", env=NOW,
    )  # fmt: skip
    assert "bert" not in (tmp_path / "t" / "eerste-sheet.csv").read_text(encoding="utf-8-sig")
    # recorded after the meeting: he counts as excused, not absent
    after = {"COHORT_NOW": "2030-02-06T08:00:00Z"}
    recorded = cohort(
        "attendance", "record", invited, "--meeting", "eerste", "--present", "anna", env=after
    )
    assert "1 attended, 1 excused, 0 absent" in recorded.stdout, recorded
    # the report names the regret; the site's copy of it does not
    cohort("report", invited, "-o", tmp_path / "r", "-f", "md", "--today", "2030-02-06")
    assert "Eerste bijeenkomst: Bert Claes" in (tmp_path / "r" / "report.md").read_text()
    built = cohort(
        "build", invited, "-o", tmp_path / "site", "--report", "--today", "2030-02-06", env=after
    )
    assert built.exit_code == 0, built
    for path in (tmp_path / "site").rglob("*"):
        if path.is_file() and path.suffix != ".pdf":
            content = path.read_text(errors="replace")
            assert "belde af" not in content and "Afmeldingen" not in content, path
            assert "Afgemeld" not in content, path
    published = json.loads((tmp_path / "site" / "report" / "report.json").read_text())
    assert all(m["regrets_ids"] == [] for m in published["meetings"])


def test_reminders_go_only_to_who_has_not_answered(invited, tmp_path):
    outbox = invited.parent / "outbox"
    with smtp_server(Mailbox()) as url:
        sent = cohort("send", outbox, "--server", url, "--confirm", env=NOW)
    assert sent.exit_code == 0, sent
    late = reply("anna@example.org", "ACCEPTED")
    cohort("replies", "import", invited, mail_folder(tmp_path, late), env=READ)
    soon = {"COHORT_NOW": "2030-02-01T08:00:00Z", "COHORT_TODAY": "2030-02-01"}
    result = cohort("invite", invited, "-o", outbox, "--reminder", "--unanswered", env=soon)
    assert result.exit_code == 0, result
    assert ": 3 message(s) due (3 reminders)" in result.stdout  # not Anna: she answered
    assert not (outbox / "eerste.anna.reminder.0.eml").exists()
    everyone = cohort("invite", invited, "-o", outbox, "--reminder", env=soon)
    assert ": 4 message(s) due (4 reminders)" in everyone.stdout
    alone = cohort("invite", invited, "-o", outbox, "--unanswered", env=soon)
    assert alone.exit_code == 2 and "add --reminder" in alone.stderr


def test_a_decline_frees_a_place_for_the_waiting_list(write, tmp_path):
    text = edit(
        PROGRAMME,
        "    venue: zaal\n    date: 2030-02-05",
        "    venue: zaal\n    capacity: 5\n    date: 2030-02-05",
    )
    folder = write(
        text,
        **{
            "registrations__eerste.yaml": """\
        # Written by cohort registrations import: the registrations of 'eerste'
        {
          "meeting": "eerste",
          "registrations": {
            "eva-maes": {"name": "Eva Maes", "email": "eva@example.org", "key": "1",
              "registered": "2030-01-02T10:00:00+01:00", "status": "confirmed",
              "since": "2030-01-02T10:00:00+01:00", "step": 1,
              "confirmed": "2030-01-02T10:00:00+01:00"},
            "fien-de-wit": {"name": "Fien De Wit", "email": "fien@example.org", "key": "2",
              "registered": "2030-01-03T10:00:00+01:00", "status": "waiting",
              "since": "2030-01-03T10:00:00+01:00", "step": 1, "position": 1}
          }
        }
        """
        },
    )
    cohort("invite", folder, "-o", tmp_path / "outbox", env=NOW)
    declines = mail_folder(
        tmp_path, reply("bert@example.org", "DECLINED"), reply("eva@example.org", "DECLINED")
    )
    result = cohort("replies", "import", folder, declines, env=READ)
    assert result.exit_code == 0, result
    assert "changed: 1 declined, 1 offered" in result.stdout
    stored = (folder / "registrations" / "eerste.yaml").read_text()
    assert '"eva-maes": {"name": "Eva Maes"' in stored and '"status": "declined"' in stored
    assert '"status": "offered"' in stored


def test_a_replies_file_for_an_unknown_meeting_is_an_error_at_its_line(invited):
    (invited / "replies").mkdir()
    (invited / "replies" / "derde.yaml").write_text(
        "meeting: derde\nreplies:\n  anna: {answer: declined, stamp: '2030-01-12T10:00:00Z'}\n"
    )
    result = cohort("validate", invited, env=NOW)
    assert result.exit_code == 1
    assert "replies/derde.yaml:1:10: error: unknown meeting 'derde'" in result.stderr
