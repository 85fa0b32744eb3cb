"""``labelwise.cli._issues_parquet.write_issues``: on Dask's local schedulers the parts are written in
the command's process, byte for byte the files Dask's ``to_parquet`` writes; on ``distributed`` the
workers write them; an interrupted write leaves the previous folder."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import labelwise as lw
from labelwise.cli._scale import write_issues  # re-exported from cli._issues_parquet

from ._data import noisy_probs

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
pq = pytest.importorskip("pyarrow.parquet")


class NoPool(Executor):
    """A process pool that fails the test if a task is sent to it."""

    _max_workers = 2

    def submit(self, *args, **kwargs):
        raise AssertionError("a task was sent to the process pool")


def _audit(labels, probs, rows=300):
    with dask.config.set(scheduler="synchronous"):
        return lw.find_label_issues(da.from_array(labels, chunks=(rows,)), da.from_array(probs, chunks=(rows, -1)))


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.glob("part.*.parquet"), key=lambda p: int(p.name.split(".")[1]))


def _assert_same_parts(ours: Path, reference: Path) -> None:
    """The same part files: names, bytes, schema (with its pandas metadata) and tables."""
    mine, theirs = _parts(ours), _parts(reference)
    assert [p.name for p in mine] == [p.name for p in theirs] and len(mine) > 1
    for a, b in zip(mine, theirs, strict=True):
        assert pq.read_schema(a).equals(pq.read_schema(b), check_metadata=True), a.name
        assert pd.read_parquet(a).equals(pd.read_parquet(b)), a.name
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.fixture(scope="module")
def noisy():
    labels, probs = noisy_probs(1500, 4, noise=0.2, seed=46)
    return labels, probs


class TestLocalSchedulers:
    def test_on_processes_no_part_is_sent_to_the_pool(self, noisy, tmp_path):
        """With ``processes`` the persisted outputs are written here (main sent each chunk to the pool)."""
        result = _audit(*noisy)
        with dask.config.set(scheduler="processes", pool=NoPool()):
            path = write_issues(result, tmp_path)
        table = pd.read_parquet(path)
        np.testing.assert_array_equal(table["is_issue"].to_numpy(), result.compute().is_issue)
        assert len(_parts(path)) == len(result.label_codes.chunks[0])

    @pytest.mark.parametrize("kind", ["int", "str"])
    def test_the_parts_are_the_files_dask_writes(self, noisy, tmp_path, kind):
        """Integer and string labels, with a text check's extra columns: each part's bytes, schema and
        table are those of Dask's ``to_parquet`` of the same frame."""
        from labelwise.cli import _issues_parquet

        labels, probs = noisy
        if kind == "str":
            labels = np.array(["cat", "dog", "owl", "yak"], dtype=object)[labels]
        result = _audit(labels, probs)
        n = len(labels)
        extra = {"near_duplicate_text": np.arange(n) % 7 == 0, "near_duplicate_text_score": np.linspace(0, 1, n)}
        with dask.config.set(scheduler="threads"):
            ours = write_issues(result, tmp_path / "ours", extra)
            reference = tmp_path / "dask"
            _issues_parquet._dask_frame(result, extra).to_parquet(str(reference), write_index=False)
        _assert_same_parts(ours, reference)
        table = pd.read_parquet(ours)
        assert list(table.columns[-2:]) == list(extra) and table["row"].tolist() == list(range(n))

    def test_an_interrupted_write_keeps_the_previous_folder_and_no_temporary(self, noisy, tmp_path, monkeypatch):
        """Ctrl-C after the first part: the previous issues.parquet stays as it was, nothing else is left."""
        result = _audit(*noisy)
        (tmp_path / "issues.parquet").mkdir()
        (tmp_path / "issues.parquet" / "part.0.parquet").write_text("previous")
        written = []
        real = pq.write_table

        def interrupted(table, where, **kwargs):
            if written:
                raise KeyboardInterrupt
            written.append(where)
            real(table, where, **kwargs)

        monkeypatch.setattr(pq, "write_table", interrupted)
        with dask.config.set(scheduler="synchronous"), pytest.raises(KeyboardInterrupt):
            write_issues(result, tmp_path)
        assert written and sorted(p.name for p in tmp_path.iterdir()) == ["issues.parquet"]
        assert (tmp_path / "issues.parquet" / "part.0.parquet").read_text() == "previous"


def test_on_distributed_the_workers_write_the_same_parts(noisy, tmp_path, client, monkeypatch):
    """With a client the workers write the parts (a cluster's results are not in this process):
    the files of the local path."""
    from labelwise.cli import _issues_parquet

    result = _audit(*noisy)
    with dask.config.set(scheduler="synchronous"):
        local = write_issues(result, tmp_path / "local")

    def not_here(*args):
        raise AssertionError("written in the client's process")

    monkeypatch.setattr(_issues_parquet, "_write_parts_here", not_here)
    _assert_same_parts(write_issues(result, tmp_path / "cluster"), local)


def test_the_write_stage_counts_the_parts_to_a_known_total(noisy, tmp_path):
    """On a local scheduler the ``writing issues.parquet`` line counts the parts, 1/5 ... 5/5 (main
    counted the tasks: 7/? until the end)."""
    import re

    from labelwise._stage_progress import stage

    from ._bars import _ANSI, _LINE, drawn

    result = _audit(*noisy)
    with dask.config.set(scheduler="synchronous"), drawn() as buf, stage("writing issues.parquet"):
        write_issues(result, tmp_path)
    frames = [_LINE.match(raw.strip()) for raw in re.split(r"[\r\n]", _ANSI.sub("", buf.getvalue()))]
    shown = {(int(m["done"]), m["total"]) for m in frames if m and int(m["done"]) > 0}
    assert (5, "5") in shown and shown <= {(i, "5") for i in range(1, 6)}  # frames drawn: some of these
