"""The fake returned workbooks: every kind of mess is there, and every row gives what the
generator says it should (a candidate with these values, or a problem in this column)."""

from __future__ import annotations

from pathlib import Path

from reports.survey import collect_answers
from sandbox.survey_answers import FILE_KINDS, ROW_KINDS, account, write_returned_workbooks
from tests.reports.survey.conftest import FY


def test_every_returned_row_is_a_candidate_or_its_problem(tmp_path: Path) -> None:
    files = write_returned_workbooks(tmp_path, count=60, fiscal_year=FY, seed=11)
    collected = collect_answers(tmp_path, fiscal_year=FY)
    accounting = account(files, collected)
    assert accounting.mismatches == []
    assert accounting.rows == accounting.accounted == collected.rows > 200
    kinds = {kind for f in files for kind in f.kinds} | {r.kind for f in files for r in f.rows}
    assert kinds == set(FILE_KINDS) | set(ROW_KINDS)


def test_the_same_seed_writes_the_same_workbooks(tmp_path: Path) -> None:
    first = write_returned_workbooks(tmp_path / "a", count=5, fiscal_year=FY, seed=3)
    second = write_returned_workbooks(tmp_path / "b", count=5, fiscal_year=FY, seed=3)
    assert [(f.path.name, f.kinds, f.rows) for f in first] == [
        (f.path.name, f.kinds, f.rows) for f in second
    ]
    other = write_returned_workbooks(tmp_path / "c", count=5, fiscal_year=FY, seed=4)
    assert [f.rows for f in other] != [f.rows for f in first]
