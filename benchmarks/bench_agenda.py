"""All agendas of the synthetic 200-meeting programme as PDF: Typst against WeasyPrint.

Target (issue 5): cohort's PDFs (Typst) at least 10x faster per document than WeasyPrint
rendering the same agendas' HTML (cohort's own printable agenda pages), measured side by side
in one run, in one process, after both have warmed up.

    python bench_agenda.py [--meetings 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from make_programme import write
from timing import ROOT, compile_bytecode

sys.path.insert(0, str(ROOT))

from cohort.documents.printing import Printer  # noqa: E402
from cohort.records.workspace import load_checked  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument(
        "--weasyprint-sample",
        type=int,
        default=40,
        help="how many agendas WeasyPrint renders (it is slow); per document",
    )
    args = parser.parse_args()
    try:
        import weasyprint
    except ImportError:
        sys.exit("WeasyPrint is not installed: pip install weasyprint (or the 'bench' extra)")
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(Path(tmp) / "synthetic", args.participants, args.meetings)
        checked = load_checked(folder)
        printer = Printer(checked.folder, checked.programme)
        meetings = checked.programme.chronological()
        pages = {m.id: printer.agenda_html(m) for m in meetings}
        # warm both up (fonts, templates)
        printer.agenda_pdf(meetings[0])
        weasyprint.HTML(string=pages[meetings[0].id]).write_pdf()

        start = time.perf_counter()
        typst_sizes = [len(printer.agenda_pdf(m)) for m in meetings]
        typst_total = time.perf_counter() - start

        sample = meetings[: args.weasyprint_sample]
        weasy_times = []
        for m in sample:
            start = time.perf_counter()
            weasyprint.HTML(string=pages[m.id]).write_pdf()
            weasy_times.append(time.perf_counter() - start)
    typst_each = typst_total / len(meetings)
    weasy_each = statistics.mean(weasy_times)
    print(f"\nagendas as PDF ({len(meetings)} meetings)")
    print(
        f"  cohort (Typst), all {len(meetings)}:          {typst_total:7.2f} s   "
        f"{typst_each * 1000:7.1f} ms/document  ({statistics.mean(typst_sizes) / 1024:.0f} KB)"
    )
    print(
        f"  WeasyPrint, same HTML, {len(sample)} of them:   {sum(weasy_times):7.2f} s   "
        f"{weasy_each * 1000:7.1f} ms/document"
    )
    print(f"\nWeasyPrint / Typst per document = {weasy_each / typst_each:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
