"""The names of the audit's registries.

This module imports nothing: the command line's ``--help`` lists these names without importing
scipy, scikit-learn or pandas. ``tests/test_registry_names.py`` checks them against the registries.
"""

__all__ = ["FILTER_NAMES", "MIXTURE_PRIORS", "SCORER_NAMES"]

#: The keys of :data:`labelwise.audit.FILTERS`.
FILTER_NAMES = (
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_self_confidence",
    "low_normalized_margin",
)
#: The keys of :data:`labelwise.audit.SCORERS`.
SCORER_NAMES = ("self_confidence", "normalized_margin", "confidence_weighted_entropy")
#: How :func:`~labelwise.audit._residual_mixture.fit_mixture` fits: ``"auto"`` the guarded fit
#: (:func:`~labelwise.audit._residual_mixture.fit_guarded_mixture`), ``"none"`` maximum likelihood,
#: ``"tail"`` the MAP fit with the prior on the clean t's tails, always.
MIXTURE_PRIORS = ("auto", "none", "tail")
