"""Personal feeds of the synthetic 2,000-participant, 200-meeting programme.

Target (issue 3): all personal feeds in under 2 s. Side by side in one run: cohort's way (each
event serialised once per language, the bytes shared by every feed that holds it) against the
straightforward way (one icalendar Calendar per person, every event added and serialised), and
the whole `cohort calendar` command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from icalendar import Calendar
from make_programme import write
from timing import ROOT, cohort_command, compile_bytecode, race

sys.path.insert(0, str(ROOT))

from cohort.documents.calendar import Calendars, personal_feed_name  # noqa: E402
from cohort.planning.publication import publication  # noqa: E402
from cohort.records.published import load_state  # noqa: E402
from cohort.records.workspace import load_checked  # noqa: E402

MOMENT = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def cohorts_way(programme, state) -> int:
    entries = publication(programme, state, MOMENT)
    calendars = Calendars(programme, entries)
    size = 0
    for person in programme.participants.values():
        personal_feed_name(state, person)
        size += len(calendars.personal_feed(person))
    return size


def naive_way(programme, state) -> int:
    entries = publication(programme, state, MOMENT)
    calendars = Calendars(programme, entries)
    size = 0
    for person in programme.participants.values():
        cal = Calendar.from_ical(calendars._head(programme.title, None) + b"END:VCALENDAR\r\n")
        for entry in entries:
            if person.id in entry.record.invitees:
                cal.add_component(calendars.vevent(entry, calendars_texts(programme, person)))
        size += len(cal.to_ical())
    return size


def calendars_texts(programme, person):
    """The views of the programme in the person's language, built anew for each (naively)."""
    from cohort.documents.view import Views, texts_for

    language = person.language.value if person.language else None
    return Views(programme, texts_for(programme, language))


def timed(function, *args, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(Path(tmp) / "synthetic", args.participants, args.meetings)
        programme = load_checked(folder).programme
        state = load_state(folder)
        events = sum(len(programme.invitees(m)) for m in programme.meetings.values())
        ours = timed(cohorts_way, programme, state, runs=args.runs)
        naive = timed(naive_way, programme, state, runs=1)
        command = race(
            {
                "cohort calendar": cohort_command(
                    "calendar", str(folder), "-o", str(Path(tmp) / "out"), "--today", "2030-01-01"
                )
            },
            runs=args.runs,
        )["cohort calendar"]
    print(f"\npersonal feeds: {len(programme.participants)} feeds, {events} events in them")
    print(f"  cohort (events serialised once, shared)   {ours:7.2f} s")
    print(
        f"  one icalendar Calendar per person         {naive:7.2f} s   ({naive / ours:.1f}x slower)"
    )
    print(
        f"  whole `cohort calendar` command           {command:7.2f} s "
        f"(programme feed, {args.meetings} meeting files, all personal feeds, writing)"
    )
    print(f"\npersonal feeds: {ours:.2f} s (target < 2 s)")


if __name__ == "__main__":
    main()
