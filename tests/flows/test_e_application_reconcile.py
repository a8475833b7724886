"""A robot killed after the portal recorded 受理, before the ledger heard: the next run
settles the item from the portal, so nothing is left open and nothing is done twice."""

from __future__ import annotations

import pytest

from core.ledger import Ledger, Status
from core.scenario import load_scenario
from flows._e_application import SCENARIO, Targets, reconcile_finished_elsewhere
from sandbox import RunningSandbox
from sandbox.fake_people import FakePeople
from sandbox.portal import seed_portal

pytestmark = pytest.mark.browser


def test_items_written_back_before_a_crash_are_closed(
    sandbox: RunningSandbox, ledger_url: str
) -> None:
    written, untouched = FakePeople(seed=12).recent_applications(2)
    seed_portal(sandbox.paths.portal_db, [written, untouched])
    config = load_scenario(SCENARIO)
    targets = Targets.from_config(
        config, portal_url=sandbox.portal_url, business_url=sandbox.business_url
    )
    ledger = Ledger(ledger_url)
    for app in (written, untouched):
        ledger.enqueue(SCENARIO, app.application_id)
        assert ledger.claim(SCENARIO, app.application_id, worker="host:1:dead")

    # The write-back happened (the portal says 受理); then the robot died.
    from robots import RobotWorker

    with RobotWorker(scenario=SCENARIO) as worker:
        targets.source_on(worker).mark_accepted(written.application_id, "J0000777")

    outcomes = reconcile_finished_elsewhere(
        ledger, targets, exported={untouched.application_id}, config=config
    )
    assert [(o.item_key, o.target_ref) for o in outcomes] == [
        (written.application_id, "J0000777")
    ]
    done = ledger.get(SCENARIO, written.application_id)
    assert done is not None and done.status is Status.DONE and done.target_ref == "J0000777"
    still = ledger.get(SCENARIO, untouched.application_id)
    assert still is not None and still.status is Status.IN_PROGRESS  # still exported: not ours
