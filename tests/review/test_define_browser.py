"""The form-definition screen in real Chromium: an RPA担当 draws a missing field on the blank
with the mouse, names it, nudges it with a key, saves, and the saved template reads it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from core.settings import get_settings
from ocr import load_template, read_document
from review import Role, RunningReview, serve_review_in_background
from sandbox.paper_samples import generate_samples
from tests.review.conftest import PASSWORD

pytestmark = pytest.mark.browser
REPO_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "paper-intake"
RPA = "rpa1"
FORM = "paper-intake"


@pytest.fixture
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the paper-intake form whose template lacks the フリガナ field (the printed
    form still has its box)."""
    folder = tmp_path / "scenarios" / FORM
    folder.mkdir(parents=True)
    for name in ("thresholds.yaml", "form.pdf"):
        shutil.copy(REPO_SCENARIO / name, folder / name)
    text = (REPO_SCENARIO / "template.yaml").read_text(encoding="utf-8")
    without = re.sub(r"^  - \{name: name_kana,.*\n", "", text, flags=re.MULTILINE)
    assert without != text
    (folder / "template.yaml").write_text(without, encoding="utf-8")
    monkeypatch.setenv("JIMU_SCENARIOS_DIR", str(folder.parent))
    get_settings.cache_clear()
    yield folder.parent
    get_settings.cache_clear()


@pytest.fixture
def station(tmp_path: Path, scenarios: Path) -> Iterator[RunningReview]:
    with serve_review_in_background(tmp_path / "data") as running:
        running.users.add_user(RPA, PASSWORD, role=Role.RPA)
        yield running


def test_draw_a_field_save_it_and_read_a_sample_with_it(
    station: RunningReview, scenarios: Path, page: Any, tmp_path: Path
) -> None:
    page.goto(f"{station.url}/define/{FORM}")
    page.get_by_label("ユーザーID").fill(RPA)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(
        page.get_by_role("heading", name=re.compile("帳票定義: 児童手当認定請求書"))
    ).to_be_visible()
    sheet = page.get_by_role("application", name="帳票の白紙と項目")
    expect(page.locator("#shapes rect.box")).to_have_count(32)

    # Drag a rectangle over the printed フリガナ boxes (48, 50, 110 × 9 mm), 0.5 mm too far left.
    box = sheet.bounding_box()
    per_mm = box["width"] / 210

    def at(x_mm: float, y_mm: float) -> tuple[float, float]:
        return box["x"] + x_mm * per_mm, box["y"] + y_mm * per_mm

    page.mouse.move(*at(47.5, 50))
    page.mouse.down()
    page.mouse.move(*at(100, 55), steps=4)
    page.mouse.move(*at(157.5, 59), steps=4)
    page.mouse.up()
    name = page.get_by_label("名前（英小文字・数字・_）")
    expect(name).to_be_focused()  # a new field asks for its name first
    name.fill("name_kana")
    page.get_by_label("ラベル（帳票に印刷された語）").fill("フリガナ")
    page.get_by_label("種類", exact=True).select_option("katakana")
    expect(page.get_by_label("左端 mm")).to_have_value("47.5")
    expect(page.get_by_label("幅 mm")).to_have_value("110")

    page.get_by_label("種類", exact=True).press("Escape")  # back to the sheet: keys move the field
    expect(sheet).to_be_focused()
    sheet.press("ArrowRight")
    expect(page.get_by_label("左端 mm")).to_have_value("48")
    expect(page.locator("#shapes rect.box")).to_have_count(33)
    expect(page.get_by_text("未保存の変更があります")).to_be_visible()

    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("保存しました")

    saved = load_template(scenarios / FORM)
    field = saved.field("name_kana")
    assert (field.label, field.kind) == ("フリガナ", "katakana")
    assert (field.x_mm, field.y_mm, field.width_mm, field.height_mm) == (48, 50, 110, 9)
    assert len(list((scenarios / FORM).glob("template.yaml.*.bak"))) == 1

    [sample] = generate_samples(tmp_path / "sample", n=1, seed=5, formats=("png",),
                                received_to=date.today())  # fmt: skip
    reading = read_document(sample.path, saved)
    written = re.sub(r"\s", "", sample.truth["fields"]["name_kana"])
    assert reading.pages[0].fields["name_kana"].value == written


def test_select_move_resize_and_delete_with_keys_and_mouse(
    station: RunningReview, scenarios: Path, page: Any
) -> None:
    page.goto(f"{station.url}/define/{FORM}")
    page.get_by_label("ユーザーID").fill(RPA)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    sheet = page.get_by_role("application", name="帳票の白紙と項目")
    status = page.locator("#status")
    sheet.focus()
    expect(status).to_contain_text("request_date: 左端 142 mm")
    sheet.press("Tab")
    expect(status).to_contain_text("name: 左端 48 mm")
    sheet.press("Delete")
    expect(page.locator("#shapes rect.box")).to_have_count(31)
    sheet.press("Shift+Tab")
    expect(status).to_contain_text("request_date")
    sheet.press("Shift+ArrowDown")  # 9 → 9.5 mm high
    expect(page.get_by_label("高さ mm")).to_have_value("9.5")

    box = sheet.bounding_box()
    per_mm = box["width"] / 210
    start = (box["x"] + 160 * per_mm, box["y"] + 33 * per_mm)  # inside request_date
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 5 * per_mm, start[1], steps=5)
    page.mouse.up()
    expect(page.get_by_label("左端 mm")).to_have_value("147")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("保存しました")

    saved = load_template(scenarios / FORM)
    moved = saved.field("request_date")
    assert (moved.x_mm, moved.y_mm, moved.width_mm, moved.height_mm) == (147, 29, 49, 9.5)
    assert "name" not in {f.name for f in saved.fields} and len(saved.fields) == 31
