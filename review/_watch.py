"""Waiting for a change in a SQLite file without a busy loop.

``PRAGMA data_version`` on a connection of its own changes whenever *any other* connection
(this process or another one) commits to the file. :class:`ChangeWatcher` keeps such a
connection, remembers the last version it reported, and sleeps between looks with an
exponential backoff (50 ms doubling to a 2 s cap). Writers in this process also wake it at
once through a condition shared per file, so in-process hand-overs take no backoff at all;
a writer in another process is noticed within the cap.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

__all__ = ["ChangeWatcher", "notify_change"]

FIRST_DELAY = 0.05
MAX_DELAY = 2.0


class _Signal:
    """A condition with a generation count, so a wake-up sent just before a wait is not lost."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.generation = 0


_signals: dict[Path, _Signal] = {}
_signals_lock = threading.Lock()


def _signal(path: Path) -> _Signal:
    key = path.resolve()
    with _signals_lock:
        return _signals.setdefault(key, _Signal())


def notify_change(path: Path) -> None:
    """Wake every :class:`ChangeWatcher` of ``path`` in this process (call after a commit)."""
    signal = _signal(path)
    with signal.condition:
        signal.generation += 1
        signal.condition.notify_all()


class ChangeWatcher:
    """Tells whether the SQLite file ``path`` changed since the last look."""

    def __init__(self, path: Path) -> None:
        self._signal = _signal(path)
        self._lock = threading.Lock()
        # Autocommit: a connection inside a transaction would not see others' commits.
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._seen = self._version()

    def _version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, timeout: float) -> bool:
        """Block until the file changed since the previous call, or ``timeout`` seconds passed.

        Returns True if it changed (then the caller re-reads what it needs), False on timeout.
        A change made between two calls is never lost: the next call returns True at once.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        delay = FIRST_DELAY
        while True:
            generation = self._signal.generation
            version = self._version()
            if version != self._seen:
                self._seen = version
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._signal.condition:
                if self._signal.generation == generation:
                    self._signal.condition.wait(min(delay, remaining))
            delay = min(delay * 2, MAX_DELAY)

    def close(self) -> None:
        """Close the watching connection."""
        with self._lock:
            self._conn.close()
