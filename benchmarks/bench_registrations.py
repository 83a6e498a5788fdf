"""`cohort registrations import` of a pretix export of 5,000 registrations for a study day of
4,000 places (so 1,000 wait), and what reading them back costs every other command.

Target (issue 14): importing 5,000 registrations in at most 2 s. Reported next to
`python -c "import typer"` and `cohort validate` of the same programme without registrations,
in the same run, so the figures can be read against the machine's speed.
"""

from __future__ import annotations

import argparse
import csv
import io
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

from timing import cohort_command, compile_bytecode, report, wall

PROGRAMME = """\
id: bench
title: Studiedag
organiser: {{name: Het Netwerk, email: netwerk@example.org}}
venues:
  zaal: {{name: De Zaal, address: Kerkstraat 1, city: Gent, capacity: {capacity}}}
participants:
  kern: {{name: Kim Kern, email: kim@example.org, role: facilitator}}
meetings:
  studiedag:
    title: Studiedag
    venue: zaal
    date: 2030-02-05
    start: "09:30"
    end: "16:30"
    invited: [kern]
"""

HEADERS = [
    "Event slug", "Order code", "Position ID", "Status", "Email", "Phone number",
    "Order date", "Order time", "Product", "Price", "Attendee name", "Attendee email",
    "Attendee company", "Invoice address name", "Order locale",
]  # fmt: skip


def export(n: int) -> str:
    """A pretix order positions export of n people, one minute apart, some in pairs."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(HEADERS)
    for i in range(n):
        order = f"A{i - i % 2 if i % 10 == 1 else i:05d}"  # every tenth order holds two
        day, minute = divmod(i, 24 * 60)
        hour, minute = divmod(minute, 60)
        out.writerow(
            [
                "studiedag", order, "2" if order != f"A{i:05d}" else "1", "paid",
                f"p{i}@example.org", "", f"2030-01-{1 + day:02d}", f"{hour:02d}:{minute:02d}:00",
                "Ticket", "0.00", f"Persoon {i} Peeters", f"p{i}@example.org",
                f"Organisatie {i % 50}", f"Persoon {i} Peeters", "nl",
            ]
        )  # fmt: skip
    return buffer.getvalue()


def timed(command: str, runs: int) -> float:
    """The median wall time of a shell command line."""
    times = []
    for _ in range(runs + 1):
        times.append(wall(["sh", "-c", command]))
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "studiedag"
        folder.mkdir()
        capacity = args.registrations * 4 // 5 + 1
        (folder / "programme.yaml").write_text(PROGRAMME.format(capacity=capacity))
        file = folder / "pretix.csv"
        file.write_text(export(args.registrations))
        record = folder / "registrations" / "studiedag.yaml"
        run = shlex.join
        imp = run(cohort_command("registrations", "import", str(file), "--meeting", "studiedag"))
        env = "COHORT_NOW=2030-01-10T09:00:00Z "
        medians = {
            'python -c "import typer"': timed(
                run([sys.executable, "-c", "import typer"]), args.runs
            ),
            "cohort validate (no registrations)": timed(
                f"rm -rf {shlex.quote(str(record.parent))}; "
                + run(cohort_command("validate", str(folder))),
                args.runs,
            ),
            f"registrations import {args.registrations} (first)": timed(
                f"rm -rf {shlex.quote(str(record.parent))}; {env}{imp}", args.runs
            ),
            f"registrations import {args.registrations} (again)": timed(env + imp, args.runs),
            f"validate with {args.registrations} registered": timed(
                run(cohort_command("validate", str(folder))), args.runs
            ),
            "registrations status": timed(
                env + run(cohort_command("registrations", "status", str(folder))), args.runs
            ),
        }
        lines = record.read_text().count("\n")
    report("registrations (median wall time)", medians, 'python -c "import typer"')
    first = medians[f"registrations import {args.registrations} (first)"]
    print(
        f"\nimporting {args.registrations} registrations: {first:.2f} s (target <= 2 s); "
        f"the list file holds {lines} lines"
    )


if __name__ == "__main__":
    main()
