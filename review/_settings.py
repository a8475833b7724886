"""Settings of the review station (``JIMU_REVIEW_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ReviewSettings"]


class ReviewSettings(BaseSettings):
    """Where the station listens and how long logins last.

    Set ``secure_cookies`` (``JIMU_REVIEW_SECURE_COOKIES=true``) whenever the station is
    reached over HTTPS, e.g. behind the office's reverse proxy.
    """

    model_config = SettingsConfigDict(env_prefix="JIMU_REVIEW_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8103, ge=0, le=65535)
    secure_cookies: bool = False
    session_idle_minutes: float = Field(default=30, gt=0, description="logout when idle")
    session_max_hours: float = Field(default=12, gt=0, description="logout after this long")
    idle_pause_seconds: int = Field(
        default=30, ge=5, description="review time stops counting after this long without input"
    )
    login_failures: int = Field(
        default=5, ge=1, description="failed logins per user name in 5 minutes before a pause"
    )
