"""``jimu inspect``: a legacy screen's fields and buttons as a ready YAML step, in real
Chromium against the small Shift_JIS site of tests/robots/legacy_site.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from cli._main import main
from core.settings import get_settings
from tests.robots.legacy_site import PASSWORD, USER, LegacySite, legacy_site

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LegacySite]:
    """The site, registered as system ``legacy-test`` with its table-layout login screen."""
    with legacy_site() as running:
        folder = tmp_path / "systems" / "legacy_test"
        folder.mkdir(parents=True)
        (folder / "system.yaml").write_text(
            f"id: legacy-test\nname: 資格管理システム\nurl: {running.url}\n"
            f"username: {USER}\npassword_secret: legacy-test-password\nsession_limit: 1\n"
            "login: {path: /, user_field: ユーザーID, password_field: パスワード,\n"
            "        submit: ログイン}\n",
            encoding="utf-8",
        )
        monkeypatch.setenv("JIMU_SYSTEMS_DIR", str(tmp_path / "systems"))
        monkeypatch.setenv("JIMU_SECRET_LEGACY_TEST_PASSWORD", PASSWORD)
        get_settings.cache_clear()
        yield running
    get_settings.cache_clear()


def test_prints_a_screen_as_a_fill_step_with_kinds_and_buttons(
    site: LegacySite, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", site.url + "/register"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# page — 資格取得届 登録\n- fill:\n")
    assert '    個人番号: ""      # text, maxlength 12, size 14\n' in out
    assert '    性別: ""          # 男 / 女\n' in out
    assert "# buttons: 住所検索 (opens a pop-up), 登録 (asks confirm()), クリア\n" in out
    (step,) = yaml.safe_load(out)
    assert "frame" not in step
    assert step["fill"]["郵送希望"] is False


def test_logs_in_through_a_table_layout_and_walks_to_a_frame(
    site: LegacySite, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["inspect", "/frame", "--system", "legacy-test", "--click", "資格取得届 登録"]
    assert main([*argv, "--frame", "main"]) == 0
    out = capsys.readouterr().out
    assert site.logged_in
    assert out.startswith("# frame main — 資格取得届 登録\n- fill:\n    個人番号: ")
    assert "menu" not in out
    (step,) = yaml.safe_load(out)
    assert step["frame"] == "main"
    assert list(step["fill"])[:4] == ["個人番号", "氏名", "カナ氏名", "性別"]


def test_a_click_that_opens_a_pop_up_inspects_the_pop_up(
    site: LegacySite, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", site.url + "/register", "--click", "住所検索"]) == 0
    assert capsys.readouterr().out == "# page — 住所検索\n# buttons: 選択\n"


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--frame", "本文"], 1, "フレーム「本文」が見つかりません（あるフレーム: menu, main）"),
        (["--click", "削除"], 1, "「削除」はこの画面のどこにもありません"),
    ],
)
def test_a_wrong_frame_or_button_is_one_line(
    site: LegacySite,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    status: int,
    message: str,
) -> None:
    assert main(["inspect", "/frame", "--system", "legacy-test", *args]) == status
    err = capsys.readouterr().err
    assert err == f"jimu: error: {message}\n"


def test_a_refused_password_is_a_config_error(
    site: LegacySite, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIMU_SECRET_LEGACY_TEST_PASSWORD", "wrong-password")
    assert main(["inspect", "/frame", "--system", "legacy-test"]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == "jimu: error: 資格管理システムにログインできません: ユーザーIDかパスワードが違います\n"
    )
    assert "wrong-password" not in err
