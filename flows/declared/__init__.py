"""Declared scenarios: rows of a sheet or CSV registered into a web system, described in YAML.

The data side: :func:`read_source` reads and checks the rows as a :class:`SourceSpec`
describes them, :func:`parse_expression` turns a ``fill:`` value into an
:class:`Expression` evaluated per row, and :func:`write_results` writes the result
workbook (owner-only) from each row's :class:`RowResult`.

The screen side: :func:`load_declared` reads a scenario's ``steps.yaml``
(:class:`DeclaredScenario`) and :class:`DeclaredRobot` does its steps for one row in the
browser — search first, register only if absent — or checks its screens.
"""

from __future__ import annotations

from flows.declared._expressions import FUNCTIONS, Expression, parse_expression
from flows.declared._hooks import HOOKS_FILE, Hook, load_hooks
from flows.declared._model import DeclaredScenario, Lookup, Step, load_declared, steps_path
from flows.declared._results import NOT_PROCESSED, ResultStatus, RowResult, write_results
from flows.declared._runner import DeclaredRobot, DryRunStop, ScreenProblem
from flows.declared._source import (
    ColumnSpec,
    ColumnType,
    SourceRow,
    SourceSpec,
    SourceTable,
    parse_date_text,
    read_source,
)

__all__ = [
    "FUNCTIONS",
    "HOOKS_FILE",
    "NOT_PROCESSED",
    "ColumnSpec",
    "ColumnType",
    "DeclaredRobot",
    "DeclaredScenario",
    "DryRunStop",
    "Expression",
    "Hook",
    "Lookup",
    "ResultStatus",
    "RowResult",
    "ScreenProblem",
    "SourceRow",
    "SourceSpec",
    "SourceTable",
    "Step",
    "load_declared",
    "load_hooks",
    "parse_date_text",
    "parse_expression",
    "read_source",
    "steps_path",
    "write_results",
]
