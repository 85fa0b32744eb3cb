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


@pytest.mark.parametrize("kind", ["dask array", "dask frame"])
def test_nan_features_are_named_as_in_memory(client, kind):
    """NaN in a Dask X with a model that refuses NaN: the labelwise error of out_of_fold_probs, the cell named."""
    import dask.array as da
    import dask.dataframe as dd
    import pandas as pd

    from labelwise.errors import InvalidParameterError

    rng = np.random.default_rng(0)
    y = np.arange(90) % 3
    X = rng.normal(size=(90, 4)) + y[:, None]
    X[[7, 12], 2] = np.nan
    if kind == "dask array":
        given, column = da.from_array(X, chunks=30), "column 2"
    else:
        given, column = dd.from_pandas(pd.DataFrame(X, columns=list("abcd")), npartitions=3), "column 'c'"
    with pytest.raises(InvalidParameterError, match=rf"^X must have no missing values.*row 7, {column} \(2 row"):
        out_of_fold_probs_on_cluster(LogisticRegression(), given, y, cv=3, random_state=0)
