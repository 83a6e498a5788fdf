"""`cohort groups` on the social golfer problem: 32 people in groups of 4 (CSPLib prob010).

Targets (issue 13): 8 rounds with zero repeated pairs in at most 5 s; and how many rounds
without repeats cohort reaches in 30 s (the known optimum is 10: at most floor(31 / 3)).

Three figures, side by side in one run (one core: numpy is told to use one thread):
1. seeds x rounds (6 to 10): `groups.form` as `cohort groups` runs it (a constructed start
   where design theory has one, then the tabu search with its default number of swaps), next
   to the search alone (greedy start, no construction) given up to --alone seconds of
   processor time: wall and processor time, and pairs that meet more than once;
2. the most rounds each brings to zero repeats within --seconds (30 s of processor time), in
   chunks of swaps;
3. the whole command on a generated programme of 32 people and 8 meetings, next to
   `cohort validate` of the same folder (so the search's share can be read off);
4. large cohorts (--cohorts, people x rounds in groups of 4, organisations of 10 kept
   apart): `groups.form` in a child process each, its processor seconds and peak memory in MB
   (the search's tables must not grow with people x people x rounds).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import ROOT, cohort_command, compile_bytecode, race, report

sys.path.insert(0, str(ROOT))

from cohort.planning import golfers  # noqa: E402
from cohort.planning.groups import Round, Rules, form, pairs  # noqa: E402

PEOPLE, SIZE = 32, 4
CHUNK = 5000  # swaps between looks at the clock (more than golfers.PATIENCE, so it restarts)


def rounds(count: int) -> list[Round]:
    people = tuple(f"p{i:02d}" for i in range(PEOPLE))
    return [Round(f"r{r}", people, size=SIZE) for r in range(count)]


def problem(count: int) -> golfers.Problem:
    return golfers.Problem(
        PEOPLE, [list(range(PEOPLE))] * count, [[SIZE] * (PEOPLE // SIZE)] * count
    )


def within(seconds: float, count: int, seed: int, construct: bool) -> tuple[int, float, float]:
    """The search on `count` rounds for at most `seconds` of processor time (one core; the
    machine is shared, so wall time says less), from a constructed start where one applies, as
    `golfers.solve` does, or from the greedy start alone: pairs meeting more than once at the
    end, and the wall and processor time it took."""
    start, cpu = time.perf_counter(), time.process_time()
    search = golfers.Search(problem(count), seed)
    search.start()
    built = False
    if construct:
        other = golfers.Search(problem(count), seed)
        template = other.template()
        if template:
            other.start(template)
            if other.cost() < search.cost():
                search, built = other, True
    while search.cost() > 0 and time.process_time() - cpu < seconds:
        search.improve(CHUNK, constructed=built)
    again = pairs(search.groups)
    took = time.perf_counter() - start
    return sum(n > 1 for n in again.values()), took, time.process_time() - cpu


def side_by_side(seeds: int, alone: float) -> None:
    print(f"{PEOPLE} people in groups of {SIZE}: pairs that meet more than once, and seconds")
    alone_title = f"search alone (<= {alone:.0f} s)"
    print(f"{'':>13}  {'cohort groups (as it runs)':>27}  {alone_title:>27}")
    columns = f"{'wall/cpu s':>12}  {'repeated':>13}"
    print(f"{'rounds  seed':>13}  {columns}  {columns}")
    for count in range(6, 11):
        for seed in range(seeds):
            start, cpu = time.perf_counter(), time.process_time()
            result = form(rounds(count), Rules(), seed=seed)
            took = f"{time.perf_counter() - start:.2f}/{time.process_time() - cpu:.2f}"
            repeated, wall, used = within(alone, count, seed, construct=False)
            print(
                f"{count:>6}  {seed:>5}  {took:>12}  {result.repeated_pairs:>13}"
                f"  {f'{wall:.2f}/{used:.2f}':>12}  {repeated:>13}"
            )


def most_rounds(seconds: float, seed: int) -> None:
    print(
        f"\nrounds without repeats within {seconds:.0f} processor seconds (seed {seed}; optimum 10)"
    )
    for name, construct in (("cohort groups", True), ("search alone", False)):
        best = 0
        for count in range(7, 11):
            repeated, took, used = within(seconds, count, seed, construct)
            print(
                f"  {name}, {count} rounds: {repeated} repeated pair(s) after {took:.1f} s "
                f"({used:.1f} s processor)"
            )
            if repeated:
                break
            best = count
        print(f"  {name}: {best} rounds without repeats")


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


LARGE = """
import resource, sys, time
sys.path.insert(0, {root!r})
from cohort.planning.groups import Circle, Round, Rules, form
people = tuple(f"p{{i:04d}}" for i in range({people}))
apart = [Circle(f"org {{o}}", frozenset(people[o::{people} // 10])) for o in range({people} // 10)]
start = time.process_time()
formed = form([Round(f"r{{r}}", people, 4) for r in range({rounds})], Rules(tuple(apart)), 0)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(time.process_time() - start, peak, formed.repeats)
"""


def large(cohorts: str, roots: list[str]) -> None:
    print("\nlarge cohorts, groups of 4, organisations of 10 apart (one child process each)")
    print(f"{'people x rounds':>16}  {'seconds':>8}  {'peak MB':>8}  {'repeats':>8}  checkout")
    for cohort in cohorts.split(","):
        people, rounds = (int(x) for x in cohort.split("x"))
        for root in roots:
            code = LARGE.format(root=root, people=people, rounds=rounds)
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout.split()
            seconds, peak, repeated = float(out[0]), float(out[1]), int(out[2])
            print(f"{cohort:>16}  {seconds:8.1f}  {peak:8.0f}  {repeated:8d}  {root}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--alone", type=float, default=5, help="processor seconds, search alone")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--cohorts", default="500x10,1000x20,2000x10", help="people x rounds, comma separated"
    )
    parser.add_argument("--only-large", action="store_true", help="figure 4 alone")
    parser.add_argument(
        "--compare", action="append", default=[], help="another checkout to measure in figure 4"
    )
    args = parser.parse_args()
    for threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[threads] = "1"  # before numpy is first imported (by the search)
    large(args.cohorts, [str(ROOT), *args.compare])
    if args.only_large:
        return
    side_by_side(args.seeds, args.alone)
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
