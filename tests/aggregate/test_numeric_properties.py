"""Properties of the numeric aggregators: the rows' order, the names of items and annotators and the
unit of the answers change nothing but what they should (affine equivariance: scaling by s and
shifting by t every answer gives s * values + t, s * biases and |s| * sds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from labelwise.aggregate.numeric import BiasPrecision, NumericMean, NumericMedian, RobustBiasPrecision


@st.composite
def numeric_answers(draw):
    """Up to 50 answers on up to 8 items by up to 5 annotators (biased, noisy)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_items = draw(st.integers(1, 8))
    n_ann = draw(st.integers(1, 5))
    n = draw(st.integers(1, 50))
    item = rng.integers(0, n_items, n)
    ann = rng.integers(0, n_ann, n)
    value = rng.normal(0, 5, n_items)[item] + rng.normal(0, 2, n_ann)[ann] + rng.normal(0, 1, n)
    return pd.DataFrame(
        {"item": [f"i{k}" for k in item], "annotator": [f"a{k}" for k in ann], "value": np.round(value, 3)}
    )


MODELS = st.sampled_from(
    [
        NumericMean(),
        NumericMedian(),
        BiasPrecision(tol=1e-13, max_iter=2000),
        RobustBiasPrecision(tol=1e-13, max_iter=2000),
    ]
)
CLOSE = {"rtol": 1e-6, "atol": 1e-6}


@settings(max_examples=30, deadline=None)
@given(numeric_answers(), MODELS, st.integers(0, 2**32 - 1))
def test_row_order_changes_nothing(answers, model, seed):
    """Shuffling the rows gives the same values, sds and annotator parameters."""
    shuffled = answers.sample(frac=1, random_state=np.random.RandomState(seed % 2**32)).reset_index(drop=True)
    a, b = clone(model).fit(answers), clone(model).fit(shuffled)
    np.testing.assert_allclose(a.values_, b.values_, **CLOSE)
    np.testing.assert_allclose(a.annotator_bias_, b.annotator_bias_, **CLOSE)
    np.testing.assert_allclose(a.annotator_sd_, b.annotator_sd_, **CLOSE)


@settings(max_examples=30, deadline=None)
@given(numeric_answers(), MODELS)
def test_renaming_items_and_annotators_renames_the_result(answers, model):
    """New ids (in another sort order) relabel values_ and the annotator parameters, nothing else."""
    renamed = answers.assign(item="z" + answers["item"].str[::-1], annotator=answers["annotator"] + "_x")
    a, b = clone(model).fit(answers), clone(model).fit(renamed)
    items = pd.Index("z" + a.values_.index.str[::-1])
    np.testing.assert_allclose(b.values_.loc[items].to_numpy(), a.values_.to_numpy(), **CLOSE)
    np.testing.assert_allclose(
        b.annotator_sd_.loc[a.annotator_sd_.index + "_x"].to_numpy(), a.annotator_sd_.to_numpy(), **CLOSE
    )


@settings(max_examples=30, deadline=None)
@given(
    numeric_answers(),
    MODELS,
    st.sampled_from([0.01, 3.0, 1000.0, -2.0]),
    st.sampled_from([0.0, -7.5, 1e4]),
)
def test_scaling_and_shifting_the_answers_is_equivariant(answers, model, scale, shift):
    """Answers s * y + t give values s * v + t, biases s * b and sds |s| * sd (answers that are all one
    number carry no unit: the prior's scale falls back to 1 there, and sds do not follow the scale)."""
    assume(answers["value"].nunique() > 1)
    moved = answers.assign(value=answers["value"] * scale + shift)
    a, b = clone(model).fit(answers), clone(model).fit(moved)
    spread = max(1.0, float(np.abs(answers["value"]).max()))
    atol = 1e-6 * spread * abs(scale) + 1e-9 * abs(shift)
    np.testing.assert_allclose(b.values_, a.values_ * scale + shift, rtol=1e-6, atol=atol)
    np.testing.assert_allclose(b.annotator_bias_, a.annotator_bias_ * scale, rtol=1e-6, atol=atol)
    np.testing.assert_allclose(b.annotator_sd_, a.annotator_sd_ * abs(scale), rtol=1e-5, atol=atol)


@settings(max_examples=20, deadline=None)
@given(numeric_answers(), MODELS)
def test_refit_is_identical(answers, model):
    """Two fits on the same table agree bit for bit."""
    a, b = clone(model).fit(answers), clone(model).fit(answers)
    assert a.values_.equals(b.values_)
    assert a.annotator_bias_.equals(b.annotator_bias_) and a.annotator_sd_.equals(b.annotator_sd_)
