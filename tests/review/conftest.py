"""Review-station fixtures: stores on a fresh folder, three users, documents, logged-in clients."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from core.ledger import Ledger
from review import (
    ReviewDocument,
    ReviewField,
    ReviewSettings,
    ReviewStore,
    Role,
    UserStore,
    create_review_app,
)

PASSWORD = "seiza-no-hoshi-42"
REVIEWER, SECOND, ADMIN = "kakunin1", "kakunin2", "kanri1"
MY_NUMBER = "123456789018"


def png(text: str = "123") -> bytes:
    """A small crop-like PNG with ``text`` drawn on it."""
    image = Image.new("L", (160, 32), 255)
    ImageDraw.Draw(image).text((4, 8), text, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def document(
    document_id: str = "a1b2c3d4e5f60718", *, critical: bool = False, scenario: str = "paper-intake"
) -> ReviewDocument:
    """A 児童手当 form with one auto-accepted field and two uncertain ones.

    ``phone`` is read wrongly (a 0 read as 6); with ``critical`` the uncertain 個人番号 needs
    ベリファイ.
    """
    return ReviewDocument(
        document_id=document_id,
        scenario=scenario,
        source_name="scan-0001.pdf",
        fields=(
            ReviewField(
                name="name_kana",
                label="フリガナ",
                kind="katakana",
                value="ヤマダ タロウ",
                confidence=0.99,
                accepted=True,
                crop_png=png(),
            ),
            ReviewField(
                name="my_number",
                label="個人番号",
                kind="digits",
                value=MY_NUMBER,
                confidence=0.62,
                reason="信頼度が低い",
                critical=critical,
                crop_png=png(MY_NUMBER),
                pattern=r"[0-9]{12}",
                hint="個人番号は12桁の数字です。",
            ),
            ReviewField(
                name="phone",
                label="電話番号",
                kind="digits",
                value="63-1234-5678",
                confidence=0.41,
                reason="形式が正しくない",
                crop_png=png("03-1234"),
                pattern=r"0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}",
                hint="電話番号は 03-1234-5678 の形です。",
            ),
        ),
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ReviewStore]:
    """A review store on a fresh file."""
    opened = ReviewStore(tmp_path / "review" / "review.sqlite3")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def _users_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Hashing three passwords costs ~0.2 s: done once, copied per test.
    path = tmp_path_factory.mktemp("users") / "users.sqlite3"
    users = UserStore(path)
    users.add_user(REVIEWER, PASSWORD, role=Role.REVIEWER)
    users.add_user(SECOND, PASSWORD, role=Role.REVIEWER)
    users.add_user(ADMIN, PASSWORD, role=Role.ADMIN)
    users.close()
    return path


@pytest.fixture
def users(tmp_path: Path, _users_template: Path) -> Iterator[UserStore]:
    """Users 確認者 kakunin1, kakunin2 and 管理者 kanri1, all with ``PASSWORD``."""
    import sqlite3

    path = tmp_path / "review" / "users.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(_users_template) as source, sqlite3.connect(path) as target:
        source.backup(target)
    opened = UserStore(path)
    yield opened
    opened.close()


@pytest.fixture
def ledger_url(tmp_path: Path) -> str:
    """A fresh SQLite ledger."""
    return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"


@pytest.fixture
def ledger(ledger_url: str) -> Ledger:
    """The ledger the app writes review time to."""
    return Ledger(ledger_url)


@pytest.fixture
def app(store: ReviewStore, users: UserStore, ledger_url: str) -> FastAPI:
    """The station on the fixtures' stores."""
    return create_review_app(
        store=store, users=users, ledger_url=ledger_url, settings=ReviewSettings()
    )


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token in a page."""
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    """Log ``client`` in as ``name``; returns it."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": name, "password": password, "csrf": token, "next": "/"}
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def client_as(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """``client_as(name)``: a TestClient logged in as ``name`` (no redirects followed)."""
    clients: list[TestClient] = []

    def make(name: str) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        clients.append(client)
        return log_in(client, name)

    yield make
    for client in clients:
        client.close()
