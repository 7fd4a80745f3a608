"""Atomic file writes: the one way the package writes a file.

Every file tsrnn writes (the command line's forecast, leaderboard and plots, Parquet
forecasts, figures, results JSON) goes through :func:`atomic_path`: the writer writes a
temporary file in the destination's folder (same file system, the same name after a
``.tmp-<token>-`` prefix, so that pandas and matplotlib still read the format from the
extension), which replaces the destination with ``os.replace`` only once the writer has
finished. A failure at any point leaves the previous file as it was (or no file), never a
partial one, and removes the temporary file.

:class:`Outputs` does the same for several files at once (one command-line run): every
file is written to its temporary path first, and all are renamed at the end, so that a
run that fails half way (a plot that cannot be drawn) leaves none of its new files.
"""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["Outputs", "atomic_path", "atomic_write", "atomic_write_text", "figure_path",
           "is_local_path", "save_figure"]


def is_local_path(path) -> bool:
    """Whether ``path`` names a file on the local file system (not a URI or an open file)."""
    return isinstance(path, (str, os.PathLike)) and "://" not in os.fspath(path)


def _temporary(path: Path) -> Path:
    return path.with_name(f".tmp-{uuid.uuid4().hex[:12]}-{path.name}")


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def _fsync(path: Path) -> None:
    """Flush a written file to disk before it replaces the old one (best effort)."""
    with contextlib.suppress(OSError), open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {path}: it is a folder.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not "
                                "exist.")


def _publish(tmp: Path, path: Path) -> None:
    """Rename ``tmp`` over ``path``, keeping the permissions of the file it replaces."""
    if not tmp.exists():
        raise FileNotFoundError(f"nothing was written to {path}; the previous file, if "
                                "any, is left as it was.")
    _fsync(tmp)
    with contextlib.suppress(OSError):
        os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
    os.replace(tmp, path)


def _target(path) -> Path:
    """The file to replace: a symbolic link's target (the link stays a link)."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextlib.contextmanager
def atomic_path(path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    On any exception in the block the temporary file is removed and ``path`` is left as it
    was (the previous file, or no file).

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> open(target).read()
    'done'
    """
    path = _target(path)
    _check_target(path)
    tmp = _temporary(path)
    try:
        yield tmp
        _publish(tmp, path)
    except BaseException:
        _discard(tmp)
        raise


def atomic_write(path, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp)`` on a temporary path beside ``path``, then rename it to ``path``.

    Returns ``path`` (as a ``Path``); a failure of ``writer`` leaves ``path`` as it was.
    """
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def atomic_write_text(path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (results JSON and other text files)."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding=encoding))


def figure_path(path) -> Path:
    """``path`` with ``.png`` added when it has no extension (as matplotlib would save it)."""
    path = Path(path)
    return path if path.suffix else path.with_name(path.name + ".png")


def save_figure(fig, path) -> Path:
    """Save a matplotlib figure atomically, in the format of the extension (default png);
    returns the path written."""
    path = figure_path(path)
    return atomic_write(path, lambda tmp: fig.savefig(tmp, format=path.suffix[1:]))


class Outputs:
    """All the files of one run, published together or not at all.

    ``path(final)`` gives the temporary path to write ``final`` to; :meth:`commit` renames
    every written file to its final name; :meth:`discard` (or an exception inside the
    ``with`` block) removes them all, so the previous files stay as they were.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with Outputs() as out:
    ...     _ = out.path(os.path.join(folder, "a.csv")).write_text("x")
    ...     _ = out.path(os.path.join(folder, "b.csv")).write_text("y")
    >>> sorted(os.listdir(folder))
    ['a.csv', 'b.csv']
    """

    def __init__(self) -> None:
        self._staged: dict[Path, Path] = {}

    def path(self, final) -> Path:
        """The temporary path to write ``final`` to (the same one if asked again)."""
        final = _target(final)
        if final not in self._staged:
            _check_target(final)
            self._staged[final] = _temporary(final)
        return self._staged[final]

    def commit(self) -> list:
        """Rename every staged file to its final name; returns the final paths."""
        missing = [final for final, tmp in self._staged.items() if not tmp.exists()]
        if missing:
            raise FileNotFoundError(f"nothing was written to {missing[0]}.")
        for final, tmp in self._staged.items():
            _publish(tmp, final)
        done, self._staged = list(self._staged), {}
        return done

    def discard(self) -> None:
        """Remove every staged file; the final files are left as they were."""
        for tmp in self._staged.values():
            _discard(tmp)
        self._staged = {}

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            try:
                self.commit()
            except BaseException:
                self.discard()
                raise
        else:
            self.discard()
