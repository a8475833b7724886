"""Values for screen fields: a literal, a source column, or a function of one.

In a scenario's ``fill:`` a value is one of::

    その他                 the text itself
    true / false          a YAML boolean: a checkbox ticked or not
    =氏名                  the row's 氏名 column
    =半角カナ(氏名カナ)     a function of a column (functions nest: =全角(半角(住所)))
    ==A                   the text "=A" (a literal that must begin with = doubles it)

The functions are named in Japanese, as the RPA team says them: see :data:`FUNCTIONS`.
An unknown column or function is a :class:`~core.errors.ConfigError` when the scenario is
loaded; evaluating a row raises :class:`~core.errors.InvalidInput` at most, naming the
column and the function, never the value.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.errors import ConfigError, InvalidInput
from core.kana import hiragana_to_katakana, to_fullwidth, to_halfwidth
from core.postal import normalize_postal_code
from core.text import nfkc
from core.wareki import to_wareki
from flows.declared._source import ColumnSpec, parse_date_text

__all__ = ["FUNCTIONS", "Expression", "parse_expression"]


class Expression(ABC):
    """A parsed ``fill:`` value. ``text`` is what the scenario wrote; ``columns`` the
    source columns it reads."""

    text: str
    columns: frozenset[str]

    @abstractmethod
    def evaluate(self, values: Mapping[str, Any]) -> str | bool:
        """The value for the screen field, from a row's typed ``values``.

        An empty optional cell gives ``""``. Raises :class:`InvalidInput` (naming the column
        and function, never the value) if the row's value cannot be converted, e.g. a kanji
        where half-width kana is wanted.
        """

    def _value(self, values: Mapping[str, Any]) -> Any:
        raise NotImplementedError  # pragma: no cover - overridden where a value is read


@dataclass(frozen=True)
class _Literal(Expression):
    text: str
    value: str | bool
    columns: frozenset[str] = frozenset()

    def evaluate(self, values: Mapping[str, Any]) -> str | bool:
        return self.value


@dataclass(frozen=True)
class _Column(Expression):
    text: str
    name: str
    columns: frozenset[str]

    def _value(self, values: Mapping[str, Any]) -> Any:
        if self.name not in values:
            raise InvalidInput(f"この行には列 {self.name} の値がありません", field=self.name)
        return values[self.name]

    def evaluate(self, values: Mapping[str, Any]) -> str:
        return _as_text(self._value(values))


@dataclass(frozen=True)
class _Call(Expression):
    text: str
    function: str
    argument: Expression
    columns: frozenset[str]

    def _value(self, values: Mapping[str, Any]) -> Any:
        value = self.argument._value(values)
        if value is None or value == "":
            return ""
        column = "・".join(sorted(self.columns))
        try:
            return _FUNCTIONS[self.function].apply(value)
        except InvalidInput as exc:
            raise InvalidInput(
                f"{column}を{self.function}にできません（{exc.message}）", field=column
            ) from None

    def evaluate(self, values: Mapping[str, Any]) -> str:
        return _as_text(self._value(values))


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


# --- the functions ------------------------------------------------------------------------


def _need_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date_text(value)
    raise InvalidInput("日付ではありません")


def _hankaku_kana(value: Any) -> str:
    text = to_halfwidth(hiragana_to_katakana(nfkc(_as_text(value))))
    if _HALF_KANA_OR_ASCII.fullmatch(text) is None:
        raise InvalidInput("カナ以外の文字（漢字など）が含まれています")
    return text


_HALF_KANA_OR_ASCII = re.compile(r"[\uff61-\uff9f\x20-\x7e]*")
# 全角 ASCII (！ … ～) and the 全角 space, to their ASCII forms; kana and kanji untouched.
_FULL_ASCII = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {0x3000: " "}


def _hankaku(value: Any) -> str:
    return _as_text(value).translate(_FULL_ASCII)


def _zenkaku(value: Any) -> str:
    return to_fullwidth(_as_text(value))


def _era(value: Any) -> str:
    return to_wareki(_need_date(value)).era.name


def _era_year(value: Any) -> str:
    return str(to_wareki(_need_date(value)).year)


def _postal(value: Any) -> str:
    return normalize_postal_code(_as_text(value))


def _digits(value: Any) -> str:
    return re.sub(r"[^0-9]", "", nfkc(_as_text(value)))


@dataclass(frozen=True)
class _Function:
    apply: Callable[[Any], str]
    takes: str  # "date" or "text": what the argument must be
    help: str


_DATE = "date"
_TEXT = "text"
_FUNCTIONS: dict[str, _Function] = {
    "半角カナ": _Function(_hankaku_kana, _TEXT, "カナ（ひらがな・カタカナ）を半角カナに"),
    "全角": _Function(_zenkaku, _TEXT, "半角の英数字・記号・カナを全角に"),
    "半角": _Function(_hankaku, _TEXT, "全角の英数字・記号・スペースを半角に（カナはそのまま）"),
    "元号": _Function(_era, _DATE, "日付の元号（令和）"),
    "和暦年": _Function(_era_year, _DATE, "日付の和暦の年（元年は 1）"),
    "年": _Function(lambda v: str(_need_date(v).year), _DATE, "日付の西暦年"),
    "月": _Function(lambda v: str(_need_date(v).month), _DATE, "日付の月（先頭の0なし）"),
    "日": _Function(lambda v: str(_need_date(v).day), _DATE, "日付の日（先頭の0なし）"),
    "郵便番号": _Function(_postal, _TEXT, "郵便番号を 123-4567 の形に"),
    "数字": _Function(_digits, _TEXT, "数字だけを残す"),
    "西暦": _Function(lambda v: _need_date(v).isoformat(), _DATE, "日付を YYYY-MM-DD に"),
}

FUNCTIONS: dict[str, str] = {name: function.help for name, function in _FUNCTIONS.items()}
"""The functions a value may use, each with what it does."""

_DATE_TYPES = frozenset({"wareki_date", "date"})
_CALL = re.compile(r"(?P<function>[^()（）]+?)\s*[(（](?P<argument>.*)[)）]")


# --- parsing ------------------------------------------------------------------------------


def parse_expression(
    text: str | bool, columns: Collection[str] | Mapping[str, ColumnSpec]
) -> Expression:
    """Parse a ``fill:`` value against the source's ``columns``.

    ``text`` is a literal, ``=列名``, ``=関数(列名)`` (nested calls allowed, ``（）`` too) or
    ``==…`` for a literal beginning with ``=``; a YAML boolean stays a boolean. If
    ``columns`` maps names to :class:`~flows.declared.ColumnSpec`, a date function on a
    column that is not a date is refused too.

    Raises :class:`~core.errors.ConfigError` naming an unknown column (with the columns
    there are) or an unknown function (with the functions there are).
    """
    if isinstance(text, bool):
        return _Literal(text="true" if text else "false", value=text)
    if not isinstance(text, str):
        raise ConfigError(
            f"値 {text!r} は文字列で書いてください（数字は '0123' のように引用符で囲みます）"
        )
    if text.startswith("=="):
        return _Literal(text=text, value=text[1:])
    if not text.startswith("="):
        return _Literal(text=text, value=text)
    return _parse(text, text[1:], columns)


def _parse(
    whole: str, body: str, columns: Collection[str] | Mapping[str, ColumnSpec]
) -> Expression:
    body = body.strip()
    # A column named like a call (電話番号(自宅)) is the column.
    call = None if body in columns else _CALL.fullmatch(body)
    if call is None:
        if body not in columns:
            known = "、".join(columns) or "（なし）"
            raise ConfigError(
                f"{whole}: 列 {body or '（空）'} は元データにありません（列: {known}）"
            )
        return _Column(text=whole, name=body, columns=frozenset({body}))
    name = call["function"].strip()
    function = _FUNCTIONS.get(name)
    if function is None:
        known = "、".join(_FUNCTIONS)
        raise ConfigError(f"{whole}: 関数 {name} はありません（使える関数: {known}）")
    argument = _parse(whole, call["argument"], columns)
    if function.takes == _DATE and isinstance(columns, Mapping):
        _check_date_argument(whole, name, argument, columns)
    return _Call(text=whole, function=name, argument=argument, columns=argument.columns)


def _check_date_argument(
    whole: str, function: str, argument: Expression, columns: Mapping[str, ColumnSpec]
) -> None:
    if not isinstance(argument, _Column):
        raise ConfigError(f"{whole}: {function} には日付の列を直接渡してください")
    spec = columns[argument.name]
    if isinstance(spec, ColumnSpec) and spec.type not in _DATE_TYPES:
        raise ConfigError(
            f"{whole}: {function} は日付の列（wareki_date・date）にだけ使えます"
            f"（{argument.name} は {spec.type}）"
        )
