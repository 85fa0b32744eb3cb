"""Real data: human-validated label errors in the MNIST and CIFAR-10 test sets.

Northcutt, Athalye & Mueller (NeurIPS 2021 Datasets & Benchmarks) released cross-validated
probabilities and the errors that Mechanical Turk workers confirmed. Each filter's flagged set is
scored against ``validated_errors.npy`` and must do at least as well as cleanlab 2.9 on the same
probabilities. Items never reviewed are not known to be clean, so precision is a lower bound.
"""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw
from labelwise.audit import FILTERS

cleanlab_filter = pytest.importorskip("cleanlab.filter")

pytestmark = pytest.mark.slow


def _load(shared_data, name):
    folder = shared_data / "label_errors" / name
    labels = np.load(folder / "labels.npy")
    probs = np.load(folder / "pred_probs.npy")
    truth = np.zeros(labels.shape[0], dtype=bool)
    truth[np.load(folder / "validated_errors.npy")] = True
    return labels, probs, truth


def _precision_recall(mask, truth):
    hits = int((mask & truth).sum())
    return hits / max(int(mask.sum()), 1), hits / int(truth.sum())


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_every_filter_is_at_least_as_good_as_cleanlab_on_validated_errors(shared_data, name):
    """Precision and recall against the validated errors are >= cleanlab's for every filter."""
    labels, probs, truth = _load(shared_data, name)
    lines = []
    for filter_by in FILTERS:
        ours = _precision_recall(lw.find_label_issues(labels, probs, filter_by=filter_by).is_issue, truth)
        theirs = _precision_recall(cleanlab_filter.find_label_issues(labels, probs, filter_by=filter_by), truth)
        lines.append(
            f"{name} {filter_by:22s} labelwise P={ours[0]:.3f} R={ours[1]:.3f}  cleanlab P={theirs[0]:.3f} R={theirs[1]:.3f}"
        )
        assert ours[0] >= theirs[0] - 1e-12 and ours[1] >= theirs[1] - 1e-12, lines[-1]
    print("\n".join(lines))


def test_default_filter_recovers_most_validated_cifar10_errors(shared_data):
    """The default filter finds at least 90% of the validated CIFAR-10 errors (paper's own probabilities)."""
    labels, probs, truth = _load(shared_data, "cifar10")
    _, recall = _precision_recall(lw.find_label_issues(labels, probs).is_issue, truth)
    assert recall >= 0.9


def test_flagged_cifar10_images_disagree_more_with_cifar10h_annotators(shared_data):
    """Independent human signal: CIFAR-10H annotators agree less with flagged labels, and their
    majority overrules a flagged label over 5x as often as an average one."""
    labels, probs, _ = _load(shared_data, "cifar10")
    folder = shared_data / "label_errors" / "cifar10"
    share = np.load(folder / "cifar10h_share_of_given_label.npy")
    overruled = np.zeros(labels.shape[0], dtype=bool)
    overruled[np.load(folder / "cifar10h_majority_disagrees.npy")] = True
    flagged = lw.find_label_issues(labels, probs).is_issue
    assert share[flagged].mean() < share[~flagged].mean() - 0.05
    assert overruled[flagged].mean() > 5 * overruled.mean()
