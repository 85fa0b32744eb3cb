"""Dev check: ``LabelModel(tol=0)`` stops at EM's fixed point, and no default fit changes (session 38, cli38).

The label model's SQUAREM run stopped at the first cycle that raised EM's objective by less than
``tol``; the monotone guard keeps every accepted gain >= 0, so with ``tol=0`` a run at its fixed
point (gains of exactly 0) went on to its ``n_em_iter`` cap and warned (session 37, is15g: 6 of 48
maximum-likelihood runs). ``weak/_em.py`` now stops at ``gain < max(tol, least positive float)``:
the same test for every ``tol > 0``, and "the cycle did not raise the objective" for ``tol=0``.

This script runs, on whatever ``labelwise`` is first on ``PYTHONPATH`` (imported before the dev
modules, which put this checkout's ``src`` first on the path):

* ``LabelModel()`` (the default) on fresh sets of every family (``dev_weak_slot_stop.explore_sets``,
  43 sets for one seed) and on the eight slot crowds of seeds 0 and 1: ``labels_`` and ``probas_``;
* ``LabelModel(tol=0, n_em_iter=3000, prior_strength=0, smoothing=0)`` on the six slot crowds where
  that fit ran to its cap on session 37's code: steps, convergence, warnings, labels, posteriors.

``--save FILE.npz`` writes the arrays; ``--compare A.npz B.npz`` says whether the default fits are
identical bit for bit, and for the ``tol=0`` fits the steps and the largest posterior difference.

Reproduce (main's code, then this branch's)::

    PYTHONPATH=/path/to/main/src python benchmarks/dev_weak_tol_zero.py --save main.npz
    PYTHONPATH=src python benchmarks/dev_weak_tol_zero.py --save branch.npz
    python benchmarks/dev_weak_tol_zero.py --compare main.npz branch.npz

References
----------
.. [1] R. Varadhan and C. Roland, "Simple and globally convergent methods for accelerating the
   convergence of any EM algorithm", Scandinavian Journal of Statistics 35(2), 335-353, 2008.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

import labelwise  # first: the labelwise of PYTHONPATH, whatever the dev modules put on the path
from labelwise.weak import LabelModel

sys.path.insert(0, str(Path(__file__).parent))

from _machine import machine_line  # noqa: E402

#: The slot crowds (seed, K, slots, share of lured items) whose tol=0 ML fit hit its cap on main 3456d6ab.
CAPPED = ((32, 10, 4, 0.2), (34, 10, 3, 0.2), (36, 10, 3, 0.0), (39, 10, 3, 0.2), (39, 10, 3, 0.0), (40, 10, 4, 0.2))
SLOT_CONFIGS = ((10, 3, 0.2), (10, 3, 0.0), (5, 3, 0.3), (10, 4, 0.2))


def run(seed: int) -> dict[str, np.ndarray]:
    """The arrays of every fit (see the module's docstring)."""
    from dev_weak_clique_prior import slot_crowd
    from dev_weak_slot_stop import explore_sets

    out: dict[str, np.ndarray] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _, name, votes, _ in explore_sets(seed):
            model = LabelModel().fit(votes)
            out[f"default/{name}/labels"] = np.asarray(model.labels_.astype(str))
            out[f"default/{name}/probas"] = model.probas_.to_numpy()
        for s in (0, 1):
            for k, slots, lured in SLOT_CONFIGS:
                votes, _ = slot_crowd(20000, k, slots, lured, s)
                model = LabelModel(labels=list(range(k))).fit(votes.matrix())
                out[f"default/slot_s{s}_K{k}_{slots}_{lured}/labels"] = model.labels_.to_numpy()
                out[f"default/slot_s{s}_K{k}_{slots}_{lured}/probas"] = model.probas_.to_numpy()
    for s, k, slots, lured in CAPPED:
        votes, _ = slot_crowd(20000, k, slots, lured, s)
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            model = LabelModel(labels=list(range(k)), tol=0.0, n_em_iter=3000, prior_strength=0.0, smoothing=0.0)
            model.fit(votes.matrix())
        key = f"tol0/slot_s{s}_K{k}_{slots}_{lured}"
        out[f"{key}/labels"] = model.labels_.to_numpy()
        out[f"{key}/probas"] = model.probas_.to_numpy()
        out[f"{key}/run"] = np.array([model.n_em_evals_, model.em_converged_, len(said)], dtype=np.int64)
        print(f"{key}: {model.n_em_evals_} EM steps, converged {model.em_converged_}, {len(said)} warning(s)")
    return out


def compare(a_path: str, b_path: str) -> None:
    """Default fits identical bit for bit? The tol=0 fits' steps, labels and posteriors side by side."""
    a, b = np.load(a_path, allow_pickle=True), np.load(b_path, allow_pickle=True)
    defaults = [k for k in a.files if k.startswith("default/")]
    same = [k for k in defaults if a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k])]
    same = [k for k in same if a[k].dtype == object or a[k].tobytes() == b[k].tobytes()]
    print(f"default fits: {len(same)} of {len(defaults)} arrays identical ({len(defaults) // 2} sets)")
    for key in sorted({k.rsplit("/", 1)[0] for k in a.files if k.startswith("tol0/")}):
        ra, rb = a[f"{key}/run"], b[f"{key}/run"]
        labels = np.array_equal(a[f"{key}/labels"], b[f"{key}/labels"])
        gap = float(np.abs(a[f"{key}/probas"] - b[f"{key}/probas"]).max())
        print(f"{key}: steps {ra[0]} -> {rb[0]}, converged {bool(ra[1])} -> {bool(rb[1])}, warnings {ra[2]} -> {rb[2]}; "
              f"labels equal {labels}, largest posterior difference {gap:.1e}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--save", help="write the fits' arrays to this .npz")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two saved runs")
    parser.add_argument("--seed", type=int, default=37, help="seed of the fresh family sets (default 37)")
    args = parser.parse_args()
    print(machine_line("crowd-kit"))
    if args.compare:
        compare(*args.compare)
        return
    print(f"labelwise from {Path(labelwise.__file__).parent}")
    arrays = run(args.seed)
    if args.save:
        np.savez(args.save, **arrays)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
