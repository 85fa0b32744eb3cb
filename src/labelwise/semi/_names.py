"""The names of the self-training selection rules.

This module imports nothing: the command line's ``--help`` lists these names without importing
scipy, scikit-learn or pandas. ``tests/test_registry_names.py`` checks them against the registries.
"""

__all__ = ["SELECTIONS"]

#: The ``selection`` values of :class:`~labelwise.semi.SelfTrainer`, in the order of
#: :data:`labelwise.semi.RULES` (the adaptive rules share ``"adaptive"``).
SELECTIONS = ("threshold", "k_best", "class_balanced", "curriculum", "adaptive", "llkd")
