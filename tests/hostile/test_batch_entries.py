"""Every entry of a batch gets one outcome, whatever it is, and nothing outside the data
folder changes: folders, FIFOs, sockets and links are looked at, not trusted; a damaged file
is quarantined (its content, never a link) and the rest of the batch goes on."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.ledger import Ledger, Status
from core.settings import get_settings
from flows._paper_intake import SCENARIO, IntakeOutcome, Paths, batch_entries, intake_file
from review import ReviewStore
from sandbox.paper_samples import generate_samples
from tests.hostile._files import PERSON_MY_NUMBER, PERSON_NAME, make_hostile_batch


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("JIMU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JIMU_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    get_settings.cache_clear()
    yield tmp_path / "data"
    monkeypatch.undo()
    get_settings.cache_clear()


def _intake(batch: Path, data_dir: Path) -> dict[str, IntakeOutcome]:
    ledger, store, paths = Ledger(), ReviewStore(), Paths.under(data_dir)
    return {
        entry.name: intake_file(entry, ledger=ledger, store=store, paths=paths)
        for entry in batch_entries(batch)
    }


def test_each_entry_gets_one_outcome_and_the_good_scan_is_still_read(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = make_hostile_batch(tmp_path / "batch", tmp_path / "elsewhere")
    [good] = generate_samples(tmp_path / "samples", n=1, seed=5, formats=("png",),
                              received_to=date.today())  # fmt: skip
    good.path.rename(batch.folder / "zz-good.png")  # read last: after every hostile entry
    before = (batch.outside.read_bytes(), stat.S_IMODE(batch.outside.stat().st_mode))

    outcomes = _intake(batch.folder, data_dir)

    assert batch.marker not in outcomes  # the inbox's own marker is nobody's scan
    assert (batch.folder / batch.marker).exists()
    for name in batch.left_in_place:
        assert outcomes[name].result == "refused-entry", name
        assert outcomes[name].reason, name
        assert (batch.folder / name).exists() or (batch.folder / name).is_symlink()
    for name in batch.quarantined:
        assert outcomes[name].result == "quarantined", name
        assert not (batch.folder / name).exists() and not (batch.folder / name).is_symlink()
    assert outcomes["zz-good.png"].result in ("accepted", "review")
    assert "damaged" in (outcomes["looping.pdf"].reason or "")
    assert "impossible size" in (outcomes["huge-page.pdf"].reason or "")

    # The link's target is exactly as it was; its content, not the link, is in quarantine.
    assert (batch.outside.read_bytes(), stat.S_IMODE(batch.outside.stat().st_mode)) == before
    quarantine = Paths.under(data_dir).quarantine
    kept = quarantine / f"{outcomes['link-outside.pdf'].document_id}.pdf"
    assert not kept.is_symlink() and kept.read_bytes() == before[0]
    for path in quarantine.iterdir():
        assert stat.S_IMODE(path.lstat().st_mode) == 0o600
        assert not path.is_symlink()
    assert stat.S_IMODE(quarantine.stat().st_mode) == 0o700
    assert stat.S_IMODE(quarantine.parent.stat().st_mode) == 0o700  # the scenario's folder too
    for note in quarantine.glob("*.reason.txt"):  # reasons name no person, no file
        text = note.read_text(encoding="utf-8")
        assert PERSON_NAME not in text and PERSON_MY_NUMBER not in text and "HYPERLINK" not in text

    ledger = Ledger()
    for name in batch.quarantined:
        item = ledger.get(SCENARIO, outcomes[name].document_id)
        assert item is not None and item.status is Status.BUSINESS_FAILURE


def test_a_library_failing_on_one_file_does_not_end_the_batch(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ocr

    samples = generate_samples(tmp_path / "samples", n=2, seed=6, formats=("png",),
                               received_to=date.today())  # fmt: skip
    batch = tmp_path / "batch"
    batch.mkdir()
    for sample in samples:
        sample.path.rename(batch / sample.path.name)
    first = sorted(batch.iterdir())[0]
    real_read = ocr.read_document

    def read_document(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path.name == first.name:
            raise RecursionError("maximum recursion depth exceeded in a library")
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(ocr, "read_document", read_document)
    outcomes = _intake(batch, data_dir)
    broken = outcomes[first.name]
    assert broken.result == "quarantined"
    assert "RecursionError" in (broken.reason or "")
    assert [o.result for name, o in outcomes.items() if name != first.name] != ["quarantined"]
    assert not any(batch.iterdir())


def test_the_same_damaged_file_again_is_recognised_not_read_twice(
    data_dir: Path, tmp_path: Path
) -> None:
    batch = make_hostile_batch(tmp_path / "batch", tmp_path / "elsewhere")
    first = _intake(batch.folder, data_dir)
    again = tmp_path / "again"
    again.mkdir()
    (again / "looping-copy.pdf").write_bytes(
        next(Paths.under(data_dir).quarantine.glob(f"{first['looping.pdf'].document_id}.pdf"))
        .read_bytes()
    )
    second = _intake(again, data_dir)
    assert second["looping-copy.pdf"].result == "already-done"
    assert second["looping-copy.pdf"].document_id == first["looping.pdf"].document_id
