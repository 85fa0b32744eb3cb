"""Reading numpy's ``.npy`` and ``.npz`` files, with one error for every way the file can be unreadable.

``numpy.load`` fails in many ways on a file that is not what it should be: ``EOFError`` on an
empty file (which click takes for Ctrl-D and turns into a bare "Aborted!"), ``ValueError`` on a
truncated header or a missing pickle permission, ``zipfile.BadZipFile`` or ``zlib.error`` on a
damaged archive, and it returns an archive where an array was expected. Every reader of an array
file goes through :func:`load_npy` or :func:`load_npz`, which turn all of these into a
:class:`~labelwise.errors.DataFileError` that names the parameter (or option) and the file:
``--probs file 'run/p.npy' is not a readable .npy file: it is empty (0 bytes)``.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._extras import require
from ..errors import DataFileError
from .paths import require_file
from .plain_text import COMPRESSIONS

__all__ = ["NpzArrays", "load_npy", "load_npz", "load_zarr", "unreadable"]

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = b"PK"  # a local file header (PK\x03\x04), or an empty archive (PK\x05\x06)
#: numpy's words for an array file whose data stops before its header's shape is filled.
_SHORT = ("Failed to read all data", "mmap length is greater than file size", "cannot reshape array")
#: What numpy raises on a file that is not (or no longer) a whole array file.
_FAILURES = (EOFError, ValueError, OSError, zipfile.BadZipFile, zlib.error)


def unreadable(parameter: str, path: Path, kind: str, reason: str) -> DataFileError:
    """The error for an array file that cannot be read: ``{parameter} file {path!r} is not a readable {kind} file: {reason}``."""
    return DataFileError(f"{parameter} file {str(path)!r} is not a readable {kind} file: {reason}")


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if "pickle" in text or "Python objects" in text:
        return (
            "it holds Python objects (an object array), which labelwise does not unpickle; "
            "save strings or numbers instead, e.g. numpy.save(path, values.astype(str))"
        )
    if any(m in text for m in _SHORT):
        return f"it is shorter than its header says (truncated?): {text}"
    if isinstance(exc, EOFError):
        return f"it ends too early ({text})" if text else "it ends too early"
    return text or type(exc).__name__


def _checked(path: str | os.PathLike, parameter: str, kind: str, magic: bytes) -> Path:
    """``path`` as a Path, refused if missing, empty, or without ``magic`` at its start."""
    p = require_file(path, parameter=parameter, kind=f"{kind} file")
    with p.open("rb") as fh:
        head = fh.read(len(magic))
    if not head:
        raise unreadable(parameter, p, kind, "it is empty (0 bytes)")
    if head != magic:
        if p.suffix.lower() in COMPRESSIONS:  # probs.npy.gz
            reason = f"it is compressed ({p.suffix}), and numpy reads {kind} files as saved: decompress it first"
        elif kind == ".npy" and head.startswith(_ZIP_MAGIC):
            reason = "it is a .npz archive, not a .npy array; give one array saved with numpy.save(path, array)"
        elif kind == ".npy":
            reason = "it is not a .npy array (it lacks numpy's header); save the array with numpy.save(path, array)"
        else:
            reason = "it is not a .npz archive (it lacks the zip header); save the arrays with numpy.savez(path, ...)"
        raise unreadable(parameter, p, kind, reason)
    return p


def load_npy(path: str | os.PathLike, *, parameter: str, mmap: bool = False) -> np.ndarray:
    """The array of a ``.npy`` file, read (or memory-mapped read-only) without ever unpickling.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    parameter : str
        How the message names it: the function's parameter (``"path"``) or the command's option
        (``"--probs"``).
    mmap : bool, default False
        Memory-map it read-only instead of reading it into memory.

    Returns
    -------
    numpy.ndarray
        The array (a read-only :class:`numpy.memmap` with ``mmap``).

    Raises
    ------
    DataFileError
        If the file is missing, empty, truncated, not a ``.npy`` file (a CSV, a ``.npz`` archive),
        or holds Python objects; the message reads ``{parameter} file {path!r} is not a readable
        .npy file: {reason}``.
    """
    p = _checked(path, parameter, ".npy", _NPY_MAGIC)
    try:
        return np.load(p, allow_pickle=False, mmap_mode="r" if mmap else None)
    except _FAILURES as exc:
        raise unreadable(parameter, p, ".npy", _reason(exc)) from None


class NpzArrays(Mapping[str, np.ndarray]):
    """The arrays of a ``.npz`` file, already read: a mapping by name with numpy's ``NpzFile``
    surface (``files``, ``data[name]``, ``with ... as data``), so a caller of ``numpy.load`` changes one line.

    Attributes
    ----------
    files : list of str
        The arrays' names, in the archive's order.
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._arrays = arrays
        self.files = list(arrays)

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def __enter__(self) -> NpzArrays:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def load_npz(path: str | os.PathLike, *, parameter: str) -> NpzArrays:
    """Every array of a ``.npz`` file, read into memory (so a damaged member fails here, not later).

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    parameter : str
        How the message names it (a function's parameter or a command's option).

    Returns
    -------
    NpzArrays
        The arrays by name, in the archive's order.

    Raises
    ------
    DataFileError
        If the file is missing, empty, truncated or damaged, not a zip archive, or a member holds
        Python objects; the message reads ``{parameter} file {path!r} is not a readable .npz
        file: {reason}``.
    """
    p = _checked(path, parameter, ".npz", _ZIP_MAGIC)
    try:
        with np.load(p, allow_pickle=False) as data:
            return NpzArrays({name: data[name] for name in data.files})
    except _FAILURES as exc:
        raise unreadable(parameter, p, ".npz", _reason(exc)) from None


def load_zarr(path: str | os.PathLike, *, parameter: str) -> Any:
    """A Zarr array store as a dask array read chunk by chunk, with a :class:`DataFileError` naming
    ``parameter`` and the store for every way it cannot be read.

    ``dask.array.from_zarr`` raises zarr's own errors (``ArrayNotFoundError`` on an empty folder or
    a file, ``NodeTypeValidationError`` on a group, each with a traceback through zarr's store
    code); they become one line that says what the store holds instead of an array.

    Parameters
    ----------
    path : path-like
        The ``.zarr`` store (a folder holding one array).
    parameter : str
        The parameter or option the store was given as, for the error.

    Returns
    -------
    dask.array.Array
        The stored array, in the store's chunks.

    Raises
    ------
    DataFileError
        The path holds no Zarr array (an empty folder, a file, a group of arrays, a damaged store).
    MissingDependencyError
        Dask or zarr (the ``dask`` extra) is not installed.
    """
    what = f"{parameter} {str(path)!r} (a Zarr store)"
    da = require("dask.array", what)
    require("zarr", what)  # dask imports it only inside from_zarr, where its ImportError would escape
    try:
        return da.from_zarr(str(path))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else "no array found"
        raise unreadable(
            parameter,
            Path(path),
            "Zarr array",
            f"{type(exc).__name__}: {first} (a store of one array is expected, e.g. written with "
            "dask.array.to_zarr(probs, path) or zarr.open_array(path, mode='w', ...))",
        ) from None
