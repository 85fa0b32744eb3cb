"""Properties of :func:`labelwise.aggregate.apply_uncertain_policy`: row order and class names.

Each policy is answer by answer, so permuting the answer rows permutes the kept rows (the counts of
unsure answers and of lost items unchanged), and renaming the labels (the unsure value and the
policy's targets with them) renames the output's labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import apply_uncertain_policy

SETTINGS = settings(max_examples=30, deadline=None)
POLICIES = ["ignore", "zeros", "ones", "class"]


def table(seed: int, n_rows: int) -> pd.DataFrame:
    """Answers in {-1 (unsure), 0, 1}, with at least one sure answer."""
    rng = np.random.default_rng(seed)
    labels = rng.choice([-1, 0, 1], n_rows, p=[0.4, 0.3, 0.3])
    labels[0] = rng.integers(0, 2)
    return pd.DataFrame({"item": rng.integers(0, 6, n_rows), "annotator": rng.integers(0, 4, n_rows), "label": labels})


def run(answers: pd.DataFrame, unsure, policy: str, names=None):
    kw = {} if names is None else {"negative": names[0], "positive": names[1]}
    if policy == "class":
        kw = {"class_label": "unsure-class" if names is not None else 2}
    return apply_uncertain_policy(answers, unsure, policy, **kw)


@given(seed=st.integers(0, 2**32 - 1), n_rows=st.integers(1, 30), policy=st.sampled_from(POLICIES))
@SETTINGS
def test_permuting_answers_permutes_the_kept_answers(seed, n_rows, policy):
    """Shuffled answers give the same kept answers in the shuffled order, and the same counts."""
    answers = table(seed, n_rows)
    perm = np.random.default_rng(seed + 1).permutation(n_rows)
    a, b = run(answers, -1, policy), run(answers.iloc[perm].reset_index(drop=True), -1, policy)
    kept = answers["label"].to_numpy() != -1 if policy == "ignore" else np.ones(n_rows, dtype=bool)
    rank = np.cumsum(kept) - 1  # position of each kept input row in the output
    expected = a.answers.iloc[rank[perm][kept[perm]]].reset_index(drop=True)
    pd.testing.assert_frame_equal(b.answers, expected)
    assert (b.n_unsure, b.n_items_lost, b.replacement) == (a.n_unsure, a.n_items_lost, a.replacement)


@given(seed=st.integers(0, 2**32 - 1), n_rows=st.integers(1, 30), policy=st.sampled_from(POLICIES))
@SETTINGS
def test_renaming_the_labels_renames_the_output(seed, n_rows, policy):
    """Labels renamed to text (unsure, negative and positive with them) give the renamed output."""
    answers = table(seed, n_rows)
    name = {-1: "not sure", 0: "absent", 1: "present", 2: "unsure-class"}
    a = run(answers, -1, policy)
    b = run(answers.assign(label=answers["label"].map(name)), "not sure", policy, names=("absent", "present"))
    expected = a.answers.assign(label=a.answers["label"].map(name))
    pd.testing.assert_frame_equal(b.answers, expected)
    assert (b.n_unsure, b.n_items_lost) == (a.n_unsure, a.n_items_lost)
