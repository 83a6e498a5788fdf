"""Invitations for the synthetic programme, side by side with mailmerge in one run.

Target (issues 4 and 17): cohort, whole process, no slower than mailmerge per message
(<= 1.0x), while producing the full text + HTML + calendar message, byte-identical to what one
process writes (tests/test_invite_streamed.py); its memory is measured by bench_growth.py.
mailmerge (PyPI; `pip install mailmerge`, in the `bench` extra) renders the same number of
recipients with `--dry-run --no-limit`: a Markdown template
(so it too makes text and HTML) plus each meeting's .ics as attachment.

    python bench_invite.py [--participants 2000] [--meetings 200]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
from pathlib import Path

from make_programme import write
from timing import cohort_command, compile_bytecode, race

TEMPLATE = """\
TO: {{email}}
SUBJECT: Uitnodiging: {{title}} — {{date}}
FROM: Benchmark <organiser@example.org>
CONTENT-TYPE: text/markdown
ATTACHMENT: {{ics}}

Beste {{name}},

Je bent uitgenodigd op een bijeenkomst van **Synthetisch programma**.

* {{title}}
* {{date}} om {{start}}–{{end}}
* {{venue}}

## Agenda

* 13:30 Welkom
* 14:00 Werken in groepen (Fenna Facilitator)

De uitnodiging zit in de bijlage; je agenda neemt ze met één klik over.

Met vriendelijke groeten,
Benchmark
"""

CONFIG = """\
[smtp_server]
host = 127.0.0.1
port = 1
security = Never
ratelimit = 0
"""


def mailmerge_inputs(folder: Path, calendars: Path, target: Path) -> int:
    """The same recipients, one row per invitee per meeting, for mailmerge."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from cohort.planning.publication import location
    from cohort.records.workspace import load_checked

    programme = load_checked(folder).programme
    rows = 0
    with (target / "database.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "title", "date", "start", "end", "venue", "ics"])
        for meeting in programme.chronological():
            for person in programme.invitees(meeting):
                if not person.email:
                    continue
                writer.writerow(
                    [
                        person.email,
                        person.name,
                        meeting.title,
                        meeting.date.isoformat(),
                        f"{meeting.start:%H:%M}",
                        f"{programme.ends_at(meeting):%H:%M}",
                        location(programme, meeting),
                        str(calendars / "meetings" / f"{meeting.id}.ics"),
                    ]
                )
                rows += 1
    (target / "template.txt").write_text(TEMPLATE, encoding="utf-8")
    (target / "server.conf").write_text(CONFIG, encoding="utf-8")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    mailmerge = shutil.which("mailmerge") or str(Path(sys.executable).parent / "mailmerge")
    if not Path(mailmerge).exists():
        sys.exit("mailmerge is not installed: pip install mailmerge (or the 'bench' extra)")
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder = write(base / "synthetic", args.participants, args.meetings)
        calendars = base / "calendars"
        race(
            {"calendar": cohort_command("calendar", str(folder), "-o", str(calendars))},
            runs=1,
            warmup=0,
        )
        merge = base / "mailmerge"
        merge.mkdir()
        rows = mailmerge_inputs(folder, calendars, merge)
        outbox = base / "outbox"
        medians = race(
            {
                "mailmerge --dry-run (markdown + .ics)": [
                    mailmerge,
                    "--dry-run",
                    "--no-limit",
                    "--output-format",
                    "raw",
                    "--template",
                    str(merge / "template.txt"),
                    "--database",
                    str(merge / "database.csv"),
                    "--config",
                    str(merge / "server.conf"),
                ],
                "cohort invite (text + HTML + iMIP + .ics)": [
                    "sh",
                    "-c",
                    f"rm -rf '{outbox}' && "
                    + " ".join(
                        f"'{a}'"
                        for a in cohort_command(
                            "invite", str(folder), "-o", str(outbox), "--today", "2030-01-01"
                        )
                    ),
                ],
            },
            runs=args.runs,
            warmup=0,
        )
        messages = len(list(outbox.glob("*.eml")))
    assert messages == rows, (messages, rows)
    print(
        f"\ninvitations: {rows} messages ({args.participants} participants, "
        f"{args.meetings} meetings)"
    )
    per = {name: seconds / rows * 1000 for name, seconds in medians.items()}
    for name, seconds in medians.items():
        print(f"  {name:<44} {seconds:7.1f} s   {per[name]:6.2f} ms/message")
    theirs, ours = per.values()
    print(f"\ncohort / mailmerge per message = {ours / theirs:.2f} (target <= 1.00)")


if __name__ == "__main__":
    main()
