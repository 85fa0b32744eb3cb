"""Judge models on corrected test labels, re-rank benchmarks and compare system rankings.

- :func:`corrected_benchmark`: scores on original vs corrected labels, prevalence curves and
  ranking crossovers (Northcutt, Athalye & Mueller 2021).
- :func:`read_corrections`, :func:`corrections_from_counts`: corrected labels from a review
  export, a file of fixed labels, or per-item human counts.
- :func:`ranking_agreement`: Kendall tau, tau-AP, Spearman, RBO with bootstrap intervals.
- :func:`slice_scores`: metrics per slice of the data (Wilson or bootstrap intervals) and the
  share of flagged labels per slice.
- :mod:`~labelwise.evaluate.trec`: TREC run/qrels readers and per-system IR measures (ir-measures).
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from .benchmark import CorrectedBenchmark, corrected_benchmark
    from .corrections import (
        Corrections,
        corrections_from_changes,
        corrections_from_counts,
        read_corrections,
    )
    from .prevalence import PrevalenceCurve
    from .ranking import (
        RankingAgreement,
        kendall_tau,
        ranking_agreement,
        rbo_ext,
        spearman_rho,
        tau_ap,
    )
    from .slices import SliceScores, slice_scores

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)

__all__ = [
    "CorrectedBenchmark",
    "Corrections",
    "PrevalenceCurve",
    "RankingAgreement",
    "SliceScores",
    "corrected_benchmark",
    "corrections_from_changes",
    "corrections_from_counts",
    "kendall_tau",
    "ranking_agreement",
    "rbo_ext",
    "read_corrections",
    "slice_scores",
    "spearman_rho",
    "tau_ap",
]
