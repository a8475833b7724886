"""Review time a page reports, bounded to what a person can spend on one step.

The station's page counts active seconds (input, not idle time) and posts them with each
step; that number comes from the browser, so it is checked here, in one place used both by
the store (the document's ``review_seconds``, the audit) and by the ledger (the hours-saved
report). One step is one page: a first review, a ベリファイ, an admin's decision or a 差戻し.
The station does not time single fields, so the bound is per step (and thus per document
and step).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["MAX_STEP_SECONDS", "StepTime", "parse_seconds", "step_time"]

# A step is one form page with at most a few dozen uncertain fields, and the page stops
# counting after ``idle_pause_seconds`` without input: half an hour of *active* input on one
# page is already far more than anyone spends. More is a broken clock or a forged form.
MAX_STEP_SECONDS = 30 * 60.0


@dataclass(frozen=True)
class StepTime:
    """The seconds one step counts (``seconds``) and what the page claimed (``claimed``)."""

    seconds: float
    claimed: float

    @property
    def clamped(self) -> bool:
        """True when the claim was not a plausible time and ``seconds`` differs from it."""
        return self.seconds != self.claimed  # a NaN claim is unequal to anything: clamped


def step_time(claimed: float) -> StepTime:
    """``claimed`` bounded to 0 … :data:`MAX_STEP_SECONDS`; NaN, ±inf and negatives count 0."""
    if not math.isfinite(claimed) or claimed < 0:
        return StepTime(seconds=0.0, claimed=claimed)
    return StepTime(seconds=min(claimed, MAX_STEP_SECONDS), claimed=claimed)


def parse_seconds(raw: str) -> float:
    """The number a page posted as ``active_seconds``; text that is no number reads as NaN
    (which :func:`step_time` counts as 0 and flags)."""
    try:
        return float(raw)
    except ValueError:
        return math.nan
