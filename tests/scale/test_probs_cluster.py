"""Out-of-fold probabilities with the folds fitted on Dask workers."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import labelwise as lw
from labelwise.errors import LabelwiseError
from labelwise.probs import out_of_fold_probs_on_cluster


def test_without_a_client_it_is_a_clear_error():
    from distributed import default_client

    try:
        default_client()
        pytest.skip("a client from another test is still running")
    except ValueError:
        pass
    with pytest.raises(LabelwiseError, match="needs a running Dask client"):
        out_of_fold_probs_on_cluster(LogisticRegression(), np.zeros((10, 2)), np.arange(10) % 2)


def test_folds_on_the_cluster_give_the_in_memory_probabilities_as_a_zarr_array(client, tmp_path):
    pytest.importorskip("zarr")
    X, y = make_classification(600, 8, n_informative=5, n_classes=3, random_state=0)
    model = LogisticRegression(max_iter=500)
    got = out_of_fold_probs_on_cluster(model, X, y, cv=4, random_state=1, out=str(tmp_path / "p.zarr"), chunk_rows=128)
    assert got.chunks[0][0] == 128 and (tmp_path / "p.zarr").exists()
    np.testing.assert_allclose(got.compute(), lw.out_of_fold_probs(model, X, y, cv=4, random_state=1), atol=1e-12)
