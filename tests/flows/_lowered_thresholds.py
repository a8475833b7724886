"""Tests only: scenarios with every confidence threshold of paper-intake at 0, so most
generated forms need no person.

The generated test forms rarely have every field accepted at the calibrated thresholds, so a
test of the path where nothing needs a person lowers them (and says so): the scenarios
folder is copied with ``paper-intake/thresholds.yaml`` zeroed, and jimu pointed at the copy
(``JIMU_SCENARIOS_DIR``, a setting like any other).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def lowered_scenarios(folder: Path) -> Path:
    """A copy of ``scenarios/`` at ``folder`` with every paper-intake threshold 0."""
    shutil.copytree(REPO / "scenarios", folder, dirs_exist_ok=True)
    path = folder / "paper-intake" / "thresholds.yaml"
    thresholds = yaml.safe_load(path.read_text(encoding="utf-8"))
    for table in ("by_kind", "by_rule"):
        thresholds[table] = dict.fromkeys(thresholds[table], 0.0)
    path.write_text(yaml.safe_dump(thresholds, allow_unicode=True), encoding="utf-8")
    return folder
