"""``weak.apply`` on a list of data points or a NumPy array: Snorkel 0.10's ``LFApplier``, whose
points (``SimpleNamespace`` objects, dicts, an array's rows) go to each function as they are; Snorkel
itself (its own virtualenv, by subprocess, when ``LABELWISE_SNORKEL_PYTHON`` names its Python) labels
the same points."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from labelwise import weak
from labelwise.errors import InvalidParameterError
from labelwise.weak.apply import LabelingFunctionError

SNORKEL_PYTHON = Path(os.environ.get("LABELWISE_SNORKEL_PYTHON", "/nonexistent/snorkel-python"))


@weak.labeling_function(abstain=-1)
def first_positive(x):
    return 1 if x[0] > 0 else -1


@weak.labeling_function(abstain=-1)
def second_big(x):
    return 0 if x[1] > 1 else -1


@weak.labeling_function(abstain=-1)
def big_num(x):
    return 1 if x.num > 42 else 0


@weak.preprocessor()
def halved(x):
    return {"half": x.num / 2}


@weak.labeling_function(abstain=-1, pre=[halved])
def big_half(x):
    return 1 if x.half > 42 else -1


class TestApplyPoints:
    def test_numpy_rows_are_the_items(self):
        """Each row of a 2-D array is one point, items 0..n-1, as Snorkel's LFApplier labels them."""
        votes = weak.apply([first_positive, second_big], np.array([[1, 0], [-1, 2], [0, 0]]), classes=[0, 1])
        assert votes.matrix().tolist() == [[1, -1], [-1, 0], [-1, -1]]
        assert votes.items.tolist() == [0, 1, 2] and votes.labelers == ("first_positive", "second_big")

    def test_simple_namespaces_and_preprocessors(self):
        """Snorkel's docstring example, and a function with a preprocessor run on each point (left unchanged)."""
        points = [SimpleNamespace(num=10), SimpleNamespace(num=100)]
        votes = weak.apply([big_num, big_half], points, classes=[0, 1])
        assert votes.matrix().tolist() == [[0, -1], [1, 1]]
        assert not hasattr(points[1], "half")

    def test_the_votes_are_the_frames_votes(self):
        """The same points as a list of SimpleNamespace objects and as a DataFrame give the same votes."""
        import pandas as pd

        nums = [3, 50, 44, 1, 90]
        as_points = weak.apply([big_num, big_half], [SimpleNamespace(num=n) for n in nums], classes=[0, 1]).matrix()
        as_frame = weak.apply([big_num, big_half], pd.DataFrame({"num": nums}), classes=[0, 1]).matrix()
        assert as_points.tolist() == as_frame.tolist()

    def test_a_function_that_raises_is_named_with_the_point(self):
        """An error names the function and the point's position."""
        with pytest.raises(LabelingFunctionError, match="'big_num' raised AttributeError: .* on row 1"):
            weak.apply([big_num], [SimpleNamespace(num=1), SimpleNamespace(other=2)])

    def test_vectorized_functions_are_refused(self):
        """A vectorised function takes a DataFrame, so it cannot label points one by one."""
        frame_lf = weak.labeling_function(vectorized=True, name="frame_lf")(lambda df: df.num > 1)
        with pytest.raises(InvalidParameterError, match=r"lfs\[0\] \('frame_lf'\) is vectorized"):
            weak.apply([frame_lf], [SimpleNamespace(num=1)])

    def test_no_points_and_a_list_of_frames_are_refused(self):
        """An empty list, a 0-d array and a list of DataFrames are errors naming df."""
        import pandas as pd

        with pytest.raises(InvalidParameterError, match="df must have at least one row"):
            weak.apply([big_num], [])
        with pytest.raises(InvalidParameterError, match="0-d array"):
            weak.apply([big_num], np.array(3))
        with pytest.raises(InvalidParameterError, match="list of DataFrames: concatenate"):
            weak.apply([big_num], [pd.DataFrame({"num": [1]})])


SNORKEL = """
import json, sys
from types import SimpleNamespace
import numpy as np
from snorkel.labeling import LFApplier, labeling_function
@labeling_function()
def first_positive(x): return 1 if x[0] > 0 else -1
@labeling_function()
def second_big(x): return 0 if x[1] > 1 else -1
@labeling_function()
def big_num(x): return 1 if x.num > 42 else 0
d = json.loads(sys.stdin.read())
out = {"array": LFApplier([first_positive, second_big]).apply(np.array(d["X"]), progress_bar=False).tolist()}
points = [SimpleNamespace(num=n) for n in d["nums"]]
out["points"] = LFApplier([big_num]).apply(points, progress_bar=False).tolist()
print(json.dumps(out))
"""


@pytest.mark.slow
@pytest.mark.skipif(
    not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON does not name a Python with Snorkel 0.10"
)
def test_points_match_snorkels_lf_applier():
    """Random integer arrays and numbers: labelwise's matrix (classes 0, 1 declared) is Snorkel's L."""
    rng = np.random.default_rng(7)
    X, nums = rng.integers(-3, 4, size=(200, 2)), rng.integers(0, 100, size=150)
    data = {"X": X.tolist(), "nums": nums.tolist()}
    done = subprocess.run(
        [str(SNORKEL_PYTHON), "-c", SNORKEL], input=json.dumps(data), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    assert weak.apply([first_positive, second_big], X, classes=[0, 1]).matrix().tolist() == theirs["array"]
    points = [SimpleNamespace(num=int(n)) for n in nums]
    assert weak.apply([big_num], points, classes=[0, 1]).matrix().tolist() == theirs["points"]
