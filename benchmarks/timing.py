"""Timing helpers for the benchmarks: whole commands, interleaved, medians and ratios.

The machines are shared and noisy, so every benchmark runs its contenders in turn, many times,
and reports medians side by side; ratios between contenders measured in one run are the figures
to compare across machines.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_bytecode() -> None:
    """Write .pyc files, as `pip install` does, so start-up is measured as users see it (some
    environments set PYTHONDONTWRITEBYTECODE, and uv does not compile by default)."""
    for path in {
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
        str(ROOT / "cohort"),
    }:
        compileall.compile_dir(path, quiet=2, workers=2)


def env() -> dict[str, str]:
    out = dict(os.environ)
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    out["NO_COLOR"] = "1"
    return out


def wall(command: Sequence[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        command,
        cwd=cwd,
        env=env(),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def race(
    contenders: dict[str, Sequence[str]], runs: int, cwd: Path | None = None, warmup: int = 1
) -> dict[str, float]:
    """Median wall time of each command, running them in turn `runs` times."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(warmup + runs):
        for name, command in contenders.items():
            took = wall(command, cwd)
            if round_ >= warmup:
                times[name].append(took)
    return {name: statistics.median(values) for name, values in times.items()}


def cohort_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "cohort", *args]


def report(title: str, medians: dict[str, float], baseline: str) -> None:
    print(f"\n{title}")
    base = medians[baseline]
    for name, seconds in medians.items():
        print(f"  {name:<44} {seconds * 1000:8.1f} ms   {seconds / base:5.2f}x {baseline}")
