"""``non_iid`` check: is the row order related to the neighbour structure?

If rows are exchangeable (independent and identically distributed, in random order), the gaps
``|i - j|`` between a row ``i`` and its neighbours ``j`` follow the distribution of the gap
between two rows drawn at random, ``P(gap <= g) = 1 - (n - g)(n - g - 1) / (n (n - 1))``. The
statistic is the Kolmogorov-Smirnov distance between the graph's gaps and that distribution; its
p-value is from a permutation test (row positions shuffled, the graph kept), which is exact under
exchangeability whatever the dependence between edges. Memory: O(n k) per permutation (one array
of gaps, one histogram of length n). Per row, the score is the mean gap to its neighbours over the
expected gap ``(n + 1) / 3``, capped at 1; when the test rejects (p < ``alpha``) the rows scoring
below ``row_cutoff`` are flagged.

cleanlab's Datalab asks the same question by comparing neighbour and random index distances with
a permutation test; this is labelwise's own formulation.

References
----------
Good, P. (2005). Permutation, Parametric and Bootstrap Tests of Hypotheses (3rd ed.). Springer.
"""

from __future__ import annotations

import numpy as np

from .._validate.arguments import check_random_state
from ._base import Check, CheckInputs, CheckResult, columns, summary_row

N_PERMUTATIONS = 50
ALPHA = 0.05
ROW_CUTOFF = 0.05


#: Rows per block of the gap histograms (temporaries of ``ROW_BLOCK x k`` whatever ``n``).
ROW_BLOCK = 65_536


def null_cdf(n: int) -> np.ndarray:
    """``P(gap <= g)`` for ``g = 1..n-1`` between two distinct rows drawn at random."""
    g = np.arange(1, n, dtype=np.float64)
    return 1.0 - (n - g) * (n - g - 1) / (n * (n - 1.0))


def ks_statistic(position: np.ndarray, indices: np.ndarray, null: np.ndarray | None = None) -> float:
    """KS distance between the neighbour gaps under row positions ``position`` and the random-pair law.

    ``null``: :func:`null_cdf` of ``n``, computed once by a caller that tests many permutations.
    """
    n = position.shape[0]
    hist = np.zeros(n, dtype=np.int64)
    for s in range(0, n, ROW_BLOCK):
        gaps = position[indices[s : s + ROW_BLOCK]]
        gaps -= position[s : s + ROW_BLOCK, None]
        np.abs(gaps, out=gaps)
        hist += np.bincount(gaps.ravel(), minlength=n)
    emp = np.cumsum(hist[1:]) / indices.size
    emp -= null_cdf(n) if null is None else null
    return float(np.max(np.abs(emp)))


def run(inputs: CheckInputs) -> CheckResult:
    """Permutation test of row order against the graph, and a per-row score."""
    graph = inputs.graph
    assert graph is not None  # guaranteed by ``requires``
    n = graph.n
    n_perm = int(inputs.option("non_iid", "n_permutations", N_PERMUTATIONS))
    alpha = float(inputs.option("non_iid", "alpha", ALPHA))
    rng = check_random_state(inputs.random_state)
    identity = np.arange(n)
    null = null_cdf(n)
    observed = ks_statistic(identity, graph.indices, null)
    exceed = sum(ks_statistic(rng.permutation(n), graph.indices, null) >= observed for _ in range(n_perm))
    p_value = (1 + exceed) / (1 + n_perm)
    mean_gap = np.empty(n)
    for s in range(0, n, ROW_BLOCK):
        mean_gap[s : s + ROW_BLOCK] = np.abs(graph.indices[s : s + ROW_BLOCK] - identity[s : s + ROW_BLOCK, None]).mean(
            axis=1
        )
    score = np.minimum(1.0, mean_gap / ((n + 1) / 3.0))
    is_issue = (score < ROW_CUTOFF) if p_value < alpha else np.zeros(n, dtype=bool)
    info = {"statistic": observed, "p_value": p_value, "n_permutations": n_perm, "alpha": alpha}
    return CheckResult(
        columns("non_iid", is_issue, score), summary_row("non_iid", is_issue, score, p_value=p_value), info
    )


CHECK = Check("non_iid", requires=(("graph",),), run=run)
