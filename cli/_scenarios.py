"""``jimu scenarios``: every scenario folder, with its status from the inventory."""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add ``jimu scenarios`` to the parser."""
    scenarios = commands.add_parser(
        "scenarios", help="list the scenarios (folders under scenarios/) and their status"
    )
    scenarios.add_argument("--inventory", type=Path, default=Path("inventory.yaml"),
                           help="the register (default: ./inventory.yaml)")  # fmt: skip
    scenarios.set_defaults(handler=_list)


def _list(args: argparse.Namespace) -> int:
    from core.inventory import load_inventory
    from core.scenario import discover_scenarios, load_scenario

    inventory = load_inventory(args.inventory) if args.inventory.is_file() else None
    rows = [("ID", "状態", "担当課", "実行", "対象システム")]
    for scenario_id in discover_scenarios():
        config = load_scenario(scenario_id)
        entry = inventory.scenario(scenario_id) if inventory else None
        rows.append((
            config.id,
            entry.status.value if entry else "（台帳に未登録）",
            config.department,
            "jimu run" if config.flow else "—",
            ", ".join(config.systems) or "—",
        ))  # fmt: skip
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell + " " * (width - _width(cell))
                        for cell, width in zip(row, widths, strict=True)).rstrip())  # fmt: skip
    return 0


def _width(text: str) -> int:
    """Columns a terminal gives ``text`` (全角 characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
