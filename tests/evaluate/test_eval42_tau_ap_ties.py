"""tau-AP (and the other rank measures of ``ranking_agreement``) when one ranking ties every system (session 42).

On main ``tau_ap`` of a list of equal scores ordered the systems by their position and gave a number
(-1.0 or 1.0 depending on the input order); Yilmaz et al. define tau-AP for rankings without ties,
and a list that ties every system orders none of them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import LabelwiseWarning
from labelwise.evaluate import ranking_agreement, tau_ap


class TestTauAP:
    @pytest.mark.parametrize("order", [[1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]])
    def test_estimate_that_ties_every_system_is_nan_with_a_warning_naming_it(self, order):
        """Equal estimated scores gave 1.0 or -1.0 by input order; now NaN and a warning naming ``estimate``."""
        with pytest.warns(
            LabelwiseWarning,
            match=r"estimate gives every system the same score \(0\.5\), so it "
            r"orders none of the 4 systems: tau-AP is undefined",
        ):
            assert np.isnan(tau_ap(order, [0.5] * 4))

    def test_truth_that_ties_every_system_is_nan_and_partial_ties_keep_a_number(self):
        """Equal true scores: NaN naming ``truth``; a partial tie still gives a number, the mean over the
        tie orders (session 48): the tied pair counts 0, the rest weigh ``1/(i-1)`` averaged over the group."""
        with pytest.warns(LabelwiseWarning, match=r"truth gives every system the same score"):
            assert np.isnan(tau_ap([2, 2, 2], [1, 2, 3]))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert tau_ap([3, 2, 2, 1], [3, 2, 2, 1]) == pytest.approx(2.5 / 3)


class TestRankingAgreement:
    def test_a_table_that_ties_every_system_gives_nan_measures_and_one_warning(self):
        """scores_b equal for every system: every measure and interval NaN (main: tau-AP -1.0, RBO a number)."""
        a = pd.Series({"bm25": 0.41, "dense": 0.52, "hybrid": 0.55, "splade": 0.50})
        b = pd.Series(0.3, index=a.index)
        with pytest.warns(LabelwiseWarning) as caught:
            res = ranking_agreement(a, b, n_boot=50)
        said = [str(w.message) for w in caught if issubclass(w.category, LabelwiseWarning)]
        assert len(said) == 1 and said[0].startswith("scores_b gives every system the same score (0.3)")
        frame = res.to_frame()
        assert frame.isna().all().all(), frame

    def test_per_topic_tables_name_the_mean_over_topics(self):
        """With systems x topics tables the warning says the mean over the topics ties every system."""
        a = pd.DataFrame({"t1": [0.1, 0.5, 0.3], "t2": [0.2, 0.4, 0.6]}, index=["x", "y", "z"])
        b = pd.DataFrame({"t1": [0.0, 0.2, 0.1], "t2": [0.2, 0.0, 0.1]}, index=["x", "y", "z"])
        with pytest.warns(LabelwiseWarning, match=r"scores_b \(its mean over the topics\) gives every system"):
            res = ranking_agreement(a, b, n_boot=0)
        assert np.isnan(res.values["tau_ap"]) and np.isnan(res.values["rbo_ext"])
