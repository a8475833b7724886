"""Table-to-form, side by side: a declared scenario (``steps.yaml``) vs an expert's Python robot
vs direct HTTP POSTs, registering the same kind of rows into the sandbox's 資格管理システム.

An item is one row of a workbook (受付番号, 個人番号, 氏名, 氏名カナ, 性別, 生年月日, 郵便番号,
住所, 資格取得日, 取得事由; made-up people from ``FakePeople(seed=SEED)``, 郵便番号 100-0001,
which has one area, so the pop-up's 「選択」 is unique) registered exactly once: 被保険者検索 by
個人番号 first, and only if the screen says 該当する被保険者はいません, 資格取得届 登録 with the
住所検索 pop-up and the ``confirm()``, then the 被保険者番号 read from the answer.

Three ways, on one sandbox (``jimu sandbox up`` in its own process, never a thread of the
robots' process: its uvicorn would share their GIL), each with new rows every time:

- ``rate_yaml``: the scenario as ``jimu new ID --from table-to-form`` writes it (its
  ``steps.yaml`` unchanged, in a temporary scenarios folder), run by the real flow:
  ``flows.table_to_form.table_to_form(scenario=…, target_url=…, source=…)`` with 1 worker, on
  Prefect's embedded server, the ledger, the work items, the session limit, a new tab per
  item, the result workbook and the artifact. The flow's first row logs in (and the flow
  launches Chromium before it); the rate is over the ``ITEMS`` rows after it: ``ITEMS`` ÷ (the
  ledger's ``finished_at`` of the last row − that of the first row). The flow's whole wall
  time is reported beside it (``rate_yaml_flow_wall``: launch, login, workbooks, artifact).
- ``rate_python``: a hand-written Playwright robot (:class:`ExpertRobot`), as an expert would
  write it for this one system: CSS selectors by input name, real clicks that wait for each
  navigation of the frame they load, the search first (once per row), the pop-up opened and
  its 「選択」 clicked, the ``confirm()`` accepted, the 被保険者番号 read. One tab, logged in
  once before the timed rows (the same Chromium, flags and locale as the flow's robots).
- ``rate_direct_post``: the same by httpx with the session cookie, CP932 form bodies: POST
  検索 then POST 登録 (the pop-up only fills a box in the browser, so no request for it):
  the system's ceiling for one session.

Every way is warmed up with ``WARM_UP`` rows first (not counted; for the YAML way a whole flow
run, which also starts Prefect's embedded server), then measured on ``ITEMS`` rows, in
``ROUNDS`` rounds whose order alternates; a rate is all the round's items ÷ all their seconds.
At the end the benchmark checks, through the sandbox's read-only inspection, that every row
of every way was registered exactly once (one 被保険者番号 per 個人番号, no duplicates, the
robots' numbers the system's), and raises otherwise.

CPU: ``cpu_seconds_per_item_*`` is the CPU of the measuring process and all its descendants
(Playwright's driver, Chromium and its renderer, Prefect's embedded server; the sandbox's
process excluded) over the timed rows, from ``/proc``: read at both ends of the Python and
direct phases, and for the flow (whose ends the ledger tells afterwards) interpolated between
samples a thread takes every ``SAMPLE_SECONDS`` through every way alike.
``machine_cpu_seconds_per_item_*`` is the whole machine's busy time (the sandbox too, and
whatever else runs).

Noise: on a shared 2-core machine (1-minute load 2–6 from other work) one round's ratio moved
between 0.73 and 1.15 while the pooled figure stayed within 0.91–0.96 over three runs; each
phase keeps its ``load_1min_before`` and ``ratio_yaml_to_python_by_round`` shows the spread.

Target: ``rate_yaml`` ≥ ``TARGET_RATIO`` × ``rate_python``. ``JIMU_TABLE_TO_FORM_BENCH_ITEMS``
changes ``ITEMS`` for a quick look; the figures of record use the default.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ITEMS = int(os.environ.get("JIMU_TABLE_TO_FORM_BENCH_ITEMS", 30))
WARM_UP = 2
ROUNDS = 2
SEED = 43
TARGET_RATIO = 0.9
SAMPLE_SECONDS = 0.25

_ROOT = Path(__file__).resolve().parents[1]
_JIMU = Path(sys.executable).parent / "jimu"
_SCENARIO = "bench-table-to-form"
_SYSTEM = "kokuho-system"
_SECRET = "sandbox-legacy-password"
_HEADER = ("受付番号", "個人番号", "氏名", "氏名カナ", "性別", "生年月日", "郵便番号", "住所",
           "資格取得日", "取得事由")  # fmt: skip
_REASONS = ("社会保険離脱", "転入", "出生", "その他")
_NONE_FOUND = "該当する被保険者はいません"
_INSURED_NO = re.compile(r"<th>被保険者番号</th><td>([^<]+)</td>")
_WAYS = ("yaml", "python", "direct_post")


# -- the rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One 資格取得届 as the workbook holds it (dates as 和暦 text, kana 全角)."""

    key: str
    my_number: str
    name: str
    name_kana: str
    sex: str
    birth_date: date
    postal_code: str
    address: str
    acquired_on: date
    reason: str


class RowMaker:
    """New made-up rows on demand, never a 個人番号 twice (one ``FakePeople`` for the run)."""

    def __init__(self, seed: int) -> None:
        from sandbox.fake_people import FakePeople

        self._people = FakePeople(seed=seed)
        self._rng = random.Random(seed)
        self._made = 0

    def rows(self, prefix: str, count: int) -> list[Row]:
        made: list[Row] = []
        today = date.today()
        for _ in range(count):
            self._made += 1
            person = self._people.applicant()
            block, lot = self._rng.randint(1, 9), self._rng.randint(1, 30)
            days_ago = self._rng.randint(0, 300)
            made.append(
                Row(
                    key=f"{prefix}{self._made:05d}",
                    my_number=person.my_number,
                    name=person.name,
                    name_kana=person.name_kana,
                    sex=person.gender,
                    birth_date=person.birth_date,
                    postal_code="1000001",
                    address=f"東京都千代田区千代田{block}－{lot}",
                    acquired_on=max(person.birth_date, today - timedelta(days=days_ago)),
                    reason=self._rng.choice(_REASONS),
                )
            )
        return made


def _write_workbook(path: Path, rows: list[Row]) -> Path:
    """The rows as the kit's sample workbook lays them out (sheet 取得届, text cells)."""
    from openpyxl import Workbook

    from core.wareki import format_wareki

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "取得届"
    sheet.append(_HEADER)
    for row in rows:
        sheet.append([row.key, row.my_number, row.name, row.name_kana, row.sex,
                      format_wareki(row.birth_date, gannen=False), row.postal_code, row.address,
                      format_wareki(row.acquired_on, gannen=False), row.reason])  # fmt: skip
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"
    workbook.save(path)
    return path


# -- CPU, from /proc -----------------------------------------------------------------------


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def _tree_cpu_seconds(root: int, excluded: set[int]) -> float:
    """CPU seconds of ``root`` and its descendants, each with its reaped children (so that a
    renderer or driver that exits keeps counting, in its parent); ``excluded`` subtrees not."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = text[text.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if pid in excluded or pid not in table:
            continue
        total += table[pid][1]
        stack += children.get(pid, [])
    return total / os.sysconf("SC_CLK_TCK")


class CpuSampler:
    """Samples (time, process-tree CPU, machine busy CPU) every ``SAMPLE_SECONDS`` in a thread;
    :meth:`at` interpolates them at any moment of the run."""

    def __init__(self, *, excluded: set[int]) -> None:
        self._excluded = excluded
        self._samples: list[tuple[float, float, float]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="cpu-sampler", daemon=True)

    def _sample(self) -> float:
        moment = time.time()
        tree = _tree_cpu_seconds(os.getpid(), self._excluded)
        with self._lock:
            self._samples.append((moment, tree, _machine_busy_seconds()))
        return moment

    def mark(self) -> float:
        """Sample now (a phase's start or end seen in this process); the moment."""
        return self._sample()

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def __enter__(self) -> CpuSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def at(self, moment: float) -> tuple[float, float]:
        """(tree, machine) CPU seconds at ``moment`` (epoch seconds), interpolated."""
        with self._lock:
            samples = sorted(self._samples)
        times = [s[0] for s in samples]
        i = min(max(bisect_left(times, moment), 1), len(samples) - 1)
        (t0, a0, b0), (t1, a1, b1) = samples[i - 1], samples[i]
        share = 0.0 if t1 == t0 else min(max((moment - t0) / (t1 - t0), 0.0), 1.0)
        return a0 + (a1 - a0) * share, b0 + (b1 - b0) * share

    def between(self, start: float, end: float) -> tuple[float, float]:
        """(tree, machine) CPU seconds spent from ``start`` to ``end``."""
        (a0, b0), (a1, b1) = self.at(start), self.at(end)
        return a1 - a0, b1 - b0


# -- the sandbox, in its own process -------------------------------------------------------


@contextlib.contextmanager
def _sandbox(data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``jimu sandbox up`` on free ports over ``data_dir``; (the 資格管理システム's URL, the
    process), stopped (SIGINT) on exit."""
    from core.net import free_port, wait_until_serving

    ports = [str(free_port()) for _ in range(3)]
    command = [str(_JIMU), "sandbox", "up", "--portal-port", ports[0],
               "--business-port", ports[1], "--legacy-port", ports[2]]  # fmt: skip
    with (data_dir.parent / "sandbox.log").open("wb") as log:
        child = subprocess.Popen(command, stdout=log, stderr=log, cwd=_ROOT)
    url = f"http://127.0.0.1:{ports[2]}"
    try:
        wait_until_serving(url, deadline=time.monotonic() + 60, process=child)
        yield url, child
    finally:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


# -- the declared scenario, through the flow -----------------------------------------------


def _new_scenario(root: Path) -> None:
    """``jimu new`` the scenario from the table-to-form kit into the temporary scenarios
    folder, against a copy of the inventory."""
    inventory = root / "inventory.yaml"
    shutil.copyfile(_ROOT / "inventory.yaml", inventory)
    command = [str(_JIMU), "new", _SCENARIO, "--from", "table-to-form", "--system", _SYSTEM,
               "--minutes-per-item", "5", "--items-per-year", "1000",
               "--inventory", str(inventory)]  # fmt: skip
    subprocess.run(command, cwd=_ROOT, check=True, stdout=subprocess.DEVNULL)


@dataclass(frozen=True)
class Phase:
    """The timed rows of one way in one round: their count, seconds and CPU seconds."""

    way: str
    round: int
    items: int
    seconds: float
    cpu_seconds: float
    machine_cpu_seconds: float
    load_1min_before: float = 0.0  # other work on the machine shows here
    wall_seconds: float | None = None  # the YAML flow's whole run, launch and workbooks included
    robot_seconds: float | None = None  # the ledger's robot seconds of the timed rows


def _flow(url: str, source: Path, rows: list[Row]) -> tuple[dict[str, Any], float]:
    """Run the flow on ``source`` (1 worker); its summary and wall seconds, after checking
    that it registered every row."""
    from flows.table_to_form import table_to_form

    started = time.perf_counter()
    summary = table_to_form(scenario=_SCENARIO, target_url=url, source=str(source), workers=1)
    wall = time.perf_counter() - started
    if summary["registered_new"] != len(rows) or summary["human_list_rows"]:
        raise RuntimeError(f"yaml: the flow's summary is {summary}")
    return summary, wall


def _yaml_round(
    root: Path, url: str, maker: RowMaker, sampler: CpuSampler, number: int
) -> tuple[Phase, list[tuple[Row, str]]]:
    warm = maker.rows("Y", WARM_UP)
    _flow(url, _write_workbook(root / f"yaml-warm-up-{number}.xlsx", warm), warm)
    rows = maker.rows("Y", ITEMS + 1)  # the first logs in: not timed
    _, wall = _flow(url, _write_workbook(root / f"yaml-{number}.xlsx", rows), rows)
    states = _states(warm + rows)
    finished = [s.finished_at.timestamp() for s in states[WARM_UP:] if s and s.finished_at]
    if len(finished) != len(rows) or finished != sorted(finished):
        raise RuntimeError("yaml: the ledger does not show every row finished, in order")
    cpu, machine = sampler.between(finished[0], finished[-1])
    robot = sum(s.robot_seconds for s in states[WARM_UP + 1 :] if s)
    phase = Phase("yaml", number, ITEMS, finished[-1] - finished[0], cpu, machine,
                  wall_seconds=wall, robot_seconds=robot)  # fmt: skip
    registered = [(row, s.target_ref or "") for row, s in zip(warm + rows, states, strict=True)]
    return phase, registered


def _states(rows: list[Row]) -> list[Any]:
    from core.ledger import Ledger

    ledger = Ledger()
    try:
        return [ledger.get(_SCENARIO, row.key) for row in rows]
    finally:
        ledger.engine.dispose()


# -- the expert's Python robot -------------------------------------------------------------


class ExpertRobot:
    """The 資格管理システム by hand, with Playwright: what an expert writes for this system.

    Selectors by input name (the screen's labels are table cells without ``<label>``),
    each click that loads a frame inside ``expect_navigation`` of that frame.
    """

    def __init__(self, page: Any, url: str, password: str) -> None:
        self.page, self.url, self._password = page, url, password

    def log_in(self) -> None:
        from sandbox import LEGACY_USER

        page = self.page
        page.goto(self.url + "/")
        page.fill("input[name=f_uid]", LEGACY_USER)
        page.fill("input[name=f_pwd]", self._password)
        with page.expect_navigation():
            page.click("input[name=btn_login]")
        self.menu = page.frame(name="menu")
        self.main = page.frame(name="main")
        if self.menu is None or self.main is None:
            raise RuntimeError("python: no menu/main frames after the login")

    def register(self, row: Row) -> str:
        """Search by 個人番号; register only if none; the new 被保険者番号."""
        from playwright.sync_api import Error as PlaywrightError

        from core.kana import to_halfwidth
        from core.text import nfkc
        from core.wareki import to_wareki

        page, menu, main = self.page, self.menu, self.main
        with main.expect_navigation():
            menu.click("a[href='/search']")
        main.fill("input[name=f_kojin]", row.my_number)
        with main.expect_navigation():
            main.click("input[name=btn_kensaku]")
        if _NONE_FOUND not in main.inner_text("body"):
            raise RuntimeError(f"python {row.key}: the search did not say none")
        with main.expect_navigation():
            menu.click("a[href='/register']")
        birth, acquired = to_wareki(row.birth_date), to_wareki(row.acquired_on)
        main.fill("input[name=f_kojin]", row.my_number)
        main.fill("input[name=f_simei]", row.name)
        main.fill("input[name=f_kana]", to_halfwidth(nfkc(row.name_kana)))
        main.check(f"input[name=f_sex][value='{'1' if row.sex == '男' else '2'}']")
        main.select_option("select[name=f_bd_g]", label=birth.era.name)
        main.fill("input[name=f_bd_y]", str(birth.year))
        main.fill("input[name=f_bd_m]", str(birth.month))
        main.fill("input[name=f_bd_d]", str(birth.day))
        main.fill("input[name=f_zip]", row.postal_code)
        with page.expect_popup() as opened:
            main.click("input[name=btn_zip]")
        popup = opened.value
        try:
            popup.click("input[value='選択']", no_wait_after=True)
        except PlaywrightError:  # it fills its opener and closes itself under the click
            if not popup.is_closed():
                raise
        if not popup.is_closed():
            popup.wait_for_event("close")
        main.fill("input[name=f_jusyo]", row.address)
        main.select_option("select[name=f_stk_g]", label=acquired.era.name)
        main.fill("input[name=f_stk_y]", str(acquired.year))
        main.fill("input[name=f_stk_m]", str(acquired.month))
        main.fill("input[name=f_stk_d]", str(acquired.day))
        main.select_option("select[name=f_jiyu]", label=row.reason)
        page.once("dialog", lambda dialog: dialog.accept())
        with main.expect_navigation():
            main.click("input[name=btn_toroku]")
        number: str = main.locator("th:text-is('被保険者番号') + td").inner_text(timeout=5_000)
        return number.strip()


def _python_round(
    url: str, maker: RowMaker, sampler: CpuSampler, number: int
) -> tuple[Phase, list[tuple[Row, str]]]:
    from playwright.sync_api import sync_playwright

    from core.secrets import get_secret
    from robots import launch_chromium

    warm, rows = maker.rows("P", WARM_UP), maker.rows("P", ITEMS)
    registered: list[tuple[Row, str]] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(locale="ja-JP")
            context.set_default_timeout(15_000)
            robot = ExpertRobot(context.new_page(), url, get_secret(_SECRET))
            robot.log_in()
            registered += [(row, robot.register(row)) for row in warm]
            started = sampler.mark()
            registered += [(row, robot.register(row)) for row in rows]
            ended = sampler.mark()
        finally:
            browser.close()
    cpu, machine = sampler.between(started, ended)
    return Phase("python", number, ITEMS, ended - started, cpu, machine), registered


# -- direct HTTP POSTs ---------------------------------------------------------------------


def _cp932_form(fields: dict[str, str]) -> dict[str, Any]:
    return {
        "content": urlencode(fields, encoding="cp932"),
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
    }


def _direct_item(client: Any, row: Row) -> str:
    from core.wareki import to_wareki
    from sandbox.legacy._validation import ERAS, REASONS

    era_code = {name: code for code, name in ERAS}
    reason_code = {name: code for code, name in REASONS}
    found = client.post("/search", **_cp932_form({"f_kojin": row.my_number}))
    if found.status_code != 200 or _NONE_FOUND not in found.content.decode("cp932"):
        raise RuntimeError(f"direct POST {row.key}: search answered HTTP {found.status_code}")
    from core.kana import to_halfwidth
    from core.text import nfkc

    birth, acquired = to_wareki(row.birth_date), to_wareki(row.acquired_on)
    form = {
        "f_kojin": row.my_number, "f_simei": row.name,
        "f_kana": to_halfwidth(nfkc(row.name_kana)), "f_sex": "1" if row.sex == "男" else "2",
        "f_bd_g": era_code[birth.era.name], "f_bd_y": str(birth.year),
        "f_bd_m": str(birth.month), "f_bd_d": str(birth.day),
        "f_zip": row.postal_code, "f_jusyo": row.address,
        "f_stk_g": era_code[acquired.era.name], "f_stk_y": str(acquired.year),
        "f_stk_m": str(acquired.month), "f_stk_d": str(acquired.day),
        "f_jiyu": reason_code[row.reason], "btn_toroku": "登録",
    }  # fmt: skip
    done = client.post("/register", **_cp932_form(form))
    match = _INSURED_NO.search(done.content.decode("cp932"))
    if done.status_code != 200 or match is None:
        raise RuntimeError(f"direct POST {row.key}: 登録 answered HTTP {done.status_code}")
    return match[1].strip()


def _direct_round(
    url: str, maker: RowMaker, sampler: CpuSampler, number: int
) -> tuple[Phase, list[tuple[Row, str]]]:
    import httpx

    from core.secrets import get_secret
    from sandbox import LEGACY_USER

    warm, rows = maker.rows("D", WARM_UP), maker.rows("D", ITEMS)
    with httpx.Client(base_url=url, timeout=30.0) as client:
        login = {"f_uid": LEGACY_USER, "f_pwd": get_secret(_SECRET), "btn_login": "ログイン"}
        answer = client.post("/login", **_cp932_form(login))
        if answer.status_code != 303 or not client.cookies:
            raise RuntimeError(f"direct POST: login answered HTTP {answer.status_code}")
        registered = [(row, _direct_item(client, row)) for row in warm]
        started = sampler.mark()
        registered += [(row, _direct_item(client, row)) for row in rows]
        ended = sampler.mark()
    cpu, machine = sampler.between(started, ended)
    return Phase("direct_post", number, ITEMS, ended - started, cpu, machine), registered


# -- the child process that measures -------------------------------------------------------


def _verify(legacy_db: Path, registered: dict[str, list[tuple[Row, str]]]) -> dict[str, Any]:
    """Raise unless every row of every way is in the system exactly once, under the number
    its way read; the counts by way."""
    from sandbox.legacy import inspect_legacy

    system = inspect_legacy(legacy_db)
    total = sum(len(rows) for rows in registered.values())
    if system.records != total or system.duplicates:
        raise RuntimeError(f"the system holds {system.records} records "
                           f"({len(system.duplicates)} duplicated), not {total}")  # fmt: skip
    for way, rows in registered.items():
        wrong = sum(1 for row, number in rows if system.insured_nos_of(row.my_number) != (number,))
        if wrong:
            raise RuntimeError(f"{way}: {wrong} rows not registered exactly once as read")
    return {
        "records_in_system": system.records,
        "duplicates_in_system": len(system.duplicates),
        "registered_once_by_way": {way: len(rows) for way, rows in registered.items()},
        "every_row_registered_exactly_once": True,
    }


def _measure(root: Path) -> dict[str, Any]:
    from orchestration._prefect_env import prepare_prefect

    prepare_prefect()
    from core.settings import get_settings
    from orchestration._concurrency import ensure_session_limits
    from sandbox import sandbox_paths

    get_settings.cache_clear()
    ensure_session_limits(update_existing=False)  # as ``jimu run`` does
    _new_scenario(root)
    maker = RowMaker(SEED)
    data_dir = get_settings().data_dir
    phases: list[Phase] = []
    registered: dict[str, list[tuple[Row, str]]] = {way: [] for way in _WAYS}
    with _sandbox(data_dir) as (url, child), CpuSampler(excluded={child.pid}) as sampler:
        for number in range(1, ROUNDS + 1):
            order = _WAYS if number % 2 else ("python", "yaml", "direct_post")
            for way in order:
                load = round(os.getloadavg()[0], 2)
                if way == "yaml":
                    phase, done = _yaml_round(root, url, maker, sampler, number)
                elif way == "python":
                    phase, done = _python_round(url, maker, sampler, number)
                else:
                    phase, done = _direct_round(url, maker, sampler, number)
                phases.append(replace(phase, load_1min_before=load))
                registered[way] += done
                print(f"round {number} {way}: {phase.items / phase.seconds:.3f} items/s",
                      flush=True)  # fmt: skip
        checked = _verify(sandbox_paths(data_dir).legacy_db, registered)
    return {"phases": [asdict(p) for p in phases], "checked": checked}


def _run_child(root: Path) -> dict[str, Any]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env |= {
        "PYTHONPATH": str(_ROOT),
        "JIMU_DATA_DIR": str(root / "data"),
        "JIMU_SCENARIOS_DIR": str(root / "scenarios"),
        "JIMU_LEDGER_URL": f"sqlite:///{root / 'ledger.sqlite3'}",
        "PREFECT_HOME": str(root / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        # The sandbox and the robots read the password (and the inspection its key) here.
        "JIMU_SECRET_SANDBOX_LEGACY_PASSWORD": secrets.token_urlsafe(12),
        "JIMU_SECRET_SANDBOX_HASH_KEY": secrets.token_urlsafe(24),
    }
    (root / "scenarios").mkdir()
    log_path = root / "child.log"
    with log_path.open("wb") as log:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.table_to_form", str(root)],
            cwd=_ROOT, env=env, stdout=log, stderr=log, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"table_to_form benchmark child failed ({done.returncode}):\n{tail}")
    measured: dict[str, Any] = json.loads((root / "measured.json").read_text(encoding="utf-8"))
    return measured


def _pooled(phases: list[Phase], way: str, field: str, round_: int | None = None) -> float:
    """The sum of ``field`` over ``way``'s phases (of round ``round_`` only, if given)."""
    return sum(
        getattr(p, field) or 0.0
        for p in phases
        if p.way == way and (round_ is None or p.round == round_)
    )


def _rate(phases: list[Phase], way: str, round_: int) -> float:
    return _pooled(phases, way, "items", round_) / _pooled(phases, way, "seconds", round_)


def run() -> dict[str, Any]:
    """Measure the three ways in a child process; the figures for table_to_form.json."""
    with tempfile.TemporaryDirectory(prefix="jimu-bench-t2f-") as tmp:
        measured = _run_child(Path(tmp))
    phases = [Phase(**row) for row in measured["phases"]]
    items = {way: _pooled(phases, way, "items") for way in _WAYS}
    seconds = {way: _pooled(phases, way, "seconds") for way in _WAYS}
    rate = {way: items[way] / seconds[way] for way in _WAYS}
    cpu = {way: _pooled(phases, way, "cpu_seconds") / items[way] for way in _WAYS}
    machine = {way: _pooled(phases, way, "machine_cpu_seconds") / items[way] for way in _WAYS}
    ratio = rate["yaml"] / rate["python"]
    flow_wall = _pooled(phases, "yaml", "wall_seconds")
    robot = _pooled(phases, "yaml", "robot_seconds")
    return {
        "items": ITEMS,
        "rounds": ROUNDS,
        "warm_up_items": WARM_UP,
        "rate_yaml": round(rate["yaml"], 3),
        "rate_python": round(rate["python"], 3),
        "rate_direct_post": round(rate["direct_post"], 3),
        "ratio_yaml_to_python": round(ratio, 3),
        "target": f"rate_yaml >= {TARGET_RATIO} * rate_python",
        "target_met": ratio >= TARGET_RATIO,
        # Per round, to show the noise of a shared 2-core machine (the pooled figure above).
        "ratio_yaml_to_python_by_round": [
            round(_rate(phases, "yaml", n) / _rate(phases, "python", n), 3)
            for n in range(1, ROUNDS + 1)
        ],
        "seconds_per_item_yaml": round(1 / rate["yaml"], 3),
        "seconds_per_item_python": round(1 / rate["python"], 3),
        "seconds_per_item_direct_post": round(1 / rate["direct_post"], 4),
        "cpu_seconds_per_item_yaml": round(cpu["yaml"], 3),
        "cpu_seconds_per_item_python": round(cpu["python"], 3),
        "cpu_seconds_per_item_direct_post": round(cpu["direct_post"], 4),
        "machine_cpu_seconds_per_item_yaml": round(machine["yaml"], 3),
        "machine_cpu_seconds_per_item_python": round(machine["python"], 3),
        "machine_cpu_seconds_per_item_direct_post": round(machine["direct_post"], 4),
        # The flow's whole run (Chromium launch, login row, result workbook, artifact) per
        # timed row, and the ledger's robot seconds per timed row (inside the item).
        "rate_yaml_flow_wall": round(items["yaml"] / flow_wall, 3),
        "robot_seconds_per_item_yaml": round(robot / items["yaml"], 3),
        "how_measured": {
            "yaml": "the real flow table_to_form(workers=1) on Prefect's embedded server, the "
            "kit's steps.yaml unchanged; timed from the ledger's finished_at of the flow's "
            "first row (which logs in) to that of its last, over the ITEMS rows after the "
            "first; a warm-up flow run of WARM_UP rows before each",
            "python": "ExpertRobot (Playwright, CSS selectors by input name, expect_navigation "
            "per frame load, one tab) logged in and warmed up on WARM_UP rows, then timed",
            "direct_post": "httpx, CP932 form bodies, the session cookie: POST /search then "
            "POST /register per row, logged in and warmed up first",
            "cpu": "/proc: this process and its descendants (driver, Chromium, Prefect's "
            "embedded server), the sandbox process excluded; read at the start and end of the "
            "python and direct_post phases, and for yaml interpolated between samples taken "
            "every SAMPLE_SECONDS; machine_cpu: /proc/stat busy time of the whole machine",
            "sandbox": "jimu sandbox up in its own process, one for the whole run",
        },
        **measured["checked"],
        "cpu_count": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "runs": [
            {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(p).items()}
            | {"rate": round(p.items / p.seconds, 3)}
            for p in phases
        ],
    }


if __name__ == "__main__":
    _root = Path(sys.argv[1])
    (_root / "measured.json").write_text(json.dumps(_measure(_root)), encoding="utf-8")
