"""labelwise.poison.provenance: what it flags with and without trusted rows, its orders and splits,
its checks, and its properties (row order, source names, repeat runs)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestCentroid

import labelwise as lw
from labelwise.errors import InvalidParameterError, ShapeMismatchError, TooFewExamplesError

LOGISTIC = LogisticRegression()
CENTROID = NearestCentroid()


def problem(seed: int, n_sources: int = 6, per_source: int = 60, poisoned=(2,), n_trusted: int = 120):
    """Two classes split by the first feature, ``per_source`` rows per source named ``s0``, ``s1``,
    ...; the poisoned sources label every row 1."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_sources * per_source, 3))
    y = (X[:, 0] > 0).astype(int)
    sources = np.repeat([f"s{i}" for i in range(n_sources)], per_source)
    for s in poisoned:
        y[sources == f"s{s}"] = 1
    X_t = rng.normal(size=(n_trusted, 3))
    return X, y, sources, (X_t, (X_t[:, 0] > 0).astype(int))


def flagged_sources(found) -> list:
    return found.per_source.loc[found.per_source["flagged"], "source"].tolist()


class TestProvenance:
    def test_flags_the_source_that_labels_everything_one_class_with_trusted_rows(self):
        """With trusted rows, the source whose labels are all 1 is the one whose removal helps."""
        X, y, sources, trusted = problem(0)
        found = lw.poison.provenance(X, y, sources, estimator=LOGISTIC, trusted=trusted, threshold=0.02)
        assert found.detector == "provenance"
        assert flagged_sources(found) == ["s2"]
        np.testing.assert_array_equal(found.is_flagged, sources == "s2")
        assert found.params["trusted"] is True

    def test_flags_it_without_trusted_rows_too(self):
        """Without trusted rows, held-out rows of the other sources judge each source."""
        X, y, sources, _ = problem(1, per_source=100)
        found = lw.poison.provenance(X, y, sources, estimator=LOGISTIC, threshold=0.02, random_state=0)
        assert flagged_sources(found) == ["s2"]
        assert found.params["split"] == "by-source"

    def test_scores_are_the_sources_effect_on_every_row(self):
        """Each row scores its source's removal effect; the table sums the rows by source."""
        X, y, sources, trusted = problem(2)
        found = lw.poison.provenance(X, y, sources, estimator=LOGISTIC, trusted=trusted)
        table = found.per_source.set_index("source")
        np.testing.assert_array_equal(found.scores, table.loc[sources, "effect"].to_numpy())
        assert table["rows"].tolist() == [60] * 6
        assert table["step"].tolist() == list(range(6))
        frame = found.to_frame()
        assert list(frame.columns) == ["label", "score", "is_flagged", "source"]
        assert found.per_class["flagged"].sum() == found.n_flagged

    def test_sequential_removes_a_poisoned_source_before_judging_the_next(self):
        """Two poisoned sources: in order, the second is judged without the first; independently,
        against all rows. The first's effect is the same both ways."""
        X, y, sources, trusted = problem(3, poisoned=(1, 3))
        seq = lw.poison.provenance(X, y, sources, estimator=LOGISTIC, trusted=trusted, threshold=0.01)
        ind = lw.poison.provenance(
            X, y, sources, estimator=LOGISTIC, trusted=trusted, threshold=0.01, order="independent"
        )
        assert flagged_sources(seq) == ["s1", "s3"]
        np.testing.assert_allclose(seq.per_source["effect"][:2], ind.per_source["effect"][:2])
        assert seq.per_source["effect"][3] != ind.per_source["effect"][3]

    def test_random_split_holds_out_the_rows_sklearn_draws(self):
        """``split="random"`` evaluates on the rows ``train_test_split`` holds out with that seed."""
        from sklearn.model_selection import train_test_split

        X, y, sources, _ = problem(4)
        found = lw.poison.provenance(X, y, sources, estimator=LOGISTIC, split="random", random_state=7)
        _, test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=7)
        model = LogisticRegression().fit(np.delete(X, test, axis=0), np.delete(y, test))
        assert found.params["base_accuracy"] == pytest.approx(np.mean(model.predict(X[test]) == y[test]))

    def test_a_source_whose_removal_leaves_one_class_is_not_judged(self):
        """Removing the only source of class 0's rows leaves one class: its effect is NaN, unflagged."""
        X, y, sources, trusted = problem(5, n_sources=2)
        y[sources == "s0"] = 0
        y[sources == "s1"] = 1
        found = lw.poison.provenance(X, y, sources, estimator=LOGISTIC, trusted=trusted)
        assert np.isnan(found.per_source["effect"]).all()
        assert found.n_flagged == 0


class TestProvenanceChecks:
    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"threshold": 1.0}, InvalidParameterError, r"threshold must be in \[0, 1\), got 1.0"),
            ({"threshold": True}, InvalidParameterError, "threshold must be a number"),
            ({"order": "greedy"}, InvalidParameterError, "order must be one of"),
            ({"split": "rows"}, InvalidParameterError, "split must be one of"),
            ({"validation_share": 0}, InvalidParameterError, r"validation_share must be a number in \(0, 1\)"),
            ({"estimator": "logistic"}, InvalidParameterError, "estimator must be a classifier with fit and predict"),
            ({"trusted": np.zeros((3, 3))}, InvalidParameterError, r"trusted must be None or a pair"),
            ({"trusted": (np.zeros((3, 2)), [0, 1, 0])}, ShapeMismatchError, r"trusted X must have as many columns"),
            ({"trusted": (np.zeros((3, 3)), [0, 1])}, ShapeMismatchError, "trusted X"),
        ],
    )
    def test_bad_arguments_name_the_parameter(self, kwargs, error, match):
        """Each bad argument raises a labelwise error naming it, the expectation and the value."""
        X, y, sources, _ = problem(0, per_source=10)
        kwargs.setdefault("estimator", LOGISTIC)
        with pytest.raises(error, match=match):
            lw.poison.provenance(X, y, sources, **kwargs)

    def test_sources_must_match_the_rows_and_name_two_sources(self):
        """sources of another length, or a single source, are refused."""
        X, y, sources, _ = problem(0, per_source=10)
        with pytest.raises(ShapeMismatchError, match="sources"):
            lw.poison.provenance(X, y, sources[:-1], estimator=LOGISTIC)
        with pytest.raises(TooFewExamplesError, match="sources must name at least 2 data sources"):
            lw.poison.provenance(X, y, np.zeros(len(y)), estimator=LOGISTIC)

    def test_untrusted_sources_of_one_row_hold_out_nothing_and_are_refused(self):
        """Without trusted rows, sources of a single row leave no held-out row to evaluate on."""
        X, y, _, _ = problem(0, per_source=10)
        with pytest.raises(TooFewExamplesError, match="sources must leave rows both to fit and to hold out"):
            lw.poison.provenance(X, y, np.arange(len(y)), estimator=LOGISTIC)

    def test_one_class_among_the_fitted_rows_is_refused(self):
        """Labels of one class cannot fit a classifier."""
        X, _, sources, _ = problem(0, per_source=10)
        with pytest.raises(TooFewExamplesError, match="labels must hold at least 2 classes"):
            lw.poison.provenance(X, np.ones(len(X)), sources, estimator=LOGISTIC, random_state=0)


def small(seed: int):
    rng = np.random.default_rng(seed)
    n_sources = int(rng.integers(3, 6))
    X, y, sources, trusted = problem(seed, n_sources=n_sources, per_source=int(rng.integers(8, 20)), n_trusted=30)
    return X, y, sources, trusted


class TestProvenanceProperties:
    @pytest.mark.slow
    @settings(max_examples=8, deadline=None)
    @given(seed=st.integers(0, 2**31), shuffle=st.integers(0, 2**31))
    def test_row_order_does_not_change_the_verdicts_with_trusted_rows(self, seed, shuffle):
        """Shuffling the training rows shuffles the scores and flags, nothing more."""
        X, y, sources, trusted = small(seed)
        order = np.random.default_rng(shuffle).permutation(len(y))
        a = lw.poison.provenance(X, y, sources, estimator=CENTROID, trusted=trusted)
        b = lw.poison.provenance(X[order], y[order], sources[order], estimator=CENTROID, trusted=trusted)
        np.testing.assert_allclose(b.scores[np.argsort(order)], a.scores)
        np.testing.assert_array_equal(b.is_flagged[np.argsort(order)], a.is_flagged)

    @pytest.mark.slow
    @settings(max_examples=8, deadline=None)
    @given(seed=st.integers(0, 2**31), names=st.permutations(["north", "east", "south", "west", "up", "down"]))
    def test_renaming_sources_does_not_change_independent_verdicts(self, seed, names):
        """With ``order="independent"`` the sources' names (hence their order) do not matter."""
        X, y, sources, trusted = small(seed)
        codes = np.unique(sources, return_inverse=True)[1]
        renamed = np.asarray(names)[codes]
        kw = dict(estimator=CENTROID, trusted=trusted, order="independent")
        a = lw.poison.provenance(X, y, sources, **kw)
        b = lw.poison.provenance(X, y, renamed, **kw)
        np.testing.assert_array_equal(b.scores, a.scores)
        np.testing.assert_array_equal(b.is_flagged, a.is_flagged)

    @pytest.mark.slow
    @settings(max_examples=8, deadline=None)
    @given(seed=st.integers(0, 2**31))
    def test_order_preserving_renames_keep_sequential_verdicts(self, seed):
        """Sequential verdicts follow the sorted names: a rename that keeps their order changes nothing."""
        X, y, sources, trusted = small(seed)
        renamed = np.char.add("batch-", sources)
        a = lw.poison.provenance(X, y, sources, estimator=CENTROID, trusted=trusted, threshold=0.01)
        b = lw.poison.provenance(X, y, renamed, estimator=CENTROID, trusted=trusted, threshold=0.01)
        np.testing.assert_array_equal(b.scores, a.scores)
        np.testing.assert_array_equal(b.is_flagged, a.is_flagged)

    @pytest.mark.slow
    @settings(max_examples=5, deadline=None)
    @given(seed=st.integers(0, 2**31), state=st.integers(0, 2**31))
    def test_same_seed_same_result_without_trusted_rows(self, seed, state):
        """Two runs with the same random_state hold out the same rows and agree."""
        X, y, sources, _ = small(seed)
        a = lw.poison.provenance(X, y, sources, estimator=CENTROID, random_state=state)
        b = lw.poison.provenance(X, y, sources, estimator=CENTROID, random_state=state)
        np.testing.assert_array_equal(a.scores, b.scores)
        np.testing.assert_array_equal(a.is_flagged, b.is_flagged)


class TestProvenanceGaps:
    def test_refuses_trusted_labels_of_a_class_not_in_the_data(self):
        """A trusted class no row of the data has cannot be predicted: every effect would be 0."""
        X, y, sources, (X_t, y_t) = problem(0)
        y_t = np.where(np.arange(len(y_t)) % 4 == 0, 7, y_t)
        with pytest.raises(
            InvalidParameterError, match=r"trusted y must hold only classes of the training labels, got 1 .*\(7\)"
        ):
            lw.poison.provenance(X, y, sources, estimator=LOGISTIC, trusted=(X_t, y_t))

    def test_passes_verbose_to_a_progress_bar_over_the_sources(self, monkeypatch):
        """One bar step per source, drawn as ``verbose`` says (default False: no bar in library use)."""
        from labelwise.poison import _detect_provenance

        calls = []

        def recording(iterable, *, total=None, description="", verbose=None):
            calls.append((total, description, verbose))
            yield from iterable

        monkeypatch.setattr(_detect_provenance, "track", recording)
        X, y, sources, trusted = problem(0, n_sources=3, per_source=30)
        lw.poison.provenance(X, y, sources, estimator=LOGISTIC, trusted=trusted)
        lw.poison.provenance(X, y, sources, estimator=LOGISTIC, trusted=trusted, verbose=None)
        assert calls == [(3, "provenance: sources", False), (3, "provenance: sources", None)]

    def test_refuses_a_verbose_that_is_not_a_bool_or_none(self):
        X, y, sources, trusted = problem(0, n_sources=3, per_source=30)
        with pytest.raises(InvalidParameterError, match=r"verbose must be True, False or None, got 'yes'"):
            lw.poison.provenance(X, y, sources, estimator=LOGISTIC, trusted=trusted, verbose="yes")
