"""`cohort schedule --solve` on a realistic year: 12 meetings in a 6-month window (Tuesdays and
Thursdays, Flemish school holidays and public holidays avoided), 10 venues of 5 hosts, 60
participants who each answered a poll on every candidate date.

Targets (issue 12): proven optimal within 2 s on one core; a minimal explanation of an
infeasible variant within 5 s: one whose rules of the series conflict (spacing too wide for the
window: found without a search), and one whose hosting rules conflict (every venue but one
host's too small, no host twice in a row: found through CP-SAT's assumptions and short solves).
And a longer programme: 20 meetings over three years, the poll asked on every candidate day
(a realistic programme must solve in seconds). Prints the median of --runs runs of each (the
solver runs on one worker), and the import of OR-Tools apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cohort.errors import Report  # noqa: E402
from cohort.planning import conflicts, dates  # noqa: E402
from cohort.planning.problem import Problem, build  # noqa: E402
from cohort.records import answers as answers_record  # noqa: E402
from cohort.records.workspace import load_checked  # noqa: E402

FROM, UNTIL = dt.date(2026, 1, 5), dt.date(2026, 6, 30)
T = TypeVar("T")


def programme(
    folder: Path,
    spacing_min: int = 10,
    meetings: int = 12,
    until: dt.date = UNTIL,
    spacing_max: int = 28,
    small: bool = False,
    asked_until: dt.date | None = None,
) -> Path:
    """The benchmark's programme; `small`: every venue but huis-2's holds fewer than the 60;
    the poll asks about every candidate day until `asked_until` (the window's end)."""
    rng = random.Random(12)
    hosts = [f"huis-{n}" for n in range(1, 6)]
    drawn = [rng.choice([40, 60, 80]) for _ in range(10)]
    capacities = [40 if small and n % 5 != 1 else max(drawn[n], 60 * small) for n in range(10)]
    data = {
        "id": "bench",
        "title": "Benchmark",
        "timezone": "Europe/Brussels",
        "country": "BE",
        "organiser": {"name": "Leerhuis", "email": "leerhuis@example.org"},
        "planning": {
            "from": FROM.isoformat(),
            "until": until.isoformat(),
            "weekdays": ["tuesday", "thursday"],
            "preferred_weekdays": "thursday",
            "start": "19:00",
            "end": "21:00",
            "spacing": {"min": spacing_min, "max": spacing_max},
            "avoid": {"public_holidays": True, "school_holidays": "BE-VLG"},
            "hosting": {"fair": True, "no_repeat": True},
        },
        "organisations": {h: {"name": h.title()} for h in hosts},
        "participants": {
            f"p{n:02d}": {
                "name": f"Deelnemer {n}",
                "email": f"p{n}@example.org",
                "organisation": hosts[n % 5],
            }
            for n in range(60)
        },
        "venues": {
            f"zaal-{n}": {
                "name": f"Zaal {n}",
                "address": f"Straat {n}",
                "city": "Gent",
                "host": hosts[n % 5],
                "capacity": capacities[n],
            }
            for n in range(10)
        },
        "meetings": {f"sessie-{n:02d}": {"title": f"Sessie {n}"} for n in range(1, meetings + 1)},
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "programme.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    days = [FROM + dt.timedelta(days=n) for n in range((until - FROM).days + 1)]
    candidates = [d for d in days if d.weekday() in (1, 3) and d <= (asked_until or until)]
    answers = {
        pid: {
            d.isoformat(): rng.choices(["yes", "if-need-be", "no"], [6, 2, 2])[0]
            for d in candidates
        }
        for pid in data["participants"]
    }
    answers_record.store(
        folder,
        answers_record.Answers(
            source="polls/bench.csv",
            tool="newdle",
            options=tuple(d.isoformat() for d in candidates),
            answers=answers,
        ),
    )
    return folder


def problem(folder: Path) -> Problem:
    checked = load_checked(folder, FROM, proposal={})
    stored = answers_record.read(folder, Report())
    loaded = checked.loaded
    open_venues = set(checked.programme.meetings)
    return build(loaded, stored.record if stored else None, set(loaded.unplanned), open_venues)


def _timed(runs: int, work: Callable[[], T]) -> tuple[list[float], T]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    assert result is not None
    return times, result


def _spread(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    from ortools.sat.python import cp_model  # noqa: F401  (once per command, timed apart)

    imported = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        feasible = problem(programme(Path(tmp) / "feasible"))
        series = problem(programme(Path(tmp) / "series", spacing_min=20))
        hosting = problem(programme(Path(tmp) / "hosting", small=True))
        three_years = {
            "spacing_min": 28,
            "meetings": 20,
            "until": dt.date(2028, 12, 31),
            "spacing_max": 70,
        }
        longer = problem(
            programme(Path(tmp) / "longer", asked_until=dt.date(2026, 6, 30), **three_years)
        )
        densest = problem(programme(Path(tmp) / "densest", **three_years))
        solve_times, outcome = _timed(args.runs, lambda: dates.solve(feasible, time_limit=60))
        series_times, series_conflict = _timed(args.runs, lambda: conflicts.explain(series))
        hosting_times, hosting_conflict = _timed(args.runs, lambda: conflicts.explain(hosting))
        longer_times, longer_outcome = _timed(args.runs, lambda: dates.solve(longer, time_limit=60))
        densest_times, densest_outcome = _timed(1, lambda: dates.solve(densest, time_limit=20))
        print("12 meetings, 6-month window, 10 venues (5 hosts), 60 participants' answers")
        print(f"  import ortools: {imported:.2f} s (once per command)")
        print(
            f"  solve:   {_spread(solve_times)}; "
            f"{'proven optimal' if outcome.optimal else f'gap {outcome.gap:.1%}'}, "
            f"objective {outcome.objective}  (target <= 2 s, proven optimal)"
        )
        for name, times, conflict, infeasible in (
            ("explain series", series_times, series_conflict, series),
            ("explain hosting", hosting_times, hosting_conflict, hosting),
        ):
            minimal = "minimal" if getattr(conflict, "minimal", True) else "NOT proven minimal"
            print(
                f"  {name}: {_spread(times)}; {len(conflict.rules)} rules, {minimal}: "
                f"{conflict.message(infeasible)}  (target <= 5 s)"
            )
        print("20 meetings, 3-year window, the same venues and people")
        for name, times, found in (
            ("poll of the first half year", longer_times, longer_outcome),
            ("poll of every day (once, limit 20)", densest_times, densest_outcome),
        ):
            status = getattr(found, "status", "feasible" if found.feasible else "no schedule")
            state = "proven optimal" if found.optimal else f"{status}, gap {found.gap:.1%}"
            print(f"  {name}: {_spread(times)}; {state}, objective {found.objective}")


if __name__ == "__main__":
    main()
