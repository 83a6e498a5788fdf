"""Calendar replies that lie, nest, hang, hide terminal commands or come from the future: each
is named and set aside, and the import goes on with the rest."""

from __future__ import annotations

import mailbox
import os

import pytest
from conftest import cohort
from test_replies import READ, invited, mail_folder, replies_of, reply

from cohort.i18n import Texts

__all__ = ["invited"]  # the fixture, used by name


def with_comment(data: bytes, comment: str) -> bytes:
    """A reply with a COMMENT line in its event."""
    return data.replace(b"END:VEVENT", f"COMMENT:{comment}\r\nEND:VEVENT".encode(), 1)


def test_an_answer_for_someone_else_is_listed_never_recorded(invited, tmp_path):
    spoofed = reply("bert@example.org", "DECLINED", sender="mallory@evil.example")
    by_sender = reply("anna@example.org", "DECLINED", sender="secretariaat@example.org").replace(
        b"To: ", b"Sender: <anna@example.org>\r\nTo: ", 1
    )
    source = mail_folder(tmp_path, spoofed, by_sender)
    result = cohort("replies", "import", invited, source, env=READ)
    assert result.exit_code == 0, result
    assert (
        "to read: extra-1.eml: mallory@evil.example answered 'declined' to 'eerste' for bert "
        "(bert@example.org), from another address than theirs; if it is their answer, record it "
        f"with 'cohort replies set {invited} declined --meeting eerste --participant bert'"
    ) in result.stderr
    assert "1 answer(s) recorded (1 declined)" in result.stdout
    assert "1 to read yourself" in result.stdout
    assert set(replies_of(invited)) == {"anna"}  # sent on her behalf, with her as Sender


def test_a_message_nested_a_thousand_deep_is_refused_and_the_rest_read(invited, tmp_path):
    deep = b"From: <x@evil.example>\r\nMIME-Version: 1.0\r\n"
    for level in range(1000):
        deep += f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'.encode()
    deep += b"Content-Type: text/plain\r\n\r\nhoi\r\n"
    source = mail_folder(tmp_path, deep, reply("anna@example.org", "ACCEPTED"))
    result = cohort("replies", "import", invited, source, env=READ)
    assert result.exit_code == 0, result
    assert "refused extra-1.eml: its parts nest more than 20 deep" in result.stderr
    assert replies_of(invited)["anna"]["answer"] == "accepted"


def test_control_characters_leave_a_comment_and_the_answer_is_kept(invited, tmp_path):
    escaped = with_comment(reply("anna@example.org", "DECLINED"), "Ziek\x1b[2J, sorry")
    result = cohort("replies", "import", invited, mail_folder(tmp_path, escaped), env=READ)
    assert result.exit_code == 0, result
    assert "note: extra-1.eml: its comment held control characters; they were left out" in (
        result.stderr
    )
    assert replies_of(invited)["anna"]["comment"] == "Ziek [2J, sorry"
    by_hand = cohort(
        "replies", "set", invited, "accepted", "--meeting", "eerste", "--participant", "bert",
        "--comment", "belde\x07 terug", env=READ,
    )  # fmt: skip
    assert by_hand.exit_code == 0, by_hand
    assert replies_of(invited)["bert"]["comment"] == "belde terug"


def test_a_pipe_in_a_maildir_or_a_mail_folder_is_skipped_and_said(invited, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(reply("anna@example.org", "ACCEPTED"))
    os.mkfifo(tmp_path / "Maildir" / "new" / "1234.pipe")
    result = cohort("replies", "import", invited, tmp_path / "Maildir", env=READ)
    assert result.exit_code == 0, result
    assert "skipped Maildir/1234.pipe: it is not a file but a pipe" in result.stderr
    assert "1 answer(s) recorded" in result.stdout
    folder = mail_folder(tmp_path, reply("bert@example.org", "DECLINED"), name="eml")
    os.mkfifo(folder / "wacht.eml")
    (folder / "map.eml").mkdir()
    again = cohort("replies", "import", invited, folder, env=READ)
    assert "skipped wacht.eml: it is not a file but a pipe" in again.stderr
    assert "skipped map.eml: it is not a file but a folder" in again.stderr
    assert replies_of(invited)["bert"]["answer"] == "declined"


def test_a_stamp_from_the_future_is_refused_and_an_answer_by_hand_always_wins(invited, tmp_path):
    future = reply("anna@example.org", "DECLINED", stamp="29990101T000000Z")
    result = cohort("replies", "import", invited, mail_folder(tmp_path, future), env=READ)
    assert "refused extra-1.eml: its DTSTAMP 2999-01-01T00:00:00+00:00 lies in the future" in (
        result.stderr
    )
    # one such answer recorded before cohort refused them: 'replies set' replaces it
    path = invited / "replies" / "eerste.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        "# Written by cohort replies import: the replies to 'eerste'\n"
        '{"meeting": "eerste", "replies": {\n'
        '  "anna": {"answer": "declined", "stamp": "2999-01-01T00:00:00+00:00", '
        '"sequence": 0, "via": "calendar"}\n}}\n'
    )
    by_hand = cohort(
        "replies", "set", invited, "accepted", "--meeting", "eerste", "--participant", "anna",
        env=READ,
    )  # fmt: skip
    assert by_hand.exit_code == 0, by_hand
    assert replies_of(invited)["anna"]["answer"] == "accepted"
    # and a calendar reply sent before it does not undo it
    earlier = reply("anna@example.org", "DECLINED", stamp="20300124T000000Z")
    cohort("replies", "import", invited, mail_folder(tmp_path, earlier, name="b"), env=READ)
    assert replies_of(invited)["anna"]["answer"] == "accepted"


@pytest.mark.parametrize("first", ["ACCEPTED", "DECLINED"])
def test_answers_at_the_same_moment_keep_the_decline_whatever_the_order(invited, tmp_path, first):
    other = {"ACCEPTED": "DECLINED", "DECLINED": "ACCEPTED"}[first]
    source = mail_folder(
        tmp_path, reply("anna@example.org", first), reply("anna@example.org", other)
    )
    result = cohort("replies", "import", invited, source, env=READ)
    assert replies_of(invited)["anna"]["answer"] == "declined"
    assert "conflict: extra-2.eml: anna answered" in result.stderr
    assert "at the same moment as the" in result.stderr


def test_one_message_with_its_calendar_twice_counts_once(invited, tmp_path):
    ics = reply("anna@example.org", "DECLINED").split(b"\r\n\r\n", 1)[1]
    twice = (
        b"From: <anna@example.org>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/calendar; method=REPLY\r\n\r\n" + ics + b"\r\n--b\r\n"
        b"Content-Type: application/ics\r\n"
        b'Content-Disposition: attachment; filename="invite.ics"\r\n\r\n'
        + ics.replace(b"\r\n", b"\n")
        + b"\r\n--b--\r\n"
    )
    result = cohort("replies", "import", invited, mail_folder(tmp_path, twice), env=READ)
    assert "1 answer(s) recorded (1 declined), 0 already known" in result.stdout


def test_terminal_escapes_and_odd_file_names_are_shown_escaped(invited, tmp_path):
    text = (
        b"From: <anna@example.org>\r\nSubject: Re: Eerste bijeenkomst\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n\x1b]0;gehackt\x07Ik kan niet\r\n"
    )
    folder = mail_folder(tmp_path)
    (folder / "x\nrefused everything.eml").write_bytes(text)
    (folder / "\u202egpj.eml").write_bytes(text)
    result = cohort("replies", "import", invited, folder, env=READ)
    assert result.exit_code == 0, result
    assert "\x1b" not in result.stderr + result.stdout
    assert "\u202e" not in result.stderr
    assert "\\x1b]0;gehackt\\x07Ik kan niet" in result.stderr
    assert "to read: x\\nrefused everything.eml:" in result.stderr
    assert "to read: \\u202egpj.eml:" in result.stderr


def test_odd_calendar_values_are_named_or_read_leniently(invited, tmp_path):
    ahead = reply("anna@example.org", "ACCEPTED", sequence=7)
    dated = reply("bert@example.org", "ACCEPTED").replace(
        b"DTSTAMP:20300120T120000Z", b"DTSTAMP;VALUE=DATE:20300120"
    )
    quoted = reply("chris@example.org", "TENTATIVE").replace(
        b"ATTENDEE;", 'ATTENDEE;CN="محمد "Mo" 😀";'.encode(), 1
    )
    latin = with_comment(reply("dana@example.org", "DECLINED"), "x").replace(
        b"COMMENT:x", "COMMENT:Désolé".encode("latin-1")
    )
    source = mail_folder(tmp_path, ahead, dated, quoted, latin)
    result = cohort("replies", "import", invited, source, env=READ)
    assert result.exit_code == 0, result
    assert "note: extra-1.eml: anna answered version 7 of 'eerste', which cohort never sent" in (
        result.stderr
    )
    assert "refused extra-2.eml: its DTSTAMP '20300120' is a date, not the moment" in (
        result.stderr
    )
    kept = replies_of(invited)
    assert kept["chris"]["answer"] == "tentative"
    assert kept["dana"]["comment"] == "Désolé"


def test_a_decline_is_refuse_in_french():
    assert Texts("fr").gettext("Declined") == "Refusé"


@pytest.mark.parametrize(
    "content", [b"", b"root:x:0:0:root:/root:/bin/bash\n", bytes(range(256)) * 2]
)
def test_a_file_that_is_no_mailbox_is_said_to_be_none(invited, tmp_path, content):
    path = tmp_path / "box"
    path.write_bytes(content.replace(b"From", b"from"))
    result = cohort("replies", "import", invited, path, env=READ)
    assert result.exit_code == 2
    assert "is not a mailbox: not an mbox" in result.stderr


def test_a_proposal_of_another_time_is_said_in_the_facilitators_words(invited, tmp_path):
    counter = (
        reply("anna@example.org", "TENTATIVE")
        .replace(b"METHOD:REPLY", b"METHOD:COUNTER")
        .replace(b"method=REPLY", b"method=COUNTER")
        .replace(b"END:VEVENT", b"DTSTART;TZID=Europe/Brussels:20300206T190000\r\nEND:VEVENT")
    )
    result = cohort("replies", "import", invited, mail_folder(tmp_path, counter), env=READ)
    assert (
        "to read: extra-1.eml: anna@example.org proposes another time for 'eerste' "
        "(woensdag 6 februari 2030 19:00); answer them yourself"
    ) in result.stderr


def test_a_skipped_entry_is_counted_apart(invited, tmp_path):
    folder = mail_folder(tmp_path, reply("anna@example.org", "ACCEPTED"))
    os.mkfifo(folder / "wacht.eml")
    result = cohort("replies", "import", invited, folder, env=READ)
    assert "; 1 skipped (not a file)" in result.stdout and "refused" not in result.stdout
