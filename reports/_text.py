"""Words shared by the workbook, the document and the artifact: key figures and the method."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from reports._compute import HoursReport, Summary

__all__ = [
    "METHOD_LINES",
    "TopScenario",
    "fmt_hours",
    "fmt_rate",
    "fmt_value",
    "report_markdown",
    "summary_rows",
    "top_scenarios",
]

Kind = Literal["count", "hours", "rate"]

#: How the hours were computed, in plain Japanese (the document and the 概要 sheet).
METHOD_LINES: tuple[str, ...] = (
    "削減時間は、処理1件ごとの記録（処理台帳）から計算しています。見込みの件数に一律の時間を"
    "掛けたものではありません。",
    "1件あたりの削減時間 ＝ その業務を手作業で行った場合の基準時間（分）－ その件に職員が実際に"
    "かけた時間（確認・修正・例外対応、分）。",
    "業務システムへの登録まで完了した件だけを数えます。失敗した件や差戻しとなった件は削減時間に"
    "含めません（その対応にかかった職員の時間は別に示しています）。",
    "基準時間は導入前に実測した値で、計測方法・計測日・計測者をRPA管理台帳（inventory.yaml）に"
    "記録しています。",
    "年度は4月1日から翌年3月31日まで、処理が終わった日時（日本時間）で区切ります。",
    "予測は導入前に立てた年間見込みを、対象期間の日数（稼働開始日以降）で按分した値です。",
)


def summary_rows(summary: Summary) -> list[tuple[str, float | int | None, str, Kind]]:
    """The key figures as (label, value, unit, kind), in the order every report shows them."""
    return [
        ("削減時間（純）", summary.saved_hours, "時間", "hours"),
        ("予測削減時間（期間按分）", summary.forecast_hours, "時間", "hours"),
        ("達成率（削減時間÷予測）", summary.achievement, "", "rate"),
        ("手作業換算時間（基準時間×完了件数）", summary.gross_hours, "時間", "hours"),
        ("人手時間（完了した件の確認・修正）", summary.human_hours, "時間", "hours"),
        ("人手時間（失敗・差戻しの対応）", summary.other_human_hours, "時間", "hours"),
        ("ロボット稼働時間", summary.robot_hours, "時間", "hours"),
        ("完了件数", summary.done, "件", "count"),
        ("失敗件数", summary.failures, "件", "count"),
        ("差戻し件数", summary.returned, "件", "count"),
        ("処理件数（完了＋失敗＋差戻し）", summary.finished, "件", "count"),
        ("失敗率", summary.failure_rate, "", "rate"),
        ("差戻し率", summary.return_rate, "", "rate"),
        ("確認率（職員が確認した完了件の割合）", summary.review_rate, "", "rate"),
        ("予測件数（期間按分）", summary.forecast_items, "件", "count"),
    ]


def _half_up(value: float, places: str) -> Decimal:
    # 四捨五入 as Excel displays it (0.35 → 0.4, 0.25 → 0.3), not Python's round-half-even;
    # rounding to 9 places first drops binary noise such as 0.35000000000000003.
    return Decimal(repr(round(value, 9))).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def fmt_hours(value: float | None) -> str:
    """``1,234.5`` (one decimal rounded half up, thousands separators); ``—`` for no value."""
    if value is None or math.isnan(value):
        return "—"
    return f"{_half_up(value, '0.1'):,}"


def fmt_rate(value: float | None) -> str:
    """``12.3%`` (rounded half up); ``—`` for no value."""
    if value is None or math.isnan(value):
        return "—"
    return f"{_half_up(value * 100, '0.1')}%"


def fmt_value(value: float | int | None, kind: Kind) -> str:
    """A key figure as text for its kind."""
    if kind == "rate":
        return fmt_rate(value)
    if kind == "hours":
        return fmt_hours(value)
    return "—" if value is None else f"{_half_up(value, '1'):,}"


def report_markdown(report: HoursReport, *, files: tuple[str, ...] = ()) -> str:
    """A short markdown summary (the ``hours-report`` artifact)."""
    lines = [
        f"# {report.period.label} 削減時間報告",
        "",
        f"対象期間: {report.period.range_text}",
        "",
        "| 項目 | 値 |",
        "|---|---:|",
    ]
    for label, value, unit, kind in summary_rows(report.summary):
        lines.append(f"| {label} | {fmt_value(value, kind)} {unit} |".replace("  |", " |"))
    lines += [
        "",
        "## シナリオ別（上位）",
        "",
        "| シナリオ | 担当課 | 完了件数 | 削減時間 | 達成率 |",
        "|---|---|---:|---:|---:|",
    ]
    for row in top_scenarios(report, limit=10):
        lines.append(
            f"| {row.name} | {row.department} | {row.done:,} | "
            f"{fmt_hours(row.saved_hours)} | {fmt_rate(row.achievement)} |"
        )
    if report.summary.unknown_scenarios:
        lines += [
            "",
            "台帳未登録のシナリオ（削減時間に含めず）: "
            + ", ".join(report.summary.unknown_scenarios),
        ]
    if files:
        lines += ["", "出力: " + ", ".join(f"`{name}`" for name in files)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class TopScenario:
    """One line of the top-scenarios tables."""

    scenario: str
    name: str
    department: str
    done: int
    saved_hours: float
    forecast_hours: float
    achievement: float | None


def top_scenarios(report: HoursReport, *, limit: int = 5) -> list[TopScenario]:
    """The scenarios with the most hours saved (only those that completed items)."""
    frame = report.by_scenario
    frame = frame[frame["done"] > 0].head(limit)
    return [
        TopScenario(
            scenario=str(row.scenario),
            name=str(row.name),
            department=str(row.department),
            done=int(row.done),
            saved_hours=float(row.saved_hours),
            forecast_hours=float(row.forecast_hours),
            achievement=None if math.isnan(row.achievement) else float(row.achievement),
        )
        for row in frame.itertuples(index=False)
    ]
