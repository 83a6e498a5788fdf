"""2,000 certificates: `cohort certificates` from the command line, in seconds and peak memory,
side by side with Typst alone typesetting the same 2,000 documents (the floor: what cohort adds
on top of the typesetter is the difference), and with `--email` (a message per certificate,
the PDF attached, into the outbox).

The synthetic programme (make_programme.py) has the attendance of the first half of its
meetings recorded; its certificates block allows certificates of participation, and `--partial`
gives one to everyone the rule binds who came to any of them (nearly every participant). A last
run signs them with a phone photo (a 12-megapixel JPEG of some MB), which cohort embeds scaled
down: the size of a PDF with it is printed beside the size without.

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
def keep(source, name, day, *rest):
    global count
    count += 1
    (out / f"{count:05d}.typ").write_text(source)
    return b""
typeset.pdf = keep
from cohort.cli import app
app(sys.argv[2:])
"""


def programme(folder: Path, participants: int, meetings: int, photo: bool = False) -> Path:
    """The synthetic programme, the first half of its meetings with their attendance recorded
    (about four in five came), allowing certificates of participation; with `photo`, signed
    with a phone photo."""
    files = build(participants, meetings, attendance=True)
    block = "certificates:\n  partial: true\n  place: Gent\n"
    if photo:
        block += "  signature: handtekening.jpg\n"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "handtekening.jpg").write_bytes(phone_photo())
    files["programme.yaml"] = files["programme.yaml"].replace("include:", block + "include:", 1)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def phone_photo() -> bytes:
    """A JPEG of 4000 x 3000 pixels with the grain of a photo (some MB)."""
    import io

    from PIL import Image

    grain = Image.effect_noise((4000, 3000), 25).convert("RGB")
    light = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    buffer = io.BytesIO()
    Image.blend(grain, light, 0.6).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


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
        size = _kb_per_pdf(base / "out")
        signed = programme(base / "signed", args.participants, args.meetings, photo=True)
        photo_kb = (signed / "handtekening.jpg").stat().st_size / 1024
        command = cohort_command(
            "certificates", str(signed), "-o", str(base / "photo"), "--partial", "--today", today
        )
        results["photo"] = [measured(command)]
        photo_size = _kb_per_pdf(base / "photo")
    best = {name: min(values) for name, values in results.items()}
    print(f"\n{count} certificates ({args.participants} participants, {args.meetings} meetings;")
    print(f"  {size:.0f} KB a PDF; best of {args.runs} run(s), each a fresh process)")
    print(f"  signed with a {photo_kb:.0f} KB phone photo: {photo_size:.0f} KB a PDF")
    labels = {
        "typst": "Typst alone, the same sources (the floor)",
        "issue": "cohort certificates",
        "email": "cohort certificates --email",
        "photo": "cohort certificates, a photo as signature",
    }
    for name, (seconds, peak) in best.items():
        print(
            f"  {labels[name]:<44} {seconds:7.2f} s  {seconds / count * 1000:6.1f} ms each  "
            f"{seconds / best['typst'][0]:5.2f}x floor   peak {peak:6.0f} MB"
        )


def _kb_per_pdf(folder: Path) -> float:
    pdfs = list(folder.glob("*.pdf"))
    return sum(p.stat().st_size for p in pdfs) / max(1, len(pdfs)) / 1024


if __name__ == "__main__":
    main()
