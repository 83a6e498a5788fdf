"""Write a valid, realistic synthetic programme, for benchmarks and load tests.

    python benchmarks/make_programme.py --participants 2000 --meetings 200 --out /tmp/big

Organisations of about ten people each; themes; physical venues in Flemish and Dutch cities and
two online ones; meetings on working days (no public holidays), each inviting a group of roughly
30 to 60 participants (by organisation or by name) plus the facilitators; an attendance rule
that every participant can meet. The same arguments always give the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

import holidays

FIRST = [
    "Anna",
    "Bram",
    "Chloé",
    "Daan",
    "Elif",
    "Fatima",
    "Gert",
    "Hanne",
    "Ilias",
    "Jana",
    "Karim",
    "Lotte",
    "Mehdi",
    "Nele",
    "Omar",
    "Pieter",
    "Rania",
    "Sofie",
    "Tom",
    "Yasmine",
]
LAST = [
    "Peeters",
    "Janssens",
    "De Vries",
    "Maes",
    "Bakker",
    "Claes",
    "Visser",
    "Wouters",
    "El Amrani",
    "Yilmaz",
    "Mertens",
    "Smit",
    "Dubois",
    "Meijer",
    "Goossens",
    "de Boer",
]
CITIES = [
    ("Gent", "9000"),
    ("Antwerpen", "2000"),
    ("Leuven", "3000"),
    ("Brussel", "1000"),
    ("Hasselt", "3500"),
    ("Brugge", "8000"),
    ("Mechelen", "2800"),
    ("Kortrijk", "8500"),
    ("Aalst", "9300"),
    ("Genk", "3600"),
    ("Enschede", "7511"),
    ("Hengelo", "7551"),
    ("Almelo", "7607"),
    ("Zwolle", "8011"),
    ("Utrecht", "3511"),
    ("Arnhem", "6811"),
]
KINDS = ["work-session", "intervision", "webinar", "study-day", "workshop"]


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build(
    participants: int, meetings: int, seed: int = 1, attendance: bool = False
) -> dict[str, str]:
    rng = random.Random(seed)
    per_org = 10
    orgs = [f"org-{i:04d}" for i in range((participants + per_org - 1) // per_org)]
    people: list[tuple[str, str]] = []  # (id, organisation)
    lines_people = ["participants:"]
    lines_people += [
        "  facilitator-1:",
        "    name: Fenna Facilitator",
        "    email: facilitator-1@example.org",
        "    role: facilitator",
        "  facilitator-2:",
        "    name: Frits Facilitator",
        "    email: facilitator-2@example.org",
        "    role: facilitator",
    ]
    for i in range(participants):
        pid = f"p-{i:05d}"
        org = orgs[i // per_org]
        people.append((pid, org))
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        lines_people += [
            f"  {pid}:",
            f"    name: {quote(name)}",
            f"    email: {pid}@example.org",
            f"    organisation: {org}",
        ]
        if i % 17 == 0:
            lines_people.append(f"    language: {rng.choice(['en', 'fr'])}")

    lines_orgs = ["organisations:"]
    for i, org in enumerate(orgs):
        city = CITIES[i % len(CITIES)][0]
        lines_orgs += [
            f"  {org}:",
            f"    name: Organisatie {i + 1} {city}",
            f"    kind: {rng.choice(['vereniging', 'lokaal bestuur', 'museum'])}",
            f"    city: {city}",
        ]

    venues = []
    lines_venues = ["venues:"]
    for i, (city, postcode) in enumerate(CITIES):
        vid = f"venue-{i:02d}"
        venues.append(vid)
        lines_venues += [
            f"  {vid}:",
            f"    name: Zaal {city}",
            f"    address: Marktplein {i + 1}",
            f"    postcode: {quote(postcode)}",
            f"    city: {city}",
            f"    country: {'NL' if i >= 10 else 'BE'}",
            "    capacity: 120",
            f"    host: {orgs[i % len(orgs)]}",
        ]
    lines_venues += ["  online:", "    name: Online", "    join_url: https://meet.example.org/x"]

    themes = [f"theme-{i:02d}" for i in range(12)]
    lines_themes = ["themes:"]
    for i, theme in enumerate(themes):
        lines_themes += [f"  {theme}:", f"    title: Thema {i + 1}"]

    # Meetings on working days without public holidays in either country, a few days apart.
    closed = holidays.country_holidays("BE", years=range(2031, 2041)) | holidays.country_holidays(
        "NL", years=range(2031, 2041)
    )
    day = dt.date(2031, 1, 7)
    groups_of_orgs = [orgs[i : i + 5] for i in range(0, len(orgs), 5)]  # about 50 people a group
    lines_meetings = ["meetings:"]
    records: dict[str, str] = {}
    for m in range(meetings):
        took_place = attendance and m < meetings // 2  # its attendance is recorded
        day += dt.timedelta(days=2)
        while day.weekday() >= 5 or day in closed:
            day += dt.timedelta(days=1)
        group = groups_of_orgs[m % len(groups_of_orgs)]
        kind = KINDS[m % len(KINDS)]
        venue = "online" if kind == "webinar" else venues[m % len(venues)]
        lines_meetings += [
            f"  meeting-{m:04d}:",
            f"    title: {quote(f'Bijeenkomst {m + 1}')}",
            f"    kind: {kind}",
            f"    themes: [{themes[m % len(themes)]}]",
            f"    venue: {venue}",
            f"    date: {day.isoformat()}",
            '    start: "13:30"',
            '    end: "16:30"',
            f"    status: {'confirmed' if m % 3 or took_place else 'planned'}",
            "    agenda:",
            '      - time: "13:30"',
            "        title: Welkom",
            '      - time: "14:00"',
            "        title: Werken in groepen",
            "        speaker: facilitator-1",
        ]
        members = [pid for pid, org in people if org in group]
        if m % 2:
            lines_meetings += [
                "    invited:",
                f"      organisations: [{', '.join(group)}]",
                "      roles: facilitator",
            ]
        else:
            lines_meetings += ["    invited:", "      roles: facilitator", "      participants:"]
            lines_meetings += [f"        - {pid}" for pid in members]
        if took_place:
            came = [pid for pid in members if rng.random() < 0.8]
            excused = [pid for pid in members if pid not in came and rng.random() < 0.5]
            records[f"attendance/meeting-{m:04d}.yaml"] = (
                f"meeting: meeting-{m:04d}\nattended: [{', '.join(came)}]\n"
                f"excused: [{', '.join(excused)}]\nvisitors:\n"
                f"  - name: Bezoeker {m}\n    organisation: Buurthuis\n"
            )

    rounds = meetings // max(1, len(groups_of_orgs))
    programme = [
        "# A synthetic programme written by benchmarks/make_programme.py",
        "id: synthetic",
        "title: "
        + quote(f"Synthetisch programma ({participants} deelnemers, {meetings} bijeenkomsten)"),
        "language: nl",
        "timezone: Europe/Brussels",
        "organiser:",
        "  name: Benchmark",
        "  email: organiser@example.org",
        "attendance:",
        f"  required: {max(1, rounds - 1)}" if rounds >= 2 else "  required: 1",
        "  roles: participant",
        "include:",
        "  - organisations.yaml",
        "  - participants.yaml",
        "  - meetings.yaml",
        *lines_venues,
        *lines_themes,
    ]
    return {
        "programme.yaml": "\n".join(programme) + "\n",
        "organisations.yaml": "\n".join(lines_orgs) + "\n",
        "participants.yaml": "\n".join(lines_people) + "\n",
        "meetings.yaml": "\n".join(lines_meetings) + "\n",
        **records,
    }


def write(folder: Path, participants: int, meetings: int, attendance: bool = False) -> Path:
    """Write the programme; with `attendance`, the first half of the meetings has its
    attendance recorded (about four in five came)."""
    for name, text in build(participants, meetings, attendance=attendance).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--attendance",
        action="store_true",
        help="record attendance for the first half of the meetings",
    )
    args = parser.parse_args()
    write(args.out, args.participants, args.meetings, args.attendance)
    print(f"wrote {args.out} ({args.participants} participants, {args.meetings} meetings)")


if __name__ == "__main__":
    main()
