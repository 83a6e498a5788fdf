"""The outbox on disk: a journal that survives a full disk and a damaged line, a lock that
cannot be deleted away, sending only from a folder cohort wrote and only what it wrote, a way
to settle what is uncertain, and summary words that say what happened."""

from __future__ import annotations

import json
import os
import signal

import pytest
from conftest import cohort
from servers import Mailbox, Scripted, scripted_server, smtp_server
from test_invite import NOW, invite, waiting
from test_send import outbox_of, put, send
from test_send_faults import cohort_process, events, journal, send_held

P3 = "p3@example.org"


# -- the journal --------------------------------------------------------------------------------


def test_a_journal_cut_off_by_a_full_disk_is_never_written_after(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    first, second = waiting(outbox)[:2]
    whole = json.dumps({"event": "sending", "file": first}) + "\n"
    # the disk was full while the next line was written: it ends in the middle
    (outbox / "journal.jsonl").write_text(whole + '{"event": "deliv')
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        result = send(outbox, url, "--confirm", "--limit", "1")
        assert "sent 1, deferred 0, uncertain 1," in result.stdout
        again = send(outbox, url, "--confirm")
    # every line is whole again: the torn text was taken out, and kept in a note
    assert again.exit_code == 1 and "damaged" not in again.output, again
    assert "sent 34, deferred 0, uncertain 1," in again.stdout
    entries = journal(outbox)
    assert entries[1]["event"] == "torn" and entries[1]["text"] == '{"event": "deliv'
    assert events(outbox, first) == ["sending"]
    assert events(outbox, second)[-1] == "delivered"


def test_a_damaged_journal_is_repaired_with_a_copy_and_what_it_spoke_of_is_uncertain(
    write, tmp_path
):
    outbox = outbox_of(write, tmp_path)
    first, second = waiting(outbox)[:2]
    good = json.dumps({"event": "deferred", "file": second}) + "\n"
    damaged = '<<<<<<< HEAD\n{"event": "delivered", "file": "' + first + '"\n'
    (outbox / "journal.jsonl").write_text(good + damaged)
    with smtp_server(Mailbox()) as url:
        stuck = send(outbox, url, "--confirm")
        assert stuck.exit_code == 1
        assert "journal.jsonl:2:1: error: the sending journal is damaged" in stuck.stderr
        assert f"cohort send {outbox} --repair" in stuck.stderr
        repaired = cohort("send", outbox, "--repair", env=NOW)
        assert repaired.exit_code == 0, repaired
        assert "repaired; the damaged file is kept as" in repaired.stdout
        assert "dropped line 2: '<<<<<<< HEAD'" in repaired.stdout
        assert f"count as uncertain: {first}" in repaired.stdout
        (copy,) = outbox.glob("journal.jsonl.damaged-*")
        assert copy.read_text() == good + damaged
        result = send(outbox, url, "--confirm")
    assert "sent 35, deferred 0, uncertain 1," in result.stdout
    assert f"uncertain: {first}" in result.stderr


# -- the lock -----------------------------------------------------------------------------------


def test_deleting_the_lock_file_during_a_send_lets_no_second_send_in(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    with send_held(outbox) as first:
        (outbox / "lock").unlink()  # "an empty file called lock, left behind"
        second = send(outbox, first.url, "--confirm")
        assert second.exit_code == 1
        assert "is in use by another cohort command" in second.stderr
    assert first.process.returncode == 0, first.err
    assert len(first.script.received) == 36


def test_a_lock_that_is_a_link_is_never_written_through(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    precious = tmp_path / "precious.txt"
    precious.write_text("my notes\n")
    (outbox / "lock").symlink_to(precious)
    with smtp_server(Mailbox()) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 1
    assert "is a link; cohort never writes through one" in result.stderr
    assert precious.read_text() == "my notes\n"


# -- what is sent -------------------------------------------------------------------------------


def test_a_folder_cohort_did_not_write_is_never_sent_from(tmp_path):
    mine = tmp_path / "Documents"
    mine.mkdir()
    saved = b"From: me@example.org\r\nTo: everyone@example.org, board@example.org\r\n\r\nhi\r\n"
    (mine / "draft.eml").write_bytes(saved)
    (mine / "lock").write_text("my lock notes\n")
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        dry = cohort("send", mine)
        result = send(mine, url, "--confirm")
    for run in (dry, result):
        assert run.exit_code == 2
        assert "is not an outbox cohort wrote" in run.stderr
    assert mailbox.received == []
    assert (mine / "draft.eml").read_bytes() == saved
    assert (mine / "lock").read_text() == "my lock notes\n"
    assert sorted(p.name for p in mine.iterdir()) == ["draft.eml", "lock"]


def test_only_the_messages_cohort_wrote_are_sent_as_it_wrote_them(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    invitation = (outbox / "m1.p0.invitation.0.eml").read_bytes()
    # a message saved into the outbox by hand, and one changed after cohort wrote it
    (outbox / "extra.eml").write_bytes(invitation.replace(b"p0@example.org", b"all@example.org"))
    (outbox / "m1.p1.invitation.0.eml").write_bytes(
        (outbox / "m1.p1.invitation.0.eml").read_bytes().replace(b"p1@", b"board@")
    )
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        result = send(outbox, url, "--confirm")
        # invite leaves both alone: it neither takes the extra one in nor writes over the other
        again = cohort("invite", tmp_path / "programme", "-o", outbox, "--today", "2030-01-10")
    assert "sent 35, deferred 0, uncertain 0, refused 2," in result.stdout
    assert "refused: extra.eml: cohort did not write it" in result.stderr
    assert "refused: m1.p1.invitation.0.eml: it changed since cohort wrote it" in result.stderr
    assert {"all@example.org", "board@example.org"}.isdisjoint(
        r for _, rs, _ in mailbox.received for r in rs
    )
    assert again.exit_code == 2 and "m1.p1.invitation.0.eml' is not as cohort wrote it" in (
        again.stderr
    )
    assert ".cohort-output" not in result.output


def test_links_pipes_and_folders_named_like_messages_are_named_and_never_sent(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    outside = tmp_path / "outside.eml"
    outside.write_bytes((outbox / "m1.p0.invitation.0.eml").read_bytes().replace(b"p0@", b"x@"))
    (outbox / "a-link.eml").symlink_to(outside)
    os.mkfifo(outbox / "a-pipe.eml")
    (outbox / "a-folder.eml").mkdir()
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        dry = send(outbox, url)
        result = send(outbox, url, "--confirm")
    assert "would refuse a-link.eml: a link" in dry.stdout
    assert "(3 would be refused)" in dry.stdout
    assert "sent 36, deferred 0, uncertain 0, refused 3," in result.stdout
    assert "refused: a-link.eml: a link" in result.stderr
    assert "refused: a-pipe.eml: not a plain file (a pipe or a device?)" in result.stderr
    assert "refused: a-folder.eml: a folder, not a message" in result.stderr
    assert "x@example.org" not in {r for _, rs, _ in mailbox.received for r in rs}
    assert (outbox / "a-link.eml").is_symlink() and not (outbox / "sent" / "a-link.eml").exists()


# -- settling what is uncertain -----------------------------------------------------------------


@pytest.mark.parametrize("truth", ["delivered", "not-delivered"])
def test_an_uncertain_message_is_settled_by_the_facilitator(write, tmp_path, truth):
    outbox = outbox_of(write, tmp_path)
    name = "m1.p3.invitation.0.eml"
    script = Scripted({P3: ["drop after data"]})
    with scripted_server(script) as url:
        assert "uncertain 1," in send(outbox, url, "--confirm").stdout
        settled = cohort("send", outbox, "--settle", name, "--as", truth, env=NOW)
        assert settled.exit_code == 0, settled
        assert f"settled {name} as {truth.replace('-', ' ')}" in settled.stdout
        again = send(outbox, url, "--confirm")
        twice = cohort("send", outbox, "--settle", name, "--as", truth, env=NOW)
    assert "uncertain 0," in again.stdout
    assert again.exit_code == 0, again
    arrived = script.recipients_of(P3) - 2  # m2 and m3
    assert arrived == (1 if truth == "delivered" else 2)
    assert (outbox / "sent" / name).exists()
    assert twice.exit_code == 1 and "is not waiting" in twice.stderr
    assert "0 message(s) due" in invite(tmp_path / "programme", outbox).stdout


def test_settle_needs_its_answer(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    result = cohort("send", outbox, "--settle", "m1.p3.invitation.0.eml", env=NOW)
    assert result.exit_code == 2
    assert "--as delivered or --as not-delivered" in result.stderr


# -- the words of the summary -------------------------------------------------------------------


def test_a_dry_run_counts_what_it_would_refuse_apart(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    put(outbox, "broken.eml", b"this is not an e-mail\r\n")
    result = cohort("send", outbox, env=NOW)
    assert "would refuse broken.eml: it has no sender address (From)" in result.stdout
    assert "dry run: 36 message(s) would go from" in result.stdout
    assert "(1 would be refused)" in result.stdout


def test_a_dry_run_during_a_send_says_a_send_is_running(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    with send_held(outbox) as running:
        dry = cohort("send", outbox, env=NOW)
    assert f"is in use by 'cohort send', process {running.process.pid}" in dry.stdout
    assert "sending now: m1.p0.invitation.0.eml" in dry.stdout
    assert "earlier run" not in dry.stdout


def test_ctrl_c_prints_what_happened_before_it(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    script = Scripted({"p2@example.org": ["hold at RCPT"]})
    with scripted_server(script) as url:
        stopped = cohort_process("send", outbox, "--server", url, "--confirm")
        assert script.held.wait(30)
        stopped.send_signal(signal.SIGINT)
        out, err = stopped.communicate(timeout=30)
    assert stopped.returncode == 130
    # m1.p0, m1.p1, m1.p10 and m1.p11 went before m1.p2 was interrupted, before its data
    assert "sent 4, deferred 0, uncertain 0, refused 0, failed 0" in out
    assert "stopped: interrupted (Ctrl-C); 32 message(s) not tried" in err
    assert "Traceback" not in err


# -- what is about the past, and what is hostile --------------------------------------------------


def test_messages_about_a_meeting_that_is_over_are_held_back(write, tmp_path):
    outbox = outbox_of(write, tmp_path)  # invited on 2030-01-10; m1 is on 2030-02-05
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        dry = send(outbox, url, "--today", "2030-03-01")
        result = send(outbox, url, "--confirm", "--today", "2030-03-01")
    assert "would hold back m1.p0.invitation.0.eml: its meeting ended 2030-02-05 21:00" in (
        dry.stdout
    )
    assert "dry run: 24 message(s) would go from" in dry.stdout
    assert "12 held back (meeting over)" in dry.stdout
    assert result.exit_code == 0, result
    assert "sent 24, deferred 0, uncertain 0, refused 0, failed 0, held back 12" in result.stdout
    assert "held back: m1.p0.invitation.0.eml: its meeting ended 2030-02-05 21:00" in (
        result.stderr
    )
    assert not any(b"Bijeenkomst 1" in raw for _, _, raw in mailbox.received)


def test_a_hostile_message_is_refused_by_name_and_the_others_go_on(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    original = (outbox / "m1.p0.invitation.0.eml").read_bytes()
    hostile = original.replace(
        b"To: ", b"To: =?utf-8?q?x=0D=0ARCPT_TO:<evil@example.org>?= <a@example.org>, ", 1
    )
    put(outbox, "m1.p0.invitation.0.eml", hostile)  # as if cohort itself had written it
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        dry = send(outbox, url)
        result = send(outbox, url, "--confirm")
    assert dry.exit_code == 0, dry
    assert "would refuse m1.p0.invitation.0.eml: it cannot be read as an e-mail" in dry.stdout
    assert result.exit_code == 1, result
    assert "sent 35, deferred 0, uncertain 0, refused 1," in result.stdout
    assert "refused: m1.p0.invitation.0.eml: it cannot be read as an e-mail" in result.stderr
    assert "evil@example.org" not in {r for _, rs, _ in mailbox.received for r in rs}


def test_a_huge_message_is_refused_without_reading_it(write, tmp_path):
    import tracemalloc

    from cohort.delivery.preview import dry_run

    outbox = outbox_of(write, tmp_path)
    dry_run(outbox, None)  # what it imports is not what this measures
    with (outbox / "huge.eml").open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # 60 MB of nothing (a sparse file)
    tracemalloc.start()
    try:
        lines = dry_run(outbox, None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "would refuse huge.eml: it is 60 MB; cohort sends messages of at most 25 MB" in (
        "\n".join(lines)
    )
    assert peak < 10 * 1024 * 1024  # one message at a time, and never the huge one
