"""Talking to a CalDAV server (RFC 4791) through python-caldav: finding or making the calendar,
finding events by UID, conditional PUT and DELETE.

Discovery, calendar creation and the calendar-query by UID go through caldav's objects; PUT and
DELETE go through its DAVClient with our own precondition headers (`If-Match` on the ETag cohort
recorded, `If-None-Match: *` for a new resource), because a publisher needs exactly one request
per change and the precise answer (412, the no-uid-conflict precondition), not a save() that
searches first. TLS is verified (caldav's default, never switched off); the password travels
only in the Authorization header and is never printed or stored.

caldav is imported when a connection is made, so `cohort --help` does not pay for it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn, cast
from urllib.parse import quote, unquote, urlsplit

from icalendar import Calendar, Event

from ..errors import CohortError
from .login import login

SCHEMES = ("http", "https")
TIMEOUT = 30
_CALDAV = "{urn:ietf:params:xml:ns:caldav}"
_ICALENDAR = {"Content-Type": "text/calendar; charset=utf-8"}
_BEGIN = re.compile(rb"^BEGIN:VEVENT\r?$", re.MULTILINE)
_END = re.compile(rb"^END:VEVENT(?=\r?$)", re.MULTILINE)
#: the precondition of a PUT that creates a resource: If-None-Match: *
NEW = "*"


@dataclass(frozen=True)
class Server:
    """A CalDAV server (or one calendar on it) and the login from the environment."""

    url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str, environ: dict[str, str] | None = None) -> Server:
        """Read `--caldav URL` and COHORT_CALDAV_USER / COHORT_CALDAV_PASSWORD; raises UsageError
        for an address that is not http(s), holds a login, or would send a password in clear."""
        found = login(
            url,
            option="--caldav",
            schemes=SCHEMES,
            encrypted=("https",),
            variables="COHORT_CALDAV",
            example="https://host/path (the server's CalDAV address, or one calendar's)",
            environ=environ,
        )
        return cls(url if url.endswith("/") else url + "/", found.user, found.password)

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


def event_fingerprint(data: bytes | str) -> str:
    """A digest of the VEVENTs of a calendar object, equal for equal events however a server
    re-serialises them (line folding, property order; vdirsyncer's `normalize_item` does the
    same): each property as icalendar writes it, sorted, without the calendar's own lines, the
    VTIMEZONE and X- properties that servers and clients add (X-RADICALE-NAME, X-MOZ-...)."""
    return _fingerprint(_vevents(data))


def _vevents(data: bytes | str) -> list[Event]:
    raw = data.encode() if isinstance(data, str) else data
    # only the events are parsed: the VTIMEZONE before them is most of the bytes
    first = _BEGIN.search(raw)
    last = max((m.end() for m in _END.finditer(raw)), default=-1)
    if first is not None and last > first.start():
        raw = b"BEGIN:VCALENDAR\r\n" + raw[first.start() : last] + b"\r\nEND:VCALENDAR\r\n"
    return [e for e in Calendar.from_ical(raw).walk("VEVENT") if isinstance(e, Event)]


def _fingerprint(events: list[Event]) -> str:
    lines: list[str] = []
    for event in events:
        own = sorted(str(line) for line in event.content_lines() if line)
        lines += [line for line in own if not line.startswith("X-")]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Found:
    """An event on the server: its resource, its ETag, and the fingerprint of what it holds."""

    href: str
    etag: str | None
    fingerprint: str


class Lost(Exception):
    """The connection failed (refused, reset, timed out): the run stops and can be repeated."""


class Mismatch(Exception):
    """412: the resource is not the version the precondition named (changed, gone, or there
    already)."""


class Taken(Exception):
    """The UID is already in the calendar under another resource (RFC 4791 §5.3.2.1,
    no-uid-conflict)."""


class Refused(Exception):
    """The server refused this one request for good (its status and reason)."""


def resource(calendar_url: str, uid: str) -> str:
    """The address cohort gives a new event: the calendar's URL and the UID, quoted (`@` as
    %40, as python-caldav makes it), with `.ics`."""
    return calendar_url.rstrip("/") + "/" + quote(uid, safe="") + ".ics"


class Connection:
    """One session with a CalDAV server."""

    def __init__(self, server: Server) -> None:
        from caldav.davclient import DAVClient

        self.server = server
        self.client = DAVClient(
            url=server.url,
            username=server.user,
            password=server.password,
            timeout=TIMEOUT,
            ssl_verify_cert=True,
            enable_rfc6764=False,
        )
        self._calendars: list[tuple[str, str]] | None = None
        self._principal: Any = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()

    # -- calendars ----------------------------------------------------------------------------

    def is_calendar(self, url: str) -> bool | None:
        """Whether `url` is a calendar collection; None when there is nothing there."""
        from caldav.collection import Calendar as Collection
        from caldav.elements import dav
        from caldav.lib import error

        try:
            props = self._call(
                lambda: Collection(client=self.client, url=url).get_properties(
                    [dav.ResourceType()]
                ),
                url,
                "say what is at this address",
                missing=True,
            )
        except error.NotFoundError:
            return None
        kinds = props.get("{DAV:}resourcetype") or []
        return f"{_CALDAV}calendar" in kinds

    def calendars(self) -> list[tuple[str, str]]:
        """(URL, display name) of each calendar in the account's calendar home."""
        if self._calendars is None:
            found = self._call(
                lambda: self.principal().calendars(), self.server.url, "list the calendars"
            )
            self._calendars = [(str(c.url), c.get_display_name() or "") for c in found]
        return self._calendars

    def principal(self) -> Any:
        if self._principal is None:
            self._principal = self._call(
                self.client.principal, self.server.url, "say whose calendars these are"
            )
        return self._principal

    def make_calendar(self, name: str, calendar_id: str) -> str:
        """Make a calendar (MKCALENDAR) in the account's calendar home; its URL."""
        made = self._call(
            lambda: self.principal().make_calendar(name=name, cal_id=calendar_id),
            self.server.url,
            f"make the calendar '{name}' (make it in its web interface, then give its address "
            "with --caldav or its name with --calendar)",
        )
        url = str(made.url)
        self.calendars().append((url, name))
        return url

    # -- events -------------------------------------------------------------------------------

    def lookup(self, calendar_url: str, fragment: str, uids: set[str]) -> dict[str, Found]:
        """The events among `uids` in the calendar, found with one calendar-query REPORT for
        VEVENTs whose UID contains `fragment` (RFC 4791 §7.8.6), wherever they are stored:
        another client may have stored one under a name that is not its UID."""
        from caldav.collection import Calendar as Collection
        from caldav.lib import error

        calendar = Collection(client=self.client, url=calendar_url)

        def search() -> list[Any]:
            try:
                return cast(list[Any], calendar.search(event=True, uid=fragment))
            except (error.ReportError, error.ResponseError):
                # a server that cannot search by UID: the preconditions still guard every write
                return []

        objects = self._call(search, calendar_url, "search by UID")
        found: dict[str, Found] = {}
        for item in objects:
            uid = str(item.id or "")
            if uid in uids and item.data:
                found[uid] = Found(str(item.url), _etag(item.etag), event_fingerprint(item.data))
        return found

    def fetch(self, href: str, uid: str) -> Found | None:
        """GET one calendar object: what it holds now, or None when there is nothing there (or
        an event with another UID). Raises Refused for another error."""
        answer = self._call(lambda: self.client.request(href, "GET"), href, "read an event")
        if answer.status == 404:
            return None
        if answer.status >= 400:
            raise Refused(f"{answer.status} {answer.reason}")
        events = _vevents(answer.raw)
        if not any(str(e.get("UID", "")) == uid for e in events):
            return None
        return Found(href, _etag(answer.headers.get("ETag")), _fingerprint(events))

    def put(self, href: str, body: bytes, precondition: str | None) -> str | None:
        """PUT a calendar object with `If-Match: precondition` (the ETag of the version cohort
        knows), or `If-None-Match: *` when the precondition is NEW (a new resource), or without
        one when it is None (the server gives no usable ETag). Returns the new ETag (None when
        the server sends none: it changed the data as it stored it, RFC 4791 §5.3.4). Raises
        Mismatch (412), Taken (the UID is stored elsewhere) or Refused."""
        from caldav.lib import error

        headers = dict(_ICALENDAR)
        if precondition == NEW:
            headers["If-None-Match"] = "*"
        elif precondition is not None:
            headers["If-Match"] = precondition
        answer = self._call(lambda: self.client.put(href, body.decode(), headers), href)
        if answer.status == 412:
            raise Mismatch
        if answer.status >= 400:
            preconditions = error.parse_preconditions(answer.raw)
            if error.UID_CONFLICT_PRECONDITIONS.intersection(preconditions):
                raise Taken
            raise Refused(f"{answer.status} {answer.reason}")
        return _etag(answer.headers.get("ETag"))

    def delete(self, href: str, etag: str) -> None:
        """DELETE with `If-Match: etag`; an event already gone counts as deleted. Raises
        Mismatch (412: someone changed it) or Refused."""
        answer = self._call(lambda: self.client.delete(href, {"If-Match": etag}), href)
        if answer.status == 412:
            raise Mismatch
        if answer.status >= 400 and answer.status != 404:
            raise Refused(f"{answer.status} {answer.reason}")

    # -- errors -------------------------------------------------------------------------------

    def _call(self, request: Any, url: str, what: str = "", missing: bool = False) -> Any:
        """Run a request. A refused login, a TLS failure or an error answer (to `what`) becomes
        a CohortError, a UID stored elsewhere Taken, a failed connection Lost; NotFoundError
        passes when the caller expects that something may be `missing`."""
        from caldav.lib import error
        from caldav.lib.http_sync import requests

        try:
            return request()
        except error.AuthorizationError as err:
            if error.UID_CONFLICT_PRECONDITIONS.intersection(err.preconditions):
                raise Taken from None
            self._refused(err, url)
        except error.NotFoundError:
            if missing:
                raise
            raise CohortError(
                f"{self.server.host} has nothing at {unquote(url)} (404 Not Found); check the "
                "--caldav address"
            ) from None
        except error.DAVError as err:
            reason = "" if err.reason == error.DAVError.reason else _first(err.reason)
            detail = " ".join(str(part) for part in (err.status, reason) if part) or "no answer"
            raise CohortError(
                f"{self.server.host} could not {what or 'answer'} ({detail}); is --caldav the "
                "address of a CalDAV server?"
            ) from None
        except requests.exceptions.SSLError as err:
            raise CohortError(
                f"the TLS certificate of {self.server.host} could not be verified "
                f"({_reason(err)}); cohort only publishes over a verified connection"
            ) from None
        except (OSError, requests.exceptions.RequestException) as err:
            raise Lost(f"the connection to {self.server.host} failed ({_reason(err)})") from None

    def _refused(self, err: Any, url: str) -> NoReturn:
        if err.status == 403:
            raise CohortError(
                f"{self.server.host} refuses {self.server.user or 'an anonymous user'} access to "
                f"{unquote(url)} (403 Forbidden); check the calendar's sharing rights"
            ) from None
        raise CohortError(
            f"{self.server.host} refused the user and password (401 Unauthorized); check "
            "COHORT_CALDAV_USER and COHORT_CALDAV_PASSWORD"
            if self.server.user
            else f"{self.server.host} wants a login (401 Unauthorized); set COHORT_CALDAV_USER "
            "and COHORT_CALDAV_PASSWORD"
        ) from None


def _etag(value: str | None) -> str | None:
    """An ETag as sent back in If-Match: weak ones never match (RFC 9110 §13.1.1), so None."""
    if not value or value.startswith("W/"):
        return None
    return unquote(value) if value.startswith("%22") else value


def _reason(err: BaseException) -> str:
    """The innermost reason of a failed connection ("Connection refused", "certificate verify
    failed: ..."), not the HTTP library's layers of wrapping."""
    text = str(err)
    for pattern in (r"\[Errno -?\d+\] ([^'\")]+)", r"\[SSL: [A-Z_]+\] ([^'\")(]+)"):
        found = re.search(pattern, text)
        if found:
            return found.group(1).strip()
    return _first(err)


def _first(err: object) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0][:200]
