"""The inbox trigger: scans dropped in a folder start one flow run per batch.

A department's scanner (or a clerk) drops PDF/TIFF/JPEG files into the inbox folder. The
watcher polls it and waits until the folder has been quiet for ``debounce_seconds`` (a stack
of 40 sheets arrives as 40 files over a minute: one batch, not 40 runs) and every file's
size and modification time have stopped changing, so a file still being written is never
taken. It then moves the files with ``rename`` — atomic on one file system — into a new batch
folder, and only then hands the folder to ``on_batch`` (by default: a run of a Prefect
deployment with the folder as parameter). A file is therefore in exactly one place at any
moment: in the inbox (not yet taken) or in exactly one batch.

Batch folders live under ``<inbox>/.jimu-batches/`` (same file system, by construction):

* ``<id>.partial/`` — being filled; on restart its files go back to the inbox;
* ``<id>/`` — complete, not yet handed over; on restart it is handed over again;
* ``<id>/.submitted`` — handed over (holds the flow run id).

A crash between hand-over and writing ``.submitted`` hands the batch over twice; the flow
must therefore key its items by content (the ledger's SHA-256 item key), which it does
anyway for exactly-once registration.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import cast

__all__ = ["SCAN_SUFFIXES", "InboxWatcher", "is_inbox_marker", "submit_to_deployment"]

log = logging.getLogger(__name__)

SCAN_SUFFIXES = frozenset({".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"})
_BATCHES = ".jimu-batches"
_SUBMITTED = ".submitted"

OnBatch = Callable[[Path], str | None]


def is_inbox_marker(name: str) -> bool:
    """True for the watcher's own files in a batch folder (``.submitted`` and its temporary),
    which a flow reading the batch must pass over: they are not anybody's scans."""
    return name in (_SUBMITTED, f"{_SUBMITTED}.tmp")


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float  # monotonic time when this size/mtime was first seen


@dataclass
class InboxWatcher:
    """Poll ``inbox`` and hand each settled batch of scans to ``on_batch`` exactly once.

    ``on_batch(batch_folder)`` returns an id to record (a flow run id) or None; if it raises,
    the batch stays complete-but-unsubmitted and is offered again on the next poll.
    """

    inbox: Path
    on_batch: OnBatch
    debounce_seconds: float = 10.0
    poll_seconds: float = 1.0
    max_batch: int = 200
    max_wait_seconds: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, _Seen] = field(default_factory=dict, init=False, repr=False)
    _last_change: float = field(default=0.0, init=False, repr=False)

    @property
    def batches(self) -> Path:
        """Where batch folders are made (inside the inbox: same file system)."""
        return self.inbox / _BATCHES

    def recover(self) -> int:
        """After a crash: put files of half-made batches back, offer unsubmitted batches.

        Returns how many batches were handed over.
        """
        self.batches.mkdir(parents=True, exist_ok=True, mode=0o700)
        for partial in sorted(self.batches.glob("*.partial")):
            for path in partial.iterdir():
                os.rename(path, self.inbox / path.name)
            partial.rmdir()
        return self._submit_pending()

    def poll_once(self) -> Path | None:
        """Look once; if a batch is ready, move it and hand it over. Returns its folder."""
        now = self.clock()
        ready = self._settled(now)
        if not ready:
            self._submit_pending()
            return None
        quiet = now - self._last_change >= self.debounce_seconds
        oldest = min(self._seen[name].since for name in ready)
        if not (quiet or len(ready) >= self.max_batch or now - oldest >= self.max_wait_seconds):
            return None
        batch = self._move(sorted(ready)[: self.max_batch])
        self._submit_pending()
        return batch

    def run(self, stop: threading.Event) -> None:
        """Poll until ``stop`` is set (finish a batch being moved; never cut one in half)."""
        self.recover()
        while not stop.is_set():
            try:
                self.poll_once()
            except OSError as exc:  # the share went away for a moment: try again
                log.warning("inbox %s: %s", self.inbox, exc.strerror or exc)
            stop.wait(self.poll_seconds)

    # -- internals ---------------------------------------------------------------------------

    def _candidates(self) -> dict[str, os.stat_result]:
        found = {}
        with os.scandir(self.inbox) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith((".", "~")) or Path(name).suffix.lower() not in SCAN_SUFFIXES:
                    continue  # hidden, temporary (scanner writes *.tmp then renames) or not a scan
                try:
                    if entry.is_file(follow_symlinks=False):
                        found[name] = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
        return found

    def _settled(self, now: float) -> list[str]:
        """Names whose size and mtime have not changed for ``debounce_seconds``."""
        current = self._candidates()
        for name in list(self._seen):
            if name not in current:
                del self._seen[name]
        for name, stat in current.items():
            seen = self._seen.get(name)
            if seen is None or (seen.size, seen.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                self._seen[name] = _Seen(stat.st_size, stat.st_mtime_ns, now)
                self._last_change = now
        return [
            name
            for name, seen in self._seen.items()
            if now - seen.since >= self.debounce_seconds and seen.size > 0
        ]

    def _move(self, names: list[str]) -> Path | None:
        batch_id = f"{datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        self.batches.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = self.batches / f"{batch_id}.partial"
        partial.mkdir(mode=0o700)
        moved = 0
        for name in names:
            try:
                os.rename(self.inbox / name, partial / name)
                moved += 1
            except FileNotFoundError:
                pass  # withdrawn by the clerk since the last look
            self._seen.pop(name, None)
        if not moved:
            partial.rmdir()
            return None
        final = self.batches / batch_id
        os.rename(partial, final)
        log.info("inbox %s: batch %s with %d scans", self.inbox.name, batch_id, moved)
        return final

    def _submit_pending(self) -> int:
        if not self.batches.is_dir():
            return 0
        handed = 0
        for batch in sorted(self.batches.iterdir()):
            if not batch.is_dir() or batch.suffix == ".partial" or (batch / _SUBMITTED).exists():
                continue
            try:
                run_id = self.on_batch(batch)
            except Exception:
                log.exception("inbox batch %s: hand-over failed; will retry", batch.name)
                continue
            marker = batch / _SUBMITTED
            tmp = marker.with_suffix(".tmp")
            tmp.write_text(f"{run_id or ''}\n", encoding="utf-8")
            os.rename(tmp, marker)
            handed += 1
        return handed


def submit_to_deployment(deployment: str, *, parameter: str = "batch") -> OnBatch:
    """An ``on_batch`` that starts a run of ``deployment`` ("flow-name/deployment-name").

    The run is only created here (``timeout=0``); a worker of the deployment's pool runs it.
    """

    def on_batch(batch: Path) -> str:
        from prefect.client.schemas.objects import FlowRun
        from prefect.deployments import run_deployment

        flow_run = cast(
            FlowRun,
            run_deployment(
                deployment,
                parameters={parameter: str(batch)},
                timeout=0,
                tags=["inbox"],
            ),
        )
        return str(flow_run.id)

    return on_batch
