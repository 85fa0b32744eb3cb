"""preprocessor(memoize=True, memoize_key=...) against Snorkel 0.10's (its own virtualenv, by subprocess).

Snorkel cannot live in the project's environment, so its outputs for :data:`SNORKEL` are recorded
in :data:`RECORDED` (produced by running that script with Snorkel 0.10's ``@preprocessor`` and
``LambdaPreprocessor``, which give the same); the comparison with labelwise runs on every test run,
and the live test re-runs Snorkel to check the record when ``LABELWISE_SNORKEL_PYTHON`` names the
Python of a virtualenv holding Snorkel 0.10.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from labelwise import weak

SNORKEL_PYTHON = Path(os.environ.get("LABELWISE_SNORKEL_PYTHON", "/nonexistent/snorkel-python"))

SNORKEL = """
import json
from types import SimpleNamespace
import pandas as pd
from snorkel.augmentation import ApplyAllPolicy, TFApplier, transformation_function
from snorkel.labeling import PandasLFApplier, labeling_function
from snorkel.preprocess import LambdaPreprocessor, preprocessor

calls, keys = [], []

def key(x):
    keys.append(sorted(vars(x)) if isinstance(x, SimpleNamespace) else sorted(x.index))
    return x.text

@preprocessor()
def length(x):
    x.length = len(x.text)
    return x

def count_words(x):
    calls.append(int(x.num))
    x.n_words = len(x.text.split())
    return x

df = pd.DataFrame({"text": ["a b", "c", "a b", "c", "d e f", "a b"], "num": [0, 1, 2, 3, 4, 5],
                   "tags": [[1], [2], [3], [4], [5], [6]]}, index=list("uvwxyz"))
out = {}
for form in ("decorator", "lambda"):
    if form == "decorator":
        words = preprocessor(memoize=True, memoize_key=key, pre=[length])(count_words)
    else:
        words = LambdaPreprocessor("count_words", count_words, pre=[length], memoize=True, memoize_key=key)
    long = labeling_function(name="long", pre=[words])(lambda x: 1 if x.n_words > 1 else 0)
    odd = labeling_function(name="odd", pre=[words])(lambda x: 1 if x.num % 2 else 0)
    calls.clear(); keys.clear()
    L = PandasLFApplier([long, odd]).apply(df, progress_bar=False)
    out[f"frame/{form}"] = {"calls": list(calls), "keys": keys[:1], "L": L.tolist()}
    words.reset_cache()
    same = transformation_function(name="same", pre=[words])(lambda x: x)
    points = [SimpleNamespace(text=t, num=n, tags=g) for t, n, g in zip(df.text, df.num.tolist(), df.tags)]
    calls.clear(); keys.clear()
    got = TFApplier([same], ApplyAllPolicy(1, keep_original=False)).apply(points, progress_bar=False)
    out[f"points/{form}"] = {"calls": list(calls), "keys": keys[:1], "points": [vars(p) for p in got]}
    words.reset_cache()
    shout = transformation_function(name="shout", pre=[words])(lambda x: setattr(x, "text", x.text + "!") or x)
    got = TFApplier([shout], ApplyAllPolicy(1, keep_original=False)).apply(points[:3], progress_bar=False)
    out[f"in-place/{form}"] = [p.text for p in got]
print(json.dumps(out))
"""

# Snorkel 0.10's output of SNORKEL (the "decorator" form; the "lambda" form gives the same).
RECORDED = {
    "frame": {
        "calls": [0, 1, 4],
        "keys": [["num", "tags", "text"]],
        "L": [[1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [1, 0]],
    },
    "points": {
        "calls": [0, 1, 4],
        "keys": [["num", "tags", "text"]],
        "points": [
            {"text": "a b", "num": 0, "tags": [1], "length": 3, "n_words": 2},
            {"text": "c", "num": 1, "tags": [2], "length": 1, "n_words": 1},
            {"text": "a b", "num": 0, "tags": [1], "length": 3, "n_words": 2},
            {"text": "c", "num": 1, "tags": [2], "length": 1, "n_words": 1},
            {"text": "d e f", "num": 4, "tags": [5], "length": 5, "n_words": 3},
            {"text": "a b", "num": 0, "tags": [1], "length": 3, "n_words": 2},
        ],
    },
    # a TF changing the point in place behind the memoised preprocessor: Snorkel's cache hands both
    # points of "a b" one object, so the second "!" lands on the first point's output too
    "in-place": ["a b!!", "c!", "a b!!"],
}


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": ["a b", "c", "a b", "c", "d e f", "a b"],
            "num": [0, 1, 2, 3, 4, 5],
            "tags": [[1], [2], [3], [4], [5], [6]],
        },
        index=list("uvwxyz"),
    )


def first_of_key(df: pd.DataFrame) -> list[int]:
    """The num of the first row of each row's text: the point Snorkel's cache hands on."""
    return [int(df.num[df.text == t].iloc[0]) for t in df.text]


def ours():
    """labelwise's preprocessor of SNORKEL, recording the rows it runs on and the fields its key gets."""
    calls: list[int] = []
    keys: list[list[str]] = []

    def key(x):
        keys.append(sorted(x._fields if hasattr(x, "_fields") else vars(x)))
        return x.text

    length = weak.preprocessor(lambda x: {"length": len(x.text)}, name="length")
    words = weak.preprocessor(
        lambda x: calls.append(int(x.num)) or {"n_words": len(x.text.split())},
        name="count_words",
        pre=[length],
        memoize=True,
        memoize_key=key,
    )
    return words, calls, keys


def check_frame(expected: dict) -> None:
    """labelwise's votes and calls against Snorkel's ``expected`` (``PandasLFApplier``)."""
    words, calls, keys = ours()
    long = weak.labeling_function(lambda x: 1 if x.n_words > 1 else 0, name="long", pre=[words])
    odd = weak.labeling_function(lambda x: 1 if x.num % 2 else 0, name="odd", pre=[words])
    got = weak.apply([long, odd], frame()).matrix()
    assert calls == expected["calls"]
    assert keys[:1] == expected["keys"]
    assert got[:, 0].tolist() == [row[0] for row in expected["L"]]
    assert got[:, 1].tolist() == [n % 2 for n in frame().num]
    assert [row[1] for row in expected["L"]] == [n % 2 for n in first_of_key(frame())]


def check_points(expected: dict) -> None:
    """labelwise's points and calls against Snorkel's ``expected`` (``TFApplier``)."""
    words, calls, keys = ours()
    same = weak.transformation_function(lambda x: x, name="same", pre=[words])
    df = frame()
    points = [SimpleNamespace(text=t, num=n, tags=g) for t, n, g in zip(df.text, df.num.tolist(), df.tags, strict=True)]
    got = [vars(p) for p in weak.augment([same], points, policy=weak.ApplyAllPolicy(keep_original=False)).points]
    assert calls == expected["calls"]
    assert keys[:1] == expected["keys"]
    shared = ["text", "length", "n_words"]
    assert [{k: p[k] for k in shared} for p in got] == [{k: p[k] for k in shared} for p in expected["points"]]
    assert [(p["num"], p["tags"]) for p in got] == [(n, [n + 1]) for n in df.num]
    assert [(p["num"], p["tags"]) for p in expected["points"]] == [(n, [n + 1]) for n in first_of_key(df)]


def test_frame_votes_match_snorkels_recorded_memo():
    """PandasLFApplier: the same rows computed, the same fields given to the key, the same votes of
    an LF of the preprocessor's field; an LF of a column the key leaves out sees its own row here,
    Snorkel's the first row of the key (its cache returns that row whole)."""
    check_frame(RECORDED["frame"])


def test_points_match_snorkels_recorded_memo():
    """TFApplier on SimpleNamespace points (a list column: not hashable, memoised by its key): the
    same points computed and the same added fields; the later points of a key keep their own other
    fields here, where Snorkel's are copies of the first point of the key."""
    check_points(RECORDED["points"])


def check_in_place(expected: list[str]) -> None:
    """labelwise's TF changing points in place gives each its own output; Snorkel's, one shared object."""
    words, _, _ = ours()

    @weak.transformation_function(pre=[words])
    def shout(x):
        x.text = x.text + "!"
        return x

    points = [SimpleNamespace(text=t, num=n) for t, n in zip(frame().text[:3], range(3), strict=True)]
    got = weak.augment([shout], points, policy=weak.ApplyAllPolicy(keep_original=False)).points
    assert [p.text for p in got] == ["a b!", "c!", "a b!"]
    assert expected == ["a b!!", "c!", "a b!!"]


def test_points_changed_in_place_keep_their_own_output():
    """Snorkel's cache returns the cached point itself, so a TF changing it in place changes every
    point of that key (recorded); labelwise copies the shared fields to each point."""
    check_in_place(RECORDED["in-place"])


@pytest.mark.slow
@pytest.mark.skipif(
    not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON does not name a Python with Snorkel 0.10"
)
def test_snorkel_live_gives_the_recorded_outputs():
    """Snorkel 0.10 run now (``@preprocessor`` and ``LambdaPreprocessor``) gives RECORDED, and labelwise
    compares with its live outputs as with the record."""
    done = subprocess.run([str(SNORKEL_PYTHON), "-c", SNORKEL], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    for form in ("decorator", "lambda"):
        assert theirs[f"frame/{form}"] == RECORDED["frame"], form
        assert theirs[f"points/{form}"] == RECORDED["points"], form
        check_frame(theirs[f"frame/{form}"])
        check_points(theirs[f"points/{form}"])
        assert theirs[f"in-place/{form}"] == RECORDED["in-place"], form
        check_in_place(theirs[f"in-place/{form}"])
