"""The inventory (RPA管理台帳): every scenario jimu runs or may run, and every candidate task.

``inventory.yaml`` is data, validated here by pydantic models with ``extra="forbid"``. Its
keys are English snake_case (easy to type, stable in code and diffs); every field carries its
Japanese label as ``title`` (``Scenario.model_fields["department"].title == "担当課"``), and
reports print those labels. Statuses and data classifications are written in Japanese.

A wrong file raises :class:`InventoryError` (a :class:`~core.errors.ConfigError`) whose
message names the file, the line and the key, e.g.
``inventory.yaml:17: scenarios[0].baseline.minutes_per_item: Input should be greater than 0``.
The file is read by jimu's strict YAML loader (:func:`core.yamlfile.load_yaml`: a key written
twice is an error, not "the last one wins"); an empty file, or one with no entries, is an
error too, so a truncated register is never reported as sound. Counts and amounts are
bounded: the demo history is generated from ``items_per_year``.

Candidate priority (優先度) — from the annual July survey (7月調査)::

    年間見込み時間 annual_hours = items_per_year × minutes_per_item ÷ 60
    優先度 priority             = annual_hours × 実現可能性係数 (高 1.0 / 中 0.6 / 低 0.3)

so 1,000 hours a year that are hard to automate (300) rank below 600 easy ones (600).
"""

from __future__ import annotations

import enum
import functools
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    model_validator,
)

from core.errors import ConfigError
from core.yamlfile import YamlError, describe_errors, line_of, load_yaml

__all__ = [
    "MAX_ENTRIES",
    "MAX_ITEMS_PER_YEAR",
    "Baseline",
    "Candidate",
    "Costs",
    "DataClass",
    "Feasibility",
    "Forecast",
    "InputSource",
    "Inventory",
    "InventoryError",
    "ScenarioEntry",
    "ScenarioStatus",
    "load_inventory",
]

ScenarioId = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=2, max_length=64)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

#: Most items a year one task may have (the busiest counters of a large city see millions).
MAX_ITEMS_PER_YEAR = 10_000_000
#: Most entries in each of ``scenarios`` and ``candidates``.
MAX_ENTRIES = 1000


class InventoryError(ConfigError):
    """``inventory.yaml`` is unreadable or breaks the schema.

    ``message`` is the first problem (one line, with file, line and key) and how many more
    there are; ``problems`` holds every problem, one line each.
    """

    code = "inventory-invalid"

    def __init__(self, problems: Sequence[str]) -> None:
        extra = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{extra}")
        self.problems = tuple(problems)


class ScenarioStatus(enum.StrEnum):
    """状態. Only 開発中 and 稼働中 scenarios need a folder ``scenarios/<id>/``."""

    CANDIDATE = "候補"
    DEVELOPMENT = "開発中"
    ACTIVE = "稼働中"
    SUSPENDED = "停止"
    RETIRED = "廃止"

    @property
    def needs_folder(self) -> bool:
        """True for statuses whose scenario must exist as ``scenarios/<id>/scenario.yaml``."""
        return self in (ScenarioStatus.DEVELOPMENT, ScenarioStatus.ACTIVE)


class DataClass(enum.StrEnum):
    """データ区分: the most sensitive data the scenario touches."""

    MY_NUMBER = "個人番号を含む"
    SENSITIVE = "要配慮個人情報を含む"
    PERSONAL = "個人情報を含む"
    NONE = "個人情報なし"


class Feasibility(enum.StrEnum):
    """実現可能性 of a candidate, as judged by the RPA team after the July survey."""

    HIGH = "高"
    MEDIUM = "中"
    LOW = "低"

    @property
    def factor(self) -> float:
        """The weight in the priority formula: 高 1.0, 中 0.6, 低 0.3."""
        return {"高": 1.0, "中": 0.6, "低": 0.3}[self.value]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Baseline(_Model):
    """手作業の基準時間: minutes one item took by hand before automation, and how we know."""

    minutes_per_item: float = Field(gt=0, le=24 * 60, title="基準時間(分/件)")
    method: Text = Field(title="計測方法")
    measured_on: date = Field(title="計測日")
    measured_by: Text = Field(title="計測者")
    sample_size: int | None = Field(
        default=None, ge=1, le=MAX_ITEMS_PER_YEAR, title="計測件数"
    )


class Forecast(_Model):
    """導入前の効果予測: made before introduction; reports compare the ledger with it."""

    items_per_year: int = Field(ge=0, le=MAX_ITEMS_PER_YEAR, title="予測件数(件/年)")
    hours_per_year: float = Field(ge=0, le=10_000_000, title="予測削減時間(時間/年)")
    made_on: date | None = Field(default=None, title="予測日")


class Costs(_Model):
    """費用: development effort and recurring licences."""

    development_hours: float = Field(default=0, ge=0, le=1_000_000, title="開発工数(時間)")
    licence_yen_per_year: int = Field(
        default=0, ge=0, le=100_000_000_000, title="ライセンス費(円/年)"
    )


class ScenarioEntry(_Model):
    """One scenario (シナリオ). YAML keys and their labels:

    ``id`` ID (kebab-case, = folder name) · ``name`` 名称 · ``department`` 担当課 ·
    ``owner`` 主管者 · ``maintainer`` 保守担当 · ``status`` 状態 · ``target_systems`` 対象システム ·
    ``data_classification`` データ区分 · ``baseline`` 基準時間 · ``forecast`` 効果予測 ·
    ``costs`` 費用 · ``started_on`` 稼働開始日 · ``next_review_on`` 次回見直し日 · ``notes`` 備考.

    ``owner`` may be empty in the file; ``jimu inventory check`` reports an active scenario
    without one.
    """

    id: ScenarioId = Field(title="ID")
    name: Text = Field(title="名称")
    department: Text = Field(title="担当課")
    owner: Text | None = Field(default=None, title="主管者")
    maintainer: Text | None = Field(default=None, title="保守担当")
    status: ScenarioStatus = Field(title="状態")
    target_systems: list[Text] = Field(min_length=1, max_length=50, title="対象システム")
    data_classification: DataClass = Field(title="データ区分")
    baseline: Baseline = Field(title="基準時間")
    forecast: Forecast = Field(title="効果予測")
    costs: Costs = Field(default_factory=Costs, title="費用")
    started_on: date | None = Field(default=None, title="稼働開始日")
    next_review_on: date | None = Field(default=None, title="次回見直し日")
    notes: str = Field(default="", max_length=1000, title="備考")


class InputSource(enum.StrEnum):
    """入力元: where the data a task re-keys comes from (survey answer)."""

    PAPER = "紙"
    EXCEL = "Excel"
    E_APPLICATION = "電子申請"
    SYSTEM_SCREEN = "システム画面"
    OTHER = "その他"


class Candidate(_Model):
    """A candidate task from the annual July survey (7月調査). YAML keys and labels:

    ``id`` ID · ``name`` 業務名 · ``department`` 担当課 · ``survey_year`` 調査年度 ·
    ``items_per_year`` 年間件数 · ``minutes_per_item`` 1件あたり時間(分) ·
    ``feasibility`` 実現可能性 (高/中/低; empty until the RPA team judges it) ·
    ``data_classification`` データ区分 · ``notes`` 備考; from the survey workbook
    (``jimu survey collect``): ``contact`` 回答担当者 · ``input_from`` 入力元 ·
    ``input_to`` 入力先 (system name) · ``handwritten_form`` 手書き帳票か · ``busy_season``
    繁忙期 · ``source`` 回答ファイルと行.
    ``annual_hours`` and ``priority`` are computed (see the module docstring).
    """

    id: ScenarioId = Field(title="ID")
    name: Text = Field(title="業務名")
    department: Text = Field(title="担当課")
    survey_year: int = Field(ge=2000, le=2100, title="調査年度")
    items_per_year: int = Field(ge=0, le=MAX_ITEMS_PER_YEAR, title="年間件数")
    minutes_per_item: float = Field(gt=0, le=24 * 60, title="1件あたり時間(分)")
    feasibility: Feasibility | None = Field(default=None, title="実現可能性")
    data_classification: DataClass | None = Field(default=None, title="データ区分")
    notes: str = Field(default="", max_length=1000, title="備考")
    contact: Text | None = Field(default=None, title="回答担当者")
    input_from: InputSource | None = Field(default=None, title="入力元")
    input_to: Text | None = Field(default=None, title="入力先")
    handwritten_form: bool | None = Field(default=None, title="手書き帳票")
    busy_season: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, title="繁忙期"
    )
    source: Annotated[str, StringConstraints(max_length=300)] | None = Field(
        default=None, title="回答ファイル"
    )

    @property
    def annual_hours(self) -> float:
        """Hours a year the task takes by hand: items × minutes ÷ 60."""
        return self.items_per_year * self.minutes_per_item / 60

    @property
    def priority(self) -> float:
        """annual_hours × feasibility factor (高 1.0, 中 0.6, 低 0.3; not yet judged counts
        as 中), one decimal."""
        factor = self.feasibility.factor if self.feasibility else Feasibility.MEDIUM.factor
        return round(self.annual_hours * factor, 1)


class Inventory(_Model):
    """The whole register: ``scenarios`` (シナリオ) and ``candidates`` (候補業務)."""

    scenarios: list[ScenarioEntry] = Field(default_factory=list, max_length=MAX_ENTRIES)
    candidates: list[Candidate] = Field(default_factory=list, max_length=MAX_ENTRIES)
    _source: Path | None = PrivateAttr(default=None)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique_ids(self) -> Inventory:
        ids = [s.id for s in self.scenarios] + [c.id for c in self.candidates]
        repeated = sorted(key for key, n in Counter(ids).items() if n > 1)
        if repeated:
            raise ValueError(f"ids must be unique across scenarios and candidates: {repeated}")
        return self

    def scenario(self, scenario_id: str) -> ScenarioEntry | None:
        """The scenario with this id, or None."""
        return next((s for s in self.scenarios if s.id == scenario_id), None)

    def ranked_candidates(self) -> list[Candidate]:
        """Candidates by priority, highest first (ties by id)."""
        return sorted(self.candidates, key=lambda c: (-c.priority, c.id))

    @property
    def source(self) -> Path | None:
        """The file this inventory was loaded from (None if built in Python)."""
        return self._source

    def where(self, *loc: str | int) -> str:
        """``file:line`` of an entry such as ``where("scenarios", 0)`` (for messages)."""
        name = self._source.name if self._source else "inventory"
        line = self._lines.get(tuple(loc))
        return f"{name}:{line}" if line else name


def load_inventory(path: str | Path) -> Inventory:
    """Read and validate ``inventory.yaml``.

    Raises :class:`InventoryError` (a ConfigError) naming the file, the line and the key
    of every problem — the file unreadable, not strict YAML (see
    :func:`core.yamlfile.load_yaml`), breaking the schema, or with no entry at all.
    """
    path = Path(path)
    try:
        data, root = load_yaml(path, what="the inventory")
    except YamlError as exc:
        raise InventoryError(exc.problems) from exc
    if data is None:
        data = {}  # an empty file: reported below as an inventory with no entries
    if not isinstance(data, dict):
        raise InventoryError([f"{path}:1: the inventory must be a mapping with 'scenarios'"])
    problems = _duplicate_ids(path, root, data)
    if problems:
        raise InventoryError(problems)
    try:
        inventory = Inventory.model_validate(data)
    except ValidationError as exc:
        label = functools.partial(_entry_label, data)
        raise InventoryError(describe_errors(path, root, exc, label=label)) from exc
    if not inventory.scenarios and not inventory.candidates:
        raise InventoryError(
            [f"{path}:1: the inventory is empty: no scenarios and no candidates (is it the right "
             "file? list the scenarios under scenarios:)"]
        )
    inventory._source = path
    for section in ("scenarios", "candidates"):
        for index, _ in enumerate(getattr(inventory, section)):
            inventory._lines[(section, index)] = line_of(root, (section, index))
    return inventory


def _duplicate_ids(path: Path, root: yaml.Node | None, data: dict[str, Any]) -> list[str]:
    seen: dict[str, str] = {}
    problems = []
    for section in ("scenarios", "candidates"):
        entries = data.get(section)
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                continue
            key = f"{section}[{index}].id"
            if entry["id"] in seen:
                line = line_of(root, (section, index, "id"))
                first = seen[entry["id"]]
                problems.append(
                    f"{path}:{line}: {key}: id {entry['id']!r} is already used by {first}"
                )
            else:
                seen[entry["id"]] = key
    return problems


def _entry_label(data: Any, loc: tuple[Any, ...]) -> str:
    # Name the entry by its id too: "scenarios[3]" alone is hard to find in a long file.
    if len(loc) >= 3 and isinstance(loc[1], int) and isinstance(data, dict):
        entries = data.get(loc[0])
        if isinstance(entries, list) and loc[1] < len(entries):
            entry = entries[loc[1]]
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                return f" (id {entry['id']})"
    return ""
