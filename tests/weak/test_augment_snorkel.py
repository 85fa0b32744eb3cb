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
