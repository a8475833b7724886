"""A killed local run takes Prefect's embedded server with it.

Without a Prefect server to talk to, Prefect starts its own (``uvicorn`` on a free port, a
child process) and stops it when the process exits. A run killed with SIGKILL cannot stop
it, and the server would live on, holding its port and its database. :func:`watch_this_process`
starts a small watchdog (its own session, so a signal to the run's group spares it): while
the run lives it notes the run's Prefect-server children; when the run is gone — its pipe
closes, however it died — it stops those still running, and exits.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["watch_this_process"]

_watching: int | None = None  # the write end of the pipe, kept open for the process's life
_POLL_SECONDS = 1.0


def watch_this_process() -> None:
    """Start the watchdog for this process, once (later calls do nothing)."""
    global _watching
    if _watching is not None or not Path("/proc/self/stat").exists():
        return
    read_end, write_end = os.pipe()  # both close-on-exec: no child of ours inherits them
    subprocess.Popen(
        [sys.executable, "-m", "orchestration._watchdog", str(os.getpid()), str(read_end)],
        pass_fds=(read_end,),
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[1],
    )
    os.close(read_end)
    _watching = write_end


def _stat(pid: int) -> tuple[int, int] | None:
    """``(parent pid, start time)`` of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), int(fields[19])


def _is_prefect_server(pid: int) -> bool:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"uvicorn" in argv and b"prefect.server.api.server:create_app" in argv


def _servers_of(parent: int) -> dict[int, int]:
    """The Prefect-server children of ``parent``: pid → start time."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is not None and stat[0] == parent and _is_prefect_server(int(entry.name)):
            found[int(entry.name)] = stat[1]
    return found


def _stop(pid: int, started: int) -> None:
    """SIGTERM, then SIGKILL after 10 s — only while ``pid`` is the process that was seen."""
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 0.0)):
        stat = _stat(pid)
        if stat is None or stat[1] != started:
            return
        os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            stat = _stat(pid)
            if stat is None or stat[1] != started:
                return
            time.sleep(0.2)


def _watch(parent: int, pipe: int) -> None:
    servers: dict[int, int] = {}
    while True:
        closed = bool(select.select([pipe], [], [], _POLL_SECONDS)[0]) and not os.read(pipe, 1)
        if not closed:
            servers |= _servers_of(parent)
            continue
        for pid, started in servers.items():  # a clean exit has stopped them already
            _stop(pid, started)
        return


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the run, not for us
    _watch(int(sys.argv[1]), int(sys.argv[2]))
