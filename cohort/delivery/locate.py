"""Which calendar on the server a target is: the one cohort's record names, the one the command
line names, or one cohort makes at a path of its own.

A calendar cohort makes is identified by its path, never by its display name: the programme's
own at `<home>/<programme id>/`, a participant's at `<home>/<programme id>.<participant id>/`
(ids hold no dots, so no two meet), one named with `--calendar NAME` at a path made from the
name (`team-1a2b3c4d`). Two participants with the same name, or two programmes with the same
title, never share a calendar; a renamed participant keeps theirs (cohort renames it). cohort
writes into a calendar it did not make only when told to: `--caldav` giving a calendar's
address, or `--calendar` naming one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ..errors import CohortError
from ..planning.caldav import Wanted
from ..records.caldav import Synced, SyncState
from .caldav import Connection
from .dav import same_place


@dataclass
class Target:
    """A calendar to publish into: how the command line names it (`name`: --calendar, '' for
    the --caldav URL or the programme's own, the participant's id for a personal calendar), the
    display name and path it gets when cohort makes it, and the events it should hold with
    their calendar objects. `ours`: every UID of the programme (published.json's), which cohort
    may delete where it finds one it no longer wants. `leaving`: the participant left the
    programme (their calendar is emptied, and deleted if cohort made it)."""

    name: str
    title: str
    path: str
    person: str | None
    explicit: bool = False
    leaving: bool = False
    wanted: list[Wanted] = field(default_factory=list)
    bodies: dict[str, bytes] = field(default_factory=dict)
    ours: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        """Nothing is to be put in it (only deletions, if anything)."""
        return all(w.removed for w in self.wanted)


def path_for(name: str) -> str:
    """The path cohort gives a calendar named with --calendar: a readable part of the name and
    a digest of all of it, so two names never share one ('Team' and 'team' included)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    readable = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40] or "calendar"
    return f"{readable}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


class Gone(Exception):
    """The calendar cohort published into was deleted on the server."""


@dataclass
class Located:
    """The calendar's record, and how it was reached: `made` now (it is empty), `adopted` (it
    was there, and the record knew nothing of it), made `again` (--repair)."""

    synced: Synced
    made: bool = False
    adopted: bool = False
    #: the calendar cohort published into was deleted on the server, and is made again
    again: bool = False


def locate(
    connection: Connection,
    sync: SyncState,
    target: Target,
    repair: bool,
    present: bool | None = None,
) -> Located | None:
    """The calendar of `target` on the server, made when missing. None when there is nothing
    to do there: it is gone and nothing is to be put in it (its record is dropped). Raises Gone
    when a calendar cohort published into was deleted on the server and `repair` is not asked,
    CohortError when the place cohort would make it in is taken by something it did not make.
    `present`: whether the recorded calendar is still there, when the caller knows already."""
    t = target
    synced = sync.find(connection.server.url, t.name, t.person)
    if synced is not None:
        if present is None:
            there = connection.probe(synced.url)
            present = there is not None and there.calendar
        if present:
            return Located(synced)
        _gone(connection, sync, synced, t, repair)
    if t.leaving or t.empty:
        return None
    located = _told(connection, sync, t) or _own(connection, sync, t)
    located.again = synced is not None and located.made
    return located


def _gone(connection: Connection, sync: SyncState, synced: Synced, t: Target, repair: bool) -> None:
    """The calendar cohort published into is gone: its record is dropped when nothing is to be
    put in it, or `repair` makes it again; else Gone."""
    if not (t.leaving or t.empty or repair):
        raise Gone
    sync.drop(synced)
    if repair and not (synced.made or t.name or t.person):
        raise CohortError(
            f"the calendar at {unquote(synced.url)} is gone from {connection.server.host}; give "
            "the address of another with --caldav"
        )


def _told(connection: Connection, sync: SyncState, t: Target) -> Located | None:
    """The calendar the command line names: the --caldav address itself, when it is a
    calendar, or the one --calendar names."""
    server = connection.server
    if not t.name and t.person is None:
        there = connection.probe(server.url)
        if there is not None and there.calendar:
            given = _take(connection, sync, t, server.url, title=there.name)
            return Located(given, adopted=True)
    if not t.explicit:
        return None
    named = [c for c in connection.collections().values() if c.calendar and c.name == t.name]
    if len(named) > 1:
        raise CohortError(
            f"{server.host} has {len(named)} calendars called '{t.name}' "
            f"({', '.join(unquote(c.url) for c in named)}); give the address of one with "
            "--caldav"
        )
    if not named:
        return None
    found = _take(connection, sync, t, named[0].url, title=t.name)
    return Located(found, adopted=True)


def _own(connection: Connection, sync: SyncState, t: Target) -> Located:
    """The calendar at cohort's own path: adopted if there (cohort made it in a run whose
    record is lost), made if not."""
    server = connection.server
    home = connection.home()
    url = home.rstrip("/") + "/" + t.path + "/"
    # participants' calendars: one listing of the home finds them all
    listed = t.person is not None or t.explicit
    there = connection.in_home(url) if listed else connection.probe(url)
    if there is None:
        made = connection.make_calendar(t.title, t.path)
        return Located(_take(connection, sync, t, made, title=t.title, made=True), True)
    if there.calendar and not t.explicit:
        return Located(
            _take(connection, sync, t, there.url, title=there.name, made=True),
            adopted=True,
        )
    what = f"a calendar called '{there.name}'" if there.calendar else "a collection"
    raise CohortError(
        f"cohort cannot make the calendar '{t.title}' at {unquote(url)}: {server.host} has "
        f"{what} there that cohort did not make. "
        + (
            f"To publish into it, give --calendar '{there.name}'"
            if there.calendar and there.name
            else "Give the address of a calendar with --caldav"
        )
    )


def _take(
    connection: Connection,
    sync: SyncState,
    t: Target,
    url: str,
    *,
    title: str | None,
    made: bool = False,
) -> Synced:
    """The record of the calendar at `url`, now `t`'s. A calendar holds the programme's events
    or one participant's, never both: a calendar cohort fills for someone else (a participant's
    given as the programme's, or the reverse) is a CohortError."""
    host = urlsplit(url).netloc
    other = next(
        (c for c in sync.calendars if urlsplit(c.url).netloc == host and same_place(c.url, url)),
        None,
    )
    if other is not None and other.person != t.person:
        whose = (
            f"the personal calendar cohort fills for participant '{other.person}' (--people)"
            if other.person is not None
            else "the calendar cohort publishes the programme into"
        )
        wanted = (
            "the programme"
            if t.person is None
            else f"the personal calendar of participant '{t.person}'"
        )
        raise CohortError(
            f"{unquote(url)} is {whose}; cohort does not publish {wanted} into it too. Give "
            "the address of another calendar with --caldav (or another name with --calendar)"
        )
    return sync.at(connection.server.url, t.name, t.person, url, title=title, made=made)
