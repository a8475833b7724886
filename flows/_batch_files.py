"""The entries of a batch folder, handled without trusting them.

A batch folder is written by scanners, clerks and whoever can reach the share, so each entry
is looked at with ``lstat`` before anything opens it: a FIFO would block a reader for ever, a
symbolic link could point anywhere on the machine, a folder named ``x.pdf`` is not a scan.

* :func:`look_at` says what an entry is (and why it cannot be read, if it cannot);
* :func:`content_id` hashes a regular file through a descriptor opened with ``O_NOFOLLOW``,
  so a file swapped for a link in between is refused, not followed;
* :func:`move_owner_only` and :func:`keep_copy` put content under the data folder, owner-only,
  never writing through a link; a link's *target* is never changed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from core.files import make_owner_only_dir

__all__ = [
    "MAX_SCAN_BYTES",
    "Entry",
    "content_id",
    "entry_id",
    "keep_copy",
    "look_at",
    "move_owner_only",
]

#: A scan of a form is a few MB; anything this large is not one (and is not read).
MAX_SCAN_BYTES = 200 * 1024 * 1024
_BLOCK = 1 << 20
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)

_KINDS = {
    stat.S_IFDIR: "フォルダ",
    stat.S_IFIFO: "名前付きパイプ（FIFO）",
    stat.S_IFSOCK: "ソケット",
    stat.S_IFCHR: "デバイス",
    stat.S_IFBLK: "デバイス",
}


@dataclass(frozen=True)
class Entry:
    """One entry of a batch folder, as ``lstat`` saw it."""

    path: Path
    is_regular: bool
    is_link: bool
    refusal: str | None  # why it cannot be read as a scan; None for a regular file or link

    @property
    def suffix(self) -> str:
        """The lower-case suffix, or ``.bin`` when it has none or an odd one (never a path)."""
        suffix = self.path.suffix.lower()
        return suffix if 2 <= len(suffix) <= 6 and suffix[1:].isalnum() else ".bin"


def look_at(path: Path) -> Entry:
    """What ``path`` is, without following it or opening it."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return Entry(path, False, False, "読み取る前に消えました")
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        return Entry(path, False, True, None)
    if stat.S_ISREG(mode):
        return Entry(path, True, False, None)
    kind = _KINDS.get(stat.S_IFMT(mode), "特殊ファイル")
    reason = f"{kind}はスキャンではないため読みません（元の場所に残しています）"
    return Entry(path, False, False, reason)


def entry_id(path: Path) -> str:
    """``entry-`` and 16 hex digits of the SHA-256 of the name: an id for what has no content
    to hash (a folder, a FIFO), that never shows the name itself."""
    digest = hashlib.sha256(os.fsencode(path.name)).hexdigest()
    return f"entry-{digest[:16]}"


def content_id(path: Path, *, follow_link: bool = False) -> str:
    """``scan-`` and the first 16 hex digits of the file's SHA-256.

    Raises ``OSError`` if ``path`` is not (or stopped being) a regular file, or is larger
    than :data:`MAX_SCAN_BYTES`; a link is refused unless ``follow_link``.
    """
    flags = _READ_FLAGS | (0 if follow_link else os.O_NOFOLLOW)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if info.st_size > MAX_SCAN_BYTES:
            raise OSError(errno.EFBIG, "larger than a scan can be")
        digest = hashlib.sha256()
        while block := os.read(fd, _BLOCK):
            digest.update(block)
    finally:
        os.close(fd)
    return f"scan-{digest.hexdigest()[:16]}"


def move_owner_only(source: Path, target: Path) -> Path:
    """Move the regular file ``source`` to ``target`` (folder 700, file 600); returns ``target``.

    A rename where it can; across file systems a copy written without following links, then
    the source removed. ``source`` must not be a link (see :func:`keep_copy` for those).
    """
    make_owner_only_dir(target.parent)
    if target.exists() and os.path.samefile(source, target):
        _tighten(target)
        return target
    if os.path.islink(source):
        raise OSError(errno.ELOOP, "a link is copied, never moved")
    try:
        os.rename(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        keep_copy(source, target, follow_link=False)
        os.unlink(source)
    _tighten(target)
    return target


def keep_copy(source: Path, target: Path, *, follow_link: bool) -> Path:
    """Copy the content of ``source`` to a new owner-only ``target``; returns ``target``.

    ``follow_link=True`` reads through a link to a regular file (the link and its target are
    left as they are); anything that is not a regular file raises ``OSError``.
    """
    make_owner_only_dir(target.parent)
    source_fd = os.open(source, _READ_FLAGS | (0 if follow_link else os.O_NOFOLLOW))
    try:
        info = os.fstat(source_fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SCAN_BYTES:
            raise OSError(errno.EINVAL, "not a regular file of a scan's size")
        target_fd = os.open(target, _WRITE_FLAGS, 0o600)
        os.fchmod(target_fd, 0o600)
        with os.fdopen(target_fd, "wb") as copy:
            while block := os.read(source_fd, _BLOCK):
                copy.write(block)
            copy.flush()
            os.fsync(copy.fileno())
    finally:
        os.close(source_fd)
    return target


def _tighten(path: Path) -> None:
    """chmod 600 through a descriptor that refuses links (``os.chmod`` would follow one)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
