"""``python -m benchmarks [NAME …]``: run benchmarks and write ``benchmarks/results/*.json``."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def _available() -> list[str]:
    package = Path(__file__).parent
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(package)])
        if not info.name.startswith("_")
    )


def _print_table(name: str, result: dict[str, Any]) -> None:
    print(f"\n== {name} ==")
    width = max((len(key) for key in result), default=0)
    for key, value in result.items():
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
        print(f"  {key:<{width}}  {shown}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help=f"which to run (default all: {_available()})")
    args = parser.parse_args(argv)
    names = args.names or _available()
    unknown = sorted(set(names) - set(_available()))
    if unknown:
        print(f"benchmarks: error: unknown benchmark(s) {unknown}", file=sys.stderr)
        return 2
    RESULTS.mkdir(exist_ok=True)
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        started = time.perf_counter()
        result: dict[str, Any] = module.run()
        result["benchmark_wall_seconds"] = round(time.perf_counter() - started, 2)
        result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        # A module may name its results after what it measured (another test set, say).
        stem = module.result_name() if hasattr(module, "result_name") else name
        (RESULTS / f"{stem}.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        _print_table(name, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
