"""Open a scanned document (PDF, TIFF, PNG, JPEG; several pages) as greyscale pages.

Every way a file can be unreadable ends in one :class:`~core.errors.InvalidInput` that names
the file: empty, not what its name says, encrypted, too large, too coarse. Memory stays
bounded: a huge image is refused from its header, before it is decoded.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageSequence, UnidentifiedImageError

from core.errors import InvalidInput

__all__ = ["MAX_PAGES", "MAX_PIXELS", "MIN_DPI", "Page", "load_pages", "to_grey"]

Page = npt.NDArray[np.uint8]
MAX_PIXELS = 80_000_000  # A4 at 1000 dpi is 62 Mpx; anything larger is not a scan of a form
MAX_PAGES = 50
MIN_DPI = 100
_PDF_DPI = 200
_A4_LONG_MM = 297.0


def to_grey(image: Image.Image | npt.NDArray[np.generic]) -> Page:
    """A PIL image or numpy array (grey, RGB or RGBA) as a 2-D uint8 array."""
    if isinstance(image, Image.Image):
        if image.mode in ("RGBA", "LA", "P"):
            background = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(background, image.convert("RGBA"))
        return np.asarray(image.convert("L"), dtype=np.uint8)
    array = np.asarray(image)
    if array.ndim == 3:
        array = array[:, :, :3].mean(axis=2)
    if array.ndim != 2:
        raise InvalidInput(f"expected an image, got an array of shape {array.shape}")
    if array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    return array


def _check_resolution(page: Page, name: str) -> Page:
    dpi = max(page.shape) / (_A4_LONG_MM / 25.4)
    if dpi < MIN_DPI:
        raise InvalidInput(
            f"{name}: resolution too low (about {dpi:.0f} dpi; scan at 200 dpi or more)"
        )
    return page


def _pdf_pages(path: Path) -> list[Page]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        encrypted = "password" in str(exc).lower()
        reason = "encrypted (password protected)" if encrypted else "not a readable PDF"
        raise InvalidInput(f"{path.name}: {reason}") from exc
    try:
        if len(document) == 0:
            raise InvalidInput(f"{path.name}: the PDF has no pages")
        if len(document) > MAX_PAGES:
            raise InvalidInput(f"{path.name}: more than {MAX_PAGES} pages")
        pages = []
        for index in range(len(document)):
            try:
                page = document[index]
                width, height = page.get_size()
                scale = _PDF_DPI / 72
                if not (0 < width * height * scale * scale <= MAX_PIXELS):
                    raise InvalidInput(
                        f"{path.name}: page {index + 1} has an impossible size "
                        f"({width:.0f}×{height:.0f} pt)"
                    )
                bitmap = page.render(scale=scale, grayscale=True)
            except pdfium.PdfiumError as exc:  # a looping page tree, a broken page object
                raise InvalidInput(f"{path.name}: page {index + 1} is damaged") from exc
            pages.append(to_grey(bitmap.to_pil()))
        return pages
    finally:
        document.close()


def _image_pages(path: Path) -> list[Page]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise InvalidInput(
                        f"{path.name}: image too large ({image.width}×{image.height} px)"
                    )
                pages = []
                for index, frame in enumerate(ImageSequence.Iterator(image)):
                    if index >= MAX_PAGES:
                        raise InvalidInput(f"{path.name}: more than {MAX_PAGES} pages")
                    pages.append(to_grey(frame))
                return pages
    except Image.DecompressionBombError as exc:
        raise InvalidInput(f"{path.name}: image too large (over {MAX_PIXELS} px)") from exc
    except UnidentifiedImageError as exc:
        raise InvalidInput(f"{path.name}: not a readable image or PDF") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(f"{path.name}: the file is damaged ({type(exc).__name__})") from exc


def load_pages(path: Path) -> list[Page]:
    """The pages of a PDF or image file as greyscale arrays (ink dark on white).

    Raises :class:`InvalidInput` naming the file if it is missing, empty, damaged,
    encrypted, larger than :data:`MAX_PIXELS` or scanned below :data:`MIN_DPI`.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path.name}: no such file")
    if path.stat().st_size == 0:
        raise InvalidInput(f"{path.name}: the file is empty (0 bytes)")
    with path.open("rb") as handle:
        head = handle.read(5)
    pages = _pdf_pages(path) if head == b"%PDF-" else _image_pages(path)
    return [_check_resolution(page, path.name) for page in pages]
