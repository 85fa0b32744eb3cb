"""The token audit pairs sentences (or flat tokens) of labels, probs and tokens by position. shapes47: pandas
inputs listing the same keys in another order were paired in silence where the sentences are as long (every
sentence audited against another's probabilities), and fractional sentence_lengths were truncated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.audit import token
from labelwise.errors import InvalidParameterError

N, LENGTH, K = 40, 5, 3


def _sentences() -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(0)
    labels = [rng.integers(0, K, LENGTH) for _ in range(N)]
    probs = []
    for tags in labels:
        p = rng.dirichlet(np.ones(K), LENGTH)
        p[np.arange(LENGTH), tags] += 3
        probs.append(p / p.sum(axis=1, keepdims=True))
    return labels, probs


def _series(values: list) -> pd.Series:
    return pd.Series(values, index=[f"s{i}" for i in range(len(values))])


def _shuffled(s: pd.Series) -> pd.Series:
    return s.iloc[np.random.default_rng(1).permutation(len(s))]


class TestSentencesInAnotherOrder:
    def test_probs_series_in_another_order_is_refused(self):
        """Sentences of equal length: labels in another order than probs is an error naming labels and the fix."""
        labels, probs = _sentences()
        with pytest.raises(InvalidParameterError, match=r"^labels must list the rows in the order of probs' index.*labels\.reindex\(probs\.index\)"):  # fmt: skip
            token.find_label_issues(_shuffled(_series(labels)), _series(probs))

    def test_tokens_series_in_another_order_is_refused(self):
        """tokens in another order than labels (probs a list) is refused, naming tokens."""
        labels, probs = _sentences()
        words = _series([[f"w{i}_{j}" for j in range(LENGTH)] for i in range(N)])
        with pytest.raises(InvalidParameterError, match=r"^tokens must list the rows in the order of labels' index"):
            token.find_label_issues(_series(labels), probs, tokens=_shuffled(words))

    def test_flat_labels_in_another_order_than_flat_probs_is_refused(self):
        """Flat tokens with sentence_lengths: a labels Series in another order than a probs DataFrame is refused."""
        labels, probs = _sentences()
        flat = pd.Series(np.concatenate(labels))
        frame = pd.DataFrame(np.concatenate(probs))
        with pytest.raises(InvalidParameterError, match=r"^labels must list the rows in the order of probs' index"):
            token.find_label_issues(_shuffled(flat), frame, sentence_lengths=[LENGTH] * N)

    def test_series_in_one_order_give_the_lists_result(self):
        """Series in the same order (or one reset) give the result of the plain lists."""
        labels, probs = _sentences()
        ref = token.find_label_issues(labels, probs)
        for got in (
            token.find_label_issues(_series(labels), _series(probs)),
            token.find_label_issues(_series(labels).reset_index(drop=True), _series(probs)),
        ):
            np.testing.assert_array_equal(got.sentence_quality, ref.sentence_quality)


@pytest.mark.parametrize("bad", [2.5, np.nan, "five"])
def test_sentence_lengths_must_be_whole_numbers(bad):
    """A fractional or missing sentence length is an error naming the sentence (2.5 was read as 2)."""
    labels, probs = _sentences()
    lengths = np.array([LENGTH] * N, dtype=object)
    lengths[3] = bad
    with pytest.raises(InvalidParameterError, match=r"^sentence_lengths must be whole numbers of tokens; sentence 3"):
        token.find_label_issues(np.concatenate(labels), np.concatenate(probs), sentence_lengths=lengths)


def test_whole_float_sentence_lengths_are_read():
    """sentence_lengths as whole floats (5.0) give the result of ints."""
    labels, probs = _sentences()
    flat, rows = np.concatenate(labels), np.concatenate(probs)
    got = token.find_label_issues(flat, rows, sentence_lengths=np.full(N, float(LENGTH)))
    ref = token.find_label_issues(flat, rows, sentence_lengths=[LENGTH] * N)
    np.testing.assert_array_equal(got.sentence_quality, ref.sentence_quality)


class TestProbsHeader:
    """Probabilities as DataFrames whose header names the tags, in another order: matched by name (main read
    them by position, flagging 132 of 200 tokens of clean data in the walk)."""

    NAMES = ["O", "B-PER", "I-PER"]

    def _text(self) -> tuple[list, list, list]:
        labels, probs = _sentences()
        tags = [np.array(self.NAMES)[s] for s in labels]
        frames = [pd.DataFrame(p[:, ::-1], columns=self.NAMES[::-1]) for p in probs]
        return tags, probs, frames

    def test_per_sentence_frames_are_matched_by_name(self):
        """One DataFrame per sentence, columns reversed: the result of the arrays in classes' order."""
        tags, probs, frames = self._text()
        got = token.find_label_issues(tags, frames, classes=self.NAMES)
        ref = token.find_label_issues(tags, probs, classes=self.NAMES)
        np.testing.assert_array_equal(got.sentence_quality, ref.sentence_quality)

    def test_a_flat_frame_is_matched_by_name(self):
        """One flat DataFrame with sentence_lengths, columns reversed: the result of the arrays."""
        tags, probs, frames = self._text()
        got = token.find_label_issues(
            np.concatenate(tags),
            pd.concat(frames, ignore_index=True),
            sentence_lengths=[LENGTH] * N,
            classes=self.NAMES,
        )
        ref = token.find_label_issues(tags, probs, classes=self.NAMES)
        np.testing.assert_array_equal(got.sentence_quality, ref.sentence_quality)
