"""The poison defences refuse sample_weight (and other fit parameters) with a labelwise error naming it.

FloralSVC takes ``sample_weight`` (a per-row box on its dual; tests/poison/test_floral_sample_weight.py)
and refuses only other fit parameters.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import BaggingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import has_fit_parameter

from labelwise.errors import InvalidParameterError, LabelwiseError
from labelwise.poison import LNSVC, AuditThenTrain, CurieSVC, FloralSVC, GraphSanitizedSVC, LabelSanitizedSVC

DEFENCES = [
    LNSVC(),
    CurieSVC(),
    LabelSanitizedSVC(),
    GraphSanitizedSVC(),
    AuditThenTrain(cv=2),
]


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 30)
    return rng.normal(size=(60, 2)) + 2.0 * y[:, None], y


@pytest.mark.parametrize("defence", DEFENCES, ids=lambda d: type(d).__name__)
class TestDefenceFitParams:
    def test_sample_weight_is_refused_naming_it(self, defence):
        """fit(X, y, sample_weight=w) raises a labelwise error naming sample_weight and the defence."""
        X, y = _data()
        with pytest.raises(InvalidParameterError, match=rf"{type(defence).__name__}\.fit takes no sample_weight"):
            defence.fit(X, y, sample_weight=np.ones(60))

    def test_pipeline_routing_sample_weight_gets_the_labelwise_error(self, defence):
        """A Pipeline passing step__sample_weight meets the labelwise error, not Python's TypeError."""
        X, y = _data()
        pipe = make_pipeline(StandardScaler(), defence)
        step = pipe.steps[-1][0]
        with pytest.raises(LabelwiseError, match="sample_weight"):
            pipe.fit(X, y, **{f"{step}__sample_weight": np.ones(60)})

    def test_no_sample_weight_parameter_for_meta_estimators(self, defence):
        """has_fit_parameter stays False, so BaggingClassifier draws rows rather than passing weights."""
        assert not has_fit_parameter(defence, "sample_weight")


def test_bagging_over_a_defence_still_fits():
    """BaggingClassifier over LabelSanitizedSVC fits (it passes no weights to a fit without the parameter)."""
    X, y = _data()
    model = BaggingClassifier(LabelSanitizedSVC(), n_estimators=3, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.8


def test_floral_refuses_other_fit_parameters_by_name():
    """FloralSVC.fit(X, y, groups=...) raises a labelwise error naming the parameter."""
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=r"FloralSVC\.fit takes no groups"):
        FloralSVC(n_rounds=5).fit(X, y, groups=np.ones(60))
