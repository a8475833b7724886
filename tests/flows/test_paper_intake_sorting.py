"""仕分け inside paper intake: a counter's bundle (a claim, a blank back page, a form nobody
defined, a 口座振替依頼書 of another paper scenario) and loose bad pages (a photo of a desk, a
claim scanned at 100 dpi) — each page ends where it should, exactly once, the rest of the
batch goes on, and a crash after the parts are written but before the bundle leaves the
batch duplicates nothing on the rerun.

The second paper scenario (``kouza-furikae``, a one-page 口座振替依頼書) is defined here in
a scenarios folder of the test's own, beside a copy of ``paper-intake``: the sorting is the
subject, not any one scenario that is being written meanwhile.
"""

from __future__ import annotations

import random
import shutil
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from PIL import Image, ImageDraw

from core.ledger import Ledger
from core.settings import get_settings
from flows import _sorting
from flows._paper_intake import Paths, batch_entries, intake_entry, recover_orphans
from ocr import FormTemplate, Writer, load_pages, load_template, sort_pages
from review import ReviewStore
from review._unsorted import UnsortedTray, paper_forms
from sandbox.paper_samples import generate_samples, render_filled
from tests.ocr._forms import tennyu_page, transfer_page

REPO = Path(__file__).resolve().parents[2]
OTHER = "kouza-furikae"
A4_300 = (2480, 3508)
TRANSFER = transfer_page(OTHER)
UNKNOWN = tennyu_page()  # a 転入届 nobody defined


def make_scenarios(folder: Path) -> Path:
    """``paper-intake`` (copied) and ``kouza-furikae`` (a second paper form) in ``folder``."""
    shutil.copytree(REPO / "scenarios" / "paper-intake", folder / "paper-intake",
                    ignore=shutil.ignore_patterns("tests"))  # fmt: skip
    other = folder / OTHER
    other.mkdir()
    scenario = yaml.safe_load((folder / "paper-intake" / "scenario.yaml").read_text("utf-8"))
    scenario.update(id=OTHER, name="口座振替依頼書のAI-OCR読取", department="納税課")
    scenario["deployment"]["inbox"]["folder"] = f"inbox/{OTHER}"
    (other / "scenario.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True), "utf-8")
    (other / "template.yaml").write_text(yaml.safe_dump(TRANSFER, allow_unicode=True), "utf-8")
    return folder


@pytest.fixture
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The two paper scenarios, and this test's own data folder and ledger."""
    folder = make_scenarios(tmp_path / "scenarios")
    monkeypatch.setenv("JIMU_SCENARIOS_DIR", str(folder))
    monkeypatch.setenv("JIMU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JIMU_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    get_settings.cache_clear()
    yield folder
    monkeypatch.undo()
    get_settings.cache_clear()


def filled(template: FormTemplate, seed: int) -> Image.Image:
    """``template`` filled in by hand at 300 dpi."""
    rng = random.Random(f"sorting-{template.name}-{seed}")
    values = {
        spec.name: "".join(str(rng.randrange(10)) for _ in range(spec.boxes or 1))
        if spec.kind == "digits"
        else rng.choice(("山田太郎", "多摩南市中央1-2-3"))
        for spec in template.fields
    }
    page, _ = render_filled(template, values, rng, Writer.create(rng, None, (0, 1)))
    return page.convert("L")


def desk_photo() -> Image.Image:
    """A photo of a desk: light falling across it, a mug, a book, grain."""
    height, width = A4_300[1], A4_300[0]
    ys, xs = np.mgrid[0:height, 0:width]
    light = 90 + 120 * (xs / width) * (1 - 0.5 * ys / height)
    image = Image.fromarray(np.clip(light, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.ellipse((300, 400, 1300, 1400), fill=40)
    draw.rectangle((1200, 1800, 2300, 3000), fill=180, outline=20, width=25)
    grain = np.random.default_rng(8).normal(0, 12, (height, width))
    return Image.fromarray(np.clip(np.asarray(image) + grain, 0, 255).astype(np.uint8))


def make_batch(folder: Path, samples: Path) -> dict[str, Path]:
    """The batch: a four-page bundle PDF, a desk photo, a claim at 100 dpi, a plain claim."""
    claims = generate_samples(samples, n=3, seed=41, formats=("png",), received_to=date.today())
    folder.mkdir(parents=True)
    pages = [
        Image.open(claims[0].path).convert("L").resize(A4_300),
        Image.new("L", A4_300, 255),  # the blank back of the claim
        filled(FormTemplate.model_validate(UNKNOWN), 1),
        filled(load_template(OTHER), 2),
    ]
    bundle = folder / "bundle.pdf"
    pages[0].save(bundle, save_all=True, append_images=pages[1:], resolution=300)
    desk = folder / "desk.png"
    desk_photo().save(desk)
    coarse = folder / "coarse.png"
    image = Image.open(claims[1].path)
    scale = 100 / (max(image.size) / (297 / 25.4))
    image.resize((round(image.width * scale), round(image.height * scale))).save(coarse)
    plain = folder / "zz-claim.png"
    shutil.copy(claims[2].path, plain)
    return {"bundle": bundle, "desk": desk, "coarse": coarse, "plain": plain}


def run(batch: Path, store: ReviewStore, ledger: Ledger, paths: Paths) -> list[Any]:
    """What a paper-intake run does before registering: kept scans first, then the batch."""
    entries = recover_orphans(store, paths) + batch_entries(batch)
    return [
        outcome
        for entry in entries
        for outcome in intake_entry(entry, ledger=ledger, store=store, paths=paths)
    ]


def check_where_everything_is(data: Path, store: ReviewStore, batch: Path) -> None:
    """Each page in its one place, once."""
    paths = Paths.under(data)
    documents = [e.document_id for e in store.queue(user="", admin=True)]
    documents += [d.document_id for d in store.confirmed("paper-intake")]
    assert len(documents) == 2, "the bundle's claim and the plain claim, each read once"
    assert sorted(p.stem for p in paths.scans.iterdir()) == sorted(documents)
    [forwarded] = (data / "inbox" / OTHER).iterdir()
    assert forwarded.name.startswith("scan-") and forwarded.suffix == ".png"
    assert stat.S_IMODE(forwarded.stat().st_mode) == 0o600
    [page] = load_pages(forwarded)
    result = sort_pages([("p", page)], [load_template(OTHER), load_template("paper-intake")])
    assert result.pages[0].form == OTHER  # it is the 口座振替依頼書 page
    tray = UnsortedTray(store)
    waiting = tray.waiting()
    assert len(waiting) == 2, "the unknown form and the desk photo"
    for each in waiting:
        assert each.reason.startswith(("どの様式の印刷内容も", "どの様式とも一致しません"))
        assert stat.S_IMODE(tray.file(each.page_id).stat().st_mode) == 0o600
    assert sorted(p.stem for p in tray.folder.iterdir()) == sorted(w.page_id for w in waiting)
    [reason] = paths.quarantine.glob("*.reason.txt")
    assert "解像度が低すぎます" in reason.read_text("utf-8")
    assert not any(batch.iterdir()), "every entry left the batch"


@pytest.mark.usefixtures("scenarios")
def test_a_mixed_batch_ends_where_it_should_and_a_crash_duplicates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    assert [f.scenario for f in paper_forms(data)] == ["kouza-furikae", "paper-intake"]
    batch = tmp_path / "batch"
    files = make_batch(batch, tmp_path / "samples")
    store, ledger, paths = ReviewStore(), Ledger(), Paths.under(data)
    shutil.copy(files["bundle"], tmp_path / "kept-bundle.pdf")

    class Killed(BaseException):
        """The process dies: nothing after this line runs."""

    def killed(entry: Any) -> None:
        raise Killed()

    # First run: killed after the bundle's parts are written, before it leaves the batch.
    monkeypatch.setattr(_sorting, "remove_entry", killed)
    with pytest.raises(Killed):
        run(batch, store, ledger, paths)
    assert files["bundle"].exists()
    monkeypatch.undo()

    outcomes = run(batch, store, ledger, paths)
    results = sorted(o.result for o in outcomes)
    assert results.count("sorted") == 1 and results.count("blank") == 1
    assert results.count("other") == 1 and results.count("unsorted") == 2
    read = {o.document_id for o in outcomes if o.result in ("review", "accepted")}
    assert len(read) == 2  # the claim kept before the crash is read once, not twice
    [split] = [o for o in outcomes if o.result == "sorted"]
    assert split.reason == "4ページを仕分けました: この様式 1・他の様式 1・白紙 1・未仕分け 1"
    [coarse] = [o for o in outcomes if o.result == "quarantined"]
    assert coarse.reason is not None and coarse.reason.startswith("解像度が低すぎます（約100dpi）")
    check_where_everything_is(data, store, batch)

    # The same bundle handed in again (a second inbox hand-over) changes nothing either.
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(tmp_path / "kept-bundle.pdf", again / "bundle.pdf")
    run(again, store, ledger, paths)
    check_where_everything_is(data, store, again)
    store.close()


def test_a_bundle_of_both_real_forms_is_read_by_both_scenarios(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A counter's bundle: a 児童手当 claim and a 国保 資格取得届 (the Excel-made form of
    ``scenarios/kokuho-shutoku``). paper-intake reads its claim and hands the 届 to
    kokuho-shutoku's inbox, whose own intake reads it with its own template."""
    from sandbox.kokuho_samples import generate_kokuho_samples

    data = tmp_path / "data"
    monkeypatch.setenv("JIMU_DATA_DIR", str(data))
    monkeypatch.setenv("JIMU_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    get_settings.cache_clear()
    try:
        assert {"kokuho-shutoku", "paper-intake"} <= {f.scenario for f in paper_forms(data)}
        [claim] = generate_samples(tmp_path / "claims", n=1, seed=42, formats=("png",),
                                   received_to=date.today(), scan=False)  # fmt: skip
        [notice] = generate_kokuho_samples(tmp_path / "notices", n=1, seed=43, formats=("png",),
                                           scan=False, digits_dir=None)  # fmt: skip
        batch = tmp_path / "batch"
        batch.mkdir()
        first, second = (Image.open(s.path).convert("L").resize(A4_300) for s in (claim, notice))
        first.save(batch / "bundle.pdf", save_all=True, append_images=[second], resolution=300)
        store, ledger = ReviewStore(), Ledger()

        outcomes = run(batch, store, ledger, Paths.under(data))
        assert sorted(o.result for o in outcomes if o.result not in ("review", "accepted")) == [
            "other", "sorted"]  # fmt: skip
        [forwarded] = (data / "inbox" / "kokuho-shutoku").iterdir()
        kokuho = Paths.under(data, "kokuho-shutoku")
        read = run(forwarded.parent, store, ledger, kokuho)
        # Either a person checks some field, or every field was accepted and the 届 is kept
        # 確定 until it is registered: both are in the store under the same id.
        [outcome] = read
        assert outcome.result in ("review", "accepted")
        document = store.document(outcome.document_id)
        assert document.scenario == "kokuho-shutoku"
        fields = {f.name: f.value for f in document.fields}
        truth = notice.truth["fields"]
        assert isinstance(truth, dict)
        for name in ("my_number", "postal_code", "gender"):
            assert fields[name] == truth[name], name
        store.close()
    finally:
        get_settings.cache_clear()
