"""The table-to-form flow on the legacy sandbox: a Python hook where YAML cannot say it, and a
run that stops before row 1 when the screens no longer fit its steps."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from cli._main import main
from core.errors import ConfigError
from core.ledger import Ledger, Status
from core.settings import get_settings
from sandbox import RunningSandbox, admin_headers
from sandbox.legacy import inspect_legacy

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = "kokuho-hooked"
HOOKS = '''"""What YAML cannot say: the address the 住所検索 pop-up chose must begin the row's."""

from collections.abc import Mapping
from typing import Any

from core.errors import InvalidInput
from robots import Target, read_texts


def address_matches(target: Target, row: Mapping[str, Any]) -> None:
    (chosen,) = read_texts(target, "住所", system="資格管理システム")
    if not str(row["住所"]).startswith(chosen):
        raise InvalidInput("郵便番号から選んだ住所と一覧表の住所が合いません", code="address")
'''


@pytest.fixture
def scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A scenario written by `jimu new` in a copy of the scenarios folder, with a hook."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copy(ROOT / "inventory.yaml", tmp_path / "inventory.yaml")
    monkeypatch.setenv("JIMU_SCENARIOS_DIR", str(tmp_path / "scenarios"))
    monkeypatch.setenv("JIMU_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    get_settings.cache_clear()
    assert main(["new", SCENARIO, "--from", "table-to-form", "--inventory",
                 str(tmp_path / "inventory.yaml"), "--minutes-per-item", "3",
                 "--items-per-year", "100"]) == 0  # fmt: skip
    folder = tmp_path / "scenarios" / SCENARIO
    (folder / "hooks.py").write_text(HOOKS, encoding="utf-8")
    steps = folder / "steps.yaml"
    text = steps.read_text(encoding="utf-8")
    anchor = "      - click: 選択               # fills 住所 in the form and closes itself\n"
    assert anchor in text
    steps.write_text(text.replace(anchor, anchor + "  - call: address_matches\n    frame: main\n"),
                     encoding="utf-8")  # fmt: skip
    workbook = load_workbook(folder / "sample.xlsx")
    workbook.active["H3"] = "東京都港区芝公園４－２－８"  # T0002: not where 1000001 is
    workbook.save(folder / "sample.xlsx")
    yield folder
    get_settings.cache_clear()


@pytest.mark.usefixtures("prefect_harness")
def test_a_hook_refuses_a_row_with_its_reason_and_the_rest_go_on(
    scenario: Path, sandbox: RunningSandbox
) -> None:
    from flows.table_to_form import table_to_form

    summary = table_to_form(scenario=SCENARIO, target_url=sandbox.legacy_url)
    assert summary["registered_new"] == 2 and summary["business_failures"] == 1
    item = Ledger().get(SCENARIO, "T0002")
    assert item is not None and item.status is Status.BUSINESS_FAILURE
    assert "住所が合いません" in (item.reason or "")
    assert inspect_legacy(sandbox.paths.legacy_db).records == 2


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_stops_before_row_one_when_a_label_was_renamed(
    scenario: Path, sandbox: RunningSandbox
) -> None:
    from flows.table_to_form import table_to_form

    renamed = {"f_kana": "フリガナ（半角）"}
    answer = httpx.put(f"{sandbox.legacy_url}/admin/labels.json", json=renamed,
                       headers=admin_headers())  # fmt: skip
    assert answer.status_code == 200
    with pytest.raises(ConfigError) as stopped:
        table_to_form(scenario=SCENARIO, target_url=sandbox.legacy_url)
    assert "「氏名カナ」見つかりません" in stopped.value.message
    assert "1件も処理していません" in stopped.value.message
    assert list(Ledger().items(SCENARIO)) == []
    assert inspect_legacy(sandbox.paths.legacy_db).records == 0


def test_a_call_to_a_missing_hook_is_named_by_inventory_check(scenario: Path) -> None:
    from flows.table_to_form import check_scenario_folder

    (scenario / "hooks.py").write_text("def other(target, row):\n    pass\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no function 'address_matches'"):
        check_scenario_folder(scenario)
