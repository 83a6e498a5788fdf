"""`cohort registrations`: import a form's export, see the lists, cancel, accept, decline."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .app import app, group
from .common import Folder, Today, moment_day, say, warn

if TYPE_CHECKING:
    from ..planning.registrations import Action


class ExportTool(StrEnum):
    """The tools whose registration exports cohort reads (as
    `planning.registration_exports.TOOLS`); columns: the programme's `registration: columns:`."""

    pretix = "pretix"
    eventbrite = "eventbrite"
    google = "google"
    microsoft = "microsoft"
    columns = "columns"


class StatusFormat(StrEnum):
    """How `registrations status` shows the lists: for people (text) or for a script (json)."""

    text = "text"
    json = "json"


registrations = group("Registrations and waiting lists: from a form's export to the invitees.")
app.add_typer(registrations, name="registrations")

ForMeeting = Annotated[
    str | None, typer.Option("--meeting", help="The meeting the list is for (its id).")
]
People = Annotated[
    list[str],
    typer.Argument(
        metavar="ID", help="Who (participant ids, as 'status' shows).", show_default=False
    ),
]
InFolder = Annotated[
    Path,
    typer.Option("--folder", "-C", help="The programme's folder.", show_default="current folder"),
]


@registrations.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The export (CSV or XLSX) of the registrations.")],
    meeting: ForMeeting = None,
    programme: Annotated[
        bool,
        typer.Option("--programme", help="The list is for the whole programme (not a meeting)."),
    ] = False,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--folder",
            "-C",
            help="The programme's folder (default: the folder above the file holding "
            "programme.yaml).",
        ),
    ] = None,
    tool: Annotated[
        ExportTool | None,
        typer.Option(
            help="The tool that made the export; columns: as the programme's registration: "
            "columns: name them (default: detected)."
        ),
    ] = None,
    event: Annotated[
        str | None,
        typer.Option(
            "--event",
            metavar="SLUG",
            help="Of an export that holds several events (pretix's organiser export): this "
            "one's rows (its Event slug).",
        ),
    ] = None,
    day: Today = None,
) -> None:
    """Read a registration export (pretix, Eventbrite, Google Forms, Microsoft Forms) into the
    list of a meeting (--meeting) or of the programme (--programme)."""
    from ..errors import UsageError
    from ..planning.registration_import import import_export

    if meeting is not None and programme:
        raise UsageError(
            "a list is for one meeting (--meeting ID) or for the whole programme "
            "(--programme), not both"
        )
    if meeting is None and not programme:
        raise UsageError("say what the registrations are for: --meeting ID or --programme")
    done = import_export(
        file, folder, meeting, moment_day(day), tool.value if tool else None, event
    )
    warn(str(w) for w in done.warnings)
    say(done.lines)


@registrations.command()
def status(
    folder: Folder = Path(),
    meeting: ForMeeting = None,
    format: Annotated[
        StatusFormat,
        typer.Option("--format", help="For people, or for a script (json names everyone)."),
    ] = StatusFormat.text,
    day: Today = None,
) -> None:
    """Who is registered, waiting (with their position), offered a place, declined or
    cancelled, per list, as it stands now (offers past their time shown passed on); looking
    changes nothing."""
    from ..documents.registration_status import render
    from ..planning.registering import standing

    lists = standing(folder, meeting, moment_day(day))
    warn(str(w) for w in lists.warnings)
    warn(lists.lines)
    typer.echo(render(lists, as_json=format is StatusFormat.json), nl=False)


def _act(
    action: "Action", people: list[str], folder: Path, meeting: str | None, day: str | None
) -> None:
    from ..planning.registering import act

    done = act(folder, action, people, meeting, moment_day(day))
    warn(str(w) for w in done.warnings)
    say(done.lines)


@registrations.command()
def cancel(
    people: People, folder: InFolder = Path(), meeting: ForMeeting = None, day: Today = None
) -> None:
    """Cancel registrations: the place goes to the next in line, as an offer."""
    _act("cancel", people, folder, meeting, day)


@registrations.command()
def accept(
    people: People, folder: InFolder = Path(), meeting: ForMeeting = None, day: Today = None
) -> None:
    """Someone accepted the place offered to them: they are confirmed."""
    _act("accept", people, folder, meeting, day)


@registrations.command()
def decline(
    people: People, folder: InFolder = Path(), meeting: ForMeeting = None, day: Today = None
) -> None:
    """Someone declines the place offered to them, or gives up their confirmed place: it goes
    to the next in line."""
    _act("decline", people, folder, meeting, day)
