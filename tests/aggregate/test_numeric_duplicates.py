"""The numeric aggregators' ``duplicates``: several answers of one annotator on one item are each an
answer (``keep``), only the last (``last``) or one answer, their mean (``mean``); the same fit as on a
table where they were resolved beforehand, whatever the rows' order where the policy allows it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from labelwise.aggregate.numeric import BiasPrecision, NumericMean, NumericMedian, RobustBiasPrecision
from labelwise.errors import InvalidParameterError

ANSWERS = pd.DataFrame(
    {"item": [1, 1, 1, 2, 2, 1], "annotator": list("abcaba"), "value": [10.0, 12.0, 11.0, 20.0, 22.0, 14.0]}
)
CLOSE = {"rtol": 1e-9, "atol": 1e-9}
MODELS = [NumericMean(), NumericMedian(), BiasPrecision(tol=1e-13), RobustBiasPrecision(tol=1e-13)]


@st.composite
def repeated_answers(draw):
    """Up to 40 answers on up to 6 items by up to 4 annotators, most pairs answered more than once."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(2, 40))
    item = rng.integers(0, draw(st.integers(1, 6)), n)
    ann = rng.integers(0, draw(st.integers(1, 4)), n)
    value = np.round(rng.normal(0, 5, 6)[item] + rng.normal(0, 1, n), 3)
    return pd.DataFrame({"item": [f"i{k}" for k in item], "annotator": [f"a{k}" for k in ann], "value": value})


def _resolved(answers: pd.DataFrame, duplicates: str) -> pd.DataFrame:
    """The table with repeats resolved by pandas: the last row of each pair, or the pair's mean."""
    if duplicates == "last":
        return answers.drop_duplicates(["item", "annotator"], keep="last")
    return answers.groupby(["item", "annotator"], as_index=False, sort=False)["value"].mean()


class TestDuplicates:
    @pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
    def test_keep_is_the_default_and_counts_every_answer(self, model):
        """keep: annotator a's two answers on item 1 are two answers; the repeat is counted, none dropped."""
        est = clone(model).fit(ANSWERS)
        assert est.duplicates == "keep" and est.n_answers_.loc[1] == 4
        assert (est.n_duplicates_, est.n_duplicates_dropped_) == (1, 0)

    def test_last_and_mean_resolve_the_repeat(self):
        """last uses a's 14 on item 1, mean (10 + 14) / 2 = 12; both leave 3 answers on item 1."""
        last = NumericMean(duplicates="last").fit(ANSWERS)
        mean = NumericMean(duplicates="mean").fit(ANSWERS)
        assert last.values_.loc[1] == pytest.approx((14 + 12 + 11) / 3)
        assert mean.values_.loc[1] == pytest.approx((12 + 12 + 11) / 3)
        assert last.n_answers_.loc[1] == mean.n_answers_.loc[1] == 3
        assert (last.n_duplicates_, last.n_duplicates_dropped_) == (mean.n_duplicates_, mean.n_duplicates_dropped_)

    def test_robust_weights_stay_in_the_tables_row_order(self):
        """answer_weight_ has one entry per row; the row folded into a later one is NaN."""
        est = RobustBiasPrecision(duplicates="mean").fit(ANSWERS)
        assert est.answer_weight_.shape == (6,)
        assert np.isnan(est.answer_weight_[0]) and np.isfinite(est.answer_weight_[1:]).all()

    def test_unknown_policy_is_refused_naming_the_parameter(self):
        """duplicates='first' is an InvalidParameterError naming duplicates and the choices."""
        with pytest.raises(InvalidParameterError, match=r"duplicates must be one of \['keep', 'last', 'mean'\]"):
            NumericMean(duplicates="first").fit(ANSWERS)


@settings(max_examples=25, deadline=None)
@given(repeated_answers(), st.sampled_from(MODELS), st.sampled_from(["last", "mean"]))
def test_same_fit_as_on_the_table_resolved_beforehand(answers, model, duplicates):
    """duplicates='last' / 'mean' give the values and annotator parameters of the pre-resolved table."""
    a = clone(model).set_params(duplicates=duplicates).fit(answers)
    b = clone(model).fit(_resolved(answers, duplicates))
    # RobustBiasPrecision stops on its objective's gain (SQUAREM): the rows in another order stop up
    # to about sqrt(tol) apart in the parameters (2e-8 seen at tol=1e-13), not 1e-9.
    close = {"rtol": 1e-6, "atol": 1e-6} if isinstance(model, RobustBiasPrecision) else CLOSE
    np.testing.assert_allclose(a.values_.to_numpy(), b.values_.to_numpy(), **close)
    np.testing.assert_allclose(a.annotator_bias_.to_numpy(), b.annotator_bias_.to_numpy(), **close)
    assert a.n_duplicates_ == int(answers.duplicated(["item", "annotator"]).sum())


@settings(max_examples=25, deadline=None)
@given(repeated_answers(), st.sampled_from(MODELS), st.integers(0, 2**32 - 1))
def test_mean_ignores_the_rows_order(answers, model, seed):
    """duplicates='mean' folds repeats whatever their order: shuffled rows, same values."""
    shuffled = answers.sample(frac=1, random_state=np.random.RandomState(seed)).reset_index(drop=True)
    a = clone(model).set_params(duplicates="mean").fit(answers)
    b = clone(model).set_params(duplicates="mean").fit(shuffled)
    np.testing.assert_allclose(a.values_.to_numpy(), b.values_.to_numpy(), rtol=1e-6, atol=1e-6)
