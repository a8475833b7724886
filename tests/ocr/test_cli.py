"""The ``jimu ocr`` handlers, called directly as cli/_main.py would."""

from __future__ import annotations

import argparse
import json
import os
import stat
from pathlib import Path

import pytest

from cli import _ocr as cli_ocr
from core.errors import InvalidInput
from ocr._calibrate import Outcome, choose_thresholds, upper_bound
from sandbox.paper_samples import Sample
from tests.ocr.conftest import write_other_form


def _read_args(paths: list[Path], **extra: object) -> argparse.Namespace:
    options: dict[str, object] = {"template": "paper-intake", "json": True, "out": None,
                                  "quarantine": None}
    options.update(extra)
    return argparse.Namespace(paths=paths, **options)


def test_samples_command_writes_files_and_truth(
    tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(n=1, seed=3, out=tmp, template="paper-intake", digits_dir=None,
                              hands="fonts", workers=1)  # fmt: skip
    assert cli_ocr._samples(args) == 0
    assert len(list(tmp.glob("sample-0001.*"))) == 2
    assert "wrote 1 samples" in capsys.readouterr().out


def test_samples_of_the_excel_form_by_calibration_stroke_writers(tmp: Path) -> None:
    args = argparse.Namespace(n=1, seed=103, out=tmp, template="kokuho-shutoku",
                              digits_dir=None, hands="calibration", workers=1)  # fmt: skip
    assert cli_ocr._samples(args) == 0
    [truth] = tmp.glob("kokuho-0001.json")
    written = json.loads(truth.read_text(encoding="utf-8"))
    assert written["template"] == "kokuho-shutoku"
    assert written["hands"] == [20_000, 30_000]  # ocr._strokes.CALIBRATION_HANDS


def test_read_json_has_values_confidences_and_review(
    samples: list[Sample], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_ocr._read(_read_args([samples[0].path])) == 0
    data = json.loads(capsys.readouterr().out)
    field = data["pages"][0]["fields"]["my_number"]
    assert set(field) >= {"value", "confidence", "accepted", "reasons", "normalised"}
    assert "has_spouse" in data["pages"][0]["choices"]


def test_a_bad_file_is_quarantined_and_the_batch_goes_on(
    samples: list[Sample], tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp / "broken.pdf"
    bad.write_bytes(b"not a pdf")
    quarantine = tmp / "quarantine"
    out = tmp / "out"
    code = cli_ocr._read(_read_args([bad, samples[1].path], json=False, out=out,
                                     quarantine=quarantine))
    assert code == 1
    assert (quarantine / "broken.pdf").read_bytes() == b"not a pdf"
    assert "invalid-input" in (quarantine / "broken.pdf.reason.txt").read_text()
    assert (out / f"{samples[1].path.stem}.json").is_file()
    assert samples[1].path.name in capsys.readouterr().out


def test_quarantined_copies_are_owner_only_and_links_are_not_followed(
    samples: list[Sample], tmp: Path
) -> None:
    bad = tmp / "broken.pdf"
    bad.write_bytes(b"not a pdf")
    elsewhere = tmp / "elsewhere.txt"  # what a link points at: must stay as it is
    elsewhere.write_text("not a scan\n", encoding="utf-8")
    elsewhere.chmod(0o644)
    link = tmp / "link.pdf"
    link.symlink_to(elsewhere)
    quarantine = tmp / "quarantine"
    code = cli_ocr._read(_read_args([bad, link, samples[0].path], json=False,
                                     quarantine=quarantine))
    assert code == 1
    assert stat.S_IMODE(quarantine.stat().st_mode) == 0o700
    assert (quarantine / "broken.pdf").read_bytes() == b"not a pdf"
    for name in ("broken.pdf", "broken.pdf.reason.txt", "link.pdf.reason.txt"):
        assert stat.S_IMODE((quarantine / name).stat().st_mode) == 0o600, name
    assert not (quarantine / "link.pdf").exists()
    reason = (quarantine / "link.pdf.reason.txt").read_text(encoding="utf-8")
    assert reason.startswith("invalid-input") and "symbolic link" in reason
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o644


def test_quarantine_copies_only_regular_files_and_never_writes_through_a_link(
    tmp: Path,
) -> None:
    quarantine = tmp / "quarantine"
    quarantine.mkdir()
    outside = tmp / "outside.pdf"
    outside.write_bytes(b"precious")
    (quarantine / "scan.pdf").symlink_to(outside)  # planted before the run
    (tmp / "in").mkdir()
    scan = tmp / "in" / "scan.pdf"
    scan.write_bytes(b"bad scan")
    fifo = tmp / "fifo.pdf"
    os.mkfifo(fifo)
    folder = tmp / "folder.pdf"
    folder.mkdir()
    for path in (scan, fifo, folder):
        cli_ocr._quarantine(path, quarantine, "invalid-input: unreadable")
    assert outside.read_bytes() == b"precious"
    assert not (quarantine / "scan.pdf").is_symlink()
    assert (quarantine / "scan.pdf").read_bytes() == b"bad scan"
    for name in ("fifo.pdf", "folder.pdf"):
        assert not (quarantine / name).exists()
        note = (quarantine / f"{name}.reason.txt").read_text(encoding="utf-8")
        assert note == "invalid-input: unreadable\nnot copied: not a regular file\n"


def test_a_single_bad_file_raises_one_clear_error(tmp: Path) -> None:
    (tmp / "zero.tiff").write_bytes(b"")
    with pytest.raises(InvalidInput, match=r"zero\.tiff"):
        cli_ocr._read(_read_args([tmp / "zero.tiff"]))


def test_calibration_is_reproducible_and_meets_the_target() -> None:
    outcomes = [Outcome("s", f"f{i}", "digits", i / 1000, True, i > 10, 7, 0) for i in range(1000)]
    first = choose_thresholds(outcomes, target_error=0.005)
    assert first == choose_thresholds(list(reversed(outcomes)), target_error=0.005)
    threshold = first.by_kind["digits"]
    accepted = [o for o in outcomes if o.confidence >= threshold]
    # not only the share wrong: its one-sided 95% upper bound is on target
    assert upper_bound(sum(not o.correct for o in accepted), len(accepted)) <= 0.005
    assert threshold == 0.01


def test_a_batch_of_bad_inputs_is_quarantined_and_the_good_file_still_read(
    samples: list[Sample], tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import tracemalloc

    from openpyxl import load_workbook
    from PIL import Image
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    bad = tmp / "bad"
    bad.mkdir()
    (bad / "zero.pdf").write_bytes(b"")
    (bad / "letter.pdf").write_text("Dear sir, this is not a PDF.\n", encoding="utf-8")
    canvas = Canvas(str(bad / "secret.pdf"), encrypt=StandardEncryption("user", "owner"))
    canvas.drawString(100, 100, "secret")
    canvas.save()
    Image.new("L", (1654, 2339), 255).save(bad / "blank.png")
    write_other_form(bad / "other-form.png")
    Image.new("L", (248, 351), 255).save(bad / "coarse-30dpi.png")
    Image.new("1", (20000, 20000), 1).save(bad / "huge.png")
    names = sorted(p.name for p in bad.iterdir())
    quarantine, out = tmp / "quarantine", tmp / "out"
    paths = [*(bad / name for name in names), samples[2].path]
    tracemalloc.start()
    try:
        code = cli_ocr._read(_read_args(paths, json=False, out=out, quarantine=quarantine,
                                         csv_encoding="cp932"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 1
    assert peak < 400 * 2**20  # the 20000×20000 image is refused from its header
    for name in names:
        assert (quarantine / name).is_file(), name
        reason = (quarantine / f"{name}.reason.txt").read_text(encoding="utf-8")
        assert reason.split(":")[0] in ("invalid-input", "form-not-recognised"), name
    assert (out / f"{samples[2].path.stem}.json").is_file()
    for written in ("readings.xlsx", "readings.csv", f"{samples[2].path.stem}.json"):
        assert (out / written).stat().st_mode & 0o077 == 0, written  # what the forms say
    summary = load_workbook(out / "readings.xlsx")["一覧"]
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    assert sorted(str(row[0]) for row in rows) == sorted([*names, samples[2].path.name])
    assert (out / "readings.csv").read_bytes().decode("cp932").count("\r\n") == len(rows) + 1
    assert "readings.xlsx" in capsys.readouterr().out
