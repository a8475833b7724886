"""Forms of a made-up city for the sorting tests: template pieces, a 口座振替依頼書 page and a
転入届 nobody defined."""

from __future__ import annotations

from typing import Any


def printed(text: str, x: float, y: float, size: float = 3.5) -> dict[str, Any]:
    """A line of print at (x, y) mm."""
    return {"text": text, "x_mm": x, "y_mm": y, "size_mm": size}


def digits(name: str, label: str, x: float, y: float, boxes: int) -> dict[str, Any]:
    """A row of ``boxes`` 7 × 9 mm digit boxes."""
    return {"name": name, "label": label, "kind": "digits", "x_mm": x, "y_mm": y,
            "width_mm": 7 * boxes, "height_mm": 9, "boxes": boxes}  # fmt: skip


def text(name: str, label: str, x: float, y: float, width: float) -> dict[str, Any]:
    """A 12 mm high kanji field."""
    return {"name": name, "label": label, "kind": "kanji", "x_mm": x, "y_mm": y,
            "width_mm": width, "height_mm": 12}  # fmt: skip


def transfer_page(name: str) -> dict[str, Any]:
    """Page 1 of the city's 口座振替依頼書 (the account), as template data named ``name``."""
    return {
        "name": name,
        "title": "口座振替依頼書",
        "texts": [
            {**printed("口座振替依頼書", 105, 20, 7), "anchor": "center"},
            printed("（あて先）多摩南市長　　1枚目", 20, 35),
            printed("納付者", 20, 50, 4.2),
            printed("引落口座", 20, 105, 4.2),
        ],
        "fields": [
            text("name", "氏名", 60, 60, 120),
            {**text("address", "住所", 60, 80, 120), "kind": "address"},
            digits("bank_code", "金融機関", 60, 115, 4),
            digits("branch_code", "支店", 130, 115, 3),
            digits("account", "口座番号", 60, 135, 7),
            digits("phone", "電話番号", 60, 155, 11),
        ],
    }


def tennyu_page() -> dict[str, Any]:
    """A form nobody defined for the sorter: a 転入届 with a grid of rows, as template data."""
    return {
        "name": "tennyu",
        "title": "転入届",
        "texts": [{**printed("転入届", 105, 18, 8), "anchor": "center"}],
        "fields": [text(f"row_{i}", f"異動者{i + 1}", 45, 40 + 18 * i, 150) for i in range(10)],
    }
