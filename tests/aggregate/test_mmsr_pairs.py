"""MMSR on the co-labelled annotator pairs only: the dense matrices' values, signs and fits, and a
crowd of thousands of annotators in the memory of its pairs, not of n_annotators squared."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import MMSR, encode_answers
from labelwise.aggregate._mmsr_pairs import annotator_pairs, pair_signs
from labelwise.aggregate.mmsr import agreement_covariance, msr_rank_one, sign_determination
from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd
from tests.aggregate._crowd import confusion_crowd


@st.composite
def crowds(draw):
    """Small random answer tables (repeated answers included), 2-4 classes."""
    n_items, n_ann, k = draw(st.integers(1, 15)), draw(st.integers(1, 9)), draw(st.integers(2, 4))
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, n_items - 1), st.integers(0, n_ann - 1), st.integers(0, k - 1)),
            min_size=1,
            max_size=60,
        )
    )
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


def _dense_weights(answers: pd.DataFrame, random_state: int) -> np.ndarray:
    """MMSR's log-odds weights from the dense (n_annotators, n_annotators) matrices."""
    enc = encode_answers(answers)
    k, n = enc.n_classes, enc.n_items
    cov, common = agreement_covariance(enc)
    observed = common > 0
    f = max(int(observed.sum(axis=0).min()) // 2 - 1, 0)
    u0 = np.random.default_rng(random_state).uniform(size=enc.n_annotators)
    u, v, _ = msr_rank_one(cov, observed, u0, u0.copy(), f, n, 10000, 1e-10)
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    magnitude = u * np.sqrt(nv / nu) if nu > 0 and nv > 0 else u
    skill = np.minimum(sign_determination(cov, observed) * magnitude, 1.0 - 1.0 / np.sqrt(n))
    skill = np.maximum(skill, -1.0 / (k - 1) + 1.0 / np.sqrt(n))  # in this order: one item makes the range empty
    accuracy = skill * (k - 1) / k + 1.0 / k
    return np.log(accuracy * (k - 1) / (1.0 - accuracy))


class TestSameAsDense:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answers=crowds())
    def test_pairs_are_the_dense_matrices_nonzero_entries(self, answers):
        """Rows, columns, covariances and shared counts equal the dense matrices' off-diagonal
        observed entries, in numpy.nonzero's row-major order, bit for bit."""
        enc = encode_answers(answers)
        pairs = annotator_pairs(enc)
        cov, common = agreement_covariance(enc)
        rows, cols = np.nonzero(common > 0)
        np.testing.assert_array_equal(pairs.rows, rows)
        np.testing.assert_array_equal(pairs.cols, cols)
        np.testing.assert_array_equal(pairs.cov, cov[rows, cols])
        np.testing.assert_array_equal(pairs.common, common[rows, cols])
        np.testing.assert_array_equal(pair_signs(pairs), sign_determination(cov, common > 0))

    @pytest.mark.parametrize("k", [2, 3, 5])
    def test_signs_equal_on_a_graph_past_the_dense_solver(self, k):
        """A crowd whose sign graph has thousands of nodes (Lanczos): the same signs both ways."""
        answers, _ = confusion_crowd(600, k, tuple(np.linspace(0.2, 0.9, 60)), per_item=5, seed=k)
        enc = encode_answers(answers)
        cov, common = agreement_covariance(enc)
        np.testing.assert_array_equal(pair_signs(annotator_pairs(enc)), sign_determination(cov, common > 0))

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answers=crowds(), rs=st.integers(0, 50))
    def test_fit_weights_equal_the_dense_path(self, answers, rs):
        """MMSR's annotator_weight_ equals the weights built from the dense matrices, exactly."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = MMSR(random_state=rs).fit(answers)
        if est.classes_.size < 2:
            return
        np.testing.assert_array_equal(est.annotator_weight_.to_numpy(), _dense_weights(answers, rs))

    def test_real_set_weights_and_history_equal_the_dense_path(self, shared_data):
        """On CF (461 annotators, 5 classes): the same weights, to the bit, as the dense matrices."""
        answers = pd.read_csv(shared_data / "crowd" / "CF" / "annotations.csv")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = MMSR().fit(answers)
        np.testing.assert_array_equal(est.annotator_weight_.to_numpy(), _dense_weights(answers, 0))


def _signs(answers: pd.DataFrame) -> np.ndarray:
    return pair_signs(annotator_pairs(encode_answers(answers, labels=[0, 1, 2, 3])))


# Two annotators agreeing on one item, beside three more on another: main's solver gave the first
# component's vector only, so the second pair got signs 0.
TWO_PARTS = (pd.DataFrame({"item": [0, 0], "annotator": [0, 1], "label": [1, 1]}),)
THREE = pd.DataFrame({"item": [0, 0, 0], "annotator": [0, 1, 2], "label": [0, 0, 0]})


class TestComponents:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(first=crowds(), second=crowds())
    @example(first=TWO_PARTS[0], second=THREE)
    def test_a_crowd_of_two_unconnected_parts_gets_each_parts_signs(self, first, second):
        """Annotators who share nothing with the others' items: each part's signs are those it
        gets alone, bit for bit (the sign graph's components are solved apart; a repeated
        smallest eigenvalue let one solver's vector leave a whole part at 0 or flip it)."""
        shifted = second.assign(item=second["item"] + 100, annotator=second["annotator"] + 100)
        together = _signs(pd.concat([first, shifted], ignore_index=True))
        np.testing.assert_array_equal(together, np.concatenate([_signs(first), _signs(second)]))

    def test_honest_annotators_of_two_separate_crowds_are_all_positive(self):
        """Two crowds of five honest annotators (75-90% right), each on 30 items of its own: every
        weight positive (main left the first crowd's five at weight 0 on this table)."""
        parts = []
        for part, seed in enumerate((6, 106)):
            rng = np.random.default_rng(seed)
            truth = rng.integers(0, 2, 30)
            for i in range(30):
                for j, acc in enumerate((0.9, 0.85, 0.8, 0.8, 0.75)):
                    label = truth[i] if rng.random() < acc else 1 - truth[i]
                    parts.append((f"i{i + 30 * part}", f"a{j + 5 * part}", label))
        answers = pd.DataFrame(parts, columns=["item", "annotator", "label"])
        weights = MMSR().fit(answers).annotator_weight_
        assert (weights > 0).all(), weights.to_dict()


class TestManyAnnotators:
    def test_five_thousand_annotators_fit_in_the_memory_of_their_pairs(self):
        """5,000 annotators (25,000 answers): a dense annotator x annotator float matrix alone is
        200 MB; the fit's traced peak stays under 60 MB and every weight is finite."""
        crowd = simulate_sparse_crowd(
            n_items=5000,
            n_classes=3,
            n_annotators=5000,
            answers_per_item=5,
            spammer_share=0.0,
            adversary_share=0.1,
            activity_skew=0.0,
            random_state=0,
        )
        tracemalloc.start()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est = MMSR().fit(crowd.answers)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert est.annotator_weight_.size > 4900 and np.isfinite(est.annotator_weight_).all()
        assert peak < 60e6, f"peak {peak / 1e6:.0f} MB"
