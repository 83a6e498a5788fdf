"""Sending the outbox over SMTP: each message exactly once, whatever the server does.

The promise rests on four things. `send` sends only from an outbox cohort wrote (its marker),
locked for the run (`Outbox.lock`, a lock on the folder itself), so two runs never send from it
at once. The journal says `sending` just before the message data goes to the server, and what
came of it right after, on disk before the next step. The message moves to `sent/` the moment
the server accepts it. And what was delivered is also recorded in the programme folder
(`records.deliveries`), so no other outbox of the programme sends it again. Each way a
transaction can end (see `smtp.Verdict`) has one meaning:

- delivered: moved to `sent/`. If it cannot be moved, the run stops at once; the journal's
  `delivered` keeps it from being sent again, and the next run moves it.
- uncertain (the connection was lost after the data went out, or the process was killed while
  the server had it): it may have arrived. Reported, never sent again unless
  `--resend-uncertain`, or until the facilitator settles it (`settle`). When the server drops
  the connection after the data several times in a row, the run stops before everything
  becomes uncertain.
- deferred (a 4xx for this message, e.g. greylisting; a 421 closes the connection too): the
  others go on; it is tried again once they were all tried, with backoff, and by the next run.
  A server that answers 421 to message after message stops the run.
- refused (a 5xx, an address this server cannot take, or a file that is no message): reported;
  the others go on.
- failed (before the data: no connection, a drop during MAIL or RCPT): certain not to have
  arrived. Retried with backoff; when the server stays away, the run stops, and the next run
  goes on. A server that cannot be used as given (its certificate, the login) stops the run at
  once: trying again would not help, and a login tried again can lock the account.

A message about a meeting that is already over is held back, never sent.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import os
import signal
import smtplib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from email.errors import MessageError
from pathlib import Path

from ..errors import CohortError, UsageError
from ..output import Listing
from ..records.outbox import Outbox
from .history import ProgrammeRecord, elsewhere_reason, over_reason
from .outcome import Outcome
from .queue import REFUSED_BEFORE, Waiting, existing, moment, plan, read
from .smtp import Attempt, Client, Server, Unusable, Verdict, describe, transmit

#: further tries of a message after a failure or a deferral, within one run
RETRIES = 4
#: answers 421 (the server closes the connection) in a row before the run stops
CLOSINGS = 5
#: connections lost after the data in a row before the run stops (each leaves one uncertain)
DROPS = 3


def _seconds(variable: str, default: str) -> float:
    text = os.environ.get(variable, default)
    try:
        return max(0.0, float(text))
    except ValueError:
        raise UsageError(f"{variable} '{text}' is not a number of seconds") from None


class Terminated(KeyboardInterrupt):
    """SIGTERM (a `kill`, a shutdown, a CI job cancelled) during a run: it stops the way Ctrl-C
    does, with what was sent recorded and the summary said."""


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises `Terminated` (only the main thread can catch
    signals; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signal: int, _frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


Progress = Callable[[Waiting], None]


def send(
    outbox_path: Path,
    server: Server,
    *,
    limit: int | None = None,
    rate: float | None = None,
    resend_uncertain: bool = False,
    retry_refused: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
    backoff: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Outcome:
    """Send what waits in the outbox, each message exactly once; returns what happened (also
    when interrupted: `Outcome.interrupted`).

    A message a server refused for good in an earlier run is not tried again unless
    `retry_refused`, as a mail server does not retry a 5xx (RFC 5321 4.2.1, 6.1); it still
    counts as refused.

    `rate` is messages per minute; `backoff` the first wait in seconds before a retry
    (doubling each time; default COHORT_SMTP_BACKOFF, else 2); `notice(line)` says, from
    another thread, that the server has held a message's data without an answer for
    COHORT_SMTP_NOTICE seconds (default 20); `sleep` and `clock` (seconds)
    are the waiting, for tests to replace; `today` as --today (which meetings are over).
    Raises OutboxBusy when another cohort command holds the outbox (or sends messages of the
    same programme), CohortError when a delivered message cannot be recorded (`sent/` and the
    journal both unwritable)."""
    outbox = existing(outbox_path)
    base = _seconds("COHORT_SMTP_BACKOFF", "2") if backoff is None else backoff
    with outbox.lock("send") as stale:
        programme = ProgrammeRecord.of(outbox)
        with programme.locked():
            programme.read()  # a damaged record stops the run before anything goes
            outcome = Outcome(stale_lock=stale)
            for name in outbox.record_unrecorded():
                outcome.recorded.append(name)
                programme.record_file(outbox, name, "delivered")
            queue = plan(outbox, resend_uncertain, retry_refused)
            outcome.refused += [
                (name, REFUSED_BEFORE.format(answer=answer)) for name, answer in queue.refused
            ]
            for name in queue.uncertain:
                outcome.uncertain.append((name, "its sending in an earlier run was cut off"))
                programme.record_file(outbox, name, "uncertain")
            outcome.refused += [(path.name, why) for path, why in queue.strays]
            interval = 60.0 / rate if rate else 0.0
            run = _Run(outbox, server, outcome, programme, (base, interval), (sleep, clock))
            run.progress = progress
            if notice is not None:
                run.notice = (_seconds("COHORT_SMTP_NOTICE", "20"), notice)
            run.resend_uncertain = resend_uncertain
            run.written = queue.written
            run.go(queue.paths, limit, moment(today))
            programme.sync()
            if programme.note:
                outcome.notes.append(programme.note)
    return outcome


class _Run:
    """One run through the queue: messages read one at a time, one connection reused, retries
    with backoff, the journal written around every transaction."""

    def __init__(
        self,
        outbox: Outbox,
        server: Server,
        outcome: Outcome,
        programme: ProgrammeRecord,
        pace: tuple[float, float],
        timing: tuple[Callable[[float], None], Callable[[], float]],
    ) -> None:
        self.outbox = outbox
        self.server = server
        self.outcome = outcome
        self.programme = programme
        self.base, self.interval = pace
        self.sleep, self.clock = timing
        self.progress: Progress | None = None
        self.resend_uncertain = False
        self.written: Listing | None = None  # what cohort wrote (`queue.read`)
        self.client: Client | None = None
        self.last_try: float | None = None
        self.closings = 0  # 421s in a row
        self.drops = 0  # connections lost after the data, in a row
        self.answers: dict[str, str] = {}  # the last answer to each message deferred
        #: the message in hand and whether it was deferred before: not yet in the outcome
        self.current: tuple[Waiting, bool] | None = None
        self.notice: tuple[float, Callable[[str], None]] | None = None  # (seconds, say)

    def go(self, paths: list[Path], limit: int | None, now: dt.datetime) -> None:
        """Try every message once in order, reading each when its turn comes; deferred ones
        again once all the others were tried, each after its own backoff, up to RETRIES more
        times. `limit` caps the messages tried; `now` tells which meetings are over."""
        fresh = deque(paths)
        later: list[tuple[float, int, Waiting]] = []  # (when, order, message)
        order = itertools.count()
        deferrals: dict[str, int] = {}
        tried = 0
        try:
            with _terminate_as_interrupt():
                while fresh or later:
                    if fresh and limit is not None and tried >= limit:
                        self.outcome.held_back = len(fresh)
                        fresh.clear()
                        continue
                    if not fresh:
                        when, _, item = heapq.heappop(later)
                        self.current = (item, True)
                        self._wait_until(when)
                    else:
                        item = read(fresh.popleft(), self.written)
                        self.current = (item, False)
                        if self._screen(item, now):
                            self.current = None
                            self._advance(item)
                            continue
                        tried += 1
                    attempt = self._try(item)
                    self.current = None
                    if attempt is None:  # the run stopped
                        self._stopped(len(fresh), [i for *_, i in later])
                        return
                    if attempt.verdict is Verdict.deferred:
                        self.answers[item.name] = attempt.detail
                        count = deferrals[item.name] = deferrals.get(item.name, 0) + 1
                        if count <= RETRIES:
                            when = self.clock() + self.base * 2 ** (count - 1)
                            heapq.heappush(later, (when, next(order), item))
                            continue
                        self.outcome.deferred.append(
                            (item.name, f"{attempt.detail} (tried {count} times)")
                        )
                    self._advance(item)
        except KeyboardInterrupt as err:
            terminated = isinstance(err, Terminated)
            self.outcome.interrupted = signal.SIGTERM if terminated else signal.SIGINT
            self.outcome.stopped = "terminated (SIGTERM)" if terminated else "interrupted (Ctrl-C)"
            self._stopped(len(fresh), [i for *_, i in later], self.current)
        finally:
            self._close()

    def _stopped(
        self, not_tried: int, waiting: list[Waiting], held: tuple[Waiting, bool] | None = None
    ) -> None:
        """Count what a stopped run leaves: `not_tried` messages never tried, `waiting` ones
        deferred, and `held`, the message in hand when it stopped (waiting for its turn or
        interrupted before its data went out), as the one or the other."""
        if held is not None:
            item, deferred_before = held
            if deferred_before:
                waiting = [item, *waiting]
            else:
                not_tried += 1
        self.outcome.not_tried = not_tried
        done = {name for name, _ in self.outcome.deferred}
        self.outcome.deferred += [
            (i.name, self.answers.get(i.name, "deferred")) for i in waiting if i.name not in done
        ]

    def _advance(self, item: Waiting) -> None:
        if self.progress is not None:
            self.progress(item)

    def _screen(self, item: Waiting, now: dt.datetime) -> bool:
        """Settle a message without the server when it needs none: it is no message cohort
        can send, its meeting is over, or another outbox of the programme delivered it.
        Returns whether it was settled so."""
        if item.problem:
            self._record(item, "refused", reason=item.problem)
            self.outcome.refused.append((item.name, item.problem))
            return True
        if item.over(now):
            self.outcome.over.append((item.name, over_reason(item)))
            return True
        event = self.programme.event(item)
        if event == "delivered":
            why = elsewhere_reason(event)
            self._record(item, "delivered", reason=why)
            # the journal says delivered: if it cannot be moved, it is never sent again all the same
            with suppress(OSError):
                self.outbox.mark_sent(item.path)
            self.outcome.elsewhere.append((item.name, why + "; moved into sent/"))
            return True
        return event == "uncertain" and self._uncertainelsewhere_reason(item)

    def _uncertainelsewhere_reason(self, item: Waiting) -> bool:
        if self.resend_uncertain:
            return False
        why = elsewhere_reason("uncertain")
        self._record(item, "uncertain", reason=why)
        self.outcome.uncertain.append((item.name, why))
        return True

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
                return self._in_a_row(item, attempt)
            if attempt.stop:
                self.outcome.failed.append((item.name, attempt.detail))
                self.outcome.stopped = attempt.detail
                self.outcome.final = True
                return None
            failures += 1
            if failures > RETRIES:
                why = f"{attempt.detail} (tried {failures} times)"
                self.outcome.failed.append((item.name, why))
                self.outcome.stopped = attempt.detail
                return None
            self.sleep(self.base * 2 ** (failures - 1))

    def _in_a_row(self, item: Waiting, attempt: Attempt) -> Attempt | None:
        """Count the faults that repeat from message to message, and stop the run when the
        server keeps closing (421) or dropping the connection after the data."""
        if attempt.verdict is Verdict.delivered:
            self.closings = self.drops = 0
            return attempt
        if attempt.closing:
            self.closings += 1
            if self.closings >= CLOSINGS:
                self.outcome.deferred.append((item.name, attempt.detail))
                self.outcome.stopped = (
                    f"the server closed the connection {self.closings} times in a row "
                    f"({attempt.detail})"
                )
                return None
        if attempt.verdict is Verdict.uncertain:
            self.drops += 1
            if self.drops >= DROPS:
                self.outcome.stopped = (
                    f"the connection was lost after the data {self.drops} times in a row; "
                    "stopped before more messages become uncertain"
                )
                return None
        return attempt

    def _transaction(self, item: Waiting) -> Attempt | None:
        """One try, recorded: the journal before the data and after; the file into sent/."""
        try:
            if self.client is None:
                self.client = self.server.connect()
        except Unusable as err:
            self.outcome.stopped = err.message
            self.outcome.final = True
            return None
        except (smtplib.SMTPException, OSError) as err:
            return self._settle(item, Attempt(Verdict.failed, describe(err)))
        client = self.client
        try:
            data = item.data(dt.datetime.now(dt.UTC).replace(microsecond=0))
        except (ValueError, LookupError, TypeError, AttributeError, MessageError) as err:
            why = f"it cannot be written out as a message ({type(err).__name__}: {err})"
            return self._settle(item, Attempt(Verdict.refused, why))
        sending = {"file": item.name, "event": "sending", "to": item.recipient, "id": _id(item)}
        try:
            attempt = transmit(
                client,
                item.sender,
                item.recipients,
                data,
                lambda: self.outbox.log(**sending),
                self.server.host,
                self._waiting(item),
            )
        except OSError as err:  # the journal cannot be written: nothing went out
            self._close()
            self.outcome.stopped = f"cannot write the sending journal ({err.strerror or err})"
            return None
        except BaseException:  # interrupted (Ctrl-C): leave a true record, then stop
            if client.data_begun:
                self.outcome.uncertain.append(
                    (item.name, "the run was interrupted while the server had it")
                )
                self.programme.record(item, "uncertain")
                self.current = None  # counted: uncertain
            else:
                self._record(item, "failed", reason="interrupted")  # `current`: not sent
            self._close(quit=False)
            raise
        return self._settle(item, attempt)

    def _waiting(self, item: Waiting) -> tuple[float, Callable[[], None]] | None:
        """What to say when the server holds `item`'s data without an answer."""
        if self.notice is None:
            return None
        seconds, say = self.notice
        line = (
            f"waiting: {item.name}: the server has not yet said whether it takes the message "
            f"({seconds:g} s); it may take up to 10 minutes. Ctrl-C stops safely: the message "
            "is then counted as uncertain, never sent twice"
        )
        return seconds, lambda: say(line)

    def _settle(self, item: Waiting, attempt: Attempt) -> Attempt | None:
        verdict = attempt.verdict
        if verdict is Verdict.delivered:
            return self._delivered(item, attempt)
        self._record(item, verdict.value, reason=attempt.detail)
        if verdict in (Verdict.uncertain, Verdict.failed) or attempt.closing:
            self._close(quit=not attempt.closing)  # the connection is gone or closing
        else:
            self._reset()
        if verdict is Verdict.uncertain:
            self.outcome.uncertain.append((item.name, attempt.detail))
            self.programme.record(item, "uncertain")
        elif verdict is Verdict.refused:
            self.outcome.refused.append((item.name, attempt.detail))
        return attempt

    def _delivered(self, item: Waiting, attempt: Attempt) -> Attempt | None:
        """The server took it: record it so that nothing sends it again. When it cannot be
        moved into sent/, the journal's `delivered` keeps it from being sent again and the run
        stops; when neither can be written, cohort stops with what to do by hand."""
        logged = self._record(item, "delivered", answer=attempt.detail)
        self.programme.record(item, "delivered")
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

    def _record(self, item: Waiting, event: str, **details: str) -> bool:
        """Write what came of a try; False when the journal cannot be written (what matters
        most, `sent/`, is then written all the same)."""
        try:
            self.outbox.log(file=item.name, event=event, id=_id(item), **details)
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


def _id(item: Waiting) -> str:
    return item.identity.id if item.identity is not None else ""
