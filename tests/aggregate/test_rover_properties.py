"""Property tests of ROVER: renaming, row order, determinism, blocks."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import ROVER

WORDS = st.sampled_from(["a", "bb", "c", "dd", "e"])
TEXTS = st.lists(WORDS, max_size=6).map(" ".join)


@st.composite
def crowds(draw) -> pd.DataFrame:
    """2-6 items, 1-5 answers each, from a five-word vocabulary (many ambiguous alignments)."""
    rows = []
    for item in range(draw(st.integers(1, 6))):
        for a in range(draw(st.integers(1, 5))):
            rows.append((item, f"a{a}", draw(TEXTS)))
    return pd.DataFrame(rows, columns=["item", "annotator", "text"])


@settings(max_examples=40, deadline=None)
@given(crowds())
def test_renaming_items_and_annotators_renames_the_result(answers):
    """New item and annotator ids (order reversed): the same text under each item's new id."""
    renamed = answers.assign(item="q" + (100 - answers.item).astype(str), annotator=answers.annotator + "_x")
    before = ROVER().fit(answers).texts_
    after = ROVER().fit(renamed).texts_
    assert [after["q" + str(100 - i)] for i in before.index] == before.tolist()


@settings(max_examples=40, deadline=None)
@given(crowds(), st.randoms(use_true_random=False))
def test_order_annotator_does_not_depend_on_row_order(answers, random):
    """With order='annotator', any permutation of the rows gives the same texts."""
    rows = list(range(len(answers)))
    random.shuffle(rows)
    expected = ROVER(order="annotator").fit(answers).texts_
    pd.testing.assert_series_equal(ROVER(order="annotator").fit(answers.iloc[rows]).texts_, expected)


@settings(max_examples=40, deadline=None)
@given(crowds(), st.randoms(use_true_random=False))
def test_order_input_depends_only_on_each_items_row_order(answers, random):
    """Moving whole items around the table (each item's rows in order) changes nothing."""
    items = list(answers.item.unique())
    random.shuffle(items)
    moved = pd.concat([answers[answers.item == i] for i in items])
    pd.testing.assert_series_equal(ROVER().fit(moved).texts_, ROVER().fit(answers).texts_)


@settings(max_examples=25, deadline=None)
@given(crowds())
def test_fit_is_deterministic(answers):
    """Two fits on the same table: the same texts and the same networks."""
    one, two = ROVER().fit(answers), ROVER().fit(answers)
    pd.testing.assert_series_equal(one.texts_, two.texts_)
    pd.testing.assert_frame_equal(one.network_, two.network_)


@settings(max_examples=25, deadline=None)
@given(crowds())
def test_block_size_does_not_change_the_networks(answers):
    """Every item in its own block gives the same networks as the default blocks."""
    import labelwise.aggregate._rover_network as network

    expected = ROVER().fit(answers).network_
    saved = network.BLOCK_CELLS
    network.BLOCK_CELLS = 1
    try:
        got = ROVER().fit(answers).network_
    finally:
        network.BLOCK_CELLS = saved
    pd.testing.assert_frame_equal(got, expected)


@settings(max_examples=25, deadline=None)
@given(crowds())
def test_each_slot_holds_one_vote_per_answer(answers):
    """In every network slot the votes (null arcs included) sum to the item's answers."""
    fitted = ROVER().fit(answers)
    per_slot = fitted.network_.groupby(["item", "slot"])["votes"].sum()
    n_answers = answers.groupby("item").size()
    assert (per_slot.to_numpy() == n_answers.loc[per_slot.index.get_level_values("item")].to_numpy()).all()


@settings(max_examples=25, deadline=None)
@given(crowds(), st.floats(0.01, 0.99), st.sampled_from([0.0, 0.25, 1.0]), st.sampled_from(["average", "max"]))
def test_equal_confidences_give_the_plain_vote(answers, alpha, conf, score):
    """Every answer and the null arc at one confidence, alpha > 0: the weighted vote is the plain one."""
    weighted = ROVER(alpha=alpha, null_confidence=conf, confidence_score=score).fit(answers.assign(confidence=conf))
    pd.testing.assert_series_equal(weighted.texts_, ROVER().fit(answers).texts_)


@settings(max_examples=25, deadline=None)
@given(crowds(), st.randoms(use_true_random=False))
def test_block_size_does_not_change_the_weighted_vote(answers, random):
    """With confidences, every item in its own block gives the default blocks' texts."""
    import labelwise.aggregate._rover_network as network

    table = answers.assign(confidence=[random.random() for _ in range(len(answers))])
    est = ROVER(alpha=0.4, null_confidence=0.5)
    expected = est.fit(table).texts_
    saved = network.BLOCK_CELLS
    network.BLOCK_CELLS = 1
    try:
        got = est.fit(table).texts_
    finally:
        network.BLOCK_CELLS = saved
    pd.testing.assert_series_equal(got, expected)
