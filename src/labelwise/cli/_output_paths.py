"""The types of the output options: an ``--out`` folder or an output file that cannot be written is a
usage error before any input is read."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import click


def output_folder_problem(path: Path) -> str | None:
    """Why no output can be written in folder ``path`` (None: it can), checked before any work.

    The folder, or the nearest folder above it that exists (``path`` is created later), must be
    a folder in which a file can be created: a probe file is created and removed at once, which
    also catches read-only file systems and permissions a superuser's ``os.access`` ignores.
    """
    if path.exists() and not path.is_dir():
        return f"{str(path)!r} is a file, expected a folder"
    existing = next((p for p in (path, *path.parents) if p.exists()), Path.cwd())
    if not existing.is_dir():
        return f"{str(path)!r} cannot be created: {str(existing)!r} is a file, not a folder"
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".labelwise-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        why = exc.strerror or str(exc)
        if existing == path:
            return f"{str(path)!r} is not writable ({why})"
        return f"{str(path)!r} cannot be created: {str(existing)!r} is not writable ({why})"
    return None


class OutputFolder(click.Path):
    """The type of an ``--out`` folder option: a usage error (exit 2) at once when nothing can be written there."""

    name = "folder"

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:  # noqa: D102
        path = super().convert(value, param, ctx)
        problem = output_folder_problem(Path(os.fsdecode(path)))
        if problem is not None:
            self.fail(problem, param, ctx)
        return path


class OutputFile(click.Path):
    """The type of an output file option: a usage error (exit 2) at once when it cannot be written.

    An existing folder is refused by :class:`click.Path`; a file whose folder cannot hold it
    (a file in the way, no permission) is refused here, before any input is read.
    """

    name = "file"

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:  # noqa: D102
        path = super().convert(value, param, ctx)
        problem = output_folder_problem(Path(os.fsdecode(path)).parent)
        if problem is not None:
            self.fail(f"cannot write {os.fsdecode(path)!r}: {problem}", param, ctx)
        return path
