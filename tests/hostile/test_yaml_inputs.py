"""Hostile YAML in front of the ``jimu`` command: one clear line naming the file, a non-zero
exit, never a traceback (RecursionError, UnicodeDecodeError, MemoryError …).

Each case runs the real command in a child process, as a clerk or a scheduler would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.yamlfile import MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "scenarios" / "paper-intake" / "template.yaml"

_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for name, previous in zip("bcdefghij", "abcdefghi", strict=True)
)

#: Hostile contents any YAML file of jimu might be given, and what the one line must say.
HOSTILE: dict[str, tuple[bytes, str]] = {
    "repeated-key": (b"name: a\nname: b\n", ":2: name: key repeated (first on line 1)"),
    "deep-nesting": (b"[" * 20_000 + b"]" * 20_000, ":1: nested deeper than 64 levels"),
    "cp932": ("名前: 太郎\n".encode("cp932"), "is not UTF-8 (byte 0 is 0x96"),
    "alias-bomb": (_BOMB.encode(), "aliases expand to more than 10,000 values"),
    "oversize": (b"a: '" + b"x" * MAX_BYTES + b"'\n", f"more than the {MAX_BYTES:,} allowed"),
}


def _jimu(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "JIMU_DATA_DIR": str(tmp_path / "data"),
        "JIMU_LEDGER_URL": f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # a FIFO or a bomb must not hang the command: fail instead
        check=False,
    )


def _one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text[-2000:]
    return lines[0]


def _inventory_check(tmp_path: Path, content: bytes) -> str:
    """The single problem ``jimu inventory check`` prints for an inventory of ``content``."""
    path = tmp_path / "inventory.yaml"
    path.write_bytes(content)
    result = _jimu(tmp_path, "inventory", "check", "--path", str(path))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert result.stderr == ""
    line = _one_line(result.stdout)
    assert line.startswith(f"{path}:"), line
    return line


def _ocr_read(tmp_path: Path, content: bytes | None) -> str:
    """The error ``jimu ocr read --template DIR`` prints for a template of ``content``
    (None: the template is a FIFO)."""
    folder = tmp_path / "form"
    folder.mkdir()
    if content is None:
        os.mkfifo(folder / "template.yaml")
    else:
        (folder / "template.yaml").write_bytes(content)
    result = _jimu(tmp_path, "ocr", "read", "--template", str(folder), str(tmp_path / "a.png"))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 2
    assert result.stdout == ""
    line = _one_line(result.stderr)
    assert line.startswith(f"jimu: error: {folder / 'template.yaml'}"), line
    return line


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_yaml_is_one_line_from_both_commands(tmp_path: Path, case: str) -> None:
    content, says = HOSTILE[case]
    assert says in _inventory_check(tmp_path, content)
    assert says in _ocr_read(tmp_path, content)


def test_a_template_sized_in_kilometres_is_refused_before_any_image_is_made(
    tmp_path: Path,
) -> None:
    text = TEMPLATE.read_text(encoding="utf-8").replace(
        "page_mm: [210, 297]", "page_mm: [2100000, 2970000]"
    )
    line = _ocr_read(tmp_path, text.encode())
    assert line.endswith(": page_mm: Value error, each side of the page must be 50–500 mm "
                         "(A4 is 210 × 297, A3 297 × 420)")


def test_a_template_that_is_a_fifo_does_not_hang(tmp_path: Path) -> None:
    assert _ocr_read(tmp_path, None).endswith("cannot read the template (not a regular file)")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "the inventory is empty: no scenarios and no candidates"),
        (
            "candidates:\n  - {id: delta-idea, name: 候補, department: 財政課, survey_year: 2026,"
            " items_per_year: 600, minutes_per_item: 10, feasibility: 中}\n".encode(),
            "lists candidates but no scenarios (add them under scenarios:) [no-scenarios]",
        ),
    ],
    ids=["empty", "candidates-only"],
)
def test_an_inventory_with_nothing_to_check_is_a_problem(
    tmp_path: Path, content: bytes, says: str
) -> None:
    assert says in _inventory_check(tmp_path, content)
