"""Dev runs for the tolerance of the label model's comparison-only fit (issue 15), simulated data only.

With ``abstains="auto"`` and ``prior_strength > 0`` (the defaults), :class:`labelwise.weak.LabelModel`
fits the missing-abstain model by maximum likelihood only to compare it with the informative one
(BIC and :func:`labelwise.weak._posterior.vote_value_log_likelihood`); the labels then come from
the informative fit or from the MAP refit. That fit stops at the looser of ``tol`` and
:data:`labelwise.weak._em.COMPARISON_TOL`. This script fits every dev set of
``dev_weak_clique_prior.py`` (the 40 sets: ``dev_weak_abstains.py``'s 32 and 8 slot crowds; none
from the benchmark) with several values of that tolerance and prints, per set and value, the
abstain model chosen, whether the relabelling guard rejects the comparison fit, the accuracy, the share of labels that differ from the strictest value's,
and the comparison fit's EM evaluations and CPU seconds; then, per value, the sets whose choice
or labels differ and the total CPU time of the comparison fits::

    python benchmarks/dev_weak_comparison_fit.py [--tols 1e-6 1e-5 1e-4 1e-3]

Timings are CPU seconds of one process (BLAS limited to one thread) and only as good as the
machine's load; the choice and labels do not depend on it.

The relabelling guard is patched at ``weak._em.relabelled_given`` since session 55 (ca1ff9d7 replaced ``_em``'s
``relabelled_classes`` by it: majority vote's strict classes found once per choice, the same verdicts).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))


def _fit(votes, tol: float) -> tuple:
    """Fit ``LabelModel()`` with ``COMPARISON_TOL = tol``; also return the comparison fit's EM steps and CPU s."""
    from labelwise.weak import LabelModel, _em

    calls: list[tuple[int, float]] = []
    original = _em.run_em

    def timed(*args, **kwargs):
        steps = [0]
        squarem = _em.squarem

        def counted(step, *a, **k):
            def counting(theta):
                steps[0] += 1
                return step(theta)

            return squarem(counting, *a, **k)

        _em.squarem = counted
        start = time.process_time()
        try:
            out = original(*args, **kwargs)
        finally:
            _em.squarem = squarem
        if args[4] is not None and kwargs.get("prior") is None:  # missing abstains, maximum likelihood
            calls.append((steps[0], time.process_time() - start))
        return out

    verdicts: list[int] = []
    guard = _em.relabelled_given

    def recording_guard(*args, **kwargs):
        out = guard(*args, **kwargs)
        verdicts.append(len(out))
        return out

    saved = _em.COMPARISON_TOL
    _em.COMPARISON_TOL, _em.run_em, _em.relabelled_given = tol, timed, recording_guard
    try:
        start = time.process_time()
        model = LabelModel().fit(votes)
        total = time.process_time() - start
    finally:
        _em.COMPARISON_TOL, _em.run_em, _em.relabelled_given = saved, original, guard
    evals, seconds = calls[0] if calls else (0, 0.0)
    # the guard runs on the informative runs (one per start), then on the missing fit
    return model, evals, seconds, total, verdicts[-1] > 0


def main() -> None:
    from dev_weak_clique_prior import dev_sets

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tols", type=float, nargs="+", default=[1e-6, 1e-5, 1e-4, 1e-3])
    args = parser.parse_args()
    pd.set_option("display.width", 220)
    rows = []
    for name, votes, truth in dev_sets():
        g = truth.reindex(votes.items).to_numpy()
        scored = (votes.matrix() >= 0).any(axis=1) & pd.notna(g)
        reference = None
        for tol in args.tols:
            model, evals, seconds, total, relabels = _fit(votes, tol)
            labels = model.labels_.to_numpy()
            reference = labels if reference is None else reference
            bic = model.bic_
            rows.append(
                {
                    "set": name,
                    "tol": tol,
                    "abstains": model.abstains_,
                    "bic_margin": bic["missing"] - bic["informative"],
                    "vll_gap": model.vote_log_likelihood_["informative"] - model.vote_log_likelihood_["missing"],
                    "missing_relabels": relabels,
                    "accuracy": float(np.mean(labels[scored] == g[scored])),
                    "changed": float(np.mean(labels != reference)),
                    "evals": evals,
                    "cmp_s": seconds,
                    "fit_s": total,
                }
            )
            shown = pd.DataFrame([rows[-1]]).astype({"tol": str}).round(4)
            line = shown.to_string(index=False, header=len(rows) == 1)
            print(line, flush=True)
    frame = pd.DataFrame(rows)
    base = frame[frame["tol"] == args.tols[0]].set_index("set")
    print(f"\nper tolerance, against tolerance {args.tols[0]:g}:")
    for tol, part in frame.groupby("tol", sort=False):
        part = part.set_index("set")
        other = part.index[part["abstains"] != base["abstains"]].tolist()
        guard = part.index[part["missing_relabels"] != base["missing_relabels"]].tolist()
        moved = part.index[part["changed"] > 0].tolist()
        gain = (part["accuracy"] - base["accuracy"]) * 100
        shift = {col: float((part[col] - base[col]).abs().max()) for col in ("bic_margin", "vll_gap")}
        print(
            f"tol {tol:g}: choice differs on {len(other)} {other}; the guard's verdict on the missing fit on "
            f"{len(guard)} {guard}; labels differ on {len(moved)} {moved} "
            f"(accuracy change, points: min {gain.min():+.3f} max {gain.max():+.3f}); largest shift of the BIC "
            f"margin {shift['bic_margin']:.2f}, of the vote-value gap {shift['vll_gap']:.2f}; comparison fits "
            f"{part['evals'].sum()} EM steps, {part['cmp_s'].sum():.2f} s CPU; whole fits {part['fit_s'].sum():.2f} s"
        )
    # a stopped fit raises the missing model's BIC and lowers its vote-value log-likelihood; where
    # the guard rejects one model's fit the other is kept, else the gap decides only where BIC
    # prefers informative abstains
    open_sets = base[~base["missing_relabels"]]
    bic_prefers = open_sets[open_sets["bic_margin"] > 0]
    print(
        f"closest decisions at tolerance {args.tols[0]:g} (the {len(open_sets)} sets the guard does not decide): "
        f"smallest |BIC margin| {open_sets['bic_margin'].abs().min():.2f} ({open_sets['bic_margin'].abs().idxmin()}); "
        f"smallest |vote-value gap| where BIC prefers informative {bic_prefers['vll_gap'].abs().min():.2f} "
        f"({bic_prefers['vll_gap'].abs().idxmin()})"
    )


if __name__ == "__main__":
    main()
