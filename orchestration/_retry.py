"""Retry policy of jimu's Prefect tasks: technical failures are retried, bad data never."""

from __future__ import annotations

from typing import Any

from core.errors import ApplicationError

__all__ = ["retry_on_application_error"]


def retry_on_application_error(_task: Any, _run: Any, state: Any) -> bool:
    """``retry_condition_fn`` for ``@task``: retry only if it failed with an ApplicationError."""
    try:
        state.result()
    except ApplicationError:
        return True
    except Exception:
        return False
    return False
