"""Where replies are read from: a folder of saved .eml files, an mbox file, a Maildir, or an
IMAP mailbox (`imaps://host[:port]/MAILBOX`).

Every source is read without changing it. Local mailboxes are read with the standard library's
`mailbox` (reading a Maildir leaves its messages in `new/` and their flags as they were); an
IMAP mailbox is opened with EXAMINE (read-only, RFC 3501 §6.3.2) and its messages fetched with
BODY.PEEK[], which does not set \\Seen; the server's TLS certificate is always verified, and the
user and password come from COHORT_IMAP_USER and COHORT_IMAP_PASSWORD, as for SMTP. A message
larger than a reply can be is not fetched at all (its size is asked first).
"""

from __future__ import annotations

import contextlib
import imaplib
import mailbox
import os
import re
import ssl
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..errors import CohortError, UsageError
from ..planning.itip import MAX_MESSAGE
from .login import login

#: messages fetched from an IMAP server per command
BATCH = 200


@dataclass(frozen=True)
class Item:
    """One message of a source: its name (a file, 'mbox#3', an IMAP UID), its size in bytes,
    and its bytes (None when it is too large to be read, or `skipped`); `skipped` says why an
    entry of a folder is not read at all (it is not a regular file)."""

    name: str
    size: int
    data: bytes | None
    skipped: str = ""


def is_imap(source: str) -> bool:
    """Whether SOURCE names an IMAP mailbox rather than a file or folder."""
    return source.lower().startswith(("imaps://", "imap://"))


def messages(source: str) -> Iterator[Item]:
    """The messages of a source in a stable order. Raises UsageError for a source that does not
    exist or is not a mailbox, CohortError when a server cannot be reached or refuses."""
    if is_imap(source):
        yield from _imap(source)
        return
    yield from _local(Path(source), source)


def _local(path: Path, source: str) -> Iterator[Item]:
    """The messages of a Maildir, a folder of .eml files, an mbox or one e-mail."""
    if path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir():
        # a Maildir's messages are the files in new/ and cur/, named '<key>[:<flags>]'
        # (maildir(5)); read here rather than by `mailbox.Maildir`, which would open a pipe
        # and wait for ever
        entries = sorted(
            (entry.name.split(":", 1)[0], entry)
            for sub in ("new", "cur")
            for entry in os.scandir(path / sub)
            if not entry.name.startswith(".")
        )
        for key, entry in entries:
            yield _file(f"{path.name}/{key}", Path(entry.path))
    elif path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".eml")
        if not files:
            raise UsageError(f"'{source}' holds no .eml files, and is not a Maildir")
        for file in files:
            yield _file(file.name, file)
    elif path.is_file():
        with path.open("rb") as stream:
            start = stream.read(5)
        if start == b"From ":
            box = mailbox.mbox(path, factory=None, create=False)
            for number, key in enumerate(box.iterkeys(), start=1):
                yield _item(f"{path.name}#{number}", box.get_bytes(key))
        else:
            data = path.read_bytes()
            if not _looks_like_mail(data):
                raise UsageError(
                    f"'{source}' is not a mailbox: not an mbox (it does not begin with a "
                    "'From ' line), nor one e-mail (it has no mail headers); give a folder of "
                    ".eml files, an mbox file, a Maildir, or imaps://host/MAILBOX"
                )
            yield _item(path.name, data)
    else:
        raise UsageError(
            f"there is no '{source}': give a folder of .eml files, an mbox file, a Maildir, or "
            "imaps://host/MAILBOX"
        )


def _item(name: str, data: bytes) -> Item:
    return Item(name, len(data), data if len(data) <= MAX_MESSAGE else None)


def _file(name: str, path: Path) -> Item:
    """One file of a folder as a message; anything but a regular file (a pipe, a device, a
    folder, a broken link) is skipped unopened, since reading a pipe would wait for ever."""
    try:
        found = path.stat()
    except OSError as err:
        return Item(name, 0, None, f"it cannot be read ({err.strerror})")
    if not stat.S_ISREG(found.st_mode):
        what = "a folder" if stat.S_ISDIR(found.st_mode) else "a pipe, a socket or a device"
        return Item(name, 0, None, f"it is not a file but {what}: not read")
    if found.st_size > MAX_MESSAGE:
        return Item(name, found.st_size, None)
    return _item(name, path.read_bytes())


#: headers every e-mail has one of (RFC 5322 §3.6)
_MAIL_HEADERS = re.compile(
    rb"^(from|to|date|subject|message-id|mime-version|content-type|received|return-path):",
    re.IGNORECASE | re.MULTILINE,
)


def _looks_like_mail(data: bytes) -> bool:
    """Whether a file may be one e-mail: a header an e-mail has, among its first lines."""
    head = data[:65536].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    return _MAIL_HEADERS.search(head) is not None


def _imap(url: str) -> Iterator[Item]:
    """The messages of an IMAP mailbox, read-only (see the module)."""
    found = login(
        url,
        option="SOURCE",
        schemes=("imaps",),
        encrypted=("imaps",),
        variables="COHORT_IMAP",
        example="imaps://host[:port]/MAILBOX (IMAP over TLS)",
    )
    parts = found.parts
    host, port = parts.hostname or "", parts.port or 993
    folder = unquote(parts.path.strip("/")) or "INBOX"
    if not found.user or not found.password:
        raise UsageError("set COHORT_IMAP_USER and COHORT_IMAP_PASSWORD to read an IMAP mailbox")
    try:
        client = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=60)
    except (OSError, ssl.SSLError) as err:
        raise CohortError(f"cannot read {host}:{port} over TLS: {err}") from None
    try:
        try:
            client.login(found.user, found.password)
        except imaplib.IMAP4.error:
            raise CohortError(
                f"{host} refused the user and password; check COHORT_IMAP_USER and "
                "COHORT_IMAP_PASSWORD"
            ) from None
        status, _ = client.select(_quoted(folder), readonly=True)
        if status != "OK":
            raise CohortError(f"{host} has no mailbox '{folder}'")
        status, data = client.uid("SEARCH", "ALL")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for start in range(0, len(uids), BATCH):
            chunk = uids[start : start + BATCH]
            sizes = _sizes(client, chunk)
            small = [u for u in chunk if sizes.get(u, 0) <= MAX_MESSAGE]
            bodies = _bodies(client, small) if small else {}
            for uid in chunk:
                name = f"{folder}/{uid.decode()}"
                body = bodies.get(uid)
                yield Item(name, sizes.get(uid, len(body or b"")), body)
    except (imaplib.IMAP4.error, OSError) as err:
        raise CohortError(f"reading {host} stopped: {err}") from None
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def _sizes(client: imaplib.IMAP4, uids: list[bytes]) -> dict[bytes, int]:
    status, data = client.uid("FETCH", b",".join(uids).decode(), "(RFC822.SIZE)")
    sizes: dict[bytes, int] = {}
    for line in data if status == "OK" else []:
        text = line[0] if isinstance(line, tuple) else line
        if isinstance(text, bytes) and (uid := _UID.search(text)) and (n := _SIZE.search(text)):
            sizes[uid.group(1)] = int(n.group(1))
    return sizes


def _bodies(client: imaplib.IMAP4, uids: list[bytes]) -> dict[bytes, bytes]:
    status, data = client.uid("FETCH", b",".join(uids).decode(), "(BODY.PEEK[])")
    bodies: dict[bytes, bytes] = {}
    for line in data if status == "OK" else []:
        if isinstance(line, tuple) and (uid := _UID.search(line[0])):
            bodies[uid.group(1)] = line[1]
    return bodies


def _quoted(name: str) -> str:
    """A mailbox name as an IMAP quoted string."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
