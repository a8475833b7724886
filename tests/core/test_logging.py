"""MaskingFilter: what reaches a log handler never carries a 個人番号 or a personal field."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from core.logging import MaskingFilter, mask_text, safe_text
from core.settings import get_settings

MASK = "************"


class Captured:
    """A logger whose handler (with the filter) writes ``%(message)s`` lines to a buffer."""

    def __init__(self, logger: logging.Logger, stream: io.StringIO) -> None:
        self.logger = logger
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def captured(request: pytest.FixtureRequest) -> Iterator[Captured]:
    logger = logging.getLogger(f"jimu-test.{request.node.name}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(MaskingFilter(get_settings().personal_fields))
    logger.addHandler(handler)
    yield Captured(logger, stream)
    logger.removeHandler(handler)
    handler.close()


@pytest.mark.parametrize(
    "number",
    [
        "123456789018",
        "1234 5678 9018",
        "1234-5678-9018",
        "１２３４５６７８９０１８",
        "１２３４－５６７８－９０１８",
    ],
)
def test_twelve_digit_number_is_masked(captured: Captured, number: str) -> None:
    captured.logger.info("applicant %s submitted", number)
    assert f"applicant {MASK} submitted" in captured.text
    for part in ("1234", "9018", "１２３４", "９０１８"):
        assert part not in captured.text


def test_number_inside_the_format_string_is_masked(captured: Captured) -> None:
    captured.logger.warning("個人番号123456789018を確認")
    assert f"個人番号{MASK}を確認" in captured.text


@pytest.mark.parametrize("number", ["1234567890123", "12345678901", "2024"])
def test_other_lengths_are_not_masked(captured: Captured, number: str) -> None:
    # 13 digits is a 法人番号 (public); shorter numbers are ids and counts.
    captured.logger.info("corporate %s", number)
    assert f"corporate {number}" in captured.text
    assert MASK not in captured.text


def test_ids_and_counts_survive(captured: Captured) -> None:
    captured.logger.info("item %s of %d done in %.1f s", "app-0042", 17, 2.5)
    assert "item app-0042 of 17 done in 2.5 s" in captured.text


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ("registered name=山田太郎 ok", "山田太郎"),
        ("registered 氏名=山田太郎 ok", "山田太郎"),
        ("registered 氏名：山田太郎", "山田太郎"),
        ("registered address: 東京都千代田区千代田1-1", "東京都千代田区"),
        ("row {'name': '山田太郎', 'id': 7}", "山田太郎"),
        ('row {"phone": "03-1234-5678"}', "03-1234-5678"),
        ("birth_date=1980-03-01, status=ok", "1980-03-01"),
    ],
)
def test_configured_fields_are_masked(captured: Captured, message: str, secret: str) -> None:
    captured.logger.info(message)
    assert secret not in captured.text
    assert "***" in captured.text


def test_unconfigured_fields_are_kept(captured: Captured) -> None:
    captured.logger.info("scenario=child-allowance status=ok")
    assert "scenario=child-allowance status=ok" in captured.text


@pytest.mark.parametrize("name", ["山田 太郎", "山田　太郎"])
def test_name_with_space_is_fully_masked(captured: Captured, name: str) -> None:
    captured.logger.info("registered name=%s", name)
    assert "太郎" not in captured.text


def test_traceback_is_masked(captured: Captured) -> None:
    try:
        raise ValueError("個人番号 123456789018 は登録済み (name=山田太郎)")
    except ValueError:
        captured.logger.exception("registration failed")
    assert "registration failed" in captured.text
    assert "Traceback" in captured.text
    assert "ValueError" in captured.text
    assert "123456789018" not in captured.text
    assert "山田太郎" not in captured.text
    assert MASK in captured.text


def test_filter_on_a_logger_masks_for_pytest_caplog(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("jimu-test.caplog")
    mask = MaskingFilter(["name"])
    logger.addFilter(mask)
    try:
        with caplog.at_level(logging.INFO, logger="jimu-test.caplog"):
            logger.info("number %s name=%s", "123456789018", "山田")
    finally:
        logger.removeFilter(mask)
    assert caplog.messages == [f"number {MASK} name=***"]


def test_mask_text_directly() -> None:
    assert mask_text("番号: 1234 5678 9018") == f"番号: {MASK}"
    assert mask_text("口座名義=ﾔﾏﾀﾞﾀﾛｳ", personal_fields=["口座名義"]) == "口座名義=***"
    assert mask_text("name=山田", personal_fields=[]) == "name=山田"


@pytest.mark.parametrize(
    "file_name",
    ["山田太郎_1234_5678_9018.pdf", "1234.5678.9018.png", "scan１２３４　５６７８　９０１８.tif"],
)
def test_a_number_split_the_way_file_names_split_it_is_masked(file_name: str) -> None:
    assert MASK in mask_text(file_name)
    assert "9018" not in mask_text(file_name) and "９０１８" not in mask_text(file_name)


def test_safe_text_is_one_masked_line_of_bounded_length() -> None:
    text = safe_text("scan\n\x00123456789018\u202efdp.exe\t氏名=山田 太郎\r\n")
    assert text == f"scan {MASK} fdp.exe 氏名=***"  # 氏名 is in the settings' personal fields
    assert safe_text("=1+1 name=山田", personal_fields=[]) == "=1+1 name=山田"


def test_safe_text_masks_before_it_cuts() -> None:
    cut = safe_text("x" * 10 + "123456789018", max_len=16)
    assert cut == "x" * 10 + "*****…"
    assert "1234" not in cut
    assert len(cut) == 16
