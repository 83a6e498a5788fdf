"""Real servers for the tests, started on 127.0.0.1 and stopped afterwards."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"server exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@contextmanager
def radicale(folder: Path) -> Iterator[str]:
    """A Radicale CalDAV server with a store of its own; yields its URL."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "radicale.conf"
    config.write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        "[auth]\n"
        "type = none\n"
        "[storage]\n"
        f"filesystem_folder = {folder / 'collections'}\n"
        "[logging]\n"
        "level = warning\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(port, process)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class Mailbox:
    """An aiosmtpd handler that keeps what it receives; it can be told to fail.

    fail_after: accept this many messages, then answer every DATA with `fail_with`.
    refuse: recipients answered with 550 at RCPT.
    """

    def __init__(
        self,
        fail_after: int | None = None,
        fail_with: str = "421 4.3.0 try later",
        refuse: frozenset[str] = frozenset(),
    ) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.fail_after = fail_after
        self.fail_with = fail_with
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.fail_after is not None and len(self.received) >= self.fail_after:
            return self.fail_with
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(
    mailbox: Mailbox,
    *,
    tls: str | None = None,
    certificate: object = None,
    users: dict[str, str] | None = None,
) -> Iterator[str]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; yields its URL.

    tls: None (plain smtp://), "starttls" (smtp+starttls://) or "implicit" (smtps://), with a
    trustme `certificate` for localhost. users: name -> password, then AUTH is required.
    """
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    port = free_port()
    context = None
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)  # type: ignore[attr-defined]

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        login = auth_data.login.decode()
        ok = users is not None and users.get(login) == auth_data.password.decode()
        return AuthResult(success=ok, handled=False)

    options: dict[str, object] = {}
    if users is not None:
        options.update(
            authenticator=authenticator,
            auth_required=True,
            # aiosmtpd cannot tell implicit TLS from none; STARTTLS it does know
            auth_require_tls=tls == "starttls",
        )
    if tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    controller = Controller(
        mailbox,
        hostname="localhost",
        port=port,
        ssl_context=context if tls == "implicit" else None,
        server_hostname="localhost",
        **options,
    )
    controller.start()
    scheme = {None: "smtp", "starttls": "smtp+starttls", "implicit": "smtps"}[tls]
    try:
        yield f"{scheme}://localhost:{port}"
    finally:
        controller.stop()
