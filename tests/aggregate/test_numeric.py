"""NumericMean, NumericMedian and BiasPrecision: checked against independent computations (pandas
group-bys, the closed-form E-step at the fitted parameters, a scipy fit of the same marginal
posterior written with scipy.stats), against the truth on simulated crowds, and on bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from labelwise.aggregate import _numeric_data, _numeric_em
from labelwise.aggregate._numeric_data import encode_numbers
from labelwise.aggregate.numeric import (
    NUMERIC_METHODS,
    BiasPrecision,
    NumericMean,
    NumericMedian,
    RobustBiasPrecision,
)
from labelwise.errors import AnnotationError, InvalidParameterError, MissingColumnError


def simulated_crowd(seed: int, n_items: int = 300, n_annotators: int = 12, spammer: bool = False):
    """1-7 answers per item; annotators with a bias (sd 3) and a noise sd in [0.3, 4]."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(50, 10, n_items)
    bias = rng.normal(0, 3, n_annotators)
    sd = rng.uniform(0.3, 4, n_annotators)
    if spammer:
        sd[0] = 40.0
    k = rng.integers(1, 8, n_items)
    item = np.repeat(np.arange(n_items), k)
    ann = rng.integers(0, n_annotators, len(item))
    value = truth[item] + bias[ann] + sd[ann] * rng.normal(size=len(item))
    answers = pd.DataFrame({"item": item, "annotator": [f"w{a}" for a in ann], "value": value})
    return answers, truth, bias, sd


def tiny_crowd():
    """Four items, three annotators, every pair of annotators on some item."""
    return pd.DataFrame(
        {
            "item": [0, 0, 0, 1, 1, 2, 2, 2, 3, 3],
            "annotator": ["a", "b", "c", "a", "b", "a", "b", "c", "b", "c"],
            "value": [1.0, 2.1, 0.7, 5.0, 6.4, -2.0, -0.6, -2.9, 3.3, 1.1],
        }
    )


def independent_loss(answers: pd.DataFrame, bias: dict, precision: dict, prior: float, s0: float) -> float:
    """Negative log posterior per answer, each item's truth integrated out under a flat prior.

    Written with scipy.stats: a N(c, V) prior on the truth (c the item's mean answer, V large) gives
    the answers a multivariate normal law; adding log sqrt(2 pi V) turns it into the flat prior's
    density, up to O((truth - c)^2 / V)."""
    big = 1e6
    total = 0.0
    for _, rows in answers.groupby("item"):
        b = rows["annotator"].map(bias).to_numpy()
        tau = rows["annotator"].map(precision).to_numpy()
        cov = np.diag(1 / tau) + big
        centre = rows["value"].mean()
        total += stats.multivariate_normal(mean=b + centre, cov=cov).logpdf(rows["value"].to_numpy()) + 0.5 * np.log(
            2 * np.pi * big
        )
    for w in bias:
        total += 0.5 * prior * np.log(precision[w]) - 0.5 * prior * precision[w] * (s0 + bias[w] ** 2)
    return -total / len(answers)


class TestBiasPrecision:
    def test_values_are_the_precision_weighted_means_of_debiased_answers(self):
        """At the fit, each value is sum tau (y - b) / sum tau over its answers, and sd is 1/sqrt(sum tau)."""
        answers, *_ = simulated_crowd(1, n_items=80)
        est = BiasPrecision(tol=1e-12).fit(answers)
        tau = 1 / est.annotator_sd_**2
        frame = answers.assign(
            tau=answers["annotator"].map(tau), debiased=answers["value"] - answers["annotator"].map(est.annotator_bias_)
        )
        grouped = frame.assign(wy=frame["tau"] * frame["debiased"]).groupby("item")[["wy", "tau"]].sum()
        np.testing.assert_allclose(est.values_.to_numpy(), (grouped["wy"] / grouped["tau"]).to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(est.std_.to_numpy(), 1 / np.sqrt(grouped["tau"].to_numpy()), rtol=1e-12)

    def test_loss_never_increases(self):
        """EM's objective is non-increasing from the start to the end."""
        answers, *_ = simulated_crowd(2, spammer=True)
        losses = np.array(BiasPrecision(tol=0, max_iter=60).fit(answers).loss_history_)
        assert len(losses) > 2
        assert np.all(np.diff(losses) <= 1e-12 * np.abs(losses[1:]))

    def test_objective_matches_an_independent_marginal_likelihood(self):
        """The loss it reports at the fit equals the scipy.stats computation of the same posterior."""
        answers = tiny_crowd()
        est = BiasPrecision(prior=1.0, tol=1e-12).fit(answers)
        bias = est.annotator_bias_.to_dict()
        precision = (1 / est.annotator_sd_**2).to_dict()
        expected = independent_loss(answers, bias, precision, 1.0, est.prior_scale_)
        assert est.loss_history_[-1] == pytest.approx(expected, rel=1e-6)

    def test_em_fixed_point_is_the_scipy_minimum_of_the_same_objective(self):
        """BFGS on the objective (checked against scipy.stats above) from the same start lands on EM's
        parameters: EM's fixed point is the posterior's maximum, not a point where EM stalls."""
        answers = tiny_crowd()
        est = BiasPrecision(prior=1.0, tol=1e-14, max_iter=5000).fit(answers)
        data = encode_numbers(answers)
        design = _numeric_em.design_of(data)
        s0 = est.prior_scale_

        def loss(theta):
            return _numeric_em.objective_at(data, design, theta[:3], np.exp(theta[3:]), 1.0, s0)

        start = np.concatenate([np.zeros(3), np.full(3, -np.log(s0))])
        found = optimize.minimize(loss, start, method="BFGS", options={"gtol": 1e-10})
        assert est.converged_
        assert loss(found.x) >= est.loss_history_[-1] - 1e-12
        np.testing.assert_allclose(found.x[:3], est.annotator_bias_.to_numpy(), atol=1e-4)
        np.testing.assert_allclose(np.exp(-0.5 * found.x[3:]), est.annotator_sd_.to_numpy(), rtol=1e-4)

    def test_recovers_annotators_and_beats_mean_and_median_on_a_biased_crowd(self):
        """On a simulated crowd the biases and sds track the truth and the values are closer to it."""
        answers, truth, bias, sd = simulated_crowd(3, spammer=True)
        est = BiasPrecision().fit(answers)
        order = [f"w{a}" for a in range(len(bias))]
        assert np.corrcoef(est.annotator_bias_[order], bias)[0, 1] > 0.95
        assert np.corrcoef(est.annotator_sd_[order], sd)[0, 1] > 0.95

        def rmse(values):
            err = values.to_numpy() - truth
            return np.sqrt(np.mean((err - err.mean()) ** 2))  # the common shift is not identified

        model = rmse(est.values_)
        assert model < 0.8 * rmse(NumericMean().fit(answers).values_)
        assert model < 0.8 * rmse(NumericMedian().fit(answers).values_)
        assert est.converged_

    def test_one_answer_annotator_gets_a_finite_precision_near_the_prior(self):
        """An annotator with a single answer keeps a finite sd of the order of the pooled sd."""
        answers = pd.concat(
            [tiny_crowd(), pd.DataFrame({"item": [1], "annotator": ["once"], "value": [9.0]})], ignore_index=True
        )
        est = BiasPrecision().fit(answers)
        sd_once = est.annotator_sd_["once"]
        assert np.isfinite(sd_once) and 0.3 * np.sqrt(est.prior_scale_) < sd_once < 10 * np.sqrt(est.prior_scale_)

    def test_biases_have_zero_precision_weighted_mean_in_each_component(self):
        """Two crowds sharing no item: each one's biases average to 0, weighted by precision."""
        first = tiny_crowd()
        second = tiny_crowd().assign(item=lambda f: f["item"] + 10, annotator=lambda f: f["annotator"] + "2")
        second["value"] += 100
        est = BiasPrecision(tol=1e-12).fit(pd.concat([first, second], ignore_index=True))
        assert est.n_components_ == 2
        tau = 1 / est.annotator_sd_**2
        for group in (["a", "b", "c"], ["a2", "b2", "c2"]):
            assert np.dot(tau[group], est.annotator_bias_[group]) == pytest.approx(0, abs=1e-9)

    def test_small_row_blocks_give_the_same_fit(self, monkeypatch):
        """Passes over blocks of 7 rows give the fit of one block (up to rounding)."""
        answers, *_ = simulated_crowd(4, n_items=60)
        whole = BiasPrecision(tol=1e-13).fit(answers)
        monkeypatch.setattr(_numeric_data, "BLOCK_ROWS", 7)
        blocked = BiasPrecision(tol=1e-13).fit(answers)
        np.testing.assert_allclose(blocked.values_, whole.values_, rtol=1e-9)
        np.testing.assert_allclose(blocked.annotator_sd_, whole.annotator_sd_, rtol=1e-7)

    def test_a_refit_is_identical(self):
        """The fit is deterministic: a second fit gives the same numbers, bit for bit."""
        answers, *_ = simulated_crowd(5, n_items=50)
        a, b = BiasPrecision().fit(answers), BiasPrecision().fit(answers)
        assert a.values_.equals(b.values_) and a.annotator_sd_.equals(b.annotator_sd_)


def typo_crowd(seed: int):
    """3-7 answers per item by 30 annotators; 5 % of the answers are typos (the value x10 or /10)."""
    rng = np.random.default_rng(seed)
    n_items, n_ann = 400, 30
    truth = rng.normal(50, 10, n_items)
    item = np.repeat(np.arange(n_items), rng.integers(3, 8, n_items))
    ann = rng.integers(0, n_ann, len(item))
    value = truth[item] + rng.normal(0, 2, n_ann)[ann] + rng.uniform(0.5, 2, n_ann)[ann] * rng.normal(size=len(item))
    typo = rng.random(len(item)) < 0.05
    value = np.where(typo, value * rng.choice([0.1, 10], len(item)), value)
    return pd.DataFrame({"item": item, "annotator": ann, "value": value}), truth, typo


class TestRobustBiasPrecision:
    def test_typos_weigh_little_and_the_values_are_closer(self):
        """On a crowd with 5 % typos, the typos get small weights and the median error falls below
        both the Gaussian model's and the median's."""
        answers, truth, typo = typo_crowd(11)
        robust = RobustBiasPrecision().fit(answers)
        assert robust.converged_
        assert np.median(robust.answer_weight_[typo]) < 0.1 < np.median(robust.answer_weight_[~typo])

        def median_error(est):
            err = est.values_.to_numpy() - truth
            return np.median(np.abs(err - np.median(err)))

        assert median_error(robust) < 0.5 * median_error(BiasPrecision().fit(answers))
        assert median_error(robust) < 0.5 * median_error(NumericMedian().fit(answers))

    def test_lower_bound_never_decreases(self):
        """The variational EM's loss (the negative ELBO per answer) is non-increasing from one
        accepted SQUAREM point to the next, and the sweeps stay within max_iter."""
        answers, *_ = typo_crowd(12)
        fit = RobustBiasPrecision(tol=0, max_iter=40).fit(answers)
        losses = np.array(fit.loss_history_)
        assert len(losses) > 5 and fit.n_iter_ <= 40
        assert np.all(np.diff(losses) <= 1e-12 * np.abs(losses[1:]))

    def test_accelerated_fit_reaches_the_converged_answer_in_fewer_sweeps(self):
        """SQUAREM stops where plain coordinate ascent run to a tight tolerance ends, in fewer sweeps."""
        from labelwise.aggregate._numeric_robust import robust_em

        answers, *_ = simulated_crowd(8, n_items=300)
        data = RobustBiasPrecision()._encode(answers)
        fast = robust_em(data, df=4.0, prior=2.0, max_iter=5000, tol=1e-12)
        plain = robust_em(data, df=4.0, prior=2.0, max_iter=5000, tol=1e-12, accelerate=False)
        assert fast.converged and plain.converged
        assert fast.n_iter < plain.n_iter
        assert fast.losses[-1] == pytest.approx(plain.losses[-1], abs=1e-9)
        np.testing.assert_allclose(fast.mean, plain.mean, atol=1e-3)
        np.testing.assert_allclose(fast.precision, plain.precision, rtol=1e-3)

    def test_many_degrees_of_freedom_give_the_gaussian_model(self):
        """df -> infinity is Gaussian noise: the values and biases of BiasPrecision (with a negligible
        prior: the two priors' scales differ, the robust one being a median's)."""
        answers, *_ = simulated_crowd(8, n_items=100)
        gauss = BiasPrecision(prior=1e-6, tol=1e-13).fit(answers)
        robust = RobustBiasPrecision(df=1e7, prior=1e-6, tol=1e-13, max_iter=2000).fit(answers)
        np.testing.assert_allclose(robust.values_, gauss.values_, rtol=1e-4)
        np.testing.assert_allclose(robust.annotator_bias_, gauss.annotator_bias_, atol=1e-3)

    def test_weights_follow_the_rows(self):
        """answer_weight_ is in the table's row order: shuffling the rows shuffles the weights."""
        answers, *_ = typo_crowd(13)
        perm = np.random.default_rng(0).permutation(len(answers))
        a = RobustBiasPrecision(tol=1e-12).fit(answers).answer_weight_
        b = RobustBiasPrecision(tol=1e-12).fit(answers.iloc[perm].reset_index(drop=True)).answer_weight_
        np.testing.assert_allclose(b, a[perm], rtol=1e-5, atol=1e-8)

    @pytest.mark.parametrize("df", [0, -1.0, np.nan, "4", True])
    def test_bad_df_is_named(self, df):
        """df must be a finite number > 0."""
        with pytest.raises(InvalidParameterError, match="df must be a finite number > 0"):
            RobustBiasPrecision(df=df).fit(tiny_crowd())


class TestBaselines:
    def test_mean_matches_pandas(self):
        """values_ is the group mean and std_ the standard error (NaN for one answer)."""
        answers = tiny_crowd()
        est = NumericMean().fit(answers)
        grouped = answers.groupby("item")["value"]
        pd.testing.assert_series_equal(est.values_, grouped.mean(), check_names=False, rtol=1e-12)
        pd.testing.assert_series_equal(est.std_, grouped.sem(), check_names=False, rtol=1e-12)

    def test_median_matches_pandas_for_odd_and_even_counts(self):
        """values_ is the group median (the mean of the two middle answers for an even count)."""
        answers, *_ = simulated_crowd(6, n_items=40)
        est = NumericMedian().fit(answers)
        pd.testing.assert_series_equal(
            est.values_, answers.groupby("item")["value"].median(), check_names=False, rtol=1e-12
        )

    def test_registry_names_the_three_methods(self):
        """The command-line names map to the classes."""
        assert NUMERIC_METHODS == {
            "mean": NumericMean,
            "median": NumericMedian,
            "bias-precision": BiasPrecision,
            "robust": RobustBiasPrecision,
        }


class TestBadInput:
    @pytest.mark.parametrize("method", [NumericMean, NumericMedian, BiasPrecision])
    def test_text_value_names_the_row(self, method):
        """A value that is not a number is refused, naming its row and the value."""
        answers = tiny_crowd().astype({"value": object})
        answers.loc[3, "value"] = "five"
        with pytest.raises(AnnotationError, match=r"value_col column 'value' must hold numbers, row 3 is 'five'"):
            method().fit(answers)

    def test_numbers_written_as_text_are_read(self):
        """Numeric strings (as a CSV column with one odd cell would give) are numbers."""
        answers = tiny_crowd()
        text = answers.assign(value=answers["value"].astype(str))
        pd.testing.assert_series_equal(NumericMean().fit(text).values_, NumericMean().fit(answers).values_)

    @pytest.mark.parametrize("bad, word", [(np.inf, "infinite"), (np.nan, "missing")])
    def test_infinite_or_missing_value_names_the_row(self, bad, word):
        """inf and NaN values are refused, naming the row."""
        answers = tiny_crowd()
        answers.loc[5, "value"] = bad
        with pytest.raises(AnnotationError, match=rf"must hold finite numbers, row 5 is .* \({word}\)"):
            BiasPrecision().fit(answers)

    def test_boolean_values_are_refused(self):
        """A column of booleans is not a column of numbers."""
        answers = tiny_crowd().assign(value=True)
        with pytest.raises(AnnotationError, match="booleans"):
            NumericMean().fit(answers)

    def test_missing_annotator_names_the_row(self):
        """A missing annotator id is refused, naming the row."""
        answers = tiny_crowd().astype({"annotator": object})
        answers.loc[2, "annotator"] = None
        with pytest.raises(
            AnnotationError, match=r"annotator_col column 'annotator' must not contain missing values, row 2"
        ):
            BiasPrecision().fit(answers)

    def test_missing_column_lists_the_columns(self):
        """A value column that is not there is named, with the columns that are."""
        with pytest.raises(MissingColumnError, match=r"value_col 'score' is not a column of answers"):
            BiasPrecision(value_col="score").fit(tiny_crowd())

    def test_empty_table_and_non_frame_are_refused(self):
        """No answers, or not a DataFrame: an AnnotationError saying what was got."""
        with pytest.raises(AnnotationError, match="empty table"):
            NumericMedian().fit(tiny_crowd().iloc[:0])
        with pytest.raises(AnnotationError, match="got list"):
            NumericMedian().fit([1, 2])

    def test_one_column_for_two_roles_is_refused(self):
        """item_col and annotator_col must be different columns."""
        with pytest.raises(
            InvalidParameterError, match="annotator_col must name another column than item_col, got 'item'"
        ):
            NumericMean(annotator_col="item").fit(tiny_crowd())

    @pytest.mark.parametrize(
        "params, match",
        [
            ({"prior": 0}, "prior must be a finite number > 0"),
            ({"prior": np.inf}, "prior must be a finite number > 0"),
            ({"prior": True}, "prior must be a finite number > 0"),
            ({"max_iter": 0}, "max_iter"),
            ({"tol": -1.0}, "tol must be a finite number >= 0"),
        ],
    )
    def test_bad_parameters_are_named(self, params, match):
        """Each bad parameter is refused with its name and the value got."""
        with pytest.raises(InvalidParameterError, match=match):
            BiasPrecision(**params).fit(tiny_crowd())
