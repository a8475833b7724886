"""Stand-in municipal systems: the 電子申請システム (portal), the 業務システム (business) and
the 国民健康保険 資格管理システム (legacy: Shift_JIS, frames, pop-ups).

All are FastAPI apps with server-rendered Japanese pages over SQLite, fault knobs and a
read-only inspection for tests and benchmarks. The knobs and the inspection answer the
system's login or the install's admin token (:func:`admin_headers`), nobody else.
"""

from __future__ import annotations

from sandbox._admin import admin_headers, admin_token
from sandbox._faults import FaultInjector
from sandbox._server import (
    BUSINESS_USER,
    LEGACY_USER,
    PORTAL_USER,
    RunningSandbox,
    build_apps,
    run_sandbox,
    sandbox_paths,
    serve_in_background,
)
from sandbox._settings import FaultSettings, SandboxSettings

__all__ = [
    "BUSINESS_USER",
    "LEGACY_USER",
    "PORTAL_USER",
    "FaultInjector",
    "FaultSettings",
    "RunningSandbox",
    "SandboxSettings",
    "admin_headers",
    "admin_token",
    "build_apps",
    "run_sandbox",
    "sandbox_paths",
    "serve_in_background",
]
