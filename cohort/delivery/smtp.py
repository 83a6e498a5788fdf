"""One SMTP server and one transaction with it, through the standard library's smtplib.

A transaction ends in one `Verdict`, decided by how far it got (RFC 5321 §3.3, §4.2.1):

- the server answered 250 to the data: `delivered`;
- the server had said 354 (go ahead) and the data went, or was going, out when the connection
  was lost: the server may have taken it, so `uncertain`;
- a 4xx answer to this message (other than 421): `deferred`; a 5xx: `refused`;
- anything before 354 (no connection, a drop during MAIL or RCPT, 421 "closing"): `failed`,
  certain not to have arrived.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from ..errors import CohortError
from .login import login

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
#: seconds to wait for the answer to a message's data (RFC 5321 §4.5.3.2.6 says 10 minutes):
#: giving up sooner would make a message uncertain that a slow server was still accepting
DATA_TIMEOUT = 600


class Client(smtplib.SMTP):
    """smtplib's client, noting when the server has said 354 (go ahead with the data) in the
    current transaction: from then on, a lost connection may have delivered the message."""

    data_begun = False

    def getreply(self) -> tuple[int, bytes]:
        code, text = super().getreply()
        if code == 354:
            self.data_begun = True
        return code, text


class _ClientSSL(smtplib.SMTP_SSL, Client):
    """The same over implicit TLS (smtps)."""


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
        """Raises UsageError for anything but smtp://, smtp+starttls:// or smtps://host[:port],
        a login in the URL, or a password over an unencrypted connection to another host."""
        found = login(
            url,
            option="--server",
            schemes=tuple(SCHEMES),
            encrypted=("smtp+starttls", "smtps"),
            variables="COHORT_SMTP",
            example="smtp://host:port, smtp+starttls://host:port or smtps://host:port",
            environ=environ,
        )
        parts = found.parts
        assert parts.hostname is not None
        return cls(
            parts.scheme,
            parts.hostname,
            parts.port or SCHEMES[parts.scheme],
            found.user,
            found.password,
        )

    def connect(self, timeout: float = 30) -> Client:
        """A connection, encrypted as the scheme says and logged in when a user is set.

        Raises OSError or smtplib.SMTPException when the server cannot be reached (worth
        another try), CohortError when it refuses the login (not worth one)."""
        context = ssl.create_default_context()
        client: Client
        if self.scheme == "smtps":
            client = _ClientSSL(self.host, self.port, timeout=timeout, context=context)
        else:
            client = Client(self.host, self.port, timeout=timeout)
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
                    f"{text(err.smtp_error)}); check COHORT_SMTP_USER and "
                    "COHORT_SMTP_PASSWORD"
                ) from None
        return client


class Verdict(Enum):
    """How one transaction ended (see the module's docstring)."""

    delivered = "delivered"
    uncertain = "uncertain"
    deferred = "deferred"
    refused = "refused"
    failed = "failed"


@dataclass(frozen=True)
class Attempt:
    """A verdict, and the server's answer or what went wrong."""

    verdict: Verdict
    detail: str = ""


def transmit(
    client: Client,
    sender: str,
    recipients: Sequence[str],
    data: bytes,
    before_data: Callable[[], None],
    host: str,
) -> Attempt:
    """One transaction for one message: MAIL, RCPT for each recipient, then `before_data()`
    (the journal's `sending`) and DATA. All recipients or none: when the server turns one
    down, the message waits as a whole, so nobody gets it twice. An address with letters
    outside ASCII goes with SMTPUTF8 (RFC 6531), or, when `host` does not offer it, the message
    is refused here.

    Raises only what `before_data` raises."""
    client.data_begun = False
    try:
        refusal = _envelope(client, sender, recipients, len(data), host)
    except (smtplib.SMTPException, OSError) as err:
        return Attempt(Verdict.failed, describe(err))
    if refusal is not None:
        return refusal
    before_data()
    sock = client.sock
    try:
        if sock is not None:
            sock.settimeout(DATA_TIMEOUT)
        code, answer = client.data(data)
    except smtplib.SMTPDataError as err:  # DATA itself was answered with an error
        return _answer(err.smtp_code, err.smtp_error, "")
    except (smtplib.SMTPException, OSError) as err:
        if client.data_begun:
            return Attempt(
                Verdict.uncertain,
                "the connection was lost after the message went out, before the server said "
                f"whether it took it ({describe(err)})",
            )
        return Attempt(Verdict.failed, describe(err))
    finally:
        if sock is not None and client.sock is sock:
            sock.settimeout(client.timeout)
    if code != 250:
        return _answer(code, answer, "")
    return Attempt(Verdict.delivered, f"{code} {text(answer)}")


def _envelope(
    client: Client, sender: str, recipients: Sequence[str], size: int, host: str
) -> Attempt | None:
    """MAIL and RCPT; None when the server takes them all, else why not."""
    client.ehlo_or_helo_if_needed()
    options = []
    if not all(address.isascii() for address in (sender, *recipients)):
        if not client.has_extn("smtputf8"):
            return Attempt(
                Verdict.refused,
                f"{', '.join(recipients)}: an address with letters outside ASCII before the @ "
                f"can only be sent through a server that offers SMTPUTF8, and {host} does not",
            )
        options += ["SMTPUTF8", "BODY=8BITMIME"]
    if client.has_extn("size"):
        options.append(f"SIZE={size}")
    code, answer = client.mail(sender, options)
    if code != 250:
        return _answer(code, answer, f"for the sender {sender}")
    for recipient in recipients:
        code, answer = client.rcpt(recipient)
        if code not in (250, 251):
            return _answer(code, answer, f"for {recipient}")
    return None


def _answer(code: int, answer: bytes | str, what: str) -> Attempt:
    """A server's refusal as a verdict: 421 closes the connection (the server's trouble, not
    this message's), another 4xx defers the message, a 5xx refuses it (RFC 5321 §4.2.1)."""
    detail = f"{code} {text(answer)}" + (f" ({what})" if what else "")
    if code == 421:
        return Attempt(Verdict.failed, detail)
    if 400 <= code < 500:
        return Attempt(Verdict.deferred, detail)
    return Attempt(Verdict.refused, detail)


def describe(err: BaseException) -> str:
    """What went wrong, in a few words: the server's answer, or the system's."""
    if isinstance(err, smtplib.SMTPResponseException):
        return f"{err.smtp_code} {text(err.smtp_error)}"
    return str(err) or type(err).__name__


def text(answer: bytes | str) -> str:
    """A server's answer as text."""
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer
