"""Business verbs in real Chromium against the real sandbox systems."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import InvalidInput
from core.secrets import get_secret
from robots import RobotWorker
from sandbox import BUSINESS_USER, PORTAL_USER, FaultSettings, RunningSandbox
from sandbox.business import inspect_business
from sandbox.fake_people import FakePeople
from sandbox.portal import inspect_portal, seed_portal
from systems.business_system import BusinessSystem
from systems.e_application_portal import Portal, read_export

pytestmark = pytest.mark.browser


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[RobotWorker]:
    with RobotWorker(scenario="test", evidence_dir=tmp_path / "evidence") as running:
        yield running


def _systems(worker: RobotWorker, sandbox: RunningSandbox) -> tuple[Portal, BusinessSystem]:
    portal = Portal(
        worker,
        base_url=sandbox.portal_url,
        username=PORTAL_USER,
        password=get_secret("sandbox-portal-password"),
    )
    business = BusinessSystem(
        worker,
        base_url=sandbox.business_url,
        username=BUSINESS_USER,
        password=get_secret("sandbox-business-password"),
    )
    return portal, business


def test_export_reads_the_same_in_both_encodings(
    worker: RobotWorker, sandbox: RunningSandbox
) -> None:
    applications = FakePeople(seed=5).recent_applications(4)
    seed_portal(sandbox.paths.portal_db, applications)
    portal, _ = _systems(worker, sandbox)
    portal.login()
    cp932 = read_export(portal.export_applications(encoding="cp932"), encoding="cp932")
    utf8 = read_export(portal.export_applications(encoding="utf-8-sig"), encoding="utf-8-sig")
    assert [row.application for row in cp932] == [row.application for row in utf8]
    assert {row.application for row in cp932} == set(applications)
    assert all(row.error is None for row in cp932)


def test_register_exactly_once_and_write_back(worker: RobotWorker, sandbox: RunningSandbox) -> None:
    application = FakePeople(seed=6).recent_applications(1)[0]
    seed_portal(sandbox.paths.portal_db, [application])
    portal, business = _systems(worker, sandbox)
    business.login()
    recipient_no, created = business.ensure_registered(application)
    assert created and recipient_no.startswith("J")
    again, created_again = business.ensure_registered(application)
    assert (again, created_again) == (recipient_no, False)
    portal.login()
    portal.mark_accepted(application.application_id, recipient_no)
    portal.mark_accepted(application.application_id, recipient_no)  # idempotent
    assert inspect_business(sandbox.paths.business_db).records == 1
    assert inspect_portal(sandbox.paths.portal_db).write_backs == {
        application.application_id: recipient_no
    }


def test_registration_survives_modal_expiry_and_errors(
    worker: RobotWorker, sandbox: RunningSandbox
) -> None:
    applications = FakePeople(seed=8).recent_applications(3)
    _, business = _systems(worker, sandbox)
    business.login()
    sandbox.set_faults(
        FaultSettings(modal_rate=1.0, session_expiry_requests=15, error_rate=0.1, seed=3)
    )
    numbers = {business.ensure_registered(app)[0] for app in applications}
    summary = inspect_business(sandbox.paths.business_db)
    assert len(numbers) == 3
    assert summary.records == 3 and not summary.duplicates


def test_target_refusal_is_a_business_error(worker: RobotWorker, sandbox: RunningSandbox) -> None:
    application = FakePeople(seed=9).recent_applications(1)[0]
    broken = application.model_copy(
        update={"applicant": application.applicant.model_copy(update={"name_kana": "やまだ"})}
    )
    _, business = _systems(worker, sandbox)
    business.login()
    with pytest.raises(InvalidInput) as error:
        business.ensure_registered(broken)
    assert "フリガナ" in error.value.message
    assert inspect_business(sandbox.paths.business_db).records == 0


def test_application_state_reads_the_portal(worker: RobotWorker, sandbox: RunningSandbox) -> None:
    application = FakePeople(seed=10).recent_applications(1)[0]
    seed_portal(sandbox.paths.portal_db, [application])
    portal, _ = _systems(worker, sandbox)
    key = application.application_id
    assert portal.application_state(key) == ("未処理", None)
    portal.mark_accepted(key, "J0000042")
    assert portal.application_state(key) == ("受理", "J0000042")
