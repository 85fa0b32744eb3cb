"""M-MSR's trimmed means with the pairs grouped once (GroupedTrimmedMeans): the full sort's means,
bit for bit, call after call, and the same MMSR fits as before."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelwise.aggregate.mmsr as mmsr
from labelwise.aggregate import encode_answers
from labelwise.aggregate._mmsr_msr import GroupedTrimmedMeans, trimmed_means
from labelwise.aggregate._mmsr_pairs import annotator_pairs
from tests.aggregate._crowd import confusion_crowd

VALUES = st.one_of(
    st.sampled_from([0.0, 0.5, 1.0, 2.0, np.inf, np.nan]),  # ties, infinities and NaN (a 0 divisor)
    st.floats(0.0, 10.0, allow_nan=False),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_groups=st.integers(1, 6),
    data=st.data(),
    f=st.integers(0, 3),
    n_calls=st.integers(1, 5),
)
def test_grouped_means_equal_the_full_sort_call_after_call(n_groups, data, f, n_calls):
    """Any groups (in any order), values with ties, inf and NaN, several calls on one object: each
    call's means are trimmed_means' to the bit."""
    size = data.draw(st.integers(1, 30))
    group = np.asarray(data.draw(st.lists(st.integers(0, n_groups - 1), min_size=size, max_size=size)))
    means = GroupedTrimmedMeans(group)
    current = np.asarray(data.draw(st.lists(st.floats(0.0, 5.0), min_size=n_groups, max_size=n_groups)))
    for _ in range(n_calls):
        values = np.asarray(data.draw(st.lists(VALUES, min_size=size, max_size=size)))
        expected = trimmed_means(group, values, current, f, 7)
        got = means(values, current, f, 7)
        np.testing.assert_array_equal(got.view(np.int64), expected.view(np.int64))
        current = got


def test_grouped_means_resort_only_groups_whose_order_changed():
    """The kept order is the values' order: a second call with the same values finds nothing to
    re-sort, and after a change only the changed group moves."""
    group = np.array([1, 0, 1, 0, 1, 0])
    means = GroupedTrimmedMeans(group)
    values = np.array([3.0, 2.0, 1.0, 5.0, 2.0, 4.0])
    means(values, np.zeros(2), 0, 4)
    kept = means.order.copy()
    np.testing.assert_array_equal(values[kept], [2.0, 4.0, 5.0, 1.0, 2.0, 3.0])
    means(values, np.zeros(2), 0, 4)
    np.testing.assert_array_equal(means.order, kept)
    values[0] = 0.5  # group 1 only
    means(values, np.zeros(2), 0, 4)
    np.testing.assert_array_equal(means.order[:3], kept[:3])
    np.testing.assert_array_equal(values[means.order[3:]], [0.5, 1.0, 2.0])


class _FullSort:
    """The pre-session-38 half step: a full (group, value) sort at every call."""

    def __init__(self, group: np.ndarray) -> None:
        self.group = group

    def __call__(self, values, current, f, n):
        return trimmed_means(self.group, values, current, f, n)


def test_msr_iteration_equals_the_full_sort_loop_bit_for_bit(monkeypatch):
    """80 annotators, 5 per item, 300 iterations: the same factors and change history, to the bit,
    as the loop that sorts all pairs at every half step."""
    answers, _ = confusion_crowd(400, 3, tuple(np.linspace(0.3, 0.9, 80)), per_item=5, seed=3)
    enc = encode_answers(answers)
    pairs = annotator_pairs(enc)
    u0 = np.random.default_rng(0).uniform(size=enc.n_annotators)
    args = (pairs.rows, pairs.cols, np.abs(pairs.cov), u0, u0.copy(), 2, enc.n_items, 300, 0.0)
    u, v, history = mmsr.msr_rank_one_pairs(*args)
    monkeypatch.setattr(mmsr, "GroupedTrimmedMeans", _FullSort)
    u2, v2, history2 = mmsr.msr_rank_one_pairs(*args)
    np.testing.assert_array_equal(u, u2)
    np.testing.assert_array_equal(v, v2)
    assert history == history2 and len(history) == 300
