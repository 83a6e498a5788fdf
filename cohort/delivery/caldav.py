"""Talking to a CalDAV server (RFC 4791) through python-caldav: finding, making and renaming
calendars, listing their ETags, finding events by UID, conditional PUT and DELETE.

Discovery, calendar creation and the calendar-query by UID go through caldav's objects; PUT and
DELETE go through its DAVClient with our own precondition headers (`If-Match` on the ETag cohort
recorded, `If-None-Match: *` for a new resource), because a publisher needs exactly one request
per change and the precise answer (412, the no-uid-conflict precondition), not a save() that
searches first. TLS is verified (caldav's default, never switched off); the password travels
only in the Authorization header and is never printed or stored.

Every request passes one place (`dav.client`), which waits for a busy server and turns an
answer no working server gives into a stop with what the server said.

caldav is imported when a connection is made, so `cohort --help` does not pay for it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn, cast
from urllib.parse import quote, unquote, urljoin, urlsplit

from icalendar import Calendar, Event

from ..errors import CohortError
from .dav import Lost, MakeRefused, client, first, place, reason, same_place
from .login import login

SCHEMES = ("http", "https")
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
    try:
        return [e for e in Calendar.from_ical(raw).walk("VEVENT") if isinstance(e, Event)]
    except ValueError:
        return []  # not iCalendar: no event of anyone's


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


@dataclass(frozen=True)
class Held:
    """What a resource holds: the UIDs of its events and their fingerprint, and its ETag."""

    href: str
    etag: str | None
    uids: frozenset[str]
    fingerprint: str

    def of(self, uid: str) -> Found | None:
        """The event with this UID, if this resource holds it."""
        return Found(self.href, self.etag, self.fingerprint) if uid in self.uids else None


@dataclass(frozen=True)
class Collection:
    """A collection on the server: its URL, whether it is a calendar, its display name."""

    url: str
    calendar: bool
    name: str


class Mismatch(Exception):
    """412: the resource is not the version the precondition named (changed, gone, or there
    already)."""


class Taken(Exception):
    """The UID is already in the calendar under another resource (RFC 4791 §5.3.2.1,
    no-uid-conflict)."""


class Refused(Exception):
    """The server refused this one request for good (its status and reason)."""


def resource(calendar_url: str, uid: str, beside: int = 0) -> str:
    """The address cohort gives a new event: the calendar's URL and the UID, quoted (`@` as
    %40, as python-caldav makes it), with `.ics`; `beside` numbers another name for it when
    someone else's event holds that one."""
    name = quote(uid, safe="") + (f"-{beside}" if beside else "")
    return calendar_url.rstrip("/") + "/" + name + ".ics"


class Connection:
    """One session with a CalDAV server."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.client = client(server.url, server.user, server.password)
        self._collections: dict[str, Collection] | None = None
        self._principal: Any = None
        self._home: str | None = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()

    # -- calendars ----------------------------------------------------------------------------

    def probe(self, url: str) -> Collection | None:
        """What is at `url` (one PROPFIND, Depth 0; none when the home was listed already and
        holds it): a collection, or None when there is nothing."""
        if self._collections is not None and place(url) in self._collections:
            return self._collections[place(url)]
        answer = self._call(
            lambda: self.client.propfind(url, props=["resourcetype", "displayname"], depth=0),
            url,
            "say what is at this address",
        )
        if answer.status == 404:
            return None
        self._check(answer, url, "say what is at this address")
        for result in answer.results or []:
            if same_place(result.href, url):
                return _collection(url, result.properties)
        return None

    def home(self) -> str:
        """The URL of the account's calendar home (where cohort makes its calendars)."""
        if self._home is None:
            home = self._call(
                lambda: self.principal().calendar_home_set, self.server.url, "find the calendars"
            )
            self._home = str(home.url)
        return self._home

    def collections(self) -> dict[str, Collection]:
        """Every collection in the calendar home, by path (one PROPFIND, Depth 1)."""
        if self._collections is None:
            home = self.home()
            answer = self._call(
                lambda: self.client.propfind(home, props=["resourcetype", "displayname"], depth=1),
                home,
                "list the calendars",
            )
            self._check(answer, home, "list the calendars")
            found = [
                _collection(urljoin(home, r.href), r.properties)
                for r in answer.results or []
                if r.properties.get("{DAV:}resourcetype") and not same_place(r.href, home)
            ]
            self._collections = {place(c.url): c for c in found}
        return self._collections

    def in_home(self, url: str) -> Collection | None:
        """The collection at `url` in the calendar home, if any (from its listing)."""
        return self.collections().get(place(url))

    def principal(self) -> Any:
        if self._principal is None:
            self._principal = self._call(
                self.client.principal, self.server.url, "say whose calendars these are"
            )
        return self._principal

    def make_calendar(self, name: str, path: str) -> str:
        """Make a calendar (MKCALENDAR) at `path` in the calendar home, with display name
        `name`; its URL. Raises CohortError when the server refuses."""
        from caldav.lib import error

        try:
            made = self._call(
                lambda: self.principal().make_calendar(name=name, cal_id=path),
                self.home(),
                f"make the calendar '{name}'",
            )
        except MakeRefused as refusal:
            raise CohortError(
                f"{self.server.host} did not make the calendar '{name}' at "
                f"{unquote(self.home())}{path}/ ({refusal}); make it in the server's web "
                "interface and give its name with --calendar"
            ) from None
        except error.DAVError as err:  # caldav's own check of the answer
            raise CohortError(
                f"{self.server.host} did not make the calendar '{name}' ({first(err)}); make it "
                "in the server's web interface and give its name with --calendar"
            ) from None
        url = str(made.url)
        if self._collections is not None:
            self._collections[place(url)] = Collection(url, True, name)
        return url

    def rename(self, url: str, name: str) -> None:
        """Give a calendar another display name (PROPPATCH)."""
        from caldav.collection import Calendar as Calendars
        from caldav.elements import dav

        self._call(
            lambda: Calendars(client=self.client, url=url).set_properties([dav.DisplayName(name)]),
            url,
            f"rename the calendar to '{name}'",
        )

    def remove(self, url: str) -> None:
        """Delete a whole calendar (DELETE on the collection); one already gone counts."""
        answer = self._call(lambda: self.client.delete(url), url, "delete the calendar")
        if answer.status >= 400 and answer.status != 404:
            raise Refused(f"{answer.status} {answer.reason}")

    # -- events -------------------------------------------------------------------------------

    def etags(self, calendar_url: str) -> dict[str, str | None] | None:
        """Each resource in the calendar (by path) and its ETag: one PROPFIND, Depth 1 (RFC
        4918 §9.1), the cheapest way every server offers to see what changed or went; None when
        the calendar itself is gone."""
        answer = self._call(
            lambda: self.client.propfind(calendar_url, props=["getetag"], depth=1),
            calendar_url,
            "list the events",
        )
        if answer.status == 404:
            return None
        self._check(answer, calendar_url, "list the events")
        return {
            place(r.href): _etag(r.properties.get("{DAV:}getetag"))
            for r in answer.results or []
            if not same_place(r.href, calendar_url) and r.status < 400
        }

    def lookup(self, calendar_url: str, fragment: str, uids: set[str]) -> dict[str, Found]:
        """The events among `uids` in the calendar, found with one calendar-query REPORT for
        VEVENTs whose UID contains `fragment` (RFC 4791 §7.8.6), wherever they are stored:
        another client may have stored one under a name that is not its UID."""
        from caldav.collection import Calendar as Calendars
        from caldav.lib import error

        calendar = Calendars(client=self.client, url=calendar_url)

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

    def fetch(self, href: str) -> Held | None:
        """GET one calendar object: what it holds now, or None when there is nothing there.
        Raises Refused for another error."""
        answer = self._call(lambda: self.client.request(href, "GET"), href, "read an event")
        if answer.status == 404:
            return None
        if answer.status >= 400:
            raise Refused(f"{answer.status} {answer.reason}")
        events = _vevents(answer.raw)
        uids = frozenset(str(e.get("UID", "")) for e in events)
        return Held(href, _etag(answer.headers.get("ETag")), uids, _fingerprint(events))

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

    def delete(self, href: str, etag: str) -> bool:
        """DELETE with `If-Match: etag`; False when the event was already gone. Raises
        Mismatch (412: someone changed it) or Refused."""
        answer = self._call(lambda: self.client.delete(href, {"If-Match": etag}), href)
        if answer.status == 412:
            raise Mismatch
        if answer.status == 404:
            return False
        if answer.status >= 400:
            raise Refused(f"{answer.status} {answer.reason}")
        return True

    # -- errors -------------------------------------------------------------------------------

    def _check(self, answer: Any, url: str, what: str) -> None:
        """A PROPFIND answered with anything but Multi-Status: not a CalDAV server there."""
        if answer.status != 207:
            raise CohortError(
                f"{self.server.host} could not {what} at {unquote(url)} ({answer.status} "
                f"{answer.reason}); is --caldav the address of a CalDAV server?"
            )

    def _call(self, request: Any, url: str, what: str = "") -> Any:
        """Run a request. A refused login, a TLS failure or an error answer (to `what`) becomes
        a CohortError, a UID stored elsewhere Taken, a failed connection Lost."""
        from caldav.lib import error
        from caldav.lib.http_sync import requests

        try:
            return request()
        except error.AuthorizationError as err:
            if error.UID_CONFLICT_PRECONDITIONS.intersection(err.preconditions):
                raise Taken from None
            self._refused(err, url)
        except error.NotFoundError:
            raise CohortError(
                f"{self.server.host} has nothing at {unquote(url)} (404 Not Found); check the "
                "--caldav address"
            ) from None
        except MakeRefused:
            raise
        except error.DAVError as err:
            said = "" if err.reason == error.DAVError.reason else first(err.reason)
            detail = " ".join(str(part) for part in (err.status, said) if part) or "no answer"
            hint = (
                "is --caldav the address of a CalDAV server?"
                if err.status in (None, 200, 400, 405, 415, 501)
                else "check what the server's administrator says of it"
            )
            raise CohortError(
                f"{self.server.host} could not {what or 'answer'} ({detail}); {hint}"
            ) from None
        except requests.exceptions.SSLError as err:
            raise CohortError(
                f"the TLS certificate of {self.server.host} could not be verified "
                f"({reason(err)}); cohort only publishes over a verified connection"
            ) from None
        except (OSError, requests.exceptions.RequestException) as err:
            raise Lost(f"the connection to {self.server.host} failed ({reason(err)})") from None

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


def _collection(url: str, properties: dict[str, Any]) -> Collection:
    kinds = properties.get("{DAV:}resourcetype") or []
    name = properties.get("{DAV:}displayname") or ""
    return Collection(url, f"{_CALDAV}calendar" in kinds, str(name))


def _etag(value: str | None) -> str | None:
    """An ETag as sent back in If-Match: weak ones never match (RFC 9110 §13.1.1), so None."""
    if not value or value.startswith("W/"):
        return None
    return unquote(value) if value.startswith("%22") else value
