"""Real servers for the tests, started on 127.0.0.1 and stopped afterwards."""

from __future__ import annotations

import http.client
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


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
def radicale(
    folder: Path, users: dict[str, str] | None = None, certificate: object = None
) -> Iterator[str]:
    """A Radicale CalDAV server with a store of its own; yields its URL.

    users: name -> password (htpasswd), then a login is required; otherwise any login is taken.
    certificate: a trustme certificate for 127.0.0.1, then the server speaks https only.
    """
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "radicale.conf"
    auth = "[auth]\ntype = none\n"
    if users is not None:
        htpasswd = folder / "htpasswd"
        htpasswd.write_text("".join(f"{name}:{password}\n" for name, password in users.items()))
        auth = (
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {htpasswd}\n"
            "htpasswd_encryption = plain\n"
        )
    tls = ""
    if certificate is not None:
        cert, key = folder / "cert.pem", folder / "key.pem"
        certificate.cert_chain_pems[0].write_to_path(str(cert))  # type: ignore[attr-defined]
        certificate.private_key_pem.write_to_path(str(key))  # type: ignore[attr-defined]
        tls = f"ssl = True\ncertificate = {cert}\nkey = {key}\n"
    config.write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        f"{tls}"
        f"{auth}"
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
        yield f"{'https' if certificate is not None else 'http'}://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


#: an answer given in a server's place: status, headers, body
Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Request:
    """One request as a proxy saw it, with the status the server answered (None: no answer),
    how long the server took, and when it came (time.monotonic)."""

    method: str
    path: str
    headers: dict[str, str]
    status: int | None = None
    seconds: float = 0.0
    at: float = 0.0
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class Proxy:
    """A reverse proxy on 127.0.0.1 in front of a real server: it records every request, so a
    test can count them, and can be told to fail.

    before(request): called before a request is passed on (to change the server meanwhile).
    respond(request) -> Answer | None: an answer (status, headers, body) given in the server's
    place (a server that is busy, broken or not a CalDAV server), or None to pass it on.
    cut(request) -> bool: when true, the request is passed on, but the answer is lost: the
    connection closes, and the proxy refuses everything after (the server went away) until
    `down` is set back to False.
    """

    WRITES = ("PUT", "DELETE", "MKCALENDAR", "MKCOL", "PROPPATCH", "POST", "MOVE", "COPY")

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = upstream
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.seen: list[Request] = []
        self.before: Callable[[Request], None] | None = None
        self.respond: Callable[[Request], Answer | None] | None = None
        self.cut: Callable[[Request], bool] | None = None
        self.down = False
        self.url = ""

    def writes(self) -> list[Request]:
        return [r for r in self.seen if r.method in self.WRITES]

    def forward(
        self, request: Request, body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(*self.target, timeout=30)
        hop = {"host", "connection", "keep-alive", "transfer-encoding", "content-length"}
        headers = {k: v for k, v in request.headers.items() if k.lower() not in hop}
        connection.request(request.method, request.path, body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        connection.close()
        return answer.status, answer.reason, answer.getheaders(), data


class _Forward(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy: Proxy

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def __getattr__(self, name: str) -> Callable[[], None]:
        if name.startswith("do_"):
            return self._forward
        raise AttributeError(name)

    def _forward(self) -> None:
        proxy = self.proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if proxy.down:
            self.close_connection = True
            return
        request = Request(
            self.command, self.path, dict(self.headers.items()), at=time.monotonic(), body=body
        )
        proxy.seen.append(request)
        if proxy.before is not None:
            proxy.before(request)
        start = time.perf_counter()
        canned = proxy.respond(request) if proxy.respond is not None else None
        if canned is not None:
            status, extra, data = canned
            reason = http.client.responses.get(status, "")
            headers = list(extra.items())
        else:
            status, reason, headers, data = proxy.forward(request, body)
        request.seconds = time.perf_counter() - start
        if proxy.cut is not None and proxy.cut(request):
            proxy.down = True
            self.close_connection = True
            return
        request.status = status
        self.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in {
                "connection",
                "keep-alive",
                "transfer-encoding",
                "content-length",
            }:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def recording_proxy(upstream: str) -> Iterator[Proxy]:
    """A Proxy in front of `upstream` (an http:// URL); its `url` is where clients go."""
    proxy = Proxy(upstream)
    handler = type("Handler", (_Forward,), {"proxy": proxy})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()


class Mailbox:
    """An aiosmtpd handler that keeps what it receives; it can be told to fail.

    fail_after: accept this many messages, then answer every DATA with `fail_with`.
    refuse: recipients answered with 550 at RCPT.
    greylist: recipient -> how many times RCPT is answered 451 (greylisting) before it is
    accepted.
    """

    def __init__(
        self,
        fail_after: int | None = None,
        fail_with: str = "421 4.3.0 try later",
        refuse: frozenset[str] = frozenset(),
        greylist: dict[str, int] | None = None,
    ) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.fail_after = fail_after
        self.fail_with = fail_with
        self.refuse = refuse
        self.greylist = dict(greylist or {})

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 no such user"
        if self.greylist.get(address, 0) > 0:
            self.greylist[address] -= 1
            return "451 4.7.1 greylisted, try again later"
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
    smtputf8: bool = False,
) -> Iterator[str]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; yields its URL.

    tls: None (plain smtp://), "starttls" (smtp+starttls://) or "implicit" (smtps://), with a
    trustme `certificate` for localhost. users: name -> password, then AUTH is required.
    smtputf8: offer SMTPUTF8 (RFC 6531), for addresses with letters outside ASCII.
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

    options: dict[str, object] = {"enable_SMTPUTF8": smtputf8}
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


class Scripted:
    """A small SMTP server that misbehaves on purpose, at the moments aiosmtpd will not: it
    drops the connection at a chosen step of a transaction, or holds it there until told.

    faults: recipient -> faults, one used up by each transaction to that recipient, in order
    (when they run out, the recipient is served well). A fault is one of
      "drop at RCPT"     close without answering the RCPT
      "drop at DATA"     close without answering the DATA command (before 354)
      "drop in data"     read the first line of the message after 354, then close
      "drop after data"  read the whole message, keep it (it did arrive), close unanswered
      "hold at RCPT"     wait for `release` before answering the RCPT
      "hold after data"  keep the whole message, then wait for `release` before answering
      "NNN text"         answer the RCPT with this reply (a 421 then closes the connection, as
                         RFC 5321 §3.8 says a server does)
    smtputf8: offer SMTPUTF8 in the EHLO answer.
    login: None (no AUTH offered), "refuse" (535 to every AUTH) or "stall" (hold every AUTH
    until `release`, then 535: a server that slows down a wrong password).

    `received` holds every message read in full, answered or not; `held` is set while a
    transaction waits for `release`; `logins` counts the AUTH commands.
    """

    def __init__(
        self,
        faults: dict[str, list[str]] | None = None,
        smtputf8: bool = False,
        login: str | None = None,
    ):
        self.faults = {address: list(steps) for address, steps in (faults or {}).items()}
        self.smtputf8 = smtputf8
        self.login = login
        self.logins = 0
        self.received: list[tuple[str, list[str], bytes]] = []
        self.held = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    def fault(self, address: str) -> str:
        with self.lock:
            steps = self.faults.get(address)
            return steps.pop(0) if steps else ""

    def recipients_of(self, address: str) -> int:
        return sum(address in recipients for _, recipients, _ in self.received)


class _ScriptedSession(socketserver.StreamRequestHandler):
    server: _ScriptedServer

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def drop(self) -> None:
        with suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        self.connection.close()

    def hold(self, script: Scripted) -> None:
        script.held.set()
        script.release.wait(60)

    def handle(self) -> None:  # noqa: C901 (one branch per SMTP command)
        script = self.server.script
        self.reply("220 localhost scripted ESMTP")
        sender, recipients, fault = "", [], ""
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb == "EHLO":
                extensions = ["8BITMIME"] + (["SMTPUTF8"] if script.smtputf8 else [])
                extensions += ["AUTH PLAIN"] if script.login else []
                for extension in ["localhost", *extensions]:
                    self.reply(f"250-{extension}")
                self.reply("250 HELP")
            elif verb == "HELO":
                self.reply("250 localhost")
            elif verb == "AUTH":
                with script.lock:
                    script.logins += 1
                if script.login == "stall":
                    self.hold(script)
                self.reply("535 5.7.8 authentication credentials invalid")
            elif verb == "MAIL":
                sender, recipients, fault = _angle(command), [], ""
                self.reply("250 OK")
            elif verb == "RCPT":
                address = _angle(command)
                fault = script.fault(address) or fault
                if fault == "drop at RCPT":
                    return self.drop()
                if fault == "hold at RCPT":
                    self.hold(script)
                if fault[:1].isdigit():
                    self.reply(fault)
                    if fault.startswith("421"):
                        return self.drop()
                    fault = ""
                    continue
                recipients.append(address)
                self.reply("250 OK")
            elif verb == "DATA":
                if fault == "drop at DATA":
                    return self.drop()
                self.reply("354 go ahead")
                first = self.rfile.readline()
                if fault == "drop in data":
                    return self.drop()
                data = [first]
                while data[-1] not in (b".\r\n", b""):
                    data.append(self.rfile.readline())
                content = b"".join(data[:-1])
                with script.lock:
                    script.received.append((sender, recipients, content))
                if fault == "drop after data":
                    return self.drop()
                if fault == "hold after data":
                    self.hold(script)
                self.reply("250 OK accepted")
            elif verb in ("RSET", "NOOP"):
                sender, recipients, fault = "", [], ""
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return None
            else:
                self.reply("502 not implemented")
        return None


def _angle(command: str) -> str:
    return command[command.index("<") + 1 : command.index(">")]


class _ScriptedServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    script: Scripted


@contextmanager
def scripted_server(script: Scripted) -> Iterator[str]:
    """A `Scripted` SMTP server on 127.0.0.1; yields its URL."""
    server = _ScriptedServer(("127.0.0.1", 0), _ScriptedSession)
    server.script = script
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"smtp://127.0.0.1:{server.server_address[1]}"
    finally:
        script.release.set()
        server.shutdown()
        server.server_close()


# -- IMAP ---------------------------------------------------------------------------------------


@dataclass
class ImapMessage:
    """A message in the scripted IMAP mailbox: its UID, bytes and flags."""

    uid: int
    data: bytes
    flags: set[str]


class ImapBox:
    """The one mailbox (INBOX) of a scripted IMAP4rev1 server, and every command it was sent.

    It speaks just enough of RFC 3501 for a client that logs in, EXAMINEs or SELECTs, searches
    and fetches by UID, and logs out. Like a careless server it sets \\Seen on any FETCH of
    BODY[] (without PEEK) and obeys STORE whatever the mailbox was opened with, so a test sees
    whether the client itself keeps the flags as they were."""

    def __init__(
        self, messages: list[bytes], user: str, password: str, seen: tuple[int, ...] = ()
    ) -> None:
        self.messages = [
            ImapMessage(n, data, {"\\Seen"} if n in seen else set())
            for n, data in enumerate(messages, start=1)
        ]
        self.user, self.password = user, password
        self.commands: list[str] = []

    def flags(self) -> dict[int, set[str]]:
        return {m.uid: set(m.flags) for m in self.messages}


class _ImapSession(socketserver.StreamRequestHandler):
    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:  # noqa: C901 (one branch per IMAP command)
        import shlex

        box: ImapBox = self.server.box  # type: ignore[attr-defined]
        self.send("* OK [CAPABILITY IMAP4rev1] scripted IMAP ready")
        while line := self.rfile.readline():
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            tag, _, rest = text.partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            box.commands.append(rest if command != "LOGIN" else "LOGIN ***")
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
                self.send(f"{tag} OK done")
            elif command == "NOOP":
                self.send(f"{tag} OK done")
            elif command == "LOGIN":
                user, password = shlex.split(args)
                if (user, password) != (box.user, box.password):
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] wrong user or password")
                else:
                    self.send(f"{tag} OK logged in")
            elif command in ("EXAMINE", "SELECT"):
                self.send(f"* {len(box.messages)} EXISTS")
                self.send("* 0 RECENT")
                self.send("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)")
                self.send("* OK [UIDVALIDITY 1] ok")
                mode = "READ-ONLY" if command == "EXAMINE" else "READ-WRITE"
                self.send(f"{tag} OK [{mode}] opened")
            elif command == "UID":
                self._uid(box, tag, args)
            elif command == "LOGOUT":
                self.send("* BYE")
                self.send(f"{tag} OK bye")
                return
            else:
                self.send(f"{tag} BAD unknown command")

    def _uid(self, box: ImapBox, tag: str, args: str) -> None:
        sub, _, rest = args.partition(" ")
        if sub.upper() == "SEARCH":
            self.send("* SEARCH " + " ".join(str(m.uid) for m in box.messages))
            self.send(f"{tag} OK searched")
            return
        if sub.upper() == "STORE":
            wanted, _, what = rest.partition(" ")
            for m in box.messages:
                if str(m.uid) in wanted.split(","):
                    m.flags.add("\\Seen")
            self.send(f"{tag} OK stored")
            return
        wanted, _, items = rest.partition(" ")
        self._fetch(box, tag, _uids(wanted), items)

    def _fetch(self, box: ImapBox, tag: str, uids: set[int], items: str) -> None:
        for number, m in enumerate(box.messages, start=1):
            if m.uid not in uids:
                continue
            if "RFC822.SIZE" in items.upper():
                self.send(f"* {number} FETCH (UID {m.uid} RFC822.SIZE {len(m.data)})")
            elif "BODY" in items.upper():
                if "PEEK" not in items.upper():
                    m.flags.add("\\Seen")
                self.send(f"* {number} FETCH (UID {m.uid} BODY[] {{{len(m.data)}}}".encode())
                self.wfile.write(m.data)
                self.send(")")
        self.send(f"{tag} OK fetched")


def _uids(wanted: str) -> set[int]:
    """The UIDs of an IMAP sequence set ('1,3:5')."""
    uids: set[int] = set()
    for part in wanted.split(","):
        low, _, high = part.partition(":")
        uids.update(range(int(low), int(high or low) + 1))
    return uids


class _ImapServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, box: ImapBox, context: object) -> None:
        super().__init__(("127.0.0.1", 0), _ImapSession)
        self.box = box
        self.context = context

    def get_request(self):  # type: ignore[no-untyped-def]
        sock, address = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True), address  # type: ignore[attr-defined]


@contextmanager
def imap_server(box: ImapBox, certificate: object) -> Iterator[str]:
    """A scripted IMAP server over TLS (a trustme certificate for localhost) on 127.0.0.1;
    yields its imaps:// URL of INBOX."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate.configure_cert(context)  # type: ignore[attr-defined]
    server = _ImapServer(box, context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"imaps://localhost:{server.server_address[1]}/INBOX"
    finally:
        server.shutdown()
        server.server_close()
