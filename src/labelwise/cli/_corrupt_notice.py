"""Why ``labelwise corrupt`` changed nothing though a positive rate asked for changes: one notice, every task.

The changes are exact counts or independent draws, and on a small table a small rate may give none:
the classification kinds flip exact counts (``round(rate x rows)``, or per noise-matrix cell by
largest remainder, :func:`labelwise.noise.flip_counts`), ``--noise backdoor`` poisons ``rate x rows``
rounded half up, ``--task regression`` draws ``round(rate x rows)`` targets, and ``--task multilabel``
flips each (row, tag) cell on its own with its rate. The rate keeps that meaning (no change is forced);
:func:`unchanged_notice` says why nothing changed, in one sentence of the same shape for every task,
each task's reason from its entry of :data:`EXPLAINERS` (read from the summary the command writes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: One task's reason: (the rate asked, what came of it, why, what is unchanged), or None when something
#: changed or no change was asked.
Reason = tuple[str, str, str, str]


def _classification(summary: dict[str, Any]) -> Reason | None:
    """The matrix kinds' exact counts per noise-matrix cell, the attacks' ``round(rate x rows)``."""
    rate = summary.get("rate_asked")
    if not rate or summary["n_flipped"] > 0:
        return None
    noise = summary["noise"]
    if summary["noise_matrix"] is not None:
        matrix = np.asarray(summary["noise_matrix"], dtype=float)
        sizes = np.array([c["n_rows"] for c in summary["per_class"]], dtype=float)
        expected = (matrix - np.diag(np.diag(matrix))) * sizes[None, :]
        how = (
            f"--noise {noise} flips exact counts per true class and noise-matrix cell (the cell's rate times the "
            f"class's rows, rounded by largest remainder), and here the largest cell expects {expected.max():.3g} flips"
        )
    else:
        how = f"--noise {noise} flips round(rate x rows) = round({rate * summary['n_rows']:.3g}) labels"
    return f"--rate {rate:g}", "rounds to 0 flips", how, "labels"


def _backdoor(summary: dict[str, Any]) -> Reason | None:
    """``--noise backdoor``: ``rate x rows`` rounded half up (:func:`labelwise.poison.budget_count`)."""
    rate = summary.get("rate_asked")
    if not rate or summary["n_poisoned"] > 0:
        return None
    how = f"--noise backdoor poisons rate x rows = {rate * summary['n_rows']:.3g} rows, rounded half up"
    return f"--rate {rate:g}", "rounds to 0 poisoned rows", how, "labels and pixels"


def _regression(summary: dict[str, Any]) -> Reason | None:
    """``round(rate x rows)`` targets drawn; a drawn target stays only where a swap took an equal value."""
    rate = summary.get("rate_asked")
    if not rate or summary["n_corrupted"] > 0:
        return None
    noise = summary["noise"]
    if summary["n_drawn"] == 0:
        how = f"--noise {noise} changes round(rate x rows) = round({rate * summary['n_rows']:.3g}) targets"
        return f"--rate {rate:g}", "rounds to 0 changed targets", how, "targets"
    how = f"each of the {summary['n_drawn']} rows drawn by --noise {noise} was swapped with a row of the same target"
    return f"--rate {rate:g}", "changed no target", how, "targets"


def _asked_tags(summary: dict[str, Any]) -> str:
    """The multilabel rates as given: ``--rate``, ``--drop-rate``/``--add-rate`` or ``--tag-rates``."""
    if summary.get("tag_rates_file") is not None:
        return "--tag-rates' rates"
    if summary.get("rate_asked") is not None:
        return f"--rate {summary['rate_asked']:g}"
    return f"--drop-rate {summary['drop_rate_asked']:g} and --add-rate {summary['add_rate_asked']:g}"


def _multilabel(summary: dict[str, Any]) -> Reason | None:
    """Each tag cell flips on its own: the flips expected, and the chance of none, from ``per_tag``."""
    if summary["n_flipped"] > 0:
        return None
    tags = summary["per_tag"]
    present = np.array([t["n_present"] for t in tags], dtype=float)
    absent = np.array([t["n_absent"] for t in tags], dtype=float)
    drop = np.array([t["drop_rate_asked"] for t in tags], dtype=float)
    add = np.array([t["add_rate_asked"] for t in tags], dtype=float)
    expected = float(present @ drop + absent @ add)
    if expected == 0:
        return None
    none = float(np.exp(present @ np.log1p(-np.minimum(drop, 1.0)) + absent @ np.log1p(-np.minimum(add, 1.0))))
    how = (
        f"each of the {summary['n_cells']} tag cells flips on its own with its tag's rate, {expected:.3g} flips "
        f"expected, none with probability {none:.2g}"
    )
    return _asked_tags(summary), "drew no flip", how, "tags"


#: Each task's reason (the classification task's ``--noise backdoor`` has its own).
EXPLAINERS: dict[str, Callable[[dict[str, Any]], Reason | None]] = {
    "classification": _classification,
    "backdoor": _backdoor,
    "regression": _regression,
    "multilabel": _multilabel,
}


def unchanged_notice(summary: dict[str, Any]) -> str | None:
    """Why a positive rate changed nothing on this table, or None (something changed, or no change asked).

    ``summary`` is the ``summary.json`` the command writes; the sentence is ``<rate asked> <what came
    of it> on this table of <n> rows: <why>; the <labels> are unchanged`` (plain text, not markup).
    """
    task = "backdoor" if summary["task"] == "classification" and summary["noise"] == "backdoor" else summary["task"]
    reason = EXPLAINERS[task](summary)
    if reason is None:
        return None
    asked, outcome, how, unchanged = reason
    return f"{asked} {outcome} on this table of {summary['n_rows']} rows: {how}; the {unchanged} are unchanged"
