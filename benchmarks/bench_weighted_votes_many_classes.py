"""Wawa and zero-based skill (and one-coin Dawid-Skene and GLAD: ``--methods one-coin,glad``) on 1M answers with ~1M distinct labels (free text) and with K = 10, this checkout
against another source tree, side by side (each run in its own process): the estimators' ``fit`` on a
DataFrame, and ``labelwise aggregate FILE --format votes --method wawa|zero-based-skill`` on the same answers
written as a votes CSV (item, sample, answer).

Usage: ``python benchmarks/bench_weighted_votes_many_classes.py OTHER_SRC [n_answers] [--what api,cli]
[--methods wawa,zero-based-skill] [--cap-gib 6]`` (``--what api --methods gold-majority-vote``: gold majority
vote with the first answer of every 10th item as gold); each run's address space is capped (``--cap-gib``); prints one JSON line per run: seconds,
peak RSS, the outcome (an error is reported, not raised), a checksum of
the labels (API) and the iterations of zero-based skill. The answers are those of
``bench_majority_many_classes.py`` (200k items, 50 annotators; 80% of the answers a text of their own, 20%
one of two texts per item).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "src"

ANSWERS = r"""
import numpy as np, pandas as pd
def answers(n, case):
    g = np.random.default_rng(0)
    items = g.integers(0, n // 5, n)
    if case == "distinct":
        labels = np.where(g.random(n) < 0.2, items * 1000 + g.integers(0, 2, n), np.arange(n) + 10**9)
    else:
        labels = g.integers(0, 10, n)
    return pd.DataFrame({"item": items, "annotator": np.arange(n) % 50, "label": labels})
"""

CHILD = (
    ANSWERS
    + r"""
import json, resource, sys, time
n, case, what, method = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
result = {}
t = time.perf_counter()
try:
    if what == "api":
        from labelwise.aggregate import GoldMajorityVote
        from labelwise.aggregate.methods import METHODS
        df = answers(n, case)
        t = time.perf_counter()
        if method == "gold-majority-vote":  # gold: the first answer of every 10th item
            est = GoldMajorityVote(gold=df.groupby("item")["label"].first().iloc[::10], random_state=0).fit(df)
        else:
            est = METHODS[method](random_state=0).fit(df)
        result = {"checksum": int(pd.util.hash_pandas_object(est.labels_).sum() % 10**9), "n_iter": est.n_iter_}
    else:
        from labelwise.cli import main
        main(["aggregate", sys.argv[5], "--format", "votes", "--method", method, "--out", sys.argv[6], "--quiet"],
             standalone_mode=False)
        out = pd.read_csv(sys.argv[6] + "/labels.csv")
        result = {"rows": len(out), "prob_columns": sum(c.startswith("prob_") for c in out.columns)}
    result["ok"] = True
except (MemoryError, Exception, SystemExit) as e:
    result = {"ok": False, "error": f"{type(e).__name__}: {str(e)[:160]}"}
result["s"] = round(time.perf_counter() - t, 2)
result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(result))
"""
)


def _run(src: Path, cap_gib: float, *args: str) -> dict:
    """One child; its address space capped at ``cap_gib`` (a dense table that the machine could hold is then a
    MemoryError, not a swap storm on a shared machine)."""

    def cap() -> None:
        limit = int(cap_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    run = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        env={"PYTHONPATH": str(src), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=cap,
    )
    line = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    got = json.loads(line) if line.startswith("{") else {"ok": False, "error": ""}
    if not got["ok"] and run.stderr.strip():  # what the command printed (the CLI's error message)
        got["stderr"] = run.stderr.strip()[-300:]
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="the other source tree (e.g. main's src)")
    parser.add_argument("n", type=int, nargs="?", default=1_000_000, help="answers")
    parser.add_argument("--what", default="api,cli", help="api (fit on a DataFrame), cli (labelwise aggregate)")
    parser.add_argument("--methods", default="wawa,zero-based-skill")
    parser.add_argument("--cap-gib", type=float, default=6.0, help="address-space limit of each run")
    args = parser.parse_args()
    trees = (("this", HERE), ("other", args.other.resolve()))
    methods = args.methods.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        for what in args.what.split(","):
            for case in ("distinct", "k10") if what == "api" else ("distinct",):
                votes = Path(tmp) / f"{case}.csv"
                if what == "cli" and not votes.exists():
                    namespace: dict = {}
                    exec(ANSWERS, namespace)  # the same answers as the children's
                    frame = namespace["answers"](args.n, case)
                    frame.set_axis(["item", "sample", "answer"], axis=1).to_csv(votes, index=False)
                for method in methods:
                    for name, src in trees:
                        out = Path(tmp) / f"out-{name}-{method}"
                        got = _run(src, args.cap_gib, str(args.n), case, what, method, str(votes), str(out))
                        print(
                            json.dumps({"what": what, "case": case, "method": method, "src": name, **got}), flush=True
                        )


if __name__ == "__main__":
    main()
