"""One atomic write: a temporary file in the target's folder, flushed, then renamed over it.

Readers see either the old file or the new one, never a half-written file; a failure while
writing (disk full, a writer that raises, an interrupt) leaves the old file exactly as it was
and removes the temporary file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["write_atomic", "write_bytes_atomic"]


def write_atomic(path: str | os.PathLike[str], write: Callable[[Path], object], *,
                 suffix: str | None = None) -> Path:
    """Write ``path`` atomically by calling ``write(tmp_path)`` and renaming the result.

    Parameters
    ----------
    path : path-like
        The file to create or replace. Its folder is created when missing.
    write : callable
        Writes the whole content to the temporary path it is given (which does not exist yet).
        What it returns is ignored.
    suffix : str, optional
        Suffix of the temporary file (default: the target's), for writers that choose a format
        by extension (GDAL).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    Exception
        Whatever ``write`` or the rename raises; the old file at ``path`` is left untouched and
        the temporary file removed.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.",
                                    suffix=target.suffix if suffix is None else suffix,
                                    dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        write(tmp)
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`write_atomic`)."""
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))
