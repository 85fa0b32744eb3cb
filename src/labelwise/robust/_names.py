"""The names and defaults of the noisy-label training options.

This module imports nothing: the command line's ``--help`` lists these names without importing
scipy, scikit-learn or pandas. ``tests/test_registry_names.py`` checks them against the registries.
"""

__all__ = ["DEFAULT_CV", "MULTILABEL_ACTIONS", "TRANSITION_METHODS"]

#: How :func:`~labelwise.robust.estimate_transition` estimates the transition matrix.
TRANSITION_METHODS = ("anchor", "confident_joint")
#: What :class:`~labelwise.robust.CleanMultilabelClassifier` does with a flagged (row, tag) cell.
MULTILABEL_ACTIONS = ("drop", "flip", "reweight")
#: The folds of :class:`~labelwise.robust.CrowdClassifier`'s out-of-fold probabilities.
DEFAULT_CV = 5
