"""The form template: it loads, validates, and reports mistakes by file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

import ocr
from core.errors import ConfigError
from core.yamlfile import YamlError
from ocr import FormTemplate, load_template
from ocr._calibrate import CALIBRATION_FORMS


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
    assert template.marks is not None
    assert len(template.marks.centers_mm) == 4


def test_thresholds_are_calibrated_for_every_kind(template: FormTemplate) -> None:
    # every kind and rule the form has, and only those (paper-intake circles nothing: its
    # boxes are ticked, so `circled` needs no threshold here); a kind whose calibration
    # fields could not vouch for the target is there too, at 1.01 (never auto-accepted)
    assert set(template.thresholds.by_kind) == {spec.kind for spec in template.fields}
    # rules are calibrated apart on boxed digits; a name's rule only adds a check
    digit_rules = {spec.rule for spec in template.fields if spec.rule and spec.kind == "digits"}
    assert set(template.thresholds.by_rule) == digit_rules
    assert set(template.thresholds.by_kind) <= set(ocr._template.KINDS)
    assert template.thresholds.target_error == 0.005
    assert template.thresholds.calibration_fields >= CALIBRATION_FORMS * len(template.fields)


def test_a_mistake_names_file_line_and_key(tmp: Path) -> None:
    text = Path(load_template("paper-intake").source or "").read_text(encoding="utf-8")
    where = "kind: katakana, rule: person_name, x_mm: 48, y_mm: 50"
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


def _copy_template(tmp: Path, old: str, new: str) -> tuple[Path, str]:
    """The shipped template with ``old`` replaced by ``new``, in ``tmp``; and its text."""
    text = Path(load_template("paper-intake").source or "").read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp / "template.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def _line_with(text: str, needle: str) -> int:
    return next(i for i, row in enumerate(text.splitlines(), start=1) if needle in row)


def test_a_page_of_kilometres_is_one_yaml_error_not_a_memory_error(tmp: Path) -> None:
    path, text = _copy_template(tmp, "page_mm: [210, 297]", "page_mm: [2100000, 2970000]")
    with pytest.raises(YamlError) as caught:
        load_template(tmp)
    assert caught.value.message == (
        f"{path}:{_line_with(text, 'page_mm')}: page_mm: Value error, each side of the page "
        "must be 50–500 mm (A4 is 210 × 297, A3 297 × 420)"
    )


def test_an_a3_page_is_fine(tmp: Path) -> None:
    _copy_template(tmp, "page_mm: [210, 297]", "page_mm: [297, 420]")
    assert load_template(tmp).page_mm == (297, 420)


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("width_mm: 110, height_mm: 9}", "width_mm: 110, height_mm: 900000}", "fields.1.height_mm",
         "less than or equal to 500"),
        ("x_mm: 48, y_mm: 50", "x_mm: .inf, y_mm: 50", "fields.1.x_mm", "finite number"),
        ("width_mm: 84, height_mm: 9, boxes: 12", "width_mm: 84, height_mm: 9, boxes: 1000000",
         "fields.4.boxes", "less than or equal to 30"),
        ("size_mm: 7, anchor: center", "size_mm: 70000, anchor: center", "texts.0.size_mm",
         "less than or equal to 50"),
    ],
    ids=["field-height", "infinite-x", "boxes", "text-size"],
)
def test_numbers_that_size_images_are_bounded(
    tmp: Path, old: str, new: str, key: str, problem: str
) -> None:
    path, text = _copy_template(tmp, old, new)
    with pytest.raises(YamlError) as caught:
        load_template(tmp)
    (line,) = caught.value.message.splitlines()
    assert line.startswith(f"{path}:{_line_with(text, new)}: {key}: ")
    assert problem in line


def test_a_cp932_template_is_one_yaml_error(tmp: Path) -> None:
    text = Path(load_template("paper-intake").source or "").read_text(encoding="utf-8")
    (tmp / "template.yaml").write_bytes(text.encode("cp932"))
    with pytest.raises(YamlError) as caught:
        load_template(tmp)
    (line,) = caught.value.message.splitlines()
    assert line.startswith(f"{tmp / 'template.yaml'}:1: the template is not UTF-8 (byte ")
    assert line.endswith("it looks like Shift_JIS (CP932)); save it as UTF-8")


def test_a_field_written_twice_in_the_template_is_refused(tmp: Path) -> None:
    where = "kind: katakana, rule: person_name, x_mm: 48, y_mm: 50"
    path, text = _copy_template(tmp, where, where + ", x_mm: 60")
    with pytest.raises(YamlError) as caught:
        load_template(tmp)
    line = _line_with(text, "x_mm: 60")
    assert caught.value.message == (
        f"{path}:{line}: fields[1].x_mm: key repeated (first on line {line}); "
        "a key may appear only once"
    )


def test_thresholds_go_through_the_same_loader(tmp: Path) -> None:
    _copy_template(tmp, "page_mm: [210, 297]", "page_mm: [210, 297]")
    (tmp / "thresholds.yaml").write_text("by_kind:\n  digits: 0.5\n  digits: 0.0\n",
                                         encoding="utf-8")
    with pytest.raises(YamlError, match=r"thresholds.yaml:3: by_kind.digits: key repeated"):
        load_template(tmp)


def test_checks_that_name_a_field_the_form_lacks_are_refused(tmp: Path) -> None:
    _copy_template(tmp, "after: birth_date, not_after: request_date}\n    - {label: 児童2",
                   "after: birth_day, not_after: request_date}\n    - {label: 児童2")  # fmt: skip
    with pytest.raises(YamlError, match=r"checks name fields the form does not have: \['birth_"):
        load_template(tmp)


def test_row_checks_come_from_the_template(template: FormTemplate) -> None:
    """A child's row half filled, born before the claimant, and a future request date: each
    reason names the fields as the template heads them."""
    from datetime import date

    from ocr import FieldReading, validate_page

    values = {spec.name: "" for spec in template.fields}
    values |= {"request_date": "5081202", "birth_date": "4020304", "postal_code": "1000001",
               "child1_name_kana": "ヤマダ", "child1_birth_date": "4020101", "child1_male": "1"}
    fields = {name: FieldReading(kind=template.field(name).kind, value=value, confidence=1.0,
                                 engine="test", name=name) for name, value in values.items()}
    out, _ = validate_page(fields, template, today=date(2026, 12, 1))
    assert "請求年月日が未来の日付です" in out["request_date"].reasons
    assert "児童1の欄が一部だけ記入されています" in out["child1_name"].reasons
    assert "児童1 生年月日が請求者 生年月日より前です" in out["child1_birth_date"].reasons
    assert not out["child2_name"].reasons or "児童2" not in "".join(out["child2_name"].reasons)


@pytest.mark.parametrize(
    ("kana", "name", "said"),
    [
        ({"kind": "kanji"}, {}, "is not a katakana field with rule person_name"),
        ({}, {"rule": None}, "which is not a kanji field with rule person_name"),
        ({"reading_of": "nobody"}, {}, "reads 'nobody', which is not"),
    ],
)
def test_a_furigana_must_read_a_name_field_of_the_form(
    kana: dict[str, object], name: dict[str, object], said: str
) -> None:
    base = {"label": "x", "x_mm": 10, "y_mm": 10, "width_mm": 50, "height_mm": 8}
    fields = [
        {**base, "name": "name_kana", "kind": "katakana", "rule": "person_name",
         "reading_of": "name", **kana},
        {**base, "name": "name", "kind": "kanji", "rule": "person_name", "y_mm": 20, **name},
    ]
    with pytest.raises(ValueError, match=said):
        FormTemplate.model_validate({"name": "f", "title": "f", "fields": fields})
