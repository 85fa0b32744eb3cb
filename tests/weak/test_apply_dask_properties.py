"""Properties of ``weak.apply`` on Dask frames: any partitioning (empty partitions, partitions that
each carry their own ``0..len-1`` index as ``dd.read_csv`` gives) yields memory's votes table,
matrix and label model; permuting the frame's rows permutes the items and nothing else.

Frames are a few rows in a few partitions: Dask's cost is per partition, not per row.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.weak import LabelModel, apply, labeling_function

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

SETTINGS = settings(max_examples=25, deadline=None)


@labeling_function(abstain=-1)
def by_x(row):
    return 1 if row.x > 0.5 else (0 if row.x < -0.5 else -1)


@labeling_function(vectorized=True, abstain=-1)
def sign(df):
    return np.where(df.x > 0, 1, np.where(df.x < 0, 0, -1))


@labeling_function(abstain=-1)
def is_a(row):
    return 1 if row.t == "a" else -1


@labeling_function(vectorized=True, abstain=-1)
def is_b(df):
    return np.where(df.t == "b", 0, -1)


@labeling_function()
def word_x(row):
    return "pos" if row.x > 0 else None


@labeling_function(vectorized=True)
def word_t(df):
    return pd.Series(np.where(df.t == "c", "neg", None), index=df.index)


@labeling_function()
def word_big(row):
    return "pos" if abs(row.x) >= 1 else ("neg" if row.x == 0 else None)


#: Row and vectorised functions voting integers (abstain -1) or words (abstain None).
LFS = {"ints": [by_x, sign, is_a, is_b], "words": [word_x, word_t, word_big]}


@st.composite
def frames(draw, min_size=1, max_size=16):
    """A small frame of coarse ``x`` values (ties, zeros) and a text column ``t``."""
    n = draw(st.integers(min_size, max_size))
    x = draw(st.lists(st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 2.0]), min_size=n, max_size=n))
    t = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    return pd.DataFrame({"x": x, "t": t})


def _partitioned(frame: pd.DataFrame, cuts: list[int], own_index: bool):
    """``frame`` cut at ``cuts`` (repeats and 0 or ``len`` make empty partitions); with ``own_index``
    each partition numbered ``0..len-1`` on its own, as ``dd.read_csv`` numbers its files. Not
    sorted: ``dd.from_pandas`` sorts the index by default, which would undo a permutation."""
    bounds = [0, *sorted(cuts), len(frame)]
    parts = [frame.iloc[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]
    if own_index:
        parts = [p.reset_index(drop=True) for p in parts]
    # Each part with buffers of its own: dask's token of a sliced Arrow string column reads the whole
    # parent buffer (apache/arrow#26685, dask/dask#11322), so two slices with equal index and numbers
    # but other strings got one key and one partition's rows twice.
    parts = [pickle.loads(pickle.dumps(p)) for p in parts]
    return dd.concat([dd.from_pandas(p, npartitions=1, sort=False) for p in parts])


def _outcome(lfs, df):
    """The votes, their matrix and the label model's posteriors; or the error's type and message."""
    with dask.config.set(scheduler="threads", num_workers=2):
        try:
            votes = apply(lfs, df)
        except LabelwiseError as exc:
            return type(exc), str(exc)
    try:
        proba = LabelModel().fit(votes).predict_proba(votes)
    except LabelwiseError as exc:
        proba = (type(exc), str(exc))
    return votes, votes.matrix(), proba


def _sorted_votes(votes) -> pd.DataFrame:
    return votes.answers.sort_values(["item", "labeler"], kind="stable").reset_index(drop=True)


def _assert_same_votes(got, expected) -> None:
    """The same items (values and kind of index), labelers, classes (values and dtype), long table
    sorted by item and labeler (dtypes included), matrix and posteriors (bit for bit)."""
    if isinstance(expected[0], type):
        assert got == expected
        return
    (gv, gm, gp), (ev, em, ep) = got, expected
    np.testing.assert_array_equal(gv.items.to_numpy(), ev.items.to_numpy())
    assert gv.items.dtype == ev.items.dtype
    assert gv.labelers == ev.labelers
    np.testing.assert_array_equal(gv.classes, ev.classes)
    assert gv.classes.dtype == ev.classes.dtype
    pd.testing.assert_frame_equal(_sorted_votes(gv), _sorted_votes(ev))
    np.testing.assert_array_equal(gm, em)
    if isinstance(ep, tuple):
        assert gp == ep
    else:
        pd.testing.assert_frame_equal(gp, ep, check_exact=True, check_index_type=False)


@SETTINGS
@given(
    frame=frames(),
    data=st.data(),
    own_index=st.booleans(),
    kind=st.sampled_from(sorted(LFS)),
)
def test_any_partitioning_gives_memory_s_votes_matrix_and_label_model(frame, data, own_index, kind):
    """1..n partitions, empty ones anywhere (first, last, several in a row), each with the frame's
    index or its own ``0..len-1``: the votes table sorted by item and labeler, ``matrix()`` and
    ``LabelModel().fit(votes).predict_proba(votes)`` are memory's (an error, memory's error)."""
    cuts = data.draw(st.lists(st.integers(0, len(frame)), max_size=4), label="cuts")
    lfs = LFS[kind]
    _assert_same_votes(_outcome(lfs, _partitioned(frame, cuts, own_index)), _outcome(lfs, frame))


@SETTINGS
@given(frame=frames(min_size=2), data=st.data(), kind=st.sampled_from(sorted(LFS)), lazy=st.booleans())
def test_permuting_the_rows_permutes_the_items_and_nothing_else(frame, data, kind, lazy):
    """The frame's rows in another order (in memory, or cut into Dask partitions): the items are the
    permuted index, the matrix the permuted rows, the posteriors the permuted rows bit for bit
    (the label model works on the distinct vote rows); labelers, classes and the long table sorted
    by item and labeler are unchanged."""
    perm = np.array(data.draw(st.permutations(range(len(frame))), label="perm"))
    lfs = LFS[kind]
    expected = _outcome(lfs, frame)
    shuffled = frame.iloc[perm]
    if lazy:
        cuts = data.draw(st.lists(st.integers(0, len(frame)), max_size=3), label="cuts")
        got = _outcome(lfs, _partitioned(shuffled, cuts, own_index=False))
    else:
        got = _outcome(lfs, shuffled)
    if isinstance(expected[0], type):
        assert got == expected
        return
    (gv, gm, gp), (ev, em, ep) = got, expected
    np.testing.assert_array_equal(gv.items.to_numpy(), ev.items.to_numpy()[perm])
    assert (gv.labelers, gv.classes.tolist(), gv.classes.dtype) == (ev.labelers, ev.classes.tolist(), ev.classes.dtype)
    pd.testing.assert_frame_equal(_sorted_votes(gv), _sorted_votes(ev))
    np.testing.assert_array_equal(gm, em[perm])
    if isinstance(ep, tuple):
        assert gp == ep
    else:
        np.testing.assert_array_equal(gp.to_numpy(), ep.to_numpy()[perm])
        np.testing.assert_array_equal(gp.index.to_numpy(), ep.index.to_numpy()[perm])


@SETTINGS
@given(frame=frames(), data=st.data(), own_index=st.booleans(), kind=st.sampled_from(sorted(LFS)))
def test_any_partitioning_gives_memory_s_answers_in_memory_s_row_order(frame, data, own_index, kind):
    """``votes.answers`` unsorted is memory's, row for row: labeler by labeler, each labeler's votes in
    row order (Dask gave them partition by partition before session 45)."""
    cuts = data.draw(st.lists(st.integers(0, len(frame)), max_size=4), label="cuts")
    got, expected = _outcome(LFS[kind], _partitioned(frame, cuts, own_index)), _outcome(LFS[kind], frame)
    if isinstance(expected[0], type):
        assert got == expected
        return
    pd.testing.assert_frame_equal(got[0].answers, expected[0].answers)


def test_two_partitions_give_answers_labeler_by_labeler_as_memory():
    """A fixed case of the property: 2 functions, 2 partitions, every row voted by both."""
    frame = pd.DataFrame({"x": [-2.0, 1.0, -1.0, 2.0], "t": ["a", "a", "a", "a"]})
    votes = _outcome([sign, is_a], _partitioned(frame, [2], own_index=False))[0]
    assert votes.answers["labeler"].tolist() == ["sign"] * 4 + ["is_a"] * 4
    assert votes.answers["item"].tolist() == [0, 1, 2, 3, 0, 1, 2, 3]
