"""RBO with ties (Corsi & Urbano 2024): sets in a ranking are tie groups, ``ties=`` picks a/b/w, and
``ranking_agreement``'s RBO no longer depends on the input order of tied systems.

On main a set in a ranking was an error (unhashable) and ranking_agreement ordered tied scores by
their position in ``scores_a``.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError
from labelwise.evaluate import ranking_agreement, rbo_ext


def _parse(text: str) -> list:
    """Corsi & Urbano's text form: ``a (b c) d`` is a, then b and c tied, then d."""
    return [set(m[0].split()) if m[0] else m[1] for m in re.findall(r"\(([^)]*)\)|(\w+)", text)]


# rows of rbo/test.csv in julian-urbano/sigir2024-rbo (the paper's code): x, y, p, then RBO_ext w, a, b
PEER_ROWS = [
    ("(i3 i6) (i2 i7) i10", "(i3 i6 i7 i10) (i1 i2)", 0.965413635276732, 0.946064537517568, 0.92051534467649,
     0.956844651806714),
    ("i13 (i1 i4 i5 i6)", "i3 i14 i11 (i10 i15) i12 (i6 i9) i4 i2", 0.92238320668128, 0.117578490431637,
     0.114619469221414, 0.11474835409049),
    ("(i1 i4 i6 i8 i10 i12 i13 i14 i17 i18)", "(i1 i4 i10 i13 i17 i19) i18 (i6 i20 i22) i8 i14 i9",
     0.908075936164193, 0.724213629902645, 0.557549635735562, 0.736937983877011),
    ("i2 i5 i3 (i1 i4)", "i5 i8 i2 (i3 i9)", 0.968922741966306, 0.580287544332462, 0.580994268838527,
     0.583518284931614),
]  # fmt: skip


def _rbo_untied(s: list, t: list, p: float) -> float:
    """Webber et al.'s RBO_ext for two untied lists of the same length, from its definition (eq. 32 with s = l)."""
    n = len(s)
    x = [len(set(s[:d]) & set(t[:d])) for d in range(1, n + 1)]
    return (1 - p) / p * sum(x[d - 1] / d * p**d for d in range(1, n + 1)) + x[-1] / n * p**n


def _orders(groups: list) -> list[list]:
    """Every way to break the ties of a ranking of groups, flattened."""
    parts = [list(itertools.permutations(sorted(g))) if isinstance(g, set) else [(g,)] for g in groups]
    return [[item for part in combo for item in part] for combo in itertools.product(*parts)]


grouped_rankings = st.integers(2, 6).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 2), min_size=n, max_size=n),
        st.lists(st.integers(0, 2), min_size=n, max_size=n),
        st.permutations(range(n)),
    )
)


def _groups(levels: list[int], names: list[str]) -> list:
    """Names grouped by level, highest first; a group of one is a plain item."""
    out = []
    for level in sorted(set(levels), reverse=True):
        members = {n for n, v in zip(names, levels, strict=True) if v == level}
        out.append(members if len(members) > 1 else members.pop())
    return out


class TestRboTies:
    @pytest.mark.parametrize("row", PEER_ROWS, ids=range(len(PEER_ROWS)))
    def test_matches_the_papers_code_on_its_test_rows(self, row):
        """RBO_ext w, a and b equal the values Corsi & Urbano's code gives (lists of unequal length, ties)."""
        x, y, p, w, a, b = row
        for ties, want in (("w", w), ("a", a), ("b", b)):
            assert rbo_ext(_parse(x), _parse(y), p, ties=ties) == pytest.approx(want, abs=1e-9)
            assert rbo_ext(_parse(y), _parse(x), p, ties=ties) == pytest.approx(want, abs=1e-9)

    def test_the_papers_readme_example(self):
        """The README of the paper's code: p = 0.95 gives a 0.6922853, w 0.7068257, b 0.7207131."""
        x = ["red", {"blue", "green"}, "yellow", "pink"]
        y = [{"blue", "red"}, "white", {"yellow", "black", "purple"}, "green"]
        assert rbo_ext(x, y, 0.95) == pytest.approx(0.6922853, abs=1e-7)
        assert rbo_ext(x, y, 0.95, ties="w") == pytest.approx(0.7068257, abs=1e-7)
        assert rbo_ext(x, y, 0.95, ties="b") == pytest.approx(0.7207131, abs=1e-7)

    @settings(max_examples=60, deadline=None)
    @given(pair=grouped_rankings, p=st.sampled_from([0.5, 0.8, 0.9]))
    def test_rbo_a_is_the_mean_over_every_way_to_break_the_ties(self, pair, p):
        """Small lists of the same items: RBO^a equals the mean untied RBO over all tie orders of both."""
        a, b, _ = pair
        names = [f"s{i}" for i in range(len(a))]
        ga, gb = _groups(a, names), _groups(b, names)
        want = np.mean([_rbo_untied(s, t, p) for s in _orders(ga) for t in _orders(gb)])
        assert rbo_ext(ga, gb, p) == pytest.approx(want, abs=1e-12)

    @settings(max_examples=60, deadline=None)
    @given(pair=grouped_rankings)
    def test_ranking_agreement_rbo_does_not_depend_on_the_input_order(self, pair):
        """Tied scores in another input order: the same RBO (main ordered ties by their position in scores_a)."""
        a, b, perm = pair
        names = [f"s{i}" for i in range(len(a))]
        if len(a) < 3 or len(set(a)) < 2 or len(set(b)) < 2:
            return
        sa, sb = pd.Series(a, index=names, dtype=float), pd.Series(b, index=names, dtype=float)
        want = ranking_agreement(sa, sb, n_boot=0).values["rbo_ext"]
        got = ranking_agreement(sa.iloc[list(perm)], sb.iloc[list(perm)], n_boot=0).values["rbo_ext"]
        assert got == pytest.approx(want, abs=1e-12)
        assert want == pytest.approx(rbo_ext(_groups(a, names), _groups(b, names), 0.9), abs=1e-12)

    def test_reversed_ties_gave_two_values_on_main(self):
        """Two systems tied in both tables: reversing the input changed RBO on main (0.9 vs 1.0); now 0.95 both ways."""
        a = pd.Series({"s1": 2.0, "s2": 2.0, "s3": 1.0})
        b = pd.Series({"s1": 1.0, "s2": 3.0, "s3": 0.0})
        forward = ranking_agreement(a, b, n_boot=0).values["rbo_ext"]
        backward = ranking_agreement(a.iloc[::-1], b.iloc[::-1], n_boot=0).values["rbo_ext"]
        assert forward == pytest.approx(backward, abs=1e-12)

    def test_a_list_with_ties_agrees_with_itself_fully_under_b_and_w_not_a(self):
        """b corrects for the order the ties hide (1), w reads ties as equal (1), a averages orders (< 1)."""
        s = ["x", {"y", "z"}, "w"]
        assert rbo_ext(s, s, 0.9, ties="b") == pytest.approx(1.0)
        assert rbo_ext(s, s, 0.9, ties="w") == pytest.approx(1.0)
        assert rbo_ext(s, s, 0.9, ties="a") < 1.0

    def test_an_empty_tie_group_and_an_unknown_variant_are_refused(self):
        """An empty set names the ranking and position; ties='x' names the three choices."""
        with pytest.raises(InvalidParameterError, match=r"t must not hold an empty tie group, position 1"):
            rbo_ext(["a", "b"], ["a", set(), "b"])
        with pytest.raises(InvalidParameterError, match=r"ties must be 'a' .*'b' .*'w' .*got 'x'"):
            rbo_ext(["a", "b"], ["a", "b"], ties="x")

    def test_an_item_in_two_groups_is_refused(self):
        """An item tied in one group and listed again is a repeated item, naming both positions."""
        with pytest.raises(InvalidParameterError, match=r"s has 'b' at positions 0 and 1"):
            rbo_ext([{"a", "b"}, "b"], ["a", "b"])
