"""The form template: it loads, validates, and reports mistakes by file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

import ocr
from core.errors import ConfigError
from ocr import FormTemplate, load_template


def test_template_loads_with_every_field_of_the_issue(template: FormTemplate) -> None:
    kinds = {spec.name: (spec.kind, spec.boxes) for spec in template.fields}
    assert kinds["my_number"] == ("digits", 12)
    assert kinds["postal_code"] == ("digits", 7)
    assert kinds["account_number"] == ("digits", 7)
    assert kinds["phone"][0] == "digits"
    assert kinds["name_kana"][0] == "katakana"
    assert kinds["name"][0] == "kanji"
    assert kinds["birth_date"] == ("date", 7)
    assert kinds["request_date"] == ("date", 7)
    assert {f"child{i}_birth_date" for i in (1, 2, 3)} <= set(kinds)
    groups = {spec.group for spec in template.fields if spec.kind == "checkbox"}
    assert groups == {"has_spouse", "account_type", "gender"} | {
        f"child{i}_gender" for i in (1, 2, 3)
    }
    assert len(template.marks.centers_mm) == 4


def test_thresholds_are_calibrated_for_every_kind(template: FormTemplate) -> None:
    assert set(template.thresholds.by_kind) == set(ocr._template.KINDS)
    assert template.thresholds.target_error == 0.005


def test_a_mistake_names_file_line_and_key(tmp: Path) -> None:
    text = Path(load_template("paper-intake").source or "").read_text(encoding="utf-8")
    where = "kind: katakana, x_mm: 48, y_mm: 50"
    broken = text.replace(where, where + ", colour: red", 1)
    (tmp / "template.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_template(tmp)
    line = next(i for i, row in enumerate(broken.splitlines(), start=1) if "colour" in row)
    assert f"template.yaml:{line}: fields.1.colour" in caught.value.message


def test_an_unknown_template_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no-such-form"):
        load_template("no-such-form")


def test_public_names_are_sorted() -> None:
    assert ocr.__all__ == sorted(ocr.__all__)
    for name in ocr.__all__:
        assert hasattr(ocr, name)
