"""Sending the outbox over SMTP, each message once.

Before a message goes to the server, the journal says so; when the server accepts it, the file
moves to `sent/` and the journal says that too. A re-run sends only what is still waiting; a
message whose sending began but never finished (the process was killed while the server had it)
is reported, not sent again, unless the facilitator asks (`--resend-uncertain`).
A refused recipient is reported and the rest go on; a dropped connection or a 4xx answer is
retried with backoff, then reported.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

from ..errors import CohortError, UsageError
from ..records.outbox import Outbox

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
RETRIES = 4
_LOCAL = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Server:
    """An SMTP server to send through: scheme (smtp, smtp+starttls, smtps), host, port, and the
    login from the environment."""

    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str, environ: dict[str, str] | None = None) -> Server:
        env = os.environ if environ is None else environ
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise UsageError(
                f"--server '{url}' is not a server address; write smtp://host:port, "
                "smtp+starttls://host:port or smtps://host:port"
            )
        if parts.username or parts.password:
            raise UsageError(
                "--server must not hold a user or password; set COHORT_SMTP_USER and "
                "COHORT_SMTP_PASSWORD in the environment instead"
            )
        server = cls(
            parts.scheme,
            parts.hostname,
            parts.port or SCHEMES[parts.scheme],
            env.get("COHORT_SMTP_USER") or None,
            env.get("COHORT_SMTP_PASSWORD") or None,
        )
        if server.user and server.scheme == "smtp" and server.host not in _LOCAL:
            raise UsageError(
                "refusing to send a password over an unencrypted connection; use "
                "smtp+starttls:// or smtps://"
            )
        return server

    def connect(self, timeout: float = 30) -> smtplib.SMTP:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self.scheme == "smtps":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=timeout)
            if self.scheme == "smtp+starttls":
                client.starttls(context=context)
        if self.user:
            try:
                client.login(self.user, self.password or "")
            except smtplib.SMTPNotSupportedError:
                client.close()
                raise CohortError(
                    f"{self.host} does not offer to log in (no AUTH) on this connection; "
                    "check the address and port, or leave COHORT_SMTP_USER unset"
                ) from None
            except smtplib.SMTPAuthenticationError as err:
                client.close()
                raise CohortError(
                    f"{self.host} refused the user and password ({err.smtp_code} "
                    f"{_text(err.smtp_error)}); check COHORT_SMTP_USER and "
                    "COHORT_SMTP_PASSWORD"
                ) from None
        return client


@dataclass
class Outcome:
    """What happened to each message of a run (file names in the outbox)."""

    sent: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    left: int = 0
    stopped: str = ""

    @property
    def ok(self) -> bool:
        """Nothing refused, failed or stopped: the run's exit code is 0."""
        return not (self.refused or self.failed or self.stopped)

    def problems(self) -> list[str]:
        """Each message that did not go, and why, for standard error."""
        out = [f"refused: {name}: {reason}" for name, reason in self.refused]
        out += [f"not sent: {name}: {reason}" for name, reason in self.failed]
        out += [
            f"uncertain: {name}: its sending was interrupted, so it may have arrived; "
            "not sent again (--resend-uncertain sends it)"
            for name in self.uncertain
        ]
        return out

    def summary(self) -> str:
        return (
            f"sent {len(self.sent)}, refused {len(self.refused)}, "
            f"not sent {len(self.failed) + self.left}, uncertain {len(self.uncertain)}"
        )

    def stop_reason(self) -> str | None:
        if not self.stopped:
            return None
        return f"stopped: {self.stopped}; run the same command again to go on"


def dry_run(outbox_path: Path, server: Server, limit: int | None = None) -> list[str]:
    """What `send` without --confirm says: each message that would go, and a last line."""
    if not outbox_path.is_dir():
        raise UsageError(f"there is no outbox '{outbox_path}'; write one with 'cohort invite'")
    items = waiting(Outbox(outbox_path))
    lines = [
        f"would send to {item.recipient}: {item.subject}"
        for item in (items[:limit] if limit else items)
    ]
    lines.append(
        f"dry run: {len(items)} message(s) waiting in {outbox_path}; nothing was sent. "
        f"Add --confirm to send them through {server.host}:{server.port}."
    )
    return lines


def count_waiting(outbox_path: Path, limit: int | None = None) -> int:
    """How many messages a run will try (for a progress bar)."""
    if not outbox_path.is_dir():
        return 0
    count = len(Outbox(outbox_path).pending())
    return min(count, limit) if limit else count


@dataclass(frozen=True)
class Waiting:
    """A message waiting in the outbox, parsed."""

    path: Path
    message: EmailMessage

    @property
    def sender(self) -> str:
        return cast(str, self.message["From"].addresses[0].addr_spec)

    @property
    def recipient(self) -> str:
        return cast(str, self.message["To"].addresses[0].addr_spec)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


def waiting(outbox: Outbox) -> list[Waiting]:
    """The messages waiting in an outbox, in file-name order, parsed."""
    out = []
    for path in outbox.pending():
        message = message_from_bytes(path.read_bytes(), policy=policy.SMTP)
        assert isinstance(message, EmailMessage)
        out.append(Waiting(path, message))
    return out


class _Transient(Exception):
    """The connection or the server failed for now; worth another try."""


class _Refused(Exception):
    """The server refused this message for good."""


def _send_one(client: smtplib.SMTP, item: Waiting, now: dt.datetime) -> None:
    message = item.message
    # the Date is when the message enters the mail system
    del message["Date"]
    message["Date"] = format_datetime(now)
    data = message.as_bytes(policy=policy.SMTP)
    try:
        refused = client.sendmail(item.sender, [item.recipient], data)
    except smtplib.SMTPRecipientsRefused as err:
        code, text = next(iter(err.recipients.values()))
        if 400 <= code < 500:
            raise _Transient(f"{code} {_text(text)}") from err
        raise _Refused(f"{code} {_text(text)}") from err
    except smtplib.SMTPResponseException as err:
        detail = f"{err.smtp_code} {_text(err.smtp_error)}"
        if 400 <= err.smtp_code < 500:
            raise _Transient(detail) from err
        raise _Refused(detail) from err
    except (smtplib.SMTPServerDisconnected, OSError) as err:
        raise _Transient(str(err) or type(err).__name__) from err
    if refused:
        raise _Refused(str(refused))


def send(  # noqa: C901 (rewritten for exactly-once under every fault, issue 11)
    outbox_path: Path,
    server: Server,
    *,
    limit: int | None = None,
    rate: float | None = None,
    resend_uncertain: bool = False,
    progress: Callable[[Waiting], None] | None = None,
    backoff: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Send what waits in the outbox; returns what happened to each message."""
    outbox = Outbox(outbox_path)
    if not outbox_path.is_dir():
        raise UsageError(f"there is no outbox '{outbox_path}'; write one with 'cohort invite'")
    base = float(os.environ.get("COHORT_SMTP_BACKOFF", "2")) if backoff is None else backoff
    outcome = Outcome()
    uncertain = outbox.uncertain()
    queue = []
    for item in waiting(outbox):
        if item.path.name in uncertain and not resend_uncertain:
            outcome.uncertain.append(item.path.name)
        else:
            queue.append(item)
    if limit is not None:
        outcome.left = max(0, len(queue) - limit)
        queue = queue[:limit]
    interval = 60.0 / rate if rate else 0.0
    client: smtplib.SMTP | None = None
    try:
        for index, item in enumerate(queue):
            if index and interval:
                sleep(interval)
            attempt = 0
            while True:
                try:
                    if client is None:
                        client = server.connect()
                    outbox.log(file=item.path.name, event="sending", to=item.recipient, at=_stamp())
                    _send_one(client, item, dt.datetime.now(dt.UTC).replace(microsecond=0))
                    outbox.mark_sent(item.path)
                    outbox.log(file=item.path.name, event="delivered", at=_stamp())
                    outcome.sent.append(item.path.name)
                    break
                except _Refused as err:
                    outbox.log(file=item.path.name, event="refused", reason=str(err), at=_stamp())
                    outcome.refused.append((item.path.name, str(err)))
                    break
                except (_Transient, smtplib.SMTPException, OSError) as err:
                    outbox.log(file=item.path.name, event="failed", reason=str(err), at=_stamp())
                    _close(client)
                    client = None
                    attempt += 1
                    if attempt > RETRIES:
                        outcome.failed.append((item.path.name, str(err)))
                        outcome.stopped = str(err)
                        outcome.left += len(queue) - index - 1
                        return outcome
                    sleep(base * 2 ** (attempt - 1))
            if progress is not None:
                progress(item)
    finally:
        _close(client)
    return outcome


def _close(client: smtplib.SMTP | None) -> None:
    if client is None:
        return
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
