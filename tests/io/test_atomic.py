"""files_together: the files of one output are moved into place together, all or none."""

from __future__ import annotations

import os
import signal

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import StorageError
from labelwise.io import atomic as atomic_module
from labelwise.io import files_together, write_csv, write_json, write_npy


def _previous(folder):
    folder.mkdir(exist_ok=True)
    (folder / "issues.csv").write_text("previous issues")
    (folder / "summary.json").write_text("previous summary")


def _contents(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_files_appear_only_when_the_block_ends(tmp_path):
    """Inside the block the previous files are still in place; after it, every new one is."""
    _previous(tmp_path)
    with files_together():
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / "issues.csv")
        write_npy(np.eye(2), tmp_path / "probs.npy")
        assert (tmp_path / "issues.csv").read_text() == "previous issues"
        assert not (tmp_path / "probs.npy").exists()
        write_json({"n": 1}, tmp_path / "summary.json")
    assert (tmp_path / "issues.csv").read_text() == "a\n1\n"
    assert (tmp_path / "summary.json").read_text() == '{\n  "n": 1\n}\n'
    np.testing.assert_array_equal(np.load(tmp_path / "probs.npy"), np.eye(2))
    assert sorted(os.listdir(tmp_path)) == ["issues.csv", "probs.npy", "summary.json"]


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_block_keeps_every_previous_file_and_no_temporary(tmp_path, error):
    """Ctrl-C (or an error) after the first file is written: all previous files stay, no temporaries."""
    _previous(tmp_path)
    before = _contents(tmp_path)
    with pytest.raises(error):
        with files_together():
            write_csv(pd.DataFrame({"a": [1]}), tmp_path / "issues.csv")
            raise error
    assert _contents(tmp_path) == before


def test_a_failed_move_is_a_storage_error_and_removes_the_rest(tmp_path, monkeypatch):
    """A move that fails (a full disk) names the file; the temporaries not yet moved are removed."""
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(atomic_module.os, "replace", replace)
    with pytest.raises(StorageError, match="summary.json': No space left on device"):
        with files_together():
            write_csv(pd.DataFrame({"a": [1]}), tmp_path / "issues.csv")
            write_json({"n": 1}, tmp_path / "summary.json")
    assert sorted(os.listdir(tmp_path)) == ["issues.csv"]


@pytest.mark.skipif(not hasattr(os, "kill") or os.name != "posix", reason="POSIX signals")
def test_ctrl_c_during_the_moves_waits_until_every_file_is_in_place(tmp_path, monkeypatch):
    """SIGINT arriving between two moves is delivered after the last one: every file is new.

    Ctrl-C is Python's KeyboardInterrupt for the test's duration: a test process started in the
    background by a non-interactive shell inherits SIGINT ignored, and the held signal is then
    (rightly) dropped, as it would be without the block."""
    real = os.replace

    def replace(src, dst):
        if str(dst).endswith("issues.csv"):
            os.kill(os.getpid(), signal.SIGINT)
        real(src, dst)

    _previous(tmp_path)
    monkeypatch.setattr(atomic_module.os, "replace", replace)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with files_together():
                write_csv(pd.DataFrame({"a": [1]}), tmp_path / "issues.csv")
                write_json({"n": 1}, tmp_path / "summary.json")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert (tmp_path / "issues.csv").read_text() == "a\n1\n"
    assert (tmp_path / "summary.json").read_text() == '{\n  "n": 1\n}\n'


def test_a_nested_block_joins_the_outer_one(tmp_path):
    """Files of an inner block wait for the outer block's end."""
    with files_together():
        with files_together():
            write_json({"n": 1}, tmp_path / "inner.json")
        assert not (tmp_path / "inner.json").exists()
        write_json({"n": 2}, tmp_path / "outer.json")
    assert sorted(os.listdir(tmp_path)) == ["inner.json", "outer.json"]


def test_outside_a_block_each_file_is_in_place_at_once(tmp_path):
    """Without a block a writer moves its file into place when it returns."""
    write_json({"n": 1}, tmp_path / "summary.json")
    assert (tmp_path / "summary.json").exists()
