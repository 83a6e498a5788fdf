"""`cohort replies import` of 5,000 calendar replies (500 invitees, 10 meetings), from a Maildir.

Target (issue 18): 5,000 reply messages in at most 5 s. Each message is a Thunderbird-style
reply (text, the calendar part, and the same calendar attached as invite.ics, base64), so the
e-mail and iCalendar parsing is what a real mailbox costs. Reported next to
`python -c "import typer"` and `cohort validate` of the same programme, in the same run, so the
figures can be read against the machine's speed.
"""

from __future__ import annotations

import argparse
import base64
import mailbox
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

from timing import cohort_command, compile_bytecode, report, wall

MEETINGS = 10


def programme(people: int) -> str:
    lines = [
        "id: bench",
        "title: Leernetwerk",
        "organiser: {name: Het Netwerk, email: netwerk@example.org}",
        "venues:",
        "  zaal: {name: De Zaal, address: Kerkstraat 1, city: Gent}",
        "participants:",
    ]
    lines += [f"  p{i}: {{name: Persoon {i}, email: p{i}@example.org}}" for i in range(people)]
    lines.append("meetings:")
    for m in range(MEETINGS):
        lines += [
            f"  m{m}:",
            f"    title: Bijeenkomst {m + 1}",
            "    venue: zaal",
            f"    date: 2030-{1 + m:02d}-15",
            '    start: "19:00"',
            '    end: "21:00"',
        ]
    return "\n".join(lines) + "\n"


def message(person: int, meeting: int, answer: str) -> bytes:
    ics = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
            "VERSION:2.0",
            "METHOD:REPLY",
            "BEGIN:VEVENT",
            f"DTSTAMP:20291220T{10 + meeting:02d}{person % 60:02d}00Z",
            f"UID:m{meeting}.bench@cohort.invalid",
            f"SUMMARY:Bijeenkomst {meeting + 1}",
            "ORGANIZER;CN=Het Netwerk:mailto:netwerk@example.org",
            f"ATTENDEE;CN=Persoon {person};PARTSTAT={answer}:mailto:p{person}@example.org",
            f"DTSTART;TZID=Europe/Brussels:2030{1 + meeting:02d}15T190000",
            f"DTEND;TZID=Europe/Brussels:2030{1 + meeting:02d}15T210000",
            "SEQUENCE:0",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    encoded = base64.encodebytes(ics.encode()).decode().replace("\n", "\r\n")
    return (
        f"From: Persoon {person} <p{person}@example.org>\r\nTo: netwerk@example.org\r\n"
        f"Subject: Geaccepteerd: Bijeenkomst {meeting + 1}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
        f"Persoon {person} heeft uw uitnodiging beantwoord.\r\n"
        "--b\r\nContent-Type: text/calendar; charset=UTF-8; method=REPLY\r\n\r\n"
        f"{ics}\r\n"
        '--b\r\nContent-Type: application/ics; name="invite.ics"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{encoded}\r\n--b--\r\n"
    ).encode()


def timed(command: str, runs: int) -> float:
    """The median wall time of a shell command line."""
    times = [wall(["sh", "-c", command]) for _ in range(runs + 1)]
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_bytecode()
    people = args.replies // MEETINGS
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "leernetwerk"
        folder.mkdir()
        (folder / "programme.yaml").write_text(programme(people))
        box = mailbox.Maildir(Path(tmp) / "Maildir")
        answers = ("ACCEPTED", "DECLINED", "TENTATIVE", "ACCEPTED")
        for n in range(args.replies):
            box.add(message(n % people, n // people, answers[n % len(answers)]))
        records = folder / "replies"
        run = shlex.join
        imp = run(cohort_command("replies", "import", str(folder), str(Path(tmp) / "Maildir")))
        env = "COHORT_NOW=2029-12-31T09:00:00Z "
        medians = {
            'python -c "import typer"': timed(
                run([sys.executable, "-c", "import typer"]), args.runs
            ),
            "cohort validate (no replies)": timed(
                f"rm -rf {shlex.quote(str(records))}; "
                + run(cohort_command("validate", str(folder))),
                args.runs,
            ),
            f"replies import {args.replies} (first)": timed(
                f"rm -rf {shlex.quote(str(records))}; {env}{imp}", args.runs
            ),
            f"replies import {args.replies} (again)": timed(env + imp, args.runs),
            f"validate with {args.replies} replies": timed(
                run(cohort_command("validate", str(folder))), args.runs
            ),
            "schedule": timed(env + run(cohort_command("schedule", str(folder))), args.runs),
        }
    report("replies (median wall time)", medians, 'python -c "import typer"')
    first = medians[f"replies import {args.replies} (first)"]
    print(f"\nimporting {args.replies} reply messages: {first:.2f} s (target <= 5 s)")


if __name__ == "__main__":
    main()
