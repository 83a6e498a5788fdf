"""What a run of `cohort send` did, in the words the facilitator reads: each message that did
not simply go, and why (standard error), and one last line that counts every way a message
can end (standard output).

    sent 33 (1 not moved into sent/), deferred 1, uncertain 0, refused 1, failed 0, held back 2

- sent: the server accepted it in this run (the note counts those it could not move into
  `sent/`: they are never sent again all the same);
- deferred: a temporary refusal (4xx); tried again by the next run;
- uncertain: it may have arrived; never sent again unless the facilitator says so;
- refused: a permanent refusal (5xx), or a file that is no message cohort can send;
- failed: it never reached the server (which could not be reached, or stopped the run);
- held back: left for later on purpose (`--limit`), or about a meeting already over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..records.locking import Holder
from ..said import Said


@dataclass
class Outcome:
    """What happened to each message of a run (file names in the outbox, and why)."""

    sent: list[str] = field(default_factory=list)
    unrecorded: list[tuple[str, str]] = field(default_factory=list)
    deferred: list[tuple[str, str]] = field(default_factory=list)
    uncertain: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: about a meeting already over: held back, never sent
    over: list[tuple[str, str]] = field(default_factory=list)
    #: delivered in an earlier run, moved into sent/ now
    recorded: list[str] = field(default_factory=list)
    #: delivered (or may have been) from another outbox of the programme: not sent again
    elsewhere: list[tuple[str, str]] = field(default_factory=list)
    held_back: int = 0
    not_tried: int = 0
    stopped: str = ""
    #: the stop needs the facilitator (a certificate, a login): running again will not help
    final: bool = False
    #: stopped by Ctrl-C (SIGINT) or SIGTERM: the exit code is 128 + the signal's number
    interrupted: int = 0
    stale_lock: Holder | None = None
    notes: list[str] = field(default_factory=list)

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

    @property
    def exit_code(self) -> int:
        """128 + the signal's number when one stopped the run (as a shell says it: 130 for
        Ctrl-C, 143 for SIGTERM), else 0 when `ok`, else 1."""
        if self.interrupted:
            return 128 + self.interrupted
        return 0 if self.ok else 1

    def said(self) -> Said:
        """The run as it is said: the problems (standard error), the summary (standard output),
        why it stopped (standard error), and the exit code."""
        said = Said(exit_code=self.exit_code).err(self.problems()).out(self.summary())
        if (reason := self.stop_reason()) is not None:
            said.err(reason)
        return said

    def problems(self) -> list[str]:
        """Each message that did not simply go, and why, for standard error."""
        out = list(self.notes)
        if self.stale_lock is not None:
            out.append(
                f"note: the outbox was still locked by {self.stale_lock}, which ended without "
                "unlocking it (killed?); messages it was sending are listed as uncertain"
            )
        out += [
            f"delivered: {name}: accepted in an earlier run, now recorded in sent/"
            for name in self.recorded
        ]
        out += [f"not sent: {name}: {why}" for name, why in self.elsewhere]
        out += [f"held back: {name}: {why}" for name, why in self.over]
        out += [
            f"deferred: {name}: {why}; tried again by the next run" for name, why in self.deferred
        ]
        out += [
            f"uncertain: {name}: {why}, so it may have arrived; not sent again (ask the "
            f"recipient, then --settle {name} --as delivered|not-delivered, or "
            "--resend-uncertain sends it)"
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
        sent = len(self.sent) + len(self.unrecorded)
        note = f" ({len(self.unrecorded)} not moved into sent/)" if self.unrecorded else ""
        return (
            f"sent {sent}{note}, deferred {len(self.deferred)}, "
            f"uncertain {len(self.uncertain)}, refused {len(self.refused)}, "
            f"failed {len(self.failed)}, held back {self.held_back + len(self.over)}"
        )

    def stop_reason(self) -> str | None:
        """Why the run stopped before the end, and what next (None when it did not)."""
        if not self.stopped:
            return None
        rest = f"; {self.not_tried} message(s) not tried" if self.not_tried else ""
        if self.final:
            return f"stopped: {self.stopped}{rest}"
        return f"stopped: {self.stopped}{rest}; run the same command again to go on"
