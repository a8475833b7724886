"""Loading YAML data files into pydantic models, with errors that name file, line and key.

Every YAML file of jimu (``inventory.yaml``, ``scenarios/*/scenario.yaml``, form templates)
is data validated by a model with ``extra="forbid"``; a mistake is reported as
``path:line: key: what is wrong``, one line per problem.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from core.errors import ConfigError

__all__ = ["YamlError", "describe_errors", "line_of", "load_yaml", "load_yaml_model"]

M = TypeVar("M", bound=BaseModel)


class YamlError(ConfigError):
    """A YAML data file is unreadable or invalid; ``problems`` has one line per mistake."""

    code = "yaml-invalid"

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def load_yaml(path: Path, *, what: str = "the file") -> tuple[Any, yaml.Node | None]:
    """The parsed data of ``path`` and its node tree (for line numbers).

    Raises :class:`YamlError` naming the line of a syntax error.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlError([f"{path}: cannot read {what} ({type(exc).__name__})"]) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise YamlError([f"{path}{line}: not valid YAML: {exc.problem}"]) from exc
    return data, root


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Read ``path`` and validate it as ``model``; :class:`YamlError` lists every problem."""
    data, root = load_yaml(path)
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
