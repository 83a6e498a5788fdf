"""Checks of the e-mail addresses a programme holds: who should get e-mail and has no address,
two people sharing one, and an organiser's address that every message would need SMTPUTF8 for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ..errors import Location, Report
from .model import Meeting, Programme

At = Callable[..., Location]


def check(programme: Programme, active: list[Meeting], at: At, report: Report) -> None:
    """Add a warning for each address problem to `report`, at the line it is about (`at` maps
    a path in the YAML to its place)."""
    p = programme
    if p.organiser.email is None and p.meetings:
        report.warning(
            at("organiser", key=True),
            "the organiser has no e-mail address: invitations cannot be sent, and calendars "
            "name no organiser",
            "add 'email:' under 'organiser:'",
            code="no-email",
        )
    elif p.organiser.email is not None and not p.organiser.email.rpartition("@")[0].isascii():
        report.warning(
            at("organiser", "email"),
            f"the organiser's address {p.organiser.email} has letters outside ASCII before the "
            "@, so every message needs a server that offers SMTPUTF8 (RFC 6531)",
            "check that yours does, or give the organiser an address in ASCII",
            code="non-ascii-sender",
        )
    invited_to: dict[str, int] = defaultdict(int)
    for m in active:
        for person in p.invitees(m):
            invited_to[person.id] += 1
    for pid, person in p.participants.items():
        if person.email is None and invited_to[pid]:
            report.warning(
                at("participants", pid, key=True),
                f"participant '{pid}' has no e-mail address but is invited to "
                f"{invited_to[pid]} meeting(s)",
                "add 'email:' or they will not receive invitations",
                code="no-email",
            )
    _shared(p, at, report)


def _shared(p: Programme, at: At, report: Report) -> None:
    first: dict[str, str] = {}
    for pid, person in p.participants.items():
        if person.email is None:
            continue
        address = person.email.lower()
        if address in first:
            report.warning(
                at("participants", pid, "email"),
                f"'{person.email}' is also the address of participant '{first[address]}'",
                "each person gets their own invitations; check for a copy-and-paste slip",
                code="shared-email",
            )
        else:
            first[address] = pid
