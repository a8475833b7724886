"""A read name is weighed against the table of real names (``ocr/_name_lexicon.py``).

Each reading here is what PP-OCR hands over: a character per place with the model's
alternatives there. The table is the real one shipped in ``ocr/lexicon``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from core.errors import ConfigError
from ocr._name_lexicon import _listed, reading_differs, weigh_name
from ocr._name_table import read_name_table
from ocr._ppocr import Recognition

Place = Sequence[tuple[str, float]]


def _read(*places: Place) -> Recognition:
    """A reading whose characters are each place's first alternative."""
    return Recognition(
        "".join(place[0][0] for place in places),
        tuple(place[0][1] for place in places),
        char_alternatives=tuple(tuple(place) for place in places),
    )


_SPACE: Place = ((" ", 1.0),)


def test_the_table_holds_family_and_given_names_written_and_read() -> None:
    assert {"佐藤", "和田", "宮崎"} <= _listed(0, "kanji")
    assert "和由" not in _listed(0, "kanji")
    assert {"大介", "直美"} <= _listed(1, "kanji")
    assert {"コバヤシ", "ワタナベ"} <= _listed(0, "katakana")
    assert "コパヤシ" not in _listed(0, "katakana")


def test_a_name_nobody_has_beside_a_listed_one_loses_its_confidence() -> None:
    found = _read(
        (("和", 0.99),), (("由", 0.9), ("田", 0.06), ("申", 0.02)), _SPACE,
        (("拓", 0.99),), (("也", 0.99),),
    )
    weighed = weigh_name(found, "kanji")
    assert weighed.text == "和由 拓也"  # the model was sure enough to keep what it read
    assert weighed.char_confidences[1] < 0.7  # but a person sees it
    assert weighed.char_confidences[0] == 0.99  # no listed name one 和 away: unchanged


def test_a_listed_neighbour_the_model_also_saw_is_chosen() -> None:
    found = _read(
        (("コ", 0.98),), (("パ", 0.6), ("バ", 0.38)), (("ヤ", 0.97),), (("シ", 0.99),),
        _SPACE, (("ユ", 0.97),), (("イ", 0.98),),
    )
    weighed = weigh_name(found, "katakana")
    assert weighed.text == "コバヤシ ユイ"
    assert weighed.char_confidences[1] > 0.38


def test_a_listed_name_gains_and_a_name_with_no_listed_neighbour_keeps_its_confidence() -> None:
    found = _read(
        (("佐", 0.99),), (("藤", 0.8), ("膝", 0.1)), _SPACE,
        (("陽", 0.97), ("陰", 0.02)), (("翔", 0.85), ("翊", 0.1)),
    )
    weighed = weigh_name(found, "kanji")
    assert weighed.text == "佐藤 陽翔"
    assert weighed.char_confidences[1] > 0.8
    # 陽翔 is not in the 2007 table, nor is 陽翊: the table says nothing either way.
    assert abs(weighed.char_confidences[4] - 0.85) < 1e-9


def test_a_name_in_the_forms_own_table_is_weighed_as_listed(tmp_path: Path) -> None:
    """A city lists the names its residents have and the 2007 table lacks (陽翔): beside
    its form's template.yaml, for that form only."""
    own = tmp_path / "person_names.tsv"
    own.write_text("# 住民に多い名（2024年度）\n名\t陽翔\tハルト\n\n姓\t四十物\tアイモノ\n",
                   encoding="utf-8")
    found = _read(
        (("佐", 0.99),), (("藤", 0.99),), _SPACE,
        (("陽", 0.97), ("陰", 0.02)), (("翔", 0.6), ("翊", 0.35)),
    )
    assert abs(weigh_name(found, "kanji").char_confidences[4] - 0.6) < 1e-9  # says nothing
    weighed = weigh_name(found, "kanji", extra=own)
    assert weighed.text == "佐藤 陽翔"
    assert weighed.char_confidences[4] > 0.8
    assert "陽翔" in _listed(1, "kanji", own) and "陽翔" not in _listed(1, "kanji")
    assert "アイモノ" in _listed(0, "katakana", own)
    own.write_text("名\t紬\tツムギ\n", encoding="utf-8")  # edited while jimu runs
    os.utime(own, ns=(1, 1))  # a different time than the first write, however fast the disk
    assert "陽翔" not in _listed(1, "kanji", own) and "紬" in _listed(1, "kanji", own)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("名\t陽翔", "3 tab-separated columns"),
        ("氏\t陽翔\tハルト", "姓 (family name) or 名"),
        ("名\t陽 翔\tハルト", "no spaces"),
        ("名\t陽翔\tharuto", "katakana"),
    ],
)
def test_a_wrong_line_in_a_forms_table_names_file_and_line_not_the_name(
    tmp_path: Path, line: str, problem: str
) -> None:
    own = tmp_path / "person_names.tsv"
    own.write_text(f"名\t結衣\tユイ\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        read_name_table(own)
    assert f"{own}:2: " in raised.value.message and problem in raised.value.message
    assert "陽" not in raised.value.message and "haruto" not in raised.value.message


def test_a_forms_table_in_another_encoding_is_one_clear_error(tmp_path: Path) -> None:
    own = tmp_path / "person_names.tsv"
    own.write_bytes("名\t陽翔\tハルト\n".encode("cp932"))
    with pytest.raises(ConfigError, match="UTF-8"):
        read_name_table(own)


def test_small_or_large_kana_stays_as_the_glyph_decided() -> None:
    # ミユ is not in the table as a reading; ミュ is not either, and must never be made.
    found = _read(
        (("サ", 0.99),), (("ト", 0.99),), (("ウ", 0.99),), _SPACE,
        (("ミ", 0.95), ("ニ", 0.03)), (("ユ", 0.5), ("ュ", 0.45), ("コ", 0.03)),
    )
    weighed = weigh_name(found, "katakana")
    assert weighed.text[-1] == "ユ"
    assert weighed.char_confidences[-1] <= 0.5


def test_a_name_without_one_clear_space_is_left_as_read() -> None:
    found = _read((("和", 0.99),), (("由", 0.9), ("田", 0.09)))
    assert weigh_name(found, "kanji") == found
    assert weigh_name(found, "address") == found


def test_the_table_is_built_from_the_dictionarys_person_names(tmp_path: Path) -> None:
    """scripts/name_lexicon/build.py keeps 姓 and 名 entries only, once each, sorted."""
    from scripts.name_lexicon.build import names

    source = tmp_path / "Noun.name.csv"
    source.write_bytes(
        "和田,1290,1290,8000,名詞,固有名詞,人名,姓,*,*,和田,ワダ,ワダ\n"
        "大介,1291,1291,8000,名詞,固有名詞,人名,名,*,*,大介,ダイスケ,ダイスケ\n"
        "和田,1290,1290,8100,名詞,固有名詞,人名,姓,*,*,和田,ワダ,ワダ\n"
        "徳川家康,1289,1289,5000,名詞,固有名詞,人名,一般,*,*,徳川家康,トクガワイエヤス,トクガワイエヤス\n"
        "大分,1293,1293,7000,名詞,固有名詞,地域,一般,*,*,大分,オオイタ,オーイタ\n".encode("euc_jp")
    )
    assert names(source) == [("名", "大介", "ダイスケ"), ("姓", "和田", "ワダ")]
    shipped = (Path(__file__).parents[2] / "ocr" / "lexicon" / "person_names.tsv").read_text(
        encoding="utf-8"
    )
    assert "姓\t和田\tワダ\n" in shipped and "名\t大介\tダイスケ\n" in shipped


def test_a_forms_own_table_reaches_every_field_read_on_its_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from ocr import _document, load_template
    from ocr._fields import FieldRequest
    from ocr._template import template_dir

    folder = tmp_path / "kokuho-shutoku"
    shutil.copytree(template_dir("kokuho-shutoku"), folder, ignore=shutil.ignore_patterns("tests"))
    assert load_template(str(folder)).names_path() is None
    (folder / "person_names.tsv").write_text("名\t陽翔\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"person_names\.tsv:1: "):
        load_template(str(folder))  # a wrong line is found when the form is loaded
    (folder / "person_names.tsv").write_text("名\t陽翔\tハルト\n", encoding="utf-8")
    template = load_template(str(folder))
    assert template.names_path() == folder / "person_names.tsv"

    asked: list[Path | None] = []

    class Asked(Exception):
        pass

    def read_fields(requests: list[FieldRequest], *_: object, **__: object) -> None:
        asked.extend(request.names for request in requests)
        raise Asked

    monkeypatch.setattr(_document, "read_fields", read_fields)
    with pytest.raises(Asked):
        _document.read_page(_document._blank(template), template)
    assert asked and set(asked) == {folder / "person_names.tsv"}


# 氏名 and フリガナ weighed by each other (``reading_of``) --------------------------------


def _sure(text: str, p: float) -> Recognition:
    """A reading with every character seen alone at ``p`` (its space at 1)."""
    return _read(*(_SPACE if c == " " else ((c, p),) for c in text))


def test_a_name_gains_where_its_furigana_reads_it_and_its_rival_does_not() -> None:
    written = _read(
        (("近", 0.55), ("遠", 0.4)), (("藤", 0.99),), _SPACE, (("千", 0.98),), (("秋", 0.97),),
    )
    kana = _sure("コンドウ チアキ", 0.97)
    alone = weigh_name(written, "kanji")
    paired = weigh_name(written, "kanji", other=weigh_name(kana, "katakana"))
    # 近藤 and 遠藤 are both family names: the table alone cannot tell them apart.
    assert alone.text == paired.text == "近藤 千秋"
    assert alone.char_confidences[0] < 0.6
    # コンドウ read at 0.97 makes 遠藤 (エンドウ) worth 0.05 of 近藤.
    assert paired.char_confidences[0] > 0.95
    # A furigana read otherwise (エンドウ) turns the choice to 遠藤.
    other = _sure("エンドウ チアキ", 0.97)
    assert weigh_name(written, "kanji", other=other).text == "遠藤 千秋"


def test_a_furigana_one_sound_off_is_mended_by_the_name_it_reads() -> None:
    kana = _read(
        (("タ", 0.99),), (("ケ", 0.99),), (("タ", 0.7), ("ダ", 0.25)), _SPACE,
        (("ユ", 0.98),), (("イ", 0.98),),
    )
    written = _read((("武", 0.98),), (("田", 0.99),), _SPACE, (("結", 0.95),), (("衣", 0.96),))
    # タケタ is a family name too (竹田 is read so), so the table alone keeps what was read.
    assert weigh_name(kana, "katakana").text == "タケタ ユイ"
    paired = weigh_name(kana, "katakana", other=weigh_name(written, "kanji"))
    assert paired.text == "タケダ ユイ"  # 武田 is read タケダ only
    assert paired.char_confidences[2] > 0.85


def test_rivals_read_alike_and_names_the_table_lacks_stay_as_the_table_left_them() -> None:
    # 建二 and 健二 are both ケンジ: the furigana cannot choose between them.
    written = _read(
        (("佐", 0.99),), (("藤", 0.99),), _SPACE, (("建", 0.6), ("健", 0.35)), (("二", 0.99),),
    )
    kana = _sure("サトウ ケンジ", 0.98)
    alone = weigh_name(written, "kanji")
    paired = weigh_name(written, "kanji", other=kana)
    assert paired.text == alone.text == "佐藤 建二"
    # Only what the model left unnamed (5%) is marked down, as names that are not ケンジ.
    assert alone.char_confidences[3] < paired.char_confidences[3] < 0.65
    # 陽翔 read ハルト is not in the 2007 table: its given name is weighed as before.
    written = _read(
        (("佐", 0.99),), (("藤", 0.99),), _SPACE, (("陽", 0.9), ("陰", 0.05)), (("翔", 0.85),),
    )
    kana = _sure("サトウ ハルト", 0.98)
    alone, paired = weigh_name(written, "kanji"), weigh_name(written, "kanji", other=kana)
    assert paired.char_confidences[3:] == pytest.approx(alone.char_confidences[3:])


def test_a_name_the_table_reads_otherwise_than_its_furigana_differs(tmp_path: Path) -> None:
    # As read on seed 210's forms: the 氏名 right and sure, the フリガナ misread.
    assert reading_differs("吉田 雅人", "コシノ マサト")  # 吉田 is read ヨシダ
    assert reading_differs("近藤 一輝", "コンドウ カズネ")  # 一輝 is read カズキ
    assert not reading_differs("近藤 千秋", "コンドウ チアキ")
    # 陽翔 is not in the 2007 table: nothing is known of how it reads.
    assert not reading_differs("佐藤 陽翔", "サトウ ハルト")
    assert not reading_differs("近藤千秋", "コンドウ チアキ")  # no space: not a name yet
    own = tmp_path / "person_names.tsv"
    own.write_text("名\t一輝\tカズネ\n", encoding="utf-8")  # a reading the city knows
    assert not reading_differs("近藤 一輝", "コンドウ カズネ", extra=own)
