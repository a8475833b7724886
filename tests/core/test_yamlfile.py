"""The strict YAML loader: every file jimu reads refuses what PyYAML would quietly accept.

Each refusal is a YamlError (a ConfigError) of one line naming the file and the line, never
a RecursionError, UnicodeDecodeError or MemoryError traceback.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.scenario import load_scenario
from core.systems import load_system
from core.yamlfile import MAX_ALIAS_NODES, MAX_BYTES, MAX_DEPTH, YamlError, load_yaml

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, text: str | bytes, name: str = "data.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _refused(path: Path) -> str:
    with pytest.raises(YamlError) as caught:
        load_yaml(path)
    assert isinstance(caught.value, ConfigError)
    assert len(caught.value.problems) == 1, caught.value.problems
    (line,) = caught.value.message.splitlines()
    return line


def test_every_yaml_file_in_the_repository_passes_the_strict_loader() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "*.yaml", "*.yml"], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout.split()
    assert "scenarios/paper-intake/template.yaml" in listed
    for name in listed:
        data, _ = load_yaml(ROOT / name)
        assert isinstance(data, dict), name


def test_a_key_written_twice_at_the_top_level_names_file_line_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: a\ntitle: b\nname: c\n")
    assert _refused(path) == (
        f"{path}:3: name: key repeated (first on line 1); a key may appear only once"
    )


def test_a_key_written_twice_deep_inside_names_its_whole_path(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "fields:\n  - name: a\n    box:\n      x_mm: 1\n      y_mm: 2\n      x_mm: 3\n",
    )
    assert _refused(path).startswith(
        f"{path}:6: fields[0].box.x_mm: key repeated (first on line 4)"
    )


def test_every_repeated_key_is_listed_in_file_order(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: 1\nb: {c: 1, c: 2}\na: 3\n")
    with pytest.raises(YamlError) as caught:
        load_yaml(path)
    assert [p.split(": key repeated")[0] for p in caught.value.problems] == [
        f"{path}:2: b.c",
        f"{path}:3: a",
    ]


def test_keys_that_load_as_the_same_value_are_one_key(tmp_path: Path) -> None:
    # YAML 1.1 reads both as True: the second would overwrite the first.
    path = _write(tmp_path, "yes: 1\ntrue: 2\n")
    assert ":2: True: key repeated" in _refused(path)


def test_a_merged_mapping_may_still_be_overridden(tmp_path: Path) -> None:
    path = _write(tmp_path, "base: &base {x: 1, y: 2}\nthing:\n  <<: *base\n  x: 3\n")
    data, _ = load_yaml(path)
    assert data["thing"] == {"x": 3, "y": 2}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 20_000 + "]" * 20_000,  # flow style
        "- " * 20_000 + "x\n",  # block style
        "a: " + "{b: " * 20_000 + "1" + "}" * 20_000 + "\n",
    ],
    ids=["flow", "block", "mappings"],
)
def test_20000_levels_of_nesting_is_one_line_not_a_recursion_error(
    tmp_path: Path, text: str
) -> None:
    path = _write(tmp_path, text)
    assert _refused(path) == f"{path}:1: nested deeper than {MAX_DEPTH} levels"


def test_nesting_up_to_the_limit_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    data, _ = load_yaml(path)
    for _ in range(MAX_DEPTH - 1):
        (data,) = data
    assert data == []


def test_a_cp932_file_says_where_and_to_save_it_as_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: paper-intake\ntitle: 児童手当認定請求書\n".encode("cp932"))
    offset = len(b"name: paper-intake\ntitle: ")
    assert _refused(path) == (
        f"{path}:2: the file is not UTF-8 (byte {offset} is 0x8e, it looks like Shift_JIS "
        "(CP932)); save it as UTF-8"
    )


def test_a_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: a\n".encode("utf-16"))
    assert "it looks like UTF-16); save it as UTF-8" in _refused(path)


def test_a_utf8_file_with_a_bom_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffname: 児童手当\n")
    assert load_yaml(path)[0] == {"name": "児童手当"}


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes: '" + "x" * MAX_BYTES + "'\n")
    size = path.stat().st_size
    assert _refused(path) == (
        f"{path}: the file is {size:,} bytes, more than the {MAX_BYTES:,} allowed"
    )


def test_a_billion_laughs_is_refused(tmp_path: Path) -> None:
    rows = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for name, previous in zip("bcdefghij", "abcdefghi", strict=True):
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    path = _write(tmp_path, "\n".join(rows) + "\n")
    line = _refused(path)
    assert line.startswith(f"{path}:")
    assert f"aliases expand to more than {MAX_ALIAS_NODES:,} values" in line


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: &loop\n  - *loop\n")
    assert _refused(path) == f"{path}:2: alias *loop is inside the value it names (endless)"


def test_aliases_cannot_stack_nesting_past_the_limit(tmp_path: Path) -> None:
    half = MAX_DEPTH // 2 + 1
    path = _write(tmp_path, "a: &a " + "[" * half + "]" * half + "\nb: " + "[" * half + "*a"
                  + "]" * half + "\n")
    assert f"nested deeper than {MAX_DEPTH} levels (through alias *a)" in _refused(path)


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    path = _write(tmp_path, "base: &pool {name: jimu}\none: {pool: *pool}\ntwo: {pool: *pool}\n")
    data, _ = load_yaml(path)
    assert data["two"]["pool"] == {"name": "jimu"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("measured_on: 2026-13-45\n", "not valid YAML: month must be in 1..12"),
        ("n: " + "9" * 5000 + "\n", "not valid YAML: Exceeds the limit (4300 digits)"),
        ("a: !!python/object/apply:os.system [ls]\n", "could not determine a constructor"),
        ("a: [1, 2\n", "not valid YAML: expected ',' or ']'"),
        ("a: 1\n---\nb: 2\n", "not valid YAML: but found another document"),
        ("a: \x00\n", "not valid YAML: character #x0000 is not allowed"),
    ],
    ids=["impossible-date", "huge-int", "python-tag", "unclosed", "two-documents", "nul"],
)
def test_other_bad_yaml_is_one_line_with_its_line(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = _write(tmp_path, text)
    line = _refused(path)
    assert line.startswith(f"{path}:"), line
    assert problem in line


def test_a_fifo_or_folder_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "template.yaml"
    os.mkfifo(fifo)  # open() without O_NONBLOCK would wait for a writer forever

    def unblock() -> None:  # so that a regression fails this test instead of hanging it
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    timer = threading.Timer(5, unblock)
    timer.start()
    try:
        assert _refused(fifo) == f"{fifo}: cannot read the file (not a regular file)"
    finally:
        timer.cancel()
    assert _refused(tmp_path) == f"{tmp_path}: cannot read the file (not a regular file)"


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert _refused(path) == f"{path}: cannot read the file (No such file or directory)"


def test_a_system_with_two_urls_is_refused(tmp_path: Path) -> None:
    # Last-one-wins would send the business system's login (and password) to the second URL.
    folder = tmp_path / "business_system"
    folder.mkdir()
    text = (ROOT / "systems/business_system/system.yaml").read_text(encoding="utf-8")
    first = "url: http://127.0.0.1:8102\n"
    assert first in text
    text = text.replace(first, first + "url: http://attacker.example/login\n")
    (folder / "system.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(YamlError) as caught:
        load_system("business-system", root=tmp_path)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "attacker" in row)
    assert caught.value.message == (
        f"{folder / 'system.yaml'}:{line}: url: key repeated "
        f"(first on line {line - 1}); a key may appear only once"
    )


def test_a_scenario_asking_for_a_thousand_workers_names_the_key(tmp_path: Path) -> None:
    folder = tmp_path / "paper-intake"
    folder.mkdir()
    text = (ROOT / "scenarios/paper-intake/scenario.yaml").read_text(encoding="utf-8")
    text = text.replace("  workers: 1\n", "  workers: 1000\n")
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(YamlError) as caught:
        load_scenario("paper-intake", root=tmp_path)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "workers: 1000" in row)
    assert caught.value.message == (
        f"{folder / 'scenario.yaml'}:{line}: robot.workers: "
        "Input should be less than or equal to 8"
    )
