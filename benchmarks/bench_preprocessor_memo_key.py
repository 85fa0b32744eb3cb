"""Benchmark: a preprocessor memoised under a ``memoize_key``, labelwise against Snorkel 0.10 live.

One run, the same input for both (Snorkel 0.10 in its own virtualenv, this script with
``--snorkel-worker`` in a subprocess). The rows repeat a few distinct texts (``--texts`` of them
over ``--rows`` rows, as tweets or titles repeat) and each holds a list (``tags``), so no row is
hashable: Snorkel's default key, and labelwise's, compute such rows every time, and only a key
function of the text can share the work. One row preprocessor (``tokens``: the sorted distinct
lower-cased words and the word count) is memoised with ``memoize_key=lambda x: x.text``:

1. Frame: Snorkel's ``PandasLFApplier`` against ``weak.apply`` with four row LFs, three reading
   the preprocessor's fields and one (``odd_num``) a column the key leaves out. The three must give
   identical votes; ``odd_num`` shows the one difference (Snorkel hands the first row of a key on
   whole, so its ``num`` is that row's): the rows where the two differ are counted, and Snorkel's
   must equal ``odd_num`` of the first row of each text.
2. Points: Snorkel's ``TFApplier`` against ``weak.augment`` on the rows as ``SimpleNamespace``
   points, one TF behind the preprocessor (``ApplyAllPolicy``) that appends "!" to the text in
   place: the preprocessor's fields of every output point must be identical. Snorkel's cache hands
   every point of a text the same object, so its TF's change lands on all of them (the text gets
   one "!" run per point of that text); labelwise gives each point its own copy. Both are checked
   and the points whose text differ counted.
3. For each: how many times each library called the preprocessor (both must call it once per
   distinct text), and labelwise with the default key (``memoize=True`` alone; a call per row).

It prints equal or not, the calls, and Snorkel's seconds over labelwise's::

    python benchmarks/bench_preprocessor_memo_key.py --snorkel-python /work/venvs/weak-snorkel/bin/python

Options: ``--rows`` (default 100,000), ``--texts`` (default 2,000), ``--timeout``. The rules and
the data were written before any run; nothing is tuned.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import pickle
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from _machine import machine_line
from _worker import run_worker

ROOT = Path(__file__).resolve().parents[1]
SNORKEL_PYTHON = "/work/venvs/weak-snorkel/bin/python"
WORDS = [f"w{i}" for i in range(40)] + ["Win", "cash", "PRIZE", "hi", "mom", "lunch", "Meeting", "refund"]


def make_rows(n: int, n_texts: int, seed: int = 0) -> pd.DataFrame:
    """``n`` rows drawing their text from ``n_texts`` texts of 2-12 words, a unique ``num`` and a list ``tags``."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 13, n_texts)
    texts = [" ".join(np.array(WORDS)[rng.integers(0, len(WORDS), k)]) for k in lengths.tolist()]
    pick = rng.integers(0, n_texts, n)
    return pd.DataFrame({"text": [texts[i] for i in pick.tolist()], "num": np.arange(n), "tags": [[i] for i in pick]})


def tokens_of(text: str) -> dict[str, Any]:
    """The preprocessor's fields (both libraries): the sorted distinct lower-cased words and the word count."""
    words = text.lower().split(" ")
    return {"tokens": tuple(sorted(set(words))), "n_words": len(words)}


def text_key(x: Any) -> str:
    return x.text


def points_of(df: pd.DataFrame) -> list[SimpleNamespace]:
    cols = {c: df[c].tolist() for c in df.columns}
    return [SimpleNamespace(**{c: cols[c][i] for c in cols}) for i in range(len(df))]


# ----------------------------------------------------------------------------- rules (both libraries)


def rule_prize(x: Any) -> int:
    return 1 if "prize" in x.tokens else -1


def rule_meeting(x: Any) -> int:
    return 0 if "meeting" in x.tokens or "lunch" in x.tokens else -1


def rule_long(x: Any) -> int:
    return 0 if x.n_words > 9 else -1


def rule_odd_num(x: Any) -> int:
    return 1 if x.num % 2 else -1


RULES = [rule_prize, rule_meeting, rule_long, rule_odd_num]


def exclaim(x: Any) -> Any:
    x.text = x.text + "!" * min(x.n_words, 3)
    return x


# ----------------------------------------------------------------------------- snorkel worker


def snorkel_worker(inp: str, out: str) -> None:
    from snorkel.augmentation import ApplyAllPolicy, TFApplier, transformation_function
    from snorkel.labeling import PandasLFApplier, labeling_function
    from snorkel.preprocess import preprocessor

    df = pd.read_pickle(inp)
    calls = [0]

    def make_pre() -> Any:
        @preprocessor(memoize=True, memoize_key=text_key)
        def tokens(x):
            calls[0] += 1
            for k, v in tokens_of(x.text).items():
                setattr(x, k, v)
            return x

        return tokens

    results: dict[str, Any] = {}
    pre = make_pre()
    lfs = [labeling_function(name=f.__name__, pre=[pre])(f) for f in RULES]
    start = time.perf_counter()
    L = PandasLFApplier(lfs).apply(df, progress_bar=False)
    results["frame"] = {"L": L, "calls": calls[0], "seconds": time.perf_counter() - start}
    calls[0] = 0
    tf = transformation_function(name="exclaim", pre=[make_pre()])(exclaim)
    points = points_of(df)
    start = time.perf_counter()
    got = TFApplier([tf], ApplyAllPolicy(1, keep_original=False)).apply(points, progress_bar=False)
    seconds = time.perf_counter() - start
    fields = [(p.text, p.tokens, p.n_words, p.num) for p in got]
    results["points"] = {"fields": fields, "calls": calls[0], "seconds": seconds}
    with open(out, "wb") as fh:
        pickle.dump(results, fh)


# ----------------------------------------------------------------------------- labelwise


def labelwise_runs(df: pd.DataFrame) -> dict[str, Any]:
    from labelwise import weak

    calls = [0]

    def make_pre(keyed: bool = True) -> Any:
        def tokens(x):
            calls[0] += 1
            return tokens_of(x.text)

        return weak.preprocessor(tokens, memoize=True, memoize_key=text_key if keyed else None)

    results: dict[str, Any] = {}
    for name, keyed in (("frame", True), ("frame-default-key", False)):
        calls[0] = 0
        pre = make_pre(keyed)
        lfs = [weak.labeling_function(f, name=f.__name__, abstain=-1, pre=[pre]) for f in RULES]
        start = time.perf_counter()
        votes = weak.apply(lfs, df, classes=[0, 1], verbose=False)
        seconds = time.perf_counter() - start
        results[name] = {"L": votes.matrix(), "calls": calls[0], "seconds": seconds}
    points = points_of(df)
    for name, keyed in (("points", True), ("points-default-key", False)):
        calls[0] = 0
        tf = weak.transformation_function(exclaim, pre=[make_pre(keyed)])
        start = time.perf_counter()
        got = weak.augment([tf], points, policy=weak.ApplyAllPolicy(keep_original=False), verbose=False)
        seconds = time.perf_counter() - start
        fields = [(p.text, p.tokens, p.n_words, p.num) for p in got.points]
        results[name] = {"fields": fields, "calls": calls[0], "seconds": seconds}
    return results


# ----------------------------------------------------------------------------- the comparison


def compare(df: pd.DataFrame, ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """Equal or not, the calls and the speed ratios; the ``num`` difference counted and checked."""
    first = df.groupby("text", sort=False).num.transform("first").to_numpy()
    report: dict[str, Any] = {"rows": len(df), "distinct_texts": int(df.text.nunique())}
    mine, their = ours["frame"]["L"], np.asarray(theirs["frame"]["L"])
    report["frame"] = {
        "same_votes_of_the_preprocessors_fields": bool((mine[:, :3] == their[:, :3]).all()),
        "odd_num_rows_differing": int((mine[:, 3] != their[:, 3]).sum()),
        "odd_num_snorkel_is_first_row_of_text": bool((their[:, 3] == np.where(first % 2, 1, -1)).all()),
        "odd_num_labelwise_is_own_row": bool((mine[:, 3] == np.where(df.num % 2, 1, -1)).all()),
    }
    a, b = ours["points"]["fields"], theirs["points"]["fields"]
    marks = [min(len(t.split(" ")), 3) for t in df.text]
    count = df.groupby("text", sort=False).num.transform("size").to_numpy()
    report["points"] = {
        "same_preprocessor_fields": len(a) == len(b) and all(x[1:3] == y[1:3] for x, y in zip(a, b, strict=False)),
        "labelwise_text_is_own_point_exclaimed": [x[0] for x in a]
        == [t + "!" * k for t, k in zip(df.text, marks, strict=True)],
        # Snorkel's cache hands every point of a text the same object, which the TF changes in place
        "snorkel_text_exclaimed_once_per_point_of_its_text": [y[0] for y in b]
        == [t + "!" * (k * c) for t, k, c in zip(df.text, marks, count.tolist(), strict=True)],
        "text_rows_differing": sum(x[0] != y[0] for x, y in zip(a, b, strict=False)),
        "snorkel_num_is_first_point_of_text": [y[3] for y in b] == first.tolist(),
        "labelwise_num_is_own_point": [x[3] for x in a] == df.num.tolist(),
    }
    for part in ("frame", "points"):
        row = report[part]
        row["calls"] = {"labelwise": ours[part]["calls"], "snorkel": theirs[part]["calls"]}
        row["calls"]["labelwise_default_key"] = ours[f"{part}-default-key"]["calls"]
        row["seconds"] = {
            "labelwise": round(ours[part]["seconds"], 3),
            "snorkel": round(theirs[part]["seconds"], 3),
            "labelwise_default_key": round(ours[f"{part}-default-key"]["seconds"], 3),
        }
        row["speedup_over_snorkel"] = round(theirs[part]["seconds"] / max(ours[part]["seconds"], 1e-9), 1)
    same = ours["frame-default-key"]["L"] == ours["frame"]["L"]
    report["frame"]["default_key_same_votes"] = bool(same.all())
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snorkel-worker", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--snorkel-python", default=SNORKEL_PYTHON)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--texts", type=int, default=2_000)
    ap.add_argument("--timeout", type=float, default=3600.0)
    args = ap.parse_args()
    if args.snorkel_worker:
        snorkel_worker(*args.snorkel_worker)
        return
    sys.path.insert(0, str(ROOT / "src"))
    print(machine_line(), flush=True)
    df = make_rows(args.rows, args.texts)
    ours = labelwise_runs(df)
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "rows.pkl", Path(tmp) / "snorkel.pkl"
        df.to_pickle(inp)
        error = run_worker(args.snorkel_python, __file__, [str(inp), str(out)], args.timeout)
        if error is not None:
            print(json.dumps({"snorkel_error": error}))
            return
        with open(out, "rb") as fh:
            theirs = pickle.load(fh)
    print(json.dumps(compare(df, ours, theirs), indent=1))


if __name__ == "__main__":
    main()
