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


CHECK = Check("null", requires=(("missing", "features"),), run=run)
