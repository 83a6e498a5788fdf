"""What exactly-once costs: `cohort send` side by side with a bare smtplib loop, in one run.

Both send the same outbox through one local aiosmtpd server. The bare loop only reads each
file and hands it to `smtplib.SMTP.send_message`; cohort also locks the outbox, writes the
journal to disk (fsync) before and after the data of every message, and moves each file into
sent/. The ratio is the price of never sending a message twice.

    python bench_send.py [--participants 300] [--meetings 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
from pathlib import Path

from make_programme import write
from timing import cohort_command, compile_bytecode, race

BARE = """\
import smtplib, sys
from email import message_from_bytes, policy
from pathlib import Path
client = smtplib.SMTP("127.0.0.1", int(sys.argv[2]))
for path in sorted(Path(sys.argv[1]).glob("*.eml")):
    client.send_message(message_from_bytes(path.read_bytes(), policy=policy.SMTP))
client.quit()
"""


class Sink:
    """An aiosmtpd handler that takes every message and keeps nothing."""

    async def handle_DATA(self, *_: object) -> str:  # noqa: N802
        return "250 OK"


def main() -> None:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--meetings", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder = write(base / "synthetic", args.participants, args.meetings)
        outbox = base / "outbox"
        race(
            {
                "invite": cohort_command(
                    "invite", str(folder), "-o", str(outbox), "--today", "2030-01-01"
                )
            },
            runs=1,
            warmup=0,
        )
        messages = len(list(outbox.glob("*.eml")))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        controller = Controller(Sink(), hostname="127.0.0.1", port=port)
        controller.start()
        copy = base / "copy"

        def fresh() -> str:
            return f"rm -rf '{copy}' && cp -r '{outbox}' '{copy}' && "

        try:
            medians = race(
                {
                    "smtplib loop (no journal, no lock)": [
                        "sh",
                        "-c",
                        fresh() + f"'{sys.executable}' -c '{BARE}' '{copy}' {port}",
                    ],
                    "cohort send (exactly once)": [
                        "sh",
                        "-c",
                        fresh()
                        + " ".join(
                            f"'{a}'"
                            for a in cohort_command(
                                "send",
                                str(copy),
                                "--server",
                                f"smtp://127.0.0.1:{port}",
                                "--confirm",
                            )
                        ),
                    ],
                },
                runs=args.runs,
            )
        finally:
            controller.stop()
            shutil.rmtree(copy, ignore_errors=True)
    size = f"{args.participants} participants, {args.meetings} meetings"
    print(f"\nsending: {messages} messages ({size})")
    per = {name: seconds / messages * 1000 for name, seconds in medians.items()}
    for name, seconds in medians.items():
        print(f"  {name:<40} {seconds:7.2f} s   {per[name]:6.2f} ms/message")
    bare, ours = per.values()
    print(f"\ncohort send / smtplib loop per message = {ours / bare:.2f}")


if __name__ == "__main__":
    main()
