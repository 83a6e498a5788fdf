"""`cohort groups` on the social golfer problem: 32 people in groups of 4 (CSPLib prob010).

Targets (issue 13): 8 rounds with zero repeated pairs in at most 5 s; and how many rounds
without repeats cohort reaches in 30 s (the known optimum is 10: at most floor(31 / 3)).

Three figures, side by side in one run:
1. `groups.form` as `cohort groups` runs it (its default number of swaps), for 6 to 10 rounds
   and a few seeds: wall time and pairs that meet twice;
2. the same search given up to 30 s (in chunks of swaps, so it stops when it reaches zero):
   the most rounds it brings to zero repeats;
3. the whole command on a generated programme of 32 people and 8 meetings, next to
   `cohort validate` of the same folder (so the search's share can be read off).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from timing import ROOT, cohort_command, compile_bytecode, race, report

sys.path.insert(0, str(ROOT))

from cohort.planning import golfers  # noqa: E402
from cohort.planning.groups import Round, Rules, form, pairs  # noqa: E402

PEOPLE, SIZE = 32, 4


def rounds(count: int) -> list[Round]:
    people = tuple(f"p{i:02d}" for i in range(PEOPLE))
    return [Round(f"r{r}", people, size=SIZE) for r in range(count)]


def default_runs(seeds: int) -> None:
    print(f"groups.form, default budget ({golfers.__name__}, {PEOPLE} people, groups of {SIZE})")
    print(f"{'rounds':>6}  {'seed':>4}  {'seconds':>8}  {'repeated pairs':>14}")
    for count in range(6, 11):
        for seed in range(seeds):
            start = time.perf_counter()
            result = form(rounds(count), Rules(), seed=seed)
            took = time.perf_counter() - start
            print(f"{count:>6}  {seed:>4}  {took:>8.2f}  {result.repeated_pairs:>14}")


def within(seconds: float, count: int, seed: int) -> tuple[int, float, int]:
    """The search on `count` rounds for at most `seconds`: pairs meeting twice or more at the
    end, time, swaps."""
    problem = golfers.Problem(
        PEOPLE, [list(range(PEOPLE))] * count, [[SIZE] * (PEOPLE // SIZE)] * count
    )
    start = time.perf_counter()
    search = golfers.Search(problem, seed)
    search.start()
    tabu = golfers.Tabu(search)
    swaps = 0
    while tabu.best_cost > 0 and time.perf_counter() - start < seconds:
        tabu.run(500)
        swaps += 500
    again = pairs(tabu.best)
    return sum(n > 1 for n in again.values()), time.perf_counter() - start, swaps


def most_rounds(seconds: float, seed: int) -> None:
    print(f"\nthe search for up to {seconds:.0f} s per instance (seed {seed})")
    best = 0
    for count in range(6, 11):
        repeated, took, swaps = within(seconds, count, seed)
        print(f"  {count} rounds: {repeated} repeated pair(s) after {took:.1f} s ({swaps} swaps)")
        if not repeated:
            best = count
    print(f"rounds without repeats within {seconds:.0f} s: {best} (the optimum is 10)")


def programme(folder: Path, meetings: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "id: golfers",
        "title: Social golfers",
        "organiser: {name: Club, email: club@example.org}",
        "participants:",
    ]
    lines += [f"  p{i:02d}: {{name: Person {i}, email: p{i}@example.org}}" for i in range(PEOPLE)]
    lines.append("meetings:")
    for m in range(meetings):
        lines += [
            f"  round-{m + 1}:",
            f"    title: Round {m + 1}",
            f"    date: 2030-01-{m + 1:02d}",
            '    start: "19:00"',
            '    end: "21:00"',
            f"    groups: {SIZE}",
        ]
    (folder / "programme.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    default_runs(args.seeds)
    most_rounds(args.seconds, 0)
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = programme(Path(tmp) / "golfers", 8)
        medians = race(
            {
                "cohort validate (32 people, 8 meetings)": cohort_command(
                    "validate", str(folder), "--today", "2029-01-01"
                ),
                "cohort groups (8 rounds of groups of 4)": cohort_command(
                    "groups", str(folder), "--today", "2029-01-01"
                ),
            },
            runs=args.runs,
        )
    report("\ngroups (median wall time)", medians, "cohort validate (32 people, 8 meetings)")


if __name__ == "__main__":
    main()
