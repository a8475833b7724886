"""The annual candidate survey (7月調査): the workbook a 課 fills in, reading what comes back.

``write_survey_form`` writes the 調査票; ``collect_answers`` reads a folder of returned
workbooks into :class:`~core.inventory.Candidate` entries and the problems a person must
resolve (nothing is dropped silently); ``merge_candidates`` adds or updates them in
``inventory.yaml`` as 候補, keeping the file's comments and order; ``rank_candidates``
scores them (hours a year × fit × risk, with reasons) and ``write_selection`` writes the
選定資料 (Word and Excel) with last year's selection, forecast vs actual, closing the cycle.
"""

from reports.survey._collect import (
    Collected,
    SurveyProblem,
    candidate_id,
    collect_answers,
    periods_per_year,
)
from reports.survey._form import form_title, write_survey_form
from reports.survey._merge import MergeResult, merge_candidates
from reports.survey._rank import (
    RankedCandidate,
    load_known_forms,
    load_known_systems,
    rank_candidates,
)
from reports.survey._selection import SelectionFiles, write_selection

__all__ = [
    "Collected",
    "MergeResult",
    "RankedCandidate",
    "SelectionFiles",
    "SurveyProblem",
    "candidate_id",
    "collect_answers",
    "form_title",
    "load_known_forms",
    "load_known_systems",
    "merge_candidates",
    "periods_per_year",
    "rank_candidates",
    "write_selection",
    "write_survey_form",
]
