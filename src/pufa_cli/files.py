"""Files pufa writes: complete or not at all (exports, backups), and stdout as UTF-8; and the
documents it reads whole (``read_limited``).

``atomic_path`` hands out a temporary file in the target's folder; when the writer is done it
is flushed to disk and renamed over the target (or, without ``replace``, linked to a name that
must not exist yet), and the folder is synced: a reader never sees half a file, and a failure
leaves the previous file as it was. Temporary files are named ``.NAME.XXXXXXXX.tmp``.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pufa_cli.errors import BadInput, Conflict, RuntimeFailure
from pufa_cli.i18n import _


def read_limited(
    path: Path,
    limit: int,
    error: Callable[[str], BadInput],
    *,
    too_large: str,
    folder: str,
) -> bytes:
    """The bytes of a file the user named (a plan file, a plan document), at most ``limit`` of
    them; else ``error`` with one line: no such file, ``folder`` (it is one), cannot read, or
    ``too_large`` (checked before reading and again after, in case it grew)."""
    name = str(path)
    try:
        if path.stat().st_size > limit:
            raise error(too_large)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(_("{file}: no such file").format(file=name)) from None
    except IsADirectoryError:
        raise error(folder) from None
    except OSError as exc:
        raise error(
            _("{file}: cannot read: {reason}").format(file=name, reason=exc.strerror)
        ) from None
    if len(raw) > limit:
        raise error(too_large)
    return raw


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); harmless where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def stdout_text() -> Iterator[IO[str]]:
    """stdout as UTF-8 text whatever the locale (a cron job's may be C)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # already a text stream (tests capture it so)
        yield sys.stdout
        return
    sys.stdout.flush()
    wrapper = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=False)
    try:
        yield wrapper
        wrapper.flush()
        buffer.flush()
    except BrokenPipeError:
        # The reader (head, less) closed the pipe: it has what it wanted, not an error. The
        # rest goes to /dev/null, so that flushing at exit does not fail again (Python docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, buffer.fileno())
        os.close(devnull)
    finally:
        wrapper.detach()


def _cannot_write(path: Path, reason: str) -> RuntimeFailure:
    return RuntimeFailure(_("cannot write {path}: {reason}").format(path=path, reason=reason))


@contextmanager
def atomic_path(path: Path, *, replace: bool = True, private: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path`` that becomes ``path`` when the block ends without error.

    ``replace``: rename over an existing ``path``; else publish with a hard link, which fails
    (Conflict) if ``path`` appeared meanwhile (no check-then-write race). ``private``: keep
    mkstemp's mode 0600; else the replaced file's mode, or a new file's under the umask.
    A missing or unwritable folder, a full disk: RuntimeFailure (exit 1), the temporary file
    removed and a previous file at ``path`` untouched; any other error is re-raised likewise.
    """
    path = Path(path)
    folder = path.absolute().parent
    if not folder.is_dir():
        raise _cannot_write(path, _("folder {folder} does not exist").format(folder=folder))
    if path.is_dir():
        raise _cannot_write(path, _("it is a folder"))
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _cannot_write(path, exc.strerror or str(exc)) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _fsync_file(tmp)
        if not private:
            os.chmod(tmp, _file_mode(path))
        _publish(tmp, path, replace=replace)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot_write(path, exc.strerror or str(exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(folder)


@contextmanager
def atomic_file(path: Path, *, binary: bool = False, replace: bool = True) -> Iterator[IO[Any]]:
    """``atomic_path`` opened for writing: UTF-8 text without newline translation, or bytes."""
    with atomic_path(path, replace=replace) as tmp:
        fh: IO[Any] = (
            open(tmp, "wb", buffering=1 << 20)
            if binary
            else open(tmp, "w", encoding="utf-8", newline="", buffering=1 << 20)
        )
        with fh:
            yield fh


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(tmp: Path, dest: Path, *, replace: bool) -> None:
    if replace:
        os.replace(tmp, dest)
        return
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise Conflict(_("{path} exists; use --force to replace it").format(path=dest)) from None
    except OSError:  # a file system without hard links
        if dest.exists():
            raise Conflict(
                _("{path} exists; use --force to replace it").format(path=dest)
            ) from None
        os.replace(tmp, dest)
    else:
        tmp.unlink()


def _file_mode(path: Path) -> int:
    """The mode a new file would get (mkstemp's is 0600), or the replaced file's."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
