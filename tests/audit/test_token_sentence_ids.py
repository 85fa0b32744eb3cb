"""``token.find_label_issues(..., sentence_ids=)``: a long token table (sentence id, token, tag: CoNLL kept
as a table) is audited as its sentences, grouped by the id column; the ids are carried as given into
``to_frame()`` and ``sentence_frame()``, and a sentence whose tokens are not consecutive is refused naming it
(the API took only per-sentence lists or lengths)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given as given_
from hypothesis import settings
from hypothesis import strategies as st

from labelwise.audit import token
from labelwise.errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError

from ._tasks_data import TAGS, token_case

tok_filter = pytest.importorskip("cleanlab.token_classification.filter")
tok_rank = pytest.importorskip("cleanlab.token_classification.rank")


def _long_table(seed: int = 0, n: int = 120, ids=None):
    """A long table (one row per token) of token_case's sentences, its sentence ids ``ids`` (default s0, s1...)."""
    noisy, probs = token_case(n, seed=seed)
    ids = [f"s{i}" for i in range(n)] if ids is None else ids
    index = {t: i for i, t in enumerate(TAGS)}
    table = pd.DataFrame(
        {
            "sid": np.repeat(np.asarray(ids, dtype=object), [len(s) for s in noisy.labels]),
            "tag": np.concatenate([np.asarray(s, dtype=object) for s in noisy.labels]),
        }
    )
    codes = [[index[t] for t in s] for s in noisy.labels]
    return table, np.concatenate(probs), codes, probs


class TestSentenceIds:
    @pytest.mark.parametrize("seed", [0, 1])
    def test_grouped_by_ids_equals_cleanlabs_token_filter_and_scores(self, seed):
        """The flagged (sentence, token) pairs and sentence scores equal cleanlab's on the per-sentence lists."""
        table, flat, codes, probs = _long_table(seed)
        ours = token.find_label_issues(table["tag"].to_numpy(), flat, sentence_ids=table["sid"], classes=TAGS)
        joint = ours.tokens.calibrated_confident_joint  # as test_segmentation_token_vs_cleanlab (cleanlab issue 1248)
        theirs = tok_filter.find_label_issues(codes, probs, confident_joint=joint)
        assert ours.issues == [tuple(int(v) for v in pair) for pair in theirs]
        sentences, _ = tok_rank.get_label_quality_scores(codes, probs, sentence_score_method="min")
        np.testing.assert_allclose(ours.sentence_quality, sentences, rtol=1e-12)

    def test_ids_as_written_are_carried_into_both_frames(self):
        """Zero-padded, text and unicode ids come back as given, beside each token and each sentence."""
        ids = ["007", "a b", "ünï", "10", *[f"x{i}" for i in range(116)]]
        table, flat, _, _ = _long_table(2, ids=ids)
        res = token.find_label_issues(table["tag"].to_numpy(), flat, sentence_ids=table["sid"], classes=TAGS)
        frame, sentences = res.to_frame(), res.sentence_frame()
        assert list(frame.columns[:3]) == ["token_index", "sentence", "sentence_id"]
        assert frame["sentence_id"].tolist() == table["sid"].to_numpy()[frame["token_index"]].tolist()
        assert sentences["sentence_id"].tolist() == [ids[s] for s in sentences["sentence"]]
        assert {"007", "ünï"} <= set(sentences["sentence_id"])

    def test_ids_need_not_be_sorted_sentences_keep_their_order(self):
        """Sentences keep the order they appear in (s10 before s2); the result equals the one of lengths."""
        table, flat, _, _ = _long_table(3, n=30, ids=[f"s{30 - i}" for i in range(30)])
        lengths = table.groupby("sid", sort=False).size().to_numpy()
        by_ids = token.find_label_issues(table["tag"].to_numpy(), flat, sentence_ids=table["sid"], classes=TAGS)
        by_lengths = token.find_label_issues(table["tag"].to_numpy(), flat, sentence_lengths=lengths, classes=TAGS)
        np.testing.assert_array_equal(by_ids.sentence_lengths, lengths)
        assert by_ids.issues == by_lengths.issues
        assert by_ids.sentence_ids[0] == "s30"

    def test_an_interleaved_sentence_is_refused_naming_it_and_its_rows(self):
        """s0's tokens, then s1's, then s0 again: the error names s0, rows 0 and 5, and s1."""
        tags = np.array(["O", "B-PER", "O", "O", "O", "O", "O"], dtype=object)
        probs = np.full((7, 2), 0.5)
        ids = ["s0", "s0", "s1", "s1", "s1", "s0", "s2"]
        with pytest.raises(
            InvalidLabelsError, match=r"sentence 's0' has tokens at row 0 and again at row 5, after sentence 's1'"
        ):
            token.find_label_issues(tags, probs, sentence_ids=ids)

    def test_a_missing_id_is_refused_naming_the_row(self):
        """A token without a sentence (None) is named by its row."""
        with pytest.raises(InvalidLabelsError, match=r"sentence_ids must name the sentence of every token; row 2"):
            token.find_label_issues(["O", "O", "O"], np.full((3, 2), 0.5), sentence_ids=["a", "a", None])

    def test_ids_of_another_length_or_beside_lengths_are_refused(self):
        """Not one id per token, or ids and lengths together: errors naming sentence_ids."""
        with pytest.raises(ShapeMismatchError, match="sentence_ids must hold one sentence id per token"):
            token.find_label_issues(["O", "O", "O"], np.full((3, 2), 0.5), sentence_ids=["a", "a"])
        with pytest.raises(InvalidParameterError, match="sentence_ids or sentence_lengths, not both"):
            token.find_label_issues(["O"] * 3, np.full((3, 2), 0.5), sentence_ids=["a"] * 3, sentence_lengths=[3])

    @settings(max_examples=25, deadline=None)
    @given_(lengths=st.lists(st.integers(1, 6), min_size=2, max_size=12), seed=st.integers(0, 2**32 - 1))
    def test_any_consecutive_ids_give_the_lengths_result(self, lengths, seed):
        """Whatever the sentence sizes and id values, grouping by ids equals passing the lengths."""
        rng = np.random.default_rng(seed)
        n = sum(lengths)
        tags = rng.integers(0, 2, n)
        tags[:2] = [0, 1]  # both tags used, as the audit needs
        probs = rng.dirichlet(np.ones(2), n)
        ids = np.repeat(rng.permutation(len(lengths)).astype(str), lengths)
        by_ids = token.find_label_issues(tags, probs, sentence_ids=ids)
        by_lengths = token.find_label_issues(tags, probs, sentence_lengths=lengths)
        np.testing.assert_array_equal(by_ids.sentence_quality, by_lengths.sentence_quality)
        assert by_ids.issues == by_lengths.issues
