"""The names of the weak-supervision registries and options.

This module imports nothing: the command line's ``--help`` lists these names without importing
scipy, scikit-learn or pandas. ``tests/test_registry_names.py`` checks them against the registries.
"""

__all__ = ["LABEL_MODEL_NAMES", "TIE_BREAK_POLICIES"]

#: The keys of :data:`labelwise.weak.LABEL_MODELS`.
LABEL_MODEL_NAMES = ("label-model", "dawid-skene", "iwmv")
#: How :func:`~labelwise.weak.probs_to_preds` breaks a tie.
TIE_BREAK_POLICIES = ("abstain", "random", "true-random")
