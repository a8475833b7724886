"""Legacy screens read as a person reads them, in real Chromium: labels in table cells,
radio buttons with bare text, era dates in four boxes, framesets, pop-ups, ``confirm()``,
Shift_JIS — against a small static site of our own (tests/robots/legacy_site.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from playwright.sync_api import Dialog, Page

from core.errors import ElementNotFound
from robots import (
    as_yaml_skeleton,
    click,
    fill_form,
    find_frame,
    inspect_screen,
    is_link,
    probe_screen,
    read_texts,
    screen_texts,
)
from tests.robots.legacy_site import LegacySite, legacy_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site() -> Iterator[LegacySite]:
    with legacy_site() as running:
        running.logged_in = True
        yield running


@pytest.fixture
def register(page: Page, site: LegacySite) -> Page:
    page.goto(site.url + "/register")
    return page


def _value(page: Page, name: str) -> str:
    return page.locator(f"[name={name}]").input_value()


def test_labels_in_th_and_td_cells_name_the_box_beside_them(register: Page) -> None:
    fill_form(
        register,
        # 氏名 has a red ※ after it, カナ氏名 a trailing ：; neither is part of the name
        {"個人番号": "123456789012", "氏名": "山田　太郎", "カナ氏名": "ヤマダ　タロウ"},
        system="資格管理",
    )
    assert _value(register, "f_kojin") == "123456789012"
    assert _value(register, "f_simei") == "山田　太郎"
    assert _value(register, "f_kana") == "ヤマダ　タロウ"


def test_radio_buttons_are_named_by_their_text_and_grouped_by_the_row_label(
    register: Page,
) -> None:
    fill_form(register, {"性別": "女"}, system="資格管理")
    assert register.locator("[name=f_sex][value='2']").is_checked()
    fill_form(register, {"男": True}, system="資格管理")
    assert register.locator("[name=f_sex][value='1']").is_checked()
    assert read_texts(register, "性別", system="資格管理") == ["男"]


def test_an_era_select_and_its_date_boxes_are_named_by_the_row_and_their_units(
    register: Page,
) -> None:
    fill_form(
        register,
        {"生年月日": "平成", "生年月日 年": "5", "生年月日 月": "4", "生年月日 日": "1"},
        system="資格管理",
    )
    assert register.locator("[name=f_bd_g]").input_value() == "4"  # 平成's code
    assert [_value(register, f"f_bd_{u}") for u in "ymd"] == ["5", "4", "1"]


def test_checkbox_text_placeholder_and_title_name_boxes_without_a_label(register: Page) -> None:
    fill_form(register, {"郵送希望": True, "電話番号": "03-1234-5678", "メモ": "至急"},
              system="資格管理")  # fmt: skip
    assert register.locator("[name=f_mail]").is_checked()
    assert _value(register, "f_tel") == "03-1234-5678"
    assert _value(register, "f_memo") == "至急"


def test_an_explicit_label_outranks_a_name_read_from_the_layout(page: Page) -> None:
    page.set_content(
        '<label for="a">氏名</label><input id="a">'
        "<table><tr><th>氏名</th><td><input id='b'></td></tr></table>"
    )
    fill_form(page, {"氏名": "山田"}, system="テスト")
    assert page.locator("#a").input_value() == "山田"
    assert page.locator("#b").input_value() == ""


def test_an_ambiguous_name_is_refused_naming_candidates_and_rows_never_values(
    page: Page, site: LegacySite
) -> None:
    page.goto(site.url + "/ambiguous")
    with pytest.raises(ElementNotFound) as error:
        fill_form(page, {"住所": "東京都千代田区", "氏名": "山田"}, system="異動")
    assert "「住所」複数あります（候補: 住所 (3行目), 住所 (9行目)）" in error.value.message
    assert "東京都" not in error.value.message
    assert page.locator("[name=b]").input_value() == ""  # no 住所 was guessed
    assert page.locator("[name=g]").input_value() == ""
    with pytest.raises(ElementNotFound, match=r"「確認」複数あります（候補: 確認 \(1番目\), 確認"):
        click(page, "確認", system="異動", timeout_ms=300)
    with pytest.raises(ElementNotFound, match="「送信」ボタンが見つかりません"):
        click(page, "送信", system="異動", timeout_ms=300)
    assert probe_screen(page, fields=["氏名", "住所"], buttons=["確認"]) == [
        "「住所」複数あります（候補: 住所 (3行目), 住所 (9行目)）",
        "「確認」複数あります（候補: 確認 (1番目), 確認 (2番目)）",
    ]


def test_frames_are_found_by_name_or_title_and_filled_like_a_page(
    page: Page, site: LegacySite
) -> None:
    page.goto(site.url + "/frame")
    menu, main = find_frame(page, "menu"), find_frame(page, "main")
    assert find_frame(page, "業務画面") is main  # the frame's title
    with pytest.raises(
        ElementNotFound, match=r"「本文」が見つかりません（あるフレーム: menu, main）"
    ):
        find_frame(page, "本文")
    assert is_link(menu, "資格取得届 登録")
    with main.expect_navigation():
        click(menu, "資格取得届 登録", system="資格管理")
    fill_form(main, {"個人番号": "123456789012"}, system="資格管理")
    assert main.locator("[name=f_kojin]").input_value() == "123456789012"


def test_a_pop_up_fills_its_opener_and_confirm_is_answered_before_kanji_and_hankaku_kana_post(
    page: Page, site: LegacySite
) -> None:
    page.goto(site.url + "/frame")
    main = find_frame(page, "main")
    with main.expect_navigation():
        click(find_frame(page, "menu"), "資格取得届 登録", system="資格管理")
    fill_form(main, {"氏名": "髙橋　﨑子", "カナ氏名": "ﾀｶﾊｼ ｻｷｺ", "性別": "女"}, system="資格管理")
    with page.expect_popup() as opened:
        click(main, "住所検索", system="資格管理")
    popup = opened.value
    with popup.expect_event("close"):
        click(popup, "選択", system="資格管理")
    assert read_texts(main, "住所", system="資格管理") == ["東京都千代田区千代田"]

    asked: list[str] = []

    def cancel(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", cancel)
    click(main, "登録", system="資格管理")
    page.wait_for_timeout(100)  # a dismissed confirm(): nothing is sent
    assert asked == ["登録します。よろしいですか？"] and site.posted == []

    page.once("dialog", lambda dialog: dialog.accept())
    with main.expect_navigation():
        click(main, "登録", system="資格管理")
    assert read_texts(main, "受付番号", system="資格管理") == ["R-0001"]
    posted = site.posted.pop()
    assert posted["f_simei"] == "髙橋　﨑子"  # cp932's IBM extensions, as a legacy site gets them
    assert posted["f_kana"] == "ﾀｶﾊｼ ｻｷｺ"
    assert posted["f_jusyo"] == "東京都千代田区千代田"
    assert posted["f_sex"] == "2"


def test_read_texts_reads_a_label_cell_and_a_results_column(page: Page, site: LegacySite) -> None:
    page.goto(site.url + "/search")
    assert read_texts(page, "保険者番号", system="資格管理") == ["12345678"]
    assert read_texts(page, "状態", system="資格管理") == ["有効"]
    assert read_texts(page, "被保険者番号", system="資格管理") == ["00000001", "00000002"]
    assert read_texts(page, "氏名", system="資格管理") == ["山田 太郎", "山田 花子"]
    assert read_texts(page, "受付番号", system="資格管理") == []  # a table with only its header
    with pytest.raises(ElementNotFound, match="「世帯番号」見つかりません"):
        read_texts(page, "世帯番号", system="資格管理")
    assert screen_texts(page, "font[color=red]") == ["生年月日を確認してください"]


def test_inspect_lists_each_frame_and_its_skeleton_fills_the_page(
    page: Page, site: LegacySite
) -> None:
    page.goto(site.url + "/frame")
    main = find_frame(page, "main")
    with main.expect_navigation():
        click(find_frame(page, "menu"), "資格取得届 登録", system="資格管理")
    inspection = inspect_screen(page)
    assert [frame.name for frame in inspection.frames] == [None, "menu", "main"]
    top, menu, shown = inspection.frames
    assert top.frames == ("menu", "main") and not top.fields
    assert [(b.name, b.link) for b in menu.buttons] == [("被保険者検索", True),
                                                       ("資格取得届 登録", True)]  # fmt: skip
    buttons = {b.name: b for b in shown.buttons}
    assert buttons["住所検索"].opens_popup and not buttons["住所検索"].asks_confirm
    assert buttons["登録"].asks_confirm and not buttons["登録"].opens_popup
    fields = {f.name: f for f in shown.fields}
    assert fields["性別"].kind == "radio group" and fields["性別"].choices == ("男", "女")
    assert fields["生年月日"].choices == ("昭和", "平成", "令和")
    assert fields["個人番号"].maxlength == 12

    skeleton = as_yaml_skeleton(inspection)
    assert "# frame main — 資格取得届 登録\n- fill:\n    個人番号: " in skeleton
    assert "# buttons: 住所検索 (opens a pop-up), 登録 (asks confirm()), クリア" in skeleton
    steps = yaml.safe_load(skeleton)
    assert [step["frame"] for step in steps] == ["main"]
    names = steps[0]["fill"]
    assert list(names)[:8] == ["個人番号", "氏名", "カナ氏名", "性別",
                               "生年月日", "生年月日 年", "生年月日 月", "生年月日 日"]  # fmt: skip
    values: dict[str, Any] = {}
    for name, blank in names.items():
        field = fields[name]
        values[name] = field.choices[-1] if field.choices else True if blank is False else "7"
    fill_form(main, values, system="資格管理")
    for name, value in values.items():
        read = read_texts(main, name, system="資格管理")
        assert read == [name if value is True else value], name
