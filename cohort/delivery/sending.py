"""`cohort send` as one function: which of its actions the options ask for, and what it says.

- `--settle FILE... --as delivered|not-delivered`: record what the facilitator found out about
  uncertain messages (`settle.settle`);
- `--repair`: repair a damaged journal (`settle.repair`);
- without `--confirm` (or without a server): a dry run (`preview.dry_run`);
- `--confirm --server URL`: send (`send.send`), with a progress bar, its outcome said as
  `Outcome.said` (and its exit code: 128 + the signal's number when one stopped it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from ..errors import UsageError
from ..said import Said
from . import preview, settle
from .send import send
from .smtp import Server

#: a progress bar: given the total, a context that yields `advance()`, one step each call
Bar = Callable[[int], AbstractContextManager[Callable[[], None]]]


def run(
    outbox: Path,
    server: str | None,
    *,
    confirm: bool = False,
    limit: int | None = None,
    rate: float | None = None,
    resend_uncertain: bool = False,
    retry_refused: bool = False,
    settled: Sequence[str] = (),
    delivered: bool | None = None,
    repair: bool = False,
    today: dt.date | None = None,
    progress: Bar | None = None,
    notice: Callable[[str], None] | None = None,
) -> Said:
    """Do what the options of `cohort send` ask (see the module's docstring): `server` is the
    URL of --server, `settled` the files of --settle, `delivered` is --as (None when it is not
    given); `progress` draws the run's bar, `notice(line)` says a server's long silence (see
    `send.send`).

    Raises UsageError for options that do not go together (--repair with --settle, --settle
    without --as, --confirm without a server) and for a server URL cohort cannot use, and what
    the action raises."""
    if repair or settled or delivered is not None:
        if settled and delivered is not None and not repair:
            return Said().out(settle.settle(outbox, list(settled), delivered))
        if repair and not settled and delivered is None:
            return Said().out(settle.repair(outbox))
        raise UsageError(
            "--repair goes alone, and --settle FILE needs --as delivered or --as not-delivered"
        )
    target = Server.parse(server) if server is not None else None
    if not confirm or target is None:
        if confirm:
            raise UsageError("--confirm needs --server URL: the server to send through")
        return Said().out(
            preview.dry_run(outbox, target, limit, resend_uncertain, today, retry_refused)
        )
    waiting = preview.count_waiting(outbox, limit, resend_uncertain, retry_refused)
    bar = progress(waiting) if progress else nullcontext(lambda: None)
    with bar as advance:
        outcome = send(
            outbox,
            target,
            limit=limit,
            rate=rate,
            resend_uncertain=resend_uncertain,
            retry_refused=retry_refused,
            today=today,
            progress=lambda _item: advance(),
            notice=notice,
        )
    return outcome.said()
