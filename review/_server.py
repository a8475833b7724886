"""Run the review station: in the foreground (``jimu review serve``) or in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from core.errors import ConfigError
from core.ledger import default_ledger_url
from core.net import listening_socket, wait_until_serving
from review._app import create_review_app
from review._settings import ReviewSettings
from review._store import ReviewStore, default_review_path
from review._unsorted import UnsortedTray
from review._users import UserStore

__all__ = ["RunningReview", "open_stores", "serve_review", "serve_review_in_background"]


def open_stores(
    data_dir: Path,
    *,
    settings: ReviewSettings | None = None,
) -> tuple[ReviewStore, UserStore]:
    """The review store and the user store under ``data_dir/review``."""
    settings = settings or ReviewSettings()
    store = ReviewStore(default_review_path(data_dir))
    users = UserStore(
        data_dir / "review" / "users.sqlite3",
        idle_seconds=settings.session_idle_minutes * 60,
        max_seconds=settings.session_max_hours * 3600,
    )
    return store, users


def _config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    # No uvicorn access log: it writes raw paths and queries. The station logs its own
    # line per request with the route template only (review.access).
    return uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, server_header=False
    )


def serve_review(
    data_dir: Path,
    *,
    settings: ReviewSettings | None = None,
    ledger_url: str | None = None,
    retention_days: int | None = None,
) -> None:
    """Serve the station until Ctrl-C, after purging what is past ``retention_days``.

    Raises :class:`ConfigError` if the port is taken.
    """
    settings = settings or ReviewSettings()
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}"
            ) from None
    store, users = open_stores(data_dir, settings=settings)
    if retention_days is not None:
        store.purge_older_than(retention_days)
        UnsortedTray(store).purge_older_than(retention_days)  # the 未仕分け pages handled
    users.purge_sessions()
    app = create_review_app(
        store=store,
        users=users,
        ledger_url=ledger_url or default_ledger_url(data_dir),
        settings=settings,
    )
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(_config(app, settings.host, settings.port)).run()


@dataclass
class RunningReview:
    """The station serving in a background thread: its URL, app and stores."""

    url: str
    app: FastAPI
    store: ReviewStore
    users: UserStore


@contextlib.contextmanager
def serve_review_in_background(
    data_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    ledger_url: str | None = None,
    settings: ReviewSettings | None = None,
) -> Iterator[RunningReview]:
    """Serve the station in a daemon thread for the duration of the ``with`` block.

    Port 0 picks a free port. For tests and the demo; the stores live under ``data_dir``.
    """
    settings = settings or ReviewSettings()
    store, users = open_stores(data_dir, settings=settings)
    app = create_review_app(
        store=store,
        users=users,
        ledger_url=ledger_url or default_ledger_url(data_dir),
        settings=settings,
    )
    sock = listening_socket(host, port)  # held from here: no other process can take it
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(_config(app, host, port))
    thread = threading.Thread(target=asyncio.run, args=(server.serve(sockets=[sock]),), daemon=True)
    thread.start()
    running = RunningReview(url=f"http://{host}:{port}", app=app, store=store, users=users)
    try:
        wait_until_serving(running.url, deadline=time.monotonic() + 20, path="/login")
        yield running
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        store.close()
        users.close()
