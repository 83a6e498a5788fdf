"""A programme's images (a certificate's logo and signature) as Typst gets them: small enough
for every PDF and every e-mail that carries one.

A PNG or JPEG larger than `MAX_WIDTH` x `MAX_HEIGHT` pixels is embedded scaled down to fit
(Pillow, Lanczos): a logo prints 2 cm tall and a signature 1.8 cm, so 600 pixels are over 750
dpi, and a 12-megapixel phone photo of a signature (2.2 MB) becomes some 100 KB in each PDF. A
photo turned by its EXIF orientation is turned upright first. A smaller image goes in as it is.
Either comes to Typst inside an SVG (`image(..., format: "svg")`), as an SVG does, since Typst
reads no file of the programme; the images were checked when the programme was read
(`programme.images`).
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from ..errors import CohortError
from ..programme import images
from . import typeset

#: The largest image embedded as it is, in pixels; a larger one is scaled down to fit.
MAX_WIDTH, MAX_HEIGHT = 1600, 600
_ORIENTATION = 0x0112  # the EXIF tag (1: upright)


def for_print(folder: Path, name: str) -> typeset.Code:
    """The image `name` of the programme in `folder` as Typst bytes of an SVG. Raises
    CohortError when it cannot be used (checked again: it may have changed since the programme
    was read)."""
    try:
        image = images.read(folder, name)
    except images.ImageProblem as err:
        raise CohortError(str(err), location=folder / "programme.yaml", code="bad-image") from None
    if image.kind == "svg":
        return typeset.Code(f"bytes({typeset.string(image.data.decode('utf-8-sig'))})")
    kind, data, width, height = fitted(image)
    encoded = base64.b64encode(data).decode("ascii")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<image width="{width}" height="{height}" '
        f'xlink:href="data:image/{kind};base64,{encoded}"/></svg>'
    )
    return typeset.Code(f"bytes({typeset.string(svg)})")


def fitted(image: images.Image) -> tuple[str, bytes, int, int]:
    """A PNG or JPEG within MAX_WIDTH x MAX_HEIGHT pixels and upright: (kind, bytes, width,
    height); the image itself when it already is."""
    from PIL import ImageOps
    from PIL.Image import Resampling

    opened = images.opened(image.data, image.kind.upper())
    turned = opened.getexif().get(_ORIENTATION, 1) != 1
    if image.width <= MAX_WIDTH and image.height <= MAX_HEIGHT and not turned:
        return image.kind, image.data, image.width, image.height
    upright = ImageOps.exif_transpose(opened)
    upright.thumbnail((MAX_WIDTH, MAX_HEIGHT), Resampling.LANCZOS)
    buffer = io.BytesIO()
    if image.kind == "jpeg":
        upright.convert("RGB").save(buffer, format="JPEG", quality=85, optimize=True)
    else:
        upright.save(buffer, format="PNG", optimize=True)
    return image.kind, buffer.getvalue(), upright.width, upright.height
