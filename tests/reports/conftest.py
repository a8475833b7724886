"""A small ledger whose figures were computed by hand (see HAND below), in its own SQLite file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest

from core.inventory import Inventory, load_inventory
from core.ledger import Ledger

JST = ZoneInfo("Asia/Tokyo")

INVENTORY = """\
scenarios:
  - id: alpha-sync
    name: アルファ電子申請登録
    department: 子育て支援課
    owner: 子育て支援課長
    status: 稼働中
    target_systems: [電子申請システム, 子育て支援システム]
    data_classification: 個人番号を含む
    baseline:
      {minutes_per_item: 30, method: 計測, measured_on: 2026-01-10, measured_by: DX推進課}
    forecast: {items_per_year: 24, hours_per_year: 12}
    started_on: 2026-04-01
    next_review_on: 2027-03-31
  - id: beta-ocr
    name: ベータ帳票読取
    department: 税務課
    owner: 税務課長
    status: 稼働中
    target_systems: [AI-OCR]
    data_classification: 個人情報を含む
    baseline:
      {minutes_per_item: 60, method: 前年度実績, measured_on: 2026-01-20, measured_by: 税務課}
    forecast: {items_per_year: 10, hours_per_year: 10}
    started_on: 2026-04-01
    next_review_on: 2027-03-31
  - id: gamma-dev
    name: ガンマ開発中
    department: 市民課
    status: 開発中
    target_systems: [住民記録システム]
    data_classification: 個人情報なし
    baseline: {minutes_per_item: 5, method: 計測, measured_on: 2026-05-01, measured_by: 市民課}
    forecast: {items_per_year: 100, hours_per_year: 8}
candidates:
  - {id: delta-idea, name: デルタ候補, department: 財政課, survey_year: 2026,
     items_per_year: 600, minutes_per_item: 10, feasibility: 中}
"""

# (scenario, key, status, finished in JST, human seconds). Robot time: 90 s on every item.
ITEMS = [
    ("alpha-sync", "a0", "done", datetime(2026, 3, 31, 23, 55), 0),  # FY2025
    ("alpha-sync", "a8", "done", datetime(2026, 4, 1, 0, 5), 0),  # FY2026 (31 March in UTC)
    ("alpha-sync", "a1", "done", datetime(2026, 4, 1, 9, 0), 0),
    ("alpha-sync", "a2", "done", datetime(2026, 4, 15, 10, 0), 360),  # 6 min checked
    ("alpha-sync", "a3", "done", datetime(2026, 5, 11, 11, 0), 0),
    ("alpha-sync", "a4", "business_failure", datetime(2026, 5, 12, 9, 0), 480),
    ("alpha-sync", "a5", "returned", datetime(2026, 6, 1, 9, 0), 240),
    ("alpha-sync", "a9", "application_failure", datetime(2026, 7, 1, 9, 0), 0),
    ("alpha-sync", "a6", "done", datetime(2027, 3, 31, 23, 30), 0),  # last minutes of FY2026
    ("alpha-sync", "a7", "done", datetime(2027, 4, 1, 0, 10), 0),  # FY2027
    ("beta-ocr", "b1", "done", datetime(2026, 6, 10, 10, 0), 720),
    ("beta-ocr", "b2", "done", datetime(2026, 6, 11, 10, 0), 0),
    ("beta-ocr", "b3", "done", datetime(2026, 6, 12, 10, 0), 4500),  # 75 min: costs 15 min
    ("beta-ocr", "b4", "returned", datetime(2026, 6, 13, 10, 0), 180),
    ("beta-ocr", "b5", "done", datetime(2026, 12, 1, 10, 0), 180),
    ("zeta-legacy", "z1", "done", datetime(2026, 8, 3, 10, 0), 0),  # not in the inventory
]


@dataclass(frozen=True)
class Hand:
    """FY2026 figures worked out on paper from ITEMS and INVENTORY."""

    done = 10  # alpha a8 a1 a2 a3 a6, beta b1 b2 b3 b5, zeta z1
    failures = 2  # a4, a9
    returned = 2  # a5, b4
    finished = 14
    reviewed = 4  # a2, b1, b3, b5
    alpha_saved = (5 * 30 - 6) / 60  # 2.4 h
    beta_saved = (4 * 60 - (12 + 0 + 75 + 3)) / 60  # 2.5 h
    saved = alpha_saved + beta_saved  # 4.9 h
    gross = (5 * 30 + 4 * 60) / 60  # 6.5 h
    human = (6 + 12 + 75 + 3) / 60  # 1.6 h
    other_human = (8 + 4 + 3) / 60  # 0.25 h
    robot = 14 * 90 / 3600  # 0.35 h
    forecast = 12 + 10  # whole year, both started on 1 April
    by_month: ClassVar[dict[str, float]] = {
        "2026-04": 84 / 60,
        "2026-05": 0.5,
        "2026-06": 93 / 60,
        "2026-12": 57 / 60,
        "2027-03": 0.5,
    }


HAND = Hand()


def insert_items(ledger: Ledger, items: list[tuple[str, str, str, datetime, int]]) -> None:
    """Insert items whose finishing time is given in Japan time (the ledger stores UTC)."""
    rows = []
    for scenario, key, status, finished_jst, human in items:
        finished = finished_jst.replace(tzinfo=JST).astimezone(UTC)
        rows.append(
            {
                "scenario": scenario,
                "item_key": key,
                "status": status,
                "attempts": 1,
                "queued_at": finished - timedelta(minutes=5),
                "started_at": finished - timedelta(seconds=90),
                "finished_at": finished,
                "robot_seconds": 90.0,
                "human_seconds": float(human),
                "reviewer": "staff-01" if human else None,
            }
        )
    ledger.insert_many(rows)


@pytest.fixture
def inventory_path(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY, encoding="utf-8")
    return path


@pytest.fixture
def inventory(inventory_path: Path) -> Inventory:
    return load_inventory(inventory_path)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    """The hand-computed ledger, plus an item still in progress (it never counts)."""
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    insert_items(ledger, ITEMS)
    ledger.enqueue("alpha-sync", "a10")
    ledger.claim("alpha-sync", "a10", worker="w1")
    return ledger
