"""Ranking the survey's candidates (選定): hours a year × how well jimu fits × risk.

::

    優先度スコア score = 年間時間 annual_hours × 適合度 fit × リスク係数 risk   (one decimal)
    年間時間 annual_hours = items_per_year × minutes_per_item ÷ 60

The factors, from the survey answer (入力元, 入力先, 手書き帳票, データ区分, 繁忙期) and the RPA
team's own judgement (実現可能性):

======  =========================================================  =================
factor  when                                                       value
======  =========================================================  =================
適合度  入力元 Excel / 電子申請 (a table keyed into a screen)      0.8
適合度  入力元 紙, printed (手書き帳票 いいえ): AI-OCR reads it    0.6
適合度  入力元 紙, handwritten, its form already defined           0.6
適合度  入力元 紙, handwritten or not answered: a form to define   0.5
適合度  入力元 システム画面 (screen → screen)                      0.5
適合度  入力元 その他, or not answered                             0.3
適合度  入力先 is a registered system (systems/*/system.yaml)      × 1.25, ≤ 1.0
適合度  実現可能性 judged by the RPA team: replaces all above      高1.0 中0.6 低0.3
リスク  データ区分 個人番号を含む (access rights, a second check)  × 0.9
リスク  繁忙期 answered                                            × 1.0
======  =========================================================  =================

Why these choices:

* A registered system (its login, session limit and personal fields are in ``systems/``)
  needs no new page objects for logging in, so a table going into it is the best case
  (0.8 × 1.25 = 1.0). The name matches if one NFKC-normalised name contains the other
  (``子育て支援システム`` matches ``業務システム（子育て支援システム）``); the part inside
  brackets counts as a name of its own.
* A handwritten form needs an AI-OCR template and a review step before the first item;
  ``known_forms`` holds the titles of forms jimu has defined (``scenarios/*/template.yaml``)
  and a candidate whose 業務名 or 備考 names one is treated like printed paper.
* The RPA team's 実現可能性, once judged, overrides the estimate, so a judged candidate
  scores ``annual_hours × factor × risk`` — the inventory's own ``priority`` times the risk.
* 個人番号 lowers the score modestly and never excludes: such a task needs narrower access
  rights and a second person's check (ベリファイ), but it is often where the hours are.
* 繁忙期 leaves the score alone (× 1.0), on purpose. It raises urgency (the peak is when
  staff need relief) and adds risk (a robot failing in the peak falls back on the busiest
  people); the peak's items are already counted in the annual hours, and the risk is one of
  timing that the plan answers (go live before the season, with the manual procedure kept
  ready), not a reason to rank the busiest 課 lower. The reason says so:
  ``繁忙期 3–4月: 稼働は繁忙期前に``.

Which candidates: those of the survey year ``fiscal_year``, and those of earlier surveys
still listed as candidates (carried over, 継続候補) unless a scenario of the same name exists
(it was taken up). Candidates of later surveys are left out. Ties in score go by id.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from core.inventory import Candidate, DataClass, Feasibility, InputSource, Inventory
from core.systems import all_systems
from core.text import nfkc
from core.yamlfile import load_yaml

__all__ = [
    "FIT_REGISTERED_SYSTEM",
    "RISK_MY_NUMBER",
    "RankedCandidate",
    "load_known_forms",
    "load_known_systems",
    "rank_candidates",
    "selected",
]

log = logging.getLogger(__name__)

FIT_TABLE = 0.8
FIT_PRINTED_PAPER = 0.6
FIT_KNOWN_FORM = 0.6
FIT_HANDWRITTEN = 0.5
FIT_SCREEN = 0.5
FIT_OTHER = 0.3
#: Multiplier of the fit when the 入力先 is a registered system (the fit stays ≤ 1.0).
FIT_REGISTERED_SYSTEM = 1.25
#: Multiplier of the score for a task that handles 個人番号.
RISK_MY_NUMBER = 0.9
#: Multiplier of the score for a task with a 繁忙期 (see the module docstring: neutral).
RISK_BUSY_SEASON = 1.0

_SPACES = re.compile(r"\s+")
_BRACKETS = re.compile(r"[(\[（【「]([^)\]）】」]*)[)\]）】」]")


@dataclass(frozen=True)
class RankedCandidate:
    """One candidate's place in the ranking and why.

    ``fit`` and ``risk`` are the factors of the module docstring, ``score`` their product
    with ``annual_hours`` (one decimal), ``rank`` 1 for the best; ``reasons`` are short
    Japanese phrases for the 理由 column; ``system`` is the id of the registered system the
    入力先 matched, if any; ``carried_over`` marks a candidate of an earlier survey.
    """

    candidate: Candidate
    annual_hours: float
    fit: float
    risk: float
    score: float
    rank: int
    reasons: list[str] = field(default_factory=list)
    system: str | None = None
    carried_over: bool = False

    @property
    def fit_label(self) -> str:
        """The fit as 高 (≥ 0.8), 中 (≥ 0.5) or 低, for people who do not read factors."""
        if self.fit >= 0.8:
            return "高"
        return "中" if self.fit >= 0.5 else "低"


@dataclass(frozen=True)
class _Fit:
    value: float
    reasons: list[str]
    system: str | None


def rank_candidates(
    inventory: Inventory,
    *,
    fiscal_year: int,
    known_systems: Mapping[str, str] | None = None,
    known_forms: Collection[str] | None = None,
) -> list[RankedCandidate]:
    """The candidates of survey year ``fiscal_year`` (and earlier ones carried over), best
    first, scored as the module docstring says.

    ``known_systems`` maps a registered system's id to its Japanese name (see
    :func:`load_known_systems`); ``known_forms`` holds the titles of defined AI-OCR forms
    (see :func:`load_known_forms`). Both default to none known.
    """
    systems = dict(known_systems or {})
    forms = _forms(known_forms)
    taken_up = {_norm(s.name) for s in inventory.scenarios}
    scored: list[tuple[float, str, RankedCandidate]] = []
    for candidate in inventory.candidates:
        if candidate.survey_year > fiscal_year:
            continue
        carried = candidate.survey_year < fiscal_year
        if carried and _norm(candidate.name) in taken_up:
            continue
        entry = _score(candidate, systems=systems, forms=forms, carried=carried)
        scored.append((-entry.score, candidate.id, entry))
    scored.sort(key=lambda each: each[:2])
    ranked = [
        dataclasses.replace(entry, rank=rank) for rank, (_, _, entry) in enumerate(scored, start=1)
    ]
    log.info(
        "ranked %d candidates of survey year %d (%d carried over)",
        len(ranked),
        fiscal_year,
        sum(r.carried_over for r in ranked),
    )
    return ranked


def load_known_systems(systems_dir: str | Path | None = None) -> dict[str, str]:
    """Every registered system's id and Japanese name, from ``<systems_dir>/*/system.yaml``
    (default: the settings' systems folder). Raises ConfigError for an invalid system.yaml."""
    root = Path(systems_dir) if systems_dir is not None else None
    return {system.id: system.name for system in all_systems(root=root)}


def load_known_forms(scenarios_dir: str | Path | None = None) -> set[str]:
    """The titles of the AI-OCR forms jimu has defined: ``title`` of every
    ``<scenarios_dir>/*/template.yaml`` (default: the settings' scenarios folder).

    Raises ConfigError (a YamlError naming file and line) for a template that is not YAML.
    """
    if scenarios_dir is None:
        from core.settings import get_settings

        scenarios_dir = get_settings().scenarios_dir
    titles: set[str] = set()
    for path in sorted(Path(scenarios_dir).glob("*/template.yaml")):
        data, _ = load_yaml(path, what="the form template")
        if isinstance(data, dict) and isinstance(data.get("title"), str):
            titles.add(data["title"])
    return titles


def _score(
    candidate: Candidate,
    *,
    systems: dict[str, str],
    forms: list[tuple[str, str]],
    carried: bool,
) -> RankedCandidate:
    hours = candidate.annual_hours
    fit = _fit(candidate, systems, forms)
    reasons = [
        f"年間 {_hours(hours)} 時間（{candidate.items_per_year:,}件 × "
        f"{_number(candidate.minutes_per_item)}分）",
        *fit.reasons,
    ]
    risk = 1.0
    if candidate.data_classification == DataClass.MY_NUMBER:
        risk *= RISK_MY_NUMBER
        reasons.append("個人番号を扱う: 権限と二重確認が必要")
    if candidate.busy_season and candidate.busy_season.strip():
        risk *= RISK_BUSY_SEASON
        season = _SPACES.sub(" ", nfkc(candidate.busy_season).strip())
        reasons.append(f"繁忙期 {season}: 稼働は繁忙期前に")
    if carried:
        reasons.append(f"{candidate.survey_year}年度調査からの継続候補")
    return RankedCandidate(
        candidate=candidate,
        annual_hours=hours,
        fit=fit.value,
        risk=risk,
        score=round(hours * fit.value * risk, 1),
        rank=0,
        reasons=reasons,
        system=fit.system,
        carried_over=carried,
    )


def _fit(candidate: Candidate, systems: dict[str, str], forms: list[tuple[str, str]]) -> _Fit:
    reasons: list[str] = []
    source = candidate.input_from
    target = candidate.input_to
    if source in (InputSource.EXCEL, InputSource.E_APPLICATION):
        value = FIT_TABLE
        reasons.append(f"{source.value}の表から画面への転記: RPAに向く")
    elif source == InputSource.PAPER and candidate.handwritten_form is False:
        value = FIT_PRINTED_PAPER
        reasons.append("紙（活字）の帳票: AI-OCRで読み取れる")
    elif source == InputSource.PAPER:
        form = _known_form(candidate, forms)
        if form is not None:
            value = FIT_KNOWN_FORM
            reasons.append(f"手書き帳票: AI-OCRの様式は定義済み（{form}）")
        else:
            value = FIT_HANDWRITTEN
            which = "手書き帳票" if candidate.handwritten_form else "紙の帳票（手書きか未回答）"
            reasons.append(f"{which}: AI-OCRの様式定義が必要")
    elif source == InputSource.SYSTEM_SCREEN:
        value = FIT_SCREEN
        reasons.append("システム画面から画面への転記: 画面の読取りが必要")
    elif source == InputSource.OTHER:
        value = FIT_OTHER
        reasons.append("入力元 その他: 方法を個別に確認")
    else:
        value = FIT_OTHER
        if candidate.feasibility is None:  # a judged candidate's fit is not this estimate
            reasons.append("入力元が未回答: 適合度を低く見積もり")
    system = _match_system(target, systems) if target else None
    if system is not None:
        value = min(1.0, value * FIT_REGISTERED_SYSTEM)
        reasons.append(f"入力先の業務システムは登録済み（{system}）")
    elif target:
        reasons.append(f"入力先「{target}」は未登録: system.yaml の登録が必要")
    if candidate.feasibility is not None:
        value = candidate.feasibility.factor
        reasons.insert(0, _judged(candidate.feasibility))
    return _Fit(value=value, reasons=reasons, system=system)


def _judged(feasibility: Feasibility) -> str:
    return f"実現可能性 {feasibility.value}（RPA担当の評価、適合度 {feasibility.factor:.1f}）"


def _match_system(target: str, systems: dict[str, str]) -> str | None:
    """The id of the registered system whose name contains, or is contained in, ``target``
    (NFKC, spaces and case ignored); the id itself matches too. First by id if several."""
    wanted = _norm(target)
    if not wanted:
        return None
    for system_id in sorted(systems):
        if wanted == _norm(system_id):
            return system_id
        for name in _names(systems[system_id]):
            if wanted == name or (_meaningful(wanted, name) and (wanted in name or name in wanted)):
                return system_id
    return None


def _names(name: str) -> list[str]:
    """A system's name and its parts: ``業務システム（子育て支援システム）`` is also known as
    ``業務システム`` and ``子育て支援システム``."""
    text = nfkc(name)
    parts = [text, _BRACKETS.sub("", text), *_BRACKETS.findall(text)]
    return [n for n in dict.fromkeys(_norm(p) for p in parts) if n]


def _meaningful(a: str, b: str) -> bool:
    # "システム" alone, or one letter and "システム", must not match every system.
    shorter = min(a, b, key=len)
    return len(shorter.replace("システム", "")) >= 2


def _forms(known_forms: Collection[str] | None) -> list[tuple[str, str]]:
    """Each known form's title and its normalised text, for matching."""
    return [(form.strip(), _norm(form)) for form in sorted(known_forms or ()) if _norm(form)]


def _known_form(candidate: Candidate, forms: list[tuple[str, str]]) -> str | None:
    text = _norm(f"{candidate.name} {candidate.notes}")
    return next((title for title, norm in forms if norm in text), None)


def _norm(text: str) -> str:
    return _SPACES.sub("", nfkc(text)).casefold()


def _hours(value: float) -> str:
    """``1,267`` from 100 hours up, ``12.5`` below (rounded half up, as Excel shows it)."""
    places = Decimal("1") if value >= 100 else Decimal("0.1")
    rounded = Decimal(repr(round(value, 9))).quantize(places, rounding=ROUND_HALF_UP)
    return f"{rounded:,}".removesuffix(".0")


def _number(value: float) -> str:
    return f"{value:g}"


def selected(ranking: Iterable[RankedCandidate], *, top: int) -> list[RankedCandidate]:
    """The first ``top`` candidates that save anything (score above zero)."""
    return [r for r in ranking if r.score > 0][:top]
