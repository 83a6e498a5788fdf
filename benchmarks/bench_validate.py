"""`cohort validate` of the synthetic 2,000-participant, 200-meeting programme.

Target (issue 2): under 1 s. Reported next to `python -c "import typer"` on the same machine
in the same run, so the figure can be read against the machine's speed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from make_programme import write
from timing import cohort_command, compile_bytecode, race, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(Path(tmp) / "synthetic", args.participants, args.meetings)
        small = Path(__file__).resolve().parent.parent / "programmes" / "twente-cop-2024"
        medians = race(
            {
                'python -c "import typer"': [sys.executable, "-c", "import typer"],
                "cohort validate twente-cop-2024": cohort_command("validate", str(small)),
                f"cohort validate synthetic {args.participants}/{args.meetings}": cohort_command(
                    "validate", str(folder), "--today", "2030-01-01"
                ),
            },
            runs=args.runs,
        )
    report("validate (median wall time)", medians, 'python -c "import typer"')
    big = list(medians.values())[-1]
    print(
        f"\nvalidate {args.participants} participants / {args.meetings} meetings: "
        f"{big:.2f} s (target < 1 s)"
    )


if __name__ == "__main__":
    main()
