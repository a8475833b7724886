"""Local users: scrypt-hashed passwords, roles, sessions that expire."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest

from core.errors import DuplicateRecord, InvalidInput
from review import Role, UserStore
from review._users import hash_password, verify_password
from tests.review.conftest import ADMIN, PASSWORD, REVIEWER


def test_passwords_are_stored_as_salted_scrypt_hashes(users: UserStore) -> None:
    raw = users.path.read_bytes()
    assert PASSWORD.encode() not in raw
    assert raw.count(b"scrypt$16384$8$1$") == 3
    assert hash_password(PASSWORD) != hash_password(PASSWORD)  # a fresh salt each time
    assert verify_password(PASSWORD, hash_password(PASSWORD))
    assert not verify_password(PASSWORD, "md5$abc")


def test_authenticate(users: UserStore) -> None:
    admin = users.authenticate(ADMIN, PASSWORD)
    assert admin is not None and admin == users.get(ADMIN) and admin.role is Role.ADMIN
    assert users.authenticate(ADMIN, PASSWORD + "x") is None
    assert users.authenticate("nobody", PASSWORD) is None


def test_bad_users_are_refused(users: UserStore) -> None:
    with pytest.raises(DuplicateRecord):
        users.add_user(REVIEWER, PASSWORD, role=Role.REVIEWER)
    with pytest.raises(InvalidInput, match="at least 8"):
        users.add_user("new", "short", role=Role.REVIEWER)
    with pytest.raises(InvalidInput, match="user names"):
        users.add_user("a b", PASSWORD, role=Role.REVIEWER)


def test_sessions_store_only_a_hash_of_the_token_and_expire(users: UserStore) -> None:
    user = users.get(REVIEWER)
    assert user is not None
    token, session = users.start_session(user)
    assert token.encode() not in users.path.read_bytes()
    assert users.session(token) == session
    assert users.session("forged") is None
    users.max_age = timedelta(seconds=-1)
    assert users.session(token) is None
    users.max_age = timedelta(hours=1)
    assert users.session(token) is None  # ended, not just hidden


def test_a_new_password_ends_the_sessions(users: UserStore) -> None:
    user = users.get(REVIEWER)
    assert user is not None
    token, _session = users.start_session(user)
    users.set_password(REVIEWER, "another-long-password")
    assert users.session(token) is None
    assert users.authenticate(REVIEWER, "another-long-password") == user


def test_users_file_is_owner_only(tmp_path: Path) -> None:
    users = UserStore(tmp_path / "review" / "users.sqlite3")
    assert stat.S_IMODE(users.path.stat().st_mode) == 0o600
    users.close()
