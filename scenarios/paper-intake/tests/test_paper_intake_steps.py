"""paper-intake's own rules: what a form's values become, and what a clerk is told when the
form cannot make an application (run with the framework's tests: `make test`)."""

from __future__ import annotations

from types import ModuleType

import pytest

from core.errors import InvalidInput
from core.scenario import scenario_module
from sandbox.fake_people import FakePeople
from sandbox.paper_samples import true_values


@pytest.fixture(scope="module")
def steps() -> ModuleType:
    return scenario_module("paper-intake", "steps.py")


def _values(seed: int = 5) -> tuple[object, dict[str, str]]:
    application = FakePeople(seed=seed).applications(1)[0]
    return application, true_values(application, application.received_at)


def test_a_correct_form_becomes_the_application_written_on_it(steps: ModuleType) -> None:
    application, values = _values()
    record = steps.record_from_values("scan-00000001", values)
    assert record.application_id == "scan-00000001"
    written = application.applicant  # type: ignore[attr-defined]
    # The form's boxes hold the phone's digits; the rest is as the citizen wrote it.
    assert record.applicant == written.model_copy(update={"phone": written.phone.replace("-", "")})
    assert [c.name for c in record.children] == [
        c.name for c in application.children  # type: ignore[attr-defined]
    ]
    # What the form does not ask is filled by rule: the bank's name from its code.
    assert record.account.bank_name == application.account.bank_name  # type: ignore[attr-defined]
    assert record.account.branch_name.endswith("支店")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gender_male": "", "gender_female": ""}, "gender"),
        ({"gender_male": "1", "gender_female": "1"}, "gender"),  # two boxes ticked
        ({"spouse_yes": "", "spouse_no": ""}, "has_spouse"),
        ({"bank_code": "9998"}, "bank_code"),  # no such bank
        ({"name": "  "}, "name"),
        ({"child1_name": "", "child2_name": "", "child3_name": ""}, "child1_name"),
    ],
)
def test_a_form_that_cannot_make_an_application_names_the_field(
    steps: ModuleType, change: dict[str, str], field: str
) -> None:
    _application, values = _values()
    with pytest.raises(InvalidInput) as refused:
        steps.record_from_values("scan-00000001", values | change)
    assert refused.value.field == field


def test_double_entry_covers_the_my_number(steps: ModuleType) -> None:
    assert "my_number" in steps.double_entry_fields
