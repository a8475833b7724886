"""Form templates: where each field sits on the page, what it holds, and how sure to be.

A template is data (``template.yaml`` in a scenario folder), validated by pydantic with
``extra="forbid"``; an error names the file, the line and the key. The per-kind confidence
thresholds live next to it in ``thresholds.yaml``, written by ``jimu ocr calibrate``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import ConfigError

__all__ = [
    "KINDS",
    "FieldKind",
    "FieldSpec",
    "FormTemplate",
    "RegistrationMarks",
    "StaticText",
    "Thresholds",
    "load_template",
    "template_dir",
]

FieldKind = Literal["digits", "katakana", "kanji", "address", "date", "checkbox"]
KINDS: tuple[FieldKind, ...] = ("digits", "katakana", "kanji", "address", "date", "checkbox")
_BOXED: frozenset[str] = frozenset({"digits", "date"})
DATE_BOXES = 7  # era code, YY, MM, DD

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegistrationMarks(_Model):
    """Solid squares near the page corners; the reader aligns the scan on their centres."""

    size_mm: float = Field(gt=2, lt=20)
    centers_mm: tuple[tuple[float, float], ...] = Field(min_length=4, max_length=4)


class StaticText(_Model):
    """Printed text of the blank form (title, headings, notes)."""

    text: str
    x_mm: float
    y_mm: float
    size_mm: float = 3.5
    anchor: Literal["left", "center"] = "left"


class FieldSpec(_Model):
    """One field: name, printed label, rectangle in mm (top-left origin) and what it holds.

    Boxed kinds (``digits``, ``date``) split the rectangle into ``boxes`` equal boxes; a
    ``date`` has 7: the era code (3 昭和, 4 平成, 5 令和), then two boxes each for 年, 月, 日.
    Check boxes belong to a ``group`` (one choice per group) and carry the ``option`` they
    mean. ``charset`` overrides the kind's default set of characters; ``rule`` names an extra
    check (``my_number`` check digit, ``postal_code`` exists and matches the address, ``phone``
    shape). A ``digits`` field without a rule must fill every box.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    kind: FieldKind
    x_mm: float = Field(ge=0)
    y_mm: float = Field(ge=0)
    width_mm: float = Field(gt=0)
    height_mm: float = Field(gt=0)
    boxes: int | None = Field(default=None, ge=1, le=30)
    charset: str | None = None
    required: bool = True
    group: str | None = None
    option: str | None = None
    rule: Literal["my_number", "postal_code", "phone"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.kind in _BOXED and self.boxes is None:
            raise ValueError(f"a {self.kind} field needs 'boxes'")
        if self.kind == "date" and self.boxes != DATE_BOXES:
            raise ValueError(f"a date field has {DATE_BOXES} boxes (era, YY, MM, DD)")
        if self.kind not in _BOXED and self.boxes is not None:
            raise ValueError(f"'boxes' is only for {sorted(_BOXED)} fields")
        if self.kind == "checkbox" and (self.group is None or self.option is None):
            raise ValueError("a checkbox field needs 'group' and 'option'")
        return self


class Thresholds(_Model):
    """Calibrated confidence thresholds per field kind and the target they were set for."""

    target_error: float = Field(default=0.005, gt=0, lt=1)
    calibration_fields: int = 0
    by_kind: dict[FieldKind, float] = Field(default_factory=dict)
    by_rule: dict[Literal["my_number", "postal_code", "phone"], float] = Field(
        default_factory=dict)

    def for_kind(self, kind: FieldKind) -> float:
        """The threshold of ``kind``; 1.01 (never auto-accept) when it was not calibrated."""
        return self.by_kind.get(kind, 1.01)

    def for_field(self, spec: FieldSpec) -> float:
        """The threshold of a field: its rule's (a check digit or table makes confidence mean
        more) when calibrated, else its kind's."""
        if spec.rule is not None and spec.rule in self.by_rule:
            return self.by_rule[spec.rule]
        return self.for_kind(spec.kind)


class FormTemplate(_Model):
    """A whole form: page size, registration marks, printed texts and fields."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str
    page_mm: tuple[float, float] = (210.0, 297.0)
    marks: RegistrationMarks
    texts: tuple[StaticText, ...] = ()
    fields: tuple[FieldSpec, ...] = Field(min_length=1)
    thresholds: Thresholds = Thresholds()
    source: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique(self) -> FormTemplate:
        names = [f.name for f in self.fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate field names: {duplicates}")
        width, height = self.page_mm
        for spec in self.fields:
            if spec.x_mm + spec.width_mm > width or spec.y_mm + spec.height_mm > height:
                raise ValueError(f"field {spec.name!r} lies outside the page")
        return self

    def field(self, name: str) -> FieldSpec:
        """The field called ``name``; raises :class:`ConfigError` if there is none."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise ConfigError(f"template {self.name!r} has no field {name!r}")


def template_dir(name: str) -> Path:
    """The folder of the template called ``name`` (a scenario folder or a path)."""
    candidate = Path(name)
    if candidate.is_dir():
        return candidate
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate.parent
    folder = SCENARIOS / name
    if (folder / "template.yaml").is_file():
        return folder
    raise ConfigError(f"no form template called {name!r} (looked in {SCENARIOS})")


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    line = None if node is None else node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            found = node.value[key] if key < len(node.value) else None
        else:
            found = None
        if found is None:
            break
        node, line = found, found.start_mark.line + 1
    return line


def _load_yaml(path: Path, model: type[_Model]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read YAML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        line = _line_of(yaml.compose(text), loc)
        key = ".".join(str(part) for part in loc) or "(top)"
        raise ConfigError(f"{path}:{line}: {key}: {error['msg']}") from exc


def load_template(name: str | Path) -> FormTemplate:
    """Load and validate a template by scenario name (``paper-intake``) or path.

    The calibrated thresholds (``thresholds.yaml`` beside it) are attached when present.
    Raises :class:`ConfigError` naming the file, line and key of the first problem.
    """
    folder = template_dir(str(name))
    path = folder / "template.yaml"
    template: FormTemplate = _load_yaml(path, FormTemplate)
    thresholds_path = folder / "thresholds.yaml"
    update: dict[str, Any] = {"source": path}
    if thresholds_path.is_file():
        update["thresholds"] = _load_yaml(thresholds_path, Thresholds)
    return template.model_copy(update=update)
