"""The robot runtime in real Chromium: evidence kept only on failure, and redacted."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from core.errors import ElementNotFound, InvalidInput
from robots._runtime import RobotWorker, purge_old_evidence, translate_error

pytestmark = pytest.mark.browser

NAME = "山田　太郎"
MY_NUMBER = "123456789018"
FORM = f"""<html lang="ja"><body><h1>登録</h1>
<label for="n">氏名</label><input id="n" value="">
<table><tr><th>個人番号</th><td>{MY_NUMBER}</td></tr></table>
<p role="alert">入力内容に誤りがあります</p></body></html>"""


def _archive_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
        )


def test_failed_item_keeps_a_redacted_trace_and_a_masked_screenshot(tmp_path: Path) -> None:
    with RobotWorker(scenario="test", evidence_dir=tmp_path, timeout_ms=2_000) as worker:
        with pytest.raises(InvalidInput):
            with worker.item("R2026-000001", personal_values=[NAME, MY_NUMBER]) as page:
                page.set_content(FORM)
                page.get_by_label("氏名").fill(NAME)
                raise InvalidInput("対象システムが入力を拒否しました")
        traces = list(tmp_path.glob("R2026-000001-*.trace.zip"))
        shots = list(tmp_path.glob("R2026-000001-*.png"))
    assert len(traces) == 1 and len(shots) == 1
    text = _archive_text(traces[0])
    assert "登録" in text  # the trace is still useful …
    assert "山田" not in text and "太郎" not in text  # … but holds no personal data
    assert MY_NUMBER not in text
    assert traces[0].stat().st_mode & 0o077 == 0
    assert shots[0].stat().st_mode & 0o077 == 0


def test_traces_from_the_second_attempt_on_when_asked(tmp_path: Path) -> None:
    with RobotWorker(scenario="test", evidence_dir=tmp_path, trace="retries") as worker:
        for attempt, key in ((1, "R2026-000011"), (2, "R2026-000012")):
            with pytest.raises(InvalidInput):
                with worker.item(key, personal_values=[NAME], attempt=attempt) as page:
                    page.set_content(FORM)
                    raise InvalidInput("対象システムが入力を拒否しました")
        with worker.item("R2026-000013", attempt=3) as page:  # a trace left open would fail
            page.set_content(FORM)
    kept = sorted(path.name.split("-", 2)[1] + path.suffix for path in tmp_path.iterdir())
    assert kept == ["000011.png", "000012.png", "000012.zip"]


def test_successful_item_keeps_nothing(tmp_path: Path) -> None:
    with RobotWorker(scenario="test", evidence_dir=tmp_path) as worker:
        with worker.item("R2026-000002", personal_values=[NAME]) as page:
            page.set_content(FORM)
            page.get_by_label("氏名").fill(NAME)
    assert list(tmp_path.iterdir()) == []


def test_missing_element_becomes_element_not_found(tmp_path: Path) -> None:
    with RobotWorker(scenario="test", evidence_dir=tmp_path, timeout_ms=500) as worker:
        with pytest.raises(ElementNotFound) as error:
            with worker.item("R2026-000003") as page:
                page.set_content(FORM)
                page.get_by_role("button", name="登録する").click()
    assert "登録する" in error.value.message


def test_unreachable_target_is_an_application_error(tmp_path: Path) -> None:
    from core.errors import TargetUnavailable

    with RobotWorker(scenario="test", evidence_dir=tmp_path) as worker:
        with pytest.raises(TargetUnavailable):
            with worker.item("R2026-000004") as page:
                page.goto("http://127.0.0.1:9/")


def test_translate_passes_jimu_errors_through() -> None:
    error = InvalidInput("x")
    assert translate_error(error) is error


def test_old_evidence_is_purged(tmp_path: Path) -> None:
    import os

    old = tmp_path / "old.png"
    old.write_bytes(b"x")
    os.utime(old, (0, 0))
    fresh = tmp_path / "fresh.png"
    fresh.write_bytes(b"x")
    assert purge_old_evidence(tmp_path, retention_days=30) == 1
    assert not old.exists() and fresh.exists()


def test_every_item_gets_a_new_tab_in_the_same_context(tmp_path: Path) -> None:
    with RobotWorker(scenario="test", evidence_dir=tmp_path) as worker:
        with worker.item("R2026-000021") as first:
            first.set_content(FORM)
        with worker.item("R2026-000022") as second:
            assert second is not first and first.is_closed()
            assert second.content().count("氏名") == 0  # nothing left of the last item
        assert worker.context.pages == [second]
