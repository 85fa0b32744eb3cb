"""predict on a label matrix after a fit on named labeling functions (session 37's walk).

The docstrings say a matrix's columns are the fitted labelers by position; a model fitted on
``weak.apply``'s votes (functions named ``has_link``, ...) refused ``predict(votes.matrix())``
with "votes has labelers the model was not fitted on: ['lf_0', 'lf_1', 'lf_2']".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import ShapeMismatchError


@pytest.fixture(scope="module")
def votes():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 300)
    columns = {}
    for name, acc, cover in (("has_link", 0.85, 0.6), ("is_short", 0.7, 0.8), ("shouts", 0.75, 0.5)):
        vote = np.where(rng.random(300) < acc, truth, 1 - truth)
        columns[name] = np.where(rng.random(300) < cover, vote, -1)
    frame = pd.DataFrame(columns)
    lfs = [
        weak.labeling_function(name=name)(lambda row, name=name: None if row[name] < 0 else ["ham", "spam"][row[name]])
        for name in columns
    ]
    return weak.apply(lfs, frame, classes=["ham", "spam"])


@pytest.mark.parametrize("model", [weak.LabelModel, weak.DawidSkeneLabelModel, weak.MajorityLabelVoter])
def test_a_matrix_of_the_fitted_width_is_read_by_position(votes, model):
    """predict_proba(votes.matrix()) equals predict_proba(votes), and the fit's own probas_."""
    fitted = model().fit(votes)
    by_name = fitted.predict_proba(votes)
    by_position = fitted.predict_proba(votes.matrix())
    np.testing.assert_allclose(by_position.to_numpy(), by_name.to_numpy())
    assert fitted.predict(votes.matrix()).tolist() == fitted.predict(votes).tolist()


def test_a_matrix_of_another_width_is_still_refused(votes):
    """The width check stands (a narrower matrix would read as abstains)."""
    fitted = weak.LabelModel().fit(votes)
    with pytest.raises(ShapeMismatchError, match="one column per labeling function the model was fitted on"):
        fitted.predict(votes.matrix()[:, :2])
