"""Properties of ``shift.familiarity``: training labels given as occurrences in any order or as a
mapping of counts in any order give the same familiarity and nearest labels; the evaluation labels'
order and repeats change nothing but the order of the rows; every value lies in [0, 1]; with ``k``
at least the number of occurrences it is the count-weighted mean similarity; a mapping whose count
is not a whole number >= 0 is refused naming ``train_labels``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.shift import familiarity, tfidf_embed

SETTINGS = settings(max_examples=40, deadline=None)

words = st.text("abcde_ ", min_size=1, max_size=6).filter(lambda t: t.strip() != "")


@st.composite
def label_sets(draw):
    """Training label counts (some zero), evaluation labels (some seen in training), and a seed."""
    train = draw(st.lists(words, min_size=1, max_size=8, unique=True))
    counts = draw(st.lists(st.integers(0, 6), min_size=len(train), max_size=len(train)))
    if not any(counts):
        counts[0] = 1
    evals = draw(st.lists(st.one_of(st.sampled_from(train), words), min_size=1, max_size=6))
    return dict(zip(train, counts, strict=True)), evals, draw(st.integers(0, 2**32 - 1))


def _occurrences(counts: dict, rng: np.random.Generator) -> list:
    occ = [t for t, c in counts.items() for _ in range(c)]
    return [occ[i] for i in rng.permutation(len(occ))]


class TestFamiliarity:
    @SETTINGS
    @given(case=label_sets(), k=st.sampled_from([1, 2, 5, 1000]))
    def test_occurrences_in_any_order_equal_the_mapping_of_counts(self, case, k):
        """A shuffled list of occurrences, and the counts as a mapping in any key order, agree."""
        counts, evals, seed = case
        rng = np.random.default_rng(seed)
        ref = familiarity(counts, evals, k=k)
        keys = list(counts)
        shuffled = {keys[i]: counts[keys[i]] for i in rng.permutation(len(keys))}
        for other in (familiarity(_occurrences(counts, rng), evals, k=k), familiarity(shuffled, evals, k=k)):
            np.testing.assert_allclose(other.per_label.to_numpy(), ref.per_label.to_numpy(), rtol=0, atol=1e-12)
            assert list(other.nearest) == list(ref.nearest)
            assert list(other.per_label.index) == list(ref.per_label.index)

    @SETTINGS
    @given(case=label_sets(), k=st.sampled_from([1, 3, 1000]))
    def test_evaluation_order_and_repeats_only_reorder_the_rows(self, case, k):
        """Distinct evaluation labels in first-seen order; any order or repeats give the same values."""
        counts, evals, seed = case
        ref = familiarity(counts, evals, k=k)
        assert list(ref.per_label.index) == list(dict.fromkeys(evals))
        rng = np.random.default_rng(seed)
        again = [evals[i] for i in rng.permutation(len(evals))] + evals[: int(rng.integers(0, len(evals) + 1))]
        got = familiarity(counts, again, k=k)
        np.testing.assert_allclose(
            got.per_label.loc[ref.per_label.index].to_numpy(), ref.per_label.to_numpy(), rtol=0, atol=1e-12
        )
        assert list(got.nearest.loc[ref.nearest.index]) == list(ref.nearest)
        assert got.score == pytest.approx(ref.score, abs=1e-12)

    @SETTINGS
    @given(case=label_sets(), k=st.integers(1, 40))
    def test_values_lie_in_the_unit_interval_and_match_the_weighted_mean(self, case, k):
        """Each value is in [0, 1]; an evaluation label that is the only training label scores 1;
        with ``k`` >= the occurrences it is the count-weighted mean of the clipped cosine similarities."""
        counts, evals, _ = case
        got = familiarity(counts, evals, k=k)
        assert ((got.per_label >= 0) & (got.per_label <= 1 + 1e-12)).all()
        assert 0 <= got.score <= 1 + 1e-12
        seen = [t for t, c in counts.items() if c > 0]
        if len(seen) == 1 and seen[0] in got.per_label.index:
            assert got.per_label[seen[0]] == pytest.approx(1.0)
        if k >= sum(counts.values()):
            names = seen + list(got.per_label.index)
            v = tfidf_embed(names)
            v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-300)
            sim = np.clip(v[len(seen) :] @ v[: len(seen)].T, 0, 1)
            c = np.array([counts[t] for t in seen], float)
            np.testing.assert_allclose(got.per_label.to_numpy(), sim @ c / c.sum(), rtol=0, atol=1e-9)

    @SETTINGS
    @given(case=label_sets(), bad=st.sampled_from([0.5, 2.7, -1, float("nan"), float("inf"), "3", None, True]))
    def test_a_count_that_is_not_a_whole_number_is_refused(self, case, bad):
        """A mapping's count of 0.5, 2.7, -1, NaN, inf, '3', None or True raises a labelwise error
        naming ``train_labels`` and the label."""
        counts, evals, _ = case
        label = next(iter(counts))
        counts[label] = bad
        with pytest.raises(LabelwiseError, match=rf"train_labels.*{label!r}"):
            familiarity(counts, evals)


def test_a_label_of_underscores_seen_verbatim_scores_one():
    """``"_"`` was blank after the underscore became a space: a zero vector (familiarity 0 to itself),
    and sklearn's "empty vocabulary" error when every label was such."""
    assert familiarity(["_"], ["_"]).score == pytest.approx(1.0)
    assert familiarity(["__", "person"], ["__"]).per_label["__"] == pytest.approx(1.0 / 2)


def test_a_fractional_count_is_refused_rather_than_a_nan_score():
    """``{"a": 0.5}`` was a label of ``int(0.5) = 0`` occurrences, and the score NaN."""
    with pytest.raises(LabelwiseError, match=r"train_labels .*'a' has 0\.5"):
        familiarity({"a": 0.5}, ["a"])


@settings(max_examples=20, deadline=None)
@given(bad=st.sampled_from([None, 3, "person", b"person"]), which=st.sampled_from(["train_labels", "eval_labels"]))
def test_a_label_set_that_is_not_a_list_of_names_is_refused(bad, which):
    """None, a number or a bare text (read letter by letter before) raise an error naming the parameter."""
    args = {"train_labels": ["person", "place"], "eval_labels": ["person"]}
    args[which] = bad
    with pytest.raises(LabelwiseError, match=rf"{which} must be a list of label names"):
        familiarity(args["train_labels"], args["eval_labels"])
