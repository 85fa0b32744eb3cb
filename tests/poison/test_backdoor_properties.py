"""Properties of ``poison.backdoor``: budget exactness, determinism, class renaming, row order.

The rows are drawn by position among the eligible rows, so permuting the rows draws other rows
(as every seeded draw in labelwise does); what a row becomes once drawn does not depend on its
position, and the draw does not depend on the class names.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw

SETTINGS = settings(max_examples=25, deadline=None)


@st.composite
def problems(draw):
    """Small image sets with 2-4 classes, every class present, and a seed."""
    n = draw(st.integers(8, 40))
    k = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % k)
    X = rng.random((n, 5, 4, draw(st.sampled_from([1, 3]))))
    return X, y, seed


@SETTINGS
@given(problem=problems(), share=st.floats(0.0, 0.49), trigger=st.sampled_from(["pattern", "pixel"]))
def test_budget_is_exact_and_only_other_classes_are_poisoned(problem, share, trigger):
    """A fraction of all rows, rounded half up, is poisoned; all of other classes, now the target."""
    X, y, seed = problem
    out = lw.poison.backdoor(X, y, share, target=int(y[0]), trigger=trigger, distance=1, random_state=seed)
    assert out.n_flipped == out.budget == int(np.floor(share * len(y) + 0.5))
    assert (y[out.is_flipped] != y[0]).all() and (out.labels[out.is_flipped] == y[0]).all()
    changed = (out.X != X).reshape(len(y), -1).any(axis=1)
    assert not changed[~out.is_flipped].any()


@SETTINGS
@given(problem=problems(), count=st.integers(0, 4))
def test_same_seed_same_poisoning(problem, count):
    """Two runs with the same seed poison the same rows the same way."""
    X, y, seed = problem
    a = lw.poison.backdoor(X, y, count, target=int(y[-1]), random_state=seed)
    b = lw.poison.backdoor(X, y, count, target=int(y[-1]), random_state=np.random.default_rng(seed))
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.labels, b.labels)


@SETTINGS
@given(problem=problems(), count=st.integers(0, 4), use_source=st.booleans())
def test_renaming_the_classes_poisons_the_same_rows(problem, count, use_source):
    """Classes renamed to strings in another order (target and source renamed alike): the same rows,
    the same pixels, the renamed target."""
    X, y, seed = problem
    k = int(y.max()) + 1
    names = np.array([f"c{(7 * j + 3) % 11:02d}" for j in range(k)], dtype=object)[::-1]
    target, source = int(y[0]), None
    if use_source:
        source = [int(c) for c in range(k) if c != target]
    a = lw.poison.backdoor(X, y, count, target=target, source=source, random_state=seed)
    b = lw.poison.backdoor(
        X,
        names[y],
        count,
        target=names[target],
        source=None if source is None else list(names[source]),
        random_state=seed,
    )
    np.testing.assert_array_equal(a.is_flipped, b.is_flipped)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(names[a.labels], b.labels)


@SETTINGS
@given(problem=problems(), count=st.integers(1, 4))
def test_permuted_rows_become_what_they_would_in_place(problem, count):
    """On permuted rows, each poisoned row is its own row stamped with the same trigger, labelled as
    the target; the other rows are kept; the budget is the same."""
    X, y, seed = problem
    perm = np.random.default_rng(seed + 1).permutation(len(y))
    a = lw.poison.backdoor(X, y, count, target=int(y[0]), trigger="pixel", distance=2, random_state=seed)
    b = lw.poison.backdoor(X[perm], y[perm], count, target=int(y[0]), trigger="pixel", distance=2, random_state=seed)
    assert b.n_flipped == a.n_flipped
    np.testing.assert_array_equal(b.trigger.mask, a.trigger.mask)
    rows = b.flipped_indices
    np.testing.assert_array_equal(b.X[rows], a.trigger.stamp(X[perm][rows]))
    np.testing.assert_array_equal(b.X[~b.is_flipped], X[perm][~b.is_flipped])


@SETTINGS
@given(problem=problems(), count=st.integers(1, 4), block=st.integers(1, 9))
def test_success_rate_does_not_depend_on_blocks_or_row_order(problem, count, block):
    """Attack success and clean accuracy are the same in any block size and any row order."""
    from sklearn.tree import DecisionTreeClassifier

    X, y, seed = problem
    out = lw.poison.backdoor(X, y, count, target=int(y[0]), random_state=seed)
    flat = out.X.reshape(len(y), -1)
    model = DecisionTreeClassifier(random_state=0).fit(flat, out.labels)
    whole = lw.poison.attack_success_rate(model, X.reshape(len(y), -1), y, int(y[0]), image_shape=X.shape[1:])
    perm = np.random.default_rng(seed).permutation(len(y))
    other = lw.poison.attack_success_rate(
        model, X.reshape(len(y), -1)[perm], y[perm], int(y[0]), image_shape=X.shape[1:], batch_size=block
    )
    assert whole == other
