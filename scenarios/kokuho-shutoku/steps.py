"""kokuho-shutoku's steps: the fields of a read (or reviewed) 国保 被保険者資格取得届 become a
registration in the 国民健康保険 資格管理システム (the framework's contract: ``flows/steps.py``).

The system wants more, and in other forms, than a citizen writes: 半角カナ for the カナ, an
era ``<select>`` and 年 月 日 boxes for dates, 資格取得日 and 取得事由. What the form does not
ask is filled by rule, and said here: 資格取得日 is the day of registration (the 届出日; the
form has no date of its own) and 取得事由 is その他 — unless the form's template carries
``acquired_on`` / ``acquisition_reason`` fields, which are then used. 電話番号, 受取方法 and
the account are read for the 窓口 but not entered: the 資格管理システム has no field for them.

The screens are the ones the table scenario ``kokuho-shikaku`` walks, declared below and
done by jimu's declared robot (:class:`flows.declared.DeclaredRobot`): search by 個人番号
first, register only when the search positively says 該当する被保険者はいません. The address
is typed as written on the form; the 住所検索 pop-up is not used (it offers only the town, and
several 選択 for a code of several towns).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from playwright.sync_api import Error as PlaywrightError
from pydantic import BaseModel, ConfigDict, Field

from core.errors import ApplicationError, InvalidInput
from core.identifiers import validate_my_number
from core.kana import hiragana_to_katakana, to_fullwidth, to_halfwidth
from core.postal import normalize_postal_code, postal_code_exists
from core.secrets import get_secret
from core.text import nfkc
from core.wareki import from_wareki
from flows.declared import DeclaredRobot, DeclaredScenario
from flows.steps import Connection
from robots import RobotWorker, translate_error

__all__ = [
    "SCREENS",
    "AcquisitionNotice",
    "KokuhoTarget",
    "double_entry_fields",
    "record_from_json",
    "record_from_values",
    "reference_label",
    "target",
    "target_system",
]

log = logging.getLogger(__name__)

Gender = Literal["男", "女"]
Reason = Literal["社会保険離脱", "転入", "出生", "その他"]

#: Where the notices are registered (listed in scenario.yaml: systems).
target_system = "kokuho-system"
#: Typed twice, blind, by two reviewers when double entry (ベリファイ) is on.
double_entry_fields = frozenset({"my_number"})
reference_label = "被保険者番号"

_ERAS = ("明治", "大正", "昭和", "平成", "令和")
_REASONS: tuple[Reason, ...] = ("社会保険離脱", "転入", "出生", "その他")
# What the system accepts in its カナ field: 半角カナ, ｰ, the sound marks and a space.
_HALFWIDTH_KANA = re.compile(r"[\uff66-\uff9f ]+")
# The system's own limits (characters), so that a too-long value is the clerk's, at once.
_NAME_MAX, _KANA_MAX, _ADDRESS_MAX = 30, 40, 100


class AcquisitionNotice(BaseModel):
    """One 被保険者資格取得届 as the 資格管理システム takes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document_id: str = Field(description="the scan's document id (jimu's 受付番号)")
    my_number: str = Field(description="個人番号, 12 ASCII digits, check digit verified")
    name: str = Field(description="氏名 (全角)")
    name_kana: str = Field(description="氏名カナ (半角カナ, as the system wants it)")
    gender: Gender
    birth_date: date
    postal_code: str = Field(description="郵便番号, NNN-NNNN, in the national table")
    address: str = Field(description="住所 (全角), as written")
    acquired_on: date = Field(description="資格取得日")
    reason: Reason = Field(description="取得事由")

    def personal_values(self) -> list[str]:
        """Every personal string the system's screens may show (masked out of evidence)."""
        return [self.my_number, self.name, self.name_kana, self.address, self.postal_code]

    def screen_values(self) -> dict[str, Any]:
        """The values by the names the declared screens (:data:`SCREENS`) use."""
        return {
            "文書ID": self.document_id,
            "個人番号": self.my_number,
            "氏名": self.name,
            "氏名カナ": self.name_kana,
            "性別": self.gender,
            "生年月日": self.birth_date,
            "郵便番号": self.postal_code,
            "住所": self.address,
            "資格取得日": self.acquired_on,
            "取得事由": self.reason,
        }


record_from_json = AcquisitionNotice.model_validate_json

#: The screens, as a ``steps.yaml`` would say them (see flows/declared/_model.py). Its
#: ``source`` describes the record's values (:meth:`AcquisitionNotice.screen_values`): no
#: file is read, the rows are the read forms.
SCREENS: dict[str, Any] = {
    "system": target_system,
    "start": "/frame",  # the frameset: menu on the left, screens in `main`
    "errors": "font[color=red]",  # the system's messages at the top of a screen
    "source": {
        "path": "template.yaml",
        "key": "文書ID",
        "columns": {
            "個人番号": {"type": "my_number"},
            "氏名": {"type": "zenkaku"},
            "氏名カナ": {"type": "hankaku_kana"},
            "性別": {"type": "choice", "options": ["男", "女"]},
            "生年月日": {"type": "date"},
            "郵便番号": {"type": "postal_code"},
            "住所": {"type": "text"},
            "資格取得日": {"type": "date"},
            "取得事由": {"type": "choice", "options": list(_REASONS)},
        },
    },
    "search": [
        {"click": "被保険者検索", "frame": "menu"},
        {"fill": {"個人番号": "=個人番号"}, "frame": "main"},
        {"click": "検索", "frame": "main"},
    ],
    "found": {"read": "被保険者番号", "frame": "main", "none": "該当する被保険者はいません"},
    "register": [
        {"click": "資格取得届 登録", "frame": "menu"},
        {
            "fill": {
                "個人番号": "=個人番号",
                "氏名": "=氏名",
                "氏名カナ": "=氏名カナ",
                "性別": "=性別",
                "生年月日": "=元号(生年月日)",
                "生年月日 年": "=和暦年(生年月日)",
                "生年月日 月": "=月(生年月日)",
                "生年月日 日": "=日(生年月日)",
                "郵便番号": "=郵便番号",
                "住所": "=住所",
                "資格取得日": "=元号(資格取得日)",
                "資格取得日 年": "=和暦年(資格取得日)",
                "資格取得日 月": "=月(資格取得日)",
                "資格取得日 日": "=日(資格取得日)",
                "取得事由": "=取得事由",
            },
            "frame": "main",
        },
        {"click": "登録", "frame": "main", "dialog": "accept"},  # the confirm() before 登録
    ],
    "result": {"read": "被保険者番号", "frame": "main"},
    "write_back": {"column": "被保険者番号"},
}

# Checked as the module loads: a mistake above is a ConfigError naming steps.py's line.
_DECLARED = DeclaredScenario.model_validate(SCREENS)
_DECLARED.expressions()


class KokuhoTarget:
    """The 資格管理システム's one verb for this scenario: register a notice exactly once."""

    def __init__(self, robot: DeclaredRobot, *, pause: float = 0.2) -> None:
        self._robot = robot
        self._pause = pause

    def ensure_registered(
        self, record: AcquisitionNotice, /, *, attempts: int = 6
    ) -> tuple[str, bool]:
        """``(被保険者番号, created)``. Every attempt searches by 個人番号 before it registers,
        so a registration whose answer was lost is found, not entered again. A refusal by
        the system is :class:`InvalidInput` at once; technical failures are retried
        ``attempts`` times, then raised."""
        values = record.screen_values()
        for attempt in range(1, attempts + 1):
            try:
                reference, created = self._robot.ensure_registered(values)
            except (ApplicationError, PlaywrightError) as exc:
                error = translate_error(exc)
                if attempt == attempts or not isinstance(error, ApplicationError):
                    raise error from exc
                log.info("document %s: attempt %d failed (%s), again",
                         record.document_id, attempt, type(error).__name__)  # fmt: skip
                time.sleep(min(self._pause * attempt, 2.0))
                continue
            log.info("document %s: %s", record.document_id, "registered" if created else "found")
            return reference, created
        raise AssertionError("unreachable")


def target(robot: RobotWorker, connection: Connection) -> KokuhoTarget:
    """The declared screens on ``robot``'s current tab, logged in as the system's robot user."""
    system = connection.config
    return KokuhoTarget(
        DeclaredRobot(
            _DECLARED,
            system,
            password=get_secret(system.password_secret),
            page_of=lambda: robot.page,
            timeout_ms=robot.timeout_ms,
        )
    )


# -- a form's values → a notice ------------------------------------------------------------


def _text(values: Mapping[str, str], name: str) -> str:
    return nfkc(values.get(name, "")).strip()


def _required(values: Mapping[str, str], name: str, label: str) -> str:
    value = _text(values, name)
    if not value:
        raise InvalidInput(f"{label}が空欄です", field=name)
    return value


def _system_text(value: str, name: str, label: str, max_len: int) -> str:
    """``value`` in 全角, as the system stores it; refused if too long or not Shift_JIS."""
    text = to_fullwidth(value)
    if len(text) > max_len:
        raise InvalidInput(f"{label}が{max_len}文字を超えています", field=name)
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        raise InvalidInput(f"{label}に資格管理システムで使えない文字があります",
                           field=name) from None  # fmt: skip
    return text


def _kana(values: Mapping[str, str]) -> str:
    written = _required(values, "name_kana", "フリガナ")
    kana = to_halfwidth(hiragana_to_katakana(written)).replace("\u3000", " ")
    kana = re.sub(" +", " ", kana)
    if not _HALFWIDTH_KANA.fullmatch(kana):
        raise InvalidInput("フリガナにカナ以外の文字（半角カナにできない文字）があります",
                           field="name_kana")  # fmt: skip
    if len(kana) > _KANA_MAX:
        raise InvalidInput(f"フリガナが半角で{_KANA_MAX}文字を超えています", field="name_kana")
    return kana


def _circled(values: Mapping[str, str], name: str, label: str, options: tuple[str, ...]) -> str:
    value = _text(values, name)
    if not value:
        raise InvalidInput(f"{label}が○で囲まれていません", field=name)
    for option in options:  # the printed word, perhaps with its number (1.普通)
        if re.fullmatch(rf"(?:[0-9]+\.?\s*)?{re.escape(option)}", value):
            return option
    raise InvalidInput(f"{label}が選択肢（{'・'.join(options)}）のいずれでもありません",
                       field=name)  # fmt: skip


def _date(values: Mapping[str, str], name: str, label: str, *, era_field: str | None) -> date:
    """A date field's value: the reader's 7 digits (era code 1 明治 … 5 令和, YY, MM, DD),
    which must agree with the era circled in ``era_field``; an ISO date; or year, month and
    day written after the era circled in ``era_field``."""
    text = _required(values, name, label)
    era: str | None = None
    if re.fullmatch(r"[0-9]{7}", text):
        code = int(text[0])
        era = _ERAS[code - 1] if 1 <= code <= len(_ERAS) else None
        circled = _text(values, era_field) if era_field else ""
        if era is not None and circled and circled != era:
            raise InvalidInput(f"{label}の数字の元号と○の元号が違います", field=era_field)
        parts = [int(text[1:3]), int(text[3:5]), int(text[5:7])]
    elif re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"{label}が実在する日付ではありません", field=name) from None
    else:
        if era_field is not None:
            era = _circled(values, era_field, f"{label}の元号", _ERAS)
        parts = [int(part) for part in re.findall(r"[0-9]+", text)]
    try:
        if era is not None and len(parts) == 3:
            return from_wareki(era, *parts, field=name)
    except InvalidInput:
        pass
    raise InvalidInput(f"{label}が実在する日付ではありません", field=name)


def record_from_values(document_id: str, values: Mapping[str, str]) -> AcquisitionNotice:
    """Build the notice; :class:`InvalidInput` names the field that is missing or wrong
    (never its value)."""
    if _text(values, "check") != "1":
        raise InvalidInput("「上記の内容に相違ありません」に印がありません", field="check")
    today = date.today()
    birth_date = _date(values, "birth_date", "生年月日", era_field="birth_date_era")
    if birth_date > today:
        raise InvalidInput("生年月日が未来の日付です", field="birth_date")
    postal_code = normalize_postal_code(_required(values, "postal_code", "郵便番号"))
    if not postal_code_exists(postal_code):
        raise InvalidInput("郵便番号が全国の郵便番号にありません", field="postal_code")
    acquired_on = today  # the 届出日: the form has no date of its own
    if _text(values, "acquired_on"):
        acquired_on = _date(values, "acquired_on", "資格取得日", era_field="acquired_on_era")
        if not birth_date <= acquired_on <= today:
            raise InvalidInput("資格取得日が生年月日より前か、未来の日付です", field="acquired_on")
    reason: Reason = "その他"  # the form does not say why
    if _text(values, "acquisition_reason"):
        reason = _circled(values, "acquisition_reason", "取得事由", _REASONS)  # type: ignore[assignment]
    return AcquisitionNotice(
        document_id=document_id,
        my_number=validate_my_number(_required(values, "my_number", "個人番号")),
        name=_system_text(_required(values, "name", "氏名"), "name", "氏名", _NAME_MAX),
        name_kana=_kana(values),
        gender=_circled(values, "gender", "性別", ("男", "女")),  # type: ignore[arg-type]
        birth_date=birth_date,
        postal_code=postal_code,
        address=_system_text(_required(values, "address", "住所"), "address", "住所", _ADDRESS_MAX),
        acquired_on=acquired_on,
        reason=reason,
    )
