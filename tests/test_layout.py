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
    "review": {"core", "ocr"},  # the form-definition screen draws and reads templates
    "reports": {"core"},
    "systems": {"core", "robots"},
    "orchestration": {"core"},
    "sandbox": {"core", "ocr", "reports", "systems"},
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


def test_only_the_settings_read_jimus_environment() -> None:
    """``JIMU_*`` variables are read through settings objects (``core.settings``, and the
    review station's and the sandbox's own), secrets by name through ``core.secrets``: a
    module reading one itself would bypass the settings' validation."""
    readers = set()
    for package in sorted(OURS):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if any(isinstance(node, ast.Constant) and isinstance(node.value, str)
                   and node.value.startswith("JIMU_") for node in ast.walk(tree)):  # fmt: skip
                readers.add(str(path.relative_to(ROOT)))
    assert readers == {"core/secrets.py", "core/settings.py", "review/_settings.py",
                       "sandbox/_settings.py"}  # fmt: skip
