"""Tests for labelwise.aggregate.agreement: Krippendorff's alpha, Fleiss' kappa, item/annotator agreement."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import MajorityVote
from labelwise.aggregate.agreement import (
    agreement,
    annotator_agreement,
    fleiss_kappa,
    item_agreement,
    krippendorff_alpha,
)
from labelwise.errors import AnnotationError, InvalidParameterError, MissingColumnError

# Fleiss (1971) style table as worked on Wikipedia ("Fleiss' kappa", worked example):
# 10 items, 14 raters each, 5 categories; P_bar = 0.378, P_e = 0.213, kappa = 0.210.
FLEISS_TABLE = np.array(
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4 observers x 12 units
# example with missing values; nominal alpha = 0.743.
KRIPPENDORFF_DATA = [
    "1 2 3 3 2 1 4 1 2 . . .",
    "1 2 3 3 2 2 4 1 2 5 . 3",
    ". 3 3 3 2 3 4 2 2 5 1 .",
    "1 2 3 3 2 4 4 1 2 5 1 .",
]


def table_to_answers(table: np.ndarray) -> pd.DataFrame:
    """Item x category counts -> long table with one synthetic rater per answer."""
    items, cats = np.nonzero(table)
    reps = table[items, cats]
    item = np.repeat(items, reps)
    label = np.repeat(cats, reps)
    rater = np.concatenate([np.arange(n) for n in np.bincount(item, minlength=table.shape[0])])
    return pd.DataFrame({"item": item, "annotator": rater, "label": label})


def reliability_to_answers(rows: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    matrix = np.array([[np.nan if v == "." else float(v) for v in r.split()] for r in rows])
    coder, unit = np.nonzero(~np.isnan(matrix))
    answers = pd.DataFrame({"item": unit, "annotator": coder, "label": matrix[coder, unit].astype(int)})
    return answers, matrix


class TestFleissKappa:
    def test_matches_the_worked_example(self):
        """The worked example's kappa (0.210) is reproduced."""
        kappa = fleiss_kappa(table_to_answers(FLEISS_TABLE))
        assert kappa == pytest.approx(0.210, abs=5e-4)
        # exact value from the formula: P_bar = 0.37802..., P_e = 0.21281...
        p_bar = ((FLEISS_TABLE**2).sum(1) - 14).sum() / (10 * 14 * 13)
        p_j = FLEISS_TABLE.sum(0) / 140
        assert kappa == pytest.approx((p_bar - (p_j**2).sum()) / (1 - (p_j**2).sum()), rel=1e-12)

    def test_perfect_agreement_is_one(self):
        """Raters who always agree (on two classes) give kappa 1."""
        answers = pd.DataFrame({"item": [0, 0, 1, 1], "annotator": [0, 1, 0, 1], "label": ["a", "a", "b", "b"]})
        assert fleiss_kappa(answers) == pytest.approx(1.0)

    def test_undefined_cases_are_nan(self):
        """One answer per item, or a single value everywhere, leave kappa undefined (NaN)."""
        single = pd.DataFrame({"item": [0, 1], "annotator": [0, 0], "label": ["a", "b"]})
        same = pd.DataFrame({"item": [0, 0], "annotator": [0, 1], "label": ["a", "a"]})
        assert math.isnan(fleiss_kappa(single)) and math.isnan(fleiss_kappa(same))


class TestKrippendorffAlpha:
    def test_matches_krippendorff_2011_example(self):
        """Krippendorff's worked example (with missing values) gives nominal alpha 0.743."""
        answers, _ = reliability_to_answers(KRIPPENDORFF_DATA)
        assert krippendorff_alpha(answers) == pytest.approx(0.743, abs=5e-4)

    def test_matches_krippendorff_package_on_random_data(self):
        """On random sparse data alpha equals the krippendorff package's nominal alpha."""
        krippendorff = pytest.importorskip("krippendorff")
        rng = np.random.default_rng(0)
        truth = rng.integers(0, 4, size=60)
        matrix = np.where(rng.random((7, 60)) < 0.7, truth, rng.integers(0, 4, size=(7, 60))).astype(float)
        matrix[rng.random(matrix.shape) < 0.4] = np.nan
        coder, unit = np.nonzero(~np.isnan(matrix))
        answers = pd.DataFrame({"item": unit, "annotator": coder, "label": matrix[coder, unit].astype(int)})
        expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        assert krippendorff_alpha(answers) == pytest.approx(expected, rel=1e-10)

    @pytest.mark.slow
    def test_matches_krippendorff_package_on_real_crowd_data(self, shared_data):
        """On real crowdsourced answers alpha equals the krippendorff package's value."""
        krippendorff = pytest.importorskip("krippendorff")
        answers = pd.read_csv(shared_data / "crowd" / "MS" / "annotations.csv")
        matrix = answers.pivot(index="annotator", columns="item", values="label").to_numpy(dtype=float)
        expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        assert krippendorff_alpha(answers) == pytest.approx(expected, rel=1e-9)

    def test_matches_crowd_kit_alpha(self, shared_data):
        """On a real crowd set alpha equals crowd-kit's alpha_krippendorff (nltk)."""
        metrics = pytest.importorskip("crowdkit.metrics.data")
        answers = pd.read_csv(shared_data / "crowd" / "CF" / "annotations.csv")
        expected = metrics.alpha_krippendorff(answers.rename(columns={"item": "task", "annotator": "worker"}))
        assert krippendorff_alpha(answers) == pytest.approx(expected, rel=1e-9)

    def test_single_answer_items_do_not_count(self):
        """Items with one answer are not pairable and leave alpha unchanged."""
        answers, _ = reliability_to_answers(KRIPPENDORFF_DATA)
        extra = pd.DataFrame({"item": [100, 101], "annotator": [0, 1], "label": [1, 5]})
        assert krippendorff_alpha(pd.concat([answers, extra])) == pytest.approx(krippendorff_alpha(answers))

    def test_declared_labels_are_checked(self):
        """A label outside the declared set is an error naming the row."""
        answers = pd.DataFrame({"item": [0, 0], "annotator": [0, 1], "label": ["a", "z"]})
        with pytest.raises(AnnotationError, match="row 1 is 'z'"):
            krippendorff_alpha(answers, labels=["a", "b"])

    def test_missing_column_is_reported(self):
        """A table without the label column lists its columns."""
        with pytest.raises(MissingColumnError, match="missing \\['label'\\]"):
            krippendorff_alpha(pd.DataFrame({"item": [0], "annotator": [0], "answer": [1]}))


answer_tables = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 4), st.integers(0, 3)), min_size=4, max_size=40
).map(lambda rows: pd.DataFrame(rows, columns=["item", "annotator", "label"]).drop_duplicates(["item", "annotator"]))


class TestInvariances:
    @settings(max_examples=40, deadline=None)
    @given(answer_tables, st.integers(0, 2**31 - 1))
    def test_row_order_and_class_names_do_not_matter(self, answers, seed):
        """Shuffling rows or renaming classes leaves alpha and kappa unchanged."""
        alpha, kappa = krippendorff_alpha(answers), fleiss_kappa(answers)
        shuffled = answers.sample(frac=1.0, random_state=seed % 1000)
        renamed = answers.assign(label=answers["label"].map({0: "d", 1: "c", 2: "b", 3: "a"}))
        for other in (shuffled, renamed):
            for ours, theirs in ((alpha, krippendorff_alpha(other)), (kappa, fleiss_kappa(other))):
                assert (math.isnan(ours) and math.isnan(theirs)) or ours == pytest.approx(theirs, abs=1e-12)

    @settings(max_examples=40, deadline=None)
    @given(answer_tables)
    def test_alpha_is_at_most_one(self, answers):
        """Alpha never exceeds 1."""
        alpha = krippendorff_alpha(answers)
        assert math.isnan(alpha) or alpha <= 1.0 + 1e-12


class TestConsensusAgreement:
    answers = pd.DataFrame(
        {
            "item": ["x", "x", "x", "y", "y", "z"],
            "annotator": ["a", "b", "c", "a", "b", "c"],
            "label": [1, 1, 0, 0, 1, 1],
        }
    )

    def test_item_agreement_is_share_equal_to_consensus(self):
        """Per item, the share of answers equal to the consensus label."""
        consensus = pd.Series({"x": 1, "y": 0, "z": 0})
        result = item_agreement(self.answers, consensus)
        assert result.to_dict() == pytest.approx({"x": 2 / 3, "y": 0.5, "z": 0.0})

    def test_item_without_consensus_is_nan(self):
        """An item missing from the consensus gets NaN."""
        result = item_agreement(self.answers, pd.Series({"x": 1}))
        assert result["x"] == pytest.approx(2 / 3) and np.isnan(result["y"])

    def test_annotator_agreement_with_fitted_aggregator(self):
        """A fitted aggregator's labels_ serve as consensus; counts and shares per annotator."""
        mv = MajorityVote().fit(self.answers)
        table = annotator_agreement(self.answers, mv)
        consensus = mv.labels_
        assert table["answers"].to_dict() == {"a": 2, "b": 2, "c": 2}
        for who, rows in self.answers.groupby("annotator"):
            share = (rows["label"].to_numpy() == consensus.loc[rows["item"]].to_numpy()).mean()
            assert table.loc[who, "agreement"] == pytest.approx(share)

    def test_bad_consensus_type(self):
        """A consensus that is not a Series or fitted aggregator is rejected."""
        with pytest.raises(InvalidParameterError, match="consensus must be a pandas Series"):
            item_agreement(self.answers, [1, 0, 0])

    def test_agreement_summary(self):
        """agreement() bundles alpha, kappa and sizes into one frozen result."""
        result = agreement(self.answers)
        assert result.n_items == 3 and result.n_annotators == 3 and result.n_answers == 6
        assert result.n_pairable_items == 2
        assert result.krippendorff_alpha == pytest.approx(krippendorff_alpha(self.answers))
        assert result.to_frame().shape == (1, 6)
