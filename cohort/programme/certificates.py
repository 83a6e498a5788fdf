"""The `certificates:` block: who signs the attendance certificates, and how they read.

    certificates:
      signed_by: Marieke Jansen          # default: the organiser's name
      position: Programmaleider          # under the name
      signature: images/handtekening.png # an image of the signature (PNG, JPEG or SVG)
      logo: images/logo.svg              # at the top of the page
      place: Enschede                    # the place of issue (default: the city of the last
                                         # meeting held)
      partial: true                      # `--partial` may issue certificates of participation
      hours_per_day: 7                   # what a day of an all-day meeting counts (default 7)

The images must lie inside the programme folder: a name leading out of it (`../x.png`, an
absolute path, a symbolic link pointing outside) is refused, so a programme shared with others
cannot make cohort read a file elsewhere on the machine.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from .values import Flag, Text

if TYPE_CHECKING:
    from .load import Loaded

#: The image files a certificate can show, by their ending.
IMAGE_TYPES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".svg": "svg"}
#: A logo or a signature is far smaller; a larger file is a mistake (a photo, a scan at 1200 dpi).
MAX_IMAGE_BYTES = 5 * 1024 * 1024


def _hours(value: Any) -> float:
    text = str(value).strip().replace(",", ".")
    if not re.fullmatch(r"\d{1,2}(\.\d{1,2})?", text) or not 0 < float(text) <= 24:
        raise ValueError(f"'{value}' is not a number of hours in a day; write e.g. 7 or 7.5")
    return float(text)


Hours = Annotated[
    float,
    BeforeValidator(_hours),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": 24}),
]


class Certificates(BaseModel):
    """How attendance certificates are signed and counted (see the module's docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    signed_by: Text | None = None
    position: Text | None = None
    signature: Text | None = None
    logo: Text | None = None
    place: Text | None = None
    partial: Flag = False
    hours_per_day: Hours = 7.0


def image_problem(folder: Path, name: str) -> str | None:
    """Why the image file `name` (as written in programme.yaml) cannot go on a certificate, or
    None when it can: it must be a PNG, JPEG or SVG file inside the programme folder, reached
    without leaving it (no `..`, no absolute path, no symbolic link pointing out)."""
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", name):
        return f"'{name}' lies outside the programme folder"
    if pure.suffix.lower() not in IMAGE_TYPES:
        return f"'{name}' is not a PNG, JPEG or SVG image"
    path = folder.joinpath(*pure.parts)
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return f"there is no file '{name}' in the programme folder"
    if not resolved.is_relative_to(folder.resolve()):
        return f"'{name}' leads outside the programme folder (a symbolic link?)"
    if not resolved.is_file():
        return f"'{name}' is not a file"
    if resolved.stat().st_size > MAX_IMAGE_BYTES:
        return f"'{name}' is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB"
    return None


def check(loaded: Loaded) -> None:
    """The certificate's images exist inside the programme folder; problems go to the loaded
    report at their line in programme.yaml."""
    if loaded.programme is None or "certificates" in loaded.skipped:
        return
    block = loaded.programme.certificates
    for field in ("signature", "logo"):
        name = getattr(block, field)
        if name is None:
            continue
        problem = image_problem(loaded.folder, name)
        if problem is not None:
            loaded.report.error(
                loaded.at("certificates", field),
                problem,
                "name a PNG, JPEG or SVG file inside the programme folder, e.g. "
                f"'images/{field}.png'",
                code="bad-image",
            )
