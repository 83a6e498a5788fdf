"""Commands for e-mail: invite (write the outbox) and send (deliver it over SMTP)."""

from pathlib import Path
from typing import Annotated

import typer

from .app import app
from .common import Folder, Force, Meeting, Today, checked, moment_day, progress, say, today, warn


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
        str | None,
        typer.Option(
            "--as",
            metavar="delivered|not-delivered",
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
    from ..delivery import preview
    from ..delivery import settle as settling
    from ..delivery.send import send as deliver
    from ..delivery.smtp import Server
    from ..errors import UsageError

    if repair or settle or settled_as:
        if settle and settled_as in ("delivered", "not-delivered") and not repair:
            say(settling.settle(outbox, settle, settled_as == "delivered"))
            return
        if repair and not (settle or settled_as):
            say(settling.repair(outbox))
            return
        raise UsageError(
            "--repair goes alone, and --settle FILE needs --as delivered or --as not-delivered"
        )
    target = Server.parse(server) if server is not None else None
    when = moment_day(day)
    if not confirm or target is None:
        if confirm:
            raise UsageError("--confirm needs --server URL: the server to send through")
        say(preview.dry_run(outbox, target, limit, resend_uncertain, when, retry_refused))
        return
    waiting = preview.count_waiting(outbox, limit, resend_uncertain, retry_refused)
    with progress("sending", waiting) as advance:
        outcome = deliver(
            outbox,
            target,
            limit=limit,
            rate=rate,
            resend_uncertain=resend_uncertain,
            retry_refused=retry_refused,
            today=when,
            progress=lambda _item: advance("sending", 1),
            notice=warn,
        )
    warn(outcome.problems())
    say(outcome.summary())
    if (reason := outcome.stop_reason()) is not None:
        warn(reason)
    if outcome.interrupted:
        raise typer.Exit(128 + outcome.interrupted)
    if not outcome.ok:
        raise typer.Exit(1)
