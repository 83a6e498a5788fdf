"""Commands for certificates: issue them (`cohort certificates DIR -o OUT`) and check a code
(`cohort certificates verify CODE [DIR]`)."""

from pathlib import Path
from typing import Annotated, Any

import typer

from .app import CohortGroup, app
from .common import Folder, Force, Today, checked, say, today, warn

#: `certificates verify`: the code is no certificate's (1 is kept for "cannot be told", as for
#: every command whose data is wrong; 2 for a wrong command line).
EXIT_NOT_GENUINE = 3


class CertificatesGroup(CohortGroup):
    """`cohort certificates [DIR] [OPTIONS]` issues (the `issue` command, named or not);
    `cohort certificates verify CODE` checks a code. A first word that is no folder but close
    to a command's name is a typo of it, said as other groups say it."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            if args and not args[0].startswith("-") and not Path(args[0]).is_dir():
                from difflib import get_close_matches

                if close := get_close_matches(args[0], list(self.commands)):
                    named = ", ".join(repr(name) for name in close)
                    ctx.fail(f"No such command {args[0]!r}. Did you mean {named}?")
            args = ["issue", *args]
        return list(super().parse_args(ctx, args))


certificates_app = typer.Typer(
    cls=CertificatesGroup,
    help="Attendance certificates for everyone who met the attendance rule: 'cohort "
    "certificates [DIR] -o OUT' issues them (the same as 'certificates issue'), 'cohort "
    "certificates verify CODE [DIR]' checks a certificate's code.",
    rich_markup_mode=None,
)
app.add_typer(certificates_app, name="certificates")


@certificates_app.command("issue")
def issue(
    folder: Folder = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the certificates into.")
    ] = Path("certificates"),
    participant: Annotated[
        str | None, typer.Option("--participant", metavar="ID", help="Only this participant.")
    ] = None,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="Certificates of participation for those who came but did not meet the rule "
            "(when the programme allows it: 'certificates: partial: true').",
        ),
    ] = False,
    email: Annotated[
        bool,
        typer.Option("--email", help="Also write an e-mail per certificate into the outbox."),
    ] = False,
    outbox: Annotated[
        Path, typer.Option("--outbox", help="With --email: the outbox folder (kept between runs).")
    ] = Path("outbox"),
    new_key: Annotated[
        bool,
        typer.Option(
            "--new-key",
            help="Start over with a new key where certificate-secret.txt was lost: every "
            "certificate gets a new code and is issued again; the old codes no longer verify.",
        ),
    ] = False,
    force: Force = False,
    day: Today = None,
) -> None:
    """One PDF per participant who met the attendance rule (only meetings held and recorded
    count); everyone else listed with the reason."""
    from ..documents.certificates import issue as issue_certificates

    programme = checked(folder, day)
    issued = issue_certificates(
        programme.folder,
        programme.programme,
        output,
        today(day),
        partial=partial,
        participant=participant,
        outbox=outbox,
        email=email,
        new_key=new_key,
        force=force,
    )
    warn(issued.warnings)
    say(issued.lines())


@certificates_app.command("verify")
def verify(
    code: Annotated[str, typer.Argument(help="The code printed on the certificate.")],
    folder: Folder = Path(),
    day: Today = None,
) -> None:
    """Whether a certificate's verification code is genuine for this programme: exit 0 if it
    is, 3 if it is not, 1 if it cannot be told (the key or the programme's files are missing or
    wrong)."""
    from ..documents.certificate_verify import verify as check_code

    programme = checked(folder, day)
    verdict = check_code(programme.folder, programme.programme, code, today(day))
    say(verdict.text)
    if not verdict.genuine:
        raise typer.Exit(EXIT_NOT_GENUINE)
