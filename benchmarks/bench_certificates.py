"""2,000 certificates: `cohort certificates` from the command line, in seconds and peak memory,
side by side with Typst alone typesetting the same 2,000 documents (the floor: what cohort adds
on top of the typesetter is the difference), and with `--email` (a message per certificate,
the PDF attached, into the outbox).

The synthetic programme (make_programme.py) has the attendance of the first half of its
meetings recorded; its certificates block allows certificates of participation, and `--partial`
gives one to everyone who came to any of them (nearly every participant).

    python bench_certificates.py [--participants 2000] [--meetings 200] [--runs 1]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from make_programme import build
from timing import ROOT, cohort_command, compile_bytecode, env

FLOOR = """\
import sys, time, typst, tempfile
from pathlib import Path
sources = [p.read_text() for p in sorted(Path(sys.argv[1]).glob("*.typ"))]
root = tempfile.mkdtemp()
main = Path(root) / "main.typ"
main.write_text(sources[0])
compiler = typst.Compiler(str(main), root=root, ignore_system_fonts=True)
for source in sources:
    main.write_text(source)
    compiler.compile(format="pdf", timestamp=0)
"""

CAPTURE = """\
import sys
from pathlib import Path
from cohort.documents import typeset
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
count = 0
def keep(source, name, day, *_warnings):
    global count
    count += 1
    (out / f"{count:05d}.typ").write_text(source)
    return b""
typeset.pdf = keep
from cohort.cli import app
app(sys.argv[2:])
"""


def programme(folder: Path, participants: int, meetings: int) -> Path:
    """The synthetic programme, the first half of its meetings with their attendance recorded
    (about four in five came), allowing certificates of participation."""
    files = build(participants, meetings, attendance=True)
    files["programme.yaml"] = files["programme.yaml"].replace(
        "include:", "certificates:\n  partial: true\n  place: Gent\ninclude:", 1
    )
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def measured(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of a command run alone."""
    script = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
        "took = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(took, peak)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *command],
        env=env(),
        check=True,
        capture_output=True,
        text=True,
    )
    took, peak = result.stdout.split()
    return float(took), int(peak) / 1024  # ru_maxrss is in KB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder = programme(base / "synthetic", args.participants, args.meetings)
        today = "2041-01-01"
        issue = cohort_command(
            "certificates", str(folder), "-o", str(base / "out"), "--partial", "--today", today
        )
        email = [*issue, "--email", "--outbox", str(base / "outbox")]
        # the Typst sources cohort typesets, for the floor
        sources = base / "sources"
        subprocess.run(
            [sys.executable, "-c", CAPTURE, str(sources), *issue[3:]],
            env={**env(), "PYTHONPATH": str(ROOT)},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        count = len(list(sources.glob("*.typ")))
        floor = [sys.executable, "-c", FLOOR, str(sources)]
        results: dict[str, list[tuple[float, float]]] = {"typst": [], "issue": [], "email": []}
        for _ in range(args.runs):
            for name, command in (("typst", floor), ("issue", issue), ("email", email)):
                for leftover in ("out", "outbox"):
                    shutil.rmtree(base / leftover, ignore_errors=True)
                results[name].append(measured(command))
        pdfs = list((base / "out").glob("*.pdf"))
        size = sum(p.stat().st_size for p in pdfs) / max(1, len(pdfs)) / 1024
    best = {name: min(values) for name, values in results.items()}
    print(f"\n{count} certificates ({args.participants} participants, {args.meetings} meetings;")
    print(f"  {size:.0f} KB a PDF; best of {args.runs} run(s), each a fresh process)")
    labels = {
        "typst": "Typst alone, the same sources (the floor)",
        "issue": "cohort certificates",
        "email": "cohort certificates --email",
    }
    for name, (seconds, peak) in best.items():
        print(
            f"  {labels[name]:<44} {seconds:7.2f} s  {seconds / count * 1000:6.1f} ms each  "
            f"{seconds / best['typst'][0]:5.2f}x floor   peak {peak:6.0f} MB"
        )


if __name__ == "__main__":
    main()
