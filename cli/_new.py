"""``jimu new ID --from KIND``: a new scenario's folder, ready to run against the sandbox.

``--from table-to-form`` writes ``scenarios/<id>/``: ``scenario.yaml``, ``steps.yaml`` (the
steps, by the names the screens show), ``sample.xlsx`` (three made-up rows), a test against
the sandbox, and a 開発中 entry in ``inventory.yaml``; then prints what to edit next.
``--from <scenario id>`` copies an existing scenario's folder under the new id instead.
Nothing is overwritten: an id already in use, as a folder or in the inventory, is refused.
"""

from __future__ import annotations

import argparse
import shutil
from datetime import date
from pathlib import Path
from string import Template
from typing import Any

__all__ = ["register"]

KITS = Path(__file__).parent / "kits"
_SAMPLE_HEADER = ("受付番号", "個人番号", "氏名", "氏名カナ", "性別", "生年月日", "郵便番号",
                  "住所", "資格取得日", "取得事由")  # fmt: skip
# Made-up people: names no one has, 個人番号 given valid check digits when written.
_SAMPLE_ROWS = (
    ("T0001", "10000000001", "見本　一郎", "ミホン　イチロウ", "男", "昭和55年4月1日",
     "1000001", "東京都千代田区千代田1-1", "令和8年4月1日", "社会保険離脱"),
    ("T0002", "10000000002", "見本　花子", "ミホン　ハナコ", "女", "平成2年12月24日",
     "1000001", "東京都千代田区千代田2-2", "令和8年4月1日", "転入"),
    ("T0003", "10000000003", "試験　次郎", "シケン　ジロウ", "男", "令和8年1月15日",
     "1000001", "東京都千代田区千代田3-3", "令和8年1月15日", "出生"),
)  # fmt: skip


def register(commands: Any) -> None:
    """Add ``jimu new`` to the parser."""
    new = commands.add_parser("new", help="write a new scenario's folder and inventory entry")
    new.add_argument("id", help="the new scenario's id (kebab-case ASCII, its folder's name)")
    new.add_argument("--from", dest="kind", required=True, metavar="KIND",
                     help="table-to-form, or an existing scenario's id to copy")  # fmt: skip
    new.add_argument("--name", default=None, help="名称 (default: the id)")
    new.add_argument("--department", default="DX推進課", help="担当課")
    new.add_argument("--system", default="kokuho-system", help="the target system's id")
    new.add_argument("--minutes-per-item", type=float, default=None,
                     help="measured manual minutes per item (基準時間)")  # fmt: skip
    new.add_argument("--items-per-year", type=int, default=None,
                     help="forecast items per year (予測件数)")  # fmt: skip
    new.add_argument("--inventory", type=Path, default=Path("inventory.yaml"),
                     help="the register to add it to (default: ./inventory.yaml)")  # fmt: skip
    new.set_defaults(handler=_new)


def _new(args: argparse.Namespace) -> int:
    import re

    from core.errors import ConfigError
    from core.scenario import discover_scenarios, scenarios_dir
    from core.systems import load_system

    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", args.id) or len(args.id) > 64:
        raise ConfigError(f"{args.id[:64]!r}: a scenario id is kebab-case ASCII (kokuho-shikaku)")
    if args.minutes_per_item is None or args.items_per_year is None:
        raise ConfigError(
            "--minutes-per-item and --items-per-year: the inventory records the measured "
            "manual time and the forecast before a scenario is built"
        )
    folder = scenarios_dir() / args.id
    if folder.exists():
        raise ConfigError(f"{folder} already exists: choose another id")
    if not args.inventory.is_file():
        raise ConfigError(f"{args.inventory} not found: run in the folder of your inventory.yaml "
                          "or pass --inventory")  # fmt: skip
    inventory_text = args.inventory.read_text(encoding="utf-8")
    if re.search(rf"^\s*-?\s*id:\s*{re.escape(args.id)}\s*$", inventory_text, re.MULTILINE):
        raise ConfigError(f"{args.inventory}: id {args.id!r} is already in the inventory")
    if args.kind == "table-to-form":
        system = load_system(args.system)
        names = {"id": args.id, "module": args.id.replace("-", "_"), "system": system.id,
                 "system_name": system.name, "name": args.name or args.id,
                 "department": args.department}  # fmt: skip
        _write_kit(KITS / "table-to-form", folder, names)
        _write_sample(folder / "sample.xlsx")
        targets = [system.name]
    elif args.kind in discover_scenarios():
        _copy_scenario(scenarios_dir() / args.kind, folder, old=args.kind, new=args.id)
        from core.scenario import load_scenario

        targets = [load_system(s).name for s in load_scenario(args.id).systems] or ["—"]
    else:
        kinds = ", ".join(["table-to-form", *discover_scenarios()])
        raise ConfigError(f"--from {args.kind!r}: not a kit or a scenario ({kinds})")
    try:
        _add_to_inventory(args, inventory_text, targets)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _print_next(args, folder)
    return 0


def _write_kit(kit: Path, folder: Path, names: dict[str, str]) -> None:
    for source in sorted(kit.rglob("*.tmpl")):
        relative = source.relative_to(kit).with_suffix("")
        target = folder / str(relative).replace("__module__", names["module"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(source.read_text(encoding="utf-8")).substitute(names),
                          encoding="utf-8")  # fmt: skip


def _write_sample(path: Path) -> None:
    from openpyxl import Workbook

    from core.identifiers import my_number_check_digit

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "取得届"
    sheet.append(_SAMPLE_HEADER)
    for row in _SAMPLE_ROWS:
        number = row[1] + str(my_number_check_digit(row[1]))
        sheet.append([row[0], number, *row[2:]])
    for column, width in zip("ABCDEFGHIJ", (10, 14, 14, 18, 6, 16, 10, 30, 16, 14), strict=True):
        sheet.column_dimensions[column].width = width
    workbook.save(path)


def _copy_scenario(source: Path, folder: Path, *, old: str, new: str) -> None:
    """Copy the folder; the copy's id, inbox and tests name the new scenario."""
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("__pycache__"))
    yaml = folder / "scenario.yaml"
    text = yaml.read_text(encoding="utf-8")
    text = text.replace(f"id: {old}\n", f"id: {new}\n", 1).replace(
        f"inbox/{old}\n", f"inbox/{new}\n"
    )
    yaml.write_text(text, encoding="utf-8")
    old_module, new_module = old.replace("-", "_"), new.replace("-", "_")
    for test in sorted((folder / "tests").glob("test_*.py")):
        code = test.read_text(encoding="utf-8").replace(f'"{old}"', f'"{new}"')
        test.unlink()
        renamed = test.with_name(test.name.replace(old_module, new_module))
        renamed.write_text(code, encoding="utf-8")


def _add_to_inventory(args: argparse.Namespace, text: str, targets: list[str]) -> None:
    """Insert a 開発中 entry before ``candidates:`` (or at the end); refuse what would not
    validate, leaving the file as it was."""
    from core.errors import ConfigError
    from core.inventory import load_inventory

    hours = round(args.minutes_per_item * args.items_per_year / 60, 1)
    today = date.today().isoformat()
    entry = f"""
  - id: {args.id}
    name: {_quoted(args.name or args.id)}
    department: {_quoted(args.department)}
    status: 開発中
    target_systems: [{", ".join(_quoted(t) for t in targets)}]
    data_classification: 個人番号を含む
    baseline:
      minutes_per_item: {args.minutes_per_item}
      method: jimu new で作成。計測方法を書いてください
      measured_on: {today}
      measured_by: 未記入
    forecast:
      items_per_year: {args.items_per_year}
      hours_per_year: {hours}
      made_on: {today}
"""
    marker = "\ncandidates:"
    at = text.find(marker)
    updated = (
        text.rstrip("\n") + "\n" + entry
        if at < 0
        else text[:at].rstrip("\n") + "\n" + entry + text[at:]
    )
    args.inventory.write_text(updated, encoding="utf-8")
    try:
        load_inventory(args.inventory)
    except ConfigError:
        args.inventory.write_text(text, encoding="utf-8")
        raise


def _quoted(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _print_next(args: argparse.Namespace, folder: Path) -> None:
    print(f"{args.id}: written {folder}/ and its 開発中 entry in {args.inventory}")
    if args.kind != "table-to-form":
        code = "steps.py" if (folder / "steps.py").is_file() else "steps.yaml"
        print(f"  next: edit {folder}/scenario.yaml and {code}, then `jimu run {args.id}`")
        return
    print(f"""  next:
    1. put your rows in a workbook and describe its columns under `source:` in steps.yaml
    2. `jimu inspect URL --system {args.system} --click MENU` on each screen: paste the fields
       under `fill:` and set each value (=列, =半角カナ(列), =和暦年(列) …)
    3. `jimu check {args.id}`: every field and button found on the screens
    4. `jimu run {args.id} --dry-run`: every row up to the last click, nothing registered
    5. `jimu run {args.id}`; then `jimu serve` puts it in the Prefect UI on its schedule
    test: `.venv/bin/pytest {folder}/tests` (against the sandbox)""")
