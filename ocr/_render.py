"""Draw the blank form of a template: to a PIL image at any resolution, or to a PDF.

The reader uses the same drawing (at its working resolution) to check that a scan is this
form at all, and the sample generator fills it in.
"""

from __future__ import annotations

import io
import itertools
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from core.errors import ConfigError
from ocr._template import FieldSpec, FormTemplate

__all__ = [
    "MM_PER_INCH",
    "box_rects",
    "font_path",
    "option_rects",
    "render_blank",
    "write_blank_pdf",
]

MM_PER_INCH = 25.4
_LINE_MM = 0.3
_BOX_LINE_MM = 0.2
_DATE_UNITS = ("元号", "年", "", "月", "", "日", "")

_FONTS: dict[str, tuple[tuple[str, int], ...]] = {
    "print": (
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 0),
    ),
    "klee": (("/usr/share/fonts/truetype/klee/KleeOne-Regular.ttf", 0),),
    "klee-bold": (("/usr/share/fonts/truetype/klee/KleeOne-SemiBold.ttf", 0),),
    "yoz": (
        ("/usr/share/fonts/truetype/yozvox-yozfont/YOzRCF.ttf", 0),
        ("/usr/share/fonts/truetype/yozvox-yozfont/YOzRC_.ttf", 0),
    ),
}


def font_path(role: str) -> tuple[str, int] | None:
    """The first installed font file (and face index) for ``role``, or ``None``."""
    for path, index in _FONTS.get(role, ()):
        if Path(path).is_file():
            return path, index
    return None


@lru_cache(maxsize=512)
def _font(role: str, size_px: int) -> ImageFont.FreeTypeFont:
    found = font_path(role) or font_path("print")
    if found is None:
        raise ConfigError("no Japanese font found: install fonts-noto-cjk")
    return ImageFont.truetype(found[0], max(size_px, 4), index=found[1])


def box_rects(spec: FieldSpec, scale: float) -> list[tuple[float, float, float, float]]:
    """The boxes of a boxed field (or its one rectangle) as (left, top, right, bottom) px."""
    left, top = spec.x_mm * scale, spec.y_mm * scale
    width, height = spec.width_mm * scale, spec.height_mm * scale
    count = spec.boxes or 1
    step = width / count
    return [(left + i * step, top, left + (i + 1) * step, top + height) for i in range(count)]


def option_rects(spec: FieldSpec, scale: float) -> list[tuple[float, float, float, float]]:
    """The boxes of a circled field's printed options as (left, top, right, bottom) px."""
    return [
        (
            o.x_mm * scale,
            o.y_mm * scale,
            (o.x_mm + o.width_mm) * scale,
            (o.y_mm + o.height_mm) * scale,
        )
        for o in spec.options or ()
    ]


def _draw_options(draw: ImageDraw.ImageDraw, spec: FieldSpec, scale: float) -> None:
    """A circled field's printed options, each fitted to its box, with ・ between neighbours
    on the same line."""
    rects = option_rects(spec, scale)
    for option, (x0, y0, x1, y1) in zip(spec.options or (), rects, strict=True):
        size = (y1 - y0) * 0.8
        natural = _font("print", max(4, round(size))).getlength(option.printed)
        if natural > (x1 - x0) * 0.95:
            size *= (x1 - x0) * 0.95 / natural
        font = _font("print", round(size))
        draw.text(((x0 + x1) / 2, (y0 + y1) / 2), option.printed, fill=0, font=font, anchor="mm")
    for (_, a_top, a_right, a_bottom), (b_left, b_top, _, b_bottom) in itertools.pairwise(rects):
        same_line = a_top < b_bottom and b_top < a_bottom
        if same_line and b_left - a_right >= 2 * scale:
            font = _font("print", round(min(a_bottom - a_top, b_bottom - b_top) * 0.7))
            middle = ((a_right + b_left) / 2, (max(a_top, b_top) + min(a_bottom, b_bottom)) / 2)
            draw.text(middle, "・", fill=0, font=font, anchor="mm")


def _draw_field(draw: ImageDraw.ImageDraw, spec: FieldSpec, scale: float) -> None:
    line = max(1, round(_LINE_MM * scale))
    thin = max(1, round(_BOX_LINE_MM * scale))
    left, top = spec.x_mm * scale, spec.y_mm * scale
    right, bottom = left + spec.width_mm * scale, top + spec.height_mm * scale
    label_font = _font("print", round(3.0 * scale))
    middle = (top + bottom) / 2
    if spec.label:
        draw.text((left - 2 * scale, middle), spec.label, fill=0, font=label_font, anchor="rm")
    if spec.kind == "checkbox":
        draw.rectangle((left, top, right, bottom), outline=0, width=line)
        draw.text(
            (right + 1.5 * scale, middle), spec.option or "", fill=0, font=label_font, anchor="lm"
        )
        return
    if spec.kind == "circled":  # a table cell holding the printed options
        draw.rectangle((left, top, right, bottom), outline=0, width=line)
        _draw_options(draw, spec, scale)
        return
    if spec.printed_era:  # a cell with 年 月 日 printed, numbers written before each
        draw.rectangle((left, top, right, bottom), outline=0, width=line)
        units = [(spec.era or "", 0.12), ("年", 0.5), ("月", 0.72), ("日", 0.94)]
        for unit, share in units:
            draw.text((left + share * (right - left), middle), unit, 0, label_font, anchor="mm")
        return
    rects = box_rects(spec, scale)
    for i, (x0, _, _, _) in enumerate(rects[1:], start=1):
        # Between the era and the year, and between 年/月/日, the divider is bolder.
        bold = spec.kind == "date" and i in (1, 3, 5)
        draw.line((x0, top, x0, bottom), fill=0, width=line if bold else thin)
    draw.rectangle((left, top, right, bottom), outline=0, width=line)
    if spec.kind == "date":
        small = _font("print", round(2.3 * scale))
        for (x0, _, x1, _), unit in zip(rects, _DATE_UNITS, strict=True):
            if unit:
                draw.text(
                    (x1 if unit != "元号" else (x0 + x1) / 2, bottom + 2 * scale),
                    unit,
                    fill=0,
                    font=small,
                    anchor="rm" if unit != "元号" else "mm",
                )


def render_blank(template: FormTemplate, *, px_per_mm: float) -> Image.Image:
    """The blank form as a greyscale image, ``px_per_mm`` pixels per millimetre (with its
    registration marks when the template has them): the template's printed blank file
    (``blank:``) when it names one, else jimu's drawing of the template."""
    blank = template.blank_path()
    if blank is not None:
        from ocr._blank import render_blank_file

        return render_blank_file(blank, template.page_mm, px_per_mm=px_per_mm)
    width_mm, height_mm = template.page_mm
    image = Image.new("L", (round(width_mm * px_per_mm), round(height_mm * px_per_mm)), 255)
    draw = ImageDraw.Draw(image)
    if template.marks is not None:
        half = template.marks.size_mm * px_per_mm / 2
        for cx, cy in template.marks.centers_mm:
            x, y = cx * px_per_mm, cy * px_per_mm
            draw.rectangle((x - half, y - half, x + half, y + half), fill=0)
    for text in template.texts:
        font = _font("print", round(text.size_mm * px_per_mm))
        anchor = "mm" if text.anchor == "center" else "lm"
        draw.text(
            (text.x_mm * px_per_mm, text.y_mm * px_per_mm),
            text.text,
            fill=0,
            font=font,
            anchor=anchor,
        )
    for spec in template.fields:
        _draw_field(draw, spec, px_per_mm)
    return image


def write_blank_pdf(template: FormTemplate, path: Path, *, dpi: int = 300) -> Path:
    """Write the blank form as a one-page A4 PDF (drawn at ``dpi``); returns ``path``."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    image = render_blank(template, px_per_mm=dpi / MM_PER_INCH)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    buffer.seek(0)
    points = 72 / MM_PER_INCH
    width, height = template.page_mm[0] * points, template.page_mm[1] * points
    canvas = Canvas(str(path), pagesize=(width, height))
    canvas.setTitle(template.title)
    canvas.drawImage(ImageReader(buffer), 0, 0, width=width, height=height)
    canvas.showPage()
    canvas.save()
    return path
