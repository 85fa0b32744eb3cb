"""The distributed aggregation on workers whose memory limit is smaller than the answers."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw

from .test_distributed_aggregate import _assert_same_fit
from .test_memory_limit import LIMIT, _limited_cluster, _within_deadline

dd = pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def answers_dir(tmp_path_factory):
    """90,000 answers (2.4 MB in memory, more than twice both workers' limits together) as 8 Parquet parts."""
    folder = tmp_path_factory.mktemp("answers")
    true = np.random.default_rng(19).integers(0, 4, 30_000)
    sim = lw.aggregate.simulate_annotators(true, n_annotators=40, answers_per_item=3, random_state=19)
    answers = sim.answers.sample(frac=1, random_state=19).reset_index(drop=True)
    for i, part in enumerate(np.array_split(np.arange(len(answers)), 8)):
        answers.iloc[part].to_parquet(folder / f"part.{i}.parquet")
    return folder, answers


def _bytes_written_to_disk(client) -> int:
    """Bytes the workers have spilled to disk so far (counted as written, even once deleted again)."""

    def written(dask_worker) -> int:
        return int(dask_worker.data.cumulative_metrics["disk-write", "bytes"])

    return sum(client.run(written).values())


@pytest.mark.slow
@pytest.mark.parametrize("method", [lw.aggregate.DawidSkene, lw.aggregate.OneCoinDawidSkene])
def test_fit_of_a_parquet_folder_on_workers_limited_below_the_answers_size_is_the_in_memory_fit(
    answers_dir, tmp_path, method
):
    """Workers limited to 512 KB fit ``dd.read_parquet(dir)``, spill, and give the in-memory labels and
    posteriors (1e-9)."""
    folder, answers = answers_dir
    assert answers.memory_usage(deep=True).sum() > 4 * LIMIT
    reference = method().fit(answers)
    with _limited_cluster() as client:
        limits = {w["memory_limit"] for w in client.scheduler_info()["workers"].values()}
        assert limits == {LIMIT}
        fit = lambda: method().fit(dd.read_parquet(str(folder)))  # noqa: E731
        got = _within_deadline(client, fit, tmp_path / "cluster-state")
        _assert_same_fit(got, reference)
        # The limit was felt: the encoded answers persisted on the workers outgrew it and were spilled
        # (the fit returns numpy, so nothing of it is left on the workers, spilled or not, afterwards).
        assert _bytes_written_to_disk(client) > 0
