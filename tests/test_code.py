"""The code keeps its habits: ruff's rules and formatter, and mypy in strict mode, find nothing."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

PATHS = ["cohort", "tests", "benchmarks"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing():
    result = _run("ruff", "check", *PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted():
    result = _run("ruff", "format", "--check", *PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_finds_nothing():
    result = _run("mypy", "cohort")
    assert result.returncode == 0, result.stdout + result.stderr
