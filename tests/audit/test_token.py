"""Tests of labelwise.audit.token."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw
from labelwise.audit import token
from labelwise.errors import InvalidLabelsError, InvalidProbabilitiesError, ShapeMismatchError

from ._tasks_data import TAGS, token_case


def _case(seed=0, n=400):
    noisy, probs = token_case(n_sentences=n, seed=seed)
    return noisy, probs


class TestFlags:
    def test_token_flags_equal_find_label_issues_on_the_flat_tokens(self):
        """Token flags are confident learning on all tokens concatenated."""
        noisy, probs = _case()
        res = token.find_label_issues(noisy.labels, probs, classes=TAGS)
        flat = lw.find_label_issues(np.concatenate(noisy.labels), np.concatenate(probs), classes=TAGS)
        np.testing.assert_array_equal(res.is_issue, flat.is_issue)

    @pytest.mark.parametrize("seed", [0, 5])
    def test_issues_equal_cleanlabs_token_filter(self, seed):
        """cleanlab.token_classification.filter.find_label_issues flags the same (sentence, token) set."""
        filt = pytest.importorskip("cleanlab.token_classification.filter")
        noisy, probs = _case(seed)
        index = {t: i for i, t in enumerate(TAGS)}
        int_labels = [[index[t] for t in s] for s in noisy.labels]
        ours = token.find_label_issues(int_labels, probs)
        theirs = filt.find_label_issues(int_labels, probs)
        assert set(ours.issues) == set(theirs)

    def test_input_containers_give_identical_results(self):
        """Int lists + views of one array (the fast paths), int arrays + copies, and nested lists agree."""
        noisy, probs = _case(seed=3)
        index = {t: i for i, t in enumerate(TAGS)}
        int_lists = [[index[t] for t in s] for s in noisy.labels]
        flat = np.concatenate(probs)
        views = np.split(flat, np.cumsum([len(s) for s in int_lists])[:-1])
        a = token.find_label_issues(int_lists, views)
        b = token.find_label_issues([np.array(s) for s in int_lists], [p.copy() for p in probs])
        c = token.find_label_issues(int_lists, [p.tolist() for p in probs])
        for other in (b, c):
            np.testing.assert_array_equal(a.is_issue, other.is_issue)
            np.testing.assert_array_equal(a.tokens.label_quality, other.tokens.label_quality)
            np.testing.assert_array_equal(a.sentence_quality, other.sentence_quality)

    def test_sentence_quality_is_the_worst_token(self):
        """Default sentence score is the minimum token self-confidence."""
        noisy, probs = _case(seed=2, n=50)
        res = token.find_label_issues(noisy.labels, probs, classes=TAGS)
        q = res.tokens.label_quality
        lens = res.sentence_lengths
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
        expected = [q[s : s + n].min() for s, n in zip(starts, lens, strict=False)]
        np.testing.assert_allclose(res.sentence_quality, expected)

    def test_softmin_matches_cleanlab(self):
        """softmin sentence scores equal cleanlab's get_label_quality_scores(sentence_score_method='softmin')."""
        rank = pytest.importorskip("cleanlab.token_classification.rank")
        noisy, probs = _case(seed=3, n=60)
        index = {t: i for i, t in enumerate(TAGS)}
        int_labels = [[index[t] for t in s] for s in noisy.labels]
        ours = token.find_label_issues(int_labels, probs, sentence_score="softmin")
        theirs, _ = rank.get_label_quality_scores(int_labels, probs, sentence_score_method="softmin")
        np.testing.assert_allclose(ours.sentence_quality, theirs, rtol=1e-6, atol=1e-9)

    def test_flat_input_with_lengths_gives_the_same_result(self):
        """A flat array plus sentence_lengths is the same as per-sentence lists."""
        noisy, probs = _case(seed=4, n=80)
        a = token.find_label_issues(noisy.labels, probs, classes=TAGS)
        lens = [len(s) for s in noisy.labels]
        b = token.find_label_issues(
            np.concatenate(noisy.labels), np.concatenate(probs), sentence_lengths=lens, classes=TAGS
        )
        np.testing.assert_array_equal(a.is_issue, b.is_issue)
        np.testing.assert_array_equal(a.sentence_quality, b.sentence_quality)


class TestQualityAndSummaries:
    def test_finds_most_flipped_tags(self):
        """On simulated within/between-type flips, precision and recall are high."""
        noisy, probs = _case(seed=6, n=800)
        res = token.find_label_issues(noisy.labels, probs, classes=TAGS)
        truth = np.concatenate(noisy.is_flipped)
        hits = (res.is_issue & truth).sum()
        assert hits / res.is_issue.sum() > 0.7 and hits / truth.sum() > 0.6

    def test_confusions_by_entity_merge_prefixes(self):
        """by='entity' groups B-/I- tags of the same type; by='token' needs the words."""
        noisy, probs = _case(seed=7)
        words = [[f"w{len(s)}"] * len(s) for s in noisy.labels]
        res = token.find_label_issues(noisy.labels, probs, classes=TAGS, tokens=words)
        ent = res.common_confusions("entity")
        assert not ent.given.str.contains("-").any()
        assert res.common_confusions("tag", top=1000)["count"].sum() == res.is_issue.sum()
        assert "token" in res.common_confusions("token").columns
        frame = res.to_frame()
        assert {"sentence", "position", "token", "sentence_quality"} <= set(frame.columns)
        assert frame.is_issue.iloc[: res.is_issue.sum()].all()
        assert res.summary()["n_sentences"] == len(noisy.labels)

    def test_issues_point_at_the_right_tokens(self):
        """(sentence, token) pairs index the original nested lists."""
        noisy, probs = _case(seed=8)
        res = token.find_label_issues(noisy.labels, probs, classes=TAGS)
        for s, t in res.issues[:20]:
            assert noisy.labels[s][t] == res.tokens.given_label[np.cumsum([0] + [len(x) for x in noisy.labels])[s] + t]


class TestBadInput:
    def test_empty_sentence_is_named(self):
        """An empty sentence raises InvalidLabelsError with its index."""
        with pytest.raises(InvalidLabelsError, match="sentence 1 is empty"):
            token.find_label_issues([[0, 1], [], [1]], [np.eye(2), np.zeros((0, 2)), np.eye(2)[:1]])

    def test_sentence_length_mismatch_is_named(self):
        """A sentence with more tags than probability rows is named."""
        with pytest.raises(ShapeMismatchError, match="sentence 1 has 3 tags"):
            token.find_label_issues([[0, 1], [0, 1, 1]], [np.eye(2), np.eye(2)])

    def test_sentence_with_another_number_of_classes_is_named(self):
        """One sentence's probabilities with 3 columns among 2-column ones was numpy's concatenate ValueError."""
        probs = [np.eye(2), np.full((2, 3), 1 / 3), np.eye(2)]
        with pytest.raises(
            ShapeMismatchError, match=r"one \(tokens, 2\) array per sentence.*sentence 1 has shape \(2, 3\)"
        ):
            token.find_label_issues([[0, 1], [0, 1], [1, 0]], probs)
        ragged = [[[0.5, 0.5], [1.0, 0.0]], [[0.5, 0.5], [1.0]]]
        with pytest.raises(ShapeMismatchError, match="sentence 1 has rows of different lengths"):
            token.find_label_issues([[0, 1], [0, 1]], ragged)

    def test_probabilities_are_still_checked(self):
        """A token row not summing to 1 is an InvalidProbabilitiesError (checked once, in the audit pass)."""
        probs = [np.eye(2), np.array([[0.5, 0.2]])]
        with pytest.raises(InvalidProbabilitiesError, match="row 2"):
            token.find_label_issues([[0, 1], [0]], probs)

    def test_unknown_tag(self):
        """A tag outside classes is an error."""
        with pytest.raises(InvalidLabelsError):
            token.find_label_issues([["O", "B-XYZ"]], [np.eye(2)], classes=["O", "B-PER"])
