"""The names of the prior-shift registries.

This module imports nothing: the command line's ``--help`` lists these names without importing
scipy, scikit-learn or pandas. ``tests/test_registry_names.py`` checks them against the registries.
"""

__all__ = ["CALIBRATIONS", "METHOD_NAMES", "SOURCE_PRIORS"]

#: The keys of :data:`labelwise.shift.priors.METHODS`.
METHOD_NAMES = ("bbse", "rlls", "mlls")
#: The calibrations applied before a method (``auto``: each method's default).
CALIBRATIONS = ("auto", "bcts", "ts", "none")
#: MLLS's E-step source priors: the mean validation posterior or the validation label frequencies.
SOURCE_PRIORS = ("posterior", "labels")
