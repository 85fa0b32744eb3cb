"""ROVER against crowd-kit 1.4.2's ``aggregation.texts.ROVER`` on the same answers: the same string
on every item (same tokenizer, detokenizer and answer order)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import ROVER
from labelwise.aggregate._rover_simulate import simulate_transcriptions

crowdkit = pytest.importorskip("crowdkit.aggregation")


def _theirs(answers: pd.DataFrame, tokenizer=str.split, detokenizer=" ".join) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = crowdkit.ROVER(tokenizer=tokenizer, detokenizer=detokenizer)
        return peer.fit_predict(answers.rename(columns={"item": "task", "annotator": "worker"}))


@pytest.mark.parametrize(
    ("seed", "rates", "spammers", "vocabulary", "length"),
    [
        (0, (0.05, 0.1, 0.2, 0.3, 0.4), 1, 1000, (5, 15)),
        (1, (0.2, 0.4, 0.4), 0, 4, (0, 8)),  # four words: ties in nearly every slot, empty answers
        (2, (0.1, 0.3, 0.3, 0.5, 0.5, 0.6), 1, 3, (1, 6)),  # six annotators, even splits
        (3, (0.3,), 0, 10, (0, 4)),  # one annotator: its own words
    ],
)
def test_same_text_as_crowdkit_on_every_item(seed, rates, spammers, vocabulary, length):
    """Simulated transcriptions (substitutions, deletions, insertions, a spammer): identical strings."""
    answers, _ = simulate_transcriptions(
        150, rates, n_spammers=spammers, vocabulary=vocabulary, length=length, random_state=seed
    )
    ours = ROVER().fit(answers).texts_
    theirs = _theirs(answers)
    assert ours.index.tolist() == theirs.index.tolist()
    assert ours.tolist() == theirs.tolist()


def test_same_text_as_crowdkit_in_shuffled_row_order():
    """Both align in the table's row order: shuffled rows still agree (ambiguous items included)."""
    answers, _ = simulate_transcriptions(150, (0.3, 0.5, 0.5), vocabulary=3, length=(1, 6), random_state=9)
    answers = answers.sample(frac=1.0, random_state=1).reset_index(drop=True)
    assert ROVER().fit(answers).texts_.tolist() == _theirs(answers).tolist()


def test_same_text_as_crowdkit_on_characters():
    """Character-level ROVER (tokenizer=list, detokenizer=''.join) agrees too."""
    rng = np.random.default_rng(4)
    words = ["colour", "color", "colr", "coulour", "kolor"]
    answers = pd.DataFrame(
        {"item": np.repeat(np.arange(40), 3), "annotator": np.tile(["a", "b", "c"], 40), "text": rng.choice(words, 120)}
    )
    ours = ROVER(tokenizer=list, detokenizer="".join).fit(answers).texts_
    assert ours.tolist() == _theirs(answers, list, "".join).tolist()
