"""What the registration tests share: the study day of twenty places, an export put in its
folder, the import and `invite` run as the facilitator runs them, and the registration
e-mails found in the outbox by their name without the list's (`...registration-waiting.1.eml`).
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import yaml
from conftest import cohort

NOW = {"COHORT_NOW": "2030-01-10T09:00:00Z", "COHORT_SMTP_BACKOFF": "0"}
LATER = {"COHORT_NOW": "2030-01-11T09:00:00Z", "COHORT_SMTP_BACKOFF": "0"}


def at(moment: str) -> dict[str, str]:
    """The clock frozen at `moment` (ISO 8601)."""
    return {"COHORT_NOW": moment, "COHORT_SMTP_BACKOFF": "0"}


#: a study day for twenty, and a work session everyone of the network is invited to
STUDY_DAY = """\
id: netwerk
title: Lerend netwerk
language: nl
timezone: Europe/Brussels
organiser:
  name: Het Netwerk
  email: netwerk@example.org
calendar:
  domain: netwerk.example.org
registration:
  offer_hours: 48
organisations:
  netwerk:
    name: Het Netwerk
participants:
  kern:
    name: Kim Kern
    email: kim@example.org
    organisation: netwerk
    role: facilitator
  lid:
    name: Lien Lid
    email: lien@example.org
    organisation: netwerk
venues:
  zaal:
    name: De Zaal
    address: Kerkstraat 1
    postcode: "9000"
    city: Gent
    capacity: 40
meetings:
  studiedag:
    title: Studiedag
    kind: study-day
    venue: zaal
    date: 2030-02-05
    start: "09:30"
    end: "16:30"
    capacity: 21
    invited: [kern]
  werksessie:
    title: Werksessie
    kind: work-session
    venue: zaal
    date: 2030-03-05
    start: "19:00"
    end: "21:00"
"""


def study_day(write, text: str = STUDY_DAY, **files: str) -> Path:
    """The programme: twenty places at the study day (21, one of them the facilitator's)."""
    return write(text, **files)


def export(folder: Path, name: str, content: str) -> Path:
    path = folder / "exports" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def register(file: Path, *more: str, env: dict[str, str] = NOW) -> object:
    result = cohort("registrations", "import", file, "--meeting", "studiedag", *more, env=env)
    assert result.exit_code == 0, result
    return result


def listed(folder: Path, scope: str = "studiedag") -> dict[str, dict[str, object]]:
    data = yaml.safe_load((folder / "registrations" / f"{scope}.yaml").read_text())
    return data["registrations"]


def statuses(folder: Path, scope: str = "studiedag") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for pid, entry in listed(folder, scope).items():
        out.setdefault(str(entry["status"]), []).append(pid)
    return out


def invite(folder: Path, outbox: Path, *more: str, env: dict[str, str] = NOW) -> object:
    result = cohort("invite", folder, "-o", outbox, *more, env=env)
    assert result.exit_code == 0, result
    return result


def plain_name(name: str) -> str:
    """A registration e-mail's name without its list's (`...registration-waiting.1.eml`)."""
    return re.sub(r"\.(\d+)-[0-9T]+\.eml$", r".\1.eml", name)


def waiting(outbox: Path, kind: str = "registration") -> list[str]:
    """The messages of a kind (by the start of its name) waiting in the outbox (registration
    e-mails named without their list)."""
    return sorted(plain_name(p.name) for p in outbox.glob("*.eml") if f".{kind}" in p.name)


def mail(outbox: Path, name: str) -> Path:
    """The registration e-mail of that name (without its list's) in the outbox (or a path
    that does not exist)."""
    found = [p for p in outbox.glob("*.eml") if plain_name(p.name) == name]
    assert len(found) <= 1, found
    return found[0] if found else outbox / name


def read(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[return-value]


def text_of(path: Path) -> str:
    return read(path).get_body(("plain",)).get_content()  # type: ignore[union-attr]


def pid(n: int) -> str:
    return f"deelnemer-{n:02d}-peeters"
