"""The form-definition screen over HTTP: who may use it, what a wrong field says, what a save
writes (and keeps, and audits), and a preview of a real generated sample with unsaved fields."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from core.settings import get_settings
from ocr import load_template
from review import ReviewStore, Role, UserStore
from sandbox.paper_samples import Sample, generate_samples
from tests.review.conftest import ADMIN, PASSWORD, REVIEWER, csrf_of

REPO_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "paper-intake"
RPA = "rpa1"
FORM = "paper-intake"


@pytest.fixture
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the paper-intake form's folder, the settings' scenarios folder pointed at it."""
    root = tmp_path / "scenarios"
    (root / FORM).mkdir(parents=True)
    for name in ("template.yaml", "thresholds.yaml", "form.pdf", "scenario.yaml"):
        shutil.copy(REPO_SCENARIO / name, root / FORM / name)
    (root / "no-form").mkdir()  # a scenario without a template is not a form
    monkeypatch.setenv("JIMU_SCENARIOS_DIR", str(root))
    get_settings.cache_clear()
    yield root
    get_settings.cache_clear()


@pytest.fixture
def rpa(users: UserStore, scenarios: Path) -> str:
    """An RPA担当 user."""
    users.add_user(RPA, PASSWORD, role=Role.RPA)
    return RPA


def _fields() -> list[dict[str, Any]]:
    return [
        f.model_dump(mode="json", exclude_none=True) for f in load_template(REPO_SCENARIO).fields
    ]


def _post(client: TestClient, action: str, fields: list[dict[str, Any]], **extra: Any) -> Any:
    page = client.get(f"/define/{FORM}").text
    base = re.search(r'name="base" value="([^"]+)"', page)
    data = {
        "csrf": csrf_of(page),
        "fields": json.dumps(fields),
        "base": base.group(1) if base else "",
    }
    return client.post(f"/define/{FORM}/{action}", data=data, **extra)


def test_only_rpa_and_admins_see_and_use_the_definition_screen(
    client_as: Callable[[str], TestClient], rpa: str
) -> None:
    reviewer = client_as(REVIEWER)
    home = reviewer.get("/").text
    assert 'href="/unsorted"' in home and 'href="/define"' not in home  # the header's links
    assert 'href="/define"' in client_as(rpa).get("/").text
    refused = reviewer.get("/define")
    assert refused.status_code == 403 and "RPA担当 と 管理者 だけ" in refused.text
    assert reviewer.get(f"/define/{FORM}").status_code == 403
    assert reviewer.get(f"/define/{FORM}/blank.png").status_code == 403
    token = csrf_of(reviewer.get("/").text)
    posted = reviewer.post(f"/define/{FORM}/save", data={"csrf": token, "fields": "[]"})
    assert posted.status_code == 403

    for name in (rpa, ADMIN):
        listing = client_as(name).get("/define")
        assert listing.status_code == 200
        assert f'href="/define/{FORM}"' in listing.text and "児童手当認定請求書" in listing.text
        assert "no-form" not in listing.text
    editor = client_as(rpa).get(f"/define/{FORM}")
    assert editor.status_code == 200
    for kind in ("digits", "circled", "checkbox", "date"):  # every kind of ocr.KINDS offered
        assert f'<option value="{kind}">' in editor.text
    blank = client_as(rpa).get(f"/define/{FORM}/blank.png")
    image = Image.open(io.BytesIO(blank.content))
    assert blank.headers["content-type"] == "image/png" and image.size == (1050, 1485)
    assert client_as(rpa).get("/define/elsewhere").status_code == 404
    assert client_as(rpa).get("/define/..%2F..%2Fetc").status_code in (404, 422)


def test_a_wrong_field_is_refused_with_its_reason_and_nothing_is_written(
    client_as: Callable[[str], TestClient], rpa: str, scenarios: Path
) -> None:
    client = client_as(rpa)
    path = scenarios / FORM / "template.yaml"
    before = path.read_bytes()
    fields = _fields()
    fields[3]["boxes"] = 5  # birth_date
    fields[1]["name"] = "Name-Kana"
    response = _post(client, "save", fields)
    assert response.status_code == 422
    assert "項目「birth_date」: 日付は7枠です" in response.text
    assert "項目「Name-Kana」: 名前は英小文字で始め" in response.text
    assert "未保存の変更があります" in response.text and "Name-Kana" in response.text  # kept

    without_postal = [f for f in _fields() if f["name"] != "postal_code"]
    response = _post(client, "save", without_postal)
    assert response.status_code == 422
    assert "項目間のチェックが使う項目がありません: postal_code" in response.text

    outside = _fields()
    outside[0]["x_mm"] = 190.0
    response = _post(client, "save", outside)
    assert (
        response.status_code == 422
        and "項目「request_date」が用紙からはみ出しています" in response.text
    )
    misread = _fields()
    next(f for f in misread if f["name"] == "name_kana")["reading_of"] = "postal_code"
    response = _post(client, "save", misread)
    assert response.status_code == 422
    assert "「name_kana、postal_code」: フリガナが読む氏名は" in response.text
    assert _post(client, "save", []).status_code == 422
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(
        ["template.yaml", "thresholds.yaml", "form.pdf", "scenario.yaml"]
    )


def test_a_save_writes_the_template_keeps_the_previous_one_and_is_audited(
    client_as: Callable[[str], TestClient], rpa: str, scenarios: Path, store: ReviewStore
) -> None:
    client = client_as(rpa)
    path = scenarios / FORM / "template.yaml"
    before = path.read_text(encoding="utf-8")
    fields = _fields()
    fields[1]["x_mm"] += 0.5  # name_kana
    fields.append({"name": "note", "label": "備考", "kind": "kanji", "x_mm": 20, "y_mm": 280,
                   "width_mm": 60, "height_mm": 8, "required": False})  # fmt: skip
    response = _post(client, "save", fields)
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"/define/{FORM}?saved=template.yaml.")

    saved = load_template(scenarios / FORM)
    assert saved.field("name_kana").x_mm == 48.5
    assert saved.field("note").label == "備考" and not saved.field("note").required
    assert saved.checks == load_template(REPO_SCENARIO).checks and saved.marks is not None
    text = path.read_text(encoding="utf-8")
    assert "  - {name: note, label: 備考, kind: kanji, x_mm: 20, y_mm: 280" in text
    assert text.startswith("# 児童手当認定請求書")  # the file's own opening comments kept
    [backup] = path.parent.glob("template.yaml.*.bak")
    assert backup.read_text(encoding="utf-8") == before
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert not list(path.parent.glob(".template.yaml.*"))  # no temporary file left
    page = client.get(response.headers["location"]).text
    assert f"保存しました（前の版は {backup.name} に残しました）" in page

    [entry] = [a for a in store.audit() if a.action == "template-saved"]
    assert (entry.user, entry.document_id, entry.before) == (RPA, f"template.{FORM}", backup.name)

    # A form saved by someone else since the page was opened is not overwritten.
    stale = client.get(f"/define/{FORM}").text
    fields[1]["x_mm"] += 0.5
    _post(client, "save", fields)
    data = {"csrf": csrf_of(stale), "fields": json.dumps(_fields()),
            "base": re.search(r'name="base" value="([^"]+)"', stale).group(1)}  # type: ignore[union-attr]  # fmt: skip
    response = client.post(f"/define/{FORM}/save", data=data)
    assert response.status_code == 409 and "他の人が先に" in response.text
    assert load_template(scenarios / FORM).field("name_kana").x_mm == 49.0


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """One filled, scanned paper-intake form."""
    [made] = generate_samples(tmp_path_factory.mktemp("define-sample"), n=1, seed=5,
                              formats=("png",), received_to=date.today())  # fmt: skip
    return made


def test_a_preview_reads_a_real_sample_with_the_unsaved_fields(
    client_as: Callable[[str], TestClient],
    rpa: str,
    scenarios: Path,
    sample: Sample,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = client_as(rpa)
    before = (scenarios / FORM / "template.yaml").read_bytes()
    temporary = set(Path(tempfile.gettempdir()).glob("jimu-define-*"))
    fields = _fields()
    fields[1]["name"] = "furigana"  # renamed, not saved
    truth = dict(sample.truth["fields"], furigana=sample.truth["fields"]["name_kana"])
    with caplog.at_level(logging.DEBUG):
        response = _post(
            client, "preview", fields, files={"sample": ("scan.png", sample.path.read_bytes())}
        )
    assert response.status_code == 200, response.text
    rows = re.findall(
        r'<tr class="(accepted|review)">\s*<td>([a-z0-9_]+)</td><td>[^<]*</td><td>[^<]*</td>'
        r"<td>([^<]*)</td>\s*<td>([0-9.]+)</td><td>(自動確定|要確認)</td>",
        response.text,
    )
    assert [name for _, name, *_ in rows] == [f["name"] for f in fields]
    accepted = {name: value for state, name, value, _, _ in rows if state == "accepted"}
    assert len(accepted) >= 10  # check boxes and most dates and names clear their thresholds
    # what was accepted is what was written, a name's space between 姓 and 名 included
    assert {name: truth[name] for name in accepted} == accepted
    assert "未保存の変更があります" in response.text
    assert (scenarios / FORM / "template.yaml").read_bytes() == before
    assert set(Path(tempfile.gettempdir()).glob("jimu-define-*")) == temporary
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for field in ("name", "address", "my_number", "name_kana"):
        assert truth[field] not in logged


def test_a_bad_upload_says_why_in_japanese(
    client_as: Callable[[str], TestClient], rpa: str, scenarios: Path
) -> None:
    client = client_as(rpa)
    fields = _fields()
    not_an_image = _post(client, "preview", fields, files={"sample": ("a.png", b"hello, world")})
    assert not_an_image.status_code == 422 and "PNG・JPEG・TIFF の画像か PDF" in not_an_image.text
    desk = io.BytesIO()
    Image.new("L", (1654, 2339), 128).save(desk, format="PNG", dpi=(200, 200))
    wrong = _post(client, "preview", fields, files={"sample": ("desk.png", desk.getvalue())})
    assert wrong.status_code == 422 and "見本を読めませんでした" in wrong.text
    missing = _post(client, "preview", fields)
    assert missing.status_code == 422 and "見本のファイルを選んでください" in missing.text
    huge = b"\x89PNG" + bytes(21 * 1024 * 1024)
    too_large = _post(client, "preview", fields, files={"sample": ("big.png", huge)})
    assert too_large.status_code == 413 and "大きすぎます" in too_large.text
