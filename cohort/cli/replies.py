"""`cohort replies`: the invitees' answers, from their calendar replies or set by hand."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .app import app, group
from .common import TheMeeting, Today, moment_day, say, warn

if TYPE_CHECKING:
    from ..delivery.reply_import import Imported

replies = group("Who is coming: the invitees' calendar replies (accepted, declined, tentative).")
app.add_typer(replies, name="replies")


class AnswerWord(StrEnum):
    """An answer, as calendars give it."""

    accepted = "accepted"
    declined = "declined"
    tentative = "tentative"


@replies.command("import")
def import_(
    folder: Annotated[Path, typer.Argument(help="The programme's folder.")],
    source: Annotated[
        str,
        typer.Argument(
            help="A folder of .eml files, an mbox file, a Maildir, or imaps://host/MAILBOX "
            "(user and password from COHORT_IMAP_USER and COHORT_IMAP_PASSWORD; read-only)."
        ),
    ],
    day: Today = None,
) -> None:
    """Read the calendar replies (Accept, Decline, Maybe) in a mailbox into the programme's
    replies; nothing in the mailbox changes."""
    from ..delivery.reply_import import import_replies

    done = import_replies(folder, source, moment_day(day))
    _show(done)


@replies.command("set")
def set_(
    folder: Annotated[Path, typer.Argument(help="The programme's folder.")],
    answer: Annotated[AnswerWord, typer.Argument(help="accepted, declined or tentative.")],
    meeting: TheMeeting = ...,  # type: ignore[assignment]
    participant: Annotated[
        str, typer.Option("--participant", help="Who answered (their id).")
    ] = ...,  # type: ignore[assignment]
    comment: Annotated[
        str | None, typer.Option("--comment", help="What they said, for you.")
    ] = None,
    day: Today = None,
) -> None:
    """Record an answer given another way (a phone call, a word in the corridor)."""
    from ..delivery.reply_import import set_reply

    done = set_reply(folder, meeting, participant, answer.value, comment, moment_day(day))
    _show(done)


def _show(done: "Imported") -> None:
    """Print what was done; every line as a terminal can show it safely (what a message says,
    its file's name and its sender are anyone's: their control characters are escaped)."""
    from ..planning.itip import shown

    warn(str(w) for w in done.warnings)
    warn(shown(note) for note in done.notes)
    say(shown(line) for line in done.lines)
