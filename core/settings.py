"""Settings, read from ``JIMU_*`` environment variables (and ``.env``).

The one place jimu reads its environment (secrets aside: ``core.secrets`` reads
``JIMU_SECRET_<NAME>`` by name, so that no secret sits in a settings object or its repr).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "environment_for", "get_settings", "use_data_dir"]


_REPO = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Process-wide settings. Every path lives under one data folder, ``data_dir``."""

    model_config = SettingsConfigDict(env_prefix="JIMU_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("./var"), description="Where jimu keeps all its state.")
    ledger_url: str | None = Field(
        default=None,
        repr=False,  # a PostgreSQL URL may carry a password
        description="The ledger's database (SQLAlchemy URL); default: an owner-only "
        "ledger.sqlite3 in the data folder.",
    )
    log_level: str = "INFO"
    chromium_path: Path = Path("/usr/bin/chromium")
    chromium_headless_path: Path = Field(
        default=Path("/usr/bin/chromium-headless-shell"),
        description="The lighter headless-only Chromium, used when headless if installed.",
    )
    headless: bool = True
    personal_fields: list[str] = Field(
        default_factory=lambda: [
            "my_number",
            "name",
            "name_kana",
            "address",
            "birth_date",
            "phone",
            "account_number",
            "account_holder",
            "個人番号",
            "氏名",
            "フリガナ",
            "住所",
            "生年月日",
            "電話番号",
            "口座番号",
            "口座名義",
        ],
        description="Keys whose values are masked in logs wherever they appear as key=value.",
    )
    scenarios_dir: Path = Field(
        default=_REPO / "scenarios", description="One folder per scenario (scenario.yaml …)."
    )
    systems_dir: Path = Field(
        default=_REPO / "systems", description="One folder per target system (system.yaml)."
    )
    mnist_dir: Path = Field(
        default=_REPO.parent / "shared" / "data" / "mnist",
        description="Real handwritten digits (MNIST IDX files) for samples and benchmarks; "
        "fonts stand in when the folder is absent.",
    )
    ocr_threads: int = Field(
        default=2,
        ge=1,
        le=256,
        description="onnxruntime threads per PP-OCR model in a reading process; a pool of "
        "reading processes (calibration, the benchmark) gives each its share of the cores.",
    )
    retention_days: int = Field(
        default=90,
        ge=1,
        le=36_500,  # a century: more is a typo (and a cutoff before year 1 would overflow)
        description="How long stores of personal data keep it.",
    )

    def path(self, *parts: str) -> Path:
        """A path inside the data folder, with its parent folder created owner-only."""
        target = self.data_dir.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return target


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (read once; call ``get_settings.cache_clear()`` to re-read)."""
    return Settings()


def environment_for(data_dir: Path) -> dict[str, str]:
    """The variables that give a child process ``data_dir`` as its data folder."""
    return {"JIMU_DATA_DIR": str(data_dir)}


def use_data_dir(data_dir: Path) -> Settings:
    """Point this process, and the processes it starts, at ``data_dir`` with the ledger in
    it (``jimu demo`` keeps its state apart this way); returns the new settings."""
    os.environ.update(environment_for(data_dir))
    os.environ.pop("JIMU_LEDGER_URL", None)
    get_settings.cache_clear()
    return get_settings()
