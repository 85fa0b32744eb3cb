"""``labelwise.evaluate``'s warnings point at the user's line from each public function that reaches them
(``corrected_benchmark`` and ``slice_scores`` for an undefined metric; ``tau_ap`` and ``ranking_agreement`` for
scores that order no system; ``read_corrections``): a fixed ``stacklevel`` is right for one call depth only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from labelwise.evaluate import corrected_benchmark, ranking_agreement, read_corrections, slice_scores, tau_ap
from tests._at_line import at_line, recorded

GIVEN = np.array(["cat", "cat", "dog", "dog", "eel", "eel", "cat", "dog", "eel", "cat"])
NEVER_EEL = np.array(["cat", "cat", "dog", "dog", "cat", "cat", "cat", "dog", "cat", "cat"])


def test_an_undefined_metric_warns_at_the_callers_line_from_the_benchmark_and_from_slice_scores():
    """A model that never predicts 'eel' makes precision_macro 0/0 for it (tests/evaluate/test_undefined_metric_said)."""
    fixed = GIVEN.copy()
    fixed[0] = "dog"
    at_line(
        recorded(lambda: corrected_benchmark({"a": NEVER_EEL}, GIVEN, fixed, metric="precision_macro")),
        __file__,
        "is undefined (0/0)",
    )
    slices = {"first_half": np.arange(10) < 5}
    at_line(
        recorded(lambda: slice_scores(GIVEN, NEVER_EEL, slices, metrics=["precision_macro"], n_bootstrap=5)),
        __file__,
        "is undefined (0/0)",
    )


def test_scores_that_order_no_system_warn_at_the_callers_line_from_tau_ap_and_ranking_agreement():
    at_line(recorded(lambda: tau_ap([1.0, 2.0, 3.0, 4.0], [0.5] * 4)), __file__, "estimate gives every system")
    a = pd.Series({"bm25": 0.41, "dense": 0.52, "hybrid": 0.55, "splade": 0.50})
    b = pd.Series(0.3, index=a.index)
    at_line(recorded(lambda: ranking_agreement(a, b, n_boot=5)), __file__, "scores_b gives every system")


def test_corrections_of_rows_outside_the_test_set_warn_at_the_line_that_read_them(tmp_path):
    audited = pd.DataFrame({"id": [f"{i:03d}" for i in range(8)], "label": list("aabbabab")})
    test = audited.iloc[[6, 1, 4, 3]].reset_index(drop=True)
    pd.DataFrame(
        {"row": [0, 6], "id": ["000", "006"], "action": ["relabel", "relabel"], "new_label": ["b", "b"]}
    ).to_csv(tmp_path / "cleaned.changes.csv", index=False)
    record = recorded(lambda: read_corrections(tmp_path, test["label"].to_numpy(), ids=test))
    at_line(record, __file__, "corrections name ids that are not test items")
