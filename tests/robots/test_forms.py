"""fill_form in real Chromium: fields found by label within named groups, checked like
Playwright's own actions, and refused clearly (naming fields, never values)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from core.errors import ElementNotFound, InvalidInput
from robots._forms import fill_form
from robots._runtime import RobotWorker

pytestmark = pytest.mark.browser

FORM = """<html lang="ja"><body><form>
<label for="name">請求者氏名</label><input id="name">
<fieldset><legend>生年月日</legend>
  <label for="era">元号</label><select id="era"><option value="">--</option>
    <option value="令和">令和</option><option value="平成">平成</option></select>
  <label for="year">年</label><select id="year"><option value="">--</option>
    <option value="5">5</option></select>
</fieldset>
<fieldset><legend>性別</legend>
  <input type="radio" id="g1" name="g" value="男"><label for="g1">男</label>
  <input type="radio" id="g2" name="g" value="女"><label for="g2">女</label>
</fieldset>
<fieldset><legend>児童1</legend>
  <label for="c1">氏名</label><input id="c1">
  <input type="checkbox" id="t1"><label for="t1">同居</label>
</fieldset>
<fieldset><legend>児童2</legend>
  <label for="c2">氏名</label><input id="c2" value="前の値">
  <input type="checkbox" id="t2" checked><label for="t2">同居</label>
</fieldset>
<label for="memo">備考</label><textarea id="memo"></textarea>
<label for="locked">受付番号</label><input id="locked" readonly>
<label for="gone">旧住所</label><input id="gone" style="display:none">
</form>
<script>
  window.events = [];
  document.addEventListener("input", (e) => events.push("input:" + e.target.id));
  document.addEventListener("change", (e) => events.push("change:" + e.target.id));
</script></body></html>"""


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    with RobotWorker(scenario="test", evidence_dir=tmp_path) as worker:
        worker.page.set_content(FORM)
        yield worker.page


def test_sets_every_kind_of_field_by_label_and_fires_events(page: Page) -> None:
    fill_form(
        page,
        {
            "請求者氏名": "山田　太郎",
            "生年月日": {"元号": "平成", "年": "5"},
            "性別": "女",
            "児童1": {"氏名": "山田　花子", "同居": True},
            "児童2": {"氏名": "", "同居": False},
            "備考": "二行\nの備考",
        },
        system="テスト",
    )
    assert page.locator("#name").input_value() == "山田　太郎"
    assert page.locator("#era").input_value() == "平成"
    assert page.locator("#year").input_value() == "5"
    assert page.get_by_label("女", exact=True).is_checked()
    assert not page.get_by_label("男", exact=True).is_checked()
    assert page.locator("#c1").input_value() == "山田　花子"
    assert page.locator("#t1").is_checked()
    assert page.locator("#c2").input_value() == ""
    assert not page.locator("#t2").is_checked()
    assert page.locator("#memo").input_value() == "二行\nの備考"
    events = page.evaluate("window.events")
    assert "input:name" in events and "change:name" in events
    assert "change:era" in events and "change:t1" in events and "change:g2" in events


def test_a_name_found_twice_is_refused_not_guessed(page: Page) -> None:
    # "氏名" and "同居" are in both 児童 groups: only a group makes each one field.
    with pytest.raises(ElementNotFound) as error:
        fill_form(page, {"氏名": "山田　花子", "同居": True}, system="テスト")
    # each candidate named by its group and place, so a person sees how to tell them apart
    assert (
        "「氏名」複数あります（候補: 児童1 › 氏名 (1番目), 児童2 › 氏名 (2番目)）"
        " / 「同居」複数あります" in error.value.message
    )
    assert not page.locator("#t1").is_checked()


def test_missing_hidden_and_read_only_fields_are_element_not_found(page: Page) -> None:
    with pytest.raises(ElementNotFound) as error:
        fill_form(
            page,
            {"電話番号": "03-1234-5678", "旧住所": "東京都", "受付番号": "R1"},
            system="テスト",
            timeout_ms=300,
        )
    message = error.value.message
    assert "「電話番号」見つかりません" in message
    assert "「旧住所」表示されていません" in message
    assert "「受付番号」入力できません" in message
    assert "03-1234-5678" not in message and "東京都" not in message


def test_a_choice_the_screen_does_not_offer_is_a_business_error(page: Page) -> None:
    with pytest.raises(InvalidInput) as error:
        fill_form(page, {"生年月日": {"元号": "大正"}, "性別": "不明"}, system="テスト")
    assert "「生年月日 › 元号」指定の選択肢がありません" in error.value.message
    assert "「性別」指定の選択肢がありません" in error.value.message
    assert "大正" not in error.value.message


def test_waits_for_a_field_drawn_late(page: Page) -> None:
    page.evaluate(
        """() => setTimeout(() => {
            document.querySelector("form").insertAdjacentHTML(
                "beforeend", '<label for="late">電話番号</label><input id="late">');
        }, 200)"""
    )
    fill_form(page, {"請求者氏名": "山田　太郎", "電話番号": "03-1234-5678"}, system="テスト")
    assert page.locator("#late").input_value() == "03-1234-5678"
