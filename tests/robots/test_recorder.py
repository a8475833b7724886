"""The recorder on the sandbox's legacy 資格管理システム (Shift_JIS, frames, a pop-up, a
``confirm()``), headless: a person's clicks and fills become steps.yaml steps the robots
replay, with no typed text or password in them; ``jimu record`` refuses without a display."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError
from pydantic import TypeAdapter

from cli._main import main
from core.identifiers import my_number_check_digit
from core.secrets import get_secret
from core.systems import load_system
from flows.declared._model import Step
from robots import (
    Recorder,
    as_steps_yaml,
    click,
    fill_form,
    find_frame,
    read_texts,
    screen_texts,
)
from sandbox import RunningSandbox
from sandbox.legacy import inspect_legacy

pytestmark = pytest.mark.browser

SYSTEM = "kokuho-system"
_FIRST = "98765432101"
MY_NUMBER = _FIRST + str(my_number_check_digit(_FIRST))
NAME, KANA = "記録　花子", "ｷﾛｸ ﾊﾅｺ"
ADDRESS = "東京都千代田区千代田９－８－７"
TYPED = {
    "個人番号": MY_NUMBER, "氏名": NAME, "氏名カナ": KANA,
    "生年月日 年": "62", "生年月日 月": "11", "生年月日 日": "23", "郵便番号": "1000001",
    "住所": ADDRESS, "資格取得日 年": "7", "資格取得日 月": "10", "資格取得日 日": "14",
}  # fmt: skip

# What the person's session below is, as steps: the texts blank, the choices kept.
EXPECTED: list[dict[str, Any]] = [
    {"open": "/"},
    {"fill": {"ユーザーID": ""}},
    {"click": "ログイン"},
    {"click": "資格取得届 登録", "frame": "menu"},
    {"fill": {"個人番号": "", "氏名": "", "氏名カナ": "", "性別": "女", "生年月日": "昭和",
              "生年月日 年": "", "生年月日 月": "", "生年月日 日": "", "郵便番号": ""},
     "frame": "main"},
    {"click": "住所検索", "frame": "main", "popup": [{"click": "選択"}]},
    {"fill": {"住所": "", "資格取得日": "令和", "資格取得日 年": "",
              "資格取得日 月": "", "資格取得日 日": "", "取得事由": "転入"},
     "frame": "main"},
    {"click": "登録", "frame": "main", "dialog": "accept"},
]  # fmt: skip


def _by_name(name: str) -> str:
    return f"[name={name}]"


def _act_as_a_person(page: Page, url: str, password: str) -> None:
    """Log in and register one 資格取得届 with Playwright's own clicks, typing and choices."""
    page.goto(url + "/")
    page.locator(_by_name("f_uid")).fill(load_system(SYSTEM).username)
    page.locator(_by_name("f_pwd")).fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/frame")
    menu = page.frame_locator("frame[name=menu]")
    main = page.frame_locator("frame[name=main]")
    menu.get_by_role("link", name="資格取得届 登録").click()
    find_frame(page, "menu")  # the frameset is there
    find_frame(page, "main").wait_for_url("**/register")
    for field, text in [("f_kojin", MY_NUMBER), ("f_simei", NAME), ("f_kana", KANA)]:
        main.locator(_by_name(field)).fill(text)
    main.locator("[name=f_sex][value='2']").check()
    main.locator(_by_name("f_bd_g")).select_option(label="昭和")
    for field, text in [("f_bd_y", "62"), ("f_bd_m", "11"), ("f_bd_d", "23")]:
        main.locator(_by_name(field)).fill(text)
    main.locator(_by_name("f_zip")).fill("1000001")
    with page.expect_popup() as opened:
        main.get_by_role("button", name="住所検索").click()
    popup = opened.value
    popup.wait_for_load_state()
    with popup.expect_event("close"):
        try:
            popup.get_by_role("button", name="選択").click()
        except PlaywrightError:  # the button closes its own window (playwright#26900)
            if not popup.is_closed():
                raise
    main.locator(_by_name("f_jusyo")).fill(ADDRESS)  # the 番地 after the pop-up's town
    main.locator(_by_name("f_stk_g")).select_option(label="令和")
    for field, text in [("f_stk_y", "7"), ("f_stk_m", "10"), ("f_stk_d", "14")]:
        main.locator(_by_name(field)).fill(text)
    main.locator(_by_name("f_jiyu")).select_option(label="転入")
    main.get_by_role("button", name="登録").click()  # the recorder accepts its confirm()
    main.get_by_text("被保険者番号").wait_for()


def _replay(page: Page, steps: list[Step], values: Mapping[str, str], *, url: str,
            password: str) -> None:  # fmt: skip
    """Do ``steps`` with the robots' own click and fill_form, each blank text from
    ``values``; the password where the login's user is filled, as system.yaml gives it."""
    for step in steps:
        target = page if step.frame is None else find_frame(page, step.frame)
        if step.open is not None:
            page.goto(url + step.open)
        elif step.fill is not None:
            filled = {name: values[name] if value == "" else value
                      for name, value in step.fill.items()}  # fmt: skip
            if "ユーザーID" in filled:
                filled["パスワード"] = password
            fill_form(target, filled, system=SYSTEM)
        elif step.click is not None:
            if step.dialog == "accept":
                page.once("dialog", lambda dialog: dialog.accept())
            if step.popup is not None:
                with page.expect_popup() as opened:
                    click(target, step.click, system=SYSTEM)
                popup = opened.value
                popup.wait_for_load_state()
                with popup.expect_event("close"):  # its 選択 fills the form and closes it
                    _replay(popup, step.popup, values, url=url, password=password)
                continue
            if page.opener() is not None:
                click(target, step.click, system=SYSTEM)
                continue
            with page.expect_event("framenavigated") as navigated:
                click(target, step.click, system=SYSTEM)
            navigated.value.wait_for_load_state()
            page.wait_for_load_state()


def test_a_persons_session_becomes_steps_the_robots_replay_without_personal_data(
    sandbox: RunningSandbox, browser: Browser
) -> None:
    url = sandbox.legacy_url
    password = get_secret("sandbox-legacy-password")
    context = browser.new_context(locale="ja-JP")
    try:
        recorder = Recorder(context)
        _act_as_a_person(context.new_page(), url, password)
        text = as_steps_yaml(recorder.steps)
    finally:
        context.close()

    recorded = yaml.safe_load(text)
    assert recorded == EXPECTED
    in_screen_order = [list(step.get("fill", {})) for step in EXPECTED]
    assert [list(step.get("fill", {})) for step in recorded] == in_screen_order
    assert '氏名: ""' in text and "# text: set =列 or a fixed value" in text
    assert "# パスワード: not recorded" in text  # a reminder, never the password
    for typed in [password, MY_NUMBER, NAME, KANA, ADDRESS, "1000001", "千代田"]:
        assert typed not in text
    (number,) = inspect_legacy(sandbox.paths.legacy_db).insured_nos_of(MY_NUMBER)

    steps = TypeAdapter(list[Step]).validate_python(yaml.safe_load(text))
    values = {**TYPED, "ユーザーID": load_system(SYSTEM).username}
    context = browser.new_context(locale="ja-JP")
    try:
        page = context.new_page()
        _replay(page, steps, values, url=url, password=password)
        main = find_frame(page, "main")
        assert screen_texts(main, "font[color=red]") == []
        (again,) = read_texts(main, "被保険者番号", system=SYSTEM)
    finally:
        context.close()
    assert inspect_legacy(sandbox.paths.legacy_db).insured_nos_of(MY_NUMBER) == (number, again)


_ODD_SCREEN = """<html><body><form>
<table><tr><th>住所</th><td><input name="a1"></td></tr>
<tr><th>住所</th><td><input name="a2"></td></tr></table>
<fieldset><legend>連絡方法</legend><label><input type="radio" name="c" value="1">電話</label>
<label><input type="radio" name="c" value="2">郵送</label></fieldset>
<label><input type="checkbox" name="ok">同意する</label>
<input name="x">
<button type="button">確認</button> <button type="button">確認</button>
<button type="button" onclick="alert('!')"><img src="data:,"></button>
</form></body></html>"""


def test_names_the_robots_cannot_use_are_recorded_with_a_comment_saying_why(
    browser: Browser,
) -> None:
    context = browser.new_context(locale="ja-JP")
    context.route("http://recorder.test/**", lambda route: route.fulfill(
        body=_ODD_SCREEN, content_type="text/html; charset=utf-8"))  # fmt: skip
    try:
        recorder = Recorder(context)
        page = context.new_page()
        page.goto("http://recorder.test/form")
        page.locator("[name=a1]").fill("東京都")
        page.locator("[name=a2]").fill("大阪府")
        page.get_by_label("郵送").check()
        page.get_by_label("同意する").check()
        page.locator("[name=x]").fill("秘密")
        page.get_by_role("button", name="確認").first.click()
        page.locator("button:has(img)").click()  # its alert() is answered, not recorded
        page.goto("http://recorder.test/form?id=123")
        text = as_steps_yaml(recorder.steps)
    finally:
        context.close()

    assert yaml.safe_load(text) == [
        {"open": "/form"},
        {"fill": {"住所": "", "連絡方法": "郵送", "同意する": True, "": ""}},
        {"click": "確認"},
        {"click": ""},
        {"open": "/form"},
    ]
    lines = text.splitlines()
    assert any(line.startswith('    住所: ""') and "# 要確認: 「住所」複数あります（候補: "
               "住所 (1行目), 住所 (2行目)）" in line for line in lines)  # fmt: skip
    assert any(line.startswith('    "": ""') and "# 要確認: 名前がありません" in line
               for line in lines)  # fmt: skip
    ambiguous = "# 要確認: 「確認」複数あります（候補: 確認 (1番目), 確認 (2番目)）"
    assert f"- click: 確認   {ambiguous}" in lines
    assert any(line.startswith('- click: ""') and "要確認: 名前がありません" in line
               for line in lines)  # fmt: skip
    assert "- open: /form   # the address had a query after ?, not recorded" in lines
    for typed in ["東京都", "大阪府", "秘密", "123"]:
        assert typed not in text


def test_record_without_a_display_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["record", "http://127.0.0.1:9/"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("jimu: error: jimu record opens a browser window and needs a display")
    assert "jimu inspect URL" in line
    assert list(tmp_path.iterdir()) == []


def test_record_never_overwrites_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISPLAY", ":99")  # checked before any window would open
    kept = tmp_path / "steps.yaml"
    kept.write_text("# mine\n", encoding="utf-8")
    assert main(["record", "http://127.0.0.1:9/", "--out", str(kept)]) == 2
    assert "already exists: not overwritten" in capsys.readouterr().err
    assert kept.read_text(encoding="utf-8") == "# mine\n"
