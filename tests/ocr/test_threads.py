"""Reading processes share the cores: a pool's PP-OCR sessions take their share of threads.

Two reading processes on two cores with two onnxruntime threads each read a page in 2.2 s;
with one thread each in 1.4 s (benchmarks/ocr.py reads with a pool of two).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from core.settings import get_settings
from ocr import _ppocr
from ocr._ppocr import _model_paths, _session, share_cores, usable_cores


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No pool share and settings read anew, before and after each test."""
    monkeypatch.setattr(_ppocr, "_share", None)
    monkeypatch.delenv("JIMU_OCR_THREADS", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _threads() -> int:
    session = _session(_model_paths("tiny")[0])
    return int(session.get_session_options().intra_op_num_threads)


def test_a_lone_reader_uses_two_threads() -> None:
    assert _threads() == 2


def test_the_settings_set_the_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIMU_OCR_THREADS", "1")
    assert _threads() == 1


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_a_wrong_thread_count_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("JIMU_OCR_THREADS", value)
    with pytest.raises(ValidationError, match="ocr_threads"):
        get_settings()


@pytest.mark.parametrize("processes", [1, 2, 64])
def test_a_process_of_a_pool_takes_its_share_of_the_cores(processes: int) -> None:
    share_cores(processes)
    assert _threads() == max(1, usable_cores() // processes)
