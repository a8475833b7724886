"""e-application-sync's steps: the portal's export is read into applications the business
system can register (run with the framework's tests: `make test`)."""

from __future__ import annotations

from core.scenario import load_scenario
from flows.steps import ExportSteps, load_steps
from sandbox.fake_people import FakePeople
from sandbox.portal._csv import export_csv
from sandbox.portal._store import StoredApplication


def test_the_portals_export_becomes_applications_keyed_by_their_number() -> None:
    steps = load_steps(load_scenario("e-application-sync"), ExportSteps)
    applications = FakePeople(seed=8).recent_applications(3)
    stored = [
        StoredApplication(application=app, status="未処理", recipient_no=None,
                          return_reason=None, updated_at="2026-04-01T09:00:00+09:00",
                          as_entered={})
        for app in applications
    ]
    rows = steps.read_rows(export_csv(stored, encoding="cp932"), encoding="cp932")
    assert [row.application_id for row in rows] == [a.application_id for a in applications]
    assert [row.application for row in rows] == applications
    assert all(row.error is None for row in rows)
    # The record says which of its values a kept screenshot must not show.
    assert applications[0].applicant.my_number in rows[0].application.personal_values()
