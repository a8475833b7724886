"""The 選定資料: rendered to PDF by LibreOffice and looked at, plus the workbook's cells.

A small register of 2027 answers (one carried over from 2026, one of 2028 left out) and last
year's scenarios, over a ledger whose figures are worked out by hand: 介護認定 went live on
1 April 2026 with a forecast of 100 hours a year, and 120 items of 30 minutes were done in
2026年度 with no human time, so 60.0 hours were saved, 60.0% of the forecast.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from docx import Document
from openpyxl import load_workbook

from core.inventory import Forecast, ScenarioEntry
from core.ledger import Ledger
from reports.survey._selection import SelectionFiles, era_year, write_selection

ROOT = Path(__file__).resolve().parents[3]
JST = ZoneInfo("Asia/Tokyo")
SOFFICE = shutil.which("soffice")
TODAY = date(2027, 7, 20)
FORMULA_NAME = "=1+2 手当台帳への転記"

INVENTORY = """\
scenarios:
  - id: kaigo-sync
    name: 介護認定 電子申請の連携
    department: 介護保険課
    status: 稼働中
    target_systems: [電子申請システム, 介護保険システム]
    data_classification: 個人情報を含む
    baseline: {minutes_per_item: 30, method: 計測, measured_on: 2025-06-01, measured_by: DX推進課}
    forecast: {items_per_year: 240, hours_per_year: 100, made_on: 2025-07-15}
    started_on: 2026-04-01
  - id: hoiku-ocr
    name: 保育所 入所申込書の読取
    department: 保育課
    status: 開発中
    target_systems: [AI-OCR]
    data_classification: 個人情報を含む
    baseline: {minutes_per_item: 12, method: 計測, measured_on: 2026-06-01, measured_by: 保育課}
    forecast: {items_per_year: 900, hours_per_year: 150, made_on: 2026-07-10}
  - id: old-sync
    name: 古い連携
    department: 市民課
    status: 稼働中
    target_systems: [住民記録システム]
    data_classification: 個人情報を含む
    baseline: {minutes_per_item: 5, method: 計測, measured_on: 2023-06-01, measured_by: 市民課}
    forecast: {items_per_year: 1000, hours_per_year: 70, made_on: 2023-07-01}
    started_on: 2024-04-01
  - id: idea-later
    name: 検討中の構想
    department: 市民課
    status: 候補
    target_systems: [未定]
    data_classification: 個人情報なし
    baseline: {minutes_per_item: 5, method: 見積り, measured_on: 2026-08-01, measured_by: 市民課}
    forecast: {items_per_year: 100, hours_per_year: 5, made_on: 2026-08-01}
candidates:
  - {id: genkyo-entry, name: 児童手当 現況届の電子申請データ入力, department: 子育て支援課,
     survey_year: 2027, items_per_year: 2400, minutes_per_item: 10, input_from: 電子申請,
     input_to: 子育て支援システム}
  - {id: teate-daicho, name: "=1+2 手当台帳への転記", department: 福祉課, survey_year: 2027,
     items_per_year: 600, minutes_per_item: 30, input_from: Excel, input_to: 福祉システム}
  - {id: inu-toroku, name: 犬の登録申請書の入力, department: 環境課, survey_year: 2027,
     items_per_year: 1000, minutes_per_item: 12, input_from: 紙, handwritten_form: true}
  - {id: kokuho-ido, name: 国保 異動届の入力, department: 保険年金課, survey_year: 2027,
     items_per_year: 3000, minutes_per_item: 6, input_from: システム画面,
     data_classification: 個人番号を含む, busy_season: 3～4月}
  - {id: doro-senyo, name: 道路占用許可の台帳更新, department: 土木課, survey_year: 2027,
     items_per_year: 200, minutes_per_item: 15, input_from: その他}
  - {id: furusato-receipt, name: ふるさと納税 受領証明書の発行データ作成, department: 財政課,
     survey_year: 2026, items_per_year: 9000, minutes_per_item: 2, feasibility: 中}
  - {id: next-year, name: 来年度の候補, department: 財政課, survey_year: 2028,
     items_per_year: 100, minutes_per_item: 5}
"""

CHOSEN = [
    "児童手当 現況届の電子申請データ入力",
    FORMULA_NAME,
    "ふるさと納税 受領証明書の発行データ作成",
]


def _items() -> list[dict[str, object]]:
    """120 done 介護認定 items in 2026年度, one just before and one after; old-sync's too."""
    finished = [datetime(2026, 4, 6, 10, 0) + timedelta(days=2 * n) for n in range(120)]
    finished += [datetime(2026, 3, 31, 23, 50), datetime(2027, 4, 2, 10, 0)]
    rows: list[dict[str, object]] = []
    for n, when in enumerate(finished):
        rows.append(_row("kaigo-sync", f"k{n}", when))
    rows += [_row("old-sync", f"o{n}", datetime(2026, 5, 1 + n, 9, 0)) for n in range(10)]
    return rows


def _row(scenario: str, key: str, finished_jst: datetime) -> dict[str, object]:
    finished = finished_jst.replace(tzinfo=JST).astimezone(UTC)
    return {
        "scenario": scenario,
        "item_key": key,
        "status": "done",
        "attempts": 1,
        "queued_at": finished - timedelta(minutes=5),
        "started_at": finished - timedelta(seconds=60),
        "finished_at": finished,
        "robot_seconds": 60.0,
        "human_seconds": 0.0,
    }


@dataclass(frozen=True)
class Written:
    files: SelectionFiles
    folder: Path


def _select(
    folder: Path, *, fiscal_year: int, today: date, out: str = "out", top: int = 10
) -> SelectionFiles:
    """The 選定資料 of ``INVENTORY`` and a ledger of ``_items()`` in ``folder`` (made once)."""
    inventory = folder / "inventory.yaml"
    url = f"sqlite:///{folder / 'ledger.sqlite3'}"
    if not inventory.exists():
        inventory.write_text(INVENTORY, encoding="utf-8")
        ledger = Ledger(url)
        ledger.insert_many(_items())
        ledger.engine.dispose()
    return write_selection(
        inventory,
        fiscal_year=fiscal_year,
        out_dir=folder / out,
        ledger_url=url,
        top=top,
        systems_dir=ROOT / "systems",
        scenarios_dir=ROOT / "scenarios",
        today=today,
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Written:
    folder = tmp_path_factory.mktemp("selection")
    return Written(files=_select(folder, fiscal_year=2027, today=TODAY, top=3), folder=folder)


def test_the_chosen_get_a_forecast_a_scenario_can_take(written: Written) -> None:
    files = written.files
    assert [r.candidate.name for r in files.ranking[:3]] == CHOSEN
    assert [r.candidate.id for r in files.ranking][3:] == ["kokuho-ido", "inu-toroku", "doro-senyo"]
    assert files.forecasts == {
        "genkyo-entry": Forecast(items_per_year=2400, hours_per_year=360.0, made_on=TODAY),
        "teate-daicho": Forecast(items_per_year=600, hours_per_year=270.0, made_on=TODAY),
        "furusato-receipt": Forecast(items_per_year=9000, hours_per_year=240.0, made_on=TODAY),
    }
    # the same shape as the inventory's: it can be written as a scenario's forecast
    scenario = ScenarioEntry.model_validate(
        {
            "id": "genkyo-entry",
            "name": "児童手当 現況届",
            "department": "子育て支援課",
            "status": "開発中",
            "target_systems": ["business-system"],
            "data_classification": "個人番号を含む",
            "baseline": {
                "minutes_per_item": 10,
                "method": "調査回答",
                "measured_on": TODAY,
                "measured_by": "子育て支援課",
            },
            "forecast": files.forecasts["genkyo-entry"].model_dump(),
        }
    )
    assert scenario.forecast.hours_per_year == 360.0


def test_the_lead_says_how_many_answered_and_what_was_chosen(written: Written) -> None:
    document = Document(str(written.files.document))
    assert document.paragraphs[0].text == "RPA導入候補の選定資料（令和9年度）"
    lead = document.paragraphs[2].text
    assert "2027年度の庁内調査では、5課から5件の業務の回答があり" in lead
    assert "年間1,250.0時間" in lead  # 400 + 300 + 200 + 300 + 50
    assert "継続している候補1件" in lead
    assert "上位3件を導入候補として選定し、その削減効果を年間870.0時間と予測します" in lead


def test_the_title_names_the_fiscal_year_in_the_era_offices_use() -> None:
    assert era_year(2027) == "令和9年度"
    assert era_year(2019) == "令和元年度"  # began as 平成31年度; offices renamed it
    assert era_year(2018) == "平成30年度"


pdf_only = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: scripts/setup.sh installs "
    "libreoffice-writer-nogui",
)


@pytest.fixture(scope="module")
def pdf(written: Written) -> Path:
    out = written.folder / "pdf"
    profile = (written.folder / "lo-profile").as_uri()  # private: another soffice may be running
    assert SOFFICE is not None
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(written.files.document)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )  # fmt: skip
    path = out / f"{written.files.document.stem}.pdf"
    assert done.returncode == 0 and path.is_file(), done.stderr
    return path


def _texts(document: pdfium.PdfDocument) -> list[str]:
    # Cells wrap long names over lines: compare without any white space.
    return [
        re.sub(r"\s+", "", document[n].get_textpage().get_text_range())
        for n in range(len(document))
    ]


@pdf_only
def test_the_pdf_has_the_ranking_table_and_the_chosen_tasks(pdf: Path) -> None:
    document = pdfium.PdfDocument(pdf)
    try:
        assert 1 <= len(document) <= 4
        text = "".join(_texts(document))
        assert "RPA導入候補の選定資料（令和9年度）" in text  # real glyphs, not empty boxes
        assert "順位業務名課年間時間適合度優先度スコア理由" in text  # the ranking's header row
        for name in CHOSEN:
            assert re.sub(r"\s+", "", name) in text
        assert "入力先の業務システムは登録済み（business-system）" in text
        assert "来年度の候補" not in text
    finally:
        document.close()


@pdf_only
def test_the_pdf_shows_the_chart_of_hours_by_department(pdf: Path) -> None:
    document = pdfium.PdfDocument(pdf)
    try:
        pages = [
            n
            for n in range(len(document))
            if list(document[n].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
        ]
        assert len(pages) == 1
        page = document[pages[0]]
        assert "課別の年間時間" in _texts(document)[pages[0]]
        (image,) = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
        left, bottom, right, top = image.get_bounds()
        scale = 2
        picture = page.render(scale=scale).to_pil().convert("RGB")
        height = page.get_height()
        box = (left * scale, (height - top) * scale, right * scale, (height - bottom) * scale)
        chart = picture.crop(tuple(int(v) for v in box))
        assert chart.width > 600 and chart.height > 200
        pixels = np.asarray(chart, dtype=np.int16)
        # the chosen bars are drawn in #2E75B6: a real share of the chart, not a blank image
        blue = np.abs(pixels - np.array([46, 117, 182])).sum(axis=2) < 60
        assert blue.mean() > 0.02
    finally:
        document.close()


@pdf_only
def test_the_pdf_closes_the_cycle_with_last_years_forecast_and_actual(pdf: Path) -> None:
    document = pdfium.PdfDocument(pdf)
    try:
        text = "".join(_texts(document))
    finally:
        document.close()
    section = text[text.index("前年度に選定したシナリオの予測と実績（2026年度）") :]
    # name, 課, 状態, 稼働開始日, forecast (whole year), saved (120 × 30 min), achievement
    assert "介護認定電子申請の連携介護保険課稼働中2026-04-01100.060.060.0%" in section
    assert "保育所入所申込書の読取保育課開発中未稼働" in section  # forecast made in 2026年度
    assert "古い連携" not in section and "検討中の構想" not in section
    total = "2本のシナリオで合わせて60.0時間を削減しました（予測100.0時間に対し達成率60.0%）"
    assert total in section


def test_cells_from_the_answers_are_text_never_formulas(written: Written) -> None:
    book = load_workbook(written.files.workbook)
    assert book.sheetnames == ["概要", "順位", "課別", "効果予測", "前年度の実績"]
    ranking = book["順位"]
    names = {ranking.cell(row=row, column=4).value: row for row in range(2, ranking.max_row + 1)}
    row = names["'" + FORMULA_NAME]  # neutralised as OWASP says; shown as the name
    assert ranking.cell(row=row, column=4).data_type == "s"
    assert ranking.cell(row=row, column=2).value == "選定"
    forecasts = book["効果予測"]
    assert [forecasts.cell(row=r, column=3).value for r in range(4, 7)] == [
        CHOSEN[0],
        "'" + FORMULA_NAME,
        CHOSEN[2],
    ]
    assert [forecasts.cell(row=r, column=7).value for r in range(4, 7)] == [360.0, 270.0, 240.0]
    formulas = [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for line in sheet.iter_rows()
        for cell in line
        if cell.data_type == "f"
    ]
    assert formulas == []
    last = book["前年度の実績"]
    assert [c.value for c in last[4]][:3] == ["kaigo-sync", "介護認定 電子申請の連携", "介護保険課"]
    assert [c.value for c in last[4]][7:] == [100.0, 120, 60.0, 0.6]


def test_a_year_without_answers_still_makes_both_files(tmp_path: Path) -> None:
    # Made during 2026年度 itself: last year's results run up to today, not to 31 March.
    files = _select(tmp_path, fiscal_year=2027, today=date(2026, 10, 1))
    document = Document(str(files.document))
    headings = [p.text for p in document.paragraphs if p.style and p.style.name == "Heading 2"]
    assert "前年度に選定したシナリオの予測と実績（2026年4月1日〜2026年10月1日）" in headings
    rows = [[cell.text for cell in row.cells] for row in document.tables[-1].rows]
    # 184 of 365 days of the 100-hour forecast; 90 items of 30 minutes done by 1 October
    assert rows[1] == ["介護認定 電子申請の連携", "介護保険課", "稼働中", "2026-04-01", "50.4",
                       "45.0", "89.3%"]  # fmt: skip
    # Nobody answered for 2029: only the carried-over candidates are ranked.
    files = _select(tmp_path, fiscal_year=2029, today=date(2029, 7, 1), out="empty")
    text = "\n".join(p.text for p in Document(str(files.document)).paragraphs)
    assert "2029年度の庁内調査では、0課から0件の業務の回答があり" in text
    assert "前年度に選定したシナリオはありません。" in text
    assert load_workbook(files.workbook)["前年度の実績"]["A3"].value == (
        "前年度に選定したシナリオはありません。"
    )
