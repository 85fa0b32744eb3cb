"""Dev runs: a co-vote check of one-class rules on the fitted label model (issue 15, session 35).

The third rule of the session (the first two: ``dev_weak_moment_answer.py``,
``dev_weak_one_class_copies.py``). The diagnosis is ``dev_weak_one_class_copies.py``'s: on the
benchmark's sim1005 configuration the clique search misses copies of one-class rules (their
agreement z stays near the threshold, their co-vote z is 43-80), and one missed copy sends the
informative-abstain fit far below majority vote on fresh seeds. Screening those pairs by their
co-vote z *before* the fit, under the vote-share posterior, also joined independent one-class
rules (false cliques, up to -2.06 points on sim100 of the 93): given a rough class posterior,
two rules that both fire on one class co-vote more than "independent given that posterior"
predicts, although given the true class they are independent (z 0.2-0.6 against 5-29).

The variant tests the same pairs *on the fitted model*, as the crowd branch's dependent-pair
check does with missing abstains (a posterior predictive check, Gelman, Meng and Stern 1996):
after the informative-abstain EM fit, every pair with a one-class member (a function whose votes
are all one class) whose two functions are in different groups is scored by its co-vote z
(:meth:`~labelwise.weak._dependencies.PairTables.covote_z`) under the fitted model's posterior;
pairs over ``dependency_threshold`` (5) whose joint table pays for itself by BIC under that
posterior (:meth:`~labelwise.weak._dependencies.PairTables.bic_gain`) are joined, strongest
first, the existing cliques kept and every clique within ``max_clique`` (the search's
:func:`~labelwise.weak._dependencies.group_dependent`); if the groups change, the informative EM
is refitted from the same starts and its fit kept. The fitted posterior is close enough to the
class that independent rules no longer pass, while a copy's co-votes stay far over any
threshold. Nothing else changes (missing-abstain fits, the search before the fit). Same
threshold, nothing tuned.

Rule, written before the rule run (the brief's): the variant becomes the library's only if, over
the 93 dev sets of ``dev_weak_losses.py`` (never the benchmark's 19): (1) mean accuracy not lower
than ``before``; (2) no set more than 0.5 point below ``before``; (3) every set
``after − mv >= min(before − mv, −0.5)``; (4) summed CPU of the ``after`` fits at most 3x. Only if
it passes: ``bench_weak.py --no-snorkel`` once.

Disclosed: the 93 were already run this session for the pre-fit screen
(``dev_weak_one_class_copies.py``, its rule failed on (2) by sim100's false clique); this variant
was then designed on fresh seeds only (``--explore``: every ``bench_weak`` configuration at first
seeds 300, 400 and 500): 6 up, 0 down, mean +1.15 points over the 30 sets (sim305 58.69 ->
75.08, sim307 +5.46, sim402 +5.30, sim504 +5.47, sim502 +1.23, sim309 +0.64), no false clique on
the sets without copies, CPU 1.19x::

    OMP_NUM_THREADS=1 python benchmarks/dev_weak_one_class_check.py            # the rule run (93 sets)
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_one_class_check.py --explore  # the fresh seeds

Run once under the rule, 10:56-10:57 UTC 2026-12-05 (commit 63c1be25, load 13-15): **passes**
(1)-(4): mean over the 93 sets 86.563 -> 86.691, 3 up (lfs_unipolar1_s101 71.99 -> 81.86, sim102
+1.32, sim105 +0.70), 1 down (sim108 -0.01), worst vs MV -3.81 -> -2.40, CPU 0.98x. Adopted: the
check is ``weak._one_class`` / ``weak._fit_check``, run by ``LabelModel(pair_check=True)``; the
library's fit equals this script's ``after`` on all 93 sets. Since then ``before`` is main's fit
through ``CheckedLabelModel`` with ``check = False`` (its ``_fit_rows`` is main's).

References: A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness
via realized discrepancies", Statistica Sinica 6, 733-807, 1996; S. H. Bach, B. He, A. Ratner and
C. Ré, "Learning the Structure of Generative Models without Labeled Data", ICML 2017.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_labeler_strength import dev_set, score  # noqa: E402
from dev_weak_one_class_copies import covote_z_matrix, report  # noqa: E402
from dev_weak_pair_check import sets  # noqa: E402

from labelwise.aggregate.priors import agreement_accuracy  # noqa: E402
from labelwise.weak import LabelModel  # noqa: E402
from labelwise.weak._crowd_pairs import dependent_pairs  # noqa: E402
from labelwise.weak._dependencies import PairTables, clique_search, group_dependent, shared_counts  # noqa: E402
from labelwise.weak._em import fit_abstain_models, record_convergence  # noqa: E402
from labelwise.weak._moments import indicator, weighted_gram  # noqa: E402
from labelwise.weak._params import initial_balance  # noqa: E402
from labelwise.weak._posterior import (  # noqa: E402
    group_mu_from_lf_mu,
    lf_mu_from_posterior,
    posterior,
    vote_counts,
    vote_shares,
    voted_outcomes,
)


def one_class_check(matrix, lam, w, k, groups, post, *, threshold, min_shared, max_size):
    """The groups after the check: pairs with a one-class member, in different groups, whose co-vote z
    under the fitted model's posterior ``post`` (every row) is over ``threshold`` and whose joint
    table pays for itself by BIC under it, joined strongest first within ``max_size``."""
    m = matrix.shape[1]
    voted = matrix >= 0
    one = np.array([len(np.unique(matrix[voted[:, j], j])) == 1 for j in range(m)])
    either = one[:, None] | one[None, :]
    if not either.any():
        return groups
    sums = shared_counts(lam, post, w, m)
    tables = PairTables(matrix, post, w, k, sums)
    owner = np.empty(m, dtype=int)
    for t, g in enumerate(groups):
        owner[g] = t
    screen = np.where(either & (owner[:, None] != owner[None, :]), covote_z_matrix(tables), 0.0)
    forced = [(g[0], j) for g in groups for j in g[1:]]
    return group_dependent(
        screen,
        sums[0],
        threshold=threshold,
        min_shared=min_shared,
        max_size=max_size,
        forced=forced,
        accept=lambda a, b: bool(tables.bic_gain([(a, b)])[0] > 0),
    )


class CheckedLabelModel(LabelModel):
    """``LabelModel`` with the one-class co-vote check after an informative-abstain fit (``check``)."""

    check = True

    def _fit_rows(self, matrix, w, p_fixed, deps, votes):  # a copy of LabelModel._fit_rows plus the check
        k, m = len(votes.classes), matrix.shape[1]
        lam = indicator(matrix, k)
        p = initial_balance(p_fixed, lam, m, k, w)
        gram = weighted_gram(lam, w)
        mu = self._moment_fit(lam, p, m, k, deps, w, gram)
        groups = [[j] for j in range(m)]
        mu_g = group_mu_from_lf_mu(mu, k, m)
        lam_g, n_outcomes = voted_outcomes(matrix, k, groups)
        post, log_z = posterior(lam_g, mu_g, p)
        history = [float(w @ log_z) / float(w.sum())]
        thr = np.inf if self.dependency_threshold is None else float(self.dependency_threshold)
        groups = clique_search(
            matrix, lam, w, k, gram, deps, threshold=thr, min_shared=self.min_shared, max_size=self.max_clique
        )
        lam_g, n_outcomes = voted_outcomes(matrix, k, groups)
        self._pairs = np.empty((0, 6))
        voted = (matrix >= 0).any(axis=1)
        cov = np.flatnonzero(voted)
        every = bool(voted.all())
        lam_c = lam if every else lam[cov]
        counts = vote_counts(lam_c, m, k)
        starts = [post[cov], vote_shares(lam_c, m, k, counts)]
        em = partial(
            fit_abstain_models,
            p=p,
            p_fixed=p_fixed,
            w=w[cov],
            accuracy=agreement_accuracy(counts, w[cov]),
            prior_strength=float(self.prior_strength),
            smoothing=float(self.smoothing),
            n_iter=self.n_em_iter,
            tol=float(self.tol),
        )
        lam_gc = lam_g if every else lam_g[cov]
        run, self.abstains_, self.bic_, self.vote_log_likelihood_ = em(
            lam_gc, n_outcomes, starts, groups=groups, abstains=self.abstains
        )
        if self.abstains_ == "missing" and self.dependency_threshold is not None and self.pair_check:
            threshold, strength = float(self.dependency_threshold), float(self.prior_strength)
            self._pairs = dependent_pairs(votes, threshold=threshold, prior_strength=strength)
            changed = self._model_pairs(matrix, k, groups, self._pairs)
            if changed is not None:
                groups, lam_g, n_outcomes, start = changed
                starts[1] = starts[1] if start is None else start[cov]
                run = em(lam_g if every else lam_g[cov], n_outcomes, starts, groups=groups, abstains="missing")[0]
        if self.check and self.abstains_ == "informative" and self.dependency_threshold is not None:
            fitted = posterior(lam_g, run.mu, run.p)[0]  # every row, at the fitted parameters
            new = one_class_check(
                matrix, lam, w, k, groups, fitted, threshold=thr, min_shared=self.min_shared, max_size=self.max_clique
            )
            if new != groups:
                groups = new
                lam_g, n_outcomes = voted_outcomes(matrix, k, groups)
                run = em(lam_g if every else lam_g[cov], n_outcomes, starts, groups=groups, abstains="informative")[0]
        post_cov, mu_g, p = run.post, run.mu, run.p
        history += run.history
        record_convergence(self, run, self.n_em_iter, self.tol)
        mu = lf_mu_from_posterior(lam_c.T.tocsr(), post_cov * w[cov, None])
        post = post_cov if every else posterior(lam_g, mu_g, p)[0]
        self._groups = groups
        self.group_mu_ = mu_g
        self.n_em_iter_, self.log_likelihood_history_ = len(history) - 1, history
        return mu, p, post


def fit(matrix: np.ndarray, k: int, check: bool) -> tuple[np.ndarray, float, list]:
    """Class codes, CPU seconds and cliques of main's fit (``check=False``: ``CheckedLabelModel``'s
    ``_fit_rows`` is main's, the library's now runs the check) or the variant."""
    CheckedLabelModel.check = check
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.process_time()
        model = CheckedLabelModel(labels=list(range(k))).fit(matrix)
        cpu = time.process_time() - start
    codes = pd.Index(model.classes_).get_indexer(model.labels_.to_numpy())
    return codes, cpu, [g for g in model.groups_ if len(g) > 1]


def explore_sets():
    """Fresh simulated LF seeds: every ``bench_weak`` configuration at first seeds 300, 400, 500."""
    from bench_weak import simulated_sets

    for first in (300, 400, 500):
        for name, votes, truth in simulated_sets(first):
            yield "lf", name, votes, truth


def evaluate(family: str, name: str, votes, truth) -> dict:
    matrix, k, g, scored, long, row = dev_set(family, name, votes, truth)
    codes, row["cpu_before"], gb = fit(matrix, k, False)
    row["before"] = score(codes, g, scored)
    codes, row["cpu_after"], ga = fit(matrix, k, True)
    row["after"] = score(codes, g, scored)
    row["gain"] = row["after"] - row["before"]
    row["cliques"] = f"{len(gb)}->{len(ga)}"
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--explore", action="store_true")
    args = ap.parse_args()
    pd.set_option("display.width", 250)
    rows = []
    chosen = explore_sets() if args.explore else sets(["clique", "dense", "pair", "lookalike"])
    for family, name, votes, truth in chosen:
        rows.append(evaluate(family, name, votes, truth))
        print(pd.DataFrame([rows[-1]]).round(3).to_string(index=False, header=len(rows) == 1), flush=True)
    report(pd.DataFrame(rows))


if __name__ == "__main__":
    main()
