"""labelwise.poison.provenance against ART 1.20.1's ``ProvenanceDefense`` on the same inputs.

ART's defence wants an ART classifier (one-hot labels in, one-hot predictions out) and one-hot
provenance; :class:`OneHot` wraps a scikit-learn classifier that way, so both libraries fit the same
model on the same rows.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestCentroid

import labelwise as lw

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # ART warns that PyTorch is absent
    poison_art = pytest.importorskip("art.defences.detector.poison")


class OneHot:
    """The part of an ART classifier ``ProvenanceDefense`` calls: ``fit`` on one-hot labels and
    ``predict`` returning one-hot rows (ART compares them with one-hot labels)."""

    def __init__(self, n_classes: int) -> None:
        self.n_classes = n_classes
        self.model = LogisticRegression()

    def fit(self, x, y):
        self.model.fit(x, np.argmax(y, axis=1))
        return self

    def predict(self, x):
        return np.eye(self.n_classes)[self.model.predict(x)]


def problem(seed: int, n_sources: int = 8, per_source: int = 50):
    """Continuous features (no two rows share a value, where ART's value-based filter removes exactly
    a source's rows); sources 2 and 5 label every row 1."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_sources * per_source, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    sources = np.repeat(np.arange(n_sources), per_source)
    y[(sources == 2) | (sources == 5)] = 1
    X_t = rng.normal(size=(150, 4))
    return X, y, sources, X_t, (X_t[:, 0] + 0.5 * X_t[:, 1] > 0).astype(int)


def art_report(X, y, sources, X_t=None, y_t=None, eps=0.015):
    logging.getLogger("art").setLevel(logging.ERROR)
    onehot = np.eye(2)
    defence = poison_art.ProvenanceDefense(
        OneHot(2),
        X,
        onehot[y],
        np.eye(sources.max() + 1)[sources],
        x_val=X_t,
        y_val=None if y_t is None else onehot[y_t],
        eps=eps,
    )
    report, is_clean = defence.detect_poison()
    return report, np.asarray(is_clean) == 0


class TestProvenanceAgainstART:
    @pytest.mark.parametrize(
        "seed", [0, pytest.param(1, marks=pytest.mark.slow), pytest.param(2, marks=pytest.mark.slow)]
    )
    def test_trusted_effects_and_verdicts_equal_arts(self, seed):
        """With trusted rows, ART's reported performance differences are labelwise's effects of the
        sources it flags (to 1e-12), and both flag the same rows (sequential order, eps 0.015)."""
        X, y, sources, X_t, y_t = problem(seed)
        report, art_flags = art_report(X, y, sources, X_t, y_t)
        ours = lw.poison.provenance(X, y, sources, estimator=LogisticRegression(), trusted=(X_t, y_t), threshold=0.015)
        np.testing.assert_array_equal(ours.is_flagged, art_flags)
        assert sorted(report) == ours.per_source.loc[ours.per_source["flagged"], "source"].tolist()
        for source, effect in report.items():
            assert ours.per_source["effect"][source] == pytest.approx(effect, abs=1e-12)

    @pytest.mark.slow
    @pytest.mark.parametrize("seed", [0, 3])
    def test_untrusted_with_arts_split_equals_art_after_seeding_numpy(self, seed):
        """Without trusted rows, ``split="random"`` with ``random_state=s`` holds out the rows ART's
        unseeded ``train_test_split`` holds out after ``np.random.seed(s)``: the same verdicts."""
        X, y, sources, _, _ = problem(seed, per_source=80)
        np.random.seed(seed)  # noqa: NPY002 (ART draws with the legacy global generator)
        report, art_flags = art_report(X, y, sources)
        ours = lw.poison.provenance(
            X, y, sources, estimator=LogisticRegression(), threshold=0.015, split="random", random_state=seed
        )
        np.testing.assert_array_equal(ours.is_flagged, art_flags)
        for source, effect in report.items():
            assert ours.per_source["effect"][source] == pytest.approx(effect, abs=1e-12)

    @pytest.mark.slow  # ART's filter is a Python loop over rows
    def test_art_removes_other_sources_rows_on_integer_features(self):
        """ART's ``filter_input`` drops a row when all its values occur in the judged source; on
        integer features (the digits' pixels, 0..16) that is most rows of every source, where
        labelwise removes the source's rows only. Here it removes every row: each of the 64 pixel
        values of every digit occurs somewhere in source 0."""
        from sklearn.datasets import load_digits

        X = load_digits().data[:300]
        sources = np.repeat(np.arange(6), 50)
        segment = X[sources == 0]
        kept, _ = poison_art.ProvenanceDefense.filter_input(X, np.zeros(len(X)), segment)
        assert len(kept) == 0  # ART's next fit would get no row at all
        y = load_digits().target[:300]
        found = lw.poison.provenance(X, y, sources, estimator=NearestCentroid(), trusted=(X, y))
        assert np.isfinite(found.per_source["effect"]).all()
