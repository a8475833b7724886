"""One call from the inventory and the ledger to the workbook and the document."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from core.inventory import Inventory, load_inventory
from core.ledger import Ledger
from core.settings import get_settings
from reports._compute import HoursReport, compute_hours
from reports._excel import write_workbook
from reports._period import Period
from reports._text import report_markdown
from reports._word import write_document

__all__ = ["ReportFiles", "build_report"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`build_report` wrote, and the figures it wrote."""

    workbook: Path
    document: Path
    report: HoursReport

    @property
    def markdown(self) -> str:
        """A markdown summary of the figures (for a Prefect artifact)."""
        return report_markdown(self.report, files=(self.workbook.name, self.document.name))


def build_report(
    *,
    period: Period,
    out_dir: str | Path | None = None,
    inventory: Inventory | str | Path = "inventory.yaml",
    ledger: Ledger | str | None = None,
) -> ReportFiles:
    """Compute the hours saved over ``period`` and write ``hours-report-<period>.xlsx/.docx``
    into ``out_dir`` (default: ``reports/`` under the data folder).

    ``inventory`` is a loaded Inventory or the path of ``inventory.yaml``; ``ledger`` a
    Ledger, a database URL, or None for the default ledger. Raises ConfigError for a wrong
    inventory, an unusable ledger URL or a missing Japanese font.
    """
    if not isinstance(inventory, Inventory):
        inventory = load_inventory(inventory)
    if not isinstance(ledger, Ledger):
        ledger = Ledger(ledger)
    report = compute_hours(ledger.engine, inventory, period)
    out = Path(out_dir) if out_dir is not None else get_settings().data_dir / "reports"
    workbook = write_workbook(report, out / f"hours-report-{period.slug}.xlsx")
    document = write_document(report, out / f"hours-report-{period.slug}.docx")
    log.info(
        "hours report %s: %d items done, %.1f hours saved",
        period.slug,
        report.summary.done,
        report.summary.saved_hours,
    )
    return ReportFiles(workbook=workbook, document=document, report=report)
