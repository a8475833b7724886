"""What the screens of the 業務システム share: the database, today's date, the date selects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import Request
from sqlalchemy import Engine

from core.wareki import format_wareki
from sandbox.business._validation import (
    ACCOUNT_TYPES,
    ERA_NAMES,
    GENDERS,
    RELATIONSHIPS,
    SPOUSE_CHOICES,
)

__all__ = ["choices", "engine_of", "form_values", "today", "wareki"]


def engine_of(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


def today() -> date:
    """The office's date (the machine's local date)."""
    return date.today()


def wareki(value: date) -> str:
    """A date as the screens show it: ``令和元年5月1日``."""
    return format_wareki(value)


def form_values(raw: Mapping[str, Any]) -> dict[str, str]:
    """The string fields of a submitted form (files and repeated keys ignored)."""
    return {key: value for key, value in raw.items() if isinstance(value, str)}


def choices() -> dict[str, Any]:
    """Options of the selects and radio groups, for the templates."""
    return {
        "eras": ERA_NAMES,
        "years": range(1, 65),
        "months": range(1, 13),
        "days": range(1, 32),
        "genders": GENDERS,
        "spouse_choices": SPOUSE_CHOICES,
        "relationships": RELATIONSHIPS,
        "account_types": ACCOUNT_TYPES,
    }
