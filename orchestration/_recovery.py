"""Runs lost with their machine are run again, by Prefect itself.

A worker PC that loses power takes its flow runs with it: Prefect still shows them
"Running". Every flow run sends a heartbeat event (``PREFECT_FLOWS_HEARTBEAT_FREQUENCY``
seconds, set for jimu's workers); the automation made here watches for a heartbeat that is
followed by neither another heartbeat nor an end state within ``within_seconds``, and puts
that run back to ``AwaitingRetry`` (a Scheduled state), so any live worker of the pool picks
it up again — the same run, its ``run_count`` one higher. The flows are idempotent (ledger
claims, search-before-register), so running an item again cannot register it twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

__all__ = ["HEARTBEAT_SECONDS", "RECOVERY_AUTOMATION", "ensure_recovery_automation"]

HEARTBEAT_SECONDS = 30  # Prefect's minimum
RECOVERY_AUTOMATION = "jimu-rerun-lost-flow-runs"
_END_STATES = ("Completed", "Failed", "Cancelled", "Crashed", "Cancelling", "Paused")


def ensure_recovery_automation(*, within_seconds: float = 90.0, client: Any = None) -> str:
    """Create (or replace) the automation; returns its id. Idempotent by name."""
    from prefect import get_client
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

    if client is None:
        with get_client(sync_client=True) as own:
            return ensure_recovery_automation(within_seconds=within_seconds, client=own)
    for existing in client.read_automations_by_name(RECOVERY_AUTOMATION):
        client.delete_automation(existing.id)
    automation = AutomationCore(
        name=RECOVERY_AUTOMATION,
        description="ハートビートが途絶えたフロー実行（ワーカー停止）を再実行する",
        trigger=EventTrigger(
            match={"prefect.resource.id": "prefect.flow-run.*"},
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.heartbeat", *(f"prefect.flow-run.{s}" for s in _END_STATES)},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=within_seconds),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.SCHEDULED,
                name="AwaitingRetry",
                message="worker lost (no heartbeat): run again on another worker",
                force=True,  # Running → Scheduled is not a transition a client may ask for
            )
        ],
    )
    return str(client.create_automation(automation))
