"""ActiveLab (which item to label next): labelwise vs cleanlab 2.9, same inputs, one run.

1. A simulated relabeling loop. Items are Gaussian clusters (one per class) in 10 dimensions; a
   hidden pool of annotators of accuracy U(0.45, 0.85) (errors uniform over the other classes)
   answers. At the start 60% of the items have one or two answers, the rest none. Each round the
   model (logistic regression) is refitted on the current consensus: out-of-fold probabilities for
   answered items, a fit on all of them for the others; then ``--budget`` items get one more answer
   from a pool annotator who has not answered them. Strategies: ActiveLab by labelwise, ActiveLab by
   cleanlab (each follows its own picks), random items, and the lowest CROWDLAB consensus quality
   among answered items. After each round: accuracy of the consensus on every item (CROWDLAB on
   answered items, the model's class elsewhere) against the truth, and the overlap of labelwise's
   and cleanlab's picks on the same state (same selections expected, see the docs for where not).
2. Time of one scoring call (answered + 10% unanswered items, 2 answers per item from 50
   annotators, K = 4) at each ``--sizes``: labelwise and cleanlab (cleanlab only up to
   ``--peer-max``: its per-row Python loops take minutes beyond).

    python benchmarks/bench_activelab.py [--items 3000] [--rounds 6] [--budget 150]
        [--sizes 10000,100000,1000000] [--peer-max 100000] [--seed 0]
    python benchmarks/bench_activelab.py --ensemble-sizes 2000,20000   # only part 3

3. ``--ensemble-sizes``: three models of accuracy 0.9 / 0.75 / 0.6, 2 answers per item: the command
   ``labelwise aggregate --probs ... x3 --unlabeled-probs ... x3 --next`` run in-process (files
   written and read; its scores against the API's), ``active_learning_scores`` with the list of
   models, and cleanlab's ``get_active_learning_scores_ensemble``: time and the lowest 1% shared.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import cpu_model
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from labelwise.aggregate import CrowdLab, active_learning_scores  # noqa: E402

K = 4
POOL = 40


def _cleanlab_scores(answers: pd.DataFrame, n_annotators: int, probs: np.ndarray, unlabeled: np.ndarray | None):
    from cleanlab.multiannotator import get_active_learning_scores

    wide = np.full((probs.shape[0], n_annotators), np.nan)
    wide[answers["item"].to_numpy(), answers["annotator"].to_numpy()] = answers["label"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return get_active_learning_scores(wide, probs.copy(), None if unlabeled is None else unlabeled.copy())


class Loop:
    """One strategy's run of the relabeling loop."""

    def __init__(self, strategy: str, args: argparse.Namespace) -> None:
        rng = np.random.default_rng(args.seed)  # the same world for every strategy
        n = args.items
        self.truth = rng.integers(0, K, n)
        centers = rng.normal(0, 1.0, (K, 10))
        self.X = centers[self.truth] + rng.normal(0, 1.6, (n, 10))
        self.acc = rng.uniform(0.45, 0.85, POOL)
        self.answer_rng = np.random.default_rng(args.seed + 1)
        self.pick_rng = np.random.default_rng(args.seed + 2)
        self.rows: list[tuple[int, int, int]] = []
        start = rng.permutation(n)[: int(0.6 * n)]
        for i in start:
            for _ in range(1 + int(rng.random() < 0.5)):
                self._answer(int(i))
        self.strategy, self.budget = strategy, args.budget

    def _answer(self, i: int) -> None:
        done = {a for (j, a, _) in self.rows if j == i}
        a = int(self.answer_rng.choice([a for a in range(POOL) if a not in done]))
        right = self.answer_rng.random() < self.acc[a]
        label = self.truth[i] if right else (self.truth[i] + self.answer_rng.integers(1, K)) % K
        self.rows.append((i, a, int(label)))

    def state(self):
        answers = pd.DataFrame(self.rows, columns=["item", "annotator", "label"])
        labeled = np.unique(answers["item"])
        unlabeled = np.setdiff1d(np.arange(len(self.truth)), labeled)
        consensus = CrowdLab().fit(answers, np.full((len(labeled), K), 1 / K)).labels_.to_numpy()  # vote
        model = LogisticRegression(max_iter=500)
        probs = cross_val_predict(model, self.X[labeled], consensus, cv=5, method="predict_proba")
        probs_u = model.fit(self.X[labeled], consensus).predict_proba(self.X[unlabeled])
        return answers, labeled, unlabeled, probs, probs_u

    def accuracy_and_pick(self, overlap_with_peer: bool):
        answers, labeled, unlabeled, probs, probs_u = self.state()
        cl = CrowdLab().fit(answers, probs)
        pred = np.empty(len(self.truth), dtype=np.int64)
        pred[labeled] = cl.labels_.to_numpy()
        pred[unlabeled] = probs_u.argmax(axis=1)
        acc = float(np.mean(pred == self.truth))
        items = np.concatenate([labeled, unlabeled])
        overlap = None
        if self.strategy.startswith("activelab"):
            ours = active_learning_scores(answers, probs, probs_u)
            s_ours = np.concatenate([ours.labeled.to_numpy(), ours.unlabeled.to_numpy()])
            pick_ours = items[np.argsort(s_ours, kind="stable")[: self.budget]]
            rows = answers.assign(item=np.searchsorted(labeled, answers["item"]))  # wide rows: answered items
            a, b = _cleanlab_scores(rows, POOL, probs, probs_u)
            s_peer = np.concatenate([a, b])
            pick_peer = items[np.argsort(s_peer, kind="stable")[: self.budget]]
            overlap = len(np.intersect1d(pick_ours, pick_peer)) / self.budget
            # the same computation: cleanlab's temperature (its count, see the docs) and its two rounds
            same = active_learning_scores(
                answers, probs, probs_u, temperature=_peer_temperature(rows, probs, POOL), max_iter=2
            )
            s_same = np.concatenate([same.labeled.to_numpy(), same.unlabeled.to_numpy()])
            pick_same = items[np.argsort(s_same, kind="stable")[: self.budget]]
            overlap = (overlap, len(np.intersect1d(pick_same, pick_peer)) / self.budget)
            pick = pick_ours if self.strategy == "activelab-labelwise" else pick_peer
        elif self.strategy == "random":
            pick = self.pick_rng.choice(len(self.truth), self.budget, replace=False)
        else:  # lowest consensus quality among answered items
            pick = labeled[np.argsort(cl.item_quality_.to_numpy(), kind="stable")[: self.budget]]
        return acc, overlap, pick

    def run(self, rounds: int) -> tuple[list[float], list[float]]:
        accs, overlaps = [], []
        for _ in range(rounds):
            acc, overlap, pick = self.accuracy_and_pick(True)
            accs.append(acc)
            if overlap is not None:
                overlaps.append(overlap)
            for i in pick:
                self._answer(int(i))
        accs.append(self.accuracy_and_pick(False)[0])
        return accs, overlaps


def loop(args: argparse.Namespace) -> None:
    print(f"\n## relabeling loop: {args.items} items, {args.rounds} rounds of {args.budget} answers, K={K}")
    table = {}
    for strategy in ("activelab-labelwise", "activelab-cleanlab", "random", "lowest-consensus"):
        start = time.perf_counter()
        accs, overlaps = Loop(strategy, args).run(args.rounds)
        table[strategy] = accs
        extra = (
            f"; picks shared with cleanlab per round (as is, with cleanlab's temperature and 2 rounds) "
            f"{[(round(a, 3), round(b, 3)) for a, b in overlaps]}"
            if overlaps
            else ""
        )
        print(
            f"{strategy:22s} accuracy per round {[round(a, 4) for a in accs]} ({time.perf_counter() - start:.0f} s){extra}"
        )


def timing(args: argparse.Namespace) -> None:
    print("\n## one scoring call: labelwise vs cleanlab")
    for n in [int(s) for s in args.sizes.split(",")]:
        rng = np.random.default_rng(args.seed)
        truth = rng.integers(0, K, n)
        item = np.repeat(np.arange(n), 2)
        ann = np.stack([rng.integers(0, 25, n), rng.integers(25, 50, n)], axis=1).ravel()
        label = np.where(rng.random(2 * n) < 0.7, truth[item], rng.integers(0, K, 2 * n))
        answers = pd.DataFrame({"item": item, "annotator": ann, "label": label})
        probs = rng.dirichlet(np.ones(K), n) * 0.5
        probs[np.arange(n), truth] += 0.5
        unl = rng.dirichlet(np.ones(K), n // 10)
        start = time.perf_counter()
        ours = active_learning_scores(answers, probs, unl)
        t_ours = time.perf_counter() - start
        line = f"n={n:>8d}: labelwise {t_ours:7.2f} s"
        if n <= args.peer_max:
            start = time.perf_counter()
            a, b = _cleanlab_scores(answers, 50, probs, unl)
            t_peer = time.perf_counter() - start
            k = max(1, n // 100)
            low = np.argsort(a)[:k]
            top = len(np.intersect1d(np.argsort(ours.labeled.to_numpy())[:k], low)) / k
            t_peer_temp = _peer_temperature(answers, probs, 50)
            same = active_learning_scores(answers, probs, unl, temperature=t_peer_temp, max_iter=2)
            top_same = len(np.intersect1d(np.argsort(same.labeled.to_numpy())[:k], low)) / k
            line += (
                f", cleanlab {t_peer:7.2f} s, speed ratio {t_peer / t_ours:5.1f}x; temperatures "
                f"{ours.temperature} (cleanlab's {t_peer_temp}); lowest 1% shared with cleanlab {top:.3f} "
                f"(with cleanlab's temperature and 2 rounds {top_same:.3f}, max |score diff| "
                f"{np.abs(same.labeled.to_numpy() - a).max():.2e})"
            )
        else:
            line += f", cleanlab skipped (> --peer-max {args.peer_max})"
        print(line)


def ensemble(args: argparse.Namespace) -> None:
    """Three models: ``labelwise aggregate --probs x3 --unlabeled-probs x3 --next`` (in-process), the API
    and cleanlab's ``get_active_learning_scores_ensemble`` on the same input."""
    import tempfile

    from cleanlab.multiannotator import get_active_learning_scores_ensemble
    from click.testing import CliRunner

    from labelwise.cli import main as cli

    print("\n## an ensemble of 3 models: the command line, the API and cleanlab")
    for n in [int(s) for s in args.ensemble_sizes.split(",")]:
        rng = np.random.default_rng(args.seed)
        truth = rng.integers(0, K, n)
        item = np.repeat(np.arange(n), 2)
        ann = np.stack([rng.integers(0, 25, n), rng.integers(25, 50, n)], axis=1).ravel()
        label = np.where(rng.random(2 * n) < 0.7, truth[item], rng.integers(0, K, 2 * n))
        answers = pd.DataFrame({"item": item, "annotator": ann, "label": label})
        probs = rng.dirichlet(np.ones(K), (3, n)) * 0.5
        for m, acc in enumerate((0.9, 0.75, 0.6)):
            hit = np.where(rng.random(n) < acc, truth, rng.integers(0, K, n))
            probs[m, np.arange(n), hit] += 0.5
        pool = rng.dirichlet(np.ones(K), (3, n // 10))
        pool_ids = pd.Index([f"new{i}" for i in range(n // 10)], name="item")
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            answers.to_csv(root / "answers.csv", index=False)
            argv = ["aggregate", str(root / "answers.csv"), "--next", str(n + n // 10), "--out", str(root / "out")]
            for m in range(3):
                np.save(root / f"p{m}.npy", probs[m])
                pd.DataFrame(pool[m], index=pool_ids).reset_index().to_csv(root / f"u{m}.csv", index=False)
                argv += ["--probs", str(root / f"p{m}.npy"), "--unlabeled-probs", str(root / f"u{m}.csv")]
            start = time.perf_counter()
            result = CliRunner().invoke(cli, argv)
            t_cli = time.perf_counter() - start
            assert result.exit_code == 0, result.output
            written = pd.read_csv(root / "out" / "next_to_label.csv", dtype={"item": str}).set_index("item")["score"]
        start = time.perf_counter()
        ours = active_learning_scores(answers, list(probs), list(pool))
        t_api = time.perf_counter() - start
        cli_diff = np.abs(written.loc[[str(i) for i in range(n)]].to_numpy() - ours.labeled.to_numpy()).max()
        wide = np.full((n, 50), np.nan)
        wide[item, ann] = label
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs, _ = get_active_learning_scores_ensemble(wide, probs.copy(), pool.copy())
        t_peer = time.perf_counter() - start
        k = max(1, n // 100)
        top = len(np.intersect1d(np.argsort(ours.labeled.to_numpy())[:k], np.argsort(theirs)[:k])) / k
        print(
            f"n={n:>7d} (+{n // 10} unanswered): command {t_cli:6.2f} s (max |score - API's| {cli_diff:.1e}), "
            f"API {t_api:6.2f} s, cleanlab {t_peer:6.2f} s, cleanlab / API {t_peer / t_api:5.1f}x; "
            f"lowest 1% shared with cleanlab {top:.3f}"
        )


def _peer_temperature(answers: pd.DataFrame, probs: np.ndarray, n_annotators: int) -> float:
    """cleanlab's temperature on the same answers (rows = answered items in order)."""
    from cleanlab.internal.multiannotator_utils import find_best_temp_scaler

    wide = np.full((len(probs), n_annotators), np.nan)
    wide[answers["item"].to_numpy(), answers["annotator"].to_numpy()] = answers["label"].to_numpy()
    return float(find_best_temp_scaler(wide, probs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--budget", type=int, default=150)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--peer-max", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-loop", action="store_true")
    parser.add_argument("--ensemble-sizes", default="", help="run only the 3-model comparison at these sizes")
    args = parser.parse_args()
    import cleanlab
    import sklearn

    print(
        f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}, cleanlab {cleanlab.__version__}"
    )
    if args.ensemble_sizes:
        ensemble(args)
        return
    if not args.skip_loop:
        loop(args)
    timing(args)


if __name__ == "__main__":
    main()
