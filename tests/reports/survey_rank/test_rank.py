"""The ranking: what fits jimu and saves hours comes first, and every score says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.inventory import Candidate, Inventory
from reports.survey._rank import (
    RankedCandidate,
    load_known_forms,
    load_known_systems,
    rank_candidates,
)

ROOT = Path(__file__).resolve().parents[3]
SYSTEMS = {
    "business-system": "業務システム（子育て支援システム）",
    "e-application-portal": "電子申請システム",
}
TARGET = "子育て支援システム"


def candidate(id: str, **fields: Any) -> dict[str, Any]:
    """A survey answer of 2027: 1,200 items of 30 minutes (600 hours a year) by default."""
    return {
        "id": id,
        "name": f"{id} の入力",
        "department": "市民課",
        "survey_year": 2027,
        "items_per_year": 1200,
        "minutes_per_item": 30,
        **fields,
    }


def rank(*candidates: dict[str, Any], **options: Any) -> list[RankedCandidate]:
    inventory = Inventory.model_validate({"candidates": list(candidates)})
    return rank_candidates(inventory, fiscal_year=2027, known_systems=SYSTEMS, **options)


def by_id(ranking: list[RankedCandidate]) -> dict[str, RankedCandidate]:
    return {r.candidate.id: r for r in ranking}


def test_a_table_into_a_registered_system_outranks_the_same_hours_on_paper() -> None:
    ranking = rank(
        candidate("paper-form", input_from="紙", handwritten_form=True, input_to=TARGET),
        candidate("excel-list", input_from="Excel", input_to=TARGET),
    )
    assert [r.candidate.id for r in ranking] == ["excel-list", "paper-form"]
    table, paper = ranking
    assert (table.rank, paper.rank) == (1, 2)
    assert table.annual_hours == paper.annual_hours == 600
    assert table.fit == 1.0 and table.score == 600.0  # 0.8 × 1.25 for the registered system
    assert paper.fit == pytest.approx(0.625) and paper.score == 375.0
    assert table.fit_label == "高" and paper.fit_label == "中"
    assert "手書き帳票: AI-OCRの様式定義が必要" in paper.reasons


def test_reasons_name_the_matched_system_and_the_hours() -> None:
    ranking = by_id(
        rank(
            # half-width kana and spaces: NFKC makes them the registered name
            candidate("kana", input_from="電子申請", input_to="子育て支援 ｼｽﾃﾑ"),
            candidate("unknown", input_from="Excel", input_to="財務会計システム"),
            candidate("generic", input_from="Excel", input_to="システム"),
        )
    )
    assert ranking["kana"].system == "business-system"
    assert ranking["kana"].reasons[0] == "年間 600 時間（1,200件 × 30分）"
    assert "入力先の業務システムは登録済み（business-system）" in ranking["kana"].reasons
    assert ranking["unknown"].system is None and ranking["unknown"].fit == 0.8
    unregistered = "入力先「財務会計システム」は未登録: system.yaml の登録が必要"
    assert unregistered in ranking["unknown"].reasons
    assert ranking["generic"].system is None  # "システム" alone names no system


def test_the_rpa_teams_feasibility_overrides_the_estimate() -> None:
    ranking = by_id(
        rank(
            candidate("judged-low", input_from="Excel", input_to=TARGET, feasibility="低"),
            candidate("judged-high", input_from="その他", feasibility="高"),
            candidate("estimated", input_from="紙", handwritten_form=True),
        )
    )
    assert ranking["judged-low"].fit == 0.3 and ranking["judged-low"].score == 180.0
    assert ranking["judged-high"].fit == 1.0 and ranking["judged-high"].rank == 1
    assert ranking["estimated"].fit == 0.5 and ranking["estimated"].rank == 2
    assert ranking["judged-low"].rank == 3
    assert ranking["judged-low"].reasons[1] == "実現可能性 低（RPA担当の評価、適合度 0.3）"
    # the match is still reported: the team may want to know the system is registered
    assert ranking["judged-low"].system == "business-system"


def test_my_number_lowers_the_score_but_does_not_exclude() -> None:
    ranking = rank(
        candidate("with-my-number", input_from="Excel", data_classification="個人番号を含む"),
        candidate("without", input_from="Excel", data_classification="個人情報を含む"),
    )
    assert [r.candidate.id for r in ranking] == ["without", "with-my-number"]
    without, with_my_number = ranking
    assert with_my_number.risk == 0.9 and without.risk == 1.0
    assert with_my_number.score == pytest.approx(without.score * 0.9)
    assert "個人番号を扱う: 権限と二重確認が必要" in with_my_number.reasons


def test_a_busy_season_is_a_reason_and_leaves_the_score_alone() -> None:
    ranking = by_id(
        rank(
            candidate("busy", input_from="Excel", busy_season="３～４月"),
            candidate("calm", input_from="Excel"),
        )
    )
    assert ranking["busy"].score == ranking["calm"].score and ranking["busy"].risk == 1.0
    assert "繁忙期 3~4月: 稼働は繁忙期前に" in ranking["busy"].reasons  # NFKC: ３～４ → 3~4


HANDWRITTEN: dict[str, Any] = {"input_from": "紙", "handwritten_form": True}


def test_a_defined_form_raises_the_fit_of_a_handwritten_one() -> None:
    ranking = by_id(
        rank(
            candidate("known", name="児童手当 認定請求書の入力", **HANDWRITTEN),
            candidate("new-form", name="犬の登録申請書の入力", **HANDWRITTEN),
            known_forms={"児童手当認定請求書"},
        )
    )
    assert ranking["known"].fit == 0.6 and ranking["new-form"].fit == 0.5
    assert "手書き帳票: AI-OCRの様式は定義済み（児童手当認定請求書）" in ranking["known"].reasons


def test_ties_go_by_id_whatever_the_order_in_the_file() -> None:
    ranking = rank(
        candidate("c-task", input_from="Excel"),
        candidate("a-task", input_from="Excel"),
        candidate("b-task", input_from="Excel"),
    )
    order = [(r.rank, r.candidate.id) for r in ranking]
    assert order == [(1, "a-task"), (2, "b-task"), (3, "c-task")]


def test_other_years_are_left_out_or_carried_over() -> None:
    inventory = Inventory.model_validate(
        {
            "scenarios": [
                {
                    "id": "kokuho-entry",
                    "name": "国保 異動届の入力",
                    "department": "保険年金課",
                    "status": "開発中",
                    "target_systems": ["国保システム"],
                    "data_classification": "個人番号を含む",
                    "baseline": {
                        "minutes_per_item": 5,
                        "method": "計測",
                        "measured_on": "2026-06-01",
                        "measured_by": "DX推進課",
                    },
                    "forecast": {"items_per_year": 1000, "hours_per_year": 80},
                }
            ],
            "candidates": [
                candidate("this-year"),
                candidate("last-year", survey_year=2026),
                candidate("taken-up", survey_year=2026, name="国保　異動届の入力"),
                candidate("next-year", survey_year=2028),
            ],
        }
    )
    ranking = by_id(rank_candidates(inventory, fiscal_year=2027))
    assert set(ranking) == {"this-year", "last-year"}
    assert ranking["last-year"].carried_over and not ranking["this-year"].carried_over
    assert ranking["last-year"].reasons[-1] == "2026年度調査からの継続候補"


def test_registered_systems_and_defined_forms_are_read_from_the_repository() -> None:
    systems = load_known_systems(ROOT / "systems")
    assert systems["business-system"] == "業務システム（子育て支援システム）"
    assert "e-application-portal" in systems
    assert "児童手当認定請求書" in load_known_forms(ROOT / "scenarios")


def test_a_candidate_as_an_entry_of_the_real_inventory_is_ranked() -> None:
    # the register's own candidates are judged (実現可能性): the score is their priority × risk
    from core.inventory import load_inventory

    inventory = load_inventory(ROOT / "inventory.yaml")
    year = max(c.survey_year for c in inventory.candidates)
    ranking = rank_candidates(inventory, fiscal_year=year)
    assert ranking
    for r in ranking:
        c: Candidate = r.candidate
        assert r.score == pytest.approx(c.priority * r.risk, abs=0.1)
