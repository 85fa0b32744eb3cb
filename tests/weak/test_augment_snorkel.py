"""weak.augment against Snorkel 0.10's PandasTFApplier (its own virtualenv, by subprocess).

Snorkel pins packages the project's environment cannot hold, so it is not a test dependency: the
comparison runs when ``LABELWISE_SNORKEL_PYTHON`` names the Python of a virtualenv holding Snorkel
0.10 (``benchmarks/bench_augment.py`` makes the same comparison on every run)."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from labelwise import weak

SNORKEL_PYTHON = Path(os.environ.get("LABELWISE_SNORKEL_PYTHON", "/nonexistent/snorkel-python"))

TFS = """
def upper(x):
    if x.num % 3 == 0:
        return None
    x.text = x.text.upper()
    return x

def dup_last(x):
    if x.n_words < 2:
        return None
    x.text = x.text + " " + x.text.split()[-1]
    return x

def bump(x):
    x.num = x.num + 100
    return x
"""

SNORKEL = (
    """
import json, sys
import numpy as np, pandas as pd
from snorkel.augmentation import (ApplyAllPolicy, ApplyEachPolicy, ApplyOnePolicy, MeanFieldPolicy,
                                  PandasTFApplier, RandomPolicy, transformation_function)
from snorkel.preprocess import preprocessor
"""
    + TFS
    + """
@preprocessor()
def add_len(x):
    x.n_words = len(x.text.split())
    return x

tfs = [transformation_function()(upper), transformation_function(pre=[add_len])(dup_last),
       transformation_function()(bump)]
df = pd.read_json(sys.stdin, orient="split")
policies = {
    "all": ApplyAllPolicy(3, n_per_original=2, keep_original=True),
    "each": ApplyEachPolicy(3, keep_original=False),
    "one": ApplyOnePolicy(n_per_original=2),
    "random": RandomPolicy(3, sequence_length=2, n_per_original=2),
    "meanfield": MeanFieldPolicy(3, sequence_length=3, p=[0.2, 0.5, 0.3], n_per_original=3, keep_original=False),
}
out = {}
for name, policy in policies.items():
    np.random.seed(7)
    out[name] = PandasTFApplier(tfs[:1] if name == "one" else tfs, policy).apply(df, progress_bar=False).to_json(orient="split")
print(json.dumps(out))
"""
)


def ours():
    space: dict = {}
    exec(TFS, space)  # the very functions Snorkel runs

    @weak.preprocessor()
    def add_len(x):
        return {"n_words": len(x.text.split())}

    tfs = [
        weak.transformation_function(space["upper"]),
        weak.transformation_function(space["dup_last"], pre=[add_len]),
        weak.transformation_function(space["bump"]),
    ]
    policies = {
        "all": weak.ApplyAllPolicy(3, n_per_original=2, keep_original=True),
        "each": weak.ApplyEachPolicy(3, keep_original=False),
        "one": weak.ApplyOnePolicy(n_per_original=2),
        "random": weak.RandomPolicy(3, sequence_length=2, n_per_original=2, random_state=7),
        "meanfield": weak.MeanFieldPolicy(
            3, sequence_length=3, p=[0.2, 0.5, 0.3], n_per_original=3, keep_original=False, random_state=7
        ),
    }
    return tfs, policies


@pytest.mark.slow
@pytest.mark.skipif(
    not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON does not name a Python with Snorkel 0.10"
)
def test_every_policy_gives_snorkels_augmented_frame():
    """The five policies (the random ones seeded alike) give Snorkel's table, row for row."""
    words = ["a b", "c", "d e f", "g", "h i", "j k l m", "n", "o p"]
    df = pd.DataFrame({"text": words * 3, "num": range(24)}, index=[f"r{i}" for i in range(24)])
    done = subprocess.run(
        [str(SNORKEL_PYTHON), "-c", SNORKEL],
        input=df.to_json(orient="split"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    tfs, policies = ours()
    for name, policy in policies.items():
        got = weak.augment(tfs[:1] if name == "one" else tfs, df, policy=policy).frame
        expected = pd.read_json(io.StringIO(theirs[name]), orient="split")
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=name)


SNORKEL_API = (
    """
import json, sys
from types import SimpleNamespace
import numpy as np, pandas as pd
from snorkel.augmentation import (ApplyAllPolicy, ApplyEachPolicy, MeanFieldPolicy, PandasTFApplier, RandomPolicy,
                                  TFApplier, transformation_function)
from snorkel.preprocess import preprocessor
"""
    + TFS
    + """
@preprocessor()
def add_len(x):
    x.n_words = len(x.text.split())
    return x

def first_word(x):
    return x.text.split()[0]

def tfs(keyed=False):
    first = transformation_function(memoize=keyed, memoize_key=first_word if keyed else None)(upper)
    return [first, transformation_function(pre=[add_len])(dup_last), transformation_function()(bump)]

df = pd.read_json(sys.stdin, orient="split")
points = [SimpleNamespace(text=t, num=n) for t, n in zip(df.text, df.num.tolist())]
policies = {
    "all": lambda: ApplyAllPolicy(3, n_per_original=2, keep_original=True),
    "each": lambda: ApplyEachPolicy(3, keep_original=False),
    "random": lambda: RandomPolicy(3, sequence_length=2, n_per_original=2),
    "meanfield": lambda: MeanFieldPolicy(3, sequence_length=3, p=[0.2, 0.5, 0.3], n_per_original=3, keep_original=False),
}
out = {}
for name, policy in policies.items():
    for size in (6, 7):
        for keyed in (False, True):
            np.random.seed(7)
            batches, error = [], None
            try:
                for b in PandasTFApplier(tfs(keyed), policy()).apply_generator(df, size):
                    batches.append(b.to_json(orient="split"))
            except ValueError as exc:
                error = str(exc)
            out[f"frame/{name}/{size}/{keyed}"] = {"batches": batches, "error": error}
            np.random.seed(7)
            got = TFApplier(tfs(keyed), policy()).apply_generator(points, size)
            out[f"list/{name}/{size}/{keyed}"] = {"batches": [[vars(p) for p in b] for b in got], "error": None}
    np.random.seed(7)
    out[f"list/{name}/all"] = [vars(p) for p in TFApplier(tfs(), policy()).apply(points, progress_bar=False)]
print(json.dumps(out))
"""
)


def ours_keyed(keyed: bool):
    """The TFs of ``ours`` with the first one memoised under Snorkel's key (the text's first word), and
    the four policies of the API comparison."""
    tfs, policies = ours()
    if keyed:
        tfs[0] = weak.transformation_function(tfs[0].func, memoize=True, memoize_key=lambda x: x.text.split()[0])
    return tfs, {name: policies[name] for name in ("all", "each", "random", "meanfield")}


@pytest.mark.slow
@pytest.mark.skipif(
    not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON does not name a Python with Snorkel 0.10"
)
def test_batches_lists_and_memo_keys_give_snorkels():
    """apply_generator batch by batch (frame and list), TFApplier.apply on a list, and a TF memoised
    under a memoize_key, for four policies, two batch sizes: Snorkel's outputs (a frame's memo hit
    keeps the source row's label, where Snorkel's carries the cached row's; Snorkel's generator
    raises after a last full batch, where labelwise stops)."""
    words = ["a b", "c", "d e f", "g", "h i", "j k l m", "n", "o p"]
    df = pd.DataFrame({"text": words * 3, "num": range(24)}, index=[f"r{i}" for i in range(24)])
    done = subprocess.run(
        [str(SNORKEL_PYTHON), "-c", SNORKEL_API],
        input=df.to_json(orient="split"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    points = [SimpleNamespace(text=t, num=n) for t, n in zip(df.text, df.num.tolist(), strict=True)]
    for keyed in (False, True):
        for name in ("all", "each", "random", "meanfield"):
            for size in (6, 7):
                tfs, policies = ours_keyed(keyed)
                got = list(weak.augment_batches(tfs, df, policy=policies[name], batch_size=size))
                expected = theirs[f"frame/{name}/{size}/{keyed}"]
                assert len(got) == len(expected["batches"]), (name, size, keyed)
                assert (expected["error"] is not None) == (len(df) % size == 0)
                for mine, their in zip(got, expected["batches"], strict=True):
                    their = pd.read_json(io.StringIO(their), orient="split")
                    if keyed:
                        mine, their = mine.frame.reset_index(drop=True), their.reset_index(drop=True)
                    else:
                        mine = mine.frame
                    pd.testing.assert_frame_equal(mine, their, check_dtype=False, obj=f"{name}/{size}/{keyed}")
                tfs, policies = ours_keyed(keyed)
                batches = weak.augment_batches(tfs, points, policy=policies[name], batch_size=size)
                assert [[vars(p) for p in b.points] for b in batches] == theirs[f"list/{name}/{size}/{keyed}"][
                    "batches"
                ]
    for name in ("all", "each", "random", "meanfield"):
        tfs, policies = ours_keyed(False)
        got = weak.augment(tfs, points, policy=policies[name])
        assert [vars(p) for p in got.points] == theirs[f"list/{name}/all"], name
