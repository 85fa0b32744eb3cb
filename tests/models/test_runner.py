"""labelwise.models._runner: shared fold encoding, the first-fold screen, parallel folds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

import labelwise as lw
from labelwise.columns import infer_column_roles
from labelwise.models import FAMILIES, Family, choose_model, default_model
from labelwise.models._runner import FoldEncoder

BIG = 1e6  # a time budget no test reaches, so that decisions never depend on timing


def _linear(n=300, d=6, seed=0, noise=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) > 0).astype(int)
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(d)]), np.where(rng.random(n) < noise, 1 - y, y)


def _mixed(n=200, seed=0):
    """Numeric and one-hot columns: dense and sparse families need different encodings."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(list("abcd"), n)})
    y = ((frame["x"] > 0) ^ (frame["c"] == "a")).astype(int).to_numpy()
    return frame, np.where(rng.random(n) < 0.1, 1 - y, y)


@pytest.fixture
def uniform_family(monkeypatch):
    """A family that always predicts the class priors: far behind any real model."""
    family = Family("prior", "class priors", lambda rs: DummyClassifier(strategy="prior"))
    monkeypatch.setitem(FAMILIES, "prior", family)
    return family


def _count_encodings(monkeypatch):
    calls: list[int] = []
    original = FoldEncoder.encode

    def counting(self, train, test):
        calls.append(len(test))
        return original(self, train, test)

    monkeypatch.setattr(FoldEncoder, "encode", counting)
    return calls


class TestSharedEncoding:
    def test_numeric_table_is_encoded_once_per_fold_for_all_families(self, monkeypatch):
        calls = _count_encodings(monkeypatch)
        choose_model(*_linear(), families=["logistic", "boosting", "forest"], time_budget=BIG, cv=4)
        assert len(calls) == 4

    def test_sparse_and_dense_families_share_one_encoding_per_fold(self, monkeypatch):
        """With one-hot columns the dense families get the sparse encoding made dense, not a second fit."""
        calls = _count_encodings(monkeypatch)
        choose_model(*_mixed(400), families=["logistic", "boosting", "knn"], time_budget=BIG, cv=3)
        assert len(calls) == 3

    @pytest.mark.parametrize("family", ["logistic", "knn", "boosting"])
    def test_shared_encoding_gives_each_pipelines_probabilities(self, family):
        """Encoding once per fold and fitting the classifier equals cross-validating the family's pipeline."""
        X, y = _mixed(300)
        choice = choose_model(X, y, families=[family], calibrate=False, time_budget=BIG, random_state=4)
        audited = FAMILIES[family].build(infer_column_roles(X), 4, audit=True)  # logistic: the forward fit
        expected = lw.out_of_fold_probs(audited, X, y, random_state=4)
        np.testing.assert_allclose(choice.probs, expected, atol=1e-12)


class TestOutOfBag:
    """A bagged family (the forest) is fitted once on all rows; its out-of-bag probabilities are used."""

    @pytest.mark.parametrize("family", ["forest", "extra_trees"])
    @pytest.mark.parametrize("table", [_linear, _mixed])
    def test_probabilities_are_the_pipelines_out_of_bag_ones(self, table, family):
        """A bagged family's probabilities equal its pipeline's out-of-bag decision function on all rows."""
        X, y = table(300)
        choice = choose_model(X, y, families=[family], calibrate=False, time_budget=BIG, random_state=4)
        pipeline = default_model(X, model=family, random_state=4).set_params(classifier__oob_score=True)
        expected = pipeline.fit(X, y)[-1].oob_decision_function_
        np.testing.assert_allclose(choice.probs, expected, atol=1e-12)

    def test_fitted_once_however_many_folds(self, monkeypatch):
        from sklearn.ensemble import RandomForestClassifier

        fits = []
        original = RandomForestClassifier.fit
        monkeypatch.setattr(
            RandomForestClassifier, "fit", lambda self, *a, **k: fits.append(1) or original(self, *a, **k)
        )
        choice = choose_model(*_linear(noise=0.1), families=["logistic", "forest"], time_budget=BIG, cv=4)
        assert len(fits) == 1
        assert next(c for c in choice.candidates if c.name == "forest").skipped is None

    @pytest.mark.parametrize("family", ["forest", "extra_trees"])
    def test_a_rows_own_label_never_shapes_its_probabilities(self, family):
        """Flipping one row's label leaves that row's out-of-bag probabilities unchanged."""
        X, y = _linear(200, noise=0.1)
        kwargs = {"families": [family], "calibrate": False, "blend": False, "time_budget": BIG, "random_state": 1}
        before = choose_model(X, y, **kwargs).probs
        for row in (0, 57, 199):
            flipped = y.copy()
            flipped[row] = 1 - flipped[row]
            np.testing.assert_allclose(choose_model(X, flipped, **kwargs).probs[row], before[row], atol=1e-12)

    def test_rows_no_member_left_out_get_the_class_frequencies(self, monkeypatch):
        from sklearn.ensemble import RandomForestClassifier

        one_tree = Family(
            "one_tree",
            "a single bagged tree",
            lambda rs: RandomForestClassifier(n_estimators=1, random_state=rs),
            out_of_bag=True,
        )
        monkeypatch.setitem(FAMILIES, "one_tree", one_tree)
        X, y = _linear(300, noise=0.1)
        choice = choose_model(X, y, families=["one_tree"], calibrate=False, time_budget=BIG)
        frequencies = np.bincount(y) / y.size
        unscored = np.all(np.isclose(choice.probs, frequencies), axis=1)
        assert 0.5 < unscored.mean() < 0.75  # a bootstrap sample holds about 63% of the rows
        np.testing.assert_allclose(choice.probs.sum(axis=1), 1.0)


class TestFirstFoldScreen:
    def test_a_family_far_behind_on_the_first_fold_stops_there(self, uniform_family):
        choice = choose_model(*_linear(), families=["logistic", "prior"], time_budget=BIG, random_state=0)
        prior = next(c for c in choice.candidates if c.name == "prior")
        assert prior.log_loss is None
        assert prior.skipped.startswith("first fold's log loss") and "the best (logistic" in prior.skipped
        assert any(n.startswith("skipped prior: first fold's log loss") for n in choice.notices)

    def test_the_fallback_is_never_screened_out(self, uniform_family):
        """The first family runs every fold even when another is far better on the first one."""
        choice = choose_model(*_linear(), families=["prior", "forest"], time_budget=BIG, random_state=0)
        prior = next(c for c in choice.candidates if c.name == "prior")
        assert prior.skipped is None and prior.log_loss is not None

    def test_close_families_all_run_every_fold(self):
        X, y = _linear(seed=3, noise=0.15)
        choice = choose_model(X, y, families=["logistic", "forest"], time_budget=BIG, random_state=0)
        assert all(c.skipped is None for c in choice.candidates)


class TestParallelFolds:
    def test_n_jobs_gives_the_same_probabilities(self):
        X, y = _mixed()
        kwargs = {"families": ["logistic", "boosting", "forest"], "time_budget": BIG, "random_state": 5}
        one = choose_model(X, y, **kwargs)
        two = choose_model(X, y, n_jobs=2, **kwargs)
        assert one.chosen == two.chosen
        np.testing.assert_allclose(one.probs, two.probs, atol=1e-12)
        assert [c.log_loss for c in one.candidates] == pytest.approx([c.log_loss for c in two.candidates])

    @pytest.mark.parametrize("n_jobs", [None, 2])
    def test_a_family_failing_on_a_later_fold_is_skipped_with_its_reason(self, monkeypatch, n_jobs):
        class FailsSecondTime(ClassifierMixin, BaseEstimator):
            fits = 0

            def fit(self, X, y):
                type(self).fits += 1
                if type(self).fits > 1:
                    raise ValueError("singular matrix\nmore")
                self.inner_ = LogisticRegression().fit(X, y)
                self.classes_ = self.inner_.classes_
                return self

            def predict_proba(self, X):
                return self.inner_.predict_proba(X)

        monkeypatch.setitem(FAMILIES, "fragile", Family("fragile", "fails after one fit", lambda rs: FailsSecondTime()))
        choice = choose_model(*_linear(noise=0.1), families=["logistic", "fragile"], time_budget=BIG, n_jobs=n_jobs)
        fragile = next(c for c in choice.candidates if c.name == "fragile")
        assert fragile.skipped == "failed on this data: ValueError: singular matrix"
        assert choice.chosen == "logistic"


class FakeClock:
    """The chooser's clock in the time-budget tests: only the slow test models below move it.

    With the real clock, a logistic fallback slowed by a loaded machine used up the 0.3-0.5 s
    budgets before the family under test started ("time budget used up" instead of the reason
    the test is about).
    """

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


_CLOCK = FakeClock()


@pytest.fixture
def fake_clock(monkeypatch):
    """The chooser (``_auto``, ``_runner``) reads a fresh :class:`FakeClock`; the slow models advance it."""
    import labelwise.models._auto as auto
    import labelwise.models._runner as runner

    clock = FakeClock()
    monkeypatch.setattr(auto, "time", clock)
    monkeypatch.setattr(runner, "time", clock)
    monkeypatch.setitem(globals(), "_CLOCK", clock)
    return clock


def _sleep(seconds: float) -> None:
    """The slow models' cost, on the fake clock (the real one is never slowed)."""
    _CLOCK.sleep(seconds)


class SlowToPredict(ClassifierMixin, BaseEstimator):
    """Fits instantly, then takes 2 ms per predicted row (as kNN's cost is all in prediction)."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        _sleep(2e-3 * X.shape[0])
        return np.full((X.shape[0], self.classes_.size), 1.0 / self.classes_.size)


def test_the_probe_prices_prediction_not_only_fitting(monkeypatch, fake_clock):
    """On a large training part the probe also predicts: a family quick to fit but slow to predict is skipped."""
    import labelwise.models._runner as runner

    monkeypatch.setattr(runner, "PROBE_ABOVE", 100)
    monkeypatch.setattr(runner, "PROBE_MIN_ROWS", 50)
    slow = Family("slow", "slow to predict", lambda rs: SlowToPredict(), lazy=True)
    monkeypatch.setitem(FAMILIES, "slow", slow)
    # The probe predicts >= 64 rows (>= 0.128 s on the fake clock), scaled by 5 (training rows)
    # x 1.25 (test rows) x 5 folds: an estimate of at least 4 s against a 2 s budget.
    choice = choose_model(*_linear(400, noise=0.1), families=["logistic", "slow"], time_budget=2.0)
    slow = next(c for c in choice.candidates if c.name == "slow")
    assert slow.skipped is not None and slow.skipped.startswith("estimated ~")


class SlowBagged(ClassifierMixin, BaseEstimator):
    """A 'bagged' model taking 2 ms per training row to fit, with out-of-bag class priors."""

    def __init__(self, oob_score=False):
        self.oob_score = oob_score

    def fit(self, X, y):
        _sleep(2e-3 * X.shape[0])
        self.classes_ = np.unique(y)
        self.oob_decision_function_ = np.tile(np.bincount(y) / len(y), (X.shape[0], 1))
        return self


def test_the_probe_prices_a_bagged_familys_single_fit(monkeypatch, fake_clock):
    """On a large table a bagged family is probed before its fit on all rows and skipped when over the budget."""
    import labelwise.models._runner as runner

    monkeypatch.setattr(runner, "PROBE_ABOVE", 100)
    monkeypatch.setattr(runner, "PROBE_MIN_ROWS", 50)
    monkeypatch.setitem(FAMILIES, "bagged", Family("bagged", "slow", lambda rs: SlowBagged(), out_of_bag=True))
    # The probe fits 80 rows (0.16 s on the fake clock), scaled by 5 (all 400 rows): 0.8 s against 0.5 s.
    choice = choose_model(*_linear(400, noise=0.1), families=["logistic", "bagged"], time_budget=0.5)
    bagged = next(c for c in choice.candidates if c.name == "bagged")
    assert bagged.skipped is not None and bagged.skipped.startswith("estimated ~")


def test_a_bagged_family_done_before_the_deadline_passed_is_kept(monkeypatch, fake_clock):
    """A bagged family whose single fit ends past the budget is kept: its work is done, nothing is left to skip."""
    monkeypatch.setitem(FAMILIES, "bagged", Family("bagged", "slow", lambda rs: SlowBagged(), out_of_bag=True))
    # 300 rows (no probe) at 2 ms a row: the fit takes 0.6 s on the fake clock, past the 0.3 s budget.
    choice = choose_model(*_linear(300, noise=0.3), families=["logistic", "bagged"], time_budget=0.3)
    bagged = next(c for c in choice.candidates if c.name == "bagged")
    assert bagged.skipped is None and bagged.log_loss is not None


@pytest.mark.parametrize(("n_log_n", "factor"), [(False, 1.0), (True, np.log(10_000) / np.log(2_000))])
def test_the_probe_extrapolates_trees_as_n_log_n(monkeypatch, n_log_n, factor):
    """A one-second fit on the probe's 2,000 of 10,000 rows is priced 5 s, times log(10,000)/log(2,000) for trees."""
    import labelwise.models._runner as runner

    clock = iter([0.0, 1.0, 1.0])  # fit takes 1 s, prediction 0 s
    monkeypatch.setattr(runner.time, "perf_counter", lambda: next(clock))
    family = Family("bagged", "", lambda rs: SlowBagged(), n_log_n=n_log_n, out_of_bag=True)
    monkeypatch.setattr(SlowBagged, "fit", lambda self, X, y: self)
    x = np.zeros((10_000, 2))
    guess = runner._probe(runner.FamilyRun(family, x), x, np.zeros(10_000, int), x[:0], 1, 0)
    assert guess == pytest.approx(5.0 * factor)
