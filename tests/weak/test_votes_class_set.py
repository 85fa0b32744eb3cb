"""Classes given as a set are sorted: the same class codes and probas_ columns in every Python process."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd

import labelwise
from labelwise.weak import DawidSkeneLabelModel, LabelModel, as_votes

LONG = pd.DataFrame({"item": [1, 1, 2, 2], "labeler": ["a", "b", "a", "b"], "label": ["x", "x", "y", "x"]})

SCRIPT = """
import pandas as pd
from labelwise import weak
df = pd.DataFrame({"text": ["win cash", "lunch?", "free", "ok"]})
lf = weak.labeling_function(vectorized=True)(lambda d: d.text.str.len().lt(5).map({True: "real mail", False: None}))
votes = weak.apply([lf], df, classes={"junk mail", "real mail", "other c"})
print(list(map(str, votes.classes)))
"""


class TestClassSet:
    def test_apply_classes_set_gives_one_order_whatever_the_hash_seed(self):
        """weak.apply(classes={...}) took the set's order, which changes with PYTHONHASHSEED (three seeds, three
        orders); the classes are now sorted in every process."""
        src = os.path.dirname(os.path.dirname(labelwise.__file__))  # the labelwise under test
        seen = set()
        for seed in ("1", "2", "3"):
            env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": src}
            out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
            seen.add(out.stdout.strip().splitlines()[-1])
        assert seen == {"['junk mail', 'other c', 'real mail']"}

    def test_as_votes_and_label_models_take_a_set_of_classes(self):
        """as_votes(classes=set) and LabelModel/DawidSkeneLabelModel(labels=set) raised a raw TypeError from
        pandas' isin; they take the classes sorted."""
        assert list(as_votes(LONG, classes={"z", "y", "x"}).classes) == ["x", "y", "z"]
        assert list(LabelModel(labels={"z", "y", "x"}).fit(LONG).classes_) == ["x", "y", "z"]
        assert list(DawidSkeneLabelModel(labels={"z", "y", "x"}).fit(LONG).classes_) == ["x", "y", "z"]
