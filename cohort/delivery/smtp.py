"""One SMTP server and one transaction with it, through the standard library's smtplib.

A transaction ends in one `Verdict`, decided by how far it got (RFC 5321 §3.3, §4.2.1):

- the server answered 250 to the data: `delivered`;
- the server had said 354 (go ahead) and the data went, or was going, out when the connection
  was lost: the server may have taken it, so `uncertain`;
- a 4xx answer to this message: `deferred`; a 5xx: `refused`. A 421 also says the server
  closes the connection: the message is deferred, and the next one goes on a new connection;
- anything else before 354 (no connection, a drop during MAIL or RCPT): `failed`, certain not
  to have arrived.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    password: str | None = field(default=None, repr=False)
    #: seconds to wait for the server before giving up on a connection (not on the data:
    #: see DATA_TIMEOUT)
    timeout: float = 30

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
        return cls(
            found.scheme,
            found.host,
            found.port or SCHEMES[found.scheme],
            found.user,
            found.password,
        )

    def connect(self) -> Client:
        """A connection, encrypted as the scheme says and logged in when a user is set.

        Raises OSError or smtplib.SMTPException when the server cannot be reached (worth
        another try), Unusable when trying again cannot help: its TLS certificate is not
        trusted, TLS cannot be spoken with it, or the login fails (a refused login is never
        tried again: servers lock an account after a few)."""
        context = ssl.create_default_context()
        client: Client
        try:
            if self.scheme == "smtps":
                client = _ClientSSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                client = Client(self.host, self.port, timeout=self.timeout)
                if self.scheme == "smtp+starttls":
                    self._starttls(client, context)
        except ssl.SSLError as err:
            raise Unusable(self._tls_problem(err)) from None
        if self.user:
            self._login(client)
        return client

    def _starttls(self, client: Client, context: ssl.SSLContext) -> None:
        try:
            client.starttls(context=context)
        except smtplib.SMTPNotSupportedError:
            client.close()
            raise Unusable(
                f"{self.where} does not offer STARTTLS; check the port (587 for "
                "smtp+starttls://, 465 for smtps://)"
            ) from None

    def _tls_problem(self, err: ssl.SSLError) -> str:
        if isinstance(err, ssl.SSLCertVerificationError):
            return (
                f"the TLS certificate of {self.where} is not trusted "
                f"({err.reason}: {err.verify_message}); nothing was sent. Check the server's "
                "name (it must be the one in its certificate), or ask its administrator"
            )
        return (
            f"cannot speak TLS with {self.where} ({err.reason or err}); nothing was sent. Check "
            "the scheme and the port (smtps:// is usually 465, smtp+starttls:// 587)"
        )

    def _login(self, client: Client) -> None:
        try:
            client.login(self.user or "", self.password or "")
        except smtplib.SMTPNotSupportedError:
            client.close()
            raise Unusable(
                f"{self.host} does not offer to log in (no AUTH) on this connection; "
                "check the address and port, or leave COHORT_SMTP_USER unset"
            ) from None
        except smtplib.SMTPAuthenticationError as err:
            client.close()
            raise Unusable(
                f"{self.host} refused the user and password ({err.smtp_code} "
                f"{text(err.smtp_error)}); check COHORT_SMTP_USER and "
                "COHORT_SMTP_PASSWORD (cohort does not try again: servers lock an account "
                "after a few failed logins)"
            ) from None
        except (smtplib.SMTPException, OSError) as err:
            client.close()
            raise Unusable(
                f"{self.host} did not complete the login ({describe(err)}); servers slow down "
                "or drop a login whose password is wrong, so check COHORT_SMTP_USER and "
                "COHORT_SMTP_PASSWORD (cohort does not try again: servers lock an account after "
                "a few failed logins)"
            ) from None

    @property
    def where(self) -> str:
        """host:port, for people."""
        return f"{self.host}:{self.port}"


class Unusable(CohortError):
    """The server cannot be used as given (its certificate, TLS, the login): trying again will
    not help, so the run stops at once."""


class Verdict(Enum):
    """How one transaction ended (see the module's docstring)."""

    delivered = "delivered"
    uncertain = "uncertain"
    deferred = "deferred"
    refused = "refused"
    failed = "failed"


@dataclass(frozen=True)
class Attempt:
    """A verdict, and the server's answer or what went wrong. `closing`: the server said it
    closes the connection (421); `stop`: no message can go through this server (the sender
    needs what it does not offer)."""

    verdict: Verdict
    detail: str = ""
    closing: bool = False
    stop: bool = False


def transmit(
    client: Client,
    sender: str,
    recipients: Sequence[str],
    data: bytes,
    before_data: Callable[[], None],
    host: str,
    waiting: tuple[float, Callable[[], None]] | None = None,
) -> Attempt:
    """One transaction for one message: MAIL, RCPT for each recipient, then `before_data()`
    (the journal's `sending`) and DATA. All recipients or none: when the server turns one
    down, the message waits as a whole, so nobody gets it twice. An address with letters
    outside ASCII goes with SMTPUTF8 (RFC 6531), or, when `host` does not offer it, the message
    is refused here.

    `waiting` is (seconds, say): `say()` is called, from another thread, when the server has
    not answered the data after that many seconds (it may take 10 minutes, RFC 5321 4.5.3.2.6).

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
        with _saying_after(waiting):
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


@contextmanager
def _saying_after(waiting: tuple[float, Callable[[], None]] | None) -> Iterator[None]:
    """Call `waiting[1]()` from another thread if the block still runs after `waiting[0]`
    seconds."""
    if waiting is None:
        yield
        return
    timer = threading.Timer(*waiting)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _envelope(
    client: Client, sender: str, recipients: Sequence[str], size: int, host: str
) -> Attempt | None:
    """MAIL and RCPT; None when the server takes them all, else why not."""
    client.ehlo_or_helo_if_needed()
    options = []
    if not all(address.isascii() for address in (sender, *recipients)):
        if not client.has_extn("smtputf8"):
            return _needs_smtputf8(sender, recipients, host)
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


def _needs_smtputf8(sender: str, recipients: Sequence[str], host: str) -> Attempt:
    """A message with an address only SMTPUTF8 carries, to a server that does not offer it:
    refused when a recipient's address is such; the run stops when the sender's is, since no
    message from it can go through this server."""
    why = (
        "an address with letters outside ASCII before the @ can only be sent through a server "
        f"that offers SMTPUTF8, and {host} does not"
    )
    if not sender.isascii():
        return Attempt(
            Verdict.failed,
            f"the sender {sender} (the organiser's address): {why}; use a server that offers "
            "SMTPUTF8, or give the organiser an address in ASCII",
            stop=True,
        )
    odd = [address for address in recipients if not address.isascii()]
    return Attempt(Verdict.refused, f"{', '.join(odd)}: {why}")


def _answer(code: int, answer: bytes | str, what: str) -> Attempt:
    """A server's refusal as a verdict: 421 closes the connection (the server's trouble, not
    this message's), another 4xx defers the message, a 5xx refuses it (RFC 5321 §4.2.1)."""
    detail = f"{code} {text(answer)}" + (f" ({what})" if what else "")
    if code == 421:
        return Attempt(Verdict.deferred, detail, closing=True)
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
