"""What office scanners and faxes do to a 300 dpi page, for alignment and sorting tests."""

from __future__ import annotations

import io

from PIL import Image

__all__ = ["DPI", "PX_PER_MM", "at_dpi", "jpeg"]

DPI = 300
PX_PER_MM = DPI / 25.4


def jpeg(page: Image.Image, quality: int) -> Image.Image:
    """The page saved as a JPEG of ``quality`` and read back in grey."""
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def at_dpi(page: Image.Image, dpi: int) -> Image.Image:
    """The 300 dpi page as scanned at ``dpi``."""
    size = (round(page.width * dpi / DPI), round(page.height * dpi / DPI))
    return page.resize(size, Image.Resampling.LANCZOS)
