"""WeightedBoxesFusion, BoxConsensus and compare_boxes on small hand-made and simulated box tables."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import _boxes_wbf
from labelwise.aggregate.boxes import BoxConsensus, WeightedBoxesFusion, compare_boxes, simulate_boxes
from labelwise.errors import AnnotationError, InvalidParameterError, LabelwiseWarning, MissingColumnError


def _table(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["image", "annotator", "x_min", "y_min", "x_max", "y_max", "label"])


THREE = _table(
    [
        ("i", "a", 10, 10, 50, 50, "cat"),
        ("i", "b", 12, 10, 52, 50, "cat"),
        ("i", "c", 100, 100, 120, 140, "cat"),  # c alone: no majority
        ("i", "c", 11, 9, 51, 49, "cat"),
        ("i", "a", 10, 10, 50, 50, "dog"),  # another class never matches a cat
    ]
)


class TestWeightedBoxesFusion:
    def test_cluster_is_the_score_weighted_mean(self):
        """Two overlapping boxes fuse into their score-weighted mean, scored by the paper's avg rule."""
        boxes = THREE.iloc[:2].assign(score=[0.9, 0.3])
        fused = WeightedBoxesFusion(score_col="score").fit(boxes).boxes_
        assert len(fused) == 1
        assert fused.x_min[0] == pytest.approx((0.9 * 10 + 0.3 * 12) / 1.2)
        assert fused.score[0] == pytest.approx(0.6 * 2 / 2)

    def test_a_model_that_drew_nothing_lowers_the_score(self):
        """An annotator in weights without a box counts as a model that found nothing (N = 3)."""
        boxes = THREE.iloc[:2].assign(score=[0.9, 0.3])
        fused = WeightedBoxesFusion(score_col="score", weights={"a": 1, "b": 1, "z": 1}).fit(boxes).boxes_
        assert fused.score[0] == pytest.approx(0.6 * 2 / 3)

    def test_every_box_lands_in_a_fused_box_of_its_class(self):
        """box_index_ points each row to a fused box of the same image and class."""
        est = WeightedBoxesFusion().fit(THREE)
        fused = est.boxes_.iloc[est.box_index_]
        np.testing.assert_array_equal(fused.label.to_numpy(), THREE.label.to_numpy())
        assert len(est.boxes_) == 3  # a, b and c's boxes; c's far box; a's dog

    def test_every_box_skipped_gives_no_box(self):
        """skip_box_thr above every score leaves an empty boxes_ and every box_index_ -1."""
        est = WeightedBoxesFusion(score_col="score", skip_box_thr=2.0).fit(THREE.assign(score=1.0))
        assert len(est.boxes_) == 0 and (est.box_index_ == -1).all()

    def test_small_blocks_give_the_same_clusters(self, monkeypatch):
        """Groups clustered in many small blocks give the boxes of one block."""
        sim = simulate_boxes(40, 4, false_rate=0.5, random_state=3)
        whole = WeightedBoxesFusion(score_col="score").fit(sim.boxes).boxes_
        monkeypatch.setattr(_boxes_wbf, "BLOCK_CELLS", 7)
        blocked = WeightedBoxesFusion(score_col="score").fit(sim.boxes).boxes_
        pd.testing.assert_frame_equal(whole, blocked)

    @pytest.mark.parametrize(
        ("params", "named"),
        [
            ({"iou_thr": 0}, "iou_thr"),
            ({"iou_thr": 1.5}, "iou_thr"),
            ({"conf_type": "mean"}, "conf_type"),
            ({"skip_box_thr": float("nan")}, "skip_box_thr"),
            ({"weights": {"a": 1, "b": 1}}, "weights"),
            ({"weights": {"a": 1, "b": 1, "c": -1}}, "weights"),
            ({"weights": [1, 2, 3]}, "weights"),
            ({"coord_cols": ("x_min", "y_min")}, "coord_cols"),
        ],
    )
    def test_bad_parameters_are_named(self, params, named):
        """Each bad parameter raises an error naming it."""
        with pytest.raises(InvalidParameterError, match=named):
            WeightedBoxesFusion(**params).fit(THREE)


class TestBoxConsensus:
    def test_majority_box_is_kept_and_lone_box_dropped(self):
        """3 annotators: the box drawn by all is kept (median), c's lone box and the lone dog are dropped."""
        est = BoxConsensus().fit(THREE)
        assert len(est.boxes_) == 1
        row = est.boxes_.iloc[0]
        assert (row.x_min, row.y_min, row.x_max, row.y_max) == (11, 10, 51, 50)
        assert row.votes == 3 and row.score == 1.0
        np.testing.assert_array_equal(est.box_index_, [0, 0, -1, 0, -1])

    def test_one_annotator_contributes_one_box_per_cluster(self):
        """Two near-identical boxes of one annotator stay in two clusters."""
        boxes = _table([("i", "a", 0, 0, 10, 10, "x"), ("i", "a", 0, 0, 10, 11, "x"), ("i", "b", 0, 0, 10, 10, "x")])
        est = BoxConsensus(min_votes=1).fit(boxes)
        assert sorted(est.boxes_.votes) == [1, 2]

    def test_an_exact_copy_of_an_annotators_box_is_read_once(self):
        """a's cat submitted twice (same image, class, coordinates): one consensus box, as without the
        copy (main made a second one from the copy and c's box), the copy pointing to it, with a warning."""
        rows = [
            ("im 1", "a", 0.10, 0.10, 0.40, 0.40, "car"),
            ("im 1", "b", 0.12, 0.10, 0.41, 0.40, "car"),
            ("im 1", "c", 0.11, 0.10, 0.40, 0.42, "car"),
        ]
        once = _table(rows).set_axis([50, 40, 30])
        twice = _table([*rows, rows[0]]).set_axis([50, 40, 30, 10])
        with pytest.warns(LabelwiseWarning, match=r"1 exact copies .* row 3 \(index 10\) repeats row 0 \(index 50\)"):
            est = BoxConsensus().fit(twice)
        pd.testing.assert_frame_equal(est.boxes_, BoxConsensus().fit(once).boxes_)
        np.testing.assert_array_equal(est.box_index_, [0, 0, 0, 0])
        assert est.n_repeated_boxes_ == 1 and est.n_input_boxes_ == 4
        assert est.annotators_.loc["a", "n_boxes"] == 1 and est.annotators_.loc["a", "precision"] == 1.0

    def test_boxes_of_one_annotator_differing_in_class_or_place_are_no_copies(self):
        """The same coordinates in another class, or another annotator's identical box, are not copies."""
        boxes = _table([("i", "a", 0, 0, 10, 10, "x"), ("i", "a", 0, 0, 10, 10, "y"), ("i", "b", 0, 0, 10, 10, "x")])
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            est = BoxConsensus(min_votes=1).fit(boxes)
        assert est.n_repeated_boxes_ == 0 and len(est.boxes_) == 2

    def test_min_votes_above_every_images_annotators_warns(self):
        """min_votes=4 with 3 annotators: no box can be kept, and a warning says so (not a silent empty table)."""
        with pytest.warns(
            LabelwiseWarning, match=r"min_votes 4 is more than the annotators of any image \(3 at most\)"
        ):
            est = BoxConsensus(min_votes=4).fit(THREE)
        assert est.boxes_.empty
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            assert len(BoxConsensus(min_votes=3).fit(THREE).boxes_) == 1

    def test_labeled_pairs_raise_the_majority(self):
        """a and b agree on a cat (2 of 2: kept); listing c and d, who drew nothing, needs 3 of 4."""
        boxes = THREE[THREE.annotator != "c"]
        assert len(BoxConsensus().fit(boxes).boxes_) == 1
        labeled = pd.DataFrame({"image": ["i", "i", "i", "k"], "annotator": ["c", "d", "a", "d"]})
        est = BoxConsensus().fit(boxes, labeled=labeled)
        assert len(est.boxes_) == 0
        assert est.n_labelers_.to_dict() == {"i": 4, "k": 1}
        assert est.annotators_.loc["d", "n_images"] == 2 and est.annotators_.loc["d", "n_boxes"] == 0

    def test_simulated_annotators_recover_the_truth_and_flag_the_spammer(self):
        """Jittered, missing and false boxes: consensus matches the truth better than any annotator,
        and the spammer has the lowest precision and recall in the skill table."""
        sim = simulate_boxes(60, 5, jitter=0.04, miss_rate=0.15, false_rate=0.3, n_spammers=1, random_state=0)
        est = BoxConsensus().fit(sim.boxes, labeled=sim.labeled)
        ours = compare_boxes(est.boxes_.assign(annotator="consensus"), sim.truth).iloc[0]
        each = compare_boxes(sim.boxes, sim.truth)
        assert ours.f1 > each.f1.max()
        assert ours.precision > 0.95 and ours.recall > 0.8  # 3 of 5 needed, 4 honest who miss 15%: ~0.89
        skill = est.annotators_
        assert skill.precision.idxmin() == "a4" and skill.recall.idxmin() == "a4"
        assert skill.loc["a0", "n_images"] == 60

    def test_mean_fusion_is_the_mean(self):
        """fuse='mean' gives the coordinates' mean."""
        row = BoxConsensus(fuse="mean").fit(THREE).boxes_.iloc[0]
        assert row.x_min == pytest.approx(11.0) and row.y_min == pytest.approx(29 / 3)

    @pytest.mark.parametrize(
        ("params", "named"),
        [({"min_votes": 0}, "min_votes"), ({"fuse": "mode"}, "fuse"), ({"iou_thr": "x"}, "iou_thr")],
    )
    def test_bad_parameters_are_named(self, params, named):
        """Each bad parameter raises an error naming it."""
        with pytest.raises(InvalidParameterError, match=named):
            BoxConsensus(**params).fit(THREE)

    def test_labeled_ids_of_another_kind_are_refused(self):
        """labeled naming images as texts where the boxes have numbers shares no id: refused, not read as new."""
        boxes = THREE.assign(image=7)
        with pytest.raises(
            AnnotationError, match=r"labeled must name the images .* got none of them \(labeled has '7'"
        ):
            BoxConsensus().fit(boxes, labeled=pd.DataFrame({"image": ["7"], "annotator": ["a"]}))

    def test_labeled_missing_id_is_named(self):
        """labeled with a missing annotator is refused, naming the row."""
        with pytest.raises(
            AnnotationError,
            match=r"labeled column 'annotator' must not contain missing values, row 1 is nan",
        ):
            BoxConsensus().fit(THREE, labeled=pd.DataFrame({"image": ["i", "j"], "annotator": ["a", None]}))


class TestBadBoxes:
    @pytest.mark.parametrize(
        ("column", "value", "match"),
        [
            ("x_max", 5, r"boxes must have x_max > x_min in every row, got x_max=5.0 and x_min=12.0 at row 1"),
            ("y_min", 50, r"boxes must have y_max > y_min in every row, got y_max=50.0 and y_min=50.0 at row 1"),
            ("x_min", "wide", r"boxes must hold finite numbers in column 'x_min', got 'wide' at row 1"),
            ("x_min", np.inf, r"column 'x_min', got inf at row 1"),
            (
                "image",
                None,
                r"boxes column 'image' \(the image\) must not contain missing values, row 1 is None",
            ),
        ],
    )
    def test_bad_row_is_named(self, column, value, match):
        """A bad coordinate or a missing id names its column and row."""
        boxes = THREE.astype({column: object})
        boxes.loc[1, column] = value
        with pytest.raises(AnnotationError, match=match):
            BoxConsensus().fit(boxes)

    def test_zero_score_is_named(self):
        """A score of 0 (no weight in the mean) is refused, naming the row."""
        with pytest.raises(AnnotationError, match=r"boxes must have scores > 0 in column 'score'.* got 0.0 at row 2"):
            WeightedBoxesFusion(score_col="score").fit(THREE.assign(score=[1, 1, 0, 1, 1]))

    def test_missing_column_and_empty_table(self):
        """A missing column lists the columns; an empty table is refused."""
        with pytest.raises(MissingColumnError, match=r"label_col must name a column of boxes, got 'class'"):
            WeightedBoxesFusion(label_col="class").fit(THREE)
        with pytest.raises(AnnotationError, match="at least one box"):
            BoxConsensus().fit(THREE.iloc[:0])
        with pytest.raises(InvalidParameterError, match="DataFrame"):
            BoxConsensus().fit(THREE.to_numpy())


def test_compare_boxes_counts_missed_images():
    """An annotator is scored on every reference image: one it drew nothing on counts as missed."""
    truth = pd.DataFrame({"image": ["i", "j"], "x_min": [10, 0], "y_min": [10, 0], "x_max": [50, 5], "y_max": [50, 5]})
    truth["label"] = "cat"
    table = compare_boxes(THREE, truth)
    assert table.loc["a", "n_reference"] == 2 and table.loc["a", "n_matched"] == 1
    assert table.loc["a", "recall"] == 0.5 and table.loc["a", "precision"] == 0.5
    assert table.loc["a", "mean_iou"] == 1.0


class TestCrowdedImage:
    @staticmethod
    def _crowded(n_objects: int, n_annotators: int) -> pd.DataFrame:
        """One image with ``n_objects`` small objects spread over it, each drawn by every annotator."""
        rng = np.random.default_rng(0)
        x, y = rng.uniform(0, 100_000, n_objects), rng.uniform(0, 100_000, n_objects)
        frames = []
        for a in range(n_annotators):
            x_min, y_min = x + rng.normal(0, 0.5, n_objects), y + rng.normal(0, 0.5, n_objects)
            corners = {"x_min": x_min, "y_min": y_min, "x_max": x_min + 20, "y_max": y_min + 20}
            frames.append(pd.DataFrame({"image": "big", "annotator": f"a{a}", "label": "car", **corners}))
        return pd.concat(frames, ignore_index=True)

    def test_consensus_memory_follows_the_overlapping_pairs_not_the_square(self):
        """12,000 boxes on one image: the fit holds only the overlapping pairs (main's code built all
        144 M pairs of the image, gigabytes, and a real 25,000-box image was killed for memory)."""
        import tracemalloc

        boxes = self._crowded(3000, 4)
        tracemalloc.start()
        try:
            est = BoxConsensus().fit(boxes)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(est.boxes_) == 3000 and (est.boxes_.votes == 4).all()
        assert peak < 200 * 2**20

    def test_overlapping_pairs_are_every_pair_whose_x_ranges_overlap(self):
        """The sweep's pairs equal the brute force's (same group, x ranges overlap), each once."""
        from labelwise.aggregate._boxes_match import overlapping_pairs

        rng = np.random.default_rng(1)
        for _ in range(50):
            n, m = rng.integers(0, 25, 2)
            a, b = (
                np.column_stack([x := rng.integers(0, 20, k), x * 0, x + rng.integers(1, 6, k), x * 0 + 1])
                for k in (n, m)
            )
            ga, gb = rng.integers(0, 3, n), rng.integers(0, 3, m)
            i, j = overlapping_pairs(ga, a.astype(float), gb, b.astype(float))
            got = sorted(zip(i.tolist(), j.tolist(), strict=True))
            want = [
                (p, q) for p in range(n) for q in range(m) if ga[p] == gb[q] and a[p, 0] < b[q, 2] and b[q, 0] < a[p, 2]
            ]
            assert got == want
