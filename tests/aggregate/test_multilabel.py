"""Tests for MultiLabelAggregator (labelwise.aggregate.multilabel): binary relevance over the
single-label methods, the thresholding rule, the attributes, and the errors on bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from labelwise.aggregate import METHODS, DawidSkene, MajorityVote, MultiLabelAggregator, simulate_multilabel_crowd
from labelwise.aggregate.multilabel import MULTILABEL_METHODS, TAG_METHODS, select_tags
from labelwise.errors import AnnotationError, InvalidParameterError, LabelwiseError, MissingColumnError

ANSWERS = pd.DataFrame(
    {
        "item": [1, 1, 1, 2, 2, 2, 3, 3],
        "annotator": list("abcabcab"),
        "tags": ["cat|dog", "cat", "cat|dog", "dog", "", "dog|owl", None, "owl"],
    }
)


def _binary_table(answers: pd.DataFrame, tag: str) -> pd.DataFrame:
    """The binary answers of one tag built the slow way, from the parsed sets."""
    sets = answers["tags"].map(lambda s: set() if not isinstance(s, str) else {t for t in s.split("|") if t})
    return pd.DataFrame(
        {"item": answers["item"], "annotator": answers["annotator"], "label": sets.map(lambda s: int(tag in s))}
    )


class TestBinaryRelevance:
    def test_each_tag_model_equals_the_method_fitted_on_that_tags_binary_answers(self):
        """A tag's probabilities are those of the method on the table where choosing the tag is 1, an
        answer without it (the empty set and a missing cell included) is 0."""
        est = MultiLabelAggregator("dawid-skene").fit(ANSWERS)
        for tag in ("cat", "dog", "owl"):
            single = DawidSkene(labels=[0, 1]).fit(_binary_table(ANSWERS, tag))
            np.testing.assert_allclose(est.probas_[tag].to_numpy(), single.probas_[1].to_numpy(), atol=1e-12)
            np.testing.assert_allclose(
                est.annotator_skill_[tag].to_numpy(), single.annotator_skill_.to_numpy(), atol=1e-12
            )

    def test_an_unanswered_item_is_an_abstention_not_a_no(self):
        """Annotator c never answered item 3: its vote share there counts a and b only."""
        est = MultiLabelAggregator("majority-vote").fit(ANSWERS)
        assert est.probas_.loc[3, "owl"] == pytest.approx(0.5)
        assert est.n_answers_per_item_.loc[3] == 2

    def test_labels_are_sorted_tuples_of_the_tags_above_threshold(self):
        """Tags with P > 0.5 in tag order; the 1-1 tie on item 3 leaves owl out."""
        est = MultiLabelAggregator("majority-vote").fit(ANSWERS)
        assert est.labels_.tolist() == [("cat", "dog"), ("dog",), ()]
        assert list(est.tags_) == ["cat", "dog", "owl"]
        assert est.n_empty_answers_ == 2

    def test_min_tags_adds_the_most_probable_tag(self):
        """With min_tags=1 the empty set of item 3 becomes its most probable tag."""
        est = MultiLabelAggregator("majority-vote", min_tags=1).fit(ANSWERS)
        assert est.labels_.loc[3] == ("owl",)
        assert est.labels_.loc[1] == ("cat", "dog")

    def test_min_tags_at_or_above_the_number_of_tags_warns_that_every_item_gets_every_tag(self):
        """min_tags=3 with the three tags of ANSWERS: every set is every tag, which is said."""
        with pytest.warns(UserWarning, match=r"every item gets every tag: min_tags=3 .* \(3\)"):
            est = MultiLabelAggregator("majority-vote", min_tags=3).fit(ANSWERS)
        assert set(est.labels_) == {("cat", "dog", "owl")}

    def test_confidence_is_the_probability_of_the_exact_set(self):
        """confidence_ multiplies P over chosen tags and 1 - P over the others."""
        est = MultiLabelAggregator("majority-vote").fit(ANSWERS)
        p = est.probas_.loc[1]
        assert est.confidence_.loc[1] == pytest.approx(p["cat"] * p["dog"] * (1 - p["owl"]))

    @pytest.mark.parametrize("method", MULTILABEL_METHODS)
    def test_every_method_fits(self, method):
        """Every single-label method without model probabilities runs per tag."""
        crowd = simulate_multilabel_crowd(60, 3, 8, per_item=3, random_state=0)
        est = MultiLabelAggregator(method).fit(crowd.answers)
        assert est.probas_.shape == (60, 3)
        assert ((est.probas_ >= 0) & (est.probas_ <= 1)).all().all()
        assert set(est.tag_models_) == set(crowd.truth.columns)

    def test_beats_majority_vote_with_spammers(self):
        """On a simulated crowd with spammers, Dawid-Skene per tag is at least as accurate as the vote."""
        crowd = simulate_multilabel_crowd(400, 5, 20, per_item=5, spammers=0.3, random_state=3)
        truth = crowd.truth.to_numpy()
        ds = MultiLabelAggregator("dawid-skene").fit(crowd.answers)
        mv = MultiLabelAggregator("majority-vote").fit(crowd.answers)
        acc = [((m.probas_.to_numpy() > 0.5) == truth).mean() for m in (ds, mv)]
        assert acc[0] >= acc[1]

    def test_lists_sets_and_strings_give_the_same_result(self):
        """A tag cell as a list, a set or a separated string is read the same."""
        as_lists = ANSWERS.assign(
            tags=[["cat", "dog"], ["cat"], ("dog", "cat"), {"dog"}, [], ["owl", "dog"], None, ["owl"]]
        )
        a = MultiLabelAggregator("majority-vote").fit(ANSWERS)
        b = MultiLabelAggregator("majority-vote").fit(as_lists)
        pd.testing.assert_frame_equal(a.probas_, b.probas_)

    def test_separator_none_reads_a_string_as_one_tag(self):
        """tag_separator=None: "cat|dog" is a single tag."""
        est = MultiLabelAggregator("majority-vote", tag_separator=None).fit(ANSWERS)
        assert "cat|dog" in est.tags_

    def test_duplicates_last_keeps_the_last_answer_of_a_pair(self):
        """duplicates="last": annotator a's second answer on item 1 replaces the first."""
        table = pd.concat(
            [ANSWERS, pd.DataFrame({"item": [1], "annotator": ["a"], "tags": ["owl"]})], ignore_index=True
        )
        est = MultiLabelAggregator("majority-vote", duplicates="last").fit(table)
        assert est.n_duplicates_ == 1 and est.n_duplicates_dropped_ == 1
        assert est.probas_.loc[1, "owl"] == pytest.approx(1 / 3)
        assert est.probas_.loc[1, "dog"] == pytest.approx(1 / 3)

    def test_params_reach_every_tag_model_and_survive_clone(self):
        """Method parameters are get_params entries, cloned, and set on each tag's estimator."""
        est = MultiLabelAggregator("dawid-skene", max_iter=3, smoothing=0.0)
        assert clone(est).get_params()["max_iter"] == 3
        est.set_params(max_iter=4, threshold=0.4).fit(ANSWERS)
        assert all(m.max_iter == 4 and m.smoothing == 0.0 for m in est.tag_models_.values())
        assert est.threshold == 0.4

    def test_tag_models_are_binary_estimators_of_the_method(self):
        """tag_models_ maps each tag to a fitted estimator with classes 0 and 1."""
        est = MultiLabelAggregator("majority-vote").fit(ANSWERS)
        model = est.tag_models_["dog"]
        assert isinstance(model, MajorityVote) and list(model.classes_) == [0, 1]


def test_tag_methods_are_the_methods_without_model_probabilities():
    """TAG_METHODS is METHODS less those that need a model's probabilities (crowdlab) or gold labels."""
    assert TAG_METHODS == {
        name: cls for name, cls in METHODS.items() if not cls._uses_probs and "gold" not in cls().get_params()
    }


class TestSelectTags:
    def test_min_tags_fills_by_probability_then_tag_order(self):
        """Rows short of min_tags get their most probable unchosen tags; equal ones by column order."""
        p = np.array([[0.9, 0.2, 0.3], [0.1, 0.1, 0.1], [0.6, 0.7, 0.8]])
        chosen = select_tags(p, 0.5, 2)
        assert chosen.tolist() == [[True, False, True], [True, True, False], [True, True, True]]

    def test_min_tags_above_the_tag_count_chooses_every_tag(self):
        """min_tags larger than the number of tags selects them all."""
        assert select_tags(np.array([[0.1, 0.2]]), 0.5, 5).all()


class TestErrors:
    @pytest.mark.parametrize(
        "kwargs, match",
        [
            ({"method": "crowdlab"}, "method must be one of"),
            ({"method": "nope"}, "method must be one of"),
            ({"threshold": 1.0}, "threshold must be in"),
            ({"threshold": True}, "threshold must be a number"),
            ({"min_tags": -1}, "min_tags must be an integer >= 0"),
            ({"tag_separator": ""}, "tag_separator must be a non-empty string"),
            ({"tag_separator": 3}, "tag_separator must be a non-empty string"),
            ({"duplicates": "first"}, "duplicates must be one of"),
            ({"tags_col": "item"}, "three different columns"),
            ({"max_iter": 0}, "max_iter must be an integer >= 1"),
            ({"bogus": 1}, "not parameters of method 'dawid-skene'; valid:"),
            ({"labels": [0, 1]}, "params must not set \\['labels'\\]"),
        ],
    )
    def test_bad_parameters_name_the_parameter(self, kwargs, match):
        """Each bad parameter raises InvalidParameterError naming it and what was got."""
        with pytest.raises(InvalidParameterError, match=match):
            MultiLabelAggregator(**kwargs).fit(ANSWERS)

    def test_unhashable_tag_names_the_row(self):
        """A list inside a tag list is refused with its row."""
        table = ANSWERS.assign(tags=[["cat"], [["dog"]], [], [], [], [], [], []])
        with pytest.raises(AnnotationError, match="row 1 must hold hashable tags"):
            MultiLabelAggregator().fit(table)

    def test_a_tag_containing_the_separator_is_refused(self):
        """A tag equal to (or containing) tag_separator could not be written back: an error."""
        table = ANSWERS.assign(tags=[["cat"], ["|"], [], [], [], [], [], []])
        with pytest.raises(AnnotationError, match="contains tag_separator '\\|'"):
            MultiLabelAggregator().fit(table)

    def test_missing_tag_inside_a_list_is_refused(self):
        """None inside a tag list is an error (a missing cell is the empty set, a missing tag is not)."""
        table = ANSWERS.assign(tags=[["cat", None], [], [], [], [], [], [], []])
        with pytest.raises(AnnotationError, match="missing tag"):
            MultiLabelAggregator().fit(table)

    def test_a_dict_cell_names_the_row(self):
        """A dict (nested JSON) is no tag set: refused with its row."""
        table = ANSWERS.assign(tags=[["cat"], {"dog": 1}, [], [], [], [], [], []])
        with pytest.raises(AnnotationError, match="row 1 must be a list, tuple or set of tags"):
            MultiLabelAggregator().fit(table)

    def test_empty_table(self):
        """An empty answer table is refused."""
        with pytest.raises(AnnotationError, match="at least one answer"):
            MultiLabelAggregator().fit(ANSWERS.iloc[:0])

    def test_no_tag_anywhere(self):
        """A table whose every answer is the empty set has no tag to aggregate."""
        with pytest.raises(AnnotationError, match="at least one tag"):
            MultiLabelAggregator().fit(ANSWERS.assign(tags=""))

    @pytest.mark.parametrize("drop", ["tags", "item"])
    def test_missing_column_lists_the_columns(self, drop):
        """A missing column is named along with the table's columns."""
        with pytest.raises(MissingColumnError, match="missing"):
            MultiLabelAggregator().fit(ANSWERS.drop(columns=drop))

    def test_not_a_dataframe(self):
        """A list of rows is not an answer table."""
        with pytest.raises(LabelwiseError, match="must be a pandas DataFrame"):
            MultiLabelAggregator().fit([[1, "a", "cat"]])

    def test_null_annotator_names_the_row(self):
        """A missing annotator id is an error naming the row."""
        with pytest.raises(AnnotationError, match="annotator"):
            MultiLabelAggregator().fit(ANSWERS.assign(annotator=[None, *"bcabcab"]))
