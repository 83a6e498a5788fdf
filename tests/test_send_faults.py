"""`cohort send` under every fault a mail server or a machine can make: each message arrives
exactly once, or is named as one that may have arrived, and is never sent twice on its own."""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, cohort, edit
from servers import Mailbox, Scripted, scripted_server, smtp_server
from test_invite import NOW, invite, network, waiting
from test_send import outbox_of, put, send, send_logged_in

P3 = "p3@example.org"


def journal(outbox: Path) -> list[dict]:
    return [json.loads(line) for line in (outbox / "journal.jsonl").read_text().splitlines()]


def events(outbox: Path, file: str) -> list[str]:
    return [entry["event"] for entry in journal(outbox) if entry["file"] == file]


def message_ids(received) -> list[str]:
    return [
        email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]
        for _, _, raw in received
    ]


# -- the connection drops -----------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["drop after data", "drop in data"])
def test_a_connection_lost_after_the_data_went_out_is_uncertain_never_resent(
    write, tmp_path, fault
):
    outbox = outbox_of(write, tmp_path)
    script = Scripted({P3: [fault]})
    with scripted_server(script) as url:
        first = send(outbox, url, "--confirm")
        again = send(outbox, url, "--confirm")
        arrived_before_asking = script.recipients_of(P3)
        resent = send(outbox, url, "--confirm", "--resend-uncertain")
    assert first.exit_code == 1
    assert "sent 35, deferred 0, uncertain 1, refused 0, failed 0" in first.stdout
    assert (
        "uncertain: m1.p3.invitation.0.eml: the connection was lost after the message went out"
        in first.stderr
    )
    assert "--resend-uncertain sends it" in first.stderr
    # the next run leaves it alone and says so again
    assert "sent 0, deferred 0, uncertain 1," in again.stdout
    assert again.exit_code == 1
    # it went out once (in full, or cut off) until the facilitator asked for it again
    assert arrived_before_asking == (1 if fault == "drop after data" else 0) + 2
    assert "sent 1, deferred 0, uncertain 0," in resent.stdout
    assert resent.exit_code == 0
    assert waiting(outbox) == []
    history = events(outbox, "m1.p3.invitation.0.eml")
    assert history == ["sending", "uncertain", "sending", "delivered"]
    assert "Traceback" not in first.output + again.output + resent.output


@pytest.mark.parametrize("fault", ["drop at RCPT", "drop at DATA"])
def test_a_message_that_never_reached_its_data_is_simply_sent_again(write, tmp_path, fault):
    outbox = outbox_of(write, tmp_path)
    script = Scripted({P3: [fault]})
    with scripted_server(script) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 0, result
    assert "sent 36, deferred 0, uncertain 0, refused 0, failed 0" in result.stdout
    assert script.recipients_of(P3) == 3
    assert len(set(message_ids(script.received))) == 36 == len(script.received)
    history = events(outbox, "m1.p3.invitation.0.eml")
    assert history[-3:] == ["failed", "sending", "delivered"]
    assert "uncertain" not in history


def test_a_server_that_keeps_dropping_before_the_data_stops_the_run_and_nothing_is_uncertain(
    write, tmp_path
):
    outbox = outbox_of(write, tmp_path)
    with scripted_server(Scripted({P3: ["drop at RCPT"] * 5})) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 1
    # m1.p0, m1.p1, m1.p10, m1.p11 and m1.p2 went; m1.p3 never did
    assert "sent 5, deferred 0, uncertain 0, refused 0, failed 1, held back 0" in result.stdout
    assert "stopped: " in result.stderr and "30 message(s) not tried" in result.stderr
    assert set(events(outbox, "m1.p3.invitation.0.eml")) == {"failed"}
    healthy = Scripted()
    with scripted_server(healthy) as url:
        result = send(outbox, url, "--confirm")
    assert "sent 31, deferred 0, uncertain 0," in result.stdout
    assert healthy.recipients_of(P3) == 3


# -- a temporary refusal of one recipient ---------------------------------------------------------


def test_a_greylisted_recipient_is_deferred_and_tried_again_later_in_the_run(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    mailbox = Mailbox(greylist={P3: 1})
    with smtp_server(mailbox) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 0, result
    assert "sent 36, deferred 0, uncertain 0, refused 0, failed 0" in result.stdout
    order = [recipients[0] for _, recipients, _ in mailbox.received]
    # the others did not wait for it: it came after the next message, not before
    assert order.index(P3) > order.index("p4@example.org")
    assert events(outbox, "m1.p3.invitation.0.eml") == ["deferred", "sending", "delivered"]


def test_a_recipient_greylisted_all_run_long_is_deferred_the_rest_go_on_the_next_run_sends_it(
    write, tmp_path
):
    outbox = outbox_of(write, tmp_path)
    mailbox = Mailbox(greylist={P3: 15})  # three messages, five tries each
    with smtp_server(mailbox) as url:
        result = send(outbox, url, "--confirm")
        assert result.exit_code == 1
        assert "sent 33, deferred 3, uncertain 0, refused 0, failed 0" in result.stdout
        assert (
            "deferred: m1.p3.invitation.0.eml: 451 4.7.1 greylisted, try again later "
            f"(for {P3}) (tried 5 times); tried again by the next run"
        ) in result.stderr
        assert "stopped" not in result.stderr
        assert waiting(outbox) == [f"m{n}.p3.invitation.0.eml" for n in (1, 2, 3)]
        again = send(outbox, url, "--confirm")
    assert again.exit_code == 0
    assert "sent 3, deferred 0," in again.stdout
    assert len(set(message_ids(mailbox.received))) == 36 == len(mailbox.received)


def test_deferred_messages_wait_longer_each_time(write, tmp_path):
    from cohort.delivery.send import send as send_outbox
    from cohort.delivery.smtp import Server

    folder = write(network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox, "--meeting", "m1")
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    with smtp_server(Mailbox(greylist={P3: 10})) as url:
        outcome = send_outbox(
            outbox, Server.parse(url, {}), backoff=1, sleep=sleep, clock=lambda: clock[0]
        )
    assert waits == [1, 2, 4, 8]
    assert len(outcome.sent) == 11 and [name for name, _ in outcome.deferred] == [
        "m1.p3.invitation.0.eml"
    ]


# -- delivered, but not recorded -------------------------------------------------------------------


def test_a_message_delivered_but_not_recorded_stops_the_run_and_is_never_sent_again(
    write, tmp_path
):
    outbox = outbox_of(write, tmp_path)
    (outbox / "sent").write_text("not a folder")  # sent/ cannot be made
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        first = send(outbox, url, "--confirm")
        assert first.exit_code == 1
        assert len(mailbox.received) == 1
        assert (
            "sent 1 (1 not moved into sent/), deferred 0, uncertain 0, refused 0, failed 0"
            in first.stdout
        )
        assert (
            "not recorded: m1.p0.invitation.0.eml: the server accepted it, but it cannot be "
            "moved into sent/"
        ) in first.stderr
        assert "stopped: m1.p0.invitation.0.eml was delivered" in first.stderr
        assert events(outbox, "m1.p0.invitation.0.eml") == ["sending", "delivered"]

        # still broken: nothing more goes, and it is not sent again
        second = send(outbox, url, "--confirm")
        assert second.exit_code == 1
        assert "'m1.p0.invitation.0.eml' was delivered, but cannot be moved into" in (second.stderr)
        assert len(mailbox.received) == 1
        # `invite` knows it was delivered: not due again, and not removed either
        assert (
            "35 message(s) due (35 invitations)\n" in invite(tmp_path / "programme", outbox).stdout
        )
        assert "m1.p0.invitation.0.eml" in waiting(outbox)

        (outbox / "sent").unlink()
        third = send(outbox, url, "--confirm")
    assert third.exit_code == 0, third
    assert "delivered: m1.p0.invitation.0.eml: accepted in an earlier run" in third.stderr
    assert "sent 35," in third.stdout
    assert (outbox / "sent" / "m1.p0.invitation.0.eml").exists()
    assert len(set(message_ids(mailbox.received))) == 36 == len(mailbox.received)
    assert "Traceback" not in first.output + second.output + third.output


def test_an_outbox_whose_journal_cannot_be_written_sends_nothing(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    (outbox / "journal.jsonl").mkdir()  # not a file
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert mailbox.received == []


# -- two runs at once ---------------------------------------------------------------------------


def cohort_process(*args: str | Path, **variables: str) -> subprocess.Popen[str]:
    """`cohort ARGS` as a process of its own, as in a second terminal (with `variables` in
    its environment)."""
    env = {**os.environ, **NOW, "PYTHONPATH": str(ROOT), **variables}
    return subprocess.Popen(
        [sys.executable, "-m", "cohort", *map(str, args)],
        env=env,
        # Ctrl-C works there as in a terminal, whatever the test runner does with it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass
class Running:
    """A `cohort send` in a process of its own, held by the server at its first message; `out`
    and `err` once it ended."""

    process: subprocess.Popen[str]
    script: Scripted
    url: str
    out: str = ""
    err: str = ""


@contextmanager
def send_held(outbox: Path) -> Iterator[Running]:
    """A send of `outbox` (in another terminal) that the server holds after the data of its
    first message, m1.p0, until the block ends."""
    script = Scripted({"p0@example.org": ["hold after data"]})
    with scripted_server(script) as url:
        running = Running(cohort_process("send", outbox, "--server", url, "--confirm"), script, url)
        try:
            assert script.held.wait(30), "the run never reached the server"
            yield running
        finally:
            script.release.set()
            running.out, running.err = running.process.communicate(timeout=120)


def test_two_sends_on_one_outbox_the_second_is_refused_and_names_the_first(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    with send_held(outbox) as first:
        second = cohort_process("send", outbox, "--server", first.url, "--confirm")
        out, err = second.communicate(timeout=60)
        assert second.returncode == 1, err
        assert f"is in use by 'cohort send', process {first.process.pid}, since" in err
        assert "Traceback" not in err
        # `invite` would rewrite the outbox under the running send: refused the same way
        busy = cohort("invite", tmp_path / "programme", "-o", outbox, env=NOW)
        assert busy.exit_code == 1
        assert f"process {first.process.pid}" in busy.stderr
    script = first.script
    assert first.process.returncode == 0, first.err
    assert "sent 36, deferred 0, uncertain 0," in first.out
    assert len(script.received) == 36 == len(set(message_ids(script.received)))
    assert not (outbox / "lock").exists()  # released, and the file that said who had it gone


def test_a_send_killed_while_the_server_had_the_message_leaves_a_stale_lock_and_one_uncertain(
    write, tmp_path
):
    outbox = outbox_of(write, tmp_path)
    script = Scripted({"p0@example.org": ["hold after data"]})
    with scripted_server(script) as url:
        killed = cohort_process("send", outbox, "--server", url, "--confirm")
        assert script.held.wait(30)
        killed.send_signal(signal.SIGKILL)
        killed.wait(30)
        assert str(killed.pid) in (outbox / "lock").read_text()  # the lock file stays behind
        script.release.set()
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 1
    assert f"the outbox was still locked by 'cohort send', process {killed.pid}" in result.stderr
    assert "uncertain: m1.p0.invitation.0.eml: its sending in an earlier run was cut off" in (
        result.stderr
    )
    assert "sent 35, deferred 0, uncertain 1," in result.stdout
    assert len(script.received) == 36 == len(set(message_ids(script.received)))


def test_a_server_silent_after_the_data_is_said_and_sigterm_stops_the_run_with_its_summary(
    write, tmp_path
):
    """The facilitator is told the run waits (not 10 silent minutes); a `kill` (SIGTERM) ends
    it as Ctrl-C would: the message the server holds counted as uncertain, the rest waiting."""
    outbox = outbox_of(write, tmp_path)
    script = Scripted({"p0@example.org": ["hold after data"]})
    with scripted_server(script) as url:
        held = cohort_process(
            "send", outbox, "--server", url, "--confirm", COHORT_SMTP_NOTICE="0.5"
        )
        assert script.held.wait(30)
        waited = ""
        assert held.stderr is not None
        while "waiting:" not in waited:
            line = held.stderr.readline()
            assert line, f"the run ended without saying it waits: {waited}"
            waited += line
        held.send_signal(signal.SIGTERM)
        out, err = held.communicate(timeout=30)
        script.release.set()
    assert "waiting: m1.p0.invitation.0.eml: the server has not yet said" in waited
    assert "Ctrl-C stops safely" in waited
    assert held.returncode == 128 + signal.SIGTERM, err
    assert "uncertain: m1.p0.invitation.0.eml: the run was interrupted while the server had it" in (
        err
    )
    assert "stopped: terminated (SIGTERM)" in err and "Traceback" not in err
    assert "sent 0, deferred 0, uncertain 1," in out


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_a_run_stopped_while_it_waits_to_retry_counts_the_message_it_waits_for(
    write, tmp_path, how
):
    """Stopped during the backoff before a retry: the summary still counts every deferred
    message, the one the run was waiting for too, and the next run sends them."""
    outbox = outbox_of(write, tmp_path)
    script = Scripted({"p0@example.org": ["451 4.7.1 greylisted"] * 3})
    with scripted_server(script) as url:
        waiting_run = cohort_process(
            "send", outbox, "--server", url, "--confirm", COHORT_SMTP_BACKOFF="60"
        )
        for _ in range(600):
            if len(script.received) >= 33:
                break
            time.sleep(0.05)
        time.sleep(0.5)  # now in the wait before the first retry
        waiting_run.send_signal(how)
        out, err = waiting_run.communicate(timeout=30)
        again = send(outbox, url, "--confirm")
    assert waiting_run.returncode == 128 + how, err
    assert "sent 33, deferred 3, uncertain 0, refused 0, failed 0" in out
    assert "deferred: m1.p0.invitation.0.eml: 451 4.7.1 greylisted" in err
    assert "sent 3, deferred 0, uncertain 0, refused 0, failed 0" in again.stdout


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_a_send_stopped_before_the_data_went_out_leaves_nothing_uncertain(write, tmp_path, how):
    outbox = outbox_of(write, tmp_path)
    script = Scripted({"p0@example.org": ["hold at RCPT"]})
    with scripted_server(script) as url:
        stopped = cohort_process("send", outbox, "--server", url, "--confirm")
        assert script.held.wait(30)
        stopped.send_signal(how)
        _, err = stopped.communicate(timeout=30)
        if how == signal.SIGINT:
            assert stopped.returncode == 130 and "interrupted (Ctrl-C)" in err
        if how == signal.SIGTERM:
            assert stopped.returncode == 143 and "stopped: terminated (SIGTERM)" in err
        assert "Traceback" not in err
        script.release.set()
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 0, result
    assert "sent 36, deferred 0, uncertain 0," in result.stdout
    assert script.recipients_of("p0@example.org") == 3


# -- what is in the outbox -------------------------------------------------------------------------


def test_any_kind_of_message_is_sent_and_one_that_is_not_a_message_is_refused(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    certificate = (outbox / "m1.p0.invitation.0.eml").read_bytes()
    put(outbox, "certificate.p0.eml", certificate.replace(b"Message-ID: <", b"Message-ID: <c"))
    put(outbox, "broken.eml", b"this is not an e-mail\r\n")
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        result = send(outbox, url, "--confirm")
    assert "sent 37, deferred 0, uncertain 0, refused 1," in result.stdout
    assert "refused: broken.eml: it has no sender address (From)" in result.stderr
    assert result.exit_code == 1


def test_a_journal_cut_off_by_a_crash_is_read_a_damaged_one_is_named(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    first = waiting(outbox)[0]
    line = json.dumps({"event": "sending", "file": first})
    (outbox / "journal.jsonl").write_text(line + '\n{"event": "deliv')
    with smtp_server(Mailbox()) as url:
        torn = send(outbox, url, "--confirm")
        assert "sent 35, deferred 0, uncertain 1," in torn.stdout
        (outbox / "journal.jsonl").write_text('["not", "an", "entry"]\n' + line + "\n")
        damaged = send(outbox, url, "--confirm")
    assert damaged.exit_code == 1
    assert "journal.jsonl:1:1: error: the sending journal is damaged" in damaged.stderr
    assert "Traceback" not in damaged.output


# -- international addresses ---------------------------------------------------------------------


def international(write, tmp_path) -> Path:
    text = edit(network(), "email: p0@example.org", "email: müller@example.org")
    text = edit(text, "email: p1@example.org", "email: someone@bücher.example")
    text = edit(text, "domain: netwerk.example.org", "domain: netwerk.bücher.example")
    folder = write(text)
    outbox = tmp_path / "outbox"
    invite(folder, outbox, "--meeting", "m1")
    return outbox


def test_international_addresses_travel_through_a_server_that_offers_smtputf8(write, tmp_path):
    outbox = international(write, tmp_path)
    mailbox = Mailbox()
    with smtp_server(mailbox, smtputf8=True) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 0, result
    arrived = {recipients[0]: raw for _, recipients, raw in mailbox.received}
    assert set(arrived) >= {"müller@example.org", "someone@xn--bcher-kva.example"}
    for address, raw in arrived.items():
        message = email.message_from_string(raw.decode(), policy=email.policy.SMTPUTF8)
        assert message["To"].addresses[0].addr_spec == address
        assert b"=?utf-8?q?someone" not in raw and b"=?utf-8?q?m" not in raw
        assert message["Message-ID"].endswith("@netwerk.xn--bcher-kva.example>")
        (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert "ATTENDEE;" in part.get_content() and f"mailto:{address}" in part.get_content()


def test_a_non_ascii_local_part_is_refused_by_a_server_without_smtputf8_the_rest_go_on(
    write, tmp_path
):
    outbox = international(write, tmp_path)
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        dry = send(outbox, url)
        result = send(outbox, url, "--confirm")
    assert "would send to müller@example.org (needs a server that offers SMTPUTF8)" in dry.stdout
    assert result.exit_code == 1
    assert "sent 11, deferred 0, uncertain 0, refused 1," in result.stdout
    assert (
        "refused: m1.p0.invitation.0.eml: müller@example.org: an address with letters outside "
        "ASCII before the @ can only be sent through a server that offers SMTPUTF8, and "
        "localhost does not"
    ) in result.stderr
    assert "someone@xn--bcher-kva.example" in {r[0] for _, r, _ in mailbox.received}


# -- a server that closes, drops, or cannot be used -----------------------------------------------


def test_a_421_for_one_recipient_defers_that_message_and_the_others_go_on(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    # the server closes the connection whenever p3 comes up (RFC 5321 §3.8: 421, then close)
    script = Scripted({P3: ["421 4.7.0 too many messages for this recipient, closing"] * 30})
    with scripted_server(script) as url:
        result = send(outbox, url, "--confirm")
    assert "sent 33, deferred 3, uncertain 0, refused 0, failed 0" in result.stdout
    assert "deferred: m1.p3.invitation.0.eml: 421 4.7.0 too many messages" in result.stderr
    assert "stopped: the server closed the connection 5 times in a row" in result.stderr
    assert waiting(outbox) == [f"m{n}.p3.invitation.0.eml" for n in (1, 2, 3)]
    assert len(script.received) == 33 == len(set(message_ids(script.received)))


def test_a_server_that_drops_after_the_data_again_and_again_stops_the_run(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    # m1.p0, m1.p1 and m1.p10 come first: each is lost after its data went out
    faults = {f"p{n}@example.org": ["drop after data"] for n in (0, 1, 10)}
    with scripted_server(Scripted(faults)) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 1
    assert "sent 0, deferred 0, uncertain 3, refused 0, failed 0" in result.stdout
    assert (
        "stopped: the connection was lost after the data 3 times in a row; stopped before more "
        "messages become uncertain; 33 message(s) not tried"
    ) in result.stderr


@pytest.fixture(scope="module")
def authority():
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


def test_an_untrusted_certificate_stops_at_once_naming_the_server(write, tmp_path, authority):
    outbox = outbox_of(write, tmp_path)
    mailbox = Mailbox()
    certificate = authority.issue_cert("localhost")
    with smtp_server(mailbox, tls="implicit", certificate=certificate) as url:
        result = send(outbox, url, "--confirm")
    port = url.rsplit(":", 1)[1]
    assert result.exit_code == 1
    assert f"stopped: the TLS certificate of localhost:{port} is not trusted" in result.stderr
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr
    # nobody's message is blamed, and trying again is not what to do
    assert "failed: m1.p0" not in result.stderr
    assert "run the same command again" not in result.stderr
    assert "sent 0, deferred 0, uncertain 0, refused 0, failed 0" in result.stdout
    assert mailbox.received == []


def test_a_login_the_server_stalls_is_tried_once_and_named_a_login_problem(write, tmp_path):
    from cohort.delivery.send import send as send_outbox
    from cohort.delivery.smtp import Server

    outbox = outbox_of(write, tmp_path)
    script = Scripted(login="stall")
    with scripted_server(script) as url:
        port = int(url.rsplit(":", 1)[1])
        server = Server("smtp", "127.0.0.1", port, "facilitator", "fout", timeout=0.5)
        outcome = send_outbox(outbox, server, backoff=0)
    assert script.logins == 1  # never again: a server locks an account after a few
    assert outcome.final and "did not complete the login" in outcome.stopped
    assert "check COHORT_SMTP_USER and COHORT_SMTP_PASSWORD" in outcome.stopped
    assert outcome.failed == [] and script.received == []


def test_a_refused_login_is_never_tried_again(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    script = Scripted(login="refuse")
    with scripted_server(script) as url:
        result = send_logged_in(outbox, url, "fout")
    assert result.exit_code == 1
    assert "127.0.0.1 refused the user and password (535" in result.stderr
    assert script.logins == 1


def test_an_organiser_address_only_smtputf8_carries_names_the_sender_and_stops(write, tmp_path):
    text = edit(network(), "  email: netwerk@example.org", "  email: organisatör@example.org")
    folder = write(text)
    warned = cohort("validate", folder, env=NOW)
    assert "warning: the organiser's address organisatör@example.org" in warned.output
    assert "every message needs a server that offers SMTPUTF8" in warned.output
    outbox = tmp_path / "outbox"
    invite(folder, outbox, "--meeting", "m1")
    with scripted_server(Scripted()) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 1
    assert (
        "stopped: the sender organisatör@example.org (the organiser's address): an address with "
        "letters outside ASCII"
    ) in result.stderr
    assert "refused: m1.p0" not in result.stderr and "p0@example.org:" not in result.stderr
    assert "11 message(s) not tried" in result.stderr
