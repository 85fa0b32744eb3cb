"""Every command's outputs are written atomically, and an interrupted write loses nothing.

A first run of each command's valid invocation records which files reach the output folder
through :func:`labelwise.io.atomic.atomic_write` (moved into place from its temporary file):
every output file must. Its outputs are then replaced by marker files (an "earlier run"), and
the command is run again with the first, then the last, file it writes interrupted (Ctrl-C)
halfway through writing: the command exits with status 130 and one line on stderr, and the folder holds
the earlier files byte for byte and no temporary file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import labelwise.io.atomic as atomic
from labelwise.cli import main

from .specs import SPECS, Spec
from .test_bad_inputs import fill, snapshot

#: The first spec of each command that writes files.
WRITERS = [name for name, spec in SPECS.items() if name == spec.argv[0] and spec.out_kind != "none"]


class _Halfway:
    """A file object that writes half of its first write, then raises KeyboardInterrupt (Ctrl-C)."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh

    def write(self, data: Any) -> int:
        self._fh.write(data[: max(len(data) // 2, 1)])
        self._fh.flush()
        raise KeyboardInterrupt

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def __enter__(self) -> _Halfway:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()


class _OsOf:
    """``labelwise.io.atomic``'s view of :mod:`os`: ``fdopen`` and ``replace`` watched, the rest as is."""

    def __init__(self, interrupt_at: int | None) -> None:
        self.interrupt_at = interrupt_at
        self.opened = 0
        self.moved: list[Path] = []

    def fdopen(self, *args: Any, **kwargs: Any) -> Any:
        fh = os.fdopen(*args, **kwargs)
        self.opened += 1
        return _Halfway(fh) if self.opened - 1 == self.interrupt_at else fh

    def replace(self, src: Any, dst: Any) -> None:
        os.replace(src, dst)
        self.moved.append(Path(dst).resolve())

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


def _run(spec: Spec, inputs: dict[str, Path], out: Path, monkeypatch, interrupt_at: int | None = None):
    watched = _OsOf(interrupt_at)
    monkeypatch.setattr(atomic, "os", watched)
    argv = fill(spec, inputs, out) + (["--force"] if spec.argv[0] == "export" and interrupt_at is not None else [])
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    monkeypatch.setattr(atomic, "os", os)
    return result, watched


@pytest.mark.parametrize("name", WRITERS)
def test_outputs_are_atomic_and_an_interrupted_write_keeps_the_earlier_files(name: str, inputs, tmp_path, monkeypatch):
    """All outputs moved into place by atomic_write; Ctrl-C in the first or last write: exit 130, earlier files kept."""
    spec = SPECS[name]
    out = tmp_path / "results" / (spec.outputs[0] if spec.out_kind == "file" else "")
    folder = out if spec.out_kind == "folder" else out.parent
    result, watched = _run(spec, inputs, out, monkeypatch)
    assert result.exit_code == 0, result.output
    written = sorted(p for p in folder.rglob("*") if p.is_file())
    assert written and all(p.resolve() in watched.moved for p in written), (written, watched.moved)
    for path in written:  # an earlier report is a labelwise report (another file is never written over)
        earlier = "<title>labelwise report: earlier</title>" if path.suffix == ".html" else "earlier"
        path.write_text(f"{earlier} {path.name}\n")
    before = snapshot(folder)
    for k in sorted({0, watched.opened - 1}):
        result, _ = _run(spec, inputs, out, monkeypatch, interrupt_at=k)
        assert result.exit_code == 130, f"write {k}: exit {result.exit_code}\n{result.output}"
        said = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
        assert said == ["interrupted: no file was half-written"], result.output
        assert snapshot(folder) == before, f"write {k} of {watched.opened}: the output folder changed"
