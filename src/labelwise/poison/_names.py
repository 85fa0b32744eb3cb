"""The names of the poisoning registries and options.

This module imports nothing: the command line's ``--help`` lists these names without importing
scipy, scikit-learn or pandas. ``tests/test_registry_names.py`` checks them against the registries.
"""

__all__ = [
    "ANALYSES",
    "ATTACK_NAMES",
    "BINARY_ONLY_ATTACKS",
    "CENTERS",
    "MODELS",
    "MULTICLASS_ATTACKS",
    "ORDERS",
    "REDUCTIONS",
]

#: The keys of :data:`labelwise.poison.ATTACKS`.
ATTACK_NAMES = ("random", "farthest", "topk_sv", "alfa", "lfa")
#: The attacks for any number of classes, and those for two classes only.
MULTICLASS_ATTACKS = ("random", "farthest")
BINARY_ONLY_ATTACKS = ("topk_sv", "alfa", "lfa")
#: The defences :func:`~labelwise.poison.robustness_curve` compares, by name.
MODELS = ("svc", "floral", "ln-svm", "curie", "ls-svm", "graph", "audit")
#: :func:`~labelwise.poison.activation_clustering`'s reductions and analyses.
REDUCTIONS = ("ica", "pca")
ANALYSES = ("relative-size", "silhouette", "smaller", "distance", "distance-reduced")
#: :func:`~labelwise.poison.roni`'s centres of the trusted rows' scores.
CENTERS = ("mean", "median")
#: :func:`~labelwise.poison.provenance`'s orders of judging the sources.
ORDERS = ("sequential", "independent")
