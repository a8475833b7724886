"""Tests only: paper-intake with every confidence threshold at 0, so most forms need no person.

The generated test forms rarely have every field accepted at the calibrated thresholds, so a
test of the path where nothing needs a person lowers them (and says so). The scenario's
folder is copied with ``thresholds.yaml`` zeroed, and the template loader pointed at it.
Run as ``python -m tests.flows._lowered_thresholds SCENARIOS_DIR jimu-args…`` for a
subprocess, or use :func:`lowered_scenarios` with ``monkeypatch`` in-process.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def lowered_scenarios(folder: Path) -> Path:
    """A copy of ``scenarios/paper-intake`` under ``folder`` with every threshold 0."""
    target = folder / "paper-intake"
    shutil.copytree(REPO / "scenarios" / "paper-intake", target, dirs_exist_ok=True)
    path = target / "thresholds.yaml"
    thresholds = yaml.safe_load(path.read_text(encoding="utf-8"))
    for table in ("by_kind", "by_rule"):
        thresholds[table] = dict.fromkeys(thresholds[table], 0.0)
    path.write_text(yaml.safe_dump(thresholds, allow_unicode=True), encoding="utf-8")
    return folder


def main(argv: list[str]) -> int:
    import ocr._template
    from cli._main import main as jimu

    ocr._template.SCENARIOS = Path(argv[0])
    return jimu(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
