"""Sending the outbox over SMTP: each message exactly once, whatever the server does.

The promise rests on three things. The outbox is locked for the run (`Outbox.lock`), so two
runs never send from it at once. The journal says `sending` just before the message data goes
to the server, and what came of it right after, on disk before the next step. And the message
moves to `sent/` the moment the server accepts it. So each way a transaction can end (see
`smtp.Verdict`) has one meaning:

- delivered: moved to `sent/`. If it cannot be moved, the run stops at once; the journal's
  `delivered` keeps it from being sent again, and the next run moves it.
- uncertain (the connection was lost after the data went out, or the process was killed while
  the server had it): it may have arrived. Reported, never sent again unless
  `--resend-uncertain`.
- deferred (a 4xx for this message, e.g. greylisting): the others go on; it is tried again
  once they were all tried, with backoff, and by the next run.
- refused (a 5xx, or an address this server cannot take): reported; the others go on.
- failed (before the data: no connection, a drop during MAIL or RCPT, 421): certain not to
  have arrived. Retried with backoff; when the server stays away, the run stops, and the next
  run goes on.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import os
import smtplib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.errors import MessageError
from pathlib import Path
from typing import Any

from ..errors import CohortError, UsageError
from ..records.outbox import Holder, Outbox
from .queue import Waiting, plan
from .smtp import Attempt, Client, Server, Verdict, describe, transmit

#: further tries of a message after a failure or a deferral, within one run
RETRIES = 4


def dry_run(
    outbox_path: Path,
    server: Server | None,
    limit: int | None = None,
    resend_uncertain: bool = False,
) -> list[str]:
    """What `send` without --confirm says: each message that would go, what stays, a last
    line. Sends nothing and changes nothing."""
    queue = plan(_existing(outbox_path), limit, resend_uncertain)
    lines = []
    for item in queue.items:
        if item.problem:
            lines.append(f"would refuse {item.name}: {item.problem}")
            continue
        needs = " (needs a server that offers SMTPUTF8)" if item.international else ""
        lines.append(f"would send to {item.recipient}{needs}: {item.subject}")
    lines += [
        f"uncertain: {name}: may have arrived in an earlier run; not sent again "
        "(--resend-uncertain sends it)"
        for name in queue.uncertain
    ]
    lines += [
        f"delivered: {name}: the server accepted it in an earlier run; it is moved into sent/, "
        "not sent again"
        for name in queue.unrecorded
    ]
    held = f", {queue.held_back} held back by --limit" if queue.held_back else ""
    how = (
        f"add --confirm to send them through {server.host}:{server.port}"
        if server is not None
        else "add --server URL --confirm to send them"
    )
    lines.append(
        f"dry run: {len(queue.items)} message(s) would go from {outbox_path}{held}; "
        f"nothing was sent. To send: {how}."
    )
    return lines


def count_waiting(
    outbox_path: Path, limit: int | None = None, resend_uncertain: bool = False
) -> int:
    """How many messages a run will try (for a progress bar), without reading them."""
    if not outbox_path.is_dir():
        return 0
    outbox = Outbox(outbox_path)
    left = outbox.unrecorded() | (set() if resend_uncertain else outbox.uncertain())
    count = len([p for p in outbox.pending() if p.name not in left])
    return min(count, limit) if limit else count


def _backoff() -> float:
    text = os.environ.get("COHORT_SMTP_BACKOFF", "2")
    try:
        return max(0.0, float(text))
    except ValueError:
        raise UsageError(f"COHORT_SMTP_BACKOFF '{text}' is not a number of seconds") from None


def _existing(outbox_path: Path) -> Outbox:
    if not outbox_path.is_dir():
        raise UsageError(f"there is no outbox '{outbox_path}'; write one with 'cohort invite'")
    return Outbox(outbox_path)


@dataclass
class Outcome:
    """What happened to each message of a run (file names in the outbox, and why)."""

    sent: list[str] = field(default_factory=list)
    deferred: list[tuple[str, str]] = field(default_factory=list)
    uncertain: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unrecorded: list[tuple[str, str]] = field(default_factory=list)
    recorded: list[str] = field(default_factory=list)
    held_back: int = 0
    not_tried: int = 0
    stopped: str = ""
    stale_lock: Holder | None = None

    @property
    def ok(self) -> bool:
        """Everything that was to go went (or was held back on purpose): exit code 0."""
        return not (
            self.deferred
            or self.uncertain
            or self.refused
            or self.failed
            or self.unrecorded
            or self.stopped
        )

    def problems(self) -> list[str]:
        """Each message that did not go, and why, for standard error."""
        out = []
        if self.stale_lock is not None:
            out.append(
                f"note: the outbox was still locked by {self.stale_lock}, which ended without "
                "unlocking it (killed?); messages it was sending are listed as uncertain"
            )
        out += [
            f"delivered: {name}: accepted in an earlier run, now recorded in sent/"
            for name in self.recorded
        ]
        out += [
            f"deferred: {name}: {why}; tried again by the next run" for name, why in self.deferred
        ]
        out += [
            f"uncertain: {name}: {why}, so it may have arrived; not sent again "
            "(--resend-uncertain sends it)"
            for name, why in self.uncertain
        ]
        out += [f"refused: {name}: {why}" for name, why in self.refused]
        out += [f"failed: {name}: {why}" for name, why in self.failed]
        out += [
            f"not recorded: {name}: the server accepted it, but {why}; it will not be sent again"
            for name, why in self.unrecorded
        ]
        return out

    def summary(self) -> str:
        """One line: how many messages ended which way."""
        return (
            f"sent {len(self.sent)}, deferred {len(self.deferred)}, "
            f"uncertain {len(self.uncertain)}, refused {len(self.refused)}, "
            f"failed {len(self.failed)}, held back {self.held_back}"
        )

    def stop_reason(self) -> str | None:
        """Why the run stopped before the end, and what next (None when it did not)."""
        if not self.stopped:
            return None
        rest = f"; {self.not_tried} message(s) not tried" if self.not_tried else ""
        return f"stopped: {self.stopped}{rest}; run the same command again to go on"


Progress = Callable[[Waiting], None]


def send(
    outbox_path: Path,
    server: Server,
    *,
    limit: int | None = None,
    rate: float | None = None,
    resend_uncertain: bool = False,
    progress: Progress | None = None,
    backoff: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Outcome:
    """Send what waits in the outbox, each message exactly once; returns what happened.

    `rate` is messages per minute; `backoff` the first wait in seconds before a retry
    (doubling each time; default COHORT_SMTP_BACKOFF, else 2); `sleep` and `clock` (seconds)
    are the waiting, for tests to replace. Raises OutboxBusy when another cohort command holds
    the outbox, CohortError when the server refuses the login or when a delivered message
    cannot be recorded (`sent/` and the journal both unwritable)."""
    outbox = _existing(outbox_path)
    base = _backoff() if backoff is None else backoff
    with outbox.lock("send") as stale:
        outcome = Outcome(stale_lock=stale)
        outcome.recorded = outbox.record_unrecorded()
        queue = plan(outbox, limit, resend_uncertain)
        outcome.held_back = queue.held_back
        outcome.uncertain = [
            (name, "its sending in an earlier run was cut off") for name in queue.uncertain
        ]
        interval = 60.0 / rate if rate else 0.0
        run = _Run(outbox, server, outcome, base, interval, (sleep, clock), progress)
        run.go(queue.items)
    return outcome


class _Run:
    """One run through the queue: one connection reused, retries with backoff, the journal
    written around every transaction."""

    def __init__(
        self,
        outbox: Outbox,
        server: Server,
        outcome: Outcome,
        base: float,
        interval: float,
        timing: tuple[Callable[[float], None], Callable[[], float]],
        progress: Progress | None,
    ) -> None:
        self.outbox = outbox
        self.server = server
        self.outcome = outcome
        self.base = base
        self.interval = interval
        self.sleep, self.clock = timing
        self.progress = progress
        self.client: Client | None = None
        self.last_try: float | None = None

    def go(self, items: list[Waiting]) -> None:
        """Try every message once in order; deferred ones again once all the others were
        tried, each after its own backoff, up to RETRIES more times."""
        fresh = deque(items)
        later: list[tuple[float, int, Waiting]] = []  # (when, order, message)
        order = itertools.count()
        deferrals: dict[str, int] = {}
        answers: dict[str, str] = {}
        try:
            while fresh or later:
                if not fresh:
                    when, _, item = heapq.heappop(later)
                    self._wait_until(when)
                else:
                    item = fresh.popleft()
                attempt = self._try(item)
                if attempt is None:  # the run stopped
                    self.outcome.not_tried = len(fresh)
                    self.outcome.deferred += [(i.name, answers[i.name]) for *_, i in later]
                    return
                if attempt.verdict is Verdict.deferred:
                    answers[item.name] = attempt.detail
                    count = deferrals[item.name] = deferrals.get(item.name, 0) + 1
                    if count <= RETRIES:
                        when = self.clock() + self.base * 2 ** (count - 1)
                        heapq.heappush(later, (when, next(order), item))
                        continue
                    self.outcome.deferred.append(
                        (item.name, f"{attempt.detail} (tried {count} times)")
                    )
                if self.progress is not None:
                    self.progress(item)
        finally:
            self._close()

    def _try(self, item: Waiting) -> Attempt | None:
        """Send one message, retrying while the connection fails; its verdict, or None when
        the run must stop (the outcome says why)."""
        failures = 0
        while True:
            self._pace()
            attempt = self._transaction(item)
            if attempt is None:
                return None
            if attempt.verdict is not Verdict.failed:
                return attempt
            failures += 1
            if failures > RETRIES:
                why = f"{attempt.detail} (tried {failures} times)"
                self.outcome.failed.append((item.name, why))
                self.outcome.stopped = attempt.detail
                return None
            self.sleep(self.base * 2 ** (failures - 1))

    def _transaction(self, item: Waiting) -> Attempt | None:
        """One try, recorded: the journal before the data and after; the file into sent/."""
        if item.problem:
            return self._settle(item, Attempt(Verdict.refused, item.problem))
        try:
            if self.client is None:
                self.client = self.server.connect()
        except (smtplib.SMTPException, OSError) as err:
            return self._settle(item, Attempt(Verdict.failed, describe(err)))
        client = self.client
        try:
            data = item.data(dt.datetime.now(dt.UTC).replace(microsecond=0))
        except (ValueError, LookupError, TypeError, AttributeError, MessageError) as err:
            why = f"it cannot be written out as a message ({type(err).__name__}: {err})"
            return self._settle(item, Attempt(Verdict.refused, why))
        sending = {"file": item.name, "event": "sending", "to": item.recipient}
        try:
            attempt = transmit(
                client,
                item.sender,
                item.recipients,
                data,
                lambda: self._log(**sending),
                self.server.host,
            )
        except OSError as err:  # the journal cannot be written: nothing went out
            self._close()
            self.outcome.stopped = f"cannot write the sending journal ({err.strerror or err})"
            return None
        except BaseException:  # interrupted (Ctrl-C): leave a true record, then stop
            if not client.data_begun:
                self._record(item.name, "failed", reason="interrupted")
            self._close(quit=False)
            raise
        return self._settle(item, attempt)

    def _settle(self, item: Waiting, attempt: Attempt) -> Attempt | None:
        name = item.name
        verdict = attempt.verdict
        if verdict is Verdict.delivered:
            return self._delivered(item, attempt)
        self._record(name, verdict.value, reason=attempt.detail)
        if verdict in (Verdict.uncertain, Verdict.failed):
            self._close()  # the connection is gone or in an unknown state
        else:
            self._reset()
        if verdict is Verdict.uncertain:
            self.outcome.uncertain.append((name, attempt.detail))
        elif verdict is Verdict.refused:
            self.outcome.refused.append((name, attempt.detail))
        return attempt

    def _delivered(self, item: Waiting, attempt: Attempt) -> Attempt | None:
        """The server took it: record it so that nothing sends it again. When it cannot be
        moved into sent/, the journal's `delivered` keeps it from being sent again and the run
        stops; when neither can be written, cohort stops with what to do by hand."""
        logged = self._record(item.name, "delivered", answer=attempt.detail)
        try:
            self.outbox.mark_sent(item.path)
        except OSError as err:
            why = f"it cannot be moved into sent/ ({err.strerror or err})"
            if not logged:
                self._close()
                raise CohortError(
                    f"'{item.path}' was delivered, but cohort can record that neither in "
                    f"'{self.outbox.sent_dir}' nor in its journal ({err.strerror or err}); "
                    "move the file into sent/ yourself before sending again, or it goes twice"
                ) from None
            self.outcome.unrecorded.append((item.name, why))
            self.outcome.stopped = f"{item.name} was delivered, but {why}"
            self._close()
            return None
        self.outcome.sent.append(item.name)
        return attempt

    def _log(self, **entry: Any) -> None:
        self.outbox.log(**entry, at=_stamp())

    def _record(self, file: str, event: str, **details: str) -> bool:
        """Write what came of a try; False when the journal cannot be written (what matters
        most, `sent/`, is then written all the same)."""
        try:
            self._log(file=file, event=event, **details)
        except OSError:
            return False
        return True

    def _pace(self) -> None:
        """At most `rate` transactions a minute."""
        if self.interval and self.last_try is not None:
            self._wait_until(self.last_try + self.interval)
        self.last_try = self.clock()

    def _wait_until(self, when: float) -> None:
        delay = when - self.clock()
        if delay > 0:
            self.sleep(delay)

    def _reset(self) -> None:
        """End a refused transaction (RSET), keeping the connection when it allows."""
        if self.client is None:
            return
        try:
            self.client.rset()
        except (smtplib.SMTPException, OSError):
            self._close()

    def _close(self, quit: bool = True) -> None:
        """Close the connection: politely (QUIT), or at once."""
        client, self.client = self.client, None
        if client is None:
            return
        try:
            if quit:
                client.quit()
        except (smtplib.SMTPException, OSError):
            pass
        client.close()


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
