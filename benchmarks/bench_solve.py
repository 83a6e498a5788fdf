"""`cohort schedule --solve` on a realistic year: 12 meetings in a 6-month window (Tuesdays and
Thursdays, Flemish school holidays and public holidays avoided), 10 venues of 5 hosts, 60
participants who each answered a poll on every candidate date.

Targets (issue 12): proven optimal within 2 s on one core; a minimal explanation of an
infeasible variant (spacing too wide for the window) within 5 s. Prints the median of --runs
runs of each (the solver runs on one worker), and the import of OR-Tools apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cohort.errors import Report  # noqa: E402
from cohort.planning import conflicts, dates  # noqa: E402
from cohort.planning.problem import Problem, build  # noqa: E402
from cohort.records import answers as answers_record  # noqa: E402
from cohort.records.workspace import load_checked  # noqa: E402

FROM, UNTIL = dt.date(2026, 1, 5), dt.date(2026, 6, 30)


def programme(folder: Path, spacing_min: int = 10) -> Path:
    rng = random.Random(12)
    hosts = [f"huis-{n}" for n in range(1, 6)]
    data = {
        "id": "bench",
        "title": "Benchmark",
        "timezone": "Europe/Brussels",
        "country": "BE",
        "organiser": {"name": "Leerhuis", "email": "leerhuis@example.org"},
        "planning": {
            "from": FROM.isoformat(),
            "until": UNTIL.isoformat(),
            "weekdays": ["tuesday", "thursday"],
            "preferred_weekdays": "thursday",
            "start": "19:00",
            "end": "21:00",
            "spacing": {"min": spacing_min, "max": 28},
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
                "capacity": rng.choice([40, 60, 80]),
            }
            for n in range(10)
        },
        "meetings": {f"sessie-{n:02d}": {"title": f"Sessie {n}"} for n in range(1, 13)},
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "programme.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    days = [FROM + dt.timedelta(days=n) for n in range((UNTIL - FROM).days + 1)]
    candidates = [d for d in days if d.weekday() in (1, 3)]
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    from ortools.sat.python import cp_model  # noqa: F401  (once per command, timed apart)

    imported = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        feasible = problem(programme(Path(tmp) / "feasible"))
        infeasible = problem(programme(Path(tmp) / "infeasible", spacing_min=20))
        solve_times, explain_times, outcome, conflict = [], [], None, None
        for _ in range(args.runs):
            started = time.perf_counter()
            outcome = dates.solve(feasible, time_limit=60)
            solve_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            conflict = conflicts.explain(infeasible)
            explain_times.append(time.perf_counter() - started)
        assert outcome is not None and conflict is not None
        print("12 meetings, 6-month window, 10 venues (5 hosts), 60 participants' answers")
        print(f"  import ortools: {imported:.2f} s (once per command)")
        print(
            f"  solve:   median {statistics.median(solve_times):.2f} s "
            f"(min {min(solve_times):.2f}, max {max(solve_times):.2f}); "
            f"{'proven optimal' if outcome.optimal else f'gap {outcome.gap:.1%}'}, "
            f"objective {outcome.objective}  (target <= 2 s, proven optimal)"
        )
        print(
            f"  explain: median {statistics.median(explain_times):.2f} s "
            f"(min {min(explain_times):.2f}, max {max(explain_times):.2f}); "
            f"{len(conflict.rules)} rules: {conflict.message(infeasible)}  (target <= 5 s)"
        )


if __name__ == "__main__":
    main()
