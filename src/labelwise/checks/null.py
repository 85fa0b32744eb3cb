"""``null`` check: missing values per row.

Score: the share of a row's features that are present. As in cleanlab's Datalab, a row is
flagged when every feature is missing. The counts are taken before imputation
(``find_data_issues(..., impute=True)``).
"""

from __future__ import annotations

from ._base import Check, CheckInputs, CheckResult, columns, summary_row


def run(inputs: CheckInputs) -> CheckResult:
    """Score rows by the share of present values; flag the empty ones."""
    assert inputs.missing is not None and inputs.features is not None  # guaranteed by ``requires``
    missing, d = inputs.missing, inputs.features.shape[1]
    score = 1.0 - missing / d
    is_issue = missing == d
    info = {"rows_with_missing": int((missing > 0).sum()), "missing_values": int(missing.sum())}
    return CheckResult(columns("null", is_issue, score), summary_row("null", is_issue, score), info)


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` per partition (dask features: the per-row counts stay on the workers)."""
    from .._stage_progress import compute
    from ._partitioned import dask_columns, persisted_summary

    assert inputs.missing is not None and inputs.features is not None  # guaranteed by ``requires``
    missing, d = inputs.missing, inputs.features.shape[1]
    held, row = persisted_summary("null", dask_columns("null", missing == d, 1.0 - missing / d))
    rows, values = compute((missing > 0).sum(), missing.sum())
    return CheckResult(held, row, {"rows_with_missing": int(rows), "missing_values": int(values)})


CHECK = Check("null", requires=(("missing", "features"),), run=run, partitioned=run_partitioned)
