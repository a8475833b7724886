"""The authoring kit on the sandbox's legacy 資格管理システム (Shift_JIS, frames, table layouts):
`jimu inspect` prints, for each screen, names that fill it; `jimu check` passes, then fails
naming the field and the screen once an upgrade renames a label; `jimu new` writes a
table-to-form scenario that runs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from playwright.sync_api import Page, sync_playwright

from cli._main import main
from core.identifiers import my_number_check_digit
from core.inventory import ScenarioStatus, load_inventory
from core.secrets import get_secret
from core.settings import get_settings
from core.systems import load_system
from flows.declared import Step
from robots import click, fill_form, find_frame, launch_chromium, read_texts, screen_texts
from sandbox import RunningSandbox, admin_headers
from sandbox.legacy import inspect_legacy

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SYSTEM = "kokuho-system"
_FIRST = "12345678901"
MY_NUMBER = _FIRST + str(my_number_check_digit(_FIRST))
# What a scenario would write under each name `jimu inspect` prints for the register screen.
REGISTER_VALUES = {
    "個人番号": MY_NUMBER, "氏名": "見本　一郎", "氏名カナ": "ﾐﾎﾝ ｲﾁﾛｳ", "性別": "男",
    "生年月日": "昭和", "生年月日 年": "55", "生年月日 月": "4", "生年月日 日": "1",
    "郵便番号": "1000001", "住所": "東京都千代田区千代田１－１",
    "資格取得日": "令和", "資格取得日 年": "8", "資格取得日 月": "4", "資格取得日 日": "1",
    "取得事由": "転入",
}  # fmt: skip


def _inspect(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, str]:
    """Run `jimu inspect`; the fields of its one fill step, which is a steps.yaml step."""
    assert main(["inspect", *argv]) == 0
    (step,) = yaml.safe_load(capsys.readouterr().out)
    assert Step.model_validate(step).fill is not None  # pasted as printed, it is a step
    fields: dict[str, str] = step["fill"]
    return fields


def _log_in(page: Page, url: str) -> None:
    page.goto(url + "/")
    password = get_secret("sandbox-legacy-password")
    fill_form(page, {"ユーザーID": load_system(SYSTEM).username, "パスワード": password},
              system=SYSTEM)  # fmt: skip
    with page.expect_navigation():
        click(page, "ログイン", system=SYSTEM)


def test_each_screen_inspected_is_filled_by_the_names_printed(
    sandbox: RunningSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sandbox.legacy_url
    login = _inspect(capsys, url + "/")
    search = _inspect(capsys, url + "/frame", "--system", SYSTEM,
                      "--click", "被保険者検索", "--frame", "main")  # fmt: skip
    register = _inspect(capsys, url + "/frame", "--system", SYSTEM,
                        "--click", "資格取得届 登録", "--frame", "main")  # fmt: skip
    assert set(login) == {"ユーザーID", "パスワード"}
    assert set(search) == {"個人番号"}
    assert set(register) == set(REGISTER_VALUES)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, headless=True)
        try:
            page = browser.new_context(locale="ja-JP").new_page()
            _log_in(page, url)  # the login screen, by the names printed for it
            assert {f.name for f in page.frames} >= {"menu", "main"}
            click(find_frame(page, "menu"), "資格取得届 登録", system=SYSTEM)
            main_frame = find_frame(page, "main")
            main_frame.wait_for_url("**/register")
            fill_form(main_frame, {name: REGISTER_VALUES[name] for name in register},
                      system=SYSTEM)  # fmt: skip
            page.once("dialog", lambda dialog: dialog.accept())
            with page.expect_event("framenavigated"):
                click(main_frame, "登録", system=SYSTEM)
            main_frame.wait_for_load_state()
            assert screen_texts(main_frame, "font[color=red]") == []
            (number,) = read_texts(main_frame, "被保険者番号", system=SYSTEM)

            click(find_frame(page, "menu"), "被保険者検索", system=SYSTEM)
            main_frame.wait_for_url("**/search")
            fill_form(main_frame, {name: MY_NUMBER for name in search}, system=SYSTEM)
            with page.expect_event("framenavigated"):
                click(main_frame, "検索", system=SYSTEM)
            main_frame.wait_for_load_state()
            assert read_texts(main_frame, "被保険者番号", system=SYSTEM) == [number]
        finally:
            browser.close()
    assert inspect_legacy(sandbox.paths.legacy_db).insured_nos_of(MY_NUMBER) == (number,)


def test_check_passes_then_names_the_field_and_screen_an_upgrade_renamed(
    sandbox: RunningSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["check", "kokuho-shikaku", "--target-url", sandbox.legacy_url]
    assert main(argv) == 0
    assert "OK" in capsys.readouterr().out
    answer = httpx.put(f"{sandbox.legacy_url}/admin/labels.json", headers=admin_headers(),
                       json={"f_kana": "フリガナ（半角）"})  # fmt: skip
    assert answer.status_code == 200
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "register 2: fill (frame main): 「氏名カナ」見つかりません" in out
    assert "1 problem(s)" in out
    assert inspect_legacy(sandbox.paths.legacy_db).records == 0  # nothing was sent


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A city's own scenarios folder and register (copies of the repo's)."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copy(ROOT / "inventory.yaml", tmp_path / "inventory.yaml")
    monkeypatch.setenv("JIMU_SCENARIOS_DIR", str(tmp_path / "scenarios"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.usefixtures("prefect_harness")
def test_new_writes_a_table_to_form_scenario_that_runs_against_the_sandbox(
    office: Path, sandbox: RunningSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.table_to_form import table_to_form

    inventory = office / "inventory.yaml"
    argv = ["new", "kokuho-mihon", "--from", "table-to-form", "--name", "国保 見本",
            "--department", "保険年金課", "--inventory", str(inventory)]  # fmt: skip
    assert main(argv) == 2  # the measured time and the forecast are asked for first
    assert "--minutes-per-item" in capsys.readouterr().err
    assert main([*argv, "--minutes-per-item", "5", "--items-per-year", "1200"]) == 0
    assert "jimu check kokuho-mihon" in capsys.readouterr().out
    folder = office / "scenarios" / "kokuho-mihon"
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert written == {"scenario.yaml", "steps.yaml", "sample.xlsx",
                       "tests/test_kokuho_mihon.py"}  # fmt: skip
    entry = load_inventory(inventory).scenario("kokuho-mihon")
    assert entry is not None and entry.status is ScenarioStatus.DEVELOPMENT
    assert entry.forecast.hours_per_year == 100.0
    assert main([*argv, "--minutes-per-item", "5", "--items-per-year", "1"]) == 2  # no overwrite
    assert "already exists" in capsys.readouterr().err

    dry = table_to_form(scenario="kokuho-mihon", target_url=sandbox.legacy_url, dry_run=True)
    assert dry["dry_run_ready"] == 3 and inspect_legacy(sandbox.paths.legacy_db).records == 0
    first = table_to_form(scenario="kokuho-mihon", target_url=sandbox.legacy_url)
    assert first["registered_new"] == 3 and first["business_failures"] == 0
    assert inspect_legacy(sandbox.paths.legacy_db).records == 3

    copied = ["new", "kokuho-west", "--from", "kokuho-shikaku", "--inventory", str(inventory),
              "--minutes-per-item", "4", "--items-per-year", "900"]  # fmt: skip
    assert main(copied) == 0
    west = office / "scenarios" / "kokuho-west"
    assert (west / "資格取得届一覧.xlsx").is_file()
    test = west / "tests" / "test_kokuho_west.py"  # the copy's test tests the copy
    assert 'SCENARIO = "kokuho-west"' in test.read_text(encoding="utf-8")
    assert not (west / "tests" / "test_kokuho_shikaku.py").exists()
    assert "id: kokuho-west\n" in (office / "scenarios/kokuho-west/scenario.yaml").read_text(
        encoding="utf-8"
    )
