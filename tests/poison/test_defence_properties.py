"""Per-row outputs of the defences (and attacks) under permuted rows and renamed classes.

``test_row_order.py`` and ``test_invariants.py`` check the sanitisers' functions on two classes,
``sanitize_islands`` on three, and the defences' predictions. Here: ``sanitize_labels`` and
``curie_filter`` on three and four classes under any permutation of the rows and any bijection of
the classes; the fitted per-row attributes of the defences (``CurieSVC.kept_``,
``LabelSanitizedSVC.labels_``, ``GraphSanitizedSVC.labels_``) under permuted rows and string
classes whose sorted order is not the codes'; and what holds for the order-dependent ones.

Order-dependent by design, for a fixed ``random_state``: ``random_flips``, ``topk_sv`` and
``lfa`` (rows are drawn by position), ``FloralSVC`` (its attacker draws among support vectors by
position), ``AuditThenTrain`` and ``robustness_curve`` (cross-validation folds and the test split
are drawn by position). For ``random_flips`` the draw follows positions: tested below.
``farthest_first`` is deterministic and ranks rows by an SVC's margins, which libsvm's tolerance
moves with the row order; solved tightly, its flips follow the rows (tested below). ``alfa``'s
linear programme can have several optimal vertices, and which one the solver returns depends on
the order of the rows (the ``@example`` in ``test_invariants.py``), so it is left out.

The features are continuous (no tied distances): scikit-learn's neighbour search and DBSCAN break
a tied distance by row position.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.poison import (
    CurieSVC,
    GraphSanitizedSVC,
    LabelSanitizedSVC,
    curie_filter,
    farthest_first,
    random_flips,
    sanitize_labels,
)
from labelwise.poison import attacks as attacks_module

SETTINGS = settings(max_examples=15, deadline=None)
#: Class names whose sorted order (alpha, mid, omega, zeta) is none of the codes' orders used here.
NAMES = np.array(["zeta", "alpha", "omega", "mid"])


def blobs(seed: int, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``k`` overlapping Gaussian blobs around a circle, labels in shuffled order, continuous features."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % k)
    angle = 2 * np.pi * np.arange(k) / k
    centres = 1.5 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return rng.normal(size=(n, 2)) + centres[y], y


def _perm(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed + 1).permutation(n)


class TestSanitiseLabels:
    @SETTINGS
    @given(
        seed=st.integers(0, 1000),
        k=st.integers(3, 4),
        n_neighbors=st.integers(1, 12),
        eta=st.sampled_from([0.3, 0.5, 0.8]),
    )
    def test_permuting_rows_permutes_the_new_labels(self, seed, k, n_neighbors, eta):
        """Any number of neighbours (tied votes included) on three or four classes: the labels of
        permuted rows are the permuted labels (each point is judged on its neighbours' given labels)."""
        X, y = blobs(seed, 50, k)
        perm = _perm(seed, len(y))
        out = sanitize_labels(X, y, n_neighbors=n_neighbors, eta=eta)
        np.testing.assert_array_equal(sanitize_labels(X[perm], y[perm], n_neighbors=n_neighbors, eta=eta), out[perm])

    @SETTINGS
    @given(seed=st.integers(0, 1000), n_neighbors=st.integers(1, 12), sigma=st.permutations([0, 1, 2, 3]))
    def test_renaming_four_classes_renames_the_new_labels(self, seed, n_neighbors, sigma):
        """Any bijection of four codes renames the output: a vote tied between two classes is no
        majority whichever codes they have."""
        X, y = blobs(seed, 50, 4)
        sigma = np.array(sigma)
        out = sanitize_labels(X, y, n_neighbors=n_neighbors)
        np.testing.assert_array_equal(sanitize_labels(X, sigma[y], n_neighbors=n_neighbors), sigma[out])


class TestCurieFilter:
    @SETTINGS
    @given(
        seed=st.integers(0, 1000),
        sigma=st.permutations([0, 1, 2]),
        eps=st.sampled_from([0.2, 0.3, 0.5]),
        theta=st.sampled_from([0.0, 0.5, 1.0]),
    )
    def test_renaming_three_classes_keeps_the_mask(self, seed, sigma, eps, theta):
        """Any bijection of three codes permutes the one-hot label columns, which no distance sees:
        the same points are kept."""
        X, y = blobs(seed, 60, 3)
        sigma = np.array(sigma)
        out = curie_filter(X, y, eps=eps, theta=theta)
        np.testing.assert_array_equal(curie_filter(X, sigma[y], eps=eps, theta=theta), out)

    @SETTINGS
    @given(seed=st.integers(0, 1000), eps=st.sampled_from([0.2, 0.3, 0.5]), min_samples=st.integers(2, 6))
    def test_permuting_rows_of_three_classes_permutes_the_mask(self, seed, eps, min_samples):
        """Three classes, any ``min_samples``: the mask of permuted rows is the permuted mask."""
        X, y = blobs(seed, 60, 3)
        perm = _perm(seed, len(y))
        out = curie_filter(X, y, eps=eps, min_samples=min_samples)
        got = curie_filter(X[perm], y[perm], eps=eps, min_samples=min_samples)
        np.testing.assert_array_equal(got, out[perm])


#: The defences' per-row fitted attribute: a kept mask or the sanitised labels.
PER_ROW = {
    "curie": (lambda: CurieSVC(eps=0.3), "kept_"),
    "ls-svm": (lambda: LabelSanitizedSVC(n_neighbors=6), "labels_"),
    "graph": (lambda: GraphSanitizedSVC(min_island=2), "labels_"),
}


@pytest.mark.parametrize("name", sorted(PER_ROW))
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 1000), k=st.integers(2, 3), sigma=st.permutations([0, 1, 2, 3]))
def test_fitted_per_row_outputs_follow_rows_and_class_names(name, seed, k, sigma):
    """A defence fitted on permuted rows has the permuted ``kept_`` / ``labels_``; fitted on string
    classes (any naming, so the sorted names need not follow the codes) it has the renamed
    ``labels_`` (and the same ``kept_``), the same ``n_relabelled_`` and renamed ``classes_``."""
    make, attribute = PER_ROW[name]
    X, y = blobs(seed, 60, k)
    region = np.argsort(((X - X[0]) ** 2).sum(axis=1))[:6]
    y[region] = (y[region] + 1) % k  # a flipped region, for the sanitisers to find
    perm = _perm(seed, len(y))
    names = NAMES[np.array(sigma)]
    base = make().fit(X, y)
    permuted = make().fit(X[perm], y[perm])
    renamed = make().fit(X, names[y])
    np.testing.assert_array_equal(getattr(permuted, attribute), getattr(base, attribute)[perm])
    if attribute == "labels_":
        np.testing.assert_array_equal(renamed.labels_, names[base.labels_])
        assert renamed.n_relabelled_ == base.n_relabelled_ == permuted.n_relabelled_
    else:
        np.testing.assert_array_equal(renamed.kept_, base.kept_)
    np.testing.assert_array_equal(np.sort(renamed.classes_), np.sort(names[base.classes_]))


class TestAttacksRowOrder:
    @SETTINGS
    @given(seed=st.integers(0, 1000), k=st.integers(2, 4), budget=st.integers(1, 10))
    def test_random_flips_draw_by_position(self, seed, k, budget):
        """``random_flips`` is order-dependent by design: for one ``random_state`` it flips the same
        positions whatever rows are there (the draw depends on ``n`` only), each to another class."""
        X, y = blobs(seed, 40, k)
        perm = _perm(seed, len(y))
        a = random_flips(X, y, budget, random_state=seed)
        b = random_flips(X[perm], y[perm], budget, random_state=seed)
        np.testing.assert_array_equal(a.is_flipped, b.is_flipped)
        assert (b.labels[b.is_flipped] != y[perm][b.is_flipped]).all()
        np.testing.assert_array_equal(b.labels[~b.is_flipped], y[perm][~b.is_flipped])

    @SETTINGS
    @given(seed=st.integers(0, 1000), k=st.integers(2, 3), budget=st.integers(1, 10))
    def test_farthest_first_flips_follow_the_rows(self, seed, k, budget):
        """``farthest_first`` solved to ``tol=1e-10`` (libsvm's default ``1e-3`` moves the margins
        with the row order): the flips and new labels of permuted rows are the permuted ones."""
        X, y = blobs(seed, 40, k)
        perm = _perm(seed, len(y))
        svc = attacks_module._svc

        def tight(C, gamma, **kw):
            return svc(C, gamma, tol=1e-10, **kw)

        with mock.patch.object(attacks_module, "_svc", tight):
            a = farthest_first(X, y, budget)
            b = farthest_first(X[perm], y[perm], budget)
        np.testing.assert_array_equal(b.is_flipped, a.is_flipped[perm])
        np.testing.assert_array_equal(b.labels, a.labels[perm])
