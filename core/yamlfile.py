"""Loading YAML data files into pydantic models, with errors that name file, line and key.

Every YAML file of jimu (``inventory.yaml``, ``scenarios/*/scenario.yaml``, form templates,
``thresholds.yaml``, ``prefect.yaml``) is read by :func:`load_yaml` and validated by a model
with ``extra="forbid"``; a mistake is reported as ``path:line: key: what is wrong``, one line
per problem, as a :class:`YamlError` — never a traceback.

The loader is strict where PyYAML is lenient, because these files steer robots and hold
addresses of systems: a key written twice in one mapping is refused (PyYAML keeps the last
one, so a second ``url:`` would silently send a login elsewhere), and so are files larger than
:data:`MAX_BYTES`, not in UTF-8, nested deeper than :data:`MAX_DEPTH` (measured on the event
stream, before PyYAML's recursive composer sees it) or whose aliases expand to more than
:data:`MAX_ALIAS_NODES` values ("billion laughs").
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import ConstructorError

from core.errors import ConfigError

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "YamlError",
    "describe_errors",
    "line_of",
    "load_yaml",
    "load_yaml_model",
]

M = TypeVar("M", bound=BaseModel)

#: Largest YAML data file read (jimu's own are a few KiB; the form template is the biggest).
MAX_BYTES = 1024 * 1024
#: Deepest nesting of mappings and sequences (jimu's own files nest 5 levels at most).
MAX_DEPTH = 64
#: Most values that aliases (``*name``) may add to a file by repeating anchored ones.
MAX_ALIAS_NODES = 10_000

_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlError(ConfigError):
    """A YAML data file is unreadable or invalid; ``problems`` has one line per mistake."""

    code = "yaml-invalid"

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class _LimitError(yaml.MarkedYAMLError):
    """Valid YAML that the strict loader refuses (too deep, aliases expand too far)."""

    def __init__(self, problem: str, event: yaml.Event) -> None:
        mark: Any = event.start_mark  # the C and the Python parser's marks differ in type only
        super().__init__(problem=problem, problem_mark=mark)


@dataclass
class _Open:
    """A mapping or sequence whose end the parser has not reached yet."""

    anchor: str | None
    nodes_before: int
    level: int
    deepest: int


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that watches depth and alias expansion as events arrive.

    PyYAML's parser is iterative but its composer recurses once per nesting level, so the
    check runs in :meth:`get_event`, before the composer descends into a collection.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._open: list[_Open] = []
        self._anchored: dict[str, tuple[int, int]] = {}  # anchor → (values, levels)
        self._nodes = 0
        self._alias_nodes = 0

    def get_event(self) -> Any:
        event = super().get_event()  # type: ignore[no-untyped-call]
        self._watch(event)
        return event

    def _watch(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            level = len(self._open) + 1
            if level > MAX_DEPTH:
                raise _LimitError(f"nested deeper than {MAX_DEPTH} levels", event)
            self._open.append(_Open(event.anchor, self._nodes, level, level))
            self._nodes += 1
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            done = self._open.pop()
            if done.anchor is not None:
                self._anchored[done.anchor] = (
                    self._nodes - done.nodes_before,
                    done.deepest - done.level + 1,
                )
            self._reach(done.deepest)
        elif isinstance(event, yaml.ScalarEvent):
            self._nodes += 1
            if event.anchor is not None:
                self._anchored[event.anchor] = (1, 0)
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event)

    def _alias(self, event: yaml.AliasEvent) -> None:
        name = event.anchor or ""
        if any(entry.anchor == name for entry in self._open):
            raise _LimitError(f"alias *{name} is inside the value it names (endless)", event)
        values, levels = self._anchored.get(name, (0, 0))  # undefined: the composer says so
        self._nodes += values
        self._alias_nodes += values
        if self._alias_nodes > MAX_ALIAS_NODES:
            raise _LimitError(
                f"aliases expand to more than {MAX_ALIAS_NODES:,} values (refused: a YAML bomb?)",
                event,
            )
        depth = len(self._open) + levels
        if depth > MAX_DEPTH:
            problem = f"nested deeper than {MAX_DEPTH} levels (through alias *{name})"
            raise _LimitError(problem, event)
        self._reach(depth)

    def _reach(self, depth: int) -> None:
        if self._open:
            self._open[-1].deepest = max(self._open[-1].deepest, depth)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A scalar Python refuses (date 2026-13-45, an int of 10,000 digits) raises
        # ValueError inside PyYAML: give it the node's line like any other YAML error.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            problem = str(exc).split(";")[0]  # Python's advice on raising its limits: not ours
            raise ConstructorError(problem=problem, problem_mark=node.start_mark) from exc


def load_yaml(path: Path, *, what: str = "the file") -> tuple[Any, yaml.Node | None]:
    """The parsed data of ``path`` and its node tree (for line numbers).

    Raises :class:`YamlError` (one line per problem, each naming the file and line) if the
    file cannot be read, is larger than :data:`MAX_BYTES`, is not UTF-8, is not valid YAML,
    repeats a key within a mapping, nests deeper than :data:`MAX_DEPTH` or has aliases that
    expand to more than :data:`MAX_ALIAS_NODES` values.
    """
    text = _decode(path, _read(path, what), what)
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)  # checks every character is one YAML allows
        root = loader.get_single_node()
        if root is None:
            return None, None
        _refuse_duplicate_keys(path, loader, root)
        return loader.construct_document(root), root
    except _LimitError as exc:
        raise YamlError([f"{path}{_line(exc)}: {exc.problem}"]) from exc
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or exc.context or "syntax error"
        raise YamlError([f"{path}{_line(exc)}: not valid YAML: {problem}"]) from exc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise YamlError(
            [f"{path}:{line}: not valid YAML: character #x{exc.character:04x} is not allowed"]
        ) from exc
    except yaml.YAMLError as exc:  # nothing else is raised today; keep it to one line
        raise YamlError([f"{path}: not valid YAML: {str(exc).splitlines()[0]}"]) from exc
    finally:
        if loader is not None:
            loader.dispose()


def _line(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    return f":{mark.line + 1}" if mark else ""


def _read(path: Path, what: str) -> bytes:
    # O_NONBLOCK: a FIFO named like a YAML file must not hang jimu waiting for a writer.
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise YamlError([f"{path}: cannot read {what} ({reason})"]) from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise YamlError([f"{path}: cannot read {what} (not a regular file)"])
    with os.fdopen(fd, "rb") as file:
        raw = file.read(MAX_BYTES + 1) if info.st_size <= MAX_BYTES else b""
    size = max(info.st_size, len(raw))
    if size > MAX_BYTES:
        raise YamlError([f"{path}: {what} is {size:,} bytes, more than the {MAX_BYTES:,} allowed"])
    return raw


def _decode(path: Path, raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlError(
            [
                f"{path}:{line}: {what} is not UTF-8 (byte {exc.start} is "
                f"0x{raw[exc.start]:02x}{_guess_encoding(raw)}); save it as UTF-8"
            ]
        ) from exc


def _guess_encoding(raw: bytes) -> str:
    # Japanese offices' editors save Shift_JIS (CP932) or, from Notepad, UTF-16: say which.
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ", it looks like UTF-16"
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        return ""
    if any(ord(char) < 0x20 and char not in "\t\n\r" for char in text):
        return ""
    return ", it looks like Shift_JIS (CP932)"


def _refuse_duplicate_keys(path: Path, loader: _StrictLoader, root: yaml.Node) -> None:
    # Iterative walk (the tree is at most MAX_DEPTH deep, but a stack costs nothing); keys
    # are compared as constructed, so `1` and `0x1`, or `yes` and `true`, are one key too.
    problems: list[tuple[int, str]] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:  # an alias: already walked where its anchor is
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack += [(item, (*loc, index)) for index, item in enumerate(node.value)]
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        first: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                stack += [(key_node, loc), (value_node, loc)]
                continue
            key = loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in first:
                problems.append(
                    (
                        line,
                        f"{path}:{line}: {_dotted((*loc, str(key)))}: key repeated "
                        f"(first on line {first[key]}); a key may appear only once",
                    )
                )
            else:
                first[key] = line
            stack.append((value_node, (*loc, str(key))))
    if problems:
        raise YamlError([text for _, text in sorted(problems)])


def load_yaml_model(path: Path, model: type[M], *, what: str = "the file") -> M:
    """Read ``path`` and validate it as ``model``; :class:`YamlError` lists every problem."""
    data, root = load_yaml(path, what=what)
    if not isinstance(data, dict):
        raise YamlError([f"{path}:1: expected a mapping of keys at the top level"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise YamlError(describe_errors(path, root, exc)) from exc


def describe_errors(
    path: Path,
    root: yaml.Node | None,
    exc: ValidationError,
    *,
    label: Callable[[tuple[Any, ...]], str] | None = None,
) -> list[str]:
    """One ``path:line: key: message`` line per validation error, in file order.

    ``label(loc)`` may add words after the key, e.g. `` (id paper-intake)``.
    """
    problems: list[tuple[int, str]] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        message = error["msg"]
        if error["type"] == "missing":
            message = "required key is missing"
        elif error["type"] == "extra_forbidden":
            message = "unknown key (not in the schema)"
        line = line_of(root, loc)
        key = (_dotted(loc) or "(top level)") + (label(loc) if label else "")
        problems.append((line, f"{path}:{line}: {key}: {message}"))
    return [text for _, text in sorted(problems, key=lambda p: p[0])]


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """1-based line of the deepest node on ``loc``; a key's own line for mapping keys."""
    if root is None:
        return 1
    node: yaml.Node = root
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(
                (
                    (key, value)
                    for key, value in node.value
                    if isinstance(key, yaml.ScalarNode) and key.value == part
                ),
                None,
            )
            if match is None:
                break  # a missing key: the line of the mapping that lacks it
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            continue  # pydantic's own loc parts (union tags …) have no node
    return line
