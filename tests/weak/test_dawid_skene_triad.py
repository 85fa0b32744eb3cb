"""weak.DawidSkeneLabelModel takes dependency_triad as its own parameter, with aggregate's default (dsspeed41)."""

from __future__ import annotations

import inspect
import warnings

import pytest
from sklearn.base import clone

from labelwise.aggregate import DawidSkene
from labelwise.errors import InvalidParameterError
from labelwise.weak import DawidSkeneLabelModel
from tests.aggregate.test_dependent_triad import minimax_crowd


@pytest.fixture(scope="module")
def votes():
    answers, _ = minimax_crowd([96, 1, 4])  # the crowd whose group-wide misfit the gate keeps ungrouped
    return answers.rename(columns={"annotator": "labeler"})


def fit(votes, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return DawidSkeneLabelModel(**params).fit(votes)


def test_dependency_triad_is_a_parameter_with_aggregates_default():
    """Listed by get_params and the signature, default DawidSkene's (the gate on)."""
    default = inspect.signature(DawidSkeneLabelModel).parameters["dependency_triad"].default
    assert default is DawidSkene().dependency_triad is True
    assert DawidSkeneLabelModel().get_params()["dependency_triad"] is True
    model = DawidSkeneLabelModel().set_params(dependency_triad=False)
    assert model.dependency_triad is False and "dependency_triad" not in model.params
    assert clone(model).get_params()["dependency_triad"] is False


def test_dependency_triad_reaches_the_pair_check(votes):
    """Off, the check's two pairs of good labelers are grouped; by default the gate drops them."""
    gated, ungated = fit(votes), fit(votes, dependency_triad=False)
    assert gated.estimator_.dependency_triad is True and ungated.estimator_.dependency_triad is False
    assert ungated.dependency_triad is False and "dependency_triad" not in ungated.params  # the wrapper's own
    assert gated.estimator_.dependent_pairs_.empty
    assert len(ungated.estimator_.dependent_pairs_) == 2
    assert (gated.labels_ != ungated.labels_).any()


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_dependency_triad_is_checked_once_and_listed_as_the_wrappers_own(votes, value):
    """A bad value is refused by DawidSkene's own check; an unknown name's error lists it beside
    class_balance, labels and random_state, not among the parameters passed to DawidSkene."""
    with pytest.raises(InvalidParameterError, match="dependency_triad must be True or False, got"):
        DawidSkeneLabelModel(dependency_triad=value).fit(votes.head(50))
    with pytest.raises(
        InvalidParameterError, match="takes class_balance, labels, random_state, dependency_triad and"
    ) as info:
        DawidSkeneLabelModel(no_such=1).fit(votes.head(50))
    assert "'dependency_triad'" not in str(info.value)


def test_save_and_load_keep_dependency_triad(votes, tmp_path):
    model = fit(votes.head(400), dependency_triad=False)
    loaded = DawidSkeneLabelModel().load(model.save(tmp_path / "ds.npz"))
    assert loaded.dependency_triad is False
