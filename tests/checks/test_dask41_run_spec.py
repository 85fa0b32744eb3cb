"""find_data_issues on a distributed client: no key reaches the scheduler as two different tasks."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import labelwise as lw

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


class _Records(logging.Handler):
    """The messages logged by ``distributed`` while it is attached."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _data(n: int = 2400, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    X[10] = X[5]  # one exact twin: exact_duplicate and near_duplicate find the same set
    y = rng.integers(0, 3, n)
    probs = rng.dirichlet(np.ones(3), n)
    split = np.where(rng.random(n) < 0.7, "train", "test")
    return X, y, probs, split


@pytest.mark.slow
def test_no_different_run_spec_warning_on_an_in_process_cluster() -> None:
    """Dask labels (merged to the features' chunks), dask probs and split, every default check: the
    scheduler never logs "Detected different `run_spec`" (main logged several), and the flags
    are the in-memory ones."""
    import pandas as pd

    X, y, probs, split = _data()
    handler = _Records()
    logger = logging.getLogger("distributed")
    logger.addHandler(handler)
    try:
        with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0"):
            found = lw.checks.find_data_issues(
                da.from_array(X, chunks=700),
                labels=da.from_array(y, chunks=500),
                probs=da.from_array(probs, chunks=(600, 3)),
                split=dd.from_pandas(pd.Series(split), npartitions=3),
                method="exact",
            )
            issues = found.issues.compute()
    finally:
        logger.removeHandler(handler)
    assert not [m for m in handler.messages if "run_spec" in m]
    expected = lw.checks.find_data_issues(X, labels=y, probs=probs, split=split, method="exact").issues
    flags = [c for c in expected.columns if c.startswith("is_")]
    pd.testing.assert_frame_equal(issues[flags].reset_index(drop=True), expected[flags])


@pytest.mark.slow
def test_dask_texts_beside_dask_features_on_an_in_process_cluster() -> None:
    """The texts' hashes mixed into the features' on the workers, the p2p shuffle of ``distributed``:
    every column is the in-memory run's, and no "different run_spec" warning."""
    import pandas as pd

    X, y, _, split = _data(900)
    texts = pd.DataFrame({"body": [f"row {i % 300} of the table" for i in range(900)]})
    X[300:600] = X[:300]  # features twice, texts thrice: rows i and i + 300 are exact twins
    handler = _Records()
    logger = logging.getLogger("distributed")
    logger.addHandler(handler)
    try:
        with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0"):
            found = lw.checks.find_data_issues(
                da.from_array(X, chunks=(250, 4)),
                labels=y,
                texts=dd.from_pandas(texts, npartitions=4),
                split=split,
                method="exact",
            )
            issues = found.issues.compute().reset_index(drop=True)
    finally:
        logger.removeHandler(handler)
    assert not [m for m in handler.messages if "run_spec" in m]
    expected = lw.checks.find_data_issues(X, labels=y, texts=texts, split=split, method="exact")
    assert found.info["exact_duplicate"]["n_sets"] == expected.info["exact_duplicate"]["n_sets"] == 300
    for name in expected.issues.columns:
        np.testing.assert_allclose(issues[name].to_numpy(float), expected.issues[name].to_numpy(float), err_msg=name)
