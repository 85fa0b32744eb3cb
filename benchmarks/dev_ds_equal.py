"""Dev check for issue 12 (session 13): the fits of two source trees give the same results on dev crowds.

Each crowd has the structure of ``dev_majority_steps.simulate`` (dev seeds, never the benchmark's
0), at a size given on the command line, with variants that take other code paths: few annotators
(answer patterns grouped), ``duplicates="last"``, a pandas categorical item column and object
(string) item ids. ``fit`` writes every method's labels, posteriors, skills and loss history to an
``.npz`` file; ``compare`` prints the largest difference between two such files.

Usage::

    PYTHONPATH=<main>/src python benchmarks/dev_ds_equal.py fit main.npz --seed 3
    PYTHONPATH=src python benchmarks/dev_ds_equal.py fit branch.npz --seed 3
    python benchmarks/dev_ds_equal.py compare main.npz branch.npz
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from dev_majority_steps import simulate  # noqa: E402


def crowds(seed: int, n_answers: int) -> dict[str, tuple[pd.DataFrame, dict]]:
    """The dev crowds: name -> (answers, fit parameters)."""
    n_items = max(n_answers // 10, 1)
    base = simulate(seed, n_answers=n_answers, n_items=n_items, n_annotators=max(n_items // 100, 20))
    few = simulate(seed + 100, n_answers=n_answers // 10, n_items=n_items // 10, n_annotators=6)
    cat = base.assign(item=base["item"].astype("category"))
    strings = base.assign(item="i" + base["item"].astype(str))
    return {
        "sparse": (base, {}),
        "sparse-last": (base, {"duplicates": "last"}),
        "grouped": (few, {}),
        "grouped-last": (few, {"duplicates": "last"}),
        "categorical": (cat, {}),
        "strings": (strings, {}),
        "sparse-smoothing": (base, {"smoothing": 0.01}),
    }


def fit(out: Path, seed: int, n_answers: int) -> None:
    from labelwise.aggregate import DawidSkene, MajorityVote, OneCoinDawidSkene

    arrays: dict[str, np.ndarray] = {}
    for name, (answers, params) in crowds(seed, n_answers).items():
        for method, cls in (("mv", MajorityVote), ("ds", DawidSkene), ("oc", OneCoinDawidSkene)):
            kwargs = {k: v for k, v in params.items() if k != "smoothing" or method == "ds"}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est = cls(**kwargs).fit(answers)
            arrays[f"{name}/{method}/labels"] = np.asarray(est.label_codes_)
            arrays[f"{name}/{method}/probas"] = est.probas_.to_numpy()
            arrays[f"{name}/{method}/skill"] = est.annotator_skill_.to_numpy()
            arrays[f"{name}/{method}/loss"] = np.asarray(est.loss_history_, dtype=np.float64)
    np.savez(out, **arrays)


def compare(a: Path, b: Path) -> None:
    x, y = np.load(a), np.load(b)
    assert sorted(x.files) == sorted(y.files), "different contents"
    worst = 0.0
    for key in sorted(x.files):
        u, v = x[key], y[key]
        diff = (
            float(np.max(np.abs(u - v))) if u.shape == v.shape and u.size else (0.0 if u.shape == v.shape else np.inf)
        )
        worst = max(worst, diff)
        if diff:
            print(f"{key}: largest difference {diff:.3g}")
    print(f"{len(x.files)} arrays, largest difference {worst:.3g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["fit", "compare"])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--answers", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.mode == "fit":
        fit(args.files[0], args.seed, args.answers)
    else:
        compare(*args.files[:2])


if __name__ == "__main__":
    main()
