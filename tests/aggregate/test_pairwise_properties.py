"""Properties of BradleyTerry and NoisyBradleyTerry: the rows' order changes nothing (bit for bit:
comparisons are compressed to distinct rows in one canonical order), renaming items or annotators
renames the result, swapping the left and right columns (winner kept) leaves the scores (and, for
the noisy model, mirrors the left bias), and a refit is identical."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from labelwise.aggregate import BradleyTerry, NoisyBradleyTerry


@st.composite
def comparisons(draw):
    """Up to 60 comparisons among up to 8 items by up to 4 annotators."""
    n_items = draw(st.integers(2, 8))
    n = draw(st.integers(1, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    left = rng.integers(0, n_items, n)
    right = (left + rng.integers(1, n_items, n)) % n_items
    won = rng.random(n) < 0.6
    names = np.array([f"it{k}" for k in range(n_items)], dtype=object)
    return pd.DataFrame(
        {
            "left": names[left],
            "right": names[right],
            "winner": np.where(won, names[left], names[right]),
            "annotator": np.array(["u", "v", "w", "x"], dtype=object)[rng.integers(0, draw(st.integers(1, 4)), n)],
        }
    )


def _fit(model, pairs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # several components: the properties hold there too
        return clone(model).fit(pairs)


MODELS = st.sampled_from([BradleyTerry(tol=1e-10), NoisyBradleyTerry(tol=1e-10, max_iter=200)])


@settings(max_examples=25, deadline=None)
@given(comparisons(), MODELS, st.integers(0, 2**32 - 1))
def test_row_order_changes_nothing(pairs, model, seed):
    """Shuffled rows give bit-identical scores and components."""
    a = _fit(model, pairs)
    shuffled = pairs.sample(frac=1, random_state=np.random.default_rng(seed).integers(2**31))
    b = _fit(model, shuffled.reset_index(drop=True))
    pd.testing.assert_series_equal(a.scores_, b.scores_, check_exact=True)
    pd.testing.assert_series_equal(a.components_, b.components_)


@settings(max_examples=25, deadline=None)
@given(comparisons(), MODELS, st.integers(0, 2**32 - 1))
def test_renaming_items_and_annotators_renames_the_result(pairs, model, seed):
    """A permutation of the item and annotator names renames the scores and skills."""
    rng = np.random.default_rng(seed)
    items = sorted(set(pairs.left) | set(pairs.right))
    new = dict(zip(items, [f"z{k}" for k in rng.permutation(len(items))], strict=True))
    workers = {"u": "zz", "v": "aa", "w": "mm", "x": "bb"}
    renamed = pairs.assign(
        left=pairs.left.map(new),
        right=pairs.right.map(new),
        winner=pairs.winner.map(new),
        annotator=pairs.annotator.map(workers),
    )
    a, b = _fit(model, pairs), _fit(model, renamed)
    back = b.scores_.rename(index={v: k for k, v in new.items()}).reindex(a.scores_.index)
    np.testing.assert_allclose(back.to_numpy(), a.scores_.to_numpy(), atol=1e-6)
    if isinstance(model, NoisyBradleyTerry):
        skill = b.annotator_skill_.rename(index={v: k for k, v in workers.items()}).reindex(a.annotator_skill_.index)
        np.testing.assert_allclose(skill.to_numpy(), a.annotator_skill_.to_numpy(), atol=1e-5)


@settings(max_examples=25, deadline=None)
@given(comparisons(), MODELS)
def test_swapping_left_and_right_keeps_scores(pairs, model):
    """Left and right swapped (winner kept): same scores; the noisy model's left bias mirrored."""
    a = _fit(model, pairs)
    b = _fit(model, pairs.rename(columns={"left": "right", "right": "left"}))
    np.testing.assert_allclose(b.scores_.to_numpy(), a.scores_.to_numpy(), atol=1e-6)
    if isinstance(model, NoisyBradleyTerry):
        np.testing.assert_allclose(b.annotator_bias_.to_numpy(), 1 - a.annotator_bias_.to_numpy(), atol=1e-5)


@settings(max_examples=15, deadline=None)
@given(comparisons(), MODELS)
def test_refit_is_identical(pairs, model):
    """Two fits of the same table give bit-identical results."""
    a, b = _fit(model, pairs).scores_, _fit(model, pairs).scores_
    pd.testing.assert_series_equal(a, b, check_exact=True)


@settings(max_examples=25, deadline=None)
@given(comparisons(), MODELS)
def test_rank_counts_the_stronger_items_of_the_component(pairs, model):
    """rank_ is 1 + the number of items of the item's component with a strictly higher score, so
    items of equal score share a rank whatever their names."""
    fit = _fit(model, pairs)
    frame = fit.to_frame()
    expected = frame.groupby("component")["score"].rank(method="min", ascending=False).astype("int64")
    pd.testing.assert_series_equal(frame["rank"], expected, check_names=False)
