"""Images a programme names for print (the certificates' logo and signature), checked by what
they hold, not by their names.

An image must be a file inside the programme folder, reached without leaving it (no `..`, no
absolute path, no symbolic link pointing out), no larger than 5 MB, and one of:

- a PNG or a JPEG, told by its first bytes (its signature, RFC 2083 and ITU T.81) whatever its
  name ends in, whose header Pillow reads (a PNG's chunks are checked against their CRCs; a
  JPEG is decoded at an eighth of its size), of at most `MAX_PIXELS` pixels: a logo or a
  signature needs far fewer, and a small file can unpack into gigabytes (a 556 KB PNG of
  60000 x 60000 pixels takes 3.6 GB);
- an SVG: UTF-8 XML with `<svg>` at its root, read with the standard library's parser after
  refusing a DOCTYPE (so no entity can expand or fetch a file), and referring to nothing outside
  itself: every `href` and CSS `url()` points inside the image (`#id`) or holds its data
  (`data:`), and an image held so obeys the limit on pixels too.

`read` gives the image or raises ImageProblem saying why not; `cohort validate` reports it at
the line of `logo:` or `signature:` (see `certificates.check`).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..errors import CohortError
from ..files import read_regular

if TYPE_CHECKING:
    from PIL.Image import Image as PillowImage

#: The endings an image's name may have.
SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")
#: A logo or a signature is far smaller; a larger file is a mistake (a photo, a scan at 1200 dpi).
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: Pixels an image may have (a 24-megapixel camera's photo passes; it is printed smaller).
MAX_PIXELS = 40_000_000

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
_SVG = "{http://www.w3.org/2000/svg}"
_HREFS = ("href", "{http://www.w3.org/1999/xlink}href")
_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
_DATA = re.compile(r"data:image/(png|jpeg|jpg);base64,(.*)", re.IGNORECASE | re.DOTALL)


class ImageProblem(Exception):
    """Why an image cannot be used, in words for the facilitator."""


@dataclass(frozen=True)
class Image:
    """An image that passed the checks: its kind ('png', 'jpeg' or 'svg'), its bytes, and for
    a PNG or JPEG its size in pixels."""

    kind: str
    data: bytes
    width: int = 0
    height: int = 0


def read(folder: Path, name: str) -> Image:
    """The image `name` (as written in programme.yaml, relative to `folder`), checked (see the
    module's docstring). Raises ImageProblem."""
    path = _inside(folder, name)
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise ImageProblem(
            f"'{name}' is {size / (1024 * 1024):.0f} MB; an image of more than "
            f"{MAX_IMAGE_BYTES // (1024 * 1024)} MB is refused (a logo or a signature needs far "
            "less: save it smaller)"
        )
    try:
        data = read_regular(path, MAX_IMAGE_BYTES, what="image")
    except CohortError as err:
        raise ImageProblem(f"'{name}': {err.message}") from None
    if data.startswith(PNG_SIGNATURE):
        return _raster(name, data, "png")
    if data.startswith(JPEG_SIGNATURE):
        return _raster(name, data, "jpeg")
    if PurePosixPath(name).suffix.lower() != ".svg":
        raise ImageProblem(
            f"'{name}' is not a PNG or JPEG image: its content is something else (text, or an "
            "image in another format renamed); save it again as PNG or JPEG"
        )
    _check_svg(name, data)
    return Image("svg", data)


def problem(folder: Path, name: str) -> str | None:
    """Why the image `name` cannot go on a certificate, or None when it can."""
    try:
        read(folder, name)
    except ImageProblem as err:
        return str(err)
    return None


def _inside(folder: Path, name: str) -> Path:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", name):
        raise ImageProblem(f"'{name}' lies outside the programme folder")
    if pure.suffix.lower() not in SUFFIXES:
        raise ImageProblem(f"'{name}' is not a PNG, JPEG or SVG image")
    path = folder.joinpath(*pure.parts)
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise ImageProblem(f"there is no file '{name}' in the programme folder") from None
    if not resolved.is_relative_to(folder.resolve()):
        raise ImageProblem(f"'{name}' leads outside the programme folder (a symbolic link?)")
    if not resolved.is_file():
        raise ImageProblem(f"'{name}' is not a file")
    return path


def _raster(name: str, data: bytes, kind: str) -> Image:
    """A PNG or JPEG whose header Pillow reads, within the limit on pixels."""
    width, height = pixels(name, data)
    return Image(kind, data, width, height)


def pixels(name: str, data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG, checked: its header read, a PNG's chunks against
    their CRCs, a JPEG decoded at an eighth of its size; at most MAX_PIXELS. Raises
    ImageProblem."""
    kind = "PNG" if data.startswith(PNG_SIGNATURE) else "JPEG"
    try:
        image = opened(data, kind)
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageProblem(
                f"'{name}' is {width} x {height} pixels; an image of more than "
                f"{MAX_PIXELS // 1_000_000} million pixels is refused (a logo or a signature "
                "prints a few centimetres tall: save it at most 2000 pixels wide)"
            )
        if kind == "PNG":
            image.verify()
        else:
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except (OSError, SyntaxError, ValueError) as err:  # Pillow's ways of saying it is damaged
        raise ImageProblem(f"'{name}' is not a readable {kind} image ({err})") from None
    return width, height


def opened(data: bytes, kind: str) -> PillowImage:
    """A PNG or JPEG opened by Pillow: its header read, its pixels not yet. Pillow's own guard
    against too many pixels is left out here (it refuses without saying the size), since the
    caller checks the size before decoding anything."""
    from PIL import Image as Pillow

    limit = Pillow.MAX_IMAGE_PIXELS
    Pillow.MAX_IMAGE_PIXELS = None
    try:
        return Pillow.open(io.BytesIO(data), formats=[kind])
    finally:
        Pillow.MAX_IMAGE_PIXELS = limit


def _check_svg(name: str, data: bytes) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImageProblem(f"'{name}' is not an SVG image (not UTF-8 text)") from None
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise ImageProblem(
            f"'{name}' declares a DOCTYPE or entities, which cohort does not read (they can "
            "expand without end or read other files); export it again as plain SVG"
        )
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        line, column = err.position
        raise ImageProblem(
            f"'{name}' is not a valid SVG image (at its line {line}, column {column + 1}: "
            f"{str(err).split(':')[0]})"
        ) from None
    if root.tag != f"{_SVG}svg":
        raise ImageProblem(f"'{name}' is not an SVG image (it holds no <svg> element)")
    for element in root.iter():
        values = [v for k, v in element.attrib.items() if k in _HREFS]
        values += _URL.findall(" ".join(element.attrib.values()))
        if element.tag == f"{_SVG}style" and element.text:
            if "@import" in element.text:
                raise ImageProblem(f"'{name}' imports a style sheet from elsewhere (@import)")
            values += _URL.findall(element.text)
        for value in values:
            _check_reference(name, value.strip())


def _check_reference(name: str, target: str) -> None:
    """A reference inside an SVG: to itself (`#id`) or data it holds (`data:`), never a file or
    an address; an image it holds is checked like any other."""
    if target.startswith("#"):
        return
    if not target.lower().startswith("data:"):
        shown = target if len(target) <= 60 else target[:57] + "..."
        raise ImageProblem(
            f"'{name}' refers to '{shown}' outside itself; cohort prints an SVG only as it is "
            "(embed the image in it, or export it again without links)"
        )
    held = _DATA.match(target)
    if held is None:
        return  # data of another kind (a font, a gradient): Typst reads it or leaves it out
    try:
        data = base64.b64decode(re.sub(r"\s+", "", held.group(2)), validate=True)
    except (binascii.Error, ValueError):
        raise ImageProblem(f"'{name}' holds an image that is not valid base64") from None
    if not data.startswith((PNG_SIGNATURE, JPEG_SIGNATURE)):
        raise ImageProblem(f"'{name}' holds an image that is not the PNG or JPEG it says")
    try:
        pixels(name, data)
    except ImageProblem as err:
        raise ImageProblem(f"an image inside {err}") from None
