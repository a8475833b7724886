"""``jimu ocr …``: render the form, generate samples, read scans, calibrate thresholds.

Read results never go to the log (they are personal data); they go to stdout or to the
JSON files asked for.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["register"]

log = logging.getLogger(__name__)


def register(commands: Any) -> None:
    """Add the ``ocr`` command group to the ``jimu`` parser."""
    from cli._argtypes import positive_int, rate

    ocr = commands.add_parser("ocr", help="AI-OCR of handwritten paper forms")
    actions = ocr.add_subparsers(dest="action", metavar="ACTION", parser_class=type(ocr))
    actions.required = True

    samples = actions.add_parser("samples", help="generate filled, scanned sample forms")
    samples.add_argument("--n", type=positive_int, default=200, help="how many forms")
    samples.add_argument("--seed", type=int, default=3, help="same seed, same files")
    samples.add_argument("--out", type=Path, required=True, help="folder to write into")
    samples.add_argument("--template", default="paper-intake")
    samples.add_argument(
        "--digits-dir",
        type=Path,
        default=None,
        help="MNIST IDX folder (default ../shared/data/mnist/; fonts if absent)",
    )
    samples.add_argument(
        "--digit-range",
        type=_digit_range,
        default=(0, 4000),
        metavar="START:STOP",
        help="which MNIST digits to use (default 0:4000); calibrate and "
        "measure on different ranges",
    )
    samples.add_argument(
        "--hands",
        choices=("fonts", "calibration", "test"),
        default="fonts",
        help="who writes the words: the handwriting fonts (default) or stroke writers "
        "kept for calibration or for tests (ocr/_strokes.py)",
    )
    samples.add_argument(
        "--workers", type=positive_int, default=1, help="processes drawing (kokuho-shutoku)"
    )
    samples.set_defaults(handler=_samples)

    read = actions.add_parser("read", help="read scanned forms (PDF, TIFF, PNG, JPEG)")
    read.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    read.add_argument("--template", default="paper-intake")
    read.add_argument("--json", action="store_true", help="print the readings as JSON")
    read.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write <name>.json per file, crops, readings.xlsx (一覧 and a "
        "sheet per field) and readings.csv into this folder",
    )
    read.add_argument(
        "--csv-encoding",
        choices=("utf-8-sig", "cp932"),
        default="utf-8-sig",
        help="readings.csv as UTF-8 with BOM (default) or CP932 (Shift_JIS)",
    )
    read.add_argument(
        "--quarantine",
        type=Path,
        default=None,
        help="copy unreadable files here with a .reason.txt beside each",
    )
    read.set_defaults(handler=_read)

    calibrate = actions.add_parser("calibrate", help="set confidence thresholds from samples")
    calibrate.add_argument(
        "--samples", type=Path, required=True, help="folder of generated samples with ground truth"
    )
    calibrate.add_argument("--template", default="paper-intake")
    calibrate.add_argument(
        "--target-error",
        type=rate,
        default=0.005,
        help="share of accepted fields allowed to be wrong (0.005)",
    )
    calibrate.add_argument(
        "--workers", type=int, default=1, help="processes reading the samples (one per core)"
    )
    calibrate.add_argument("--dry-run", action="store_true", help="print, do not save")
    calibrate.set_defaults(handler=_calibrate)

    blank = actions.add_parser("blank", help="write the blank form as PDF and PNG")
    blank.add_argument("--template", default="paper-intake")
    blank.add_argument("--out", type=Path, required=True, help="folder to write into")
    blank.set_defaults(handler=_blank)

    define = actions.add_parser("define", help="write a DRAFT template from a blank form "
                                "(PDF or an image at 150 dpi or more)")
    define.add_argument("blank_path", type=Path, metavar="BLANK", help="the blank form")
    define.add_argument("--id", dest="form_id", required=True,
                        help="the form's id (lower-case ASCII and hyphens, e.g. kokuho-shutoku)")
    define.add_argument("--out", type=Path, default=Path("template.yaml"),
                        help="where to write the draft (default template.yaml; never "
                             "overwritten)")
    define.set_defaults(handler=_define)

    sort = actions.add_parser("sort", help="仕分け: assign each page of a mixed batch to its form")
    sort.add_argument("folder", type=Path, metavar="FOLDER", help="a folder of scans (or a file)")
    sort.add_argument(
        "--template",
        action="append",
        required=True,
        dest="templates",
        metavar="NAME[,NAME…]",
        help="a form to sort into (repeat for each); a form of several pages lists its "
        "pages' templates in order, separated by commas",
    )
    sort.set_defaults(handler=_sort)


def _digit_range(text: str) -> tuple[int, int]:
    start, _, stop = text.partition(":")
    try:
        low, high = int(start), int(stop)
    except ValueError:
        raise argparse.ArgumentTypeError("expected START:STOP, e.g. 0:2000") from None
    if not 0 <= low < high:
        raise argparse.ArgumentTypeError("expected 0 <= START < STOP")
    return low, high


def _samples(args: argparse.Namespace) -> int:
    from ocr import load_template
    from ocr._handwriting import DEFAULT_DIGITS_DIR, load_digits
    from ocr._strokes import CALIBRATION_HANDS, TEST_HANDS
    from sandbox.kokuho_samples import KOKUHO, generate_kokuho_samples
    from sandbox.paper_samples import generate_samples

    digits_dir = args.digits_dir or DEFAULT_DIGITS_DIR
    if load_digits(digits_dir) is None:
        print(
            f"no MNIST digits in {digits_dir}: drawing digits from fonts "
            "(JIMU_MNIST_DIR names the folder of MNIST IDX files)",
            file=sys.stderr,
        )
    hands = {"fonts": None, "calibration": CALIBRATION_HANDS, "test": TEST_HANDS}[args.hands]
    template = load_template(args.template)
    common = {"n": args.n, "seed": args.seed, "template": template, "digits_dir": digits_dir,
              "digit_range": getattr(args, "digit_range", (0, 4000)), "hands": hands}  # fmt: skip
    if template.name == KOKUHO:  # the Excel-made form has its own values and writing
        made = generate_kokuho_samples(args.out, **common, workers=args.workers)
    else:
        made = generate_samples(args.out, **common)
    print(f"wrote {len(made)} samples (and their ground truth .json) to {args.out}")
    return 0


def _quarantine(path: Path, folder: Path, reason: str) -> None:
    """Set ``path`` aside in ``folder``: a copy of its content with a ``.reason.txt``.

    Scans hold personal data: a folder it creates is 700, both files 600. Only a regular file
    is copied, and never through a link (``O_NOFOLLOW`` on both ends); a symlink, folder,
    FIFO or device gets the reason file alone, saying why nothing was copied.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    copy, note = folder / path.name, folder / f"{path.name}.reason.txt"
    try:
        for target in (copy, note):
            if target.is_symlink():  # planted in the folder: replace the link, not its target
                target.unlink()
        not_copied = _copy_regular_file(path, copy)
        if not_copied:
            reason = f"{reason}\n{not_copied}"
        _write_new_owner_only(note, [(reason + "\n").encode("utf-8")])
    except OSError as exc:  # the batch goes on; the file stays where it was
        log.warning("could not quarantine %s: %s", path.name, exc.strerror)


def _copy_regular_file(source: Path, target: Path) -> str | None:
    """Copy the content of the regular file ``source``; None, or why it was not copied."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "not copied: a symbolic link (its target is left alone)"
        return f"not copied: cannot be opened ({exc.strerror})"
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return "not copied: not a regular file"
    with os.fdopen(fd, "rb") as handle:
        _write_new_owner_only(target, iter(lambda: handle.read(1 << 20), b""))
    return None


def _write_new_owner_only(path: Path, chunks: Iterable[bytes]) -> None:
    # core.files.write_owner_only's pattern, plus O_NOFOLLOW: a link planted in the
    # quarantine folder must not redirect the copy elsewhere.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)


def _read(args: argparse.Namespace) -> int:
    from core.errors import BusinessError, JimuError
    from core.files import write_owner_only
    from ocr import DocumentReading, load_template, read_document, write_csv, write_workbook
    from ocr._outputs import CsvEncoding

    template = load_template(args.template)
    results: list[dict[str, Any]] = []
    readings: list[DocumentReading] = []
    failures: list[tuple[str, str]] = []
    failed = 0
    for path in args.paths:
        crops = args.out / "crops" if args.out else None
        try:
            reading = read_document(path, template, crops_dir=crops)
        except BusinessError as exc:
            # One bad file must not stop the batch: say why, set it aside, go on.
            failed += 1
            log.warning("could not read %s: %s", path.name, exc.code)
            if args.quarantine:
                _quarantine(path, args.quarantine, f"{exc.code}: {exc.message}")
            if len(args.paths) == 1:
                raise
            results.append({"source": str(path), "error": exc.code, "message": exc.message})
            failures.append((path.name, f"{exc.code}: {exc.message}"))
            continue
        except JimuError:
            raise
        data = reading.to_dict()
        results.append(data)
        readings.append(reading)
        if args.out:
            text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
            write_owner_only(args.out / f"{path.stem}.json", text.encode("utf-8"))
        if not args.json:
            review = sum(len(page.needs_review) for page in reading.pages)
            fields = sum(len(page.fields) for page in reading.pages)
            print(
                f"{path.name}: {fields - review}/{fields} fields accepted, "
                f"{review} need review ({reading.seconds:.2f} s)"
            )
    if args.out:
        encoding: CsvEncoding = getattr(args, "csv_encoding", "utf-8-sig")
        book = write_workbook(readings, args.out / "readings.xlsx", template, failures=failures)
        table = write_csv(
            readings, args.out / "readings.csv", template, encoding=encoding, failures=failures
        )
        if not args.json:
            print(f"wrote {book.name} and {table.name} ({encoding}) to {args.out}")
    if args.json:
        shown: Any = results[0] if len(results) == 1 else results
        print(json.dumps(shown, ensure_ascii=False, indent=1))
    return 1 if failed else 0


def _calibrate(args: argparse.Namespace) -> int:
    from core.errors import ConfigError
    from ocr import load_template
    from ocr._calibrate import run_calibration

    if args.workers < 1:
        raise ConfigError("--workers: at least 1")
    template = load_template(args.template)
    result = run_calibration(
        args.samples,
        template,
        target_error=args.target_error,
        write=not args.dry_run,
        workers=args.workers,
    )
    for c in (*result.kinds, *result.rules):
        if c.reached:
            print(
                f"{c.key:<12} {c.threshold:.4f}  {c.accepted}/{c.fields} accepted, "
                f"{c.wrong} wrong, upper95 {c.upper95:.3%}"
            )
        else:
            print(f"{c.key:<12} never    target not reached on {c.fields} fields: no auto-accept")
    where = "not saved (dry run)" if args.dry_run else "saved beside the template"
    print(
        f"target error {result.thresholds.target_error:.2%} (one-sided "
        f"{result.confidence:.0%} upper bound) on {result.thresholds.calibration_fields} "
        f"fields; {where}"
    )
    return 0


def _blank(args: argparse.Namespace) -> int:
    from ocr import load_template, render_blank, write_blank_pdf

    template = load_template(args.template)
    args.out.mkdir(parents=True, exist_ok=True)
    pdf = write_blank_pdf(template, args.out / f"{template.name}.pdf")
    png = args.out / f"{template.name}.png"
    render_blank(template, px_per_mm=300 / 25.4).save(png, dpi=(300, 300))
    print(f"wrote {pdf} and {png}")
    return 0


_SCAN_SUFFIXES = frozenset({".pdf", ".png", ".tif", ".tiff", ".jpg", ".jpeg"})


def _sort(args: argparse.Namespace) -> int:
    from core.errors import InvalidInput
    from ocr import FormDocument, load_batch, load_template, sort_pages
    from ocr._pages import Page

    forms = []
    for given in args.templates:
        pages = tuple(load_template(name.strip()) for name in given.split(",") if name.strip())
        forms.append(FormDocument(pages))
    folder: Path = args.folder
    if folder.is_dir():
        files = sorted(
            p
            for p in folder.iterdir()
            if p.suffix.lower() in _SCAN_SUFFIXES and p.is_file() and not p.is_symlink()
        )
    else:
        files = [folder]
    batch: list[tuple[str, Page]] = []
    unreadable = 0
    for path in files:
        try:
            batch.extend(load_batch([path]))
        except InvalidInput as exc:  # one bad file must not stop the batch
            unreadable += 1
            print(f"{path.name} → 未仕分け: 読めません ({exc.message})")
    result = sort_pages(batch, forms)
    for page in result.pages:
        print(page.describe())
    assigned = sum(p.outcome == "form" for p in result.pages)
    print(
        f"{len(result.pages)} pages: {assigned} sorted into {len(result.documents)} documents, "
        f"{len(result.blank)} blank, {len(result.unsorted) + unreadable} 未仕分け "
        f"({result.seconds / max(len(result.pages), 1):.2f} s per page)"
    )
    return 1 if result.unsorted or unreadable else 0


def _define(args: argparse.Namespace) -> int:
    from core.errors import ConfigError
    from ocr._define import define_form, write_definition

    if args.out.exists():  # before the work, not after it
        raise ConfigError(f"{args.out} already exists: not overwritten (choose another --out)")
    definition = define_form(args.blank_path, form_id=args.form_id)
    path = write_definition(definition, args.out)
    fields = definition.template.fields
    print(f"wrote a draft of {len(fields)} fields to {path} ({definition.doubts} marked 確認); "
          "correct it before use")
    return 0
