"""Properties of :func:`labelwise.checks.spurious_correlations`: class names and row order.

The folds are scikit-learn's unshuffled ``StratifiedKFold`` (Datalab's), which number the classes
by first appearance and give each class's rows to the folds in row order. A reordering of the rows
that keeps each class's rows in their order and the classes' order of first appearance keeps the
table; any other reordering moves rows between folds and may change the accuracies (row order is
not an invariant of this check).

Class names (found by these tests, session 47): a renaming that keeps the classes' sorted order
keeps the table. Another renaming keeps it when no two classes tie in a training fold; with a
coarse property two classes can have the same count, mean and variance there, and the tie goes to
the lower class code, as in scikit-learn's ``GaussianNB`` (and Datalab); so does the majority
class that a constant property predicts when two classes share the largest count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import spurious_correlations

SETTINGS = settings(max_examples=25, deadline=None)


THIRD = ["constant", "coarse", "continuous"]


def case(seed: int, n: int, k: int, third: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Labels with every class at least 5 times and three properties: one that follows the label, one
    noise, and a ``third`` one: constant, coarse (three values: ties between rows) or continuous."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.concatenate([np.repeat(np.arange(k), 5), rng.integers(0, k, n)]))
    props = pd.DataFrame(
        {
            "signal": labels + rng.normal(0, 0.8, len(labels)),
            "noise": rng.normal(0, 1, len(labels)),
            "third": rng.normal(0, 1, len(labels)),
        }
    )
    if third != "continuous":
        props["third"] = np.full(len(labels), 2.5) if third == "constant" else rng.integers(0, 3, len(labels)) * 1.0
    return props, labels


def stable_regrouping(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A row order that keeps each class's rows in order and the classes' first appearances in
    order: the first row of each class in place, the other rows interleaved at random."""
    _, first = np.unique(labels, return_index=True)
    firsts = np.sort(first)
    rest = np.setdiff1d(np.arange(len(labels)), firsts)
    # draw a random interleaving of the remaining rows' classes, keeping each class's rows in order
    slots = rng.permutation(labels[rest])
    queues = {c: list(rest[labels[rest] == c]) for c in np.unique(labels)}
    tail = [queues[c].pop(0) for c in slots]
    return np.concatenate([firsts, np.asarray(tail, dtype=np.int64)])


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 30), k=st.integers(2, 4), third=st.sampled_from(THIRD))
@SETTINGS
def test_an_order_keeping_renaming_keeps_the_table(seed, n, k, third):
    """Classes renamed to text in the same sorted order (ties included) give the same table."""
    props, labels = case(seed, n, k, third)
    renamed = np.array([f"class-{c:02d}" for c in labels])
    pd.testing.assert_frame_equal(spurious_correlations(props, labels), spurious_correlations(props, renamed))


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 30), k=st.integers(2, 4), as_text=st.booleans())
@SETTINGS
def test_any_renaming_keeps_the_table_of_continuous_properties(seed, n, k, as_text):
    """A bijection of the class names in another sorted order (ints or text) gives the same table
    when the properties are continuous (no class ties another in a fold)."""
    props, labels = case(seed, n, k, "continuous")
    sigma = np.random.default_rng(seed + 1).permutation(k)[::-1]
    renamed = np.array([f"c{sigma[c]}" for c in labels]) if as_text else sigma[labels] + 10
    pd.testing.assert_frame_equal(spurious_correlations(props, labels), spurious_correlations(props, renamed))


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 30), k=st.integers(2, 4), third=st.sampled_from(THIRD))
@SETTINGS
def test_a_regrouping_that_keeps_each_class_in_order_keeps_the_table(seed, n, k, third):
    """Rows reordered with each class's rows and the classes' first appearances in order: the same table."""
    props, labels = case(seed, n, k, third)
    order = stable_regrouping(labels, np.random.default_rng(seed + 2))
    moved = props.iloc[order].reset_index(drop=True)
    pd.testing.assert_frame_equal(spurious_correlations(props, labels), spurious_correlations(moved, labels[order]))
