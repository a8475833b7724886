"""Tables of people's names: the shipped one (``ocr/lexicon/person_names.tsv``) and a form's
own (``person_names.tsv`` beside its ``template.yaml``), read and checked line by line.

A table is UTF-8 text, one name a line, three tab-separated columns: 姓 (family) or 名
(given), the name as written, its reading in katakana. ``#`` begins a comment; blank lines
are skipped. How a read name is weighed against them: :mod:`ocr._name_lexicon`.
"""

from __future__ import annotations

from pathlib import Path

from core.errors import ConfigError
from core.kana import is_hiragana, is_katakana

__all__ = ["PARTS", "Row", "read_name_table"]

PARTS = ("姓", "名")
_LONGEST = 12  # characters of a name, written or read

Row = tuple[str, str, str]  # 姓 or 名, the name written, its reading


def read_name_table(path: Path) -> tuple[Row, ...]:
    """The rows of a name table: 姓 or 名, the name as written, its reading in katakana,
    tab-separated, one name a line (``#`` begins a comment, blank lines are skipped).

    Raises :class:`~core.errors.ConfigError` naming the file and line of a row that is not
    such a name (the name itself is not repeated: it may be a resident's).
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as UTF-8 text ({type(exc).__name__})") from exc
    rows: list[Row] = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = line.split("\t")
        problem = _row_problem(columns)
        if problem:
            raise ConfigError(f"{path}:{number}: {problem}")
        rows.append((columns[0], columns[1], columns[2]))
    return tuple(rows)


def _row_problem(columns: list[str]) -> str | None:
    if len(columns) != 3:
        return f"expected 3 tab-separated columns (姓 or 名, name, reading), found {len(columns)}"
    part, written, reading = columns
    if part not in PARTS:
        return "the first column must be 姓 (family name) or 名 (given name)"
    if not written or len(written) > _LONGEST or any(c.isspace() or c.isascii() for c in written):
        return f"the name must be 1–{_LONGEST} characters, no spaces, no ASCII"
    if (
        not reading
        or len(reading) > _LONGEST
        or not (is_katakana(reading, allow_space=False) or is_hiragana(reading, allow_space=False))
    ):  # a few of the IPA dictionary's readings are in hiragana: they weigh no フリガナ
        return f"the reading must be 1–{_LONGEST} katakana"
    return None
