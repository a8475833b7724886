"""The annual candidate survey (7月調査): the workbook a 課 fills in, reading what comes back.

``write_survey_form`` writes the 調査票; ``collect_answers`` reads a folder of returned
workbooks into :class:`~core.inventory.Candidate` entries and the problems a person must
resolve (nothing is dropped silently); ``merge_candidates`` adds or updates them in
``inventory.yaml`` as 候補, keeping the file's comments and order.
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

__all__ = [
    "Collected",
    "MergeResult",
    "SurveyProblem",
    "candidate_id",
    "collect_answers",
    "form_title",
    "merge_candidates",
    "periods_per_year",
    "write_survey_form",
]
