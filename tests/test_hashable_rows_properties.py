"""Properties of the shared hashable-value check (``_validate.labels.unhashable_value`` and
``row_label``): a list or dict in an answers or votes table is named by the row of the frame the
user passed (its position, and its index label where that differs), whatever the index (a range,
shuffled or repeated integers, text, floats, a MultiIndex) and whatever rows the caller drops
before encoding (unlabelled votes, empty answers).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import (
    BWA,
    GLAD,
    MACE,
    DawidSkene,
    MajorityVote,
    OneCoinDawidSkene,
    Wawa,
    ZeroBasedSkill,
    agreement,
    encode_answers,
    krippendorff_alpha,
)
from labelwise.errors import LabelwiseError
from labelwise.weak import as_votes, self_consistency

SETTINGS = settings(max_examples=60, deadline=None)

#: Values pandas cannot hash: lists and dicts (nested JSON), and tuples holding one (no ``__hash__`` is
#: None there, yet ``hash`` fails: on main pandas' bare TypeError escaped).
NESTED = st.sampled_from([[1, 2], [], {"a": 1}, [["x"]], {"b": [0]}, (1, [2]), ("a", {"b": 1})])


@st.composite
def indexes(draw, n: int) -> pd.Index:
    """An index of ``n`` rows: a range (maybe offset), shuffled or repeated integers, text, floats, pairs."""
    kind = draw(st.sampled_from(["range", "offset", "shuffled", "repeated", "text", "float", "multi"]))
    if kind == "range":
        return pd.RangeIndex(n)
    if kind == "offset":
        start = draw(st.integers(-3, 3))
        return pd.RangeIndex(start, start + n)
    if kind == "shuffled":
        return pd.Index(draw(st.permutations(list(range(n)))))
    if kind == "repeated":
        return pd.Index(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    if kind == "text":
        return pd.Index(draw(st.lists(st.sampled_from(["a", "b", "0", "1", "row 2"]), min_size=n, max_size=n)))
    if kind == "float":
        return pd.Index(draw(st.lists(st.sampled_from([0.0, 1.0, 2.5, -1.0]), min_size=n, max_size=n)))
    return pd.MultiIndex.from_arrays([np.arange(n) % 2, np.arange(n)])


def _expected_row(index: pd.Index, pos: int) -> str:
    """The frame's row ``pos`` as the message names it: ``row pos``, with ``(index X)`` unless X is ``pos``."""
    label = index[pos]
    label = label.item() if isinstance(label, np.generic) else label
    same = isinstance(label, (int, np.integer)) and not isinstance(label, bool) and label == pos
    return f"row {pos}" if same else f"row {pos} (index {label!r})"


def _names_row(error: Exception, index: pd.Index, pos: int) -> None:
    message = str(error)
    assert re.search(re.escape(_expected_row(index, pos)) + r" is (list|dict|tuple) ", message), (message, pos)


@st.composite
def tables(draw, with_gaps: bool) -> tuple[pd.DataFrame, str, int]:
    """An answers table with one nested value (column, position); with gaps, some rows lack a label."""
    n = draw(st.integers(2, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    frame = pd.DataFrame(
        {"item": rng.integers(0, 4, n), "annotator": rng.integers(0, 3, n), "label": rng.choice(["x", "y"], n)}
    ).astype(object)
    col = draw(st.sampled_from(["item", "annotator", "label"]))
    pos = draw(st.integers(0, n - 1))
    if with_gaps:
        for gap in draw(st.lists(st.integers(0, n - 1), max_size=n - 1)):
            if gap != pos:
                frame.at[gap, "label"] = None
    frame.at[pos, col] = draw(NESTED)
    frame.index = draw(indexes(n))
    return frame, col, pos


@SETTINGS
@given(
    case=tables(with_gaps=False),
    method=st.sampled_from([MajorityVote, DawidSkene, OneCoinDawidSkene, GLAD, MACE, Wawa, ZeroBasedSkill, BWA]),
)
def test_aggregate_names_the_row_of_the_answers_frame(case, method):
    """An aggregator's fit: the column and the frame's own row of the nested value."""
    frame, col, pos = case
    with pytest.raises(LabelwiseError, match=rf"column '{col}' must hold hashable") as caught:
        method().fit(frame)
    _names_row(caught.value, frame.index, pos)


@SETTINGS
@given(case=tables(with_gaps=False), how=st.sampled_from(["declared", "agreement", "alpha"]))
def test_encoding_and_agreement_name_the_row_of_the_answers_frame(case, how):
    """``encode_answers`` with declared labels, ``agreement`` and ``krippendorff_alpha``: the frame's own row."""
    frame, col, pos = case
    call = {
        "declared": lambda: encode_answers(frame, labels=["x", "y"]),
        "agreement": lambda: agreement(frame),
        "alpha": lambda: krippendorff_alpha(frame),
    }[how]
    with pytest.raises(LabelwiseError, match=rf"column '{col}' must hold hashable") as caught:
        call()
    _names_row(caught.value, frame.index, pos)


@SETTINGS
@given(case=tables(with_gaps=True), declared=st.booleans())
def test_as_votes_names_the_row_of_the_votes_frame(case, declared):
    """``weak.as_votes``: unlabelled rows are dropped first, yet the frame's own row is named."""
    frame, col, pos = case
    votes = frame.rename(columns={"annotator": "labeler"})
    col = "labeler" if col == "annotator" else col
    with pytest.raises(LabelwiseError, match=rf"votes column '{col}' must hold hashable") as caught:
        as_votes(votes, classes=["x", "y"] if declared and col != "label" else None)
    _names_row(caught.value, votes.index, pos)


@SETTINGS
@given(case=tables(with_gaps=True))
def test_self_consistency_names_the_row_of_the_answers_frame(case):
    """``weak.self_consistency``: empty answers are dropped first, yet the frame's own row is named."""
    frame, col, pos = case
    if col == "annotator":  # the sample column is never hashed
        return
    with pytest.raises(LabelwiseError, match=rf"answers column '{col}' must hold hashable") as caught:
        self_consistency(frame)
    _names_row(caught.value, frame.index, pos)


@SETTINGS
@given(case=tables(with_gaps=True), caller=st.sampled_from(["as_votes", "self_consistency", "aggregate"]))
def test_a_null_id_is_named_by_the_row_of_the_frame(case, caller):
    """A null item (or labeler) id where a label is given: refused, naming the frame's own row (on main
    ``as_votes`` kept a vote on item NaN by labeler NaN, and ``self_consistency`` named the position only)."""
    frame, col, pos = case
    frame = frame.copy()
    col = "annotator" if col == "label" else col
    if caller == "self_consistency":
        col = "item"  # (the sample column may be null: it is never read)
    frame.iloc[pos, frame.columns.get_loc(col)] = None
    frame.iloc[pos, frame.columns.get_loc("label")] = "x"
    with pytest.raises(LabelwiseError) as caught:
        if caller == "as_votes":
            as_votes(frame.rename(columns={"annotator": "labeler"}))
        elif caller == "self_consistency":
            self_consistency(frame)
        else:
            MajorityVote().fit(frame)
    message = str(caught.value)
    assert re.search(re.escape(_expected_row(frame.index, pos)) + r" (is None|is nan|has none)", message), message
