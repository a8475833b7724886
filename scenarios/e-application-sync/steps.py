"""e-application-sync's steps: the 電子申請システム's export of 児童手当認定請求 is read into
applications, each registered in the 業務システム and written back to the portal as 受理 with
its 受給者番号 (the framework's contract: ``flows/steps.py``)."""

from __future__ import annotations

from flows.steps import Connection
from robots import RobotWorker
from systems.business_system import BusinessSystem, ChildAllowanceApplication
from systems.e_application_portal import Portal, read_export

__all__ = [
    "read_rows",
    "record_from_json",
    "reference_label",
    "source",
    "source_system",
    "target",
    "target_system",
]

#: Where the applications come from, and where they are registered (scenario.yaml: systems).
source_system = "e-application-portal"
target_system = "business-system"
#: One row of the CSV export: 受付番号 and the application, or why the row is refused.
read_rows = read_export
record_from_json = ChildAllowanceApplication.model_validate_json
reference_label = "受給者番号"


def source(robot: RobotWorker, connection: Connection) -> Portal:
    """The portal's verbs: export, 受理 with the 受給者番号, an application's state."""
    return connection.verbs(Portal, robot)


def target(robot: RobotWorker, connection: Connection) -> BusinessSystem:
    """The 業務システム's verbs: ``ensure_registered`` searches by 個人番号 first."""
    return connection.verbs(BusinessSystem, robot)
