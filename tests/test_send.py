"""`cohort send`: every message arrives exactly once, whatever the server does."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json

import pytest
from conftest import cohort, edit
from icalendar import Calendar
from servers import Mailbox, smtp_server
from test_invite import NOW, invite, network, waiting

from cohort.errors import UsageError


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def outbox_of(write, tmp_path, text=None):
    folder = write(text or network())
    outbox = tmp_path / "outbox"
    invite(folder, outbox)
    return outbox


def put(outbox, name, data: bytes) -> None:
    """A message in the outbox as cohort would have written it: the file, and its line (name
    and digest) in the outbox's marker. `send` sends nothing else."""
    (outbox / name).write_bytes(data)
    with (outbox / ".cohort-output").open("a", encoding="utf-8") as marker:
        marker.write(f"{hashlib.sha256(data).hexdigest()}  {name}\n")


def send(outbox, url, *args):
    return cohort("send", outbox, "--server", url, *args, env=NOW)


def test_a_dry_run_sends_nothing(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        result = send(outbox, url)
    assert result.exit_code == 0
    assert mailbox.received == []
    assert "would send to p0@example.org: Uitnodiging: Bijeenkomst 1" in result.stdout
    assert "dry run: 36 message(s) would go from" in result.stdout
    assert len(waiting(outbox)) == 36


def test_messages_arrive_intact(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    originals = {p.name: parsed(p.read_bytes()) for p in outbox.glob("*.eml")}
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 0, result
    assert len(mailbox.received) == 36
    by_id = {o["Message-ID"]: o for o in originals.values()}
    for sender, recipients, raw in mailbox.received:
        arrived = parsed(raw)
        original = by_id[arrived["Message-ID"]]
        assert sender == "netwerk@example.org"
        assert recipients == [original["To"].addresses[0].addr_spec]
        assert str(arrived["Subject"]) == str(original["Subject"])
        assert (
            arrived.get_body(("plain",)).get_content()
            == original.get_body(("plain",)).get_content()
        )
        (part,) = [p for p in arrived.walk() if p.get_content_type() == "text/calendar"]
        cal = Calendar.from_ical(part.get_content())
        assert str(cal["METHOD"]) == "REQUEST"
        assert str(cal.walk("VEVENT")[0]["ATTENDEE"]) == "mailto:" + recipients[0]
        assert arrived["Date"] is not None
    assert sorted(p.name for p in (outbox / "sent").glob("*.eml")) == sorted(originals)


def test_a_second_run_sends_nothing_again(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        send(outbox, url, "--confirm")
        result = send(outbox, url, "--confirm")
    assert "sent 0," in result.stdout
    assert len(mailbox.received) == 36


def test_a_failing_server_then_a_healthy_one_every_message_exactly_once(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    flaky = Mailbox(fail_after=10)
    with smtp_server(flaky) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 1
    # 421 closes the connection: the message waits, the next goes on a new connection, and a
    # server that closes on five messages in a row stops the run
    assert "sent 10, deferred 5," in result.stdout
    assert (
        "stopped: the server closed the connection 5 times in a row (421 4.3.0 try later); "
        "21 message(s) not tried"
    ) in result.stderr
    assert len(waiting(outbox)) == 26
    healthy = Mailbox()
    with smtp_server(healthy) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 0, result
    ids = [parsed(raw)["Message-ID"] for _, _, raw in flaky.received + healthy.received]
    assert len(ids) == 36 == len(set(ids))
    journal = [json.loads(line) for line in (outbox / "journal.jsonl").read_text().splitlines()]
    assert sum(e["event"] == "delivered" for e in journal) == 36
    assert sum(e["event"] == "deferred" for e in journal) == 5  # five messages, once each


def test_a_server_that_goes_away_is_retried_then_reported(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    with smtp_server(Mailbox()) as url:
        pass  # the server is gone again: nothing listens there now
    result = send(outbox, url, "--confirm")
    assert result.exit_code == 1
    assert "sent 0, deferred 0, uncertain 0, refused 0, failed 1, held back 0" in result.stdout
    assert "35 message(s) not tried; run the same command again to go on" in result.stderr
    assert len(waiting(outbox)) == 36


def test_a_refused_recipient_is_reported_and_the_rest_go_on(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    mailbox = Mailbox(refuse=frozenset({"p3@example.org"}))
    with smtp_server(mailbox) as url:
        result = send(outbox, url, "--confirm")
    assert result.exit_code == 1
    assert "sent 33, deferred 0, uncertain 0, refused 3, failed 0" in result.stdout
    assert "refused: m1.p3.invitation.0.eml: 550 5.1.1 no such user" in result.stderr
    assert waiting(outbox) == [f"m{n}.p3.invitation.0.eml" for n in (1, 2, 3)]


def test_a_refused_message_is_not_tried_again_until_its_address_is_corrected(write, tmp_path):
    """A 5xx is for good (as a mail server treats it): the next run does not knock again, says
    why and how to go on; a corrected address (invite writes the message anew) is tried, and
    --retry-refused tries the old ones once more."""
    text = network()
    outbox = outbox_of(write, tmp_path, text)
    mailbox = Mailbox(refuse=frozenset({"p3@example.org", "p4@example.org"}))
    with smtp_server(mailbox) as url:
        first = send(outbox, url, "--confirm")
        assert "sent 30, deferred 0, uncertain 0, refused 6," in first.stdout
        again = send(outbox, url, "--confirm")
        dry = send(outbox, url)
    assert again.exit_code == 1
    assert "sent 0, deferred 0, uncertain 0, refused 6," in again.stdout
    assert (
        "refused: m1.p3.invitation.0.eml: refused in an earlier run (550 5.1.1 no such user (for "
        "p3@example.org)); "
        "not tried again" in again.stderr
    )
    assert "add --retry-refused to this command" in again.stderr
    assert (
        "dry run: 0 message(s) would go from" in dry.stdout and "6 would be refused" in dry.stdout
    )
    assert len(mailbox.received) == 30

    folder = write(edit(text, "email: p3@example.org", "email: p3@elders.example.org"))
    invite(folder, outbox)
    with smtp_server(Mailbox()) as url:
        fixed = send(outbox, url, "--confirm")
        assert "sent 3, deferred 0, uncertain 0, refused 3," in fixed.stdout
        retried = send(outbox, url, "--confirm", "--retry-refused")
    assert retried.exit_code == 0, retried
    assert "sent 3, deferred 0, uncertain 0, refused 0," in retried.stdout
    assert waiting(outbox) == []


def test_hostile_names_arrive_as_one_correct_recipient(write, tmp_path):
    text = network()
    hostile = {
        0: "Peeters, Jan",
        1: 'Jan "de Baas" Peeters',
        2: "Evil\r\nBcc: victim@example.org",
        3: "Zoë Ünal-Çelik",
        4: "x@example.org, y@example.org",
    }
    organisations = ["Atelier Noord", "De Koer", "Havenhuis", "Stadsveld", "De Wissel"]
    for i, name in hostile.items():
        # a JSON string is a YAML double-quoted scalar: the CR LF really are in the name
        text = edit(
            text,
            f"    name: Persoon {i} van {organisations[i]}\n",
            f"    name: {json.dumps(name)}\n",
        )
    folder = write(text)
    outbox = tmp_path / "outbox"
    invite(folder, outbox, "--meeting", "m1")
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        assert send(outbox, url, "--confirm").exit_code == 0
    arrived = {recipients[0]: parsed(raw) for _, recipients, raw in mailbox.received}
    assert len(mailbox.received) == 12
    assert all(len(r) == 1 for _, r, _ in mailbox.received)
    assert "victim@example.org" not in {r for _, rs, _ in mailbox.received for r in rs}
    expected = {
        0: "Peeters, Jan",
        1: 'Jan "de Baas" Peeters',
        2: "Evil Bcc: victim@example.org",
        3: "Zoë Ünal-Çelik",
        4: "x@example.org, y@example.org",
    }
    for i, name in expected.items():
        message = arrived[f"p{i}@example.org"]
        (address,) = message["To"].addresses
        assert (address.display_name, address.addr_spec) == (name, f"p{i}@example.org")
        assert message["Bcc"] is None and message["Cc"] is None


def test_limit_and_rate(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        result = send(outbox, url, "--confirm", "--limit", "5", "--rate", "6000")
    assert result.exit_code == 0
    assert "sent 5, deferred 0, uncertain 0, refused 0, failed 0, held back 31" in result.stdout
    assert len(mailbox.received) == 5


def test_an_interrupted_sending_is_not_repeated_unless_asked(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    first = waiting(outbox)[0]
    # the journal says the sending of one message began, and nothing more: cohort was killed
    (outbox / "journal.jsonl").write_text(json.dumps({"event": "sending", "file": first}) + "\n")
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        result = send(outbox, url, "--confirm")
        assert "sent 35, deferred 0, uncertain 1, refused 0, failed 0" in result.stdout
        assert f"uncertain: {first}" in result.stderr
        assert len(mailbox.received) == 35
        again = send(outbox, url, "--confirm", "--resend-uncertain")
    assert "sent 1," in again.stdout
    assert len(mailbox.received) == 36


def test_credentials_never_travel_unencrypted_nor_in_the_url(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    in_url = cohort("send", outbox, "--server", "smtp://user:secret@mail.example.org:25")
    assert in_url.exit_code == 2
    assert "COHORT_SMTP_USER" in in_url.stderr
    plain = cohort(
        "send",
        outbox,
        "--server",
        "smtp://mail.example.org:25",
        env={"COHORT_SMTP_USER": "me", "COHORT_SMTP_PASSWORD": "secret"},
    )
    assert plain.exit_code == 2
    assert "refusing to send a password over an unencrypted connection" in plain.stderr


def test_a_bad_server_address_is_a_usage_error(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    result = cohort("send", outbox, "--server", "mail.example.org")
    assert result.exit_code == 2
    assert "smtp+starttls://host:port" in result.stderr


@pytest.mark.parametrize(
    "url", ["smtp://localhost:99999", "smtp://localhost:abc", "smtp://[::1", "smtp://localhost:0"]
)
def test_a_server_address_with_a_bad_port_is_a_usage_error(write, tmp_path, url):
    outbox = outbox_of(write, tmp_path)
    result = cohort("send", outbox, "--server", url)
    assert result.exit_code == 2, result
    assert f"--server '{url}'" in result.stderr
    assert "smtp+starttls://host:port" in result.stderr


@pytest.mark.parametrize("url", ["https://localhost:99999/", "https://[::1/"])
def test_a_caldav_address_with_a_bad_port_is_a_usage_error(url):
    from cohort.delivery.caldav import Server

    with pytest.raises(UsageError, match="is not a server address"):
        Server.parse(url, {})


def test_a_missing_outbox_is_a_usage_error(tmp_path):
    result = cohort("send", tmp_path / "nope", "--server", "smtp://127.0.0.1:25")
    assert result.exit_code == 2
    assert "there is no outbox" in result.stderr
    message = tmp_path / "invitation.eml"  # one message given instead of its outbox
    message.write_text("From: a@example.org\n\nhello\n")
    result = cohort("send", message)
    assert result.exit_code == 2
    assert f"'{message}' is a file, not an outbox; give the folder" in result.stderr


@pytest.fixture(scope="module")
def authority():
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_encrypted_servers_with_a_user_and_password(write, tmp_path, authority, tls):
    outbox = outbox_of(write, tmp_path)
    certificate = authority.issue_cert("localhost")
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    mailbox = Mailbox()
    env = {
        **NOW,
        "SSL_CERT_FILE": str(bundle),
        "COHORT_SMTP_USER": "facilitator",
        "COHORT_SMTP_PASSWORD": "geheim",
    }
    with smtp_server(
        mailbox, tls=tls, certificate=certificate, users={"facilitator": "geheim"}
    ) as url:
        result = cohort("send", outbox, "--server", url, "--confirm", "--limit", "3", env=env)
        assert result.exit_code == 0, result
        assert len(mailbox.received) == 3
        wrong = cohort(
            "send",
            outbox,
            "--server",
            url,
            "--confirm",
            env={**env, "COHORT_SMTP_PASSWORD": "fout"},
        )
    assert wrong.exit_code == 1
    assert "localhost refused the user and password (535" in wrong.stderr
    assert "check COHORT_SMTP_USER and COHORT_SMTP_PASSWORD" in wrong.stderr
    assert len(mailbox.received) == 3


def test_a_server_whose_certificate_is_not_trusted_is_not_sent_to(write, tmp_path, authority):
    outbox = outbox_of(write, tmp_path)
    mailbox = Mailbox()
    with smtp_server(mailbox, tls="implicit", certificate=authority.issue_cert("localhost")) as url:
        result = cohort("send", outbox, "--server", url, "--confirm", "--limit", "1", env=NOW)
    assert result.exit_code == 1
    assert "CERTIFICATE_VERIFY_FAILED" in result.output
    assert mailbox.received == []


def send_logged_in(outbox, url, password):
    """`cohort send --confirm` with a user and password in the environment."""
    env = {**NOW, "COHORT_SMTP_USER": "me", "COHORT_SMTP_PASSWORD": password}
    return cohort("send", outbox, "--server", url, "--confirm", env=env)


def test_a_server_without_login_is_named_not_retried(write, tmp_path):
    outbox = outbox_of(write, tmp_path)
    with smtp_server(Mailbox()) as url:
        result = send_logged_in(outbox, url, "x")
    assert result.exit_code == 1
    assert "does not offer to log in (no AUTH)" in result.stderr
    assert (
        not (outbox / "journal.jsonl").exists()
        or "failed" not in (outbox / "journal.jsonl").read_text()
    )


def test_progress_is_reported_message_by_message(write, tmp_path):
    from cohort.delivery.send import send as send_outbox
    from cohort.delivery.smtp import Server

    outbox = outbox_of(write, tmp_path)
    seen = []
    with smtp_server(Mailbox()) as url:
        outcome = send_outbox(
            outbox,
            Server.parse(url, {}),
            limit=7,
            backoff=0,
            progress=lambda item: seen.append(item.recipient),
        )
    assert len(outcome.sent) == 7
    assert len(seen) == 7 and all(address.endswith("@example.org") for address in seen)
