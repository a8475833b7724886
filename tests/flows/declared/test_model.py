"""steps.yaml: a mistake is refused when the scenario loads, naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigError
from flows.declared import load_declared

KIT = Path(__file__).resolve().parents[3] / "cli" / "kits" / "table-to-form" / "steps.yaml.tmpl"


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "steps.yaml").write_text(text, encoding="utf-8")
    return folder


def _kit() -> str:
    return KIT.read_text(encoding="utf-8").replace("$system", "kokuho-system").replace(
        "$name", "見本").replace("$id", "sample").replace("$$", "$")  # fmt: skip


def test_the_kits_steps_load_and_every_value_is_parsed(tmp_path: Path) -> None:
    declared = load_declared(_write(tmp_path, _kit()))
    assert declared.commit_step().click == "登録"
    expressions = declared.expressions()
    assert expressions[("main", "氏名カナ")].columns == frozenset({"氏名カナ"})
    assert len(declared.search) == 3 and declared.found.none == "該当する被保険者はいません"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("氏名カナ: =半角カナ(氏名カナ)", "氏名カナ: =半角カナ(フリガナ)"), "フリガナ"),
        (("氏名カナ: =半角カナ(氏名カナ)", "氏名カナ: =半角(氏名カナ"), "氏名カナ"),
        (("生年月日: =元号(生年月日)", "生年月日: =元号(氏名)"), "氏名"),
        ((", none: 該当する被保険者はいません", ""), "none"),
        (("    dialog: accept", "    dialog: accept\n    fill: {氏名: =氏名}"), "exactly one"),
        (
            (
                "  - fill: {個人番号: =個人番号}",
                "  - fill: {個人番号: =個人番号}\n    dialog: accept",
            ),
            "belong to a click",
        ),
    ],
)
def test_a_mistake_names_what_is_wrong(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = _kit()
    assert change[0] in text
    with pytest.raises(ConfigError) as caught:
        load_declared(_write(tmp_path, text.replace(change[0], change[1], 1)))
    assert message in str(caught.value) and "steps.yaml" in str(caught.value)


def test_a_missing_steps_file_says_where_it_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"steps\.yaml does not exist"):
        load_declared(tmp_path)
