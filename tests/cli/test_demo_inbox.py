"""``jimu demo`` puts only scans into the paper-intake inbox, so nothing lands in quarantine."""

from __future__ import annotations

import stat
from pathlib import Path

from cli._demo import scans_to_inbox
from orchestration._inbox import SCAN_SUFFIXES
from sandbox.paper_samples import generate_samples


def test_the_demo_inbox_gets_the_scans_and_the_truth_stays_with_the_samples(
    tmp_path: Path,
) -> None:
    samples = tmp_path / "samples"
    made = generate_samples(samples, n=3, seed=7, formats=("pdf", "png", "tiff"), scan=False,
                            digits_dir=None)  # fmt: skip
    inbox = tmp_path / "inbox" / "paper-intake"

    copied = scans_to_inbox(made, inbox)

    names = sorted(p.name for p in inbox.iterdir())
    assert names == sorted(s.path.name for s in made) == sorted(p.name for p in copied)
    assert all(Path(name).suffix in SCAN_SUFFIXES for name in names)  # nothing to quarantine
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in copied)
    assert all((inbox / s.path.name).read_bytes() == s.path.read_bytes() for s in made)
    assert len(list(samples.glob("*.json"))) == 3  # the answers stay with the samples
