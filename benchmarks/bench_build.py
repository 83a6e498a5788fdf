"""`cohort build` of each example programme and of the synthetic one.

Targets (issue 6): each example in under 2 s; the synthetic 2,000-participant, 200-meeting
programme in under 15 s and under 500 MB peak memory (maximum resident set size of the
process, as the kernel counts it).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from make_programme import write
from timing import ROOT, cohort_command, compile_bytecode, env


def run(command: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak memory (MB) of one command, in a process of its own."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        command, env=env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return took, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=200)
    args = parser.parse_args()
    compile_bytecode()
    print("\ncohort build (first build into an empty folder; wall time, peak memory)")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for example in sorted((ROOT / "programmes").iterdir()):
            if not (example / "programme.yaml").is_file():
                continue
            folder = base / example.name
            shutil.copytree(example, folder)
            took, peak = run(
                cohort_command("build", str(folder), "-o", str(base / "out" / example.name))
            )
            print(f"  {example.name:<32} {took:6.2f} s  {peak:6.0f} MB   (target < 2 s)")
        # half of the meetings held and their attendance recorded: the report has work to do
        folder = write(base / "synthetic", args.participants, args.meetings, attendance=True)
        middle = "2031-09-15"
        out = base / "out" / "synthetic"
        took, peak = run(cohort_command("build", str(folder), "-o", str(out), "--today", middle))
        files = sum(1 for p in out.rglob("*") if p.is_file())
        print(
            f"  synthetic {args.participants}/{args.meetings:<17} {took:6.2f} s  {peak:6.0f} MB"
            f"   (target < 15 s, < 500 MB; {files} files)"
        )
        again, _ = run(cohort_command("build", str(folder), "-o", str(out), "--today", middle))
        print(f"  synthetic, built again (nothing changed) {again:6.2f} s")


if __name__ == "__main__":
    main()
