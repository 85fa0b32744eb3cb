"""``labelwise weak``'s summary.json fields on dependent labeling functions, under ``labelwise aggregate``'s keys.

The report's "Dependent annotators" section (:mod:`labelwise.report._dependence`) reads them as it reads an
aggregation's: ``dependent_pairs`` (each pair the model's dependent-pair check found, with the check's numbers)
and, for ``--model dawid-skene``, ``dependent_rings``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ._aggregate_outputs import dependent_pairs, dependent_rings, finite

__all__ = ["dependence_fields"]


def dependence_fields(model: Any) -> dict[str, Any]:
    """summary.json's ``dependent_pairs``, the check's ``dependency_threshold`` (null: the check was off) and
    either ``dependent_rings`` (``--model dawid-skene``: aggregate's copy rings) or ``joint_groups``
    (``--model label-model``: each clique of two or more functions whose joint vote the model fits as one
    outcome, from its check and its own search of dependencies)."""
    est = getattr(model, "estimator_", None)  # --model dawid-skene: aggregate's DawidSkene
    if est is not None:
        return {
            "dependent_pairs": dependent_pairs(est),
            "dependent_rings": dependent_rings(est),
            "dependency_threshold": finite(est.dependency_threshold),
        }
    pairs = model.dependent_pairs_.rename(columns={"labeler_a": "annotator_a", "labeler_b": "annotator_b"})
    return {
        "dependent_pairs": dependent_pairs(SimpleNamespace(dependent_pairs_=pairs)),
        "joint_groups": [[str(f) for f in group] for group in model.groups_ if len(group) > 1],
        "dependency_threshold": finite(model.dependency_threshold),
    }
