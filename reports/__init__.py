"""Hours-saved reports for management: Excel and Word, computed from the ledger.

``compute_hours`` aggregates the ledger item by item against the inventory's baselines
(see ``reports._compute`` for the method); ``write_workbook`` and ``write_document`` render
the figures; ``build_report`` does all three; ``check_inventory`` is ``jimu inventory check``;
``generate_demo_ledger`` fills a ledger with a believable, seeded year of history.
"""

from reports._build import ReportFiles, build_report
from reports._chart import draw_hours_chart, japanese_font
from reports._check import Problem, check_inventory
from reports._compute import COLUMN_LABELS, HoursReport, Summary, compute_hours
from reports._demo_data import DEMO_INVENTORY, generate_demo_ledger
from reports._excel import write_workbook
from reports._period import Period, fiscal_year_of
from reports._text import report_markdown
from reports._word import write_document

__all__ = [
    "COLUMN_LABELS",
    "DEMO_INVENTORY",
    "HoursReport",
    "Period",
    "Problem",
    "ReportFiles",
    "Summary",
    "build_report",
    "check_inventory",
    "compute_hours",
    "draw_hours_chart",
    "fiscal_year_of",
    "generate_demo_ledger",
    "japanese_font",
    "report_markdown",
    "write_document",
    "write_workbook",
]
