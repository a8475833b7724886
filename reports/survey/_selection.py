"""The 選定資料: the ranking, hours by 課, forecasts for the chosen, and last year's results.

:func:`write_selection` ranks the candidates (:mod:`reports.survey._rank`), keeps the first
``top`` that save anything, and writes a Word document and an Excel workbook for management
and the budget request.

Forecast of a chosen candidate (the shape of :class:`core.inventory.Forecast`, so that it can
become the scenario's ``forecast`` and the hours report can later compare the ledger with it)::

    items_per_year = the answer's 年間件数
    hours_per_year = annual_hours × 削減率, one decimal
    made_on        = the day the 選定資料 is made

The 削減率 is the share of the manual time the robot takes over, net of the people who still
check (the hours report nets their time the same way): 0.9 for a table or a system screen
(about one item in ten is checked, as in e-application-sync's forecast), 0.7 for paper read
by AI-OCR (the review station confirms the uncertain fields of about a third of the forms),
0.8 when the 入力元 is その他 or not answered.

Closing the cycle — last year's selection: the scenarios of the inventory whose 稼働開始日
(``started_on``) falls in fiscal year ``fiscal_year − 1``, and the 開発中 or 稼働中 ones whose
forecast was made (``forecast.made_on``) in that year. Their forecast and actual hours come
from the hours report (:func:`reports._compute.compute_hours`) over that fiscal year, up to
today if it has not ended (the forecast is prorated over the same days, from the start date).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine

from core.inventory import Forecast, InputSource, Inventory, ScenarioStatus, load_inventory
from core.ledger import Ledger
from core.wareki import fiscal_year_label
from reports._compute import compute_hours
from reports._period import JST, Period, fiscal_year_of
from reports._text import fmt_hours
from reports.survey._rank import (
    RankedCandidate,
    load_known_forms,
    load_known_systems,
    rank_candidates,
    selected,
)

__all__ = [
    "SAVING_SHARE",
    "SELECTION_METHOD_LINES",
    "DepartmentHours",
    "LastYearScenario",
    "Selection",
    "SelectionFiles",
    "build_selection",
    "era_year",
    "forecast_for",
    "selection_lead",
    "write_selection",
]

log = logging.getLogger(__name__)

#: Share of the manual time a robot takes over, by 入力元 (see the module docstring).
SAVING_SHARE: dict[InputSource | None, float] = {
    InputSource.EXCEL: 0.9,
    InputSource.E_APPLICATION: 0.9,
    InputSource.SYSTEM_SCREEN: 0.9,
    InputSource.PAPER: 0.7,
    InputSource.OTHER: 0.8,
    None: 0.8,
}

#: How the ranking and the forecasts were made, in plain Japanese (document and workbook).
SELECTION_METHOD_LINES: tuple[str, ...] = (
    "優先度スコア ＝ 年間時間 × 適合度 × リスク係数。"
    "年間時間 ＝ 年間件数 × 1件あたりの作業時間（分）÷ 60 で、どの課の回答も同じ方法で"
    "計算しています。",
    "適合度は入力元と入力先から見積もります: Excel・電子申請の表から画面への転記 0.8、紙の帳票"
    "（活字、または様式定義済みの手書き帳票）0.6、手書き帳票・システム画面からの転記 0.5、"
    "その他・未回答 0.3。入力先が登録済みの業務システムなら1.25倍（上限1.0）。",
    "RPA担当が実現可能性を評価した業務は、その評価（高1.0・中0.6・低0.3）を適合度とします。",
    "リスク係数: 個人番号を扱う業務は0.9（権限の絞り込みと二重確認が必要なため。対象から外し"
    "はしません）。繁忙期はスコアを変えず、稼働を繁忙期の前に置く条件として理由欄に示します。",
    "選定した業務の効果予測 ＝ 年間時間 × 削減率（表・システム画面 0.9、紙の帳票 0.7、その他 0.8。"
    "職員による確認の時間を差し引いた値）。シナリオ化するときに管理台帳の効果予測とし、"
    "稼働後は処理台帳の実績と比べます。",
)

_FOLLOWED = (ScenarioStatus.DEVELOPMENT, ScenarioStatus.ACTIVE)


@dataclass(frozen=True)
class DepartmentHours:
    """One 課: its answers, their hours a year, and what of it was chosen."""

    department: str
    candidates: int
    annual_hours: float
    chosen: int
    chosen_hours: float
    forecast_hours: float


@dataclass(frozen=True)
class LastYearScenario:
    """One of last year's selected scenarios, with its forecast and actual hours."""

    scenario: str
    name: str
    department: str
    status: str
    made_on: date | None
    started_on: date | None
    forecast_per_year: float
    forecast_hours: float
    saved_hours: float
    done: int
    achievement: float | None


@dataclass(frozen=True)
class Selection:
    """Everything the 選定資料 shows (``chosen`` are the first ``top`` of ``ranking``)."""

    fiscal_year: int
    made_on: date
    ranking: list[RankedCandidate]
    chosen: list[RankedCandidate]
    forecasts: dict[str, Forecast]
    departments: list[DepartmentHours]
    last_period: Period
    last_year: list[LastYearScenario]

    @property
    def title(self) -> str:
        """``RPA導入候補の選定資料（令和9年度）``."""
        return f"RPA導入候補の選定資料（{era_year(self.fiscal_year)}）"

    @property
    def answers(self) -> list[RankedCandidate]:
        """The candidates of this year's survey (not the carried-over ones)."""
        return [r for r in self.ranking if not r.carried_over]


@dataclass(frozen=True)
class SelectionFiles:
    """What :func:`write_selection` wrote, the ranking and the chosen ones' forecasts."""

    workbook: Path
    document: Path
    ranking: list[RankedCandidate]
    forecasts: dict[str, Forecast]


def era_year(fiscal_year: int) -> str:
    """``令和9年度`` for 2027; ``令和元年度`` for 2019 (:func:`core.wareki.fiscal_year_label`)."""
    return fiscal_year_label(fiscal_year)


def selection_lead(selection: Selection) -> str:
    """The lead paragraph: answers, 課, hours a year, what was chosen and its forecast."""
    answers = selection.answers
    departments = len({r.candidate.department for r in answers})
    hours = sum(r.annual_hours for r in answers)
    forecast = sum(f.hours_per_year for f in selection.forecasts.values())
    text = (
        f"{selection.fiscal_year}年度の庁内調査では、{departments}課から{len(answers)}件の業務の回答が"
        f"あり、手作業の時間は合わせて年間{fmt_hours(hours)}時間でした。"
    )
    carried = len(selection.ranking) - len(answers)
    if carried:
        text += f"前年度までの調査から継続している候補{carried}件を加えて順位を付けました。"
    text += (
        f"優先度スコアの上位{len(selection.chosen)}件を導入候補として選定し、"
        f"その削減効果を年間{fmt_hours(forecast)}時間と予測します。"
    )
    return text


def forecast_for(ranked: RankedCandidate, *, made_on: date) -> Forecast:
    """The forecast of a chosen candidate (see the module docstring)."""
    candidate = ranked.candidate
    share = SAVING_SHARE[candidate.input_from]
    return Forecast(
        items_per_year=candidate.items_per_year,
        hours_per_year=round(ranked.annual_hours * share, 1),
        made_on=made_on,
    )


def build_selection(
    inventory: Inventory,
    *,
    fiscal_year: int,
    engine: Engine,
    top: int = 10,
    known_systems: dict[str, str] | None = None,
    known_forms: set[str] | None = None,
    today: date | None = None,
) -> Selection:
    """Rank, choose the first ``top``, forecast them, and read last year's results from the
    ledger behind ``engine``. Raises ConfigError for a database the reports do not support."""
    made_on = today or datetime.now(JST).date()
    ranking = rank_candidates(
        inventory, fiscal_year=fiscal_year, known_systems=known_systems, known_forms=known_forms
    )
    chosen = selected(ranking, top=top)
    forecasts = {r.candidate.id: forecast_for(r, made_on=made_on) for r in chosen}
    last_period = _last_period(fiscal_year, made_on)
    return Selection(
        fiscal_year=fiscal_year,
        made_on=made_on,
        ranking=ranking,
        chosen=chosen,
        forecasts=forecasts,
        departments=_departments(ranking, chosen, forecasts),
        last_period=last_period,
        last_year=_last_year(engine, inventory, last_period),
    )


def write_selection(
    inventory_path: str | Path,
    *,
    fiscal_year: int,
    out_dir: str | Path,
    ledger_url: str | None = None,
    top: int = 10,
    systems_dir: str | Path | None = None,
    scenarios_dir: str | Path | None = None,
    today: date | None = None,
) -> SelectionFiles:
    """Rank the candidates of survey year ``fiscal_year`` and write
    ``selection-FY<year>.docx`` and ``.xlsx`` into ``out_dir``.

    Registered systems come from ``systems_dir`` and defined forms from ``scenarios_dir``
    (defaults: the settings' folders); last year's results from the ledger at ``ledger_url``
    (default: jimu's ledger). Raises InventoryError for a wrong inventory, ConfigError for an
    invalid system.yaml, an unusable ledger URL or a missing Japanese font.
    """
    from reports.survey._selection_excel import write_selection_workbook
    from reports.survey._selection_word import write_selection_document

    inventory = load_inventory(inventory_path)
    ledger = Ledger(ledger_url)
    try:
        selection = build_selection(
            inventory,
            fiscal_year=fiscal_year,
            engine=ledger.engine,
            top=top,
            known_systems=load_known_systems(systems_dir),
            known_forms=load_known_forms(scenarios_dir),
            today=today,
        )
    finally:
        ledger.engine.dispose()
    out = Path(out_dir)
    workbook = write_selection_workbook(selection, out / f"selection-FY{fiscal_year}.xlsx")
    document = write_selection_document(selection, out / f"selection-FY{fiscal_year}.docx")
    log.info(
        "selection FY%d: %d candidates ranked, %d chosen, %d of last year's scenarios",
        fiscal_year,
        len(selection.ranking),
        len(selection.chosen),
        len(selection.last_year),
    )
    return SelectionFiles(
        workbook=workbook,
        document=document,
        ranking=selection.ranking,
        forecasts=selection.forecasts,
    )


def _departments(
    ranking: list[RankedCandidate],
    chosen: list[RankedCandidate],
    forecasts: dict[str, Forecast],
) -> list[DepartmentHours]:
    counts: Counter[str] = Counter()
    hours: defaultdict[str, float] = defaultdict(float)
    chosen_counts: Counter[str] = Counter()
    chosen_hours: defaultdict[str, float] = defaultdict(float)
    forecast_hours: defaultdict[str, float] = defaultdict(float)
    for r in ranking:
        counts[r.candidate.department] += 1
        hours[r.candidate.department] += r.annual_hours
    for r in chosen:
        department = r.candidate.department
        chosen_counts[department] += 1
        chosen_hours[department] += r.annual_hours
        forecast_hours[department] += forecasts[r.candidate.id].hours_per_year
    rows = [
        DepartmentHours(
            department=d,
            candidates=counts[d],
            annual_hours=hours[d],
            chosen=chosen_counts[d],
            chosen_hours=chosen_hours[d],
            forecast_hours=forecast_hours[d],
        )
        for d in counts
    ]
    return sorted(rows, key=lambda row: (-row.annual_hours, row.department))


def _last_period(fiscal_year: int, today: date) -> Period:
    whole = Period.fy(fiscal_year - 1)
    if whole.start <= today < whole.end:
        return Period(whole.start, today, fiscal_year=fiscal_year - 1)
    return whole


def _last_year(engine: Engine, inventory: Inventory, period: Period) -> list[LastYearScenario]:
    year = period.fiscal_year
    picked = [
        s
        for s in inventory.scenarios
        if (s.started_on is not None and fiscal_year_of(s.started_on) == year)
        or (
            s.status in _FOLLOWED
            and s.forecast.made_on is not None
            and fiscal_year_of(s.forecast.made_on) == year
        )
    ]
    if not picked:
        return []
    report = compute_hours(engine, inventory, period)
    rows = {str(row.scenario): row for row in report.by_scenario.itertuples(index=False)}
    result = []
    for entry in picked:
        row = rows[entry.id]
        achievement = float(row.achievement)
        result.append(
            LastYearScenario(
                scenario=entry.id,
                name=entry.name,
                department=entry.department,
                status=entry.status.value,
                made_on=entry.forecast.made_on,
                started_on=entry.started_on,
                forecast_per_year=entry.forecast.hours_per_year,
                forecast_hours=float(row.forecast_hours),
                saved_hours=float(row.saved_hours),
                done=int(row.done),
                achievement=None if achievement != achievement else achievement,  # NaN
            )
        )
    return result
