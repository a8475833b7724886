"""Form templates: where each field sits on the page, what it holds, and how sure to be.

A template is data (``template.yaml`` in a scenario folder), read by jimu's strict YAML
loader (:func:`core.yamlfile.load_yaml`) and validated by pydantic with ``extra="forbid"``; an
error names the file, the line and the key. Every number that sizes an image or a loop is
bounded (a page is at most :data:`MAX_PAGE_MM` a side, A3 and a margin), so a wrong template
is an error, not a page of gigapixels. The per-kind confidence thresholds live next to it in
``thresholds.yaml``, written by ``jimu ocr calibrate``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.errors import ConfigError
from core.yamlfile import YamlError, line_of, load_yaml

__all__ = [
    "ERAS",
    "KINDS",
    "LINE_KINDS",
    "MAX_FIELDS",
    "MAX_PAGE_MM",
    "MIN_PAGE_MM",
    "NAMES_FILE",
    "CircledOption",
    "EraName",
    "FieldKind",
    "FieldSpec",
    "FormTemplate",
    "RegistrationMarks",
    "StaticText",
    "Thresholds",
    "load_template",
    "template_dir",
]

FieldKind = Literal[
    "digits",
    "katakana",
    "kanji",
    "address",
    "date",
    "checkbox",
    "circled",
    "number",
    "amount",
    "seal",
]
KINDS: tuple[FieldKind, ...] = get_args(FieldKind)
#: Kinds written freely on one line (no boxes), read as a line of text.
LINE_KINDS: frozenset[str] = frozenset({"katakana", "kanji", "address", "number", "amount"})
_BOXED: frozenset[str] = frozenset({"digits", "date"})
DATE_BOXES = 7  # era code, YY, MM, DD
#: The eras a date's value can carry (its era code: 3, 4, 5).
EraName = Literal["昭和", "平成", "令和"]
ERAS: tuple[EraName, ...] = ("昭和", "平成", "令和")
#: A page size and its blank file's may differ this much (mm): printers round, PDFs too.
_BLANK_SLACK_MM = 3.0

#: Longest side of a page: A3 is 297 × 420 mm. Pages are drawn at up to 300 dpi, so this
#: keeps a blank form under 6,000 × 6,000 pixels.
MAX_PAGE_MM = 500.0
#: Shortest side of a page (a postcard is 100 × 148 mm).
MIN_PAGE_MM = 50.0
#: Most fields (and most printed texts) on one form.
MAX_FIELDS = 200
#: A form's own names (residents' names the shipped table lacks), beside its template.yaml.
NAMES_FILE = "person_names.tsv"

#: A position or length on the page, in mm.
Mm = Annotated[float, Field(ge=0, le=MAX_PAGE_MM)]


class _Model(BaseModel):
    # inf and nan are floats to YAML (.inf, .nan) but never a place on paper.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class RegistrationMarks(_Model):
    """Solid squares near the page corners; the reader aligns the scan on their centres.

    Optional: a form printed without them (a city's own, laid out in Excel) is aligned by
    its printed content instead.
    """

    size_mm: float = Field(gt=2, lt=20)
    centers_mm: tuple[tuple[Mm, Mm], ...] = Field(min_length=4, max_length=4)


class StaticText(_Model):
    """Printed text of the blank form (title, headings, notes)."""

    text: str = Field(max_length=200)
    x_mm: Mm
    y_mm: Mm
    size_mm: float = Field(default=3.5, gt=0, le=50)
    anchor: Literal["left", "center"] = "left"


class CircledOption(_Model):
    """One printed option of a ``circled`` field (○で囲む): the value it stands for, the
    words printed (``text``, default: the value, e.g. ``1.普通`` for 普通) and the box of the
    printed words on the blank, in mm."""

    value: str = Field(min_length=1, max_length=64)
    text: str | None = Field(default=None, min_length=1, max_length=64)
    x_mm: Mm
    y_mm: Mm
    width_mm: float = Field(ge=1, le=MAX_PAGE_MM)
    height_mm: float = Field(ge=1, le=MAX_PAGE_MM)

    @property
    def printed(self) -> str:
        """The words printed on the blank."""
        return self.text or self.value


#: Slack (mm) for an option's box against its field's area: positions are typed by hand.
_INSIDE_MM = 0.05


def _circled_problem(spec: FieldSpec) -> str | None:
    """Why the options of a ``circled`` field are wrong, or ``None``."""
    options = spec.options or ()
    if len(options) < 2:
        return "a circled field needs 'options': at least two printed options to circle"
    values = [o.value for o in options]
    if len(set(values)) != len(values):
        return f"the options of a circled field must differ: {values}"
    right, bottom = spec.x_mm + spec.width_mm, spec.y_mm + spec.height_mm
    for o in options:
        if (
            o.x_mm < spec.x_mm - _INSIDE_MM
            or o.y_mm < spec.y_mm - _INSIDE_MM
            or o.x_mm + o.width_mm > right + _INSIDE_MM
            or o.y_mm + o.height_mm > bottom + _INSIDE_MM
        ):
            return f"option {o.value!r} lies outside the field's area"
    for i, a in enumerate(options):
        for b in options[i + 1 :]:
            if (
                a.x_mm < b.x_mm + b.width_mm
                and b.x_mm < a.x_mm + a.width_mm
                and a.y_mm < b.y_mm + b.height_mm
                and b.y_mm < a.y_mm + a.height_mm
            ):
                return f"options {a.value!r} and {b.value!r} overlap"
    return None


class FieldSpec(_Model):
    """One field: name, printed label, rectangle in mm (top-left origin) and what it holds.

    Boxed kinds (``digits``, ``date``) split the rectangle into ``boxes`` equal boxes; a
    ``date`` has 7: the era code (3 昭和, 4 平成, 5 令和), then two boxes each for 年, 月, 日.
    Check boxes belong to a ``group`` (one choice per group) and carry the ``option`` they
    mean. ``charset`` overrides the kind's default set of characters; ``rule`` names an extra
    check (``my_number`` check digit, ``postal_code`` exists and matches the address, ``phone``
    shape, ``person_name`` a family and a given name with a space between them, which is
    found in the ink: see :mod:`ocr._names`). A ``digits`` field without a rule must fill
    every box. ``heading`` names the field where it stands alone — a review screen, a
    workbook column — when the printed label needs its section to be understood (``児童1
    氏名`` for an ``氏名`` in a child's row).
    A ``circled`` field (男・女, 昭和・平成・令和) lists its printed ``options``, each with its
    box inside the field's area; its value is the circled option's ``value`` (or empty).

    Free-written kinds: a ``number`` is digits and hyphens written on a line without boxes
    (a phone number, ``rule: phone``, or an account number); an ``amount`` is a sum of money
    with commas and a printed or written 円, its value the plain digits. A ``seal`` is the
    printed 印 place (circle or box): its value is ``1`` when a stamp is there, else empty.

    A フリガナ (``katakana``, ``rule: person_name``) names the 氏名 field it reads in
    ``reading_of``: each is then also weighed by the other, as the table of names pairs
    written names with their readings (see :mod:`ocr._name_lexicon`).
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    label: str = Field(max_length=100)
    heading: str | None = Field(default=None, max_length=100)
    kind: FieldKind
    x_mm: Mm
    y_mm: Mm
    width_mm: float = Field(ge=1, le=MAX_PAGE_MM)
    height_mm: float = Field(ge=1, le=MAX_PAGE_MM)
    boxes: int | None = Field(default=None, ge=1, le=30)
    charset: str | None = Field(default=None, min_length=1, max_length=10_000)
    required: bool = True
    group: str | None = Field(default=None, max_length=64)
    option: str | None = Field(default=None, max_length=64)
    rule: Literal["my_number", "postal_code", "phone", "person_name"] | None = None
    options: tuple[CircledOption, ...] | None = Field(default=None, max_length=20)
    era: EraName | None = None
    era_from: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    reading_of: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$", max_length=64)

    @property
    def printed_era(self) -> bool:
        """True for a date written as numbers in the gaps of a printed 「年　月　日」, its era
        printed (``era``) or circled in another field (``era_from``)."""
        return self.kind == "date" and (self.era is not None or self.era_from is not None)

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.kind != "date" and (self.era is not None or self.era_from is not None):
            raise ValueError("'era' and 'era_from' are only for date fields")
        if self.era is not None and self.era_from is not None:
            raise ValueError("a date's era is printed ('era') or circled ('era_from'), not both")
        if self.printed_era:
            if self.boxes is not None:
                raise ValueError(
                    "a date with a printed era has no 'boxes': its numbers are written "
                    "between the printed 年, 月 and 日"
                )
        elif self.kind in _BOXED and self.boxes is None:
            raise ValueError(f"a {self.kind} field needs 'boxes'")
        elif self.kind == "date" and self.boxes != DATE_BOXES:
            raise ValueError(
                f"a date field has {DATE_BOXES} boxes (era, YY, MM, DD), or 'era' / "
                "'era_from' for numbers written between a printed 年 月 日"
            )
        if self.kind not in _BOXED and self.boxes is not None:
            raise ValueError(f"'boxes' is only for {sorted(_BOXED)} fields")
        if self.kind == "checkbox" and (self.group is None or self.option is None):
            raise ValueError("a checkbox field needs 'group' and 'option'")
        if self.kind != "circled" and self.options is not None:
            raise ValueError("'options' are only for circled fields")
        if self.kind == "circled" and (problem := _circled_problem(self)) is not None:
            raise ValueError(problem)
        if self.rule is not None and self.kind not in _RULED[self.rule]:
            raise ValueError(f"rule {self.rule!r} is only for {sorted(_RULED[self.rule])} fields")
        return self


#: The kinds each rule can check.
_RULED: dict[str, frozenset[str]] = {
    "my_number": frozenset({"digits"}),
    "postal_code": frozenset({"digits"}),
    "phone": frozenset({"digits", "number"}),
    "person_name": frozenset({"katakana", "kanji"}),
}


#: A confidence threshold: 0–1, or 1.01 for "never accept without review".
Confidence = Annotated[float, Field(ge=0, le=1.01)]


class Thresholds(_Model):
    """Calibrated confidence thresholds per field kind and the target they were set for."""

    target_error: float = Field(default=0.005, gt=0, lt=1)
    calibration_fields: int = Field(default=0, ge=0, le=100_000_000)
    by_kind: dict[FieldKind, Confidence] = Field(default_factory=dict)
    by_rule: dict[Literal["my_number", "postal_code", "phone"], Confidence] = Field(
        default_factory=dict
    )

    def for_kind(self, kind: FieldKind) -> float:
        """The threshold of ``kind``; 1.01 (never auto-accept) when it was not calibrated."""
        return self.by_kind.get(kind, 1.01)

    def for_field(self, spec: FieldSpec) -> float:
        """The threshold of a field: its rule's (a check digit or table makes confidence mean
        more) when calibrated, else its kind's. Rules are calibrated on boxed digits: a
        free-written ``number`` with a rule has its kind's threshold."""
        if spec.kind == "digits" and spec.rule is not None and spec.rule in self.by_rule:
            return self.by_rule[spec.rule]
        return self.for_kind(spec.kind)


class RowCheck(_Model):
    """A row of a form a person fills in completely or not at all (a child's row)."""

    label: str = Field(max_length=100, description="the row in messages, e.g. 児童1")
    fields: tuple[str, ...] = Field(min_length=1, max_length=30)
    choice: str | None = Field(default=None, description="a check-box group the row needs")
    date: str | None = Field(default=None, description="the row's date field")
    after: str | None = Field(default=None, description="a date the row's date must follow")
    not_after: str | None = Field(default=None, description="a date it must not follow")


class PostalCheck(_Model):
    """A postal code and the address it must match."""

    postal_code: str
    address: str


class CrossChecks(_Model):
    """Rules across fields, named by field: a postal code that matches the address, dates
    that cannot lie in the future (after the day the form was received), rows filled in
    completely or not at all."""

    postal_matches_address: PostalCheck | None = None
    not_in_future: tuple[str, ...] = Field(default=(), max_length=MAX_FIELDS)
    rows: tuple[RowCheck, ...] = Field(default=(), max_length=MAX_FIELDS)

    def field_names(self) -> set[str]:
        """Every field the checks name."""
        names = set(self.not_in_future)
        if self.postal_matches_address:
            names |= {self.postal_matches_address.postal_code, self.postal_matches_address.address}
        for row in self.rows:
            names |= {*row.fields, *(n for n in (row.date, row.after, row.not_after) if n)}
        return names


def _check_reading(spec: FieldSpec, written: FieldSpec | None) -> None:
    """A フリガナ's ``reading_of`` names a 氏名 field; both are person names."""
    if spec.kind != "katakana" or spec.rule != "person_name":
        raise ValueError(
            f"field {spec.name!r} has 'reading_of' but is not a katakana field with "
            "rule person_name (a フリガナ)"
        )
    if written is None or written.kind != "kanji" or written.rule != "person_name":
        raise ValueError(
            f"field {spec.name!r} reads {spec.reading_of!r}, which is not a kanji field with "
            "rule person_name (a 氏名) of this form"
        )


class FormTemplate(_Model):
    """A whole form: page size, its printed blank file (``blank``, optional), registration
    marks (if printed), printed texts, fields and the checks across them.

    ``blank`` names the blank form as printed (a one-page PDF or image beside template.yaml,
    of the template's page size); the reader then aligns to it and masks its print, instead
    of jimu's drawing of the template.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)
    title: str = Field(max_length=200)
    page_mm: tuple[float, float] = (210.0, 297.0)
    blank: Path | None = None
    marks: RegistrationMarks | None = None
    texts: tuple[StaticText, ...] = Field(default=(), max_length=MAX_FIELDS)
    fields: tuple[FieldSpec, ...] = Field(min_length=1, max_length=MAX_FIELDS)
    checks: CrossChecks = CrossChecks()
    thresholds: Thresholds = Thresholds()
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("page_mm")
    @classmethod
    def _paper_size(cls, page_mm: tuple[float, float]) -> tuple[float, float]:
        # One check for both sides, so a wrong page is one line, not two.
        if not all(MIN_PAGE_MM <= side <= MAX_PAGE_MM for side in page_mm):
            raise ValueError(
                f"each side of the page must be {MIN_PAGE_MM:g}–{MAX_PAGE_MM:g} mm "
                f"(A4 is 210 × 297, A3 297 × 420)"
            )
        return page_mm

    @field_validator("blank")
    @classmethod
    def _blank_file(cls, blank: Path | None, info: ValidationInfo) -> Path | None:
        """The printed blank (a one-page PDF or image beside template.yaml) of this page size."""
        if blank is None:
            return None
        folder = (info.context or {}).get("folder")
        if not blank.is_absolute():
            if folder is None:
                return blank  # built in code: resolved and checked where it is drawn
            blank = Path(folder) / blank
        from ocr._blank import blank_page_mm

        try:
            size = blank_page_mm(blank)
        except ConfigError as exc:
            raise ValueError(exc.message) from exc
        page_mm = info.data.get("page_mm")
        if (
            size is not None
            and page_mm is not None
            and any(abs(a - b) > _BLANK_SLACK_MM for a, b in zip(size, page_mm, strict=True))
        ):
            raise ValueError(
                f"{blank.name} is {size[0]:.0f} × {size[1]:.0f} mm, the template's page_mm "
                f"{page_mm[0]:g} × {page_mm[1]:g}"
            )
        return blank.resolve()

    @model_validator(mode="after")
    def _unique(self) -> FormTemplate:
        names = [f.name for f in self.fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate field names: {duplicates}")
        unknown = sorted(self.checks.field_names() - set(names))
        if unknown:
            raise ValueError(f"checks name fields the form does not have: {unknown}")
        groups = {f.group for f in self.fields if f.group}
        missing = sorted({r.choice for r in self.checks.rows if r.choice} - groups)
        if missing:
            raise ValueError(f"checks name check-box groups the form does not have: {missing}")
        width, height = self.page_mm
        for spec in self.fields:
            if spec.x_mm + spec.width_mm > width or spec.y_mm + spec.height_mm > height:
                raise ValueError(f"field {spec.name!r} lies outside the page")
        by_name = {spec.name: spec for spec in self.fields}
        for spec in self.fields:
            if spec.reading_of is not None:
                _check_reading(spec, by_name.get(spec.reading_of))
            if spec.era_from is None:
                continue
            source = by_name.get(spec.era_from)
            if source is None or source.kind != "circled":
                raise ValueError(
                    f"field {spec.name!r} takes its era from {spec.era_from!r}, which is not a "
                    "circled field of this form"
                )
            other = sorted({o.value for o in source.options or ()} - set(ERAS))
            if other:
                raise ValueError(
                    f"the options of {spec.era_from!r} must be eras {list(ERAS)}, not {other}"
                )
        return self

    def blank_path(self) -> Path | None:
        """The printed blank file, resolved against the template's folder; ``None`` if the
        template has none (the reader then uses jimu's drawing of it)."""
        if self.blank is None or self.blank.is_absolute():
            return self.blank
        return (self.source.parent if self.source else Path.cwd()) / self.blank

    def names_path(self) -> Path | None:
        """The form's own table of names (``person_names.tsv`` beside ``template.yaml``, see
        :mod:`ocr._name_lexicon`); ``None`` if it has none."""
        if self.source is None:
            return None
        path = self.source.parent / NAMES_FILE
        return path if path.is_file() else None

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
    from core.scenario import scenarios_dir

    folder = scenarios_dir() / name
    if (folder / "template.yaml").is_file():
        return folder
    raise ConfigError(f"no form template called {name!r} (looked in {scenarios_dir()})")


def _load_yaml(path: Path, model: type[_Model]) -> Any:
    data, root = load_yaml(path, what=f"the {path.stem}")
    try:
        # Files a template names (its blank) are looked for beside it.
        return model.model_validate(data, context={"folder": path.parent})
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            line = line_of(root, loc)
            key = ".".join(str(part) for part in loc) or "(top)"
            problems.append((line, f"{path}:{line}: {key}: {error['msg']}"))
        raise YamlError([text for _, text in sorted(problems, key=lambda p: p[0])]) from exc


def load_template(name: str | Path) -> FormTemplate:
    """Load and validate a template by scenario name (``paper-intake``) or path.

    The calibrated thresholds (``thresholds.yaml`` beside it) are attached when present.
    Raises :class:`ConfigError` if there is no such template, and
    :class:`~core.yamlfile.YamlError` (a ConfigError) naming the file, the line and the key
    of every problem of its YAML files, one line each.
    """
    folder = template_dir(str(name))
    path = folder / "template.yaml"
    template: FormTemplate = _load_yaml(path, FormTemplate)
    thresholds_path = folder / "thresholds.yaml"
    update: dict[str, Any] = {"source": path}
    if thresholds_path.is_file():
        update["thresholds"] = _load_yaml(thresholds_path, Thresholds)
    loaded = template.model_copy(update=update)
    names = loaded.names_path()
    if names is not None:
        from ocr._name_table import read_name_table

        read_name_table(names)  # a wrong line is found now, not on the first name read
    return loaded
