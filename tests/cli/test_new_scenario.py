"""A new scenario is one folder: copy one, change its id (and its inbox), add it to the
inventory — nothing else — and jimu lists it, runs it as itself and deploys it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from core.inventory import load_inventory
from core.ledger import Ledger
from core.settings import get_settings
from review import ReviewStore
from tests.flows._paper import drop_scans

ROOT = Path(__file__).resolve().parents[2]
NEW = "paper-intake-west"


@pytest.fixture
def office(
    tmp_path: Path, prefect_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A city's own scenarios folder and register: the repo's, plus a copied scenario
    (and ``prefect/``, its Prefect home)."""
    scenarios = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", scenarios)
    folder = scenarios / NEW
    shutil.copytree(scenarios / "paper-intake", folder)
    yaml = folder / "scenario.yaml"
    text = yaml.read_text(encoding="utf-8")
    text = text.replace("id: paper-intake\n", f"id: {NEW}\n")
    text = text.replace("folder: inbox/paper-intake\n", f"folder: inbox/{NEW}\n")
    yaml.write_text(text, encoding="utf-8")
    inventory = (ROOT / "inventory.yaml").read_text(encoding="utf-8")
    (tmp_path / "inventory.yaml").write_text(
        inventory.replace("scenarios:\n", "scenarios:\n" + _entry(inventory, "paper-intake")
                          .replace("id: paper-intake\n", f"id: {NEW}\n"), 1),
        encoding="utf-8")  # fmt: skip
    monkeypatch.setenv("JIMU_SCENARIOS_DIR", str(scenarios))
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.delenv("JIMU_SCENARIOS_DIR", raising=False)
    get_settings.cache_clear()


def _entry(inventory: str, scenario_id: str) -> str:
    """The lines of one scenario's entry in the register, as written."""
    lines = inventory.splitlines(keepends=True)
    start = lines.index(f"  - id: {scenario_id}\n")
    end = next(i for i in range(start + 1, len(lines))
               if lines[i].startswith("  - ") or not lines[i].startswith(" "))  # fmt: skip
    return "".join(lines[start:end])


def _jimu(office: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")} | {
        "JIMU_SCENARIOS_DIR": str(office / "scenarios"),
        "JIMU_DATA_DIR": str(office / "data"),
        "JIMU_LEDGER_URL": f"sqlite:///{office / 'ledger.sqlite3'}",
        "PREFECT_HOME": str(office / "prefect"),
    }
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=office, env=env,
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip


def test_a_copied_scenario_is_listed_and_runs_as_itself(office: Path) -> None:
    assert load_inventory(office / "inventory.yaml").scenario(NEW) is not None
    listed = _jimu(office, "scenarios")
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if line.startswith(NEW + " "))
    assert "開発中" in row and "jimu run" in row

    batch = office / "batch"
    truths = drop_scans(batch, n=1, seed=41)
    run = _jimu(office, "run", NEW, "--batch", str(batch), "-p", f"today={date.today()}")
    assert run.returncode == 0, run.stdout + run.stderr
    ledger = Ledger(f"sqlite:///{office / 'ledger.sqlite3'}")
    assert {item.item_key for item in ledger.items(NEW)} == set(truths)  # its own items
    assert list(ledger.items("paper-intake")) == []
    store = ReviewStore(office / "data" / "review" / "review.sqlite3")
    assert {entry.scenario for entry in store.queue(user="", admin=True)} <= {NEW}
    assert list((office / "data" / "outputs" / NEW).glob("batch-*.xlsx"))


@pytest.mark.usefixtures("prefect_harness")
def test_a_copied_scenario_is_deployed_from_its_folder(office: Path) -> None:
    from prefect import get_client

    from orchestration.deployments import apply_deployments

    plans = apply_deployments(inventory=load_inventory(office / "inventory.yaml"),
                              start=date(2026, 4, 1))  # fmt: skip
    [plan] = [p for p in plans if p.spec.name == NEW]
    assert plan.full_name == f"paper-intake/{NEW}"
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(plan.full_name)
    assert deployment.parameters == {"scenario": NEW}
    assert deployment.tags[:2] == ["子育て支援課", NEW]
