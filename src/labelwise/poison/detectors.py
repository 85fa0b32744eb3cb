"""Poisoned-data detectors: flag training rows whose representation looks poisoned.

They read the representation a model gives each training row (its penultimate layer's
activations, or any embedding) and the labels, as the detectors of the Adversarial Robustness
Toolbox (``art.defences.detector.poison``) do, without needing the model itself:

- :func:`spectral_signatures` (Tran, Li & Madry 2018): per class, squared projection on the top
  singular direction of the centred representations; the top ``1.5 eps`` share is flagged;
- :func:`activation_clustering` (Chen et al. 2019): per class, reduce, 2-means, and flag the smaller
  cluster when its relative size (and silhouette) says it is poisoned;
- :func:`roni` (Nelson et al. 2008): needs no representation, only a model and a few trusted rows:
  each row's impact on a trusted quiz set's accuracy when added to a trusted base;
- :func:`provenance` (Baracaldo et al. 2017): needs each row's data source and a model: a source
  whose removal improves the model by more than a threshold is poisoned, all its rows flagged.

All return a :class:`PoisonDetection` and handle each class on its own, in passes over row blocks.
"""

from __future__ import annotations

from ._detect_clusters import ANALYSES, REDUCTIONS, activation_clustering
from ._detect_provenance import ORDERS, SPLITS, provenance
from ._detect_result import PoisonDetection
from ._detect_roni import CENTERS, roni
from ._detect_spectral import spectral_signatures

__all__ = [
    "ANALYSES",
    "CENTERS",
    "ORDERS",
    "REDUCTIONS",
    "SPLITS",
    "PoisonDetection",
    "activation_clustering",
    "provenance",
    "roni",
    "spectral_signatures",
]
