"""tau_AP,b (Urbano & Marrero 2017) for two rankings that both hold ties: ``tau_ap(..., ties="b")``.

Main offered only tau_AP,a (the mean over tie orders); ``ties=`` did not exist.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError
from labelwise.evaluate import tau_ap


def _one_way_by_hand(ref: list[float], walk: list[float]) -> float:
    """The paper's one-way tau_AP,b, written as loops: walking down ``walk``, each system below the top
    tie group scores the share of the systems in groups strictly above it that ``ref`` scores strictly
    higher; ``2/(N - t_1) * sum - 1``."""
    n = len(walk)
    top = max(walk)
    total, counted = 0.0, 0
    for i in range(n):
        if walk[i] == top:
            continue
        above = [j for j in range(n) if walk[j] > walk[i]]
        total += sum(ref[j] > ref[i] for j in above) / len(above)
        counted += 1
    return 2.0 * total / counted - 1.0


def _tau_ap_b_by_hand(x: list[float], y: list[float]) -> float:
    return 0.5 * (_one_way_by_hand(x, y) + _one_way_by_hand(y, x))


# pyircor's published test vectors (its tests/test_pyircor.py) and the values it gives for them
SETS = {
    "set1": (
        [0.9, 0.4, 0.9, 0.9, 0.7, 0.1, 0.2, 0.4, 0.5, 1],
        [0.8, 0.4, 0.8, 1, 0.7, 0.1, 0.4, 0.5, 0.6, 1],
        0.7321,
    ),
    "set2": (
        [0.3, 0.6, 0.2, 0.9, 0.6, 0.2, 0.7, 0.8, 0.7, 0.4],
        [0.3, 0.8, 0.7, 0.9, 0.1, 0.1, 0.5, 0.6, 1, 0.6],
        0.297,
    ),
    "set3": (
        [0.2, 0.6, 0.9, 0.1, 0.5, 0.6, 0.8, 0.4, 1, 0.4],
        [0.8, 0.3, 0.3, 0.9, 0.6, 0.3, 0.2, 0.9, 0, 0.2],
        -0.7047,
    ),
}

tied_pairs = st.integers(3, 8).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 3), min_size=n, max_size=n).filter(lambda v: len(set(v)) > 1),
        st.lists(st.integers(0, 3), min_size=n, max_size=n).filter(lambda v: len(set(v)) > 1),
        st.permutations(range(n)),
    )
)


class TestTauAPB:
    def test_a_worked_example_by_hand(self):
        """x = [3, 2, 2, 1], y = [3, 3, 2, 1]: one way 0.5 (walking y), the other 1/3, so 5/12."""
        # walking y: C has A, B above, x puts only A strictly above C (1/2); D has 3 of 3 (1); 2/2 * 1.5 - 1
        # walking x: B has A above, y ties them (0); C: A above, y agrees (1); D: 3 of 3 (1); 2/3 * 2 - 1
        assert tau_ap([3, 2, 2, 1], [3, 3, 2, 1], ties="b") == pytest.approx(5 / 12)

    @pytest.mark.parametrize("name", sorted(SETS))
    def test_matches_pyircor_published_values(self, name):
        """The values pyircor (the Python port of Urbano's ircor) publishes for its test vectors, both ways."""
        x, y, want = SETS[name]
        assert tau_ap(x, y, ties="b") == pytest.approx(want, abs=5e-5)
        assert tau_ap(y, x, ties="b") == pytest.approx(want, abs=5e-5)

    @settings(max_examples=80, deadline=None)
    @given(pair=tied_pairs)
    def test_equals_the_definition_written_as_loops(self, pair):
        """Any two tied lists: the closed form equals the paper's definition walked item by item."""
        x, y, _ = pair
        assert tau_ap(x, y, ties="b") == pytest.approx(_tau_ap_b_by_hand(x, y), abs=1e-12)

    @settings(max_examples=80, deadline=None)
    @given(pair=tied_pairs)
    def test_permuting_the_input_order_changes_nothing(self, pair):
        """The same systems in another order (Series or plain lists) give the same value."""
        x, y, perm = pair
        names = [f"s{i}" for i in range(len(x))]
        a, b = pd.Series(x, index=names, dtype=float), pd.Series(y, index=names, dtype=float)
        want = tau_ap(a, b, ties="b")
        assert tau_ap(a.iloc[list(perm)], b.iloc[list(perm)], ties="b") == pytest.approx(want, abs=1e-12)
        assert tau_ap(np.asarray(x)[list(perm)], np.asarray(y)[list(perm)], ties="b") == pytest.approx(want, abs=1e-12)

    @settings(max_examples=80, deadline=None)
    @given(n=st.integers(2, 9), data=st.data())
    def test_without_ties_equals_the_mean_of_both_untied_directions(self, n, data):
        """No ties: tau_AP,b is the symmetric tau-AP (the mean of tau_ap both ways), as the paper says."""
        x = data.draw(st.permutations(range(n)))
        y = data.draw(st.permutations(range(n)))
        want = 0.5 * (tau_ap(x, y) + tau_ap(y, x))
        assert tau_ap(x, y, ties="b") == pytest.approx(want, abs=1e-12)

    def test_matches_pyircor_without_ties(self):
        """The peer values without ties: pyircor's tauap_b of set1 untied is 0.8333, its tauap 0.8519."""
        x = [0.897, 0.372, 0.908, 0.898, 0.661, 0.062, 0.177, 0.384, 0.498, 0.992]
        y = [0.82, 0.406, 0.817, 0.953, 0.673, 0.073, 0.364, 0.547, 0.589, 0.988]
        assert tau_ap(x, y) == pytest.approx(0.8519, abs=5e-5)
        assert tau_ap(x, y, ties="b") == pytest.approx(0.8333, abs=5e-5)

    def test_identical_lists_with_ties_give_one_where_tau_ap_a_gives_less(self):
        """b treats ties as true ties: a list agrees with itself fully; a (unresolved order) says 0.833."""
        s = [3, 2, 2, 1]
        assert tau_ap(s, s, ties="b") == pytest.approx(1.0)
        assert tau_ap(s, s) == pytest.approx(0.8333333333)

    def test_an_unknown_ties_value_is_refused_naming_the_choices(self):
        """ties='c' is a labelwise error naming the parameter, the choices and the value."""
        with pytest.raises(InvalidParameterError, match=r"ties must be 'a' .* or 'b' .*got 'c'"):
            tau_ap([1, 2, 3], [1, 2, 3], ties="c")
