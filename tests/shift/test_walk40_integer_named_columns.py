"""estimate_priors: probability tables whose header names integer classes out of order are read by name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.shift import estimate_priors
from tests.shift._data import shifted_problem


@pytest.fixture(scope="module")
def problem():
    return shifted_problem([0.6, 0.3, 0.1])


@pytest.mark.parametrize("header", [["2", "0", "1"], [2, 0, 1]], ids=["text", "numbers"])
def test_integer_class_names_out_of_order_match_the_array(problem, header):
    """Columns named 2,0,1 (a CSV's header) beside integer labels were taken as positions 0,1,2: MLLS's
    priors were wrong. (BBSE and RLLS only count argmax columns against labels, so a permutation of the
    columns applied to both tables leaves them unchanged either way: they cannot show it.)"""
    model, Xv, yv, Xt, _, _ = problem
    vp, tp = model.predict_proba(Xv), model.predict_proba(Xt)
    ref = estimate_priors(vp, yv, tp, method="mlls")
    order = [2, 0, 1]
    got = estimate_priors(
        pd.DataFrame(vp[:, order], columns=header), yv, pd.DataFrame(tp[:, order], columns=header), method="mlls"
    )
    assert got.classes.tolist() == [0, 1, 2]
    np.testing.assert_allclose(got.priors, ref.priors, atol=1e-9)


def test_target_header_in_another_order_follows_the_classes(problem):
    """The target table's own header order is matched by name too, not assumed to be the validation's."""
    model, Xv, yv, Xt, _, _ = problem
    vp, tp = model.predict_proba(Xv), model.predict_proba(Xt)
    ref = estimate_priors(vp, yv, tp)
    got = estimate_priors(
        pd.DataFrame(vp[:, [1, 2, 0]], columns=["1", "2", "0"]),
        yv.astype(float),
        pd.DataFrame(tp, columns=["0", "1", "2"]),
    )
    np.testing.assert_allclose(got.priors, ref.priors, atol=1e-9)
