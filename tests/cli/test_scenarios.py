"""``jimu scenarios`` finds scenario folders by itself; ``jimu run`` runs any of them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The repo's scenarios, whatever they are: adding one must not mean editing this test.
SCENARIOS = sorted(p.parent.name for p in (ROOT / "scenarios").glob("*/scenario.yaml"))


def _jimu(*args: str, scenarios: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if scenarios is not None:
        env["JIMU_SCENARIOS_DIR"] = str(scenarios)
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


def test_a_copied_folder_is_listed_without_touching_the_framework(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", scenarios)
    copy = scenarios / "paper-intake-west"
    shutil.copytree(scenarios / "paper-intake", copy)
    yaml = copy / "scenario.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "id: paper-intake\n", "id: paper-intake-west\n"), encoding="utf-8")  # fmt: skip

    listed = _jimu("scenarios", scenarios=scenarios)
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()[1:]}
    assert set(rows) == {*SCENARIOS, "paper-intake-west"}
    assert "（台帳に未登録）" in rows["paper-intake-west"]  # not yet in inventory.yaml
    assert "開発中" in rows["paper-intake"] and "jimu run" in rows["paper-intake"]


def test_run_names_what_is_wrong_in_one_line() -> None:
    unknown = _jimu("run", "no-such-scenario")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        f"jimu: error: no scenario 'no-such-scenario' (scenarios: {', '.join(SCENARIOS)})"
    )
    wrong = _jimu("run", "paper-intake", "-p", "colour=red")
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("jimu: error: -p colour: not a parameter of paper-intake (")
    assert "batch" in wrong.stderr and "Traceback" not in wrong.stderr


def test_a_scenario_whose_flow_is_a_file_of_its_folder_runs(
    tmp_path: Path, prefect_home: Path
) -> None:
    """``flow: flow.py:main``: plain Python inside the scenario's folder, run by ``jimu run``
    on Prefect's local mode, given its own id."""
    scenarios = tmp_path / "scenarios"
    folder = scenarios / "hello-counter"
    folder.mkdir(parents=True)
    (folder / "scenario.yaml").write_text(
        "id: hello-counter\nname: 窓口件数の集計\ndepartment: 市民課\nflow: flow.py:main\n",
        encoding="utf-8",
    )
    (folder / "flow.py").write_text(
        "from prefect import flow\n\n\n"
        "@flow(name='hello-counter')\n"
        "def main(scenario: str = 'unset', count: int = 1) -> dict[str, object]:\n"
        "    return {'scenario': scenario, 'doubled': count * 2}\n",
        encoding="utf-8",
    )
    env_home = {"PREFECT_HOME": str(prefect_home), "JIMU_DATA_DIR": str(tmp_path / "d")}
    result = subprocess.run(
        [sys.executable, "-m", "cli", "run", "hello-counter", "-p", "count=21"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
        | env_home | {"JIMU_SCENARIOS_DIR": str(scenarios)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "hello-counter: scenario: hello-counter" in result.stdout
    assert "hello-counter: doubled: 42" in result.stdout


def test_a_config_error_inside_a_flow_is_one_line_not_a_traceback(
    tmp_path: Path, prefect_home: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli", "run", "paper-intake", "-p", f"batch={tmp_path / 'none'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
        | {"PREFECT_HOME": str(prefect_home), "JIMU_DATA_DIR": str(tmp_path / "d")},
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert "jimu: error: batch: the folder does not exist or is not a folder" in result.stderr
