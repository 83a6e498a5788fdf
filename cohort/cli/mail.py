"""Commands for e-mail: invite (write the outbox) and send (deliver it over SMTP)."""

from pathlib import Path
from typing import Annotated

import typer

from .app import app
from .common import Folder, Meeting, Today, checked, progress, say, today, warn


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
    day: Today = None,
) -> None:
    """Write the e-mails due now (invitations, updates, cancellations) into the outbox."""
    from ..documents.invitations import render_invitations

    programme = checked(folder, day)
    rendered = render_invitations(
        programme.folder,
        programme.programme,
        output,
        meeting=meeting,
        reminder_days=days if reminder else None,
        today=today(day),
    )
    warn(rendered.warnings())
    say(rendered.lines())


@app.command()
def send(
    outbox: Annotated[Path, typer.Argument(help="The outbox folder written by 'cohort invite'.")],
    server: Annotated[
        str,
        typer.Option(
            "--server",
            metavar="URL",
            help="smtp://host:port, smtp+starttls://host:port or smtps://host:port. "
            "User and password come from COHORT_SMTP_USER and COHORT_SMTP_PASSWORD.",
        ),
    ],
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
            "--resend-uncertain", help="Also send messages whose earlier sending was interrupted."
        ),
    ] = False,
) -> None:
    """Send the outbox over SMTP, each message once; a dry run unless --confirm."""
    from ..delivery.send import Server, count_waiting, dry_run
    from ..delivery.send import send as deliver

    target = Server.parse(server)
    if not confirm:
        say(dry_run(outbox, target, limit))
        return
    with progress("sending", count_waiting(outbox, limit)) as advance:
        outcome = deliver(
            outbox,
            target,
            limit=limit,
            rate=rate,
            resend_uncertain=resend_uncertain,
            progress=lambda _item: advance("sending", 1),
        )
    warn(outcome.problems())
    say(outcome.summary())
    if (reason := outcome.stop_reason()) is not None:
        warn(reason)
    if not outcome.ok:
        raise typer.Exit(1)
