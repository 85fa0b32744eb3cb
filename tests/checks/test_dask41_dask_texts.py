"""Texts as a dask DataFrame, beside dask features, features in memory, or alone: the in-memory issues,
the texts never computed whole."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.checks import find_data_issues
from labelwise.errors import InvalidParameterError, ShapeMismatchError

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

CHECKS = ["exact_duplicate", "near_duplicate", "near_duplicate_text", "leakage", "outlier"]


def _table(n: int = 90, seed: int = 0):
    """Features with twins whose texts differ, texts repeated beside different features, rows equal
    in both, near-copy texts, missing texts, and a split."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    words = ["a cat sat on the mat", "dogs run in the park", "the sun is hot today", "rain falls on roofs"]
    texts = np.array([f"{words[i % 4]} number {i}" for i in range(n)], dtype=object)
    X[5] = X[6] = X[7]  # same features: 5 and 7 share a text, 6 does not
    texts[7] = texts[5]
    texts[20] = texts[40]  # same text, other features
    X[30], texts[30] = X[60], texts[60]  # the same row twice
    X[31], texts[31] = X[61], None  # the same features, both texts missing
    texts[61] = None
    texts[50] = texts[10] + "!"  # a near copy
    texts[11] = None
    second = np.array([f"note {i % 3}" for i in range(n)], dtype=object)
    second[7] = second[5]
    split = np.where(rng.random(n) < 0.6, "train", "test")
    return X, pd.DataFrame({"body": texts, "note": second}), split


def _cuts(draw, n: int) -> tuple[int, ...]:
    """Row chunk sizes summing to ``n`` (one to four chunks)."""
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=3)))
    return tuple(np.diff([0, *cuts, n]).tolist())


def _parts(frame: pd.DataFrame, sizes: tuple[int, ...]):
    """``frame`` as a dask DataFrame of partitions of ``sizes`` rows."""
    starts = np.r_[0, np.cumsum(sizes)]
    return dd.from_delayed(
        [dask.delayed(frame.iloc[a:b].copy)() for a, b in zip(starts[:-1], starts[1:], strict=True)],
        meta=frame.iloc[:0],
    )


def _assert_same(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    ours = ours.reset_index(drop=True)
    assert list(ours.columns) == list(theirs.columns)
    for name in theirs.columns:
        if name.startswith("is_"):
            np.testing.assert_array_equal(ours[name], theirs[name], err_msg=name)
        else:
            np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.fixture(autouse=True)
def _sync():
    with dask.config.set(scheduler="sync"):
        yield


@st.composite
def _partitionings(draw):
    n = 90
    return _cuts(draw, n), _cuts(draw, n)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_partitionings())
def test_dask_features_and_dask_texts_give_the_in_memory_issues_for_any_partitioning(parts):
    """Features chunked one way and texts partitioned another: every column, the summary and the
    duplicate sets are the in-memory run's (main refused texts beside dask features)."""
    feature_chunks, text_parts = parts
    X, frame, split = _table()
    memory = find_data_issues(X, texts=frame, split=split, checks=CHECKS, method="exact")
    ours = find_data_issues(
        da.from_array(X, chunks=(feature_chunks, 3)),
        texts=_parts(frame, text_parts),
        split=split,
        checks=CHECKS,
        method="exact",
    )
    _assert_same(ours.issues.compute(), memory.issues)
    pd.testing.assert_frame_equal(ours.summary, memory.summary)
    for check in ("exact_duplicate", "near_duplicate_text"):
        assert ours.info[check]["sets"] == memory.info[check]["sets"]
    assert [5, 7] in memory.info["exact_duplicate"]["sets"] and [30, 60] in memory.info["exact_duplicate"]["sets"]
    assert ours.info["leakage"]["n_near_text"] == memory.info["leakage"]["n_near_text"]


@pytest.mark.parametrize("with_features", [True, False])
def test_dask_texts_are_never_computed_whole(monkeypatch, with_features):
    """Beside features in memory or alone, the checks read dask texts partition by partition (main
    computed the whole collection on the client); the issues are the in-memory ones."""
    X, frame, split = _table()
    texts = _parts(frame, (40, 25, 25))

    def refuse(*args, **kwargs):
        raise AssertionError("the texts were computed whole on the client")

    memory = find_data_issues(X if with_features else None, texts=frame, split=split, checks=CHECKS, method="exact")
    monkeypatch.setattr(type(texts), "compute", refuse)
    ours = find_data_issues(X if with_features else None, texts=texts, split=split, checks=CHECKS, method="exact")
    pd.testing.assert_frame_equal(ours.issues, memory.issues)


def test_hash_collisions_of_dask_texts_are_told_apart_by_value(monkeypatch):
    """Every text row hashed alike: the groups come from the texts fetched from the workers,
    as in memory (both paths under the same colliding hash)."""
    import labelwise.checks._dask_text_rows as rows_module
    import labelwise.checks.exact_duplicate as exact

    X, frame, _ = _table()
    monkeypatch.setattr(exact, "text_hashes", lambda texts, block_rows=0: np.zeros(texts.shape[0], np.uint64))
    monkeypatch.setattr(rows_module, "text_hashes", exact.text_hashes)
    for features in (None, X):
        memory = find_data_issues(features, texts=frame, checks=["exact_duplicate"])
        alone = find_data_issues(features, texts=_parts(frame, (30, 60)), checks=["exact_duplicate"])
        pd.testing.assert_frame_equal(alone.issues, memory.issues)
        if features is not None:
            on_dask = find_data_issues(
                da.from_array(X, chunks=(45, 3)), texts=_parts(frame, (30, 60)), checks=["exact_duplicate"]
            )
            _assert_same(on_dask.issues.compute(), memory.issues)
            assert on_dask.info["exact_duplicate"]["sets"] == memory.info["exact_duplicate"]["sets"]
    assert memory.info["exact_duplicate"]["sets"] == [[5, 7], [30, 60], [31, 61]]


def test_a_value_that_is_not_a_text_names_its_row_beside_dask_features():
    """A number among dask texts is refused naming its row in the whole table and its column."""
    X, frame, _ = _table()
    frame["note"] = np.where(np.arange(90) == 57, 3.0, np.nan)  # missing but for one number
    with pytest.raises(InvalidParameterError, match=r"texts must hold strings .* got 3(\.0)? at row 57, column 'note'"):
        find_data_issues(da.from_array(X, chunks=(30, 3)), texts=_parts(frame, (50, 40)), checks=CHECKS)


def test_dask_texts_of_another_length_are_refused_beside_dask_features():
    """One text row per feature row."""
    X, frame, _ = _table()
    with pytest.raises(ShapeMismatchError, match=r"texts must have one row per row of features \(90\), got 89"):
        find_data_issues(da.from_array(X, chunks=(30, 3)), texts=_parts(frame.iloc[:89], (50, 39)), checks=CHECKS)


def test_texts_must_match_is_refused_beside_dask_features():
    """Its per-partition runs read no texts: refused, naming the option, rather than ignored."""
    X, frame, split = _table()
    with pytest.raises(InvalidParameterError, match=r"\['texts_must_match'\] is True: not available on dask features"):
        find_data_issues(
            da.from_array(X, chunks=(30, 3)),
            texts=_parts(frame, (50, 40)),
            split=split,
            check_options={"leakage": {"texts_must_match": True}},
        )
