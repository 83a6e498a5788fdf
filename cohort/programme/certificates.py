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
cannot make cohort read a file elsewhere on the machine; and they are checked by what they hold
(`images`): a PNG or JPEG of a sane number of pixels, or an SVG referring to nothing outside
itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from . import images
from .values import Flag, LocalTextField, Text

if TYPE_CHECKING:
    from .load import Loaded


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
    position: LocalTextField | None = None
    signature: Text | None = None
    logo: Text | None = None
    place: LocalTextField | None = None
    partial: Flag = False
    hours_per_day: Hours = 7.0


def check(loaded: Loaded) -> None:
    """The certificate's images are usable images inside the programme folder (`images.read`);
    problems go to the loaded report at their line in programme.yaml."""
    if loaded.programme is None or "certificates" in loaded.skipped:
        return
    block = loaded.programme.certificates
    for field in ("signature", "logo"):
        name = getattr(block, field)
        if name is None:
            continue
        problem = images.problem(loaded.folder, name)
        if problem is not None:
            loaded.report.error(
                loaded.at("certificates", field),
                problem,
                "name a PNG, JPEG or SVG file inside the programme folder, e.g. "
                f"'images/{field}.png'",
                code="bad-image",
            )
