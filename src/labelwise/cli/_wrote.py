"""The "wrote ..." line of every command: each file it wrote, as a path the user can open.

One implementation for all commands, so no command names its folder on the first file only
(``wrote x1/values.csv, annotators.csv``: the user cannot open ``annotators.csv`` from where they
are) or lists bare names followed by ``to FOLDER``. Each path is printed as the command was given
it (``--out x1`` gives ``x1/values.csv``, relative to where the command ran), escaped for rich's
markup (a folder named ``runs[2]`` is printed as written).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from ._common import console, plain

#: One written file: its path, or its path and a note printed after it (``masks/ (3 masks)``).
Written = str | os.PathLike[str] | tuple[str | os.PathLike[str], str]


def wrote_text(files: Iterable[Written]) -> str:
    """``wrote a/x.csv, a/y.csv, a/summary.json``: the files in the order given, as rich markup.

    Parameters
    ----------
    files
        Each file written: a path (joined with its folder by the caller, ``out / "x.csv"``) or a
        ``(path, note)`` pair whose note follows the path in parentheses.

    Returns
    -------
    str
        The sentence, every path and note escaped (:func:`~labelwise.cli._common.plain`), so it
        can be printed alone or end a longer line (``3 of 10 labels changed; wrote ...``).
    """
    parts = []
    for item in files:
        path, note = item if isinstance(item, tuple) else (item, "")
        parts.append(plain(os.fspath(path)) + (f" ({plain(note)})" if note else ""))
    if not parts:
        raise ValueError("wrote_text needs at least one file")
    return "wrote " + ", ".join(parts)


def print_wrote(files: Iterable[Written]) -> None:
    """Print :func:`wrote_text` of ``files`` on the command's console (nothing under ``--quiet``)."""
    console().print(wrote_text(files))
