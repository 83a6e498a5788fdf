"""`cohort --help` against `python -c "import typer"`: the CLI must stay lazy.

Target (issue 2): cohort --help within 1.25x the wall time of importing typer alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from timing import cohort_command, compile_bytecode, race, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    compile_bytecode()
    medians = race(
        {
            'python -c "import typer"': [sys.executable, "-c", "import typer"],
            # what a user runs: the console script pip/uv install (no runpy)
            "cohort --help": [str(Path(sys.executable).with_name("cohort")), "--help"],
            "python -m cohort --help": cohort_command("--help"),
        },
        runs=args.runs,
    )
    report("start-up (median wall time)", medians, 'python -c "import typer"')
    ratio = medians["cohort --help"] / medians['python -c "import typer"']
    print(f"\ncohort --help / import typer = {ratio:.2f} (target <= 1.25)")


if __name__ == "__main__":
    main()
