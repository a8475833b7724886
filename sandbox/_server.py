"""Run the sandbox systems: in the foreground (``jimu sandbox up``) or in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from core.errors import ConfigError
from core.net import listening_socket, wait_until_serving
from core.secrets import ensure_secret
from sandbox._settings import FaultSettings, SandboxSettings

__all__ = [
    "BUSINESS_USER",
    "LEGACY_USER",
    "PORTAL_USER",
    "RunningSandbox",
    "build_apps",
    "run_sandbox",
    "sandbox_paths",
    "serve_in_background",
]

log = logging.getLogger(__name__)

PORTAL_USER = "shinsei01"
BUSINESS_USER = "gyomu01"
LEGACY_USER = "kokuho01"


@dataclass(frozen=True)
class SandboxPaths:
    """Where the sandbox keeps its databases inside a data folder."""

    portal_db: Path
    business_db: Path
    legacy_db: Path


def sandbox_paths(data_dir: Path) -> SandboxPaths:
    """The database files of the sandbox systems under ``data_dir``."""
    folder = data_dir / "sandbox"
    return SandboxPaths(
        portal_db=folder / "portal.sqlite3",
        business_db=folder / "business.sqlite3",
        legacy_db=folder / "legacy.sqlite3",
    )


def build_apps(
    data_dir: Path, *, faults: FaultSettings | None = None
) -> tuple[FastAPI, FastAPI, FastAPI]:
    """The 電子申請システム, 業務システム and 資格管理システム apps on the databases under
    ``data_dir``."""
    from sandbox.business import create_business_app
    from sandbox.legacy import create_legacy_app
    from sandbox.portal import create_portal_app

    paths = sandbox_paths(data_dir)
    # The databases hold (fake, but realistic) personal data: the folder is the owner's only,
    # also when an older version left it readable.
    paths.portal_db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(paths.portal_db.parent, 0o700)
    portal = create_portal_app(
        db_path=paths.portal_db,
        username=PORTAL_USER,
        password=ensure_secret("sandbox-portal-password"),
        faults=faults,
    )
    business = create_business_app(
        db_path=paths.business_db,
        username=BUSINESS_USER,
        password=ensure_secret("sandbox-business-password"),
        faults=faults.model_copy() if faults else None,
    )
    legacy = create_legacy_app(
        db_path=paths.legacy_db,
        username=LEGACY_USER,
        password=ensure_secret("sandbox-legacy-password"),
        faults=faults.model_copy() if faults else None,
    )
    return portal, business, legacy


def _config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    # access_log off: URLs of detail pages carry application ids, and the sandbox logs nothing
    # personal anyway; warnings and errors still show.
    return uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)


def _listening(stack: contextlib.ExitStack, host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port`` (0: a free one), closed with ``stack``: held
    from here, so no other process can take the port before its server serves on it.

    Raises :class:`ConfigError` if the port is taken.
    """
    try:
        sock = listening_socket(host, port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    stack.callback(sock.close)
    return sock


async def _serve_all(servers: list[uvicorn.Server], sockets: list[socket.socket]) -> None:
    await asyncio.gather(
        *(server.serve(sockets=[sock]) for server, sock in zip(servers, sockets, strict=True))
    )


def run_sandbox(settings: SandboxSettings, *, data_dir: Path) -> None:
    """Serve the three systems until Ctrl-C.

    Raises :class:`ConfigError` if a port is taken, before anything starts.
    """
    ports = (settings.portal_port, settings.business_port, settings.legacy_port)
    with contextlib.ExitStack() as stack:
        sockets = [_listening(stack, settings.host, port) for port in ports]
        apps = build_apps(data_dir, faults=settings.faults)
        servers = [
            uvicorn.Server(_config(app, settings.host, port))
            for app, port in zip(apps, ports, strict=True)
        ]
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve_all(servers, sockets))


@dataclass
class RunningSandbox:
    """The systems serving in a background thread; URLs and database paths for callers."""

    portal_url: str
    business_url: str
    legacy_url: str
    paths: SandboxPaths
    portal: FastAPI
    business: FastAPI
    legacy: FastAPI

    def set_faults(self, faults: FaultSettings) -> None:
        """Change the fault knobs of every system at once."""
        self.portal.state.faults.update(faults)
        self.business.state.faults.update(faults.model_copy())
        self.legacy.state.faults.update(faults.model_copy())


@contextlib.contextmanager
def serve_in_background(
    data_dir: Path,
    *,
    host: str = "127.0.0.1",
    portal_port: int = 0,
    business_port: int = 0,
    legacy_port: int = 0,
    faults: FaultSettings | None = None,
) -> Iterator[RunningSandbox]:
    """Serve the three systems in a daemon thread for the duration of the ``with`` block.

    Port 0 picks a free port. Used by the pytest fixture, the demo and benchmarks.
    """
    portal, business, legacy = build_apps(data_dir, faults=faults)
    with contextlib.ExitStack() as stack:
        sockets = [_listening(stack, host, port)
                   for port in (portal_port, business_port, legacy_port)]  # fmt: skip
        ports = tuple(int(sock.getsockname()[1]) for sock in sockets)
        servers = [
            uvicorn.Server(_config(app, host, port))
            for app, port in zip((portal, business, legacy), ports, strict=True)
        ]
        thread = threading.Thread(
            target=asyncio.run, args=(_serve_all(servers, sockets),), daemon=True
        )
        thread.start()
        running = RunningSandbox(
            portal_url=f"http://{host}:{ports[0]}",
            business_url=f"http://{host}:{ports[1]}",
            legacy_url=f"http://{host}:{ports[2]}",
            paths=sandbox_paths(data_dir),
            portal=portal,
            business=business,
            legacy=legacy,
        )
        try:
            deadline = time.monotonic() + 20
            wait_until_serving(running.portal_url, deadline=deadline)
            wait_until_serving(running.business_url, deadline=deadline)
            wait_until_serving(running.legacy_url, deadline=deadline)
            yield running
        finally:
            for server in servers:
                server.should_exit = True
            thread.join(timeout=10)
