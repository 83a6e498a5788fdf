"""What each person received follows the programme, not an outbox folder: a message that may
have arrived counts as received (and its record is never deleted), a second outbox writes only
what is new and never sends what another delivered, and someone whose address changed is
noticed and can be brought up to date there."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import cohort, edit
from servers import Mailbox, Scripted, scripted_server, smtp_server
from test_invite import NOW, invite, network, waiting
from test_send import send

P3 = "p3@example.org"


def journal_events(outbox: Path, file: str) -> list[str]:
    lines = (outbox / "journal.jsonl").read_text().splitlines()
    return [e["event"] for line in lines if (e := json.loads(line))["file"] == file]


def uncertain_p3(write, tmp_path) -> tuple[Path, Path]:
    """Meeting m1 sent to everyone; the connection dropped after p3's invitation went out."""
    folder = write(network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox, "--meeting", "m1")
    with scripted_server(Scripted({P3: ["drop after data"]})) as url:
        result = send(outbox, url, "--confirm")
    assert "sent 11, deferred 0, uncertain 1," in result.stdout
    return folder, outbox


def test_an_uncertain_invitation_stays_waiting_while_nothing_changes(write, tmp_path):
    folder, outbox = uncertain_p3(write, tmp_path)
    invite(folder, outbox, "--meeting", "m1")
    # the record of the message that may have arrived is kept, and send still asks about it
    assert waiting(outbox) == ["m1.p3.invitation.0.eml"]
    with smtp_server(Mailbox()) as url:
        again = send(outbox, url, "--confirm")
    assert "sent 0, deferred 0, uncertain 1," in again.stdout


def test_someone_whose_invitation_may_have_arrived_gets_the_cancellation(write, tmp_path):
    folder, outbox = uncertain_p3(write, tmp_path)
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        edit(text, "date: 2030-02-05\n", "date: 2030-02-05\n    status: cancelled\n")
    )
    result = invite(folder, outbox, "--meeting", "m1")
    assert "12 message(s) due (12 cancellations)" in result.stdout
    assert "m1.p3.cancellation.1.eml" in waiting(outbox)
    # the invitation that may have arrived is replaced, not deleted: kept in sent/, never resent
    assert "m1.p3.invitation.0.eml" not in waiting(outbox)
    assert (outbox / "sent" / "m1.p3.invitation.0.eml").exists()
    assert journal_events(outbox, "m1.p3.invitation.0.eml")[-1] == "superseded"
    assert "replaced by a newer one" in result.stdout
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        sent = send(outbox, url, "--confirm", "--resend-uncertain")
    assert "sent 12, deferred 0, uncertain 0," in sent.stdout
    assert P3 in {r[0] for _, r, _ in mailbox.received}
    assert all(b'method="CANCEL"' in raw for _, _, raw in mailbox.received)


def test_a_second_outbox_writes_only_what_is_new(write, tmp_path):
    folder = write(network())
    first = tmp_path / "outbox"
    invite(folder, first)
    with smtp_server(Mailbox()) as url:
        assert "sent 36," in send(first, url, "--confirm").stdout
    assert (folder / "delivered.jsonl").exists()
    # another outbox (a typo in -o, a run from another folder) knows what was delivered
    second = tmp_path / "elsewhere" / "outbox"
    assert "0 message(s) due" in invite(folder, second).stdout
    assert waiting(second) == []
    # and so does the site's
    built = cohort("build", folder, "-o", tmp_path / "site", "--invitations", env=NOW)
    assert built.exit_code == 0, built
    assert waiting(tmp_path / "site" / "outbox") == []
    # a change reaches the people once, from whichever outbox
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        edit(text, "date: 2030-03-05\n    start: '19:00'", "date: 2030-03-05\n    start: '18:00'")
    )
    assert "12 message(s) due (12 updates)" in invite(folder, second).stdout


def test_an_outbox_never_sends_what_another_outbox_of_the_programme_delivered(write, tmp_path):
    folder = write(network())
    one, two = tmp_path / "one", tmp_path / "two"
    invite(folder, one, "--meeting", "m1")
    invite(folder, two, "--meeting", "m1")  # both hold the same twelve invitations
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        first = send(one, url, "--confirm")
        dry = send(two, url)
        second = send(two, url, "--confirm")
    assert "sent 12," in first.stdout
    assert "would not send m1.p0.invitation.0.eml: it was delivered from another outbox" in (
        dry.stdout
    )
    assert "dry run: 0 message(s) would go" in dry.stdout
    assert second.exit_code == 0, second
    assert "sent 0, deferred 0, uncertain 0," in second.stdout
    assert "not sent: m1.p0.invitation.0.eml: it was delivered from another outbox" in (
        second.stderr
    )
    assert len(mailbox.received) == 12
    assert waiting(two) == [] and len(list((two / "sent").glob("*.eml"))) == 12


def test_an_outbox_of_one_programme_is_refused_for_another(write, tmp_path):
    folder = write(network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox, "--meeting", "m1")
    other = tmp_path / "other"
    other.mkdir()
    (other / "programme.yaml").write_text((folder / "programme.yaml").read_text())
    result = cohort("invite", other, "-o", outbox, "--today", "2030-01-10", env=NOW)
    assert result.exit_code == 1
    assert "holds the messages of the programme in" in result.stderr


def test_a_changed_address_is_noticed_and_reached_when_asked(write, tmp_path):
    folder = write(network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    with smtp_server(Mailbox()) as url:
        send(outbox, url, "--confirm")
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        edit(text, f"email: {P3}", "email: p3.nieuw@example.org")
    )
    noticed = invite(folder, outbox)
    assert "0 message(s) due" in noticed.stdout
    assert (
        "warning: the address of Persoon 3 van Stadsveld ('p3') changed since they received the "
        "invitation to m1, m2, m3"
    ) in noticed.stderr
    assert "'cohort invite --new-address p3'" in noticed.stderr
    asked = invite(folder, outbox, "--new-address", "p3")
    assert "3 message(s) due (3 invitations)" in asked.stdout
    assert "changed since" not in asked.stderr
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        result = send(outbox, url, "--confirm")
    # the same file names as the ones delivered to the old address: a new message all the same
    assert "sent 3, deferred 0," in result.stdout, result
    assert "earlier run" not in result.output
    assert {r[0] for _, r, _ in mailbox.received} == {"p3.nieuw@example.org"}
    sent = sorted(p.name for p in (outbox / "sent").glob("m1.p3.*"))
    assert sent == ["m1.p3.invitation.0.earlier-1.eml", "m1.p3.invitation.0.eml"]
    assert "0 message(s) due" in invite(folder, outbox).stdout


def test_a_message_delivered_but_not_recorded_then_written_for_a_new_address_is_sent(
    write, tmp_path
):
    """The journal knows messages by their identity (Message-ID and recipients), not by their
    file name: a file written again for someone else is a new message."""
    folder = write(network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox, "--meeting", "m1")
    (outbox / "sent").write_text("not a folder")
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        first = send(outbox, url, "--confirm")
        assert "not recorded: m1.p0.invitation.0.eml" in first.stderr
        (outbox / "sent").unlink()
        text = (folder / "programme.yaml").read_text()
        (folder / "programme.yaml").write_text(
            edit(text, "email: p0@example.org", "email: p0.nieuw@example.org")
        )
        invite(folder, outbox, "--meeting", "m1", "--new-address", "p0")
        second = send(outbox, url, "--confirm")
    assert "accepted in an earlier run" not in second.output
    assert "sent 12," in second.stdout, second
    assert [r[0] for _, r, _ in mailbox.received].count("p0.nieuw@example.org") == 1
    assert [r[0] for _, r, _ in mailbox.received].count("p0@example.org") == 1


def test_a_merge_conflict_in_the_record_of_deliveries_is_named_and_repaired(write, tmp_path):
    folder = write(network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox, "--meeting", "m1")
    with smtp_server(Mailbox()) as url:
        send(outbox, url, "--confirm")
    record = folder / "delivered.jsonl"
    lines = record.read_text().splitlines(keepends=True)
    # two people sent from two clones; git could not merge the two appended ends
    record.write_text(
        "".join(lines[:6])
        + "<<<<<<< HEAD\n"
        + "".join(lines[6:9])
        + "=======\n"
        + "".join(lines[9:])
        + ">>>>>>> theirs\n"
    )
    checked = cohort("validate", folder, env=NOW)
    assert "delivered.jsonl:7:1: warning: the record of what was delivered is damaged" in (
        checked.output
    )
    stopped = cohort("invite", folder, "-o", outbox, "--today", "2030-01-10", env=NOW)
    assert stopped.exit_code == 1
    assert "keep the lines of both sides" in stopped.stderr
    repaired = cohort("send", outbox, "--repair", env=NOW)
    assert repaired.exit_code == 0, repaired
    assert "delivered.jsonl: repaired" in repaired.stdout
    assert "0 message(s) due" in invite(folder, outbox, "--meeting", "m1").stdout
