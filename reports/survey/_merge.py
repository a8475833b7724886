"""Merging surveyed candidates into ``inventory.yaml``, line by line.

The register is edited as text, never re-dumped, so its comments, blank lines, key order and
the layout of every entry not touched stay byte for byte. For each candidate:

* an existing 候補 with the same id — or, failing that, with the same 課 and 業務名 (NFKC,
  spaces and case ignored; its id is kept) — is **updated**: its block, from its ``-`` line to
  its last line of content, is replaced. What the survey does not ask is kept: the
  実現可能性 the RPA team judged, and a データ区分 other than 個人番号を含む (the survey only asks
  about 個人番号). An entry already equal to the merged one is **unchanged** (not rewritten);
* an id that belongs to a scenario is **skipped** (left as it is, and reported);
* any other is **added** at the end of the ``candidates:`` section (made if missing).

Every string is written double-quoted with YAML escapes, so a name holding ``:``, ``#``, a
quote or a line break reads back as written. The result is validated with
:func:`core.inventory.load_inventory` before it replaces the file (a temporary file in the
same folder, renamed over it, with the file's mode); nothing is written if it fails, or with
``dry_run``.
"""

from __future__ import annotations

import enum
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

from core.errors import ConfigError
from core.inventory import Candidate, DataClass, Inventory, InventoryError, load_inventory
from reports.survey._values import match_key

__all__ = ["MergeResult", "merge_candidates", "render_candidate"]

# Characters written as escapes inside a double-quoted scalar: everything PyYAML's reader
# refuses, YAML's line breaks, and the two that end or escape the scalar.
_ESCAPE: Final = re.compile(
    '[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|["\\\\]'
)
_NAMED: Final = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_EMPTY_SECTION: Final = re.compile(
    r"^candidates:([ \t]*(?:\[[ \t]*\]|~|null|Null|NULL))?[ \t]*(#.*)?$"
)


@dataclass(frozen=True)
class MergeResult:
    """Ids added, updated (an existing entry's id), unchanged, and skipped (the id is a
    scenario's), in the order of the candidates given; ``written`` is False for a dry run."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    written: bool = False


@dataclass(frozen=True)
class _Section:
    key_line: int | None  # the ``candidates:`` line (None: no section)
    items: list[tuple[int, int]]  # each entry: first and last line (0-based, inclusive)
    end: int  # the line after the section's last line of content
    indent: int  # the column of the entries' ``-``
    empty_value: bool  # ``candidates:`` with no entries (null or ``[]``)


def merge_candidates(
    inventory_path: str | Path, candidates: Iterable[Candidate], *, dry_run: bool = False
) -> MergeResult:
    """Add or update ``candidates`` as 候補 in the register at ``inventory_path``.

    Returns what changed (see the module docstring). A register with no entry yet (only
    ``candidates: []``) is merged into. Raises
    :class:`~core.inventory.InventoryError` if the register is invalid before, or would be
    after (e.g. more than 1,000 candidates), and ConfigError if its ``candidates`` are written
    in a one-line ``[…]`` form that cannot be edited line by line.
    """
    path = Path(inventory_path)
    inventory = _existing(path)
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    section = _section(path, text, lines)
    scenarios = {s.id for s in inventory.scenarios}
    existing = list(inventory.candidates)
    by_id = {c.id: i for i, c in enumerate(existing)}
    by_task = {(match_key(c.department), match_key(c.name)): i for i, c in enumerate(existing)}
    result = MergeResult(written=not dry_run)
    replaced: dict[int, Candidate] = {}
    appended: list[Candidate] = []
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.id in seen:
            continue
        seen.add(candidate.id)
        if candidate.id in scenarios:
            result.skipped.append(candidate.id)
            continue
        index = by_id.get(candidate.id)
        if index is None:
            index = by_task.get((match_key(candidate.department), match_key(candidate.name)))
        if index is None or index in replaced:
            appended.append(candidate)
            result.added.append(candidate.id)
            continue
        merged = _merged(existing[index], candidate)
        if merged == existing[index]:
            result.unchanged.append(merged.id)
        else:
            replaced[index] = merged
            result.updated.append(merged.id)
    if not replaced and not appended:
        return MergeResult(unchanged=result.unchanged, skipped=result.skipped, written=False)
    new_text = bom + _edit(lines, section, replaced, appended, newline)
    _write_checked(path, new_text, dry_run=dry_run)
    return result


def _existing(path: Path) -> Inventory:
    """The register as it is; one with no entry yet (``candidates: []``) counts as empty."""
    try:
        return load_inventory(path)
    except InventoryError as exc:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            raise exc from None
        if data is None or (
            isinstance(data, dict)
            and set(data) <= {"scenarios", "candidates"}
            and not data.get("scenarios")
            and not data.get("candidates")
        ):
            return Inventory()
        raise


def render_candidate(candidate: Candidate, *, indent: int = 2, newline: str = "\n") -> str:
    """One ``- id: …`` block of ``candidates:``, every string double-quoted."""
    pad = " " * indent
    lines: list[str] = []
    for name in Candidate.model_fields:
        value = getattr(candidate, name)
        if value is None or (name == "notes" and not value):
            continue
        prefix = f"{pad}- " if not lines else f"{pad}  "
        lines.append(f"{prefix}{name}: {_scalar(name, value)}{newline}")
    return "".join(lines)


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, enum.Enum):
        return str(value.value)  # one of the model's fixed Japanese words, safe unquoted
    if name == "id":
        return str(value)  # kebab-case ASCII, checked by the model
    return '"' + _ESCAPE.sub(_escape, str(value)) + '"'


def _escape(found: re.Match[str]) -> str:
    char = found.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def _merged(old: Candidate, new: Candidate) -> Candidate:
    data = new.model_dump()
    data["id"] = old.id
    if new.feasibility is None:
        data["feasibility"] = old.feasibility
    if new.data_classification is None and old.data_classification not in (
        None,
        DataClass.MY_NUMBER,
    ):
        data["data_classification"] = old.data_classification
    return Candidate.model_validate(data)


def _section(path: Path, text: str, lines: list[str]) -> _Section:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise ConfigError(f"{path}: the inventory must be a block mapping to be merged into")
    keys = [(key, value) for key, value in root.value if isinstance(key, yaml.ScalarNode)]
    for position, (key, value) in enumerate(keys):
        if key.value != "candidates":
            continue
        following = keys[position + 1][0].start_mark.line if position + 1 < len(keys) else None
        end = _content_end(lines, following if following is not None else len(lines))
        if isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
            starts = [_dash_line(lines, item.start_mark.line) for item in value.value]
            bounds = [*starts[1:], end]
            items = [(s, _content_end(lines, b) - 1) for s, b in zip(starts, bounds, strict=True)]
            indent = lines[starts[0]].index("-")
            return _Section(key.start_mark.line, items, end, indent, empty_value=False)
        if _EMPTY_SECTION.match(lines[key.start_mark.line].rstrip("\r\n")):
            return _Section(key.start_mark.line, [], key.start_mark.line + 1, 2, empty_value=True)
        raise ConfigError(
            f"{path}:{key.start_mark.line + 1}: candidates is written on one line ([…]); "
            "write each entry as a block (- id: …) so the survey can be merged"
        )
    return _Section(None, [], len(lines), 2, empty_value=True)


def _dash_line(lines: list[str], line: int) -> int:
    while line > 0 and not lines[line].lstrip().startswith("-"):
        line -= 1
    return line


def _content_end(lines: list[str], end: int) -> int:
    """``end`` moved up past blank and comment lines (they belong to what follows)."""
    while end > 0 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _edit(
    lines: list[str],
    section: _Section,
    replaced: dict[int, Candidate],
    appended: list[Candidate],
    newline: str,
) -> str:
    out = list(lines)
    added = "".join(render_candidate(c, indent=section.indent, newline=newline) for c in appended)
    if section.key_line is None:
        if out and not out[-1].endswith(("\n", "\r")):
            out[-1] += newline
        return "".join(out) + f"{newline}candidates:{newline}" + added
    if section.empty_value:
        line = out[section.key_line].rstrip("\r\n")
        found = _EMPTY_SECTION.match(line)
        if found and found.group(1):  # drop the [] or null, keep the comment as it was
            line = line[: found.start(1)] + line[found.end(1) :]
        out[section.key_line] = line + newline
    elif added and not out[section.end - 1].endswith(("\n", "\r")):
        out[section.end - 1] += newline
    out.insert(section.end, added)
    # Replace from the bottom so earlier line numbers stay right.
    for index in sorted(replaced, reverse=True):
        first, last = section.items[index]
        out[first : last + 1] = [render_candidate(replaced[index], indent=section.indent,
                                                  newline=newline)]  # fmt: skip
    return "".join(out)


def _write_checked(path: Path, text: str, *, dry_run: bool) -> None:
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="jimu-merge-") as folder:
            trial = Path(folder) / path.name
            trial.write_text(text, encoding="utf-8", newline="")
            _check(trial, path)
        return
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    trial = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        _check(trial, path)
        os.chmod(trial, path.stat().st_mode & 0o7777)
        os.replace(trial, path)
    finally:
        trial.unlink(missing_ok=True)


def _check(trial: Path, path: Path) -> None:
    try:
        load_inventory(trial)
    except InventoryError as exc:
        raise InventoryError(
            [problem.replace(str(trial), str(path)) for problem in exc.problems]
        ) from exc
