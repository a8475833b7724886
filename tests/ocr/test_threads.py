"""Reading processes share the cores: a pool's PP-OCR sessions take their share of threads.

Two reading processes on two cores with two onnxruntime threads each read a page in 2.2 s;
with one thread each in 1.4 s (benchmarks/ocr.py reads with a pool of two).
"""

from __future__ import annotations

import os

import pytest

from ocr._ppocr import _THREADS, THREADS_ENV, _model_paths, _session, share_cores


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def test_a_lone_reader_uses_two_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(THREADS_ENV, raising=False)
    session = _session(_model_paths("tiny")[0])
    assert session.get_session_options().intra_op_num_threads == _THREADS == 2


@pytest.mark.parametrize("processes", [1, 2, 64])
def test_a_process_of_a_pool_takes_its_share_of_the_cores(
    monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    monkeypatch.delenv(THREADS_ENV, raising=False)
    share_cores(processes)
    share = max(1, _cores() // processes)
    assert os.environ[THREADS_ENV] == str(share)
    session = _session(_model_paths("tiny")[0])
    assert session.get_session_options().intra_op_num_threads == share


@pytest.mark.parametrize("value", ["0", "-1", "two", ""])
def test_a_wrong_thread_count_falls_back_to_two(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(THREADS_ENV, value)
    session = _session(_model_paths("tiny")[0])
    assert session.get_session_options().intra_op_num_threads == _THREADS
