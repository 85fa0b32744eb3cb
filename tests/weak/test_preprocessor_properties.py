"""Properties of preprocessors in ``weak.apply``: the votes do not depend on the rows' order, on how a
Dask frame is partitioned, or on whether a rule reads a preprocessor's column or computes it itself;
a preprocessor runs once per frame, once per Dask partition."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import apply, labeling_function, preprocessor

dd = pytest.importorskip("dask.dataframe")

SETTINGS = settings(max_examples=20, deadline=None)
WORDS = ["Win", "cash", "HI", "mom", "now", "lunch"]

texts = st.lists(st.lists(st.sampled_from(WORDS), min_size=0, max_size=4).map(" ".join), min_size=1, max_size=30)


def rules(calls: list | None = None):
    """Two preprocessors (one row, one vectorised, the second reading the first) and three rules on them."""

    def lower_fn(df):
        if calls is not None:
            calls.append(len(df))
        return {"lower": df.text.str.lower()}

    lower = preprocessor(lower_fn, name="lower", vectorized=True)
    words = preprocessor(lambda row: {"n": len(row.lower.split())}, name="words", pre=[lower])
    return [
        labeling_function(lambda r: 1 if "win" in r.lower else -1, name="win", abstain=-1, pre=[lower]),
        labeling_function(
            lambda df: np.where(df.n >= 3, 0, -1), name="long", abstain=-1, vectorized=True, pre=[lower, words]
        ),
        labeling_function(lambda r, k: 0 if r.n == k else -1, name="pair", abstain=-1, pre=[words], resources={"k": 2}),
    ]


def plain_rules():
    """The same rules without preprocessors: each computes its fields itself."""
    return [
        labeling_function(lambda r: 1 if "win" in r.text.lower() else -1, name="win", abstain=-1),
        labeling_function(
            lambda df: np.where(df.text.str.split().str.len() >= 3, 0, -1), name="long", abstain=-1, vectorized=True
        ),
        labeling_function(lambda r: 0 if len(r.text.split()) == 2 else -1, name="pair", abstain=-1),
    ]


def frame(values):
    values = ["win cash now", *values]  # a row some rule votes on
    return pd.DataFrame({"text": values}, index=pd.Index([f"r{i:03d}" for i in range(len(values))]))


@given(texts)
@SETTINGS
def test_votes_are_those_of_rules_computing_the_fields_themselves(values):
    """Preprocessed columns give the votes of rules that compute them inline."""
    df = frame(values)
    np.testing.assert_array_equal(
        apply(rules(), df, classes=[0, 1]).matrix(), apply(plain_rules(), df, classes=[0, 1]).matrix()
    )


@given(texts, st.randoms(use_true_random=False))
@SETTINGS
def test_permuting_rows_permutes_the_votes(values, rng):
    """Shuffling the frame's rows moves each row's votes with it."""
    df = frame(values)
    order = list(range(len(df)))
    rng.shuffle(order)
    base = apply(rules(), df, classes=[0, 1])
    moved = apply(rules(), df.iloc[order], classes=[0, 1])
    np.testing.assert_array_equal(moved.matrix(), base.matrix()[order])


@given(texts, st.integers(1, 4))
@settings(max_examples=8, deadline=None)
def test_dask_partitions_give_the_pandas_votes_and_run_each_preprocessor_once_per_partition(values, n):
    """Any partition count gives pandas' votes; the counting preprocessor runs once per non-empty partition."""
    df = frame(values)
    calls: list = []
    ddf = dd.from_pandas(df, npartitions=min(n, len(df)))
    votes = apply(rules(calls), ddf, classes=[0, 1])
    np.testing.assert_array_equal(votes.matrix(), apply(rules(), df, classes=[0, 1]).matrix())
    assert sorted(calls) == sorted(ddf.map_partitions(len).compute().tolist())


@given(texts)
@SETTINGS
def test_a_counting_preprocessor_runs_once_per_frame(values):
    """Three rules using one preprocessor (one through another) call it once, on every row."""
    calls: list = []
    apply(rules(calls), frame(values), classes=[0, 1])
    assert calls == [len(values) + 1]
