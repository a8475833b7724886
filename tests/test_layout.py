"""The layout shows the architecture: imports point one way, and only the orchestration side
(flows/, orchestration/ and the command line that starts them) imports Prefect."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"cli", "core", "flows", "ocr", "orchestration", "reports", "review", "robots",
        "sandbox", "systems"}  # fmt: skip
ALLOWED = {
    "core": {"core"},
    "ocr": {"core"},
    "robots": {"core"},
    "review": {"core"},
    "reports": {"core"},
    "systems": {"core", "robots"},
    "orchestration": {"core"},
    "sandbox": {"core", "ocr", "systems"},
    "flows": {"core", "ocr", "robots", "review", "reports", "orchestration"},
    "cli": OURS,
}
PREFECT_ALLOWED = {"flows", "orchestration", "cli"}


def _imports(package: str) -> dict[str, set[str]]:
    """Top-level names each module of ``package`` imports (lazy imports included)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package: str) -> None:
    wrong = {
        module: sorted((names & OURS) - ALLOWED[package] - {package})
        for module, names in _imports(package).items()
        if (names & OURS) - ALLOWED[package] - {package}
    }
    assert wrong == {}


@pytest.mark.parametrize("package", sorted(ALLOWED.keys() - PREFECT_ALLOWED))
def test_only_the_orchestration_side_imports_prefect(package: str) -> None:
    assert [m for m, names in _imports(package).items() if "prefect" in names] == []
