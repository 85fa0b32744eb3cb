"""Do two score tables order the same systems the same way? Kendall tau, tau-AP, Spearman, RBO."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import check_fraction, check_positive_int, check_random_state, show
from ..errors import InvalidParameterError, LabelwiseWarning, ShapeMismatchError, TooFewExamplesError
from ._inputs import align_rows
from ._rbo import rbo_ext, rbo_ext_groups
from ._tau_ap_ties import TIES, tau_ap_a, tau_ap_b
from ._tau_ap_ties import all_tied as _all_tied

__all__ = [
    "RankingAgreement",
    "kendall_tau",
    "ranking_agreement",
    "rbo_ext",
    "spearman_rho",
    "tau_ap",
]

MEASURES = ("kendall_tau", "tau_ap", "tau_ap_symmetric", "spearman", "rbo_ext")


def _as_scores(values: Any, name: str) -> np.ndarray:
    """``values`` as a float array, or an error naming ``name`` and the first entry that is not a finite number."""
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        arr = np.asarray(values, dtype=object).ravel()
        num = pd.to_numeric(pd.Series(arr), errors="coerce").to_numpy()
        i = int(np.flatnonzero(np.isnan(num))[0]) if np.isnan(num).any() else 0
        raise InvalidParameterError(f"{name} must hold numbers (scores), entry {i} is {show(arr[i])}") from None
    bad = ~np.isfinite(x)
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise InvalidParameterError(f"{name} must hold finite numbers (scores), entry {i} is {x.ravel()[i]}")
    return x


def _check_pair(
    a: Any, b: Any, names: tuple[str, str] = ("a", "b"), *, least: int = 0, measure: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    """Two score lists as float arrays (at least ``least`` systems for ``measure``); two pandas Series are matched
    by index (system names), as pandas does."""
    b = align_rows(a, names[0], b, names[1])
    x, y = _as_scores(a, names[0]), _as_scores(b, names[1])
    if x.ndim != 1 or x.shape != y.shape:
        raise ShapeMismatchError(
            f"the two score lists must be 1-D and of equal length, got shapes {x.shape} and {y.shape}"
        )
    if len(x) < least:  # an empty list gave NaN and numpy's "Mean of empty slice"
        raise TooFewExamplesError(f"{measure} needs at least {least} systems, got {len(x)}")
    return x, y


def kendall_tau(a: Any, b: Any) -> float:
    """Kendall's tau-b between two score lists (ties adjusted as in Kendall 1945; equals scipy's default).

    Counts concordant minus discordant pairs over ``sqrt((n0 - n1)(n0 - n2))`` where ``n1``, ``n2``
    are pairs tied in one list. O(n^2) memory in the number of systems.
    """
    x, y = _check_pair(a, b, least=2, measure="kendall_tau")
    sx = np.sign(x[:, None] - x[None, :])
    sy = np.sign(y[:, None] - y[None, :])
    iu = np.triu_indices(len(x), 1)
    sx, sy = sx[iu], sy[iu]
    denom = np.sqrt(np.count_nonzero(sx) * np.count_nonzero(sy))
    return float(np.sum(sx * sy) / denom) if denom else np.nan


def _average_ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    ends = np.r_[starts[1:], len(x)]
    avg = (starts + ends - 1) / 2.0 + 1.0
    ranks = np.empty(len(x))
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def spearman_rho(a: Any, b: Any) -> float:
    """Spearman's rho: Pearson correlation of the average ranks (equals ``scipy.stats.spearmanr``)."""
    x, y = _check_pair(a, b, least=2, measure="spearman_rho")
    rx, ry = _average_ranks(x), _average_ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denom = np.sqrt(np.sum(rx * rx) * np.sum(ry * ry))
    return float(np.sum(rx * ry) / denom) if denom else np.nan


def tau_ap(truth: Any, estimate: Any, *, ties: str = "a") -> float:
    """AP rank correlation of the ``estimate`` ranking against the ``truth`` ranking (higher score = better).

    ``tau_AP = 2/(N-1) * sum_{i=2..N} C(i)/(i-1) - 1`` where, walking down the estimated ranking,
    ``C(i)`` counts the items above rank ``i`` that the true ranking also puts above the item at
    rank ``i``. Swaps near the top cost more than swaps near the bottom.

    Yilmaz et al. define the measure for rankings without ties. Urbano & Marrero [2]_ give two
    versions for ties, chosen with ``ties``:

    - ``"a"`` (tau_AP,a, accuracy): ties stand for an order nobody resolved. tau-AP is the mean of
      the untied measure over every order of the tied systems (each equally likely, in either
      list; the paper has ties in ``estimate`` only, and a pair tied in ``truth`` counts 0 here).
      In closed form, writing the untied measure as ``1/(N-1) * sum_i sum_{j above i} s_ij / (i-1)``
      with ``s_ij = ±1`` for a pair the truth orders the same / the other way: a pair tied in
      either list counts 0 and ``1/(i-1)`` becomes its mean over the positions of ``i``'s tie
      group. Identical lists with a tie give less than 1, as Kendall's tau-a does.
    - ``"b"`` (tau_AP,b, agreement): both lists are observers who may truly tie systems, neither
      the truth. Walking down one list, each system ``i`` below its top tie group scores
      ``c_i / p_i``, the share of the ``p_i`` systems in groups above it that the other list also
      scores strictly above it; one way is ``2/(N - t_1) * sum_i c_i/p_i - 1`` (``t_1`` the size of
      the top group) and tau_AP,b is the mean of both ways. It is symmetric, 1 for identical lists
      with ties, and without ties equals the mean of ``tau_ap(truth, estimate)`` and
      ``tau_ap(estimate, truth)`` (``ranking_agreement``'s ``tau_ap_symmetric``).

    Either way the value never depends on the order of the input. A list whose scores are all
    equal orders nothing, and tau-AP is NaN with a :class:`~labelwise.errors.LabelwiseWarning`
    naming it (as Kendall's tau-b and Spearman's rho are 0/0 there).

    Parameters
    ----------
    truth, estimate : array-like or pandas Series of numbers
        Scores by system (higher = better); two Series are matched by system name.
    ties : {"a", "b"}
        Urbano & Marrero's version for tied scores (without ties ``"a"`` is Yilmaz et al.'s tau-AP).

    References
    ----------
    .. [1] E. Yilmaz, J. A. Aslam and S. Robertson, "A new rank correlation coefficient for
       information retrieval", SIGIR 2008.
    .. [2] J. Urbano and M. Marrero, "The treatment of ties in AP correlation", ICTIR 2017.
    """
    t, e = _check_pair(truth, estimate, ("truth", "estimate"))
    n = len(t)
    if n < 2:
        raise TooFewExamplesError(f"tau_ap needs at least 2 systems, got {n}")
    if ties not in TIES:
        raise InvalidParameterError(f"ties must be 'a' (tau_AP,a) or 'b' (tau_AP,b), got {show(ties)}")
    _warn_unordered({"truth": t, "estimate": e}, "tau-AP is undefined (NaN)")
    return tau_ap_a(t, e) if ties == "a" else tau_ap_b(t, e)


def _warn_unordered(lists: dict[str, np.ndarray], what: str) -> None:
    """A warning for each score list that gives every system the same score (it orders none of them)."""
    for name, scores in lists.items():
        if _all_tied(scores):
            warn_at_caller(
                LabelwiseWarning(
                    f"{name} gives every system the same score ({float(scores[0]):g}), so it orders none of the "
                    f"{len(scores)} systems: {what}"
                )
            )


def _warn_unordered_tables(sa: np.ndarray, sb: np.ndarray, per_topic: bool) -> None:
    """:func:`_warn_unordered` for the two system scores of :func:`ranking_agreement` (means over topics)."""
    mean = " (its mean over the topics)" if per_topic else ""
    _warn_unordered(
        {f"scores_a{mean}": sa, f"scores_b{mean}": sb},
        "Kendall's tau, tau-AP, Spearman's rho and RBO are NaN (undefined without an order)",
    )


def _tie_groups(scores: np.ndarray, names: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """The systems best first and the sizes of the groups of equal score (a ranking with ties, for RBO)."""
    order = np.argsort(-scores, kind="stable")
    return list(names[order]), np.unique(-scores[order], return_counts=True)[1]


def _measures(a: np.ndarray, b: np.ndarray, names: np.ndarray, p: float) -> dict[str, float]:
    """Every measure of two score arrays; all NaN when either gives every system the same score."""
    unordered = _all_tied(a) or _all_tied(b)
    return {
        "kendall_tau": kendall_tau(a, b),
        "tau_ap": tau_ap_a(a, b),
        "tau_ap_symmetric": np.nan if unordered else 0.5 * (tau_ap_a(a, b) + tau_ap_a(b, a)),
        "spearman": spearman_rho(a, b),
        "rbo_ext": np.nan if unordered else rbo_ext_groups(_tie_groups(a, names), _tie_groups(b, names), p, "a"),
    }


@dataclass(frozen=True)
class RankingAgreement:
    """Agreement of two system rankings, with bootstrap confidence intervals.

    Attributes
    ----------
    systems : ndarray
    scores_a, scores_b : ndarray
        Per-system scores (higher = better), aligned on ``systems``.
    values : dict of str -> float
        kendall_tau, tau_ap (ranking b judged against ranking a as the truth), tau_ap_symmetric
        (mean of both directions), spearman, rbo_ext.
    ci_low, ci_high : dict of str -> float
    n_boot : int
    resampled : str
        ``"topics"`` when per-topic tables were given, else ``"systems"``.
    topics : ndarray or None
        With two per-topic tables, the topics both hold (the only ones compared); else None.
    """

    systems: np.ndarray
    scores_a: np.ndarray
    scores_b: np.ndarray
    values: dict[str, float]
    ci_low: dict[str, float]
    ci_high: dict[str, float]
    n_boot: int
    resampled: str
    topics: np.ndarray | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per measure: value, ci_low, ci_high."""
        return pd.DataFrame({"value": self.values, "ci_low": self.ci_low, "ci_high": self.ci_high}).rename_axis(
            "measure"
        )

    def systems_frame(self) -> pd.DataFrame:
        """One row per system: score and rank (1 = best) under each table."""
        f = pd.DataFrame(
            {"score_a": self.scores_a, "score_b": self.scores_b},
            index=pd.Index(self.systems, name="system"),
        )
        f["rank_a"] = f["score_a"].rank(ascending=False, method="min").astype(int)
        f["rank_b"] = f["score_b"].rank(ascending=False, method="min").astype(int)
        return f


def _score_frame(name: str, s: Any) -> pd.DataFrame:
    """One score table (systems x topics; one column for plain scores) with numbers, each system once."""
    if isinstance(s, dict):
        s = pd.Series(s)
    f = s.to_frame() if isinstance(s, pd.Series) else s if isinstance(s, pd.DataFrame) else None
    if f is None:
        raise InvalidParameterError(
            f"{name} must be a pandas Series or dict (system -> score) or a DataFrame (systems x topics), "
            f"got {type(s).__name__}"
        )
    if f.index.has_duplicates:
        dup = f.index[f.index.duplicated()][0]
        raise InvalidParameterError(f"{name} must score each system once, system {show(dup)} appears more than once")
    num = f.apply(pd.to_numeric, errors="coerce").astype(float)
    bad = ~np.isfinite(num.to_numpy())
    if bad.any():
        r, c = (int(i[0]) for i in np.nonzero(bad))
        where = f"system {show(f.index[r])}" + (f", topic {show(f.columns[c])}" if f.shape[1] > 1 else "")
        raise InvalidParameterError(f"{name} must hold a finite number for every score; {where} is {show(f.iat[r, c])}")
    return num


def _align(scores_a: Any, scores_b: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    a, b = _score_frame("scores_a", scores_a), _score_frame("scores_b", scores_b)
    if set(a.index) != set(b.index):
        only = sorted(map(str, set(a.index) ^ set(b.index)))[:10]
        raise ShapeMismatchError(f"scores_a and scores_b must score the same systems; only in one of them: {only}")
    b = b.loc[a.index]
    tables = [isinstance(s, pd.DataFrame) for s in (scores_a, scores_b)]
    per_topic = [t and f.shape[1] > 1 for t, f in zip(tables, (a, b), strict=True)]
    if any(per_topic) and not all(tables):
        table, plain = ("scores_a", "scores_b") if per_topic[0] else ("scores_b", "scores_a")
        raise ShapeMismatchError(
            f"{table} is a systems x topics table but {plain} holds one score per system; give both as tables "
            f"(topics resampled) or both as per-system scores (e.g. {table}.mean(axis=1))"
        )
    if any(per_topic):
        topics = a.columns.intersection(b.columns)
        if len(topics) == 0:
            raise ShapeMismatchError("per-topic score tables must share topic columns, got none in common")
        a, b = a[topics], b[topics]
    if len(a) < 3:
        raise TooFewExamplesError(f"ranking agreement needs at least 3 systems, got {len(a)}")
    return a, b


def _by_name(labels: pd.Index) -> np.ndarray:
    """Positions of ``labels`` in the order of their names."""
    return np.argsort(np.array([str(x) for x in labels]), kind="stable")


def ranking_agreement(
    scores_a: Any,
    scores_b: Any,
    *,
    p: float = 0.9,
    n_boot: int = 1000,
    ci: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
) -> RankingAgreement:
    """Kendall tau, tau-AP, Spearman and RBO between two rankings of the same systems, with bootstrap CIs.

    Parameters
    ----------
    scores_a, scores_b : Series/dict (system -> score) or DataFrame (systems x topics)
        Higher is better. With per-topic tables the system score is the mean over the topics both
        tables hold and the bootstrap resamples topics (the usual IR practice); otherwise it
        resamples systems with replacement and computes each measure on the distinct systems drawn.
        Both must be of the same kind: a table and a per-system score list are an error. Scores
        must be finite numbers (numeric strings are read as numbers) and name each system once.
    p : float
        RBO persistence (weight of the top ``1/(1-p)`` ranks).
    n_boot : int
        Bootstrap replicates (0: no intervals).
    ci : float
        Confidence level of the percentile intervals.
    random_state : int, numpy.random.Generator or None
        Seeds the bootstrap draws (None: fresh entropy, so the intervals change from run to run).

    Notes
    -----
    Permuting the systems (or topics) changes no value and no interval: tied scores are an order
    nobody resolved, so tau-AP is tau_AP,a and RBO is Corsi & Urbano's RBO^a, each the mean over
    every order of the tied systems (see :func:`tau_ap` and :func:`rbo_ext` for the ``"b"``
    versions). The same ``random_state`` gives the same intervals. Scores equal for every system order none: every
    measure is NaN, with a :class:`~labelwise.errors.LabelwiseWarning` naming the table.

    References
    ----------
    .. [1] M. G. Kendall, "The treatment of ties in ranking problems", Biometrika 33(3), 1945.
    .. [2] E. Yilmaz, J. A. Aslam and S. Robertson, "A new rank correlation coefficient for
       information retrieval", SIGIR 2008.
    .. [3] W. Webber, A. Moffat and J. Zobel, "A similarity measure for indefinite rankings",
       ACM TOIS 28(4), 2010.
    .. [4] M. Corsi and J. Urbano, "The treatment of ties in rank-biased overlap", SIGIR 2024.
    .. [5] B. Efron and R. Tibshirani, "An Introduction to the Bootstrap", 1993.
    """
    a, b = _align(scores_a, scores_b)
    n_boot = check_positive_int("n_boot", n_boot, minimum=0)
    ci = check_fraction("ci", ci, closed_low=False)  # 0 made both ends of the interval the median
    p = check_fraction("p", p, closed_low=False)
    names = np.asarray(a.index)
    sa, sb = a.mean(axis=1).to_numpy(), b.mean(axis=1).to_numpy()
    values = _measures(sa, sb, names, p)
    _warn_unordered_tables(sa, sb, a.shape[1] > 1)
    rng = check_random_state(random_state)
    by_topic = a.shape[1] > 1
    # Draws index systems and topics sorted by name, so the intervals do not depend on the order
    # they were given in; a resampled set of systems is then taken in the input order.
    systems, topics = _by_name(a.index), _by_name(a.columns)
    boots: list[dict[str, float]] = []
    for _ in range(n_boot):
        if by_topic:
            cols = topics[rng.integers(0, a.shape[1], a.shape[1])]
            boots.append(_measures(a.to_numpy()[:, cols].mean(1), b.to_numpy()[:, cols].mean(1), names, p))
        else:
            rows = np.sort(systems[np.unique(rng.integers(0, len(sa), len(sa)))])
            if len(rows) >= 3:
                boots.append(_measures(sa[rows], sb[rows], names[rows], p))
    q = (50 * (1 - ci), 50 * (1 + ci))
    low, high = {}, {}
    for m in MEASURES:
        vals = np.array([d[m] for d in boots], dtype=float)
        vals = vals[np.isfinite(vals)]
        low[m], high[m] = tuple(np.percentile(vals, q)) if vals.size else (np.nan, np.nan)
    both_tables = isinstance(scores_a, pd.DataFrame) and isinstance(scores_b, pd.DataFrame)
    return RankingAgreement(
        names,
        sa,
        sb,
        values,
        low,
        high,
        n_boot,
        "topics" if by_topic else "systems",
        np.asarray(a.columns) if both_tables else None,
    )
