"""Every request cohort sends a CalDAV server passes one place: caldav's DAVClient, with
`request` overridden.

A server that is busy (429 Too Many Requests, or 503 Service Unavailable) is asked again after
the wait its Retry-After names (RFC 9110 §10.2.3: seconds or a date), at most WAIT_MAX seconds,
RETRIES times; then the run stops (Lost) and says to run again. An answer no CalDAV server in
working order gives (a 5xx to a read, a Multi-Status that is not XML) stops the run too, with
what the server said, never as a bug in cohort. Writes (PUT, DELETE) keep their answer: one
event refused does not stop the others.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import unquote, urlsplit

TIMEOUT = 30
#: a busy server (429, 503) is asked again this many times, after the wait it names (at most
#: WAIT_MAX seconds; WAIT_FIRST when it names none, doubled each time)
RETRIES = 3
WAIT_FIRST = 1.0
WAIT_MAX = 60.0


class Lost(Exception):
    """The run cannot go on now (the connection failed, the server is busy or failing): it
    stops, and the same command, run again, finishes the job."""


class MakeRefused(Exception):
    """A request to make a calendar refused with a 4xx (its status and reason)."""


def same_place(one: str, other: str) -> bool:
    """Whether two addresses (absolute or a path, quoted or not) name one resource."""
    return place(one) == place(other)


def place(url: str) -> str:
    """The path an address names, unquoted, without a trailing slash: to compare addresses."""
    return unquote(urlsplit(url).path).rstrip("/")


def client(url: str, user: str | None, password: str | None) -> Any:
    """caldav's DAVClient, with every request passing `request` below."""
    from caldav.davclient import DAVClient
    from caldav.lib import error

    host = urlsplit(url).netloc

    class Client(DAVClient):
        #: the status of the last answer (caldav turns a busy one into an exception)
        last_status = 0

        def heard(self, answer: Any, *_: Any, **__: Any) -> None:
            self.last_status = int(answer.status_code or 0)

        def request(
            self,
            url: str,
            method: str = "GET",
            body: str = "",
            headers: Any = None,
            rate_limit_time_slept: Any = 0,  # noqa: ARG002 (caldav's own retries are not used)
        ) -> Any:
            """One request: asked again while the server is busy (429, 503), then Lost; a 5xx
            to anything but a write, or a Multi-Status that is not XML, is Lost too: what the
            server said, and that the next run finishes the job."""
            where = f"{method} {place(str(url)) or '/'}"
            waited = 0.0
            for attempt in range(RETRIES + 1):
                try:
                    answer = self._sync_request(url, method, body, headers)
                except error.RateLimitError as busy:
                    status, wait = self.last_status, busy.retry_after_seconds
                except SyntaxError as err:  # lxml's XMLSyntaxError: an answer that is not XML
                    raise Lost(
                        f"{host} answered {where} with XML that is broken ({first(err)}); the "
                        "server is failing"
                    ) from None
                else:
                    if answer.status not in (429, 503):
                        return _vetted(answer, method, where, host)
                    status = answer.status
                    wait = error.parse_retry_after(answer.headers.get("Retry-After") or "")
                waited += _pause(host, status, wait, attempt, waited)
            raise AssertionError("unreachable")  # _pause raises Lost after the last attempt

    made = Client(
        url=url,
        username=user,
        password=password,
        timeout=TIMEOUT,
        ssl_verify_cert=True,
        enable_rfc6764=False,
        rate_limit_handle=False,
    )
    made.session.hooks["response"].append(made.heard)
    return made


def _pause(host: str, status: int, wait: float | None, attempt: int, waited: float) -> float:
    """Wait as a busy server asks (Retry-After; doubling from WAIT_FIRST when it names no
    time) and return how long; Lost when it asks for more than WAIT_MAX or after RETRIES."""
    says = f"{status} {_STATUS.get(status, '')}".strip()
    if wait is not None and wait > WAIT_MAX:
        raise Lost(
            f"{host} is busy ({says}) and asks to wait {_duration(wait)}; run the same command "
            "again after that"
        )
    if attempt == RETRIES:
        raise Lost(f"{host} is busy ({says}, still after {_duration(waited)})")
    pause = wait if wait is not None else WAIT_FIRST * 2**attempt
    time.sleep(pause)
    return pause


def _vetted(answer: Any, method: str, where: str, host: str) -> Any:
    """The answer, unless it is one no CalDAV server in working order gives (Lost), or a
    refusal to make a calendar (_Refusal, for its own message)."""
    if method in ("PROPFIND", "REPORT") and answer.status == 207 and not _xml(answer):
        raise Lost(
            f"{host} answered {where} with a Multi-Status that is not XML; the server is failing"
        )
    if answer.status >= 500 and method not in ("PUT", "DELETE"):
        raise Lost(
            f"{host} failed to answer {where} ({answer.status} {answer.reason}); the server is "
            "failing"
        )
    if method == "MKCALENDAR" and 400 <= answer.status < 500:
        raise MakeRefused(f"{answer.status} {answer.reason}")
    return answer


_STATUS = {429: "Too Many Requests", 503: "Service Unavailable"}


def _xml(answer: Any) -> bool:
    tree = answer.tree
    return tree is not None and str(tree.tag).endswith("multistatus")


def _duration(seconds: float) -> str:
    if seconds >= 90 * 60:
        return f"{seconds / 3600:.0f} hours"
    if seconds >= 90:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds:.0f} s"


def reason(err: BaseException) -> str:
    """The innermost reason of a failed connection ("Connection refused", "certificate verify
    failed: ..."), not the HTTP library's layers of wrapping."""
    text = str(err)
    unresolved = re.search(r"Failed to resolve '([^']+)'", text)
    if unresolved:  # urllib3's NameResolutionError, whatever the resolver says (or not)
        return f"no host is known by the name '{unresolved.group(1)}': check the address"
    for pattern in (r"\[Errno -?\d+\] ([^'\")]+)", r"\[SSL: [A-Z_]+\] ([^'\")(]+)"):
        found = re.search(pattern, text)
        if found:
            return found.group(1).strip()
    # no object's repr ('<urllib3.connection.HTTPConnection object at 0x7f...>: ') in a message
    return re.sub(r"<[\w.]+ object at 0x[0-9a-f]+>:? ?", "", first(err))


def first(err: object) -> str:
    """The first line of an error's text, at most 200 characters."""
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0][:200]
