"""Properties of ``audit.regression.find_label_issues`` with out-of-fold predictions given (no ``X``): the
result follows the rows in any order; scaling targets and predictions together by a power of two,
shifting them by a number they hold exactly, or negating both (up to 2000 rows: one bin per half)
changes nothing, bit for bit, ``mixture_fit`` included; a second call is identical."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labelwise.audit._residual_scale import robust_location_scale
from labelwise.audit.regression import find_label_issues

#: Fields of RegressionIssues that are arrays of the rows.
ROW_FIELDS = ("is_issue", "label_quality", "score", "scale", "error_probability", "location")


@st.composite
def targets(draw):
    """Targets and predictions on a grid of 2**-12 (sums and shifts by integers below 2**20 are
    exact), with heteroscedastic noise, wrong targets and repeated predictions."""
    n = draw(st.integers(8, 1999))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pred = rng.normal(0, 10, n)
    if draw(st.booleans()):
        pred = np.round(pred)  # many equal predictions
    noise = rng.standard_t(draw(st.sampled_from([3.0, 30.0])), n) * (0.5 + np.abs(pred) / 10)
    y = pred + noise
    wrong = rng.random(n) < draw(st.sampled_from([0.0, 0.03, 0.2]))
    y[wrong] += rng.normal(0, 40, wrong.sum())
    return np.round(y * 4096) / 4096, np.round(pred * 4096) / 4096


def _equal(got, want, name: str, atol: float = 0.0) -> None:
    """Arrays equal bit for bit (or to ``atol``), or both None (``error_probability`` of ``zscore``)."""
    if want is None:
        assert got is None, name
        return
    if atol:
        np.testing.assert_allclose(got, want, rtol=0, atol=atol, err_msg=name)
    else:
        np.testing.assert_array_equal(got, want, err_msg=name)


def _same(a, b) -> None:
    for name in ROW_FIELDS:
        _equal(getattr(b, name), getattr(a, name), name)
    assert (a.mixture_fit, a.rule) == (b.mixture_fit, b.rule)


RULES = st.sampled_from(["mixture", "zscore", "mixture:none", "mixture:tail"])


def _kw(rule: str) -> dict:
    """``find_label_issues`` keywords of a drawn rule (``"mixture:tail"``: the mixture rule with
    ``mixture_prior="tail"``)."""
    name, _, prior = rule.partition(":")
    return {"rule": name, "mixture_prior": prior or "auto"}


class TestRegressionProperties:
    @settings(max_examples=30, deadline=None)
    @given(data=targets(), rule=RULES, j=st.integers(-30, 30), shift=st.integers(-(2**19), 2**19))
    @example(
        data=(
            np.round(
                4096
                * np.array(
                    [-4.41088867, 3.36083984, 11.3193359, -12.5285645, 7.07202148, -8.66870117, 0.48266602, -8.20507812]
                )
            )
            / 4096,
            np.round(
                4096
                * np.array(
                    [-7.07739258, 5.38989258, 7.25341797, -10.7285156, 6.69213867, -8.89306641, 0.37109375, -9.18261719]
                )
            )
            / 4096,
        ),
        rule="mixture",
        j=1,
        shift=0,
    )
    def test_scaling_by_a_power_of_two_and_shifting_change_nothing(self, data, rule, j, shift):
        """``a y + b`` and ``a pred + b`` with ``a = 2**j`` and an integer ``b``: the same flags,
        scores, probabilities and fit, bit for bit (scale and location scaled by ``a``); where the
        local scale's floor decides (its ``1e-12 (1 + max |r|)`` term is absolute), to rounding."""
        y, pred = data
        a = find_label_issues(y, pred, **_kw(rule))
        b = find_label_issues(y + shift, pred + shift, **_kw(rule))
        _same(a, b)
        c = find_label_issues(y * 2.0**j, pred * 2.0**j, **_kw(rule))
        res = y - pred
        floor = 0.1 * robust_location_scale(res)[1] + 1e-12 * (1.0 + np.abs(res).max())
        if (a.scale == floor).any():  # the floor's absolute 1e-12 term does not scale: equal to rounding
            moved = 2e-12 * abs(1.0 - 2.0**j)  # the absolute term's share that did not scale
            np.testing.assert_allclose(c.scale, a.scale * 2.0**j, rtol=1e-12, atol=moved)
            np.testing.assert_allclose(c.score, a.score, rtol=1e-12 + 2 * moved / c.scale.min())
            return
        for name in ("is_issue", "label_quality", "score", "error_probability"):
            _equal(getattr(c, name), getattr(a, name), name)
        np.testing.assert_array_equal(c.scale, a.scale * 2.0**j)
        np.testing.assert_array_equal(c.location, a.location * 2.0**j)
        assert c.mixture_fit == a.mixture_fit
        np.testing.assert_array_equal(c.ranked_indices, a.ranked_indices)

    @settings(max_examples=30, deadline=None)
    @given(data=targets(), rule=RULES)
    def test_negating_targets_and_predictions_changes_nothing_and_a_refit_is_identical(self, data, rule):
        """``-y`` and ``-pred``: the same flags and scores bit for bit, the location negated (the
        residual scale's halves, runs of equal rows alternating, are the same two sets of rows in
        reversed order)."""
        y, pred = data
        a, b = find_label_issues(y, pred, **_kw(rule)), find_label_issues(-y, -pred, **_kw(rule))
        for name in ("label_quality", "score", "scale", "is_issue", "error_probability"):
            _equal(getattr(b, name), getattr(a, name), name)
        _equal(b.location, -a.location, "location")
        assert b.mixture_fit == a.mixture_fit
        _same(a, find_label_issues(y, pred, **_kw(rule)))

    @settings(max_examples=30, deadline=None)
    @given(data=targets(), rule=RULES, seed=st.integers(0, 2**16))
    def test_permuting_the_rows_permutes_the_result(self, data, rule, seed):
        """Location and scale exactly (the residual scale sorts by value and keeps copies of a row in
        one half); the mixture's sums move by
        rounding: probabilities to 1e-6, the flags wherever the probability is not within that of the
        threshold, and the same ``mixture_fit``."""
        y, pred = data
        perm = np.random.default_rng(seed).permutation(y.size)
        a, b = find_label_issues(y, pred, **_kw(rule)), find_label_issues(y[perm], pred[perm], **_kw(rule))
        for name in ("label_quality", "score", "scale", "location"):
            _equal(getattr(b, name), getattr(a, name)[perm], name)
        assert b.mixture_fit == a.mixture_fit
        if rule == "zscore":
            _equal(b.is_issue, a.is_issue[perm], "is_issue")
            return
        np.testing.assert_allclose(b.error_probability, a.error_probability[perm], rtol=0, atol=1e-6)
        clear = np.abs(a.error_probability[perm] - a.threshold) > 1e-6
        np.testing.assert_array_equal(b.is_issue[clear], a.is_issue[perm][clear])


def test_two_rows_with_the_same_target_and_prediction_get_the_same_score():
    """A row and its copy share a cross-fitting half, so they get the same location, scale and
    score whatever their order (before session 28 each copy was scored by the other's half)."""
    rng = np.random.default_rng(0)
    pred = rng.normal(0, 10, 201)
    y = pred + rng.standard_t(3, 201)
    y[200], pred[200] = y[0], pred[0]
    for rows in (np.arange(201), np.r_[200, 1:200, 0]):
        result = find_label_issues(y[rows], pred[rows])
        assert result.score[0] == result.score[200]
        assert result.scale[0] == result.scale[200]
        assert result.is_issue[0] == result.is_issue[200]
