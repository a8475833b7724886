"""Sandbox settings (``JIMU_SANDBOX_*``) and the fault knobs, all off by default."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["FaultSettings", "SandboxSettings"]


class FaultSettings(BaseModel):
    """How badly a sandbox system behaves. Every knob is off by default.

    Changeable at run time on each app's ``/admin/faults`` page (or its JSON twin).
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    latency_min_ms: int = Field(default=0, ge=0, le=60_000)
    latency_max_ms: int = Field(default=0, ge=0, le=60_000)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0, description="share of HTTP 500 pages")
    busy_rate: float = Field(
        default=0.0, ge=0.0, le=1.0, description="share of 「ただいま混み合っています」 pages (503)"
    )
    session_expiry_requests: int = Field(
        default=0, ge=0, description="a session ends after this many requests (0: never)"
    )
    idle_timeout_seconds: int = Field(
        default=900, ge=1, description="a session ends after this long without a request"
    )
    modal_rate: float = Field(
        default=0.0, ge=0.0, le=1.0, description="share of menu visits showing the お知らせ modal"
    )
    seed: int | None = Field(default=None, description="seed the fault dice for repeatable runs")

    @model_validator(mode="after")
    def _latency_range(self) -> FaultSettings:
        if self.latency_max_ms < self.latency_min_ms:
            raise ValueError("latency_max_ms must be ≥ latency_min_ms")
        return self


class SandboxSettings(BaseSettings):
    """Where the sandbox systems listen and how they misbehave.

    Nested fault knobs read from e.g. ``JIMU_SANDBOX_FAULTS__ERROR_RATE=0.1``.
    """

    model_config = SettingsConfigDict(
        env_prefix="JIMU_SANDBOX_", env_nested_delimiter="__", extra="ignore"
    )

    host: str = "127.0.0.1"
    portal_port: int = Field(default=8101, ge=0, le=65535)
    business_port: int = Field(default=8102, ge=0, le=65535)
    # Not 8103: that is the review station's (``jimu serve``, ``jimu review serve``).
    legacy_port: int = Field(default=8104, ge=0, le=65535)
    faults: FaultSettings = Field(default_factory=FaultSettings)
