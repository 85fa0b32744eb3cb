"""estimate_priors: a target DataFrame whose header names the classes, beside validation probabilities
given as an array (sorted class order), is matched by name, not by position."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.shift import estimate_priors
from tests.shift._data import shifted_problem

NAMES = np.array(["blue jay", "grey owl", "red fox"])


@pytest.fixture(scope="module")
def problem():
    model, Xv, yv, Xt, _, _ = shifted_problem([0.6, 0.3, 0.1], n_target=600)
    return model.predict_proba(Xv), NAMES[yv], model.predict_proba(Xt)


class TestTargetHeader:
    def test_named_target_columns_in_another_order_give_the_array_result(self, problem):
        """Target columns red fox, grey owl, blue jay beside a validation array: the priors of the arrays'
        run, class by class (they were read by position: blue jay got red fox's prior)."""
        vp, yv, tp = problem
        want = estimate_priors(vp, yv, tp).to_frame()
        target = pd.DataFrame(tp, columns=NAMES)[NAMES[::-1]]
        got = estimate_priors(vp, yv, target).to_frame()
        pd.testing.assert_frame_equal(got, want)

    def test_integer_named_target_columns_beside_integer_labels(self, problem):
        """A target header 2,0,1 (text, as a CSV gives it) beside integer labels is read as those classes."""
        vp, yv, tp = problem
        codes = pd.Index(NAMES).get_indexer(yv)
        want = estimate_priors(vp, codes, tp).to_frame()
        target = pd.DataFrame(tp[:, [2, 0, 1]], columns=["2", "0", "1"])
        pd.testing.assert_frame_equal(estimate_priors(vp, codes, target).to_frame(), want)
