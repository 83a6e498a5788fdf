"""`cohort certificates verify CODE`: whether a code is that of a certificate this programme
gave, and what that certificate must say.

The code is looked for among every certificate the programme's records could have given, at any
moment so far (`planning.certificates.issuable`), made with the programme's key; without the key
nothing can be told, and the command says so (exit 1, where "not genuine" is exit 3). A
certificate of participation is genuine but says what it is, and, when the programme no longer
issues them (`partial: false`), that it was issued under earlier rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..planning import certificates as decide
from ..planning.certificates import Certificate
from ..programme.model import Programme
from ..records import certificate_secret
from .certificates import records_of


@dataclass(frozen=True)
class Verdict:
    """What `cohort certificates verify` found: the certificate with that code, if any."""

    code: str
    certificate: Certificate | None
    text: str

    @property
    def genuine(self) -> bool:
        return self.certificate is not None


def verify(folder: Path, programme: Programme, code: str, today: dt.date) -> Verdict:
    """Whether `code` is the code of a certificate this programme's records give (as of
    `today`, at any moment so far); raises CohortError when the key is missing."""
    wanted = decide.normalise(code)
    secret = certificate_secret.existing(folder)
    for candidate in decide.issuable(programme, records_of(folder), today):
        if decide.code(secret, programme.id, candidate) == wanted:
            return Verdict(wanted, candidate, _described(programme, candidate))
    return Verdict(
        wanted,
        None,
        f"not genuine: no certificate of {programme.title} has the code '{code.strip()}' "
        "(a certificate made from attendance, names or meetings recorded differently then, or "
        f"with another {certificate_secret.SECRET_FILE}, does not verify either)",
    )


def _described(programme: Programme, certificate: Certificate) -> str:
    person = certificate.person
    dates = ", ".join(a.meeting.date.isoformat() for a in certificate.meetings)
    hours_ = round(certificate.minutes / 60, 2)
    text = (
        f"genuine: certificate of {certificate.kind} of {person.name} ('{person.id}'"
        + (f", {certificate.organisation}" if certificate.organisation else "")
        + f") for {programme.title}: {len(certificate.meetings)} meeting(s) ({dates}), "
        f"{hours_:g} hours"
    )
    if certificate.kind == decide.PARTICIPATION:
        text += (
            "; a certificate of participation: it says what its holder attended, not that they "
            "met the attendance rule"
        )
        if not programme.certificates.partial:
            text += " (issued under earlier rules: the programme no longer issues them)"
    return text
