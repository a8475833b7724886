"""The Word report holds the hand-computed figures, the chart and the method in plain Japanese."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from core.errors import ConfigError
from core.inventory import Inventory
from core.ledger import Ledger
from reports import Period, build_report, japanese_font


@pytest.fixture
def document_path(tmp_path: Path, ledger: Ledger, inventory: Inventory) -> Path:
    return build_report(
        period=Period.fy(2026), out_dir=tmp_path, inventory=inventory, ledger=ledger
    ).document


def test_key_figures_table(document_path: Path) -> None:
    document = Document(str(document_path))
    key = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert key["削減時間（純）"] == "4.9 時間"
    assert key["予測削減時間（期間按分）"] == "22.0 時間"
    assert key["達成率（削減時間÷予測）"] == "22.3%"
    assert key["人手時間（完了した件の確認・修正）"] == "1.6 時間"
    assert key["ロボット稼働時間"] == "0.4 時間"  # 0.35 h, rounded half up as Excel shows it
    assert key["完了件数"] == "10 件"
    assert key["失敗率"] == "14.3%"
    assert key["確認率（職員が確認した完了件の割合）"] == "40.0%"


def test_top_scenarios_and_lead(document_path: Path) -> None:
    document = Document(str(document_path))
    top = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert top[0] == ["シナリオ", "担当課", "完了件数", "削減時間", "予測", "達成率"]
    assert top[1] == ["ベータ帳票読取", "税務課", "4", "2.5", "10.0", "25.0%"]
    assert top[2] == ["アルファ電子申請登録", "子育て支援課", "5", "2.4", "12.0", "20.0%"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "2026年度 RPA・AI-OCR 削減時間報告"
    assert "職員の作業時間を4.9時間削減しました" in text
    assert "失敗した件や差戻しとなった件は削減時間に含めません" in text
    assert "zeta-legacy" in text


def test_the_chart_is_embedded_and_the_font_is_japanese(document_path: Path) -> None:
    document = Document(str(document_path))
    assert len(document.inline_shapes) == 1
    assert document.styles["Normal"].font.name == "Noto Sans CJK JP"


def test_a_missing_japanese_font_fails_clearly() -> None:
    with pytest.raises(ConfigError, match="not installed"):
        japanese_font("Font That Does Not Exist JP")
