"""Commands for e-mail: invite (write the outbox) and send (deliver it over SMTP)."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .app import app
from .common import Folder, Force, Meeting, Today, bar, checked, moment_day, say, tell, today, warn


class Fate(StrEnum):
    """What became of an uncertain message (`send --settle FILE --as ...`)."""

    delivered = "delivered"
    not_delivered = "not-delivered"


@app.command()
def invite(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The outbox folder (kept between runs).")
    ] = Path("outbox"),
    meeting: Meeting = None,
    reminder: Annotated[
        bool, typer.Option("--reminder", help="Also remind invitees of meetings coming up.")
    ] = False,
    days: Annotated[
        int, typer.Option("--days", min=0, help="With --reminder: meetings within this many days.")
    ] = 7,
    unanswered: Annotated[
        bool,
        typer.Option(
            "--unanswered",
            help="With --reminder: remind only invitees who have not answered (see 'cohort "
            "replies').",
        ),
    ] = False,
    force: Force = False,
    new_address: Annotated[
        list[str] | None,
        typer.Option(
            "--new-address",
            metavar="ID",
            help="A participant whose e-mail address changed: send the current state of "
            "every meeting they are invited to to their address now. Repeat for more.",
        ),
    ] = None,
    list_restarted: Annotated[
        bool,
        typer.Option(
            "--list-restarted",
            help="A registration list was started over on purpose: tell everyone where they "
            "now stand, though they received e-mails of the earlier list.",
        ),
    ] = False,
    day: Today = None,
) -> None:
    """Write the e-mails due now (invitations, updates, cancellations, and what registrations
    and waiting lists must tell people) into the outbox."""
    from ..documents.invitations import render_invitations
    from ..errors import UsageError
    from ..planning.registering import advance, moment
    from ..records.outbox import Outbox

    if unanswered and not reminder:
        raise UsageError("--unanswered is for reminders; add --reminder")
    moved = advance(folder, moment_day(day), Outbox(output))
    warn(moved.lines)
    programme = checked(folder, day)
    rendered = render_invitations(
        programme.folder,
        programme.programme,
        output,
        meeting=meeting,
        reminder_days=days if reminder else None,
        today=today(day),
        force=force,
        new_address=frozenset(new_address or ()),
        unanswered=unanswered,
        at=moment(programme.programme, moment_day(day)),
        list_restarted=list_restarted,
    )
    warn(rendered.warnings())
    say(rendered.lines())


@app.command()
def send(
    outbox: Annotated[Path, typer.Argument(help="The outbox folder written by 'cohort invite'.")],
    server: Annotated[
        str | None,
        typer.Option(
            "--server",
            metavar="URL",
            help="smtp://host:port, smtp+starttls://host:port or smtps://host:port. "
            "User and password come from COHORT_SMTP_USER and COHORT_SMTP_PASSWORD. "
            "Without it: a dry run.",
        ),
    ] = None,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="Really send (without it: show what would go).")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Send at most this many now.")
    ] = None,
    rate: Annotated[
        float | None, typer.Option("--rate", min=0.1, help="At most this many per minute.")
    ] = None,
    resend_uncertain: Annotated[
        bool,
        typer.Option(
            "--resend-uncertain",
            help="Also send messages that may have arrived already (their sending was cut off).",
        ),
    ] = False,
    retry_refused: Annotated[
        bool,
        typer.Option(
            "--retry-refused",
            help="Try again the messages a server refused for good in an earlier run.",
        ),
    ] = False,
    settle: Annotated[
        list[str] | None,
        typer.Option(
            "--settle",
            metavar="FILE",
            help="An uncertain message whose fate you found out (with --as); repeat for more.",
        ),
    ] = None,
    settled_as: Annotated[
        Fate | None,
        typer.Option(
            "--as",
            help="With --settle: it arrived (never send it again), or it did not (send it).",
        ),
    ] = None,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Repair a damaged journal: keep a copy, drop what cannot be read, and count "
            "the messages it spoke of as uncertain.",
        ),
    ] = False,
    day: Today = None,
) -> None:
    """Send the outbox over SMTP, each message exactly once; a dry run unless --confirm."""
    from ..delivery.sending import run

    said = run(
        outbox,
        server,
        confirm=confirm,
        limit=limit,
        rate=rate,
        resend_uncertain=resend_uncertain,
        retry_refused=retry_refused,
        settled=settle or [],
        delivered=None if settled_as is None else settled_as is Fate.delivered,
        repair=repair,
        today=moment_day(day),
        progress=bar("sending"),
        notice=warn,
    )
    tell(said)
