"""The inbox trigger: 20 scans dropped while it runs, each processed exactly once.

The paper-intake flow is built elsewhere; a trivial flow stands in for it here. Its runs are
real Prefect flow runs (test harness), one per batch.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from prefect import flow, get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName

from orchestration._inbox import InboxWatcher

SCANS = 20
END = b"%%EOF\n"


@flow(name="inbox-batch-check", persist_result=False)
def read_batch(batch: str, record: str) -> int:
    """Read every scan of a batch and record its name, size and whether it was complete."""
    lines = []
    for path in sorted(Path(batch).iterdir()):
        if path.name.startswith("."):
            continue
        data = path.read_bytes()
        complete = data.endswith(END) and hashlib.sha256(data[: -len(END) - 64]).hexdigest() == (
            data[-len(END) - 64 : -len(END)].decode()
        )
        lines.append(f"{path.name}\t{len(data)}\t{complete}\n")
    with open(record, "a", encoding="utf-8") as handle:
        handle.writelines(lines)
    return len(lines)


def _write_scan_slowly(path: Path, rng: random.Random) -> None:
    """Write a scan in pieces with pauses, as a network scanner does: half-written for a while."""
    body = rng.randbytes(rng.randint(20_000, 60_000))
    data = body + hashlib.sha256(body).hexdigest().encode() + END
    with path.open("wb") as handle:
        for start in range(0, len(data), 16_384):
            handle.write(data[start : start + 16_384])
            handle.flush()
            os.fsync(handle.fileno())
            time.sleep(rng.uniform(0.05, 0.25))


@pytest.mark.usefixtures("prefect_harness")
def test_twenty_scans_dropped_while_watching_are_each_processed_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    record = tmp_path / "processed.tsv"
    batches: list[Path] = []

    def on_batch(batch: Path) -> str:
        batches.append(batch)
        read_batch(str(batch), str(record))
        return batch.name

    watcher = InboxWatcher(inbox, on_batch=on_batch, debounce_seconds=1.0, poll_seconds=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    rng = random.Random(20)
    names = [f"scan-{n:03d}.pdf" for n in range(SCANS)]
    try:
        for n, name in enumerate(names):
            _write_scan_slowly(inbox / name, rng)
            (inbox / f"~{name}.tmp").write_bytes(b"scanner scratch")  # never taken
            if n in (6, 13):
                time.sleep(2.5)  # the clerk fetches the next stack: a new batch starts
        deadline = time.monotonic() + 60
        while Counter(line.split("\t")[0] for line in _lines(record)).total() < SCANS:
            assert time.monotonic() < deadline, "not every scan was processed"
            time.sleep(0.2)
        time.sleep(2.0)  # and nothing more arrives afterwards
    finally:
        stop.set()
        thread.join(timeout=30)

    rows = [line.split("\t") for line in _lines(record)]
    assert Counter(row[0] for row in rows) == Counter(names)  # each exactly once
    assert all(row[2] == "True" for row in rows), "a scan was read half-written"
    assert 3 <= len(batches) < SCANS  # debounced: a batch per stack, not a run per file
    assert sorted(p.name for p in inbox.iterdir() if not p.name.startswith((".", "~"))) == []
    assert all((batch / ".submitted").exists() for batch in batches)
    assert _flow_run_count("inbox-batch-check") == len(batches)  # one flow run per batch


def test_restart_puts_back_half_moved_files_and_offers_unsent_batches(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    half = inbox / ".jimu-batches" / "20260401T090000-aaaa.partial"
    unsent = inbox / ".jimu-batches" / "20260401T090000-bbbb"
    half.mkdir(parents=True)
    unsent.mkdir()
    (half / "a.pdf").write_bytes(b"a")
    (unsent / "b.pdf").write_bytes(b"b")
    handed: list[str] = []

    def on_batch(batch: Path) -> None:
        handed.append(batch.name)

    watcher = InboxWatcher(inbox, on_batch=on_batch)

    assert watcher.recover() == 1
    assert handed == [unsent.name]
    assert (inbox / "a.pdf").read_bytes() == b"a" and not half.exists()
    assert watcher.recover() == 0  # handed over once only


def _lines(record: Path) -> list[str]:
    return record.read_text(encoding="utf-8").splitlines() if record.exists() else []


def _flow_run_count(flow_name: str) -> int:
    with get_client(sync_client=True) as client:
        return client.count_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])))
