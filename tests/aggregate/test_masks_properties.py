"""Properties of MaskMajorityVote and STAPLE: block size, row order, renaming, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import STAPLE, MaskMajorityVote

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def crowd_table(seed: int, n_ann: int, n_items: int) -> pd.DataFrame:
    """A long table of small random masks: ``n_items`` items of their own sizes, drawn by some of
    ``n_ann`` annotators (each item by at least one), from ``seed``."""
    rng = np.random.default_rng(seed)
    rows = []
    for item in range(n_items):
        shape = (int(rng.integers(1, 7)), int(rng.integers(1, 7)))
        truth = rng.random(shape) < rng.uniform(0.1, 0.9)
        drawn = rng.random(n_ann) < 0.8
        drawn[rng.integers(n_ann)] = True
        for a in np.flatnonzero(drawn):
            flip = rng.random(shape) < rng.uniform(0.0, 0.3)
            rows.append((f"i{item}", f"a{a}", (truth ^ flip).astype(np.uint8)))
    return pd.DataFrame(rows, columns=["item", "annotator", "mask"])


@st.composite
def crowds(draw):
    """:func:`crowd_table` of 1-4 items, 2-5 annotators (or 17-20: patterns sorted, not tabled)."""
    seed = draw(st.integers(0, 2**32 - 1))
    n_ann = draw(st.one_of(st.integers(2, 5), st.integers(17, 20)))
    return crowd_table(seed, n_ann, draw(st.integers(1, 4)))


def _fit(cls, table, **params):
    model = cls(**params).fit(table)
    return model


def _same(a, b, atol=1e-9):
    assert set(a.masks_) == set(b.masks_)
    for item in a.masks_:
        np.testing.assert_allclose(a.probas_[item], b.probas_[item], atol=atol)
    pd.testing.assert_frame_equal(a.items_.sort_index(), b.items_.sort_index(), atol=atol)


@SETTINGS
@given(crowds(), st.integers(1, 50))
def test_staple_gives_the_same_answer_for_any_block_size(table, block):
    """The vote patterns' counts are integers added over blocks: the estimates do not depend on the
    block size, bit for bit."""
    whole = _fit(STAPLE, table, tol=0, max_iter=30)
    blocked = _fit(STAPLE, table, tol=0, max_iter=30, block_size=block)
    _same(whole, blocked, atol=0)
    np.testing.assert_array_equal(whole.annotator_sensitivity_, blocked.annotator_sensitivity_)
    assert whole.loss_history_ == blocked.loss_history_


@SETTINGS
@given(crowds(), st.integers(1, 50))
def test_majority_vote_gives_the_same_answer_for_any_block_size(table, block):
    """Votes are counted per pixel: the block size changes nothing, bit for bit."""
    whole, blocked = _fit(MaskMajorityVote, table), _fit(MaskMajorityVote, table, block_size=block)
    _same(whole, blocked, atol=0)


@SETTINGS
@given(crowds(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(table, random):
    """Shuffling the table's rows gives the same masks and the same annotator estimates."""
    order = list(range(len(table)))
    random.shuffle(order)
    # STAPLE runs a fixed number of iterations (tol=0), as in the block-size test: with a tolerance,
    # the two row orders' rounding can stop its accelerated EM one step apart (1.6e-8 found in CI).
    for cls, params in ((MaskMajorityVote, {}), (STAPLE, {"tol": 0, "max_iter": 30})):
        a, b = _fit(cls, table, **params), _fit(cls, table.iloc[order].reset_index(drop=True), **params)
        _same(a, b)
        pd.testing.assert_frame_equal(a.annotators_, b.annotators_, atol=1e-9)


@SETTINGS
@given(crowds())
# found in session 35 drawing this strategy's tables at random: STAPLE at its default tol ran out of max_iter=200
# on one naming and stopped at 199 on the other, the probabilities 1.7e-3 apart
@example(crowd_table(1281623493, 3, 2))
def test_renaming_annotators_and_items_renames_the_results(table):
    """Annotators renamed in reverse order and items renamed get the same estimates under their new
    names. STAPLE runs a fixed number of iterations (tol=0), as in the row-order test: the renamed
    annotators are summed in another order, and SQUAREM's steplength ``|r| / |v|`` (``v`` near 0
    near the optimum) amplifies that rounding, so a fit stopped at ``tol`` can differ by more than
    1e-9, and two stops can fall one step apart."""
    names = {f"a{j}": f"z{99 - j}" for j in range(20)}
    renamed = table.assign(annotator=table.annotator.map(names), item=table["item"].map(lambda s: "new-" + s))
    a, b = _fit(STAPLE, table, tol=0, max_iter=30), _fit(STAPLE, renamed, tol=0, max_iter=30)
    for item in a.masks_:
        np.testing.assert_allclose(a.probas_[item], b.probas_["new-" + item], atol=1e-9)
    back = b.annotator_sensitivity_.rename(index={v: k for k, v in names.items()}).sort_index()
    np.testing.assert_allclose(a.annotator_sensitivity_.sort_index(), back, atol=1e-9)


@SETTINGS
@given(crowds())
def test_fitting_twice_gives_identical_results(table):
    """No randomness: two fits are equal bit for bit."""
    a, b = _fit(STAPLE, table), _fit(STAPLE, table)
    _same(a, b, atol=0)
    assert a.loss_history_ == b.loss_history_
