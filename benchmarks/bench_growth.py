"""How cost grows with the programme: validate, invite and build of the synthetic programme at
200, 2,000 and 10,000 participants, wall time and peak memory of each command.

Targets (issue 17): invite's peak for 10,000/500 at most 1.3x its peak for 2,000/200 (memory
does not grow with the number of messages); validate 10,000/500 under 2 s; build 2,000/200
under 5 s and 300 MB, 10,000/500 under 30 s and 500 MB. Peak memory is the largest resident
set of the command's processes (with a pool of workers: the largest one, as the kernel counts
it for `ru_maxrss`). The README's growth table comes from this script.

    python bench_growth.py [--sizes 200/20,2000/200,10000/500] [--skip-build]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from make_programme import write
from timing import cohort_command, compile_bytecode, env

#: runs one command and prints its wall time and the largest resident set of its processes
_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(took, peak / (1024 * 1024 if sys.platform == "darwin" else 1024))
"""


def measure(command: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak memory (MB) of one command, in a process of its own."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        env=env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="200/20,2000/200,10000/500")
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    compile_bytecode()
    sizes = [tuple(int(n) for n in size.split("/")) for size in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for participants, meetings in sizes:
            folder = write(Path(tmp) / f"p{participants}", participants, meetings, attendance=True)
            today = ("--today", "2031-09-15")
            outbox, site = Path(tmp) / f"outbox{participants}", Path(tmp) / f"site{participants}"
            validate = measure(cohort_command("validate", str(folder), *today))
            invite = measure(
                cohort_command("invite", str(folder), "-o", str(outbox), "--today", "2030-01-01")
            )
            messages = len(list(outbox.glob("*.eml")))
            build = (
                (float("nan"), float("nan"))
                if args.skip_build
                else measure(cohort_command("build", str(folder), "-o", str(site), *today))
            )
            rows.append((participants, meetings, messages, validate, invite, build))
            print(f"  measured {participants}/{meetings}", file=sys.stderr, flush=True)
    print("\n| participants / meetings | messages | validate | invite | build |")
    print("|---|---:|---:|---:|---:|")
    for participants, meetings, messages, *figures in rows:
        cells = " | ".join(f"{s:.1f} s, {mb:.0f} MB" for s, mb in figures)
        print(f"| {participants:,} / {meetings} | {messages:,} | {cells} |")
    by_size = {(r[0], r[1]): r for r in rows}
    if (2000, 200) in by_size and (10000, 500) in by_size:
        ratio = by_size[(10000, 500)][4][1] / by_size[(2000, 200)][4][1]
        print(f"\ninvite peak memory 10,000/500 / 2,000/200 = {ratio:.2f} (target <= 1.30)")


if __name__ == "__main__":
    main()
