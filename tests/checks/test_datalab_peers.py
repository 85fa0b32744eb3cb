"""Every data check with a counterpart in cleanlab 2.9's Datalab, run side by side on the same input.

Datalab's issue managers are run directly (as in ``test_identifier_column.py``), on the same
``knn_graph`` as labelwise wherever the check reads one (labelwise's exact graph as a CSR matrix,
nearest neighbour first, the form Datalab documents), so that only the checks' own rules are
compared. Where labelwise deliberately differs, a test compares in the setting where both coincide
and says why in its docstring. ``near_duplicate`` and ``identifier_column`` are compared in their own
modules (flags and sets; their scores here); ``exact_duplicate`` and ``leakage`` have no Datalab
counterpart.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix

pytest.importorskip("cleanlab.datalab")

from cleanlab import Datalab  # noqa: E402
from cleanlab.datalab.internal.issue_manager.data_valuation import DataValuationIssueManager  # noqa: E402
from cleanlab.datalab.internal.issue_manager.duplicate import NearDuplicateIssueManager  # noqa: E402
from cleanlab.datalab.internal.issue_manager.identifier_column import IdentifierColumnIssueManager  # noqa: E402
from cleanlab.datalab.internal.issue_manager.imbalance import ClassImbalanceIssueManager  # noqa: E402
from cleanlab.datalab.internal.issue_manager.label import LabelIssueManager  # noqa: E402
from cleanlab.datalab.internal.issue_manager.noniid import NonIIDIssueManager  # noqa: E402
from cleanlab.datalab.internal.issue_manager.null import NullIssueManager  # noqa: E402
from cleanlab.datalab.internal.issue_manager.outlier import OutlierIssueManager  # noqa: E402
from cleanlab.datalab.internal.issue_manager.underperforming_group import (  # noqa: E402
    UnderperformingGroupIssueManager,
)

from labelwise.checks import NeighborGraph, find_data_issues, outlier  # noqa: E402
from labelwise.checks.data_valuation import knn_shapley  # noqa: E402
from labelwise.checks.label import TIE_BREAK  # noqa: E402
from labelwise.checks.underperforming_group import graph_dbscan  # noqa: E402

from ._data import blobs_with_issues  # noqa: E402

#: cleanlab's label manager renames a column in place, which pandas deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")

K_NN = 10


@dataclass
class Blobs:
    """z-scored features, labels, their exact k-NN graph (and as Datalab's CSR) and the injected outliers."""

    Z: np.ndarray
    y: np.ndarray
    graph: NeighborGraph
    knn_graph: csr_matrix
    outliers: np.ndarray


@pytest.fixture(scope="module")
def blobs() -> Blobs:
    """Blobs with flipped labels, far outliers and near twins; the exact twins' second copies are
    dropped, because Datalab's k-NN classifier takes a row's nearest neighbour to be itself."""
    data = blobs_with_issues(n=300, seed=1)
    keep = np.setdiff1d(np.arange(300), data.exact[len(data.exact) // 2 :])
    X = data.X[keep]
    Z = (X - X.mean(0)) / X.std(0)
    graph = NeighborGraph.build(Z, k=K_NN, standardize=False, method="exact")
    return Blobs(Z, data.y[keep], graph, _csr(graph), np.searchsorted(keep, data.outliers))


def _csr(graph: NeighborGraph) -> csr_matrix:
    n, k = graph.indices.shape
    data = graph.distances.astype(np.float64).ravel()
    return csr_matrix((data, graph.indices.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n))


def _lab(labels: np.ndarray) -> Datalab:
    return Datalab(data={"y": np.asarray(labels)}, label_name="y", verbosity=0)


def _column(frame, name: str) -> np.ndarray:
    return frame[name].to_numpy()


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two labellings split the rows the same way (up to the cluster numbers)."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_outlier_score_is_e_times_datalabs_where_the_global_ratio_leads(blobs):
    """Datalab scores ``exp(-g)`` for ``g = a / median(a)`` (``a``: mean distance to the k
    neighbours) and flags ``a`` beyond ``Q3 + (1/threshold - 1) IQR``; labelwise takes ``m = max(g, l)``
    with the LOF-style local ratio ``l`` and scores ``min(1, exp(1 - m))``: at most ``e`` times
    Datalab's score, equal to it where ``g >= max(l, 1)``. Given threshold 0.25 (so that its fence is
    labelwise's ``Q3 + 3 IQR``), Datalab flags every injected outlier and labelwise flags those rows
    too: its fence on ``m`` adds rows (two here), it drops none."""
    manager = OutlierIssueManager(_lab(blobs.y), k=K_NN, threshold=0.25)
    manager.find_issues(knn_graph=blobs.knn_graph)
    found = find_data_issues(graph=blobs.graph, checks="outlier")
    theirs, ours = _column(manager.issues, "outlier_score"), _column(found.issues, "outlier_score")
    a = blobs.graph.distances.mean(axis=1, dtype=np.float64)
    g, local = a / np.median(a), a / a[blobs.graph.indices].mean(axis=1)
    leads = (g >= local) & (g >= 1.0)
    assert leads.sum() > 30
    assert np.all(ours <= np.minimum(1.0, np.e * theirs) + 1e-12)
    np.testing.assert_allclose(ours[leads], np.e * theirs[leads], rtol=1e-12)
    flagged_theirs, flagged_ours = (
        _column(manager.issues, "is_outlier_issue"),
        _column(found.issues, "is_outlier_issue"),
    )
    assert flagged_theirs[blobs.outliers].all() and flagged_ours[blobs.outliers].all()
    assert not (flagged_theirs & ~flagged_ours).any()
    assert flagged_ours.sum() - flagged_theirs.sum() <= 2


def test_outlier_flags_datalabs_rows_when_most_rows_have_k_twins():
    """Four in five rows are copies of five points, so most mean distances, and their median, are
    0: both divide by Datalab's floor (100 eps), flag every other row (the fence is 0) and score it
    0, without overflowing to infinite ratios."""
    rng = np.random.default_rng(0)
    X = np.vstack([np.repeat(rng.normal(size=(5, 3)), 48, axis=0), rng.normal(size=(60, 3)) * 3])
    graph = NeighborGraph.build(X, k=K_NN, standardize=False, method="exact")
    manager = OutlierIssueManager(_lab(np.zeros(len(X), dtype=int)), k=K_NN, threshold=0.25)
    manager.find_issues(knn_graph=_csr(graph))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        found = find_data_issues(graph=graph, checks="outlier")
    flagged = _column(manager.issues, "is_outlier_issue")
    np.testing.assert_array_equal(flagged, np.arange(len(X)) >= 240)
    np.testing.assert_array_equal(_column(found.issues, "is_outlier_issue"), flagged)
    np.testing.assert_array_equal(_column(found.issues, "outlier_score")[flagged], 0.0)
    assert np.isfinite(found.info["outlier"]["cutoff_ratio"])


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:(OOD scores|No estimates):UserWarning")
@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_outlier_score_and_flags_from_probs_are_datalabs_unadjusted_entropy_rule(shared_data, name):
    """Without features both score ``1 - H(p) / log K`` (the published out-of-sample probabilities);
    Datalab first moves ``probs`` by its per-class confident thresholds (``adjust_pred_probs``, on
    by default), labelwise does not, so the comparison turns that off. labelwise clips ``p`` at
    1e-12 inside the logarithm: equal within 1e-9. Both flag a score below a ratio times the median
    score (Datalab's ``threshold``, 0.13 by default; labelwise's ``RATIO``, chosen on its own dev
    data): given labelwise's ratio, the flags are equal (none on either set)."""
    folder = shared_data / "label_errors" / name
    labels, probs = np.load(folder / "labels.npy"), np.load(folder / "pred_probs.npy")
    manager = OutlierIssueManager(_lab(labels), adjust_pred_probs=False, threshold=outlier.RATIO)
    manager.find_issues(pred_probs=probs)
    found = find_data_issues(labels=labels, probs=probs, checks="outlier")
    np.testing.assert_allclose(
        _column(found.issues, "outlier_score"), _column(manager.issues, "outlier_score"), atol=1e-9
    )
    np.testing.assert_array_equal(
        _column(found.issues, "is_outlier_issue"), _column(manager.issues, "is_outlier_issue")
    )


@pytest.mark.filterwarnings("ignore:(OOD scores|No estimates):UserWarning")
def test_outlier_flags_from_probs_equal_datalabs_given_the_same_ratio():
    """On simulated probabilities with hesitant rows (which both flag), the same ratio flags the same rows."""
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.full(5, 0.05), 600)
    probs[:30] = rng.dirichlet(np.full(5, 20.0), 30)
    labels = probs.argmax(axis=1)
    manager = OutlierIssueManager(_lab(labels), adjust_pred_probs=False, threshold=outlier.RATIO)
    manager.find_issues(pred_probs=probs)
    found = find_data_issues(labels=labels, probs=probs, checks="outlier")
    flagged = _column(manager.issues, "is_outlier_issue")
    assert 0 < flagged.sum() < len(flagged) // 4
    np.testing.assert_array_equal(_column(found.issues, "is_outlier_issue"), flagged)


def _near_duplicates(graph: NeighborGraph, y: np.ndarray):
    manager = NearDuplicateIssueManager(_lab(y), k=graph.k)
    manager.find_issues(knn_graph=_csr(graph))
    found = find_data_issues(graph=graph, checks="near_duplicate")
    return manager, found


def test_near_duplicate_scores_and_mean_equal_datalabs(blobs):
    """Both score ``1 - exp(-d_1 / median(d_1))`` for the distance ``d_1`` to the nearest neighbour:
    on the same graph the scores, the mean score and the flags are equal."""
    manager, found = _near_duplicates(blobs.graph, blobs.y)
    theirs = _column(manager.issues, "near_duplicate_score")
    np.testing.assert_allclose(_column(found.issues, "near_duplicate_score"), theirs, rtol=1e-12)
    np.testing.assert_array_equal(
        _column(found.issues, "is_near_duplicate_issue"), _column(manager.issues, "is_near_duplicate_issue")
    )
    assert found.summary.set_index("check").loc["near_duplicate", "score"] == pytest.approx(theirs.mean(), rel=1e-12)


def test_near_duplicate_median_floor_is_datalabs_when_most_rows_have_twins():
    """When over half the rows have an exact twin the median nearest-neighbour distance is 0 and
    Datalab measures against its floor, 1e-6: a pair 5e-8 apart is within its radius (0.13e-6) and
    scores ``1 - exp(-0.05)``. labelwise uses the same floor, so it flags and scores that pair alike."""
    rng = np.random.default_rng(0)
    X = np.vstack([np.repeat(rng.normal(size=(10, 2)) * 5, 3, axis=0), [[0.0, 0.0], [5e-8, 0.0]]])
    X = np.vstack([X, rng.normal(size=(6, 2)) * 5 + 20])
    graph = NeighborGraph.build(X, k=5, standardize=False, method="exact")
    manager, found = _near_duplicates(graph, np.zeros(len(X), dtype=int))
    flagged = _column(manager.issues, "is_near_duplicate_issue")
    assert flagged[30:32].all() and flagged.sum() == 32
    np.testing.assert_array_equal(_column(found.issues, "is_near_duplicate_issue"), flagged)
    np.testing.assert_allclose(
        _column(found.issues, "near_duplicate_score"), _column(manager.issues, "near_duplicate_score"), rtol=1e-6
    )


def _drifting(order: str, n: int = 400) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.linspace(0, 20, n)
    X = np.c_[t, np.sin(t)] + rng.normal(scale=0.05, size=(n, 2))
    return X if order == "drift" else X[rng.permutation(n)]


@pytest.mark.parametrize("order", ["drift", "shuffled"])
def test_non_iid_statistic_p_value_and_flag_agree_with_datalab(order):
    """Both compare the neighbours' index gaps with the gap between two random rows by a KS distance
    and a permutation test. labelwise's ``D = max_g |F(g) - F0(g)|``; Datalab pairs the ``i``-th
    smallest gap ``s_i`` with ``i / (nk)``, the empirical CDF just below ``s_i``, so
    ``D - 1/(nk) <= D_Datalab <= D + 2/n`` (``2/n`` bounds a jump of ``F0``). The p-values (Datalab:
    a kernel density of 25 permuted statistics; labelwise: the rank among 50) agree on which side of
    0.05 they fall. Datalab flags only its lowest-scoring row when it rejects, labelwise every row
    whose mean gap is below 5% of the expected one: the row Datalab flags is among labelwise's.
    The per-row scores are different statistics (an area between CDFs, a mean gap): not compared."""
    X = _drifting(order)
    n = X.shape[0]
    graph = NeighborGraph.build(X, k=K_NN, method="exact")
    manager = NonIIDIssueManager(_lab(np.zeros(n, dtype=int)), k=K_NN)
    manager.find_issues(knn_graph=_csr(graph))
    found = find_data_issues(graph=graph, checks="non_iid")
    ours = found.info["non_iid"]["statistic"]
    assert ours - 1.0 / (n * K_NN) - 1e-12 <= manager.statistics["ks"] <= ours + 2.0 / n + 1e-12
    rejects = order == "drift"
    assert bool(manager.p_value < 0.05) == rejects == bool(found.info["non_iid"]["p_value"] < 0.05)
    flagged_theirs, flagged_ours = (
        _column(manager.issues, "is_non_iid_issue"),
        _column(found.issues, "is_non_iid_issue"),
    )
    assert flagged_theirs.sum() == int(rejects)
    assert not (flagged_theirs & ~flagged_ours).any()
    assert bool(flagged_ours.any()) == rejects


def test_data_valuation_is_datalabs_knn_shapley_but_for_its_last_neighbour_term(blobs):
    """Datalab's values follow Jia et al.'s Theorem 1 with ``K = N = k`` except that its recursion
    starts from 0, not from ``1[y_{a_N} = y_t] / N``: every neighbour of a validation row ``t``
    receives ``1[y_{a_N} = y_t] / k`` less. It then averages over all ``n`` rows. So, with ``S``
    labelwise's summed values at ``K = k`` and ``C`` the last-neighbour terms a row received,
    Datalab's score is exactly ``(1 + (S - C) / n) / 2`` and it flags ``S < C``. labelwise's default
    ``K = k // 2`` and its mean over a row's ``k`` appearances are deliberate (module docstring); at
    ``K = k`` no value is negative, so labelwise flags nothing there. (No distances tie here, so
    labelwise's averaging of tied neighbours changes nothing.)"""
    y, idx = blobs.y, blobs.graph.indices
    n = y.shape[0]
    manager = DataValuationIssueManager(_lab(y), k=K_NN)
    manager.find_issues(knn_graph=blobs.knn_graph)
    summed = knn_shapley(idx, y, K_NN, blobs.graph.distances)
    last_match = (y[idx[:, -1]] == y).astype(np.float64)
    missing = np.bincount(idx.ravel(), weights=np.repeat(last_match / K_NN, K_NN), minlength=n)
    theirs = _column(manager.issues, "data_valuation_score")
    np.testing.assert_allclose(theirs, 0.5 * (1.0 + (summed - missing) / n), rtol=0, atol=1e-12)
    # Where S = C in exact arithmetic (Datalab's value 0: two rows in three here) its flag is the
    # sign of its float sum's rounding; labelwise sums exactly (labelwise._exact_sum), so the flags
    # are compared where S and C differ.
    clear = np.abs(summed - missing) > 1e-12
    flags = _column(manager.issues, "is_data_valuation_issue")
    np.testing.assert_array_equal(flags[clear], (summed < missing)[clear])
    assert (summed < missing)[clear].sum() > 5
    options = {"data_valuation": {"k": K_NN}}
    found = find_data_issues(graph=blobs.graph, labels=y, checks="data_valuation", check_options=options)
    np.testing.assert_allclose(_column(found.issues, "data_valuation_score"), np.clip((1.0 + summed) / 2, 0, 1))
    assert not _column(found.issues, "is_data_valuation_issue").any()


def test_label_from_neighbour_votes_flags_the_rows_datalab_flags(blobs):
    """Without probs both run confident learning on the neighbours' votes ``v``: Datalab's are
    ``v / k`` from a k-NN classifier on the features it is given (the row itself removed),
    labelwise's are smoothed, ``(v + 1/K) / (k + 1)``, on its graph. Given the same z-scored features,
    the neighbours are the same. The smoothing maps every cell by one increasing affine function, so
    the per-class thresholds, the confident joint and the order of the margins are unchanged: the
    same rows are flagged (here; in general up to labelwise's documented differences in the
    confident joint, see ``tests/audit/test_find_label_issues_vs_cleanlab.py``), and labelwise's
    score is ``(s k + 1/K) / (k + 1)`` of Datalab's ``s`` plus its distance tie-break (under one
    vote). The predicted labels agree except where the top vote ties: there Datalab's float arithmetic
    decides, labelwise takes the lowest class."""
    y, n_classes = blobs.y, len(np.unique(blobs.y))
    manager = LabelIssueManager(_lab(y), k=K_NN)
    manager.find_issues(features=blobs.Z)
    found = find_data_issues(graph=blobs.graph, labels=y, checks="label")
    flagged = _column(manager.issues, "is_label_issue")
    assert flagged.sum() >= 8
    np.testing.assert_array_equal(_column(found.issues, "is_label_issue"), flagged)
    expected = (_column(manager.issues, "label_score") * K_NN + 1.0 / n_classes) / (K_NN + 1.0)
    extra = _column(found.issues, "label_score") - expected
    assert extra.min() >= -1e-12 and extra.max() <= TIE_BREAK / (K_NN + 1.0) + 1e-12
    votes = np.stack([(y[blobs.graph.indices] == c).sum(axis=1) for c in range(n_classes)], axis=1)
    top = np.sort(votes, axis=1)
    unique_top = top[:, -1] > top[:, -2]
    theirs = np.asarray(manager.info["predicted_label"])
    np.testing.assert_array_equal(_column(found.issues, "predicted_label")[unique_top], theirs[unique_top])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_label_with_probs_equals_datalab_on_published_probabilities(shared_data, name):
    """With the published out-of-sample probabilities both run confident learning
    (``prune_by_noise_rate``) and score by self-confidence: the scores are equal. MNIST's flags are
    equal; on CIFAR-10 one flag moves between two rows given class 2, because the calibrated
    confident joint's row 2 has two equal rounding remainders (cells 0 and 5, 4.474 each) and
    cleanlab and labelwise give the extra count to different cells (documented in ``tests/audit``)."""
    folder = shared_data / "label_errors" / name
    labels, probs = np.load(folder / "labels.npy"), np.load(folder / "pred_probs.npy")
    manager = LabelIssueManager(_lab(labels))
    manager.find_issues(pred_probs=probs)
    found = find_data_issues(labels=labels, probs=probs, checks="label")
    np.testing.assert_array_equal(_column(found.issues, "label_score"), _column(manager.issues, "label_score"))
    theirs, ours = _column(manager.issues, "is_label_issue"), _column(found.issues, "is_label_issue")
    differ = np.flatnonzero(theirs != ours)
    assert ours.sum() == theirs.sum() > 10
    if name == "mnist":
        assert differ.size == 0
    else:
        assert differ.size <= 2 and (labels[differ] == 2).all()


def _groups_case(seed: int = 0):
    rng = np.random.default_rng(seed)
    n, n_classes = 300, 3
    labels, groups = rng.integers(0, n_classes, n), rng.integers(0, 6, n)
    probs = np.full((n, n_classes), 0.1)
    probs[np.arange(n), labels] = 0.8
    weak = groups == 4
    probs[weak] = rng.dirichlet(np.ones(n_classes), weak.sum())
    return labels, groups, probs


def test_underperforming_group_scores_are_datalabs_ratio_above_chance():
    """On the same groups and probs both score a group by its mean self-confidence ``c`` against
    the overall mean ``o``: Datalab by ``c / o``, labelwise above chance, ``(c - 1/K) / (o - 1/K)``
    (both 1 for groups above the mean), so the groups are in the same order. Datalab flags only its
    worst group, when its ratio is below ``threshold``; labelwise every group scoring below 0.5.
    Given Datalab the threshold that is 0.5 in labelwise's units, both flag the one weak group."""
    labels, groups, probs = _groups_case()
    K = probs.shape[1]
    overall = probs[np.arange(len(labels)), labels].mean()
    manager = UnderperformingGroupIssueManager(_lab(labels), threshold=(1 / K + 0.5 * (overall - 1 / K)) / overall)
    manager.find_issues(pred_probs=probs, cluster_ids=groups)
    found = find_data_issues(labels=labels, probs=probs, groups=groups, checks="underperforming_group")
    theirs = _column(manager.issues, "underperforming_group_score")
    expected = np.where(theirs < 1, np.clip((theirs * overall - 1 / K) / (overall - 1 / K), 0, 1), 1.0)
    np.testing.assert_allclose(_column(found.issues, "underperforming_group_score"), expected, rtol=1e-12)
    flagged = _column(manager.issues, "is_underperforming_group_issue")
    np.testing.assert_array_equal(flagged, groups == 4)
    np.testing.assert_array_equal(_column(found.issues, "is_underperforming_group_issue"), flagged)
    worst = found.info["underperforming_group"]["weak_groups"]
    ratio = manager.summary["score"].iloc[0]
    assert [w["group"] for w in worst] == [4]
    assert worst[0]["score"] == pytest.approx((ratio * overall - 1 / K) / (overall - 1 / K), rel=1e-12)


def test_graph_dbscan_core_clusters_are_datalabs_dbscan_clusters(blobs):
    """Without groups both run DBSCAN (Ester et al. 1996) on the k-NN graph; Datalab with sklearn's
    defaults (``eps=0.5``, ``min_samples=5``), labelwise with ``eps`` the median distance to the
    ``m``-th neighbour (``m = k // 2``). Given labelwise's ``eps`` and ``min_samples = m + 1`` (sklearn
    counts the row itself), the core rows are the same and split into the same clusters (here: on an
    asymmetric graph sklearn's expansion can depend on row order, labelwise joins core rows linked
    in either direction). The rims differ by design: labelwise attaches a non-core row to its nearest
    core neighbour and then rows left out to their nearest clustered neighbour; sklearn attaches a
    row reached from a core row and leaves the rest as noise."""
    m = K_NN // 2
    reach = blobs.graph.distances[:, m - 1]
    eps = float(np.median(reach))
    core = reach <= eps
    manager = UnderperformingGroupIssueManager(_lab(blobs.y), clustering_kwargs={"eps": eps, "min_samples": m + 1})
    manager.find_issues(pred_probs=np.eye(3)[blobs.y] * 0.7 + 0.1, knn_graph=blobs.knn_graph)
    theirs = np.asarray(manager.info["clustering"]["stats"]["cluster_ids"])
    ours = graph_dbscan(blobs.graph, min_cluster_size=1)
    assert core.sum() > 50 and len(set(ours[core].tolist())) >= 3
    assert (theirs[core] >= 0).all()
    assert _same_partition(ours[core], theirs[core])


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.integers(1, 80), min_size=2, max_size=6))
def test_class_imbalance_flags_datalabs_rarest_class(counts):
    """Both apply Datalab's rule (a class whose share is below ``0.1 / K``). Datalab flags only the
    rarest class (the lowest one among ties) and scores its rows by the share, 1 elsewhere;
    labelwise flags every class under the rule and scores ``share x K`` capped at 1. So labelwise
    flags Datalab's rows and, besides them, only rows of other rare classes; on the rarest class
    its score is ``K`` times Datalab's, and its rare classes' names include Datalab's summary class."""
    labels = np.repeat(np.arange(len(counts)), counts)
    K = len(counts)
    manager = ClassImbalanceIssueManager(_lab(labels))
    manager.find_issues()
    found = find_data_issues(labels=labels, checks="class_imbalance")
    theirs, ours = (
        _column(manager.issues, "is_class_imbalance_issue"),
        _column(found.issues, "is_class_imbalance_issue"),
    )
    share = np.bincount(labels) / labels.size
    rarest = int(np.argmin(share))
    assert not (theirs & ~ours).any()
    assert np.array_equal(ours, (share < 0.1 / K)[labels])
    assert bool(theirs.any()) == bool(ours.any())
    rows = labels == rarest
    np.testing.assert_allclose(
        _column(found.issues, "class_imbalance_score")[rows], K * _column(manager.issues, "class_imbalance_score")[rows]
    )
    if theirs.any():
        assert str(manager.info["Rarest Class"]) in found.info["class_imbalance"]["rare_classes"]
        assert manager.summary["score"].iloc[0] == pytest.approx(
            found.info["class_imbalance"]["class_share"][str(rarest)]
        )


@settings(max_examples=40, deadline=None)
@given(
    shape=st.tuples(st.integers(3, 30), st.integers(1, 6)),
    seed=st.integers(0, 2**16),
    rate=st.sampled_from([0.1, 0.5, 0.9]),
)
def test_null_scores_flags_and_mean_equal_datalabs(shape, seed, rate):
    """Both score a row by the share of its features present and flag the rows with none (NaN only:
    labelwise also counts infinities as missing, Datalab does not): equal, as is the mean score,
    also where the imputed columns never vary (the null check takes such features)."""
    X = np.random.default_rng(seed).normal(size=shape)
    X[np.random.default_rng(seed + 1).random(shape) < rate] = np.nan
    manager = NullIssueManager(_lab(np.zeros(shape[0], dtype=int)))
    manager.find_issues(features=X)
    found = find_data_issues(X, checks="null", impute=True)
    np.testing.assert_array_equal(_column(found.issues, "is_null_issue"), _column(manager.issues, "is_null_issue"))
    np.testing.assert_allclose(_column(found.issues, "null_score"), _column(manager.issues, "null_score"), rtol=1e-15)
    summary = found.summary.set_index("check").loc["null", "score"]
    assert summary == pytest.approx(manager.summary["score"].iloc[0], rel=1e-12)


@pytest.mark.parametrize("with_id", [True, False])
def test_identifier_column_rows_and_summary_score_equal_datalabs(with_id):
    """The issue is about columns: both flag no row and score every row 1; the summary score is 0
    when an identifier column is found, else 1 (labelwise also counts constant columns, which
    Datalab does not look for: none here). No column of small consecutive codes either: Datalab
    takes any integer column whose values form a run (0..8 repeated) for an identifier, labelwise
    does not (``test_identifier_column.py`` compares the flagged columns where the rules agree)."""
    rng = np.random.default_rng(5)
    n = 120
    X = np.column_stack([rng.integers(0, 50, n) * 3, rng.integers(0, 9, n) * 2]).astype(np.int64)
    if with_id:
        X = np.column_stack([X, np.arange(n) + 7])
    manager = IdentifierColumnIssueManager(datalab=_lab(np.zeros(n, dtype=int)))
    manager.find_issues(features=X)
    found = find_data_issues(X, checks="identifier_column")
    for name in ("is_identifier_column_issue", "identifier_column_score"):
        np.testing.assert_array_equal(_column(found.issues, name), _column(manager.issues, name))
    summary = found.summary.set_index("check").loc["identifier_column", "score"]
    assert summary == manager.summary["score"].iloc[0] == (0.0 if with_id else 1.0)
