"""Both files convert to PDF with headless LibreOffice; the document stays within two pages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from core.ledger import Ledger
from reports import DEMO_INVENTORY, Period, build_report, generate_demo_ledger

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: scripts/setup.sh installs "
    "libreoffice-writer-nogui and libreoffice-calc-nogui",
)


def _to_pdf(source: Path, tmp_path: Path) -> Path:
    out = tmp_path / f"pdf-{source.suffix[1:]}"
    # A private profile: a LibreOffice already running for someone else would swallow the job.
    profile = (tmp_path / f"lo-profile-{source.suffix[1:]}").as_uri()
    assert SOFFICE is not None
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = out / f"{source.stem}.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    return pdf


def test_a_year_of_demo_data_converts_to_pdf(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    assert generate_demo_ledger(ledger, fy=2025, seed=7, items=5000) == 5000
    files = build_report(
        period=Period.fy(2025), out_dir=tmp_path, inventory=DEMO_INVENTORY, ledger=ledger
    )
    document = pdfium.PdfDocument(_to_pdf(files.document, tmp_path))
    try:
        assert 1 <= len(document) <= 2  # one or two pages for the 課長 and the CIO
        text = document[0].get_textpage().get_text_range()
        assert "削減時間報告" in text and "子育て支援課" in text  # real glyphs, not empty boxes
    finally:
        document.close()
    workbook = pdfium.PdfDocument(_to_pdf(files.workbook, tmp_path))
    try:
        assert len(workbook) >= 6  # at least a page per sheet
    finally:
        workbook.close()
