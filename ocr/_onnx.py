"""Load one of jimu's own small ONNX models (the digit and kana readers) on the CPU."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import OcrEngineFailure

__all__ = ["load_model"]


def load_model(path: Path, what: str) -> tuple[Any, str]:
    """An onnxruntime session on one thread for the model at ``path``, and its input's name.

    Raises :class:`~core.errors.OcrEngineFailure` naming ``what`` (``digit``, ``kana``) if
    the file is missing or broken.
    """
    import onnxruntime

    if not path.is_file():
        raise OcrEngineFailure(f"{what} model missing: {path.name}")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    try:
        session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise OcrEngineFailure(f"{what} model {path.name} cannot be loaded") from exc
    return session, session.get_inputs()[0].name
