"""The one check that an input path exists and is what the caller needs (a file or a folder).

Every reader and command checks its inputs here, so the message has one wording everywhere:
``--probs must be an existing .npy file: 'run/p.npy' does not exist``. It names the parameter
(or command-line option), what was expected and what the path turned out to be.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DataFileError

__all__ = ["require_file", "require_folder", "require_path"]


def _found(path: Path) -> str:
    """What ``path`` is, in the words the messages use."""
    if path.is_dir():
        return "is a folder"
    if path.is_file():
        return "is a file"
    if path.exists():
        return "is neither a file nor a folder"
    return "does not exist"


def _refuse(path: Path, parameter: str, kind: str) -> DataFileError:
    return DataFileError(f"{parameter} must be an existing {kind}: {str(path)!r} {_found(path)}")


def require_file(path: str | os.PathLike, *, parameter: str, kind: str = "file") -> Path:
    """Return ``path`` as a :class:`~pathlib.Path` if it is an existing regular file.

    Parameters
    ----------
    path : str or os.PathLike
        The path to check.
    parameter : str
        How the message names it: the function's parameter (``"path"``) or the command's option
        (``"--probs"``).
    kind : str, default "file"
        What was expected, e.g. ``"CoNLL file"`` or ``".npy file"``.

    Returns
    -------
    pathlib.Path
        ``path``, unchanged apart from its type.

    Raises
    ------
    DataFileError
        If ``path`` does not exist, is a folder, or is something else (a socket, a device); the
        message reads ``{parameter} must be an existing {kind}: {path!r} does not exist``.
    """
    p = Path(path)
    if not p.is_file():
        raise _refuse(p, parameter, kind)
    return p


def require_folder(path: str | os.PathLike, *, parameter: str, kind: str = "folder") -> Path:
    """Return ``path`` as a :class:`~pathlib.Path` if it is an existing folder.

    Parameters
    ----------
    path : str or os.PathLike
        The path to check.
    parameter : str
        How the message names it (a parameter or a command-line option).
    kind : str, default "folder"
        What was expected, e.g. ``"mask folder"``.

    Returns
    -------
    pathlib.Path
        ``path``, unchanged apart from its type.

    Raises
    ------
    DataFileError
        If ``path`` does not exist or is not a folder (e.g. a file given for a folder).
    """
    p = Path(path)
    if not p.is_dir():
        raise _refuse(p, parameter, kind)
    return p


def require_path(path: str | os.PathLike, *, parameter: str, kind: str) -> Path:
    """Return ``path`` as a :class:`~pathlib.Path` if it is an existing file or folder.

    For inputs that may be either, e.g. a ``.npy`` file or a Zarr store, or a Parquet file or a
    folder of Parquet parts; the reader then tells them apart.

    Parameters
    ----------
    path : str or os.PathLike
        The path to check.
    parameter : str
        How the message names it (a parameter or a command-line option).
    kind : str
        What was expected, e.g. ``"Parquet file or folder"``.

    Returns
    -------
    pathlib.Path
        ``path``, unchanged apart from its type.

    Raises
    ------
    DataFileError
        If ``path`` is neither an existing file nor an existing folder.
    """
    p = Path(path)
    if not (p.is_file() or p.is_dir()):
        raise _refuse(p, parameter, kind)
    return p
