"""``scenarios/<id>/steps.yaml``: a table → web-form scenario, written with no Python.

The source (a sheet or a CSV, :class:`~flows.declared.SourceSpec`), the registered system it
writes to, and the steps a person would take for each row, naming fields and buttons by what
the screen shows::

    system: kokuho-system
    start: /frame                       # each row begins here (logged in if need be)
    errors: "font[color=red]"           # where the screen shows its own error messages
    search:                             # is the row already registered? (exactly once)
      - click: 被保険者検索
      - fill: {個人番号: =個人番号}
        frame: main
      - click: 検索
        frame: main
    found: {read: 被保険者番号, frame: main, none: 該当する被保険者はいません}
    register:
      - click: 資格取得届 登録
      - fill: {氏名: =氏名, 氏名カナ: =半角カナ(氏名カナ)}
        frame: main
      - click: 住所検索
        frame: main
        popup: [{click: 選択}]
      - click: 登録
        frame: main
        dialog: accept                  # the confirm() before 登録
    result: {read: 被保険者番号, frame: main}
    write_back: {column: 被保険者番号}

Every mistake is a :class:`~core.errors.ConfigError` naming file, line and key; an unknown
column or function in a value names it when the file is loaded, not on row 1 of 200.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.errors import ConfigError
from core.yamlfile import load_yaml_model
from flows.declared._expressions import Expression, parse_expression
from flows.declared._source import SourceSpec

__all__ = [
    "DeclaredScenario",
    "Lookup",
    "Step",
    "all_steps",
    "load_declared",
    "steps_path",
]

STEPS_FILE = "steps.yaml"

Name = str  # a field's or button's name as the screen shows it


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


_ACTIONS = ("open", "click", "fill", "expect", "call")


class Step(_Model):
    """One thing a person does on the screen: exactly one of ``open``, ``click``, ``fill``,
    ``expect``, or ``call`` (a Python hook); ``frame`` says where (a frame's name; the page
    itself if absent)."""

    open: str | None = Field(default=None, pattern=r"^/", max_length=500,
                             description="a path of the system to go to")  # fmt: skip
    click: Name | None = Field(default=None, min_length=1, max_length=200)
    fill: dict[Name, str | bool] | None = Field(default=None, max_length=200)
    expect: str | None = Field(default=None, min_length=1, max_length=200,
                               description="a text the screen must show")  # fmt: skip
    call: str | None = Field(default=None, pattern=r"^[A-Za-z_]\w*$", max_length=100,
                             description="a function of the scenario's hooks.py")  # fmt: skip
    frame: str | None = Field(default=None, min_length=1, max_length=100)
    dialog: Literal["accept", "dismiss"] | None = Field(
        default=None, description="the click opens a confirm(): answer it so"
    )
    popup: list[Step] | None = Field(
        default=None, max_length=50, description="the click opens a window: steps in it"
    )
    commit: bool = Field(
        default=False,
        description="the click that registers (a dry run stops before it); "
        "default: the last click of `register`",
    )

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        actions = [k for k in _ACTIONS if getattr(self, k) is not None]
        if len(actions) != 1:
            raise ValueError("a step does exactly one of open, click, fill, expect, call "
                             f"(this one: {', '.join(actions) or 'none'})")  # fmt: skip
        if (self.dialog or self.popup is not None or self.commit) and self.click is None:
            raise ValueError("dialog, popup and commit belong to a click")
        return self

    @property
    def action(self) -> str:
        """``open``, ``click``, ``fill``, ``expect`` or ``call``."""
        return next(k for k in _ACTIONS if getattr(self, k) is not None)


class Lookup(_Model):
    """Where the screen shows the record's number: ``read`` (a label or a results column),
    and for a search, ``none``: the text shown when there is no such record."""

    read: Name = Field(min_length=1, max_length=200)
    frame: str | None = Field(default=None, min_length=1, max_length=100)
    none: str | None = Field(default=None, min_length=1, max_length=200)


class WriteBack(_Model):
    """The result workbook's column for the record's number (e.g. 被保険者番号)."""

    column: str = Field(min_length=1, max_length=100)


class DeclaredScenario(_Model):
    """A scenario's ``steps.yaml``."""

    source: SourceSpec
    system: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=48)
    start: str = Field(default="/", pattern=r"^/", max_length=500,
                       description="the path each row starts from")  # fmt: skip
    errors: str | None = Field(
        default=None, max_length=200,
        description="CSS of the screen's own error messages (e.g. font[color=red])",
    )  # fmt: skip
    search: list[Step] = Field(min_length=1, max_length=100)
    found: Lookup
    registration: list[Step] = Field(
        alias="register", min_length=1, max_length=200, description="the steps that register"
    )
    result: Lookup
    write_back: WriteBack

    @field_validator("found")
    @classmethod
    def _search_says_none(cls, found: Lookup) -> Lookup:
        if found.none is None:
            raise ValueError(
                "found needs `none:`, the text the search shows when there is no record; "
                "without it an empty screen would count as 'not registered' and register twice"
            )
        return found

    @model_validator(mode="after")
    def _one_commit(self) -> DeclaredScenario:
        commits = [s for s in _walk(self.registration) if s.commit]
        if len(commits) > 1:
            raise ValueError("register: at most one click has commit: true")
        if not any(s.click for s in self.registration):
            raise ValueError("register: no click sends the screen")
        return self

    def commit_step(self) -> Step:
        """The click that registers: the one marked ``commit``, else the last click."""
        marked = [s for s in _walk(self.registration) if s.commit]
        return marked[0] if marked else [s for s in self.registration if s.click][-1]

    def expressions(self) -> dict[tuple[str, str], Expression]:
        """Every ``fill`` value parsed, keyed by (step's frame or "", field name)."""
        columns = self.source.described()
        parsed: dict[tuple[str, str], Expression] = {}
        for step in _walk([*self.search, *self.registration]):
            for name, value in (step.fill or {}).items():
                parsed[(step.frame or "", name)] = parse_expression(value, columns)
        return parsed


def all_steps(declared: DeclaredScenario) -> list[Step]:
    """Every step of the search and the registration, pop-ups' steps included."""
    return _walk([*declared.search, *declared.registration])


def _walk(steps: list[Step]) -> list[Step]:
    flat: list[Step] = []
    for step in steps:
        flat.append(step)
        flat += _walk(step.popup or [])
    return flat


def steps_path(folder: Path) -> Path:
    """The scenario's ``steps.yaml``."""
    return folder / STEPS_FILE


def load_declared(folder: Path) -> DeclaredScenario:
    """Load and check ``<folder>/steps.yaml``: the model, then every value's expression."""
    path = steps_path(folder)
    if not path.is_file():
        raise ConfigError(f"{path} does not exist: a table-to-form scenario describes its "
                          "steps there")  # fmt: skip
    declared = load_yaml_model(path, DeclaredScenario, what="the scenario's steps")
    columns = declared.source.described()
    lines = path.read_text(encoding="utf-8").splitlines()
    for step in _walk([*declared.search, *declared.registration]):
        for name, value in (step.fill or {}).items():
            try:
                parse_expression(value, columns)
            except ConfigError as exc:
                line = _line_of(lines, name, value)
                raise ConfigError(f"{path}:{line}: fill: {name}: {exc.message}") from None
    return declared


def _line_of(lines: list[str], name: str, value: str | bool) -> int | str:
    """The line that sets ``name: value`` (a block or a flow mapping), or "?"."""
    for number, line in enumerate(lines, start=1):
        if name in line and str(value) in line:
            return number
    return "?"
