"""What `cohort send` without --confirm says: each message that would go, what would stay and
why, and a last line that counts them. It reads the messages one at a time, as a run does, and
changes nothing; while a real run has the outbox, it says so, and calls the message in flight
"sending now" rather than uncertain.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..records.outbox import Outbox
from .history import ProgrammeRecord, elsewhere_reason, over_reason
from .queue import REFUSED_BEFORE, Waiting, existing, moment, plan, read
from .smtp import Server


def dry_run(
    outbox_path: Path,
    server: Server | None,
    limit: int | None = None,
    resend_uncertain: bool = False,
    today: dt.date | None = None,
    retry_refused: bool = False,
) -> list[str]:
    """What `send` without --confirm says: each message that would go, what stays, a last
    line. Sends nothing and changes nothing."""
    outbox = existing(outbox_path)
    busy, holder = outbox.busy()
    states = outbox.states()
    queue = plan(outbox, resend_uncertain, retry_refused)
    programme = ProgrammeRecord.of(outbox)
    programme.read()
    when = moment(today)
    lines = [programme.note] if programme.note else []
    if busy:
        lines.append(
            f"note: the outbox is in use by {holder or 'another cohort command'} right now; "
            "this shows it as it is at this moment"
        )
    counts = {"go": 0, "refuse": 0, "over": 0, "elsewhere": 0, "held": 0}
    for path in queue.paths:
        if limit is not None and counts["go"] >= limit:
            counts["held"] += 1
            continue
        item = read(path, queue.written)
        kind, line = _preview(item, programme, when)
        counts[kind] += 1
        lines.append(line)
    lines += [f"would refuse {path.name}: {why}" for path, why in queue.strays]
    lines += [
        f"refused: {name}: " + REFUSED_BEFORE.format(answer=answer)
        for name, answer in queue.refused
    ]
    counts["refuse"] += len(queue.strays) + len(queue.refused)
    for name in queue.uncertain:
        if busy and states.get(name) == "sending":
            lines.append(f"sending now: {name}: the send that has the outbox is sending it")
        else:
            lines.append(
                f"uncertain: {name}: may have arrived in an earlier run; not sent again "
                f"(--settle {name} --as delivered|not-delivered, or --resend-uncertain)"
            )
    lines += [
        f"delivered: {name}: the server accepted it in an earlier run; it is moved into sent/, "
        "not sent again"
        for name in queue.unrecorded
    ]
    lines.append(_dry_summary(outbox_path, server, counts, len(queue.uncertain)))
    return lines


def _preview(item: Waiting, programme: ProgrammeRecord, when: dt.datetime) -> tuple[str, str]:
    """What a run would do with one message: its kind of ending and a line for people."""
    if item.problem:
        return "refuse", f"would refuse {item.name}: {item.problem}"
    if item.over(when):
        return "over", f"would hold back {item.name}: {over_reason(item)}"
    if programme.event(item) in ("delivered", "uncertain"):
        return "elsewhere", f"would not send {item.name}: {elsewhere_reason(programme.event(item))}"
    needs = " (needs a server that offers SMTPUTF8)" if item.international else ""
    return "go", f"would send to {item.recipient}{needs}: {item.subject}"


def _dry_summary(path: Path, server: Server | None, counts: dict[str, int], unsure: int) -> str:
    parts = [
        f"{n} {what}"
        for n, what in (
            (counts["refuse"], "would be refused"),
            (counts["over"], "held back (meeting over)"),
            (counts["held"], "held back by --limit"),
            (counts["elsewhere"], "sent from another outbox"),
            (unsure, "uncertain"),
        )
        if n
    ]
    how = (
        f"add --confirm to send them through {server.where}"
        if server is not None
        else "add --server URL --confirm to send them"
    )
    rest = f" ({', '.join(parts)})" if parts else ""
    return (
        f"dry run: {counts['go']} message(s) would go from {path}{rest}; nothing was sent. "
        f"To send: {how}."
    )


def count_waiting(
    outbox_path: Path,
    limit: int | None = None,
    resend_uncertain: bool = False,
    retry_refused: bool = False,
) -> int:
    """How many messages a run will try (for a progress bar), without reading them."""
    if not outbox_path.is_dir():
        return 0
    count = len(plan(Outbox(outbox_path), resend_uncertain, retry_refused).paths)
    return min(count, limit) if limit else count
