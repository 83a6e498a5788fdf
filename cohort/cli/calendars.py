"""Commands that publish calendars: calendar (files), publish (into a CalDAV calendar)."""

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from .app import app
from .common import Folder, Force, Today, bar, checked, say, warn


@app.command()
def calendar(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the calendars into.")
    ] = Path("calendars"),
    force: Force = False,
    day: Today = None,
) -> None:
    """Write the programme feed, a personal feed per participant and an .ics per meeting."""
    from ..documents.calendar import write_calendars

    programme = checked(folder, day)
    say(write_calendars(programme.folder, programme.programme, output, force=force).lines())


@app.command()
def publish(
    caldav: Annotated[
        str,
        typer.Option(
            "--caldav",
            metavar="URL",
            help="The CalDAV server (or one calendar on it), https://... User and password come "
            "from COHORT_CALDAV_USER and COHORT_CALDAV_PASSWORD.",
        ),
    ],
    folder: Folder = Path(),
    calendar: Annotated[
        str | None,
        typer.Option(
            "--calendar",
            metavar="NAME",
            help="The calendar's name on the server (made when missing; default: the --caldav "
            "URL itself if it is a calendar, else the programme's own, made by cohort).",
        ),
    ] = None,
    people: Annotated[
        bool, typer.Option("--people", help="Also a calendar per participant with their meetings.")
    ] = False,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="Really publish (without it: show what would change).")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would change (the default).")
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Also compare with what the server holds (one request per calendar): events "
            "or calendars deleted or changed there are reported.",
        ),
    ] = False,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="--check, and make again what was deleted on the server (events, calendars).",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="--repair, and overwrite (or delete) events someone changed on the server.",
        ),
    ] = False,
    day: Today = None,
) -> None:
    """Publish the programme into a shared CalDAV calendar and keep it in step; a dry run
    unless --confirm."""
    from ..delivery.caldav import Server
    from ..delivery.publish import publish as publish_to
    from ..delivery.publish_outcome import Policy
    from ..records.published import now

    if confirm and dry_run:
        raise UsageError("--confirm and --dry-run contradict each other; give one")
    if calendar is not None and not calendar.strip():
        raise UsageError("--calendar needs a name (the calendar's display name on the server)")
    server = Server.parse(caldav)
    programme = checked(folder, day)
    outcome = publish_to(
        programme.folder,
        programme.programme,
        server,
        now(),
        calendar=calendar,
        people=people,
        confirm=confirm,
        policy=Policy.of(check, repair, force),
        progress=bar("publishing"),
    )
    warn(outcome.problems())
    say(outcome.lines())
    if not outcome.ok:
        raise typer.Exit(1)
