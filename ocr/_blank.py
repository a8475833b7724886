"""A form's blank as the real thing: the printed file a city made (``blank: form.pdf``).

jimu's own drawing of a template is close to a form jimu drew, not to one laid out in Excel
and printed by LibreOffice: other fonts, other line weights, text where the template has
none. When a template names its blank file, the reader aligns to, judges and masks with that
page instead, rendered at whatever resolution it works at (cached per file and resolution).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from core.errors import ConfigError
from ocr._pages import Page

__all__ = ["BLANK_SUFFIXES", "blank_page_mm", "render_blank_file"]

BLANK_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"})
_PT_PER_MM = 72 / 25.4
_MM_PER_INCH = 25.4


def blank_page_mm(path: Path) -> tuple[float, float] | None:
    """The page size of a one-page blank file in mm (``None``: an image without a resolution).

    Raises :class:`ConfigError` for a file that is missing, not a PDF or image, or not one
    page.
    """
    if path.suffix.lower() not in BLANK_SUFFIXES:
        raise ConfigError(f"{path.name}: a blank form is a PDF or an image (PNG, JPEG, TIFF)")
    if not path.is_file():
        raise ConfigError(f"{path}: no such blank form file")
    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise ConfigError(f"{path.name}: not a readable PDF") from exc
        try:
            if len(document) != 1:
                raise ConfigError(f"{path.name}: a blank form has one page, not {len(document)}")
            width, height = document[0].get_size()
        finally:
            document.close()
        return width / _PT_PER_MM, height / _PT_PER_MM
    try:
        with Image.open(path) as image:
            frames = getattr(image, "n_frames", 1)
            if frames != 1:
                raise ConfigError(f"{path.name}: a blank form has one page, not {frames}")
            dpi = image.info.get("dpi")
            size = image.size
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path.name}: not a readable image") from exc
    if not dpi or float(dpi[0]) < 50 or float(dpi[1]) < 50:
        return None
    return size[0] / float(dpi[0]) * _MM_PER_INCH, size[1] / float(dpi[1]) * _MM_PER_INCH


@lru_cache(maxsize=16)
def _rendered(path: str, stamp: float, size: tuple[int, int]) -> Page:
    source = Path(path)
    if source.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(path)
        try:
            page = document[0]
            width, _ = page.get_size()
            bitmap = page.render(scale=size[0] / width, grayscale=True)
            image = bitmap.to_pil().convert("L")
        finally:
            document.close()
    else:
        with Image.open(source) as opened:
            image = opened.convert("L")
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    grey = np.asarray(image, dtype=np.uint8)
    grey.setflags(write=False)
    return grey


def render_blank_file(
    path: Path, page_mm: tuple[float, float], *, px_per_mm: float
) -> Image.Image:
    """The blank file's page as a greyscale image of the template's page size at
    ``px_per_mm`` (a new image each call: callers draw on it). Raises :class:`ConfigError`
    when the file is gone."""
    if not path.is_file():
        raise ConfigError(f"{path}: the template's blank form file is missing")
    size = (round(page_mm[0] * px_per_mm), round(page_mm[1] * px_per_mm))
    return Image.fromarray(_rendered(str(path.resolve()), path.stat().st_mtime, size).copy())
