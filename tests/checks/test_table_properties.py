"""Row order and category names for :func:`labelwise.checks.find_data_issues` on a mixed table
(numbers, a categorical and a string column with missing cells, a boolean, a date): the one-hot
path of session 47 (feat47).

Permuting the rows permutes every order-free check's scores and flags; renaming the categories of a
column by a bijection (to names in another sorted order) only permutes its indicators, so no
distance, score or flag changes (to rounding: sums over the indicators in another order).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import find_data_issues

SETTINGS = settings(max_examples=10, deadline=None)
CHECKS = ["label", "outlier", "exact_duplicate", "near_duplicate", "class_imbalance", "null"]
COLOURS = np.array(["red", "green", "blue", "grey"], dtype=object)


def table(seed: int, n: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A mixed table whose numbers follow the label, with a few twins and missing cells."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    colour = COLOURS[rng.integers(0, 4, n)]
    colour[rng.random(n) < 0.1] = None
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n) + 2.0 * y,
            "z": rng.normal(size=n),
            "colour": colour,
            "size": pd.Categorical(rng.choice(["S", "M", "L"], n)),
            "flag": rng.random(n) < 0.5,
            "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D"),
        }
    )
    frame.iloc[1] = frame.iloc[0]
    y[1] = y[0]
    logits = rng.normal(size=(n, 2)) + 2.5 * np.eye(2)[y]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return frame, y, probs


def run(frame: pd.DataFrame, y: np.ndarray, probs: np.ndarray):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small table: few rows per class
        return find_data_issues(frame, y, probs, checks=CHECKS, k=5, impute=True).issues


def assert_same_columns(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    for column in a.columns:
        left, right = a[column].to_numpy(), b[column].to_numpy()
        if left.dtype.kind == "f":
            np.testing.assert_allclose(right, left, rtol=1e-9, atol=1e-12, err_msg=column)
        else:
            np.testing.assert_array_equal(right, left, err_msg=column)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(30, 60))
@SETTINGS
def test_permuting_rows_permutes_the_scores_of_a_mixed_table(seed, n):
    """Rows shuffled (table, labels and probabilities together) give every row its scores and flags."""
    frame, y, probs = table(seed, n)
    perm = np.random.default_rng(seed + 1).permutation(n)
    a = run(frame, y, probs)
    b = run(frame.iloc[perm].reset_index(drop=True), y[perm], probs[perm])
    assert_same_columns(a.iloc[perm].reset_index(drop=True), b.reset_index(drop=True))


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(30, 60))
@SETTINGS
def test_renaming_categories_keeps_the_scores(seed, n):
    """The string column's and the categorical column's values renamed by bijections (another sorted
    order) give the same scores and flags."""
    frame, y, probs = table(seed, n)
    rng = np.random.default_rng(seed + 2)
    colour_names = dict(zip(COLOURS, rng.permutation(["w", "x", "y", "z"]).tolist(), strict=True))
    renamed = frame.assign(
        colour=frame["colour"].map(colour_names),
        size=frame["size"].cat.rename_categories({"S": "small", "M": "big", "L": "average"}),
    )
    assert_same_columns(run(frame, y, probs), run(renamed, y, probs))
