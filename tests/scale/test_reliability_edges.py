"""Issue 12's "Reliability" items not covered elsewhere (session 18): classes absent from chunks on a
LocalCluster, and the aggregate command's unreachable scheduler."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.cli import main

from ._data import noisy_probs
from .test_chunked_audit import assert_same

da = pytest.importorskip("dask.array")


@pytest.mark.slow
@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "both", "confident_learning"])
def test_classes_absent_from_most_chunks_and_one_never_given_on_a_local_cluster(client, filter_by):
    """Rows sorted by label in chunks of 97 (most chunks hold one class), one class given only in one
    chunk's single row and one column never given as a label: the in-memory answer, on 2 workers."""
    labels, probs = noisy_probs(3000, 7, noise=0.3, seed=18)
    labels[labels == 6] = 5  # class 6: a column of probs that no row is labelled with
    labels[labels == 4] = 3
    labels[1234] = 4  # class 4: one row
    order = np.argsort(labels, kind="stable")
    labels, probs = labels[order], probs[order]
    reference = lw.find_label_issues(labels, probs, filter_by=filter_by)
    assert reference.label_counts[6] == 0 and reference.label_counts[4] == 1
    result = lw.find_label_issues(
        da.from_array(labels, chunks=97), da.from_array(probs, chunks=(97, -1)), filter_by=filter_by
    )
    assert result.summary() == reference.summary()
    assert_same(result, reference)


def test_aggregate_with_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path):
    """`labelwise aggregate answers/ --scheduler tcp://...` with nothing listening: one line naming
    --scheduler and the address, exit 2, nothing written."""
    pytest.importorskip("distributed")
    true = np.arange(60) % 3
    answers = lw.aggregate.simulate_annotators(true, n_annotators=4, random_state=0).answers
    (tmp_path / "answers").mkdir()
    answers.to_parquet(tmp_path / "answers" / "part.0.parquet")
    args = ["aggregate", str(tmp_path / "answers"), "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "--scheduler" in lines[0] and "tcp://127.0.0.1:9" in lines[0], res.output
    assert not (tmp_path / "o").exists()
    assert isinstance(pd.read_parquet(tmp_path / "answers"), pd.DataFrame)  # the input is left as it was


@pytest.mark.slow
@pytest.mark.parametrize("name", ["s4_Dog_data", "ZenCrowd_us", "MS"])
@pytest.mark.parametrize("method", ["DawidSkene", "OneCoinDawidSkene", "MajorityVote"])
def test_distributed_fit_on_a_local_cluster_matches_in_memory_on_real_crowds(client, shared_data, name, method):
    """Real crowds (string ids and labels, as read from ../shared/data) in 5 partitions on 2 workers:
    the labels of the in-memory fit, posteriors within 1e-9."""
    dd = pytest.importorskip("dask.dataframe")
    from labelwise.aggregate import distributed

    answers = pd.read_csv(shared_data / "crowd" / name / "annotations.csv", dtype=str)
    reference = getattr(lw.aggregate, method)().fit(answers)
    est = distributed.fit(getattr(lw.aggregate, method)(), dd.from_pandas(answers, npartitions=5))
    # Dask reads the ids as Arrow strings (its "dataframe.convert-string"): the same values, another dtype
    pd.testing.assert_series_equal(est.labels_, reference.labels_, check_index_type=False, check_dtype=False)
    assert list(est.labels_.index) == list(reference.labels_.index)
    assert list(est.probas_.columns) == list(reference.probas_.columns)
    np.testing.assert_allclose(est.probas_.to_numpy(), reference.probas_.to_numpy(), rtol=0, atol=1e-9)
