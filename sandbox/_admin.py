"""Who may steer and inspect a sandbox system, and the per-install secrets that decide it.

``/admin/faults`` (page, form, JSON) and ``/_inspect/summary`` answer only

* a caller logged in to that system (its staff login: the sandbox's admin), or
* a caller presenting ``Authorization: Bearer <token>``, the per-install admin token.

The token and the key of the 個人番号 hashes are secrets as :mod:`core.secrets` keeps them:
``<data_dir>/secrets/sandbox-admin-token`` and ``…/sandbox-hash-key`` (owner-only, generated
on first use) or ``JIMU_SECRET_SANDBOX_ADMIN_TOKEN`` / ``JIMU_SECRET_SANDBOX_HASH_KEY``.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request

from core.secrets import ensure_secret

__all__ = [
    "ADMIN_TOKEN_SECRET",
    "HASH_KEY_SECRET",
    "AdminRequired",
    "admin_headers",
    "admin_token",
    "hash_key",
    "is_admin",
]

ADMIN_TOKEN_SECRET = "sandbox-admin-token"
HASH_KEY_SECRET = "sandbox-hash-key"


class AdminRequired(Exception):
    """An admin or inspection endpoint was called without the login or the admin token."""


def admin_token() -> str:
    """This install's sandbox admin token (created owner-only on first use)."""
    return ensure_secret(ADMIN_TOKEN_SECRET)


def admin_headers() -> dict[str, str]:
    """HTTP headers that let a client call ``/admin/faults*`` and ``/_inspect/summary``."""
    return {"Authorization": f"Bearer {admin_token()}"}


def hash_key() -> bytes:
    """The key of the HMAC-SHA256 that stands for a 個人番号 in inspections (never shown)."""
    return ensure_secret(HASH_KEY_SECRET).encode("utf-8")


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def is_admin(request: Request) -> bool:
    """Whether ``request`` carries the admin token or the cookie of a live session.

    A token that is presented must be right: a wrong one is refused whatever the cookie.
    """
    presented = _bearer(request)
    if presented is not None:
        expected: str = getattr(request.app.state, "admin_token", None) or admin_token()
        return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))
    session = request.app.state.sessions.touch(request.cookies.get(request.app.state.cookie))
    if session is None:
        return False
    request.state.user = session.user
    return True
