"""The bar chart of the Word report, drawn by matplotlib in a Japanese font (no pyplot state)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from core.errors import ConfigError
from reports._compute import HoursReport

__all__ = ["JAPANESE_FONT", "draw_bar_chart", "draw_hours_chart", "japanese_font"]

JAPANESE_FONT = "Noto Sans CJK JP"


@lru_cache(maxsize=4)
def japanese_font(family: str = JAPANESE_FONT) -> str:
    """The path of the system font ``family`` as matplotlib knows it.

    Raises ConfigError when it is missing (Debian: ``apt-get install fonts-noto-cjk``):
    a chart in a fallback font would print every Japanese label as empty boxes.
    """
    for entry in font_manager.fontManager.ttflist:
        if entry.name == family:
            return str(entry.fname)
    # The cache may predate the font's installation: look at the system fonts themselves.
    for fname in font_manager.findSystemFonts():
        try:
            font_manager.fontManager.addfont(fname)
        except (OSError, RuntimeError, ValueError):
            continue
    for entry in font_manager.fontManager.ttflist:
        if entry.name == family:
            return str(entry.fname)
    raise ConfigError(
        f"the Japanese font {family!r} is not installed; charts need it "
        "(Debian: apt-get install fonts-noto-cjk)"
    )


def draw_hours_chart(report: HoursReport, path: str | Path, *, limit: int = 8) -> Path:
    """Draw saved vs forecast hours of the top ``limit`` scenarios as a PNG; returns the path."""
    frame = report.by_scenario
    frame = frame[(frame["done"] > 0) | (frame["forecast_hours"] > 0)].head(limit)
    names = ["\n".join(textwrap.wrap(str(n), 18)[:2]) for n in frame["name"]][::-1]
    saved = list(frame["saved_hours"])[::-1]
    forecast = list(frame["forecast_hours"])[::-1]

    def bars(axes: Axes) -> None:
        rows = range(len(names))
        axes.barh([r + 0.2 for r in rows], saved, height=0.4, label="削減時間（実績）",
                  color="#2E75B6")  # fmt: skip
        axes.barh([r - 0.2 for r in rows], forecast, height=0.4, label="予測（期間按分）",
                  color="#BDD7EE")  # fmt: skip

    return draw_bar_chart(
        path, names, bars, title=f"{report.period.label} シナリオ別 削減時間", xlabel="時間",
        empty_text="対象期間に処理はありません", row_height=0.38, margin=1.1,
    )  # fmt: skip


def draw_bar_chart(
    path: str | Path,
    names: list[str],
    bars: Callable[[Axes], None],
    *,
    title: str,
    xlabel: str,
    empty_text: str,
    row_height: float,
    margin: float,
) -> Path:
    """A horizontal bar chart in the house style, one row per name (bottom to top), saved
    as a PNG at ``path``; ``bars`` draws the bars (with their labels) on the axes.

    Raises ConfigError when the Japanese font is not installed.
    """
    family = JAPANESE_FONT
    japanese_font(family)
    figure = Figure(figsize=(6.3, row_height * max(len(names), 2) + margin), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bars(axes)
    axes.set_yticks(list(range(len(names))), names, fontfamily=family, fontsize=7)
    axes.set_xlabel(xlabel, fontfamily=family, fontsize=8)
    axes.set_title(title, fontfamily=family, fontsize=10)
    axes.tick_params(axis="x", labelsize=7)
    axes.grid(axis="x", alpha=0.3)
    axes.legend(prop={"family": family, "size": 7}, loc="lower right")
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    if not names:
        axes.text(0.5, 0.5, empty_text, ha="center", va="center", transform=axes.transAxes,
                  fontfamily=family)  # fmt: skip
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, format="png")
    return path
