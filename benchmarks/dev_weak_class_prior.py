"""Dev runs: the class prior of the label model's Dawid-Skene fit on crowd data (issue 15, session 42, is15n).

REGISTRATION: see "Registration" below (written and committed before the rule run).

Question. With missing abstains (crowd workers, Dawid and Skene's model) ``LabelModel()`` starts the class
balance ``p`` at the mean vote shares and estimates it by EM, by maximum likelihood (``p ∝`` the posterior's
class mass, no prior; ``_em.run_em`` and the lured refit ``_lure.LureFit.step``), in its MAP refit under the
diagonal Dirichlet prior on the confusion rows (``_em.diagonal_pseudo_counts``). Snorkel 0.10 keeps ``p``
fixed (uniform unless given). Variants of the MAP refit's ``p`` step (the maximum-likelihood fits that only
choose the abstain model are main's; the lured refit, where it runs, gets the same ``p`` step):

* ``A``: a symmetric Dirichlet prior on ``p`` with ``α`` = ``prior_strength`` (8) pseudo-counts per class, the
  number each confusion row gets (Bayesian Dawid-Skene puts a Dirichlet prior on the class balance as on the
  rows: Paun et al. 2018, Kim and Ghahramani 2012): MAP step ``p_y = (mass_y + α) / (W + K α)``, and
  ``α Σ_y log p_y`` added to the log posterior EM raises (so SQUAREM's guard sees the same objective);
* ``B``: ``p`` fixed at the vote shares (the ``"votes"`` option taken literally also when abstains are missing);
* ``C``: ``p`` estimated but shrunk toward the vote shares ``v``: a Dirichlet prior of mean ``v`` and total
  strength ``W`` (the items' weight: the MAP step is the mean of the EM estimate and ``v``),
  ``p_y = (mass_y + W v_y) / 2W``, ``W Σ_y v_y log p_y`` added to the objective;
* ``U`` (a diagnosis, not a candidate): ``p`` fixed uniform, Snorkel's default.

``W`` is the items' total weight in the fit (``Σ w``), ``mass_y = Σ_i w_i T[i, y]``.

References: A. P. Dawid and A. M. Skene, Applied Statistics 28(1), 20-28, 1979; H.-C. Kim and Z. Ghahramani,
"Bayesian classifier combination", AISTATS 2012; S. Paun, B. Carpenter, J. Chamberlain, D. Hovy, U.
Kruschwitz and M. Poesio, "Comparing Bayesian models of annotation", TACL 6, 571-585, 2018; A. Ratner et al.,
"Training complex models with multi-task weak supervision", AAAI 2019 (Snorkel's fixed class balance).

Exploration (disclosed; fresh seeds 153-156 only, 07:03-07:06 UTC 2026-12-06, load 1-4; ``--explore``): 108
:func:`biased_crowd` sets (K 2-4 x imbalance none / moderate / strong x biased workers none / shared favourite /
own favourites, on each of 153-156; 9-20 votes per item, 27-143 workers, 300-800 items) and the 93's
generators on 153 and 155 (86 sets: LF sim15300-15309 and sim15500-15509, 12 crowds, 28 dense crowds of seeds
153-156, 18 pair, 8 look-alike): 194 sets, before = main's ``LabelModel()``. Before it, one smoke run on the
first seven seed-153 sets; after it, a check on three seed-153 crowds that A's and C's objective never falls.

==========  ===============  =========  ==================================  ========
variant     mean (194 sets)  up / down  sets more than 0.5 below main (2)   CPU
==========  ===============  =========  ==================================  ========
A           93.505 -> 93.502   21 / 26   5 (worst pair3_s153 -2.15)          1.02x
B           93.505 -> 93.164   38 / 75   42 (worst -5.65, strong imbalance)  1.03x
C           93.505 -> 93.362   34 / 67   27 (worst -4.07)                    1.04x
U           93.505 -> 90.711   26 / 94   74 (worst -97.16, strong imbalance) 1.05x
==========  ===============  =========  ==================================  ========

Main's free ``p`` is the best of the five on these crowds. The vote shares are a poor centre for ``p``: wrong
votes spread a class's mass over the others, so the shares are nearer uniform than the truth (strongly
imbalanced crowds: B -1.37 points on average, C -0.58), and biased workers pull them to their favourite (B
-1.25 on two-class shared-favourite crowds). Fixed uniform (Snorkel's default) collapses the minority class on
strongly imbalanced crowds. A's pull (``K α / W`` of ``p`` toward uniform) is small on 300-800 items and
acts in both directions (biased crowds by K x bias: mean changes -0.06 to +0.06 points).

Registration
------------
Written and committed after the exploration above and before the rule run. The variant judged is **A** (a
symmetric Dirichlet prior of ``α = prior_strength = 8`` pseudo-counts per class on ``p`` in the missing-abstain
MAP refit and its lured refinement), chosen among the three candidates after reading the exploration, by
the highest mean over its 194 sets and the fewest sets more than 0.5 point below main (both name A: 93.502
and 5; C: 93.362 and 27; B: 93.164 and 42). U is a diagnosis, not a candidate.
Why it could generalise: the class balance is the one parameter of the MAP fit left to maximum likelihood, and
a class's mass estimated from few items (small crowds, rare classes, EM's trade-off between a confusion row
and the balance when votes per item are few) is what a Dirichlet prior with the rows' own strength
stabilises; it adds no parameter and no data-driven choice. The exploration predicts it is nearly neutral and
may fail (2) on a small crowd (it did on the explore seeds' 100-item dense crowd and a 4-vote pair crowd);
the rule decides. The rule, run ONCE with ``OMP_NUM_THREADS=1`` (``--rule A``; before = main's
``LabelModel()``, after = A, majority vote from ``aggregate.MajorityVote``), over the 93 dev sets of
``dev_weak_losses.py`` (via ``dev_weak_pair_check.sets``): (1) mean accuracy not lower than main's
``LabelModel()``; (2) no set more than 0.5 point below it; (3) every set ``after − MV >= min(before − MV,
−0.5)``; (4) summed CPU at most 3x. Adopted (``src``: the ``p`` step in a module of its own,
``weak/_class_prior.py``, called by ``_em.run_em`` and the lured refit; the default; a parameter to turn it
off) only if all four pass; then ``bench_weak.py --skip-apply`` once. If it fails: ``src`` unchanged, no
benchmark run::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_class_prior.py --explore --out explore.csv
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_class_prior.py --rule A --out rule.csv  # once
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_class_prior.py --diagnose  # after it, not a rule

Result of the rule run (once, ``--rule A``, commit 1de59336, 07:06:25-07:06:54 UTC 2026-12-06, load 3.5-3.8):
**fails (2) and (3)**; (1) and (4) pass. The 93: 86.782 -> 86.840 (main's mean as in session 41), 27 up / 18
down, CPU 5.85 -> 5.74 s (0.98x). Per group (mean before -> after; up / down): LF (14) 83.822 -> 83.825, 1 / 0;
crowds (26) 84.511 -> 84.624, 7 / 3; dense (14) 93.940 -> 93.868, 0 / 2; pair (27) 86.185 -> 86.313, 15 / 9;
look-alike (12) 88.150 -> 88.142, 4 / 4. Sets more than 0.5 below main (2): pair3_s2 -0.90, sparse_K2_r2_s0
-0.70, dense1_n150_K2_m25_s0 -0.67 (one item). Sets falling further below majority vote than allowed (3), each
already below it: pair3_s0 -0.10, look2_s1 -0.05, look3_s2 -0.05. Not adopted: ``src`` unchanged, no
``bench_weak.py`` run. A moves labels on the crowds with 2-6 votes per item, in both directions (sparse_K10_r2_s1
+2.37, pair6_s0 +0.85; pair3_s2 -0.90); on the dense crowds, the kind of the benchmark's misses, it moves one
item on two sets, both down.

Diagnosis after the rule run (``--diagnose``, not a rule, 07:07:02-07:07:41 UTC, load 3.3): B, C and U on the
93 (mean; up / down; sets more than 0.5 below main): B 86.657, 33 / 38, 14 (worst sparse_K5_r4_s1 -3.50); C
86.805, 32 / 33, 10 (sparse_K2_r2_s0 -3.20); U (Snorkel's fixed uniform) 82.505, 12 / 61, 47 (pair8_s2 -25.45;
pair crowds -11.35 on average). On the dense crowds all three fall (B 1 / 6, C 0 / 2,
U 3 / 7). The largest fitted class share is closer to the true one with main's free ``p`` than at the vote
shares (mean absolute gap on the 93's dense crowds 0.005 against 0.018, crowds 0.011 against 0.033; on the
strongly imbalanced exploration crowds 0.005 against 0.231).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_labeler_strength import dev_set, score  # noqa: E402
from dev_weak_lure_stress import report  # noqa: E402

from labelwise.aggregate.dawid_skene import DEFAULT_PRIOR_STRENGTH  # noqa: E402
from labelwise.weak import LabelModel, _em, _lure  # noqa: E402
from labelwise.weak._posterior import FLOOR, VotedOutcomes, em_m_step_missing, posterior  # noqa: E402
from labelwise.weak._squarem import squarem  # noqa: E402

VARIANTS = ("A", "B", "C", "U")


class Prior:
    """The variant in force (``None``: main's ``p`` step) and the vote shares of the MAP refit in progress."""

    variant: str | None = None
    shares: np.ndarray | None = None


def p_step(mass: np.ndarray, p_old: np.ndarray) -> np.ndarray:
    """The variant's M-step of ``p`` from the posterior's class mass (the lured refit's and the MAP refit's)."""
    total, v = float(mass.sum()), Prior.shares
    if Prior.variant == "A":
        p = mass + DEFAULT_PRIOR_STRENGTH
    elif Prior.variant == "C" and v is not None:
        p = mass + total * v
    elif Prior.variant in ("B", "U"):
        return p_old
    else:
        p = mass
    p = np.maximum(p / p.sum(), FLOOR)
    return p / p.sum()


def p_log_prior(p: np.ndarray, total: float) -> float:
    """The variant's ``log`` prior density of ``p`` (up to a constant); 0 for main and the fixed ones."""
    log_p = np.log(np.maximum(p, FLOOR))
    if Prior.variant == "A":
        return float(DEFAULT_PRIOR_STRENGTH * log_p.sum())
    if Prior.variant == "C" and Prior.shares is not None:
        return float(total * (Prior.shares * log_p).sum())
    return 0.0


_run_em = _em.run_em


def run_em_variant(lam_g, n_outcomes, post, p, patterns, *, w, fixed, smoothing, n_iter, tol, prior=None):
    """Main's ``_em.run_em`` but for the ``p`` step (and its log prior in the objective) of the missing-abstain
    MAP fit (``prior`` given, ``p`` free): the variant's. Elsewhere main's ``run_em`` itself."""
    if Prior.variant is None or patterns is None or prior is None or fixed:
        return _run_em(
            lam_g,
            n_outcomes,
            post,
            p,
            patterns,
            w=w,
            fixed=fixed,
            smoothing=smoothing,
            n_iter=n_iter,
            tol=tol,
            prior=prior,
        )
    k = post.shape[1]
    Prior.shares = np.asarray(p, dtype=np.float64).copy()  # the MAP refit starts at the vote shares
    if Prior.variant == "U":
        p = np.full(k, 1.0 / k)
    voted = lam_g if isinstance(lam_g, VotedOutcomes) else VotedOutcomes.build(lam_g, n_outcomes)
    if voted.weights is None:
        voted = voted.weighted(w)
    total = float(w.sum())

    def m_step(post: np.ndarray, p: np.ndarray) -> np.ndarray:
        mu_g, p_new = em_m_step_missing(voted, post, smoothing, *patterns, prior=prior)
        return np.concatenate([mu_g.ravel(), p_step(p_new * total, p)])

    def step(theta: np.ndarray):
        mu_g, p = theta[:-k].reshape(-1, k), theta[-k:]
        post, log_z = posterior(voted, mu_g, p)
        objective = (float(w @ log_z) + _em.log_prior(mu_g, smoothing, patterns, prior) + p_log_prior(p, total)) / total
        return objective, m_step(post, p), (post, log_z)

    if not n_iter:
        return _em.EMRun(post, np.empty((0, k)), p, [], None, [], 0, False)
    run = squarem(step, m_step(post, p), max_evals=n_iter, tol=tol, low=FLOOR, track=lambda e: float(w @ e[1]) / total)
    post, log_z = run.extra
    theta = run.theta
    return _em.EMRun(
        post, theta[:-k].reshape(-1, k), theta[-k:], run.tracked, log_z, run.history, run.n_evals, run.converged
    )


_lure_step = _lure.LureFit.step


def lure_step_variant(self, x: np.ndarray):
    """Main's lured-item EM step, with the variant's ``p`` step and log prior of ``p`` (where ``p`` is free)."""
    value, new, extra = _lure_step(self, x)
    if Prior.variant is None or not self.free:
        return value, new, extra
    total = float(self.w.sum())
    sl = slice(int(self.sizes[3]), len(new) - 1)
    p_old = np.exp(self.unpack(x)[4])
    mass = self.w @ extra[0]
    new = new.copy()
    new[sl] = np.log(p_step(mass, p_old))
    return value + p_log_prior(p_old, total) / total, new, extra


_em.run_em = run_em_variant
_lure.LureFit.step = lure_step_variant


def fit(matrix: np.ndarray, k: int, variant: str | None) -> tuple[np.ndarray, float, np.ndarray]:
    """Class codes, CPU seconds and fitted class balance of one ``LabelModel()`` fit under ``variant``."""
    Prior.variant, Prior.shares = variant, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.process_time()
            model = LabelModel(labels=list(range(k))).fit(matrix)
            cpu = time.process_time() - start
    finally:
        Prior.variant, Prior.shares = None, None
    return pd.Index(model.classes_).get_indexer(model.labels_.to_numpy()), cpu, np.asarray(model.class_balance_)


IMBALANCE = {"none": 1.0, "moderate": 0.6, "strong": 0.25}  # class shares ∝ ratio ** rank (rank order shuffled)
BIAS = ("none", "shared", "own")  # biased workers: none, one favourite class for all, each its own


def biased_crowd(k: int, imbalance: str, bias: str, seed: int) -> tuple:
    """A crowd shaped like the misses: ``n`` 300-800 items, ``m`` 27-143 workers, ``r`` 9-20 votes per item
    (distinct workers drawn with probability ∝ an activity ``exp(N(0, 1))``), all drawn per set; class
    shares ``∝ ratio^rank`` (:data:`IMBALANCE`, rank order shuffled). Workers: good (accuracy
    ``U(0.75, 0.95)``, 25%), ordinary (``U(0.55, 0.75)``, 45%, 65% without biased workers), biased (20%:
    answer their favourite class with probability ``U(0.2, 0.5)``, else right with ``U(0.6, 0.85)``; the
    favourite one class for all (``shared``) or each its own (``own``)), spammers (10%: half uniform, half
    one constant class). Wrong answers uniform over the other classes."""
    from labelwise.weak import as_votes

    rng = np.random.default_rng([seed, k, list(IMBALANCE).index(imbalance), BIAS.index(bias)])
    n, m = int(rng.integers(300, 801)), int(rng.integers(27, 144))
    r = min(int(rng.integers(9, 21)), m)
    shares = IMBALANCE[imbalance] ** rng.permutation(k).astype(float)
    y = rng.choice(k, size=n, p=shares / shares.sum())
    kinds = rng.choice(4, size=m, p=[0.25, 0.45, 0.2, 0.1] if bias != "none" else [0.25, 0.65, 0.0, 0.1])
    acc = np.select(
        [kinds == 0, kinds == 1, kinds == 2],
        [rng.uniform(0.75, 0.95, m), rng.uniform(0.55, 0.75, m), rng.uniform(0.6, 0.85, m)],
        0.0,
    )
    pull = np.where(kinds == 2, rng.uniform(0.2, 0.5, m), 0.0)
    favourite = np.full(m, rng.integers(k)) if bias == "shared" else rng.integers(0, k, m)
    constant = rng.random(m) < 0.5
    activity = np.exp(rng.normal(0.0, 1.0, m))
    items, workers = [], []
    for i in range(n):
        chosen = rng.choice(m, size=r, replace=False, p=activity / activity.sum())
        items.append(np.full(r, i))
        workers.append(chosen)
    item, worker = np.concatenate(items), np.concatenate(workers)
    t = y[item]
    right = rng.random(len(item)) < acc[worker]
    label = np.where(right, t, (t + rng.integers(1, k, len(item))) % k)
    label = np.where(rng.random(len(item)) < pull[worker], favourite[worker], label)
    spam = kinds[worker] == 3
    label = np.where(spam, np.where(constant[worker], favourite[worker], rng.integers(0, k, len(item))), label)
    answers = pd.DataFrame({"item": item, "labeler": [f"w{j}" for j in worker], "label": label})
    name = f"biased_K{k}_{imbalance}_{bias}_n{n}_m{m}_r{r}_s{seed}"
    return name, as_votes(answers), pd.Series(y, index=pd.RangeIndex(n))


def explore_sets(seeds: tuple[int, ...] = (153, 154, 155, 156)):
    """Exploration (fresh seeds 153-156 only): :func:`biased_crowd` for K 2-4 x imbalance x bias on each seed,
    and the 93's generators on 153 and 155 (``dev_weak_item_difficulty.explore_sets``: LF sim15300-15309 and
    sim15500-15509, crowds, dense crowds of 153-156, pair and look-alike crowds)."""
    for seed in seeds:
        for k in (2, 3, 4):
            for imbalance in IMBALANCE:
                for bias in BIAS:
                    name, votes, truth = biased_crowd(k, imbalance, bias, seed)
                    yield seed, f"biased_{imbalance}", name, votes, truth
    from dev_weak_item_difficulty import explore_sets as gen93  # a pass-through patch of label_model when off

    for seed in seeds[::2]:
        for family, name, votes, truth in gen93(seed):
            yield seed, family, name, votes, truth


def rule_sets():
    """The rule's sets: the 93 dev sets of ``dev_weak_losses.py`` (seed -1)."""
    from dev_weak_pair_check import sets

    for family, name, votes, truth in sets(["clique", "dense", "pair", "lookalike"]):
        yield -1, family, name, votes, truth


def evaluate(family: str, name: str, votes, truth, variants: list[str]) -> list[dict]:
    """One set: main's ``LabelModel()`` (before) and each variant (after)."""
    matrix, k, g, scored, _, base = dev_set(family, name, votes, truth)
    per_item = (matrix >= 0).sum(axis=1)
    base["per_item"] = float(per_item[per_item > 0].mean())
    base["K"] = k
    base["true_major"] = float(np.bincount(g[scored], minlength=k).max() / max(int(scored.sum()), 1))
    codes0, cpu0, p0 = fit(matrix, k, None)
    base.update(before=score(codes0, g, scored), cpu_before=cpu0, p_before=float(p0.max()))
    rows = []
    for v in variants:
        codes, cpu, p = fit(matrix, k, v)
        row = dict(base, variant=v, after=score(codes, g, scored), cpu_after=cpu, p_after=float(p.max()))
        row["gain"] = row["after"] - row["before"]
        row["moved"] = int((codes != codes0)[scored].sum())
        row["rho"] = np.nan
        rows.append(row)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--explore", action="store_true", help="fresh seeds 153-156, variants A, B, C, U")
    ap.add_argument("--rule", default=None, choices=list(VARIANTS), help="the registered rule run of one variant")
    ap.add_argument("--diagnose", action="store_true", help="after the rule run: B, C and U on the 93 (not a rule)")
    ap.add_argument("--only", default=None, help="substring of the set names to run (smoke runs)")
    ap.add_argument("--out", default=None, help="CSV of the per-set table")
    args = ap.parse_args()
    pd.set_option("display.width", 250)
    if args.explore:
        variants, source = list(VARIANTS), explore_sets()
    elif args.diagnose:
        variants, source = ["B", "C", "U"], rule_sets()
    else:
        variants, source = [args.rule or "A"], rule_sets()
    from _machine import machine_line

    print("machine:", machine_line(), "load:", open("/proc/loadavg").read().split()[:3], flush=True)
    cols = ["set", "K", "per_item", "true_major", "mv", "before", "after", "gain", "moved", "p_before", "p_after"]
    rows: list[dict] = []
    for seed, family, name, votes, truth in source:
        if args.only and args.only not in name:
            continue
        for row in evaluate(family, name, votes, truth, variants):
            row["seed"] = seed
            rows.append(row)
            print(
                pd.DataFrame([row])[["variant", *cols]].round(3).to_string(index=False, header=len(rows) == 1),
                flush=True,
            )
    frame = pd.DataFrame(rows)
    if args.out:
        frame.to_csv(args.out, index=False)
    for v in variants:
        part = frame[frame.variant == v]
        print(f"\n=== variant {v} ===  (sets with a moved label: {int((part.moved > 0).sum())} of {len(part)})")
        ok = report(part)
        if args.rule:
            print("RULE:", "passes" if ok else "fails")
    print("load:", open("/proc/loadavg").read().split()[:3])


if __name__ == "__main__":
    main()
