"""The names of the noise generators' kinds.

This module imports nothing: the command line's ``--help`` lists these names without importing
scipy, scikit-learn or pandas. ``tests/test_registry_names.py`` checks them against the registries.
"""

__all__ = ["KINDS"]

#: The kinds of :func:`~labelwise.noise.noise_matrix`.
KINDS = ("symmetric", "pair", "random")
