"""Augmentation policies: Snorkel's sequences, seeded draws, parameter checks."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.weak import ApplyAllPolicy, ApplyEachPolicy, ApplyOnePolicy, MeanFieldPolicy, RandomPolicy


class TestDeterministicPolicies:
    def test_apply_all_lists_every_tf_in_order_for_each_copy(self):
        """Snorkel's docstring example: ApplyAllPolicy(3, n_per_original=2, keep_original=False)."""
        assert ApplyAllPolicy(3, n_per_original=2, keep_original=False).generate_for_example() == [[0, 1, 2], [0, 1, 2]]

    def test_apply_each_gives_one_copy_per_tf_after_the_original(self):
        """Snorkel's docstring example: ApplyEachPolicy(3, keep_original=True)."""
        assert ApplyEachPolicy(3).generate_for_example() == [[], [0], [1], [2]]

    def test_apply_one_applies_the_one_tf(self):
        """ApplyOnePolicy is ApplyAllPolicy of one TF."""
        assert ApplyOnePolicy(n_per_original=2).generate_for_example() == [[], [0], [0]]

    def test_sequences_have_one_block_per_row(self):
        """The array is (rows, copies, length)."""
        assert ApplyAllPolicy(n_per_original=3).sequences(4, 2).shape == (4, 3, 2)


class TestRandomPolicies:
    def test_an_int_seed_draws_what_numpy_global_seed_draws(self):
        """random_state=7 gives the draws Snorkel makes after np.random.seed(7), one row after another."""
        policy = MeanFieldPolicy(4, sequence_length=2, p=[0.1, 0.2, 0.3, 0.4], n_per_original=3, random_state=7)
        seeded = np.random.RandomState(7)  # numpy's global state after np.random.seed(7), which Snorkel draws from
        snorkel_order = [seeded.choice(4, size=2, p=policy.p).tolist() for _ in range(5 * 3)]
        assert policy.sequences(5, 4).reshape(15, 2).tolist() == snorkel_order

    def test_uniform_draws_cover_every_tf(self):
        """RandomPolicy draws each TF about equally often."""
        counts = np.bincount(RandomPolicy(random_state=0).sequences(3000, 3).ravel(), minlength=3)
        assert counts.min() > 900

    def test_a_zero_probability_tf_is_never_drawn(self):
        """p is the distribution of the draws."""
        assert 1 not in MeanFieldPolicy(p=[0.5, 0.0, 0.5], sequence_length=4, random_state=1).sequences(200, 3)

    def test_a_generator_is_drawn_from_as_given(self):
        """Two generators of one seed give the same draws."""
        first = RandomPolicy(random_state=np.random.default_rng(3)).sequences(10, 4)
        assert np.array_equal(first, RandomPolicy(random_state=np.random.default_rng(3)).sequences(10, 4))

    def test_p_sets_n_tfs_when_it_is_not_given(self):
        """MeanFieldPolicy(p=...) knows its number of TFs."""
        assert MeanFieldPolicy(p=[0.5, 0.5]).n_tfs == 2


class TestPolicyErrors:
    @pytest.mark.parametrize(
        ("make", "message"),
        [
            (lambda: ApplyAllPolicy(0), "n_tfs must be a positive integer or None, got 0"),
            (lambda: ApplyAllPolicy(n_per_original=1.5), "n_per_original must be a positive integer, got 1.5"),
            (lambda: ApplyEachPolicy(keep_original="no"), "keep_original must be True or False, got 'no'"),
            (lambda: RandomPolicy(sequence_length=0), "sequence_length must be a positive integer, got 0"),
            (lambda: RandomPolicy(random_state="x"), "random_state must be None, an int in"),
            (lambda: MeanFieldPolicy(3, p=[0.5, 0.5]), r"p must hold 3 \(n_tfs\) probabilities, got shape \(2,\)"),
            (
                lambda: MeanFieldPolicy(p=[0.7, 0.7]),
                r"p must be non-negative probabilities summing to 1, got \[0.7, 0.7\]",
            ),
            (lambda: MeanFieldPolicy(p="ab"), "p must be a list of probabilities"),
        ],
    )
    def test_bad_parameters_are_named(self, make, message):
        """Each error names the parameter, the expectation and the value."""
        with pytest.raises(InvalidParameterError, match=message):
            make()

    def test_a_policy_without_n_tfs_cannot_list_an_example(self):
        """generate_for_example needs the number of TFs."""
        with pytest.raises(InvalidParameterError, match="generate_for_example needs the policy's n_tfs"):
            RandomPolicy().generate_for_example()
