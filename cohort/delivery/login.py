"""The address of a server cohort talks to, and the login that goes with it.

Every server cohort connects to (SMTP for `send`, CalDAV for `publish`, and any later one) is
given as a URL on the command line and a user and password in the environment, never in the
URL and never in the programme's files (they are committed, and a URL ends up in shell
history). A password never travels over an unencrypted connection, except to this machine
(a local relay or a test server).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from ..errors import UsageError

#: Hosts where an unencrypted connection never leaves the machine.
LOCAL = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Login:
    """A server's address as given (split), and the user and password from the environment."""

    parts: SplitResult
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def local(self) -> bool:
        """The server is on this machine."""
        return self.parts.hostname in LOCAL

    @property
    def scheme(self) -> str:
        return self.parts.scheme

    @property
    def host(self) -> str:
        return self.parts.hostname or ""

    @property
    def port(self) -> int | None:
        """The port given (None: the scheme's own); checked by `login` to be one."""
        return self.parts.port


def login(
    url: str,
    *,
    option: str,
    schemes: tuple[str, ...],
    encrypted: tuple[str, ...],
    variables: str,
    example: str,
    environ: Mapping[str, str] | None = None,
) -> Login:
    """Read a server's URL (`option`, e.g. '--server') and the login from the environment
    variables `{variables}_USER` and `{variables}_PASSWORD`.

    Raises UsageError for a URL whose scheme is not one of `schemes` or that has no host (the
    message shows `example`), a URL holding a user or password, a user without a password or
    a password without a user (naming the variable that is missing), and a password that would
    go to another machine over a scheme not in `encrypted`."""
    env = os.environ if environ is None else environ
    parts = _split(url, option, example)
    if parts.username or parts.password:
        raise UsageError(
            f"{option} must not hold a user or password; set {variables}_USER and "
            f"{variables}_PASSWORD in the environment instead"
        )
    if parts.scheme not in schemes or not parts.hostname:
        raise UsageError(f"{option} '{url}' is not a server address; write {example}")
    found = Login(
        parts, env.get(f"{variables}_USER") or None, env.get(f"{variables}_PASSWORD") or None
    )
    if (found.user is None) != (found.password is None):
        given, missing = ("USER", "PASSWORD") if found.password is None else ("PASSWORD", "USER")
        raise UsageError(
            f"{variables}_{given} is set but {variables}_{missing} is not; set both (or neither, "
            "for a server that needs no login)"
        )
    if (found.user or found.password) and parts.scheme not in encrypted and not found.local:
        safe = " or ".join(f"{scheme}://" for scheme in encrypted)
        raise UsageError(f"refusing to send a password over an unencrypted connection; use {safe}")
    return found


def _split(url: str, option: str, example: str) -> SplitResult:
    """The URL in parts, its port checked (1 to 65535, digits). Raises UsageError."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:  # '[::1' (an unclosed IPv6 address), ':abc', ':99999'
        raise UsageError(
            f"{option} '{url}' is not a server address ({err}); write {example}"
        ) from None
    if port == 0 or parts.netloc.endswith(":"):
        raise UsageError(
            f"{option} '{url}' has no usable port (a port is a number from 1 to 65535); "
            f"write {example}"
        )
    return parts
