"""Label poisoning: attacks that flip training labels on purpose, and defences that hold up.

Attacks (budget = a fraction in [0, 1) or a count of labels; exact):
``random_flips``, ``farthest_first`` (multi-class capable), ``topk_sv`` (FLORAL's randomized
top-k attacker), ``alfa`` and ``lfa`` (binary only). The attacks other than ``random`` rank
points by libsvm solutions (and ALFA by a linear program with many optimal vertices), accurate to
the solvers' tolerances, with the second of the sorted classes as +1: renaming the classes so that
their order swaps can change a pick that ties another within that tolerance (rare: the property
tests found it in a few of a thousand small problems).

Defences (scikit-learn classifiers): ``FloralSVC`` (Bal et al., ICLR 2025), ``LNSVC``
(Biggio et al. 2011), ``CurieSVC`` (Laishram & Phoha 2016), ``LabelSanitizedSVC`` (Paudice et al.
2018), ``GraphSanitizedSVC`` (labelwise's island relabelling) and ``AuditThenTrain``
(confident learning, then fit).

Detectors of poisoned training rows from their representations (``detectors``):
``spectral_signatures`` (Tran et al., NeurIPS 2018) and ``activation_clustering`` (Chen et al.
2019), returning a ``PoisonDetection``; ``roni`` (Nelson et al. 2008) needs a model and trusted rows
instead of a representation; ``provenance`` (Baracaldo et al. 2017) judges whole data sources.

Backdoor (``backdoor``, Gu et al. 2017, as ART's ``PoisoningAttackBackdoor`` stamps it): a
trigger on a budget of rows, labelled as a target class; ``attack_success_rate`` measures it.

``robustness_curve`` measures clean test accuracy per defence, attack, budget and seed; its
seeded split (and ``random``'s draw) numbers the classes by first appearance, not by name.
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from ._common import BINARY_ONLY_ATTACKS, MULTICLASS_ATTACKS, PoisonedLabels, budget_count
    from ._dual import dual_violation, project_dual
    from .attacks import ATTACKS, alfa, farthest_first, lfa, random_flips, topk_sv
    from .backdoor import BackdoorPoisoning, BackdoorScore, Trigger, attack_success_rate, backdoor
    from .curve import MODELS, RobustnessCurve, make_model, robustness_curve
    from .defences import (
        LNSVC,
        AuditThenTrain,
        CurieSVC,
        GraphSanitizedSVC,
        LabelSanitizedSVC,
        curie_filter,
        sanitize_islands,
        sanitize_labels,
    )
    from .detectors import PoisonDetection, activation_clustering, provenance, roni, spectral_signatures
    from .floral import FloralSVC, randomized_topk_flips

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)

__all__ = [
    "ATTACKS",
    "AuditThenTrain",
    "BINARY_ONLY_ATTACKS",
    "BackdoorPoisoning",
    "BackdoorScore",
    "CurieSVC",
    "FloralSVC",
    "GraphSanitizedSVC",
    "LNSVC",
    "LabelSanitizedSVC",
    "MODELS",
    "MULTICLASS_ATTACKS",
    "PoisonDetection",
    "PoisonedLabels",
    "RobustnessCurve",
    "Trigger",
    "activation_clustering",
    "alfa",
    "attack_success_rate",
    "backdoor",
    "budget_count",
    "curie_filter",
    "dual_violation",
    "farthest_first",
    "lfa",
    "make_model",
    "project_dual",
    "provenance",
    "random_flips",
    "randomized_topk_flips",
    "robustness_curve",
    "roni",
    "sanitize_islands",
    "sanitize_labels",
    "spectral_signatures",
    "topk_sv",
]
