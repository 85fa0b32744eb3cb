"""rbo_ext takes rankings of item ids; a Series of scores by system is refused, not read as ids."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.evaluate import ranking_agreement, rbo_ext

A = pd.Series({"bm25": 0.41, "dense": 0.52, "hybrid": 0.55, "splade": 0.50})
B = pd.Series({"bm25": 0.45, "dense": 0.50, "hybrid": 0.58, "splade": 0.53})


class TestRboExtInputs:
    def test_series_of_scores_is_refused_naming_the_ranking_and_the_fix(self):
        """Scores by system (what kendall_tau takes) are an error saying how to rank them."""
        with pytest.raises(InvalidParameterError, match=r"s must be a ranking.*'bm25': 0\.41.*sort_values"):
            rbo_ext(A, B)

    def test_ranked_index_gives_ranking_agreements_value(self):
        """The ranked index the error suggests gives the rbo_ext of ranking_agreement."""
        want = ranking_agreement(A, B, n_boot=0).values["rbo_ext"]
        got = rbo_ext(A.sort_values(ascending=False).index, B.sort_values(ascending=False).index)
        assert got == pytest.approx(want)

    def test_series_of_ids_is_still_a_ranking(self):
        """A Series holding item ids (text or integers) is read as the ranking it holds."""
        assert rbo_ext(pd.Series(["x", "y", "z"]), ["x", "y", "z"]) == pytest.approx(1.0)
        assert rbo_ext(pd.Series([3, 1, 2]), [3, 1, 2]) == pytest.approx(1.0)
