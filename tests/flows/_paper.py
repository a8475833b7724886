"""Generated paper forms for flow tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flows._paper_intake import document_id_of
from sandbox.paper_samples import generate_samples


def drop_scans(inbox: Path, *, n: int, seed: int) -> dict[str, dict[str, str]]:
    """Generate ``n`` filled forms and drop their scans (not the truth files) in ``inbox``;
    returns each document's ground truth by document id."""
    samples = generate_samples(
        inbox.parent / "samples", n=n, seed=seed, formats=("png",), received_to=date.today()
    )
    inbox.mkdir(exist_ok=True)
    truths = {}
    for sample in samples:
        truths[document_id_of(sample.path)] = sample.truth["fields"]
        sample.path.rename(inbox / sample.path.name)
    return truths
