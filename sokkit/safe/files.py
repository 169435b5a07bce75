"""Atomic file and folder writes (output is complete or absent, never half-written), and
reads that take regular files only (never a link, FIFO or device)."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def replace_dir(built: Path, target: Path, marker: str | None = None) -> None:
    """Move a fully built folder onto `target`, keeping the old one until the swap.

    With `marker`, the folder the old one waits in holds a file of that name with our pid,
    so that a later run can tell a leftover of a killed swap from one in progress."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        if marker:
            (old / marker).write_text(f"{os.getpid()}\n", encoding="utf-8")
        os.replace(target, old / "previous")
    try:
        shutil.move(str(built), str(target))
    except BaseException:
        if old is not None:
            os.replace(old / "previous", target)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


class UnsafeFile(Exception):
    """A path under catalog/ or docs/ that is not a regular file of a sane size."""


# Sources are small text and figures; anything larger is a mistake or an attack.
MAX_SOURCE_BYTES = 10_000_000


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def check_regular(path: Path | str, limit: int = MAX_SOURCE_BYTES) -> os.stat_result:
    """lstat `path` and refuse anything but a regular file of at most `limit` bytes, before reading it."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise UnsafeFile(f"{path}: cannot read file: {exc.strerror or exc}") from None
    kind = _kind(info.st_mode)
    if kind:
        raise UnsafeFile(f"{path}: is {kind}; only regular files are read")
    if info.st_size > limit:
        raise UnsafeFile(f"{path}: file is {info.st_size} bytes; the limit is {limit}")
    return info


def read_regular(path: Path | str, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a regular file, refusing links, FIFOs, devices and files over `limit`.

    lstat first, then open without following links and without blocking on a FIFO swapped
    in meanwhile, and check the opened file again: a race cannot make us read a device."""
    check_regular(path, limit)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UnsafeFile(f"{path}: cannot read file: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if _kind(info.st_mode):
            raise UnsafeFile(f"{path}: is {_kind(info.st_mode)}; only regular files are read")
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise UnsafeFile(f"{path}: file is over {limit} bytes")
    return raw


def copy_regular_tree(src: Path, dst: Path) -> list[str]:
    """Copy a folder of regular files (skipping dot-files), refusing links and special files.

    Returns the copied files' paths relative to `src`."""
    copied = []
    for folder, dirs, files in os.walk(src):
        here = Path(folder)
        for name in sorted(dirs):
            if os.path.islink(here / name):
                raise UnsafeFile(f"{here / name}: is a symbolic link; only regular files are read")
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            rel = (here / name).relative_to(src)
            target = dst / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(read_regular(here / name))
            copied.append(rel.as_posix())
    return copied
