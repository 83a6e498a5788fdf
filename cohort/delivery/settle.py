"""Settling what a run could not: an uncertain message whose fate the facilitator found out
(`settle`: it arrived, or it did not), and a journal damaged by an edit or a crash (`repair`).
Both write the outbox's journal and the programme's record of what was delivered alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .history import ProgrammeRecord
from .queue import existing


def settle(outbox_path: Path, files: list[str], delivered: bool) -> list[str]:
    """Record what the facilitator found out about uncertain messages (see `Outbox.settle`),
    in the outbox and in the programme's record; returns lines for people."""
    outbox = existing(outbox_path)
    with outbox.lock("send --settle"):
        programme = ProgrammeRecord.of(outbox)
        with programme.locked():
            done = outbox.settle([Path(f).name for f in files], delivered)
            for name, found in done:
                event = "delivered" if delivered else "not-delivered"
                programme.write(name, event, found, durable=True)
    what = (
        "delivered: moved into sent/, never sent again"
        if delivered
        else "not delivered: the next 'cohort send --confirm' sends it"
    )
    lines = [f"settled {name} as {what}" for name, _ in done]
    return lines + ([programme.note] if programme.note else [])


def repair(outbox_path: Path) -> list[str]:
    """Repair a damaged journal of the outbox (and the programme's record of what was
    delivered, when that is damaged): a copy is kept, the lines that cannot be read are
    dropped, and every message they spoke of counts as may-have-arrived. Returns lines for
    people."""
    outbox = existing(outbox_path)
    with outbox.lock("send --repair"):
        lines = _repaired(outbox.journal.path, outbox.repair())
        programme = ProgrammeRecord.of(outbox)
        if programme.history is not None:
            with programme.locked():
                lines += _repaired(programme.history.path, programme.history.repair())
    return lines


def _repaired(path: Path, repaired: Any) -> list[str]:
    if repaired.copy is None:
        return [f"{path}: whole; nothing to repair"]
    lines = [f"{path}: repaired; the damaged file is kept as {repaired.copy}"]
    lines += [f"  dropped line {number}: {text[:120]!r}" for number, text in repaired.dropped]
    if repaired.messages:
        lines.append(
            "  these messages may have arrived (a dropped line spoke of them), so they count as "
            "uncertain: " + ", ".join(sorted(repaired.messages))
        )
    return lines
