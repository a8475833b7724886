"""Robots, side by side: the ``e-application-sync`` flow with 1 and 3 workers vs direct POSTs.

An item is what the flow does per application: the duplicate check (受給者検索 by 個人番号),
the three registration screens (請求者, 児童, 振込口座), 確認 and 登録, and the write-back of
the 受給者番号 to the portal (受理). Every measured run starts from fresh sandbox databases
seeded with the same ``RECORDS`` applications (``FakePeople(seed=SEED)``) and a fresh
ledger, so every item is really registered; after each run the benchmark checks, through the
sandbox's read-only inspection, that the 業務システム holds ``RECORDS`` recipients without a
duplicate and the portal ``RECORDS`` write-backs, and raises otherwise.

Three ways, interleaved in each of ``REPETITIONS`` rounds (figures are medians):

- ``rate_workers_1`` / ``rate_workers_3``: items per second through the whole flow
  (``e_application_sync(workers=N, …)``, faults off): ``RECORDS`` ÷ the flow's wall time,
  export, Chromium launches, logins, ledger, human list and artifact included.
- ``rate_direct_post``: the same items by plain HTTP (httpx, one client per system, logged in
  once, no browser), the fewest requests the sandbox needs: POST 検索, POST of each of the
  three screens (each must answer 303 to the next screen), POST 登録 (the 受給者番号 is read
  from the answer) and POST 受理 to the portal. The target's ceiling for one session.
- ``flow_overhead``: one worker's flow wall time ÷ the sum of its items' ledger
  ``robot_seconds`` (what the robot spends inside items; 1.0 would be no overhead at all).

Processes: the sandbox runs in its own process (``jimu sandbox up`` on free ports, one per
measured run), never in a thread of the flow's process, where its uvicorn would share the
GIL with the robots and understate them. The flows run in one child process of the
benchmark (its own ``PREFECT_HOME`` and data folder, so nothing leaks into the caller's
environment); there they are called in-process, as ``jimu run`` calls them, after one
warm-up run of ``WARM_UP_RECORDS`` items that starts Prefect's embedded server (7–13 s, not
counted) and warms the imports. The session limits are created as ``jimu run`` creates them
(``ensure_session_limits``): the 業務システム allows 2 sessions at once, so the third worker
of ``rate_workers_3`` waits for a slot.

Both systems listen on 127.0.0.1 (different ports), as ``scenario.yaml`` configures them.

``REPETITIONS`` is 1: a round is 2 × ``RECORDS`` robot items, about 0.65 s each on a quiet
2-core machine, so the benchmark takes about 6 minutes. Raise it on a bigger machine; the
figures are medians over the rounds, and every single run (with ``load_1min_before`` and
the machine's busy CPU seconds) is in the result.

On 2 cores the robots are CPU-bound, and that bounds ``scaling_3_over_1``. One worker keeps
about 1.4 cores busy: an item costs the machine about 0.9 CPU-seconds (Chromium's renderer
about 0.4, its browser process 0.3, Playwright's driver 0.1, Python, the sandbox and
Prefect the rest) in about 0.65 s of wall time, most of it the nine page loads an item
needs (検索 twice, the four registration screens and 登録, the portal's detail and 受理).
No number of workers can pass ``cpu_count`` ÷ (CPU seconds per item) items per second, so
the result reports ``cpu_seconds_per_item_workers_1`` and ``scaling_ceiling_on_cpu`` (that
bound ÷ ``rate_workers_1``). The figures also move with the machine: ``rate_direct_post``
(no browser at all) was 75 items/s in one session and 42 in another, so compare
``robot_over_direct`` across sessions, not the rates.

Targets (from the issue): ``rate_workers_1`` ≥ 1.0 item/s, ``scaling_3_over_1`` ≥ 1.6 (on 2
cores), ``flow_overhead`` ≤ 1.10. ``JIMU_ROBOTS_BENCH_RECORDS`` changes ``RECORDS`` for a
quick look; the figures of record use the default.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from core.net import free_port, wait_until_serving
from core.settings import get_settings
from orchestration._concurrency import session_limits

RECORDS = int(os.environ.get("JIMU_ROBOTS_BENCH_RECORDS", 200))
REPETITIONS = 1
WARM_UP_RECORDS = 5
SEED = 41
WORKERS = (1, 3)
TARGET_RATE_WORKERS_1 = 1.0
TARGET_SCALING_3_OVER_1 = 1.6
TARGET_FLOW_OVERHEAD = 1.10

_ROOT = Path(__file__).resolve().parents[1]
_JIMU = Path(sys.executable).parent / "jimu"
_SCENARIO = "e-application-sync"
_RECIPIENT_NO = re.compile(r'id="recipient-no">\s*([^<\s]+)\s*<')
_NOT_FOUND = "該当する受給者は見つかりませんでした"
_PORTAL_SECRET, _BUSINESS_SECRET = "sandbox-portal-password", "sandbox-business-password"


@dataclass(frozen=True)
class Measured:
    """One measured run: what ran, its wall time, the robot seconds inside items, the load."""

    way: str
    repetition: int
    wall_seconds: float
    robot_seconds: float | None
    load_1min_before: float
    busy_cpu_seconds: float | None = None


def _busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux), None elsewhere."""
    try:
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks[:8]) - idle - iowait) / os.sysconf("SC_CLK_TCK")


# -- the sandbox, in its own process -------------------------------------------------------


@dataclass(frozen=True)
class _Sandbox:
    portal_url: str
    business_url: str


@contextlib.contextmanager
def _sandbox(folder: Path) -> Iterator[_Sandbox]:
    """``jimu sandbox up`` over the databases under ``folder``, stopped (SIGINT) on exit."""
    ports = free_port(), free_port()
    env = {**os.environ, "JIMU_DATA_DIR": str(folder)}
    command = [
        str(_JIMU), "sandbox", "up",
        "--portal-port", str(ports[0]), "--business-port", str(ports[1]),
    ]  # fmt: skip
    with (folder / "sandbox.log").open("wb") as log:
        child = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=_ROOT)
    running = _Sandbox(f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}")
    try:
        deadline = time.monotonic() + 60
        wait_until_serving(running.portal_url, deadline=deadline, process=child)
        wait_until_serving(running.business_url, deadline=deadline, process=child)
        yield running
    finally:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _seeded(folder: Path, count: int) -> list[Any]:
    from sandbox import sandbox_paths
    from sandbox.fake_people import FakePeople
    from sandbox.portal import seed_portal

    folder.mkdir(parents=True, mode=0o700)
    applications = FakePeople(seed=SEED).recent_applications(count)
    seed_portal(sandbox_paths(folder).portal_db, applications)
    return applications


def _verify(folder: Path, count: int, way: str) -> None:
    """Raise unless the run registered every item once and wrote every one back."""
    from sandbox import sandbox_paths
    from sandbox.business import inspect_business
    from sandbox.portal import inspect_portal

    paths = sandbox_paths(folder)
    business = inspect_business(paths.business_db)
    portal = inspect_portal(paths.portal_db)
    if business.records != count or business.duplicates:
        raise RuntimeError(
            f"{way}: the business system holds {business.records} records "
            f"({len(business.duplicates)} duplicated), not {count}"
        )
    if len(portal.write_backs) != count:
        raise RuntimeError(f"{way}: {len(portal.write_backs)} write-backs, not {count}")


# -- the flow ------------------------------------------------------------------------------


def _flow_run(folder: Path, count: int, workers: int) -> tuple[float, float, float | None]:
    """Run the flow on a fresh sandbox and ledger; (wall seconds, sum of robot seconds,
    CPU seconds the machine spent busy meanwhile — every process, Chromium's included)."""
    from core.ledger import Ledger
    from flows.e_application_sync import e_application_sync

    _seeded(folder, count)
    url = f"sqlite:///{folder / 'ledger.sqlite3'}"
    os.environ["JIMU_LEDGER_URL"] = url  # read by every Ledger() of the flow
    get_settings.cache_clear()
    with _sandbox(folder) as running:
        started, busy_before = time.perf_counter(), _busy_cpu_seconds()
        summary = e_application_sync(
            workers=workers, portal_url=running.portal_url, business_url=running.business_url
        )
        wall, busy_after = time.perf_counter() - started, _busy_cpu_seconds()
    busy = None if busy_before is None or busy_after is None else busy_after - busy_before
    if summary["registered_new"] != count or summary["application_failures"]:
        raise RuntimeError(f"workers={workers}: the flow's summary is {summary}")
    _verify(folder, count, f"workers={workers}")
    ledger = Ledger(url)
    robot = sum(item.robot_seconds for item in ledger.items(_SCENARIO))
    ledger.engine.dispose()
    return wall, robot, busy


# -- direct HTTP POSTs ---------------------------------------------------------------------


def _date_fields(prefix: str, day: Any) -> dict[str, str]:
    from core.wareki import to_wareki

    wareki = to_wareki(day)
    return {
        f"{prefix}_era": wareki.era.name,
        f"{prefix}_year": str(wareki.year),
        f"{prefix}_month": str(wareki.month),
        f"{prefix}_day": str(wareki.day),
    }


def _screens(application: Any) -> list[tuple[str, dict[str, str], str]]:
    """(path, form, where a good answer redirects) of the three screens, as the robot fills."""
    person, account = application.applicant, application.account
    applicant = {
        "my_number": person.my_number,
        "name": person.name,
        "name_kana": person.name_kana,
        **_date_fields("birth", person.birth_date),
        "gender": person.gender,
        "postal_code": person.postal_code,
        "address": person.address,
        "phone": person.phone,
        "has_spouse": "有" if person.has_spouse else "無",
    }
    children: dict[str, str] = {}
    for n, child in enumerate(application.children, start=1):
        children |= {
            f"child{n}_name": child.name,
            f"child{n}_name_kana": child.name_kana,
            **_date_fields(f"child{n}_birth", child.birth_date),
            f"child{n}_gender": child.gender,
            f"child{n}_relationship": child.relationship,
        }
        if child.living_together:
            children[f"child{n}_living_together"] = "on"
    bank = {
        "bank_code": account.bank_code,
        "bank_name": account.bank_name,
        "branch_code": account.branch_code,
        "branch_name": account.branch_name,
        "account_type": account.account_type,
        "account_number": account.account_number,
        "account_holder_kana": account.account_holder_kana,
    }
    return [
        ("/register/applicant", applicant, "/register/children"),
        ("/register/children", children, "/register/account"),
        ("/register/account", bank, "/register/confirm"),
    ]


@contextlib.contextmanager
def _logged_in(url: str, user: str, secret: str) -> Iterator[Any]:
    """An httpx client holding a session of the system at ``url``."""
    import httpx

    from core.secrets import get_secret

    with httpx.Client(base_url=url, timeout=30.0) as client:
        answer = client.post("/login", data={"username": user, "password": get_secret(secret)})
        if answer.status_code != 303 or not client.cookies:
            raise RuntimeError(f"direct POST: login to {url} answered HTTP {answer.status_code}")
        yield client


def _direct_item(business: Any, portal: Any, application: Any) -> None:
    key = application.application_id
    found = business.post("/search", data={"my_number": application.applicant.my_number})
    if found.status_code != 200 or _NOT_FOUND not in found.text:
        raise RuntimeError(f"direct POST {key}: search answered HTTP {found.status_code}")
    for path, form, next_path in _screens(application):
        answer = business.post(path, data=form)
        if answer.status_code != 303 or answer.headers.get("location") != next_path:
            raise RuntimeError(f"direct POST {key}: {path} answered HTTP {answer.status_code}")
    done = business.post("/register/confirm")
    match = _RECIPIENT_NO.search(done.text)
    if done.status_code != 200 or match is None:
        raise RuntimeError(f"direct POST {key}: 登録 answered HTTP {done.status_code}")
    accepted = portal.post(f"/applications/{key}/accept", data={"recipient_no": match[1]})
    if accepted.status_code != 303:
        raise RuntimeError(f"direct POST {key}: 受理 answered HTTP {accepted.status_code}")


def _direct_run(folder: Path, count: int) -> float:
    """Every item by direct HTTP on a fresh sandbox; wall seconds (login not counted)."""
    from sandbox import BUSINESS_USER, PORTAL_USER

    applications = _seeded(folder, count)
    with _sandbox(folder) as running:
        with (
            _logged_in(running.business_url, BUSINESS_USER, _BUSINESS_SECRET) as business,
            _logged_in(running.portal_url, PORTAL_USER, _PORTAL_SECRET) as portal,
        ):
            started = time.perf_counter()
            for application in applications:
                _direct_item(business, portal, application)
            wall = time.perf_counter() - started
    _verify(folder, count, "direct POST")
    return wall


# -- the child process that measures -------------------------------------------------------


def _measure(root: Path) -> list[Measured]:
    """Warm up, then REPETITIONS rounds of direct, 1 worker and 3 workers (in the child)."""
    from orchestration._prefect_env import prepare_prefect

    prepare_prefect()
    from orchestration._concurrency import ensure_session_limits

    ensure_session_limits(update_existing=False)  # as ``jimu run`` does
    _flow_run(root / "warm-up", WARM_UP_RECORDS, 1)
    measured: list[Measured] = []
    for repetition in range(1, REPETITIONS + 1):
        folder = root / f"round-{repetition}"
        load = round(os.getloadavg()[0], 2)
        wall = _direct_run(folder / "direct", RECORDS)
        measured.append(Measured("direct_post", repetition, wall, None, load))
        for workers in WORKERS:
            load = round(os.getloadavg()[0], 2)
            wall, robot, busy = _flow_run(folder / f"workers-{workers}", RECORDS, workers)
            measured.append(Measured(f"workers_{workers}", repetition, wall, robot, load, busy))
    return measured


def _child_main(root: Path) -> None:
    measured = _measure(root)
    (root / "measured.json").write_text(json.dumps([asdict(m) for m in measured]))


def _run_child(root: Path) -> list[Measured]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env |= {
        "PYTHONPATH": str(_ROOT),
        "JIMU_DATA_DIR": str(root / "data"),
        "PREFECT_HOME": str(root / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        # Both the sandboxes and the flows read the passwords from here.
        "JIMU_SECRET_SANDBOX_PORTAL_PASSWORD": secrets.token_urlsafe(12),
        "JIMU_SECRET_SANDBOX_BUSINESS_PASSWORD": secrets.token_urlsafe(12),
    }
    env.pop("JIMU_LEDGER_URL", None)
    with (root / "child.log").open("wb") as log:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.robots", str(root)],
            cwd=_ROOT,
            env=env,
            stdout=log,
            stderr=log,
            check=False,
        )
    if done.returncode != 0:
        tail = (root / "child.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"robots benchmark child failed ({done.returncode}):\n{tail}")
    rows = json.loads((root / "measured.json").read_text())
    return [Measured(**row) for row in rows]


def _median(measured: list[Measured], way: str, field: str = "wall_seconds") -> float:
    values = [getattr(m, field) for m in measured if m.way == way]
    return float(statistics.median(values))


def run() -> dict[str, Any]:
    """Measure side by side in a child process; the figures for robots.json."""
    with tempfile.TemporaryDirectory(prefix="jimu-bench-robots-") as tmp:
        measured = _run_child(Path(tmp))
    rates = {
        way: round(statistics.median(RECORDS / m.wall_seconds for m in measured if m.way == way), 3)
        for way in ("workers_1", "workers_3", "direct_post")
    }
    overhead = statistics.median(
        m.wall_seconds / m.robot_seconds
        for m in measured
        if m.way == "workers_1" and m.robot_seconds
    )
    scaling = rates["workers_3"] / rates["workers_1"]
    busy = [m.busy_cpu_seconds for m in measured if m.way == "workers_1" and m.busy_cpu_seconds]
    cpu_per_item = statistics.median(busy) / RECORDS if busy else None
    cores = os.cpu_count() or 1
    passed = {
        "rate_workers_1": rates["workers_1"] >= TARGET_RATE_WORKERS_1,
        "scaling_3_over_1": scaling >= TARGET_SCALING_3_OVER_1,
        "flow_overhead": overhead <= TARGET_FLOW_OVERHEAD,
    }
    return {
        "records": RECORDS,
        "repetitions": REPETITIONS,
        "rate_workers_1": rates["workers_1"],
        "rate_workers_3": rates["workers_3"],
        "rate_direct_post": rates["direct_post"],
        "scaling_3_over_1": round(scaling, 3),
        "robot_over_direct": round(rates["workers_1"] / rates["direct_post"], 4),
        "flow_overhead": round(overhead, 3),
        "flow_seconds_workers_1": round(_median(measured, "workers_1"), 2),
        "flow_seconds_workers_3": round(_median(measured, "workers_3"), 2),
        "robot_seconds_workers_1": round(_median(measured, "workers_1", "robot_seconds"), 2),
        "robot_seconds_per_item_workers_1": round(
            _median(measured, "workers_1", "robot_seconds") / RECORDS, 3
        ),
        "direct_post_seconds": round(_median(measured, "direct_post"), 2),
        # Every process of the machine (Chromium, Playwright's driver, Python, the sandbox,
        # Prefect) per item, one worker; the most any number of workers can reach on this
        # machine is cpu_count ÷ that, so scaling_3_over_1 cannot pass scaling_ceiling_on_cpu.
        "cpu_seconds_per_item_workers_1": round(cpu_per_item, 3) if cpu_per_item else None,
        "scaling_ceiling_on_cpu": round(cores / cpu_per_item / rates["workers_1"], 3)
        if cpu_per_item
        else None,
        "business_session_limit": session_limits()["business-system"],
        "cpu_count": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "targets": {
            "rate_workers_1": f">= {TARGET_RATE_WORKERS_1}",
            "scaling_3_over_1": f">= {TARGET_SCALING_3_OVER_1} (on 2 cores)",
            "flow_overhead": f"<= {TARGET_FLOW_OVERHEAD}",
        },
        "passed": passed,
        "within_targets": all(passed.values()),
        "runs": [asdict(m) for m in measured],
    }


if __name__ == "__main__":
    _child_main(Path(sys.argv[1]))
