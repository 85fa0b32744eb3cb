"""corrected_benchmark: the table, the prevalence curve and the crossovers against direct computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, balanced_accuracy_score

from labelwise.errors import (
    InvalidLabelsError,
    InvalidParameterError,
    LabelwiseError,
    ShapeMismatchError,
)
from labelwise.evaluate import corrected_benchmark
from labelwise.evaluate.prevalence import removal_order


def _problem(n=400, k=4, seed=0, n_models=3):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    given = truth.copy()
    flip = rng.random(n) < 0.08
    given[flip] = (truth[flip] + 1 + rng.integers(0, k - 1, flip.sum())) % k
    corrected = truth.astype(object)
    corrected[rng.random(n) < 0.02] = None  # excluded items
    preds = {}
    for m in range(n_models):
        noise = rng.random(n) < 0.1 + 0.1 * m
        fits_given = rng.random(n) < 0.3 * m  # larger m: memorises the given (wrong) labels more
        p = np.where(fits_given, given, truth)
        preds[f"m{m}"] = np.where(noise, rng.integers(0, k, n), p)
    return preds, given, corrected


def _direct_crossover(pred_a, pred_b, given, corrected, order):
    """Remove clean items in ``order`` (from the end of the kept prefix) one by one; first flip of the order."""
    keep_mask = np.array([c is not None for c in corrected])
    fixable = keep_mask & (corrected != given)
    c_idx = np.flatnonzero(fixable)
    ca = corrected.astype(object)
    base_a = accuracy_score(list(ca[keep_mask]), list(pred_a[keep_mask]))
    base_b = accuracy_score(list(ca[keep_mask]), list(pred_b[keep_mask]))
    if base_a < base_b:
        pred_a, pred_b = pred_b, pred_a
    for m in range(len(order), -1, -1):
        idx = np.concatenate([c_idx, order[:m]]).astype(int)
        a = accuracy_score(list(ca[idx]), list(pred_a[idx]))
        b = accuracy_score(list(ca[idx]), list(pred_b[idx]))
        if b > a:
            return len(c_idx) / (len(c_idx) + m)
    return np.nan


class TestTable:
    def test_scores_equal_sklearn_on_each_subset(self):
        """original/corrected/correctable columns equal accuracy_score on all, kept and changed items."""
        preds, given, corrected = _problem()
        ev = corrected_benchmark(preds, given, corrected)
        kept = np.array([c is not None for c in corrected])
        fixable = kept & (corrected != given)
        for name, p in preds.items():
            row = ev.table.loc[name]
            assert row["original"] == pytest.approx(accuracy_score(given, p))
            assert row["corrected"] == pytest.approx(accuracy_score(corrected[kept].astype(int), p[kept]))
            assert row["correctable"] == pytest.approx(accuracy_score(corrected[fixable].astype(int), p[fixable]))

    def test_ranks_follow_scores(self):
        """Rank 1 is the highest score in each column."""
        preds, given, corrected = _problem()
        ev = corrected_benchmark(preds, given, corrected)
        for col in ("original", "corrected", "correctable"):
            assert ev.table[col].idxmax() == ev.table[f"{col}_rank"].astype(int).idxmin()

    def test_probabilities_are_turned_into_argmax(self):
        """A (n, K) probability matrix scores like its argmax labels."""
        preds, given, corrected = _problem()
        probs = np.eye(4)[preds["m1"]] * 0.7 + 0.075
        a = corrected_benchmark({"p": probs}, given, corrected).table
        b = corrected_benchmark({"p": preds["m1"]}, given, corrected).table
        pd.testing.assert_frame_equal(a, b)

    def test_any_sklearn_metric_by_name(self):
        """metric='balanced_accuracy' gives balanced_accuracy_score on the corrected labels."""
        preds, given, corrected = _problem()
        ev = corrected_benchmark(preds, given, corrected, metric="balanced_accuracy")
        kept = np.array([c is not None for c in corrected])
        expect = balanced_accuracy_score(corrected[kept].astype(int), preds["m0"][kept])
        assert ev.table.loc["m0", "corrected"] == pytest.approx(expect)

    @pytest.mark.parametrize("metric", ["fbeta_score", "make_scorer"])  # roc_auc_score: test_eval42_walk.py
    def test_a_metric_that_cannot_score_these_labels_names_itself(self, metric):
        """A metric that fails on the labels (fbeta_score without beta; f1_score on four classes before it was
        macro-averaged) raised scikit-learn's error (a traceback on the command line); now it is named."""
        preds, given, corrected = _problem()
        with pytest.raises(InvalidParameterError, match=f"metric {metric!r} must score .* it failed on these labels"):
            corrected_benchmark(preds, given, corrected, metric=metric)

    def test_soft_labels_give_expected_accuracy(self):
        """expected_corrected is the mean probability mass the soft labels put on each prediction."""
        preds, given, corrected = _problem(n=50)
        soft = np.random.default_rng(1).dirichlet(np.ones(4), 50)
        ev = corrected_benchmark(preds, given, corrected, soft_labels=soft)
        expect = np.mean([soft[i, preds["m2"][i]] for i in range(50)])
        assert ev.table.loc["m2", "expected_corrected"] == pytest.approx(expect)

    @given(st.integers(0, 10_000))
    @settings(max_examples=15, deadline=None)
    def test_renaming_classes_changes_nothing(self, seed):
        """Mapping class codes to strings gives the same table."""
        preds, given, corrected = _problem(n=120, seed=seed)
        names = np.array(["cat", "dog", "eel", "fox"], dtype=object)
        ren = {k: names[v] for k, v in preds.items()}
        corr = np.array([None if c is None else names[c] for c in corrected], dtype=object)
        a = corrected_benchmark(preds, given, corrected).table
        b = corrected_benchmark(ren, names[given], corr).table
        pd.testing.assert_frame_equal(a, b)

    @given(st.integers(0, 10_000))
    @settings(max_examples=15, deadline=None)
    def test_permuting_items_keeps_the_table(self, seed):
        """The score table does not depend on the order of the test items."""
        preds, given, corrected = _problem(n=120, seed=seed)
        perm = np.random.default_rng(seed).permutation(120)
        a = corrected_benchmark(preds, given, corrected).table
        b = corrected_benchmark({k: v[perm] for k, v in preds.items()}, given[perm], corrected[perm]).table
        pd.testing.assert_frame_equal(a, b)

    @given(seed=st.integers(0, 10_000), order=st.permutations(range(4)))
    @settings(max_examples=15, deadline=None)
    def test_renaming_by_names_in_another_sorted_order_changes_nothing(self, seed, order):
        """Class codes mapped to names by a non-identity bijection (so the names' sorted order,
        the default ``classes``, is not the codes'), with ``soft_labels`` columns moved to follow
        it: the same table (``expected_corrected`` included), prevalence curve and crossovers for
        the same ``random_state``. The removal orders draw clean items by position, never by name."""
        assume(list(order) != sorted(order))
        preds, given, corrected = _problem(n=120, seed=seed)
        soft = np.random.default_rng(seed).dirichlet(np.ones(4), 120)
        names = np.array(["a", "b", "c", "d"], dtype=object)[list(order)]  # class c -> names[c]
        renamed_soft = np.empty_like(soft)
        renamed_soft[:, list(order)] = soft  # the sorted names put class c in column order[c]
        corr = np.array([None if c is None else names[c] for c in corrected], dtype=object)
        a = corrected_benchmark(preds, given, corrected, soft_labels=soft, seeds=3, random_state=seed)
        b = corrected_benchmark(
            {k: names[v] for k, v in preds.items()},
            names[given],
            corr,
            soft_labels=renamed_soft,
            seeds=3,
            random_state=seed,
        )
        pd.testing.assert_frame_equal(a.table, b.table)
        np.testing.assert_array_equal(a.prevalence_curve().scores, b.prevalence_curve().scores)
        pd.testing.assert_frame_equal(a.crossovers, b.crossovers)


class TestPrevalenceCurve:
    def test_curve_equals_direct_removal(self):
        """Each point equals accuracy_score after keeping the seed's first m clean items."""
        preds, given, corrected = _problem()
        ev = corrected_benchmark(preds, given, corrected, seeds=3, random_state=7)
        curve = ev.prevalence_curve(prevalences=[ev.base_prevalence, 0.2, 0.4])
        clean = np.flatnonzero(ev.clean)
        c_idx = np.flatnonzero(ev.correctable)
        for s in range(3):
            order = removal_order(clean, s, 7)
            for j, removed in enumerate(curve.n_removed):
                idx = np.concatenate([c_idx, order[: len(clean) - removed]])
                for i, name in enumerate(curve.models):
                    expect = accuracy_score(corrected[idx].astype(int), preds[name][idx])
                    assert curve.scores[s, i, j] == pytest.approx(expect)
        assert curve.prevalence[1] == pytest.approx(0.2, abs=0.01)

    def test_fast_accuracy_equals_general_metric_path(self):
        """The running-sum accuracy equals the same metric passed as a callable."""
        preds, given, corrected = _problem()
        fast = corrected_benchmark(preds, given, corrected, seeds=2).prevalence_curve()
        slow = corrected_benchmark(preds, given, corrected, seeds=2, metric=accuracy_score).prevalence_curve()
        np.testing.assert_allclose(fast.scores, slow.scores)

    def test_same_seed_same_curve(self):
        """Determinism: the same random_state gives the same curve; another one a different band."""
        preds, given, corrected = _problem()
        ev = corrected_benchmark(preds, given, corrected, seeds=4)
        a, b = ev.prevalence_curve(), ev.prevalence_curve()
        np.testing.assert_array_equal(a.scores, b.scores)
        assert not np.array_equal(a.scores, ev.prevalence_curve(random_state=1).scores)

    def test_prevalence_below_the_test_set_is_an_error(self):
        """Removing clean items can only raise the prevalence."""
        preds, given, corrected = _problem()
        ev = corrected_benchmark(preds, given, corrected)
        with pytest.raises(InvalidParameterError, match="prevalences must be at least"):
            ev.prevalence_curve(prevalences=[ev.base_prevalence / 2])


class TestCrossovers:
    def test_crossovers_equal_brute_force_removal(self):
        """Median crossover prevalence and share of flipping seeds equal a one-item-at-a-time loop."""
        preds, given, corrected = _problem(n=250, seed=3)
        ev = corrected_benchmark(preds, given, corrected, seeds=4, random_state=5)
        clean = np.flatnonzero(ev.clean)
        for row in ev.crossovers.itertuples(index=False):
            direct = [
                _direct_crossover(
                    preds[row.model_a],
                    preds[row.model_b],
                    given,
                    corrected,
                    removal_order(clean, s, 5),
                )
                for s in range(4)
            ]
            direct = np.array(direct)
            assert row.share_flipped == pytest.approx(np.isfinite(direct).mean())
            if np.isfinite(direct).any():
                assert row.prevalence == pytest.approx(np.median(direct[np.isfinite(direct)]))

    def test_memorising_model_is_overtaken(self):
        """A model that copies the given (wrong) labels loses its lead as corrected items dominate."""
        rng = np.random.default_rng(0)
        n = 1000
        truth = rng.integers(0, 3, n)
        given = truth.copy()
        bad = rng.random(n) < 0.05
        given[bad] = (truth[bad] + 1) % 3
        copy = given.copy()
        honest = np.where(rng.random(n) < 0.1, (truth + 1) % 3, truth)
        ev = corrected_benchmark({"copy": copy, "honest": honest}, given, truth, seeds=5)
        row = ev.crossovers.iloc[0]
        assert row["model_a"] == "copy" and row["share_flipped"] == 1.0
        assert ev.base_prevalence < row["ci_low"] <= row["prevalence"] <= row["ci_high"] < 0.5


class TestBadInput:
    def test_prediction_length_names_the_model(self):
        """Predictions for a different number of items name the model."""
        preds, given, corrected = _problem()
        preds["short"] = preds["m0"][:-3]
        with pytest.raises(ShapeMismatchError, match="'short'.*400.*397"):
            corrected_benchmark(preds, given, corrected)

    def test_model_name_twice(self):
        """Two models whose names coincide as strings are refused."""
        preds, given, corrected = _problem()
        with pytest.raises(InvalidParameterError, match="more than once"):
            corrected_benchmark({1: preds["m0"], "1": preds["m1"]}, given, corrected)

    def test_unknown_metric(self):
        """A metric that sklearn.metrics does not have is named in the error."""
        preds, given, corrected = _problem()
        with pytest.raises(InvalidParameterError, match="'nonsense'"):
            corrected_benchmark(preds, given, corrected, metric="nonsense")

    def test_corrected_label_outside_classes(self):
        """A corrected label that is not a known class is reported with its row."""
        preds, given, corrected = _problem()
        with pytest.raises(InvalidLabelsError, match="row 0"):
            corrected_benchmark(
                preds,
                given,
                np.r_[[9], corrected[1:]].astype(object),
                classes=[0, 1, 2, 3],
            )

    def test_errors_are_labelwise_errors(self):
        """Length mismatch of corrected vs given is a LabelwiseError."""
        preds, given, corrected = _problem()
        with pytest.raises(LabelwiseError, match="corrected must have one label per test item"):
            corrected_benchmark(preds, given, corrected[:-1])

    def test_a_class_named_twice(self):
        """classes=[0, 1, 2, 2] was pandas' 'Reindexing only valid with uniquely valued Index objects'."""
        preds, given, corrected = _problem()
        with pytest.raises(InvalidParameterError, match="classes must name each probability column's class once"):
            corrected_benchmark(preds, given, corrected, classes=[0, 1, 2, 3, 3])


class TestNamedProbabilityColumns:
    def test_columns_named_by_class_are_matched_by_name_not_position(self):
        """A probability table with a class header in another order was read by position (wrong argmax)."""
        rng = np.random.default_rng(5)
        cls = np.array(["cat", "dog", "fox"])
        given = cls[rng.integers(0, 3, 80)]
        probs = rng.dirichlet([1, 1, 1], 80)
        shuffled = pd.DataFrame(probs[:, [2, 0, 1]], columns=cls[[2, 0, 1]])
        ev = corrected_benchmark({"m": shuffled}, given, given)
        assert ev.table.loc["m", "original"] == pytest.approx(accuracy_score(given, cls[probs.argmax(1)]))

    def test_unnamed_columns_keep_class_order(self):
        """Columns that are not class names (p0, p1, ...) are taken in sorted class order, as before."""
        rng = np.random.default_rng(6)
        given = rng.integers(0, 3, 60)
        probs = rng.dirichlet([1, 1, 1], 60)
        ev = corrected_benchmark({"m": pd.DataFrame(probs, columns=["p0", "p1", "p2"])}, given, given)
        assert ev.table.loc["m", "original"] == pytest.approx(accuracy_score(given, probs.argmax(1)))

    def test_a_class_no_test_item_has_joins_the_classes(self):
        """A model's header may name a class absent from the test labels (CSV header text '3' for int labels)."""
        rng = np.random.default_rng(7)
        given = rng.integers(0, 3, 60)
        probs = rng.dirichlet([1, 1, 1, 1], 60)
        frame = pd.DataFrame(probs[:, [3, 1, 0, 2]], columns=["3", "1", "0", "2"])
        ev = corrected_benchmark({"m": frame}, given, given)
        assert ev.classes.tolist() == [0, 1, 2, 3]
        assert ev.table.loc["m", "original"] == pytest.approx(accuracy_score(given, probs.argmax(1)))

    def test_array_with_more_columns_than_test_classes_says_how_to_name_them(self):
        """An .npy for 4 classes on a test set of 3 points at classes= or a named header."""
        given = np.array([0, 1, 2, 0])
        with pytest.raises(
            ShapeMismatchError,
            match=r"got 4; for classes no test item has, pass classes= \(--classes on the command line\) or",
        ):
            corrected_benchmark({"m": np.full((4, 4), 0.25)}, given, given)

    def test_header_naming_some_other_classes_is_an_error(self):
        """Columns that name some classes but not all say which are missing and which are unknown."""
        given = np.array(["a", "b", "a", "b"])
        frame = pd.DataFrame([[0.5, 0.5]] * 4, columns=["a", "c"])
        with pytest.raises(ShapeMismatchError, match=r"model 'm' .* miss \['b'\] and add \['c'\]"):
            corrected_benchmark({"m": frame}, given, given, classes=["a", "b"])


def test_prevalence_curve_without_correctable_items_says_so():
    """Corrections that change no label raised an error about 'prevalences', a parameter never passed."""
    from labelwise.errors import TooFewExamplesError

    given = np.array([0, 1, 0, 1, 1])
    corrected = given.astype(object)
    corrected[2] = None  # an exclusion only
    ev = corrected_benchmark({"m": given}, given, corrected)
    assert ev.table.loc["m", "corrected"] == pytest.approx(1.0)
    with pytest.raises(TooFewExamplesError, match="at least one correctable test item.*change no label"):
        ev.prevalence_curve()


class TestOddButLegalInput:
    def test_corrected_labels_written_as_text_are_the_given_classes(self):
        """Corrected '1' (text from a CSV) beside given 1 made every item 'corrected' and its accuracy 0."""
        given = np.array([1, 0, 1, 0, 1])
        as_text = np.array(["1", "0", "1", "1", None], dtype=object)
        as_ints = np.array([1, 0, 1, 1, None], dtype=object)
        pred = {"m": np.array([1, 0, 1, 0, 0])}
        a, b = corrected_benchmark(pred, given, as_text), corrected_benchmark(pred, given, as_ints)
        assert a.classes.tolist() == [0, 1]
        pd.testing.assert_frame_equal(a.table, b.table)
        assert a.table.loc["m", "corrected"] == pytest.approx(0.75)

    def test_band_outside_zero_one_is_named(self):
        """prevalence_curve(band=2) was numpy's 'Percentiles must be in the range' ValueError."""
        given = np.array([0, 1, 0, 1])
        ev = corrected_benchmark({"m": given}, given, np.array([1, 1, 0, 1]))
        with pytest.raises(InvalidParameterError, match="band must be a number in"):
            ev.prevalence_curve(band=2)

    def test_empty_test_set_is_named(self):
        """An empty test set was an IndexError."""
        from labelwise.errors import TooFewExamplesError

        with pytest.raises(TooFewExamplesError, match="given must hold at least one test label"):
            corrected_benchmark({"m": []}, [], [])
