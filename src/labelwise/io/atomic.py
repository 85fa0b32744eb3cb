"""Atomic file writes: write to a temporary file in the same folder, then rename.

An interrupted run (Ctrl-C, a crash, a full disk) leaves either the previous file or the new one,
never a half-written file: ``os.replace`` is atomic within one file system. The files of one output
(a command's ``issues.csv`` and ``summary.json``) are moved into place together by
:func:`files_together`, so that Ctrl-C leaves all the previous files or all the new ones. A file that cannot be
written (a read-only folder, a file where a folder should be, a full disk) raises
:class:`~labelwise.errors.StorageError` naming it, which the command line prints as one line.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from ..errors import DataFileError, InvalidParameterError, StorageError
from .plain_text import COMPRESSIONS, compressed_writer

if TYPE_CHECKING:  # only the frames' own methods are called: the command line's --help does not import pandas
    import pandas as pd


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", *, encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path`` and move it over ``path`` only on success.

    Parameters
    ----------
    path : path-like
        Destination. Its folder is created if needed.
    mode : {"w", "wb"}
        Text or binary.
    encoding : str or None
        Text encoding (ignored in binary mode).

    Raises
    ------
    StorageError
        The folder cannot be created or written, or writing fails (e.g. a full disk); any
        temporary file is removed and an existing ``path`` is left as it was.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    dest = Path(path)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        mode_bits = _file_mode(dest)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    except OSError as exc:
        raise _storage_error(dest, exc) from exc
    with contextlib.suppress(OSError):  # mkstemp makes the file private (0600); give it a new file's mode
        os.chmod(tmp, mode_bits)
    try:
        kwargs: dict[str, Any] = {"encoding": encoding, "newline": ""} if mode == "w" else {}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        pending = _TOGETHER.get()
        if pending is None:
            os.replace(tmp, dest)
        else:
            pending.append((tmp, dest))  # moved into place by ``files_together``
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _storage_error(dest, exc) from exc
        raise


#: The temporary files of the innermost :func:`files_together` block, with their destinations.
_TOGETHER: ContextVar[list[tuple[str, Path]] | None] = ContextVar("labelwise_files_together", default=None)
#: The earlier outputs that the innermost block's files replace (see ``supersedes``).
_SUPERSEDED: ContextVar[list[Path] | None] = ContextVar("labelwise_files_superseded", default=None)


@contextlib.contextmanager
def files_together(supersedes: Iterable[str | os.PathLike] = ()) -> Iterator[None]:
    """Write the files of one output together: at the end, all of them or none.

    Inside the block each :func:`atomic_write` (and so :func:`write_csv`, :func:`write_json`,
    :func:`write_npy`) writes its whole temporary file but leaves it beside its destination; when
    the block ends, every one is moved into place, with Ctrl-C (SIGINT) held back from the first
    move to the last. So an interrupted command leaves either every previous file or every new one
    (not a new ``issues.csv`` beside the previous run's ``summary.json``). If the block raises,
    the temporary files are removed and the previous files stay. A nested block joins the outer one.

    Parameters
    ----------
    supersedes : iterable of path-like
        Files (or folders) of an earlier output of the same kind that the block's files replace:
        those the block did not write are removed right after the moves, so that no file of an
        earlier run is read with the new ones (an earlier audit's ``probs.npy`` beside a task
        audit's ``issues.csv``). Nothing is removed when the block raises.

    Raises
    ------
    StorageError
        A move fails; the files not yet moved are removed (and nothing superseded is).
    """
    outer = _SUPERSEDED.get()
    if _TOGETHER.get() is not None and outer is not None:
        outer.extend(Path(p) for p in supersedes)
        yield
        return
    pending: list[tuple[str, Path]] = []
    superseded = [Path(p) for p in supersedes]
    token, token_superseded = _TOGETHER.set(pending), _SUPERSEDED.set(superseded)
    try:
        yield
    except BaseException:
        _remove(tmp for tmp, _ in pending)
        raise
    finally:
        _TOGETHER.reset(token)
        _SUPERSEDED.reset(token_superseded)
    with _sigint_held():
        for i, (tmp, dest) in enumerate(pending):
            try:
                _replace(tmp, dest)
            except OSError as exc:
                _remove(t for t, _ in pending[i:])
                raise _storage_error(dest, exc) from exc
        written = {os.path.abspath(dest) for _, dest in pending}
        _remove_superseded(p for p in superseded if os.path.abspath(p) not in written)


def _remove_superseded(paths: Iterator[Path]) -> None:
    for path in paths:
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        except OSError as exc:
            raise _storage_error(path, exc) from exc


def move_into_place(tmp: str | os.PathLike, dest: str | os.PathLike) -> None:
    """Move a finished temporary file or folder ``tmp`` (beside ``dest``) onto ``dest``.

    Outside a :func:`files_together` block the move happens at once; inside one it happens when
    the block ends, with the block's other files (so a folder written partition by partition,
    such as ``issues.parquet/``, lands together with its ``summary.json``, and stays the previous
    one if the block raises). A folder replaces a folder: the previous one is renamed aside,
    the new one renamed into place, then the previous one removed.

    Parameters
    ----------
    tmp : path-like
        The temporary file or folder, on the same file system as ``dest``.
    dest : path-like
        Destination.

    Raises
    ------
    StorageError
        The move fails (outside a block; inside one, when the block ends); ``dest`` is left as it was.
    """
    pending = _TOGETHER.get()
    if pending is not None:
        pending.append((str(tmp), Path(dest)))
        return
    try:
        _replace(str(tmp), Path(dest))
    except OSError as exc:
        _remove(iter([str(tmp)]))
        raise _storage_error(Path(dest), exc) from exc


def _replace(tmp: str, dest: Path) -> None:
    """``os.replace(tmp, dest)``, or for a folder onto a folder: the old one aside, the new one in place."""
    if not (os.path.isdir(tmp) and dest.is_dir() and not dest.is_symlink()):
        os.replace(tmp, dest)
        return
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(dest, old)
    try:
        os.replace(tmp, dest)
    except OSError:
        os.replace(old, dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _remove(paths: Iterator[str]) -> None:
    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold Ctrl-C back until the block ends, then act on it as the previous handler would.

    Python runs signal handlers on the main thread whichever thread the signal reaches, so the
    handler is swapped there (a signal mask would not do: another thread could take the signal).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        if callable(previous):
            previous(signal.SIGINT, None)
        elif previous == signal.SIG_DFL:
            signal.raise_signal(signal.SIGINT)


def _file_mode(dest: Path) -> int:
    """The permission bits ``dest`` gets: those of the file it replaces, else ``0o666`` less the umask.

    The same as writing the file with ``open(dest, "w")``: readable by the group and others under
    the usual umask 022, where the temporary file of ``tempfile.mkstemp`` is readable by its owner only.
    """
    with contextlib.suppress(OSError):
        return stat.S_IMODE(dest.stat().st_mode)
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask: read from ``/proc/self/status`` where it is, else set and restored at once."""
    with contextlib.suppress(OSError, ValueError, StopIteration):
        with open("/proc/self/status", encoding="ascii") as fh:
            return int(next(line for line in fh if line.startswith("Umask:")).split()[1], 8)
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


_UMASK_LOCK = threading.Lock()


def _storage_error(dest: Path, exc: OSError) -> StorageError:
    """``cannot write 'out/issues.csv': Permission denied`` (the OS's reason, without its errno)."""
    blocking = next((p for p in dest.parents if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        return StorageError(f"cannot write {str(dest)!r}: {str(blocking)!r} is a file, not a folder")
    return StorageError(f"cannot write {str(dest)!r}: {exc.strerror or exc}")


def write_csv(frame: pd.DataFrame, path: str | os.PathLike, *, index: bool = False) -> Path:
    """Write ``frame`` as CSV atomically."""
    with atomic_write(path, "w") as fh:
        frame.to_csv(fh, index=index)
    return Path(path)


#: The suffixes :func:`write_table` writes, each with its format.
TABLE_FORMATS = {
    ".csv": "CSV",
    ".tsv": "TSV",
    ".parquet": "Parquet",
    ".pq": "Parquet",
    ".jsonl": "JSON Lines",
    ".ndjson": "JSON Lines",
}


def written_suffix(path: str | os.PathLike) -> str | None:
    """The suffix :func:`write_table` writes ``path`` by, as written: ``.csv``, ``.parquet``, or a text
    format and its compression (``out.csv.gz`` -> ``.csv.gz``); None for a name it refuses."""
    p = Path(path)
    codec = COMPRESSIONS.get(p.suffix.lower())
    inner = Path(p.stem).suffix if codec else p.suffix
    if inner.lower() not in TABLE_FORMATS or (codec and TABLE_FORMATS[inner.lower()] == "Parquet"):
        return None
    return inner + p.suffix if codec else inner


def write_table(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``frame`` (without its index) atomically, in the format of ``path``'s suffix.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    path : path-like
        Ends in ``.csv``, ``.tsv`` (tab-separated), ``.parquet`` / ``.pq`` or ``.jsonl`` / ``.ndjson``
        (one JSON object per row): :data:`TABLE_FORMATS`, the formats :func:`labelwise.io.read_table`
        reads back. A text format followed by a compression suffix (``out.csv.gz``, ``.bz2``, ``.xz``,
        ``.zst`` with ``zstandard`` installed, ``.zip``) is written compressed; otherwise uncompressed.

    Raises
    ------
    InvalidParameterError
        ``path`` has another suffix.
    DataFileError
        A column Parquet cannot store (e.g. a column mixing numbers and texts); nothing is written.
    StorageError
        The file cannot be written (:func:`atomic_write`).
    """
    dest = Path(path)
    codec = COMPRESSIONS.get(dest.suffix.lower())
    suffix = Path(dest.stem).suffix.lower() if codec else dest.suffix.lower()
    if written_suffix(dest) is None:
        raise InvalidParameterError(
            f"path must end in one of {', '.join(TABLE_FORMATS)} (the table's format), each but Parquet "
            f"compressed if followed by one of {', '.join(COMPRESSIONS)}, got {str(dest)!r}"
        )
    if codec:
        _write_compressed(frame, dest, suffix, codec)
    elif TABLE_FORMATS[suffix] == "Parquet":
        try:
            with atomic_write(dest, "wb") as fh:
                frame.to_parquet(fh, index=False)
        except StorageError:
            raise
        except (ValueError, TypeError, NotImplementedError) as exc:  # pyarrow's ArrowInvalid / ArrowTypeError
            raise DataFileError(f"cannot write {str(dest)!r} as Parquet: {exc}") from exc
    elif TABLE_FORMATS[suffix] == "JSON Lines":
        with atomic_write(dest, "w") as fh:
            frame.to_json(fh, orient="records", lines=True, force_ascii=False)
    else:
        with atomic_write(dest, "w") as fh:
            frame.to_csv(fh, index=False, sep="\t" if suffix == ".tsv" else ",")
    return dest


def _write_compressed(frame: pd.DataFrame, dest: Path, suffix: str, codec: str) -> None:
    """:func:`write_table` of a text format (``suffix``) compressed with ``codec``, atomically."""
    if codec == "zstd":
        try:
            import zstandard  # noqa: F401
        except ImportError:
            raise InvalidParameterError(
                f"path {str(dest)!r} asks for zstd compression, which needs the 'zstandard' package: "
                "pip install zstandard, or choose .gz"
            ) from None
    with atomic_write(dest, "wb") as raw, compressed_writer(raw, codec, dest.stem) as fh:
        if TABLE_FORMATS[suffix] == "JSON Lines":
            frame.to_json(fh, orient="records", lines=True, force_ascii=False)
        else:
            frame.to_csv(fh, index=False, sep="\t" if suffix == ".tsv" else ",")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def write_json(obj: Any, path: str | os.PathLike) -> Path:
    """Write ``obj`` as indented JSON atomically (numpy scalars and arrays allowed)."""
    with atomic_write(path, "w") as fh:
        json.dump(obj, fh, indent=2, default=_json_default, allow_nan=False)
        fh.write("\n")
    return Path(path)


def write_npy(array: np.ndarray, path: str | os.PathLike) -> Path:
    """Write ``array`` in ``.npy`` format atomically."""
    with atomic_write(path, "wb") as fh:
        np.save(fh, np.asarray(array), allow_pickle=False)
    return Path(path)


def write_npz(arrays: dict[str, np.ndarray], path: str | os.PathLike) -> Path:
    """Write named arrays in ``.npz`` format (zip-compressed) atomically."""
    with atomic_write(path, "wb") as fh:
        np.savez_compressed(fh, allow_pickle=False, **{name: np.asarray(a) for name, a in arrays.items()})
    return Path(path)
