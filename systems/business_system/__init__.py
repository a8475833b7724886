"""Page objects and business verbs for the 業務システム (child-allowance business system)."""

from __future__ import annotations

from systems.business_system._verbs import BusinessSystem

__all__ = ["BusinessSystem"]
