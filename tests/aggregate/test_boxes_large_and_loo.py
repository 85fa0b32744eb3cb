"""WBF on crowded images (the grid of nearby clusters) and BoxConsensus's leave-one-out skill table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import _boxes_wbf
from labelwise.aggregate.boxes import BoxConsensus, WeightedBoxesFusion, compare_boxes, simulate_boxes
from labelwise.errors import InvalidParameterError

COORDS = ["x_min", "y_min", "x_max", "y_max"]


def _crowded(n_objects: int, n_models: int, seed: int, *, wide: bool = False) -> pd.DataFrame:
    """One image of small objects (a few large ones with ``wide``), each found by most models, scored."""
    rng = np.random.default_rng(seed)
    wh = rng.uniform(8, 24, (n_objects, 2))
    if wide:
        wh[: n_objects // 10] *= rng.uniform(5, 40, (n_objects // 10, 1))
    low = rng.uniform(0, 1, (n_objects, 2)) * (np.array([1000.0, 800.0]) - wh)
    truth = np.column_stack([low, low + wh])
    frames = []
    for m in range(n_models):
        found = rng.random(n_objects) > 0.1
        box = truth[found] + rng.normal(0, 0.08, (found.sum(), 4)) * np.tile(wh[found], 2)
        box[:, 2:] = np.maximum(box[:, 2:], box[:, :2] + 1)
        frames.append(
            pd.DataFrame(dict(zip(COORDS, box.T, strict=True)))
            .assign(image="big", annotator=f"m{m}", label=rng.integers(0, 2, found.sum()).astype(str))
            .assign(score=rng.choice([0.3, 0.5, 0.7, 0.9], found.sum()))  # ties in score: the tie rule decides
        )
    return pd.concat(frames, ignore_index=True)


class TestCrowdedWbf:
    @pytest.mark.parametrize(("seed", "wide", "iou_thr"), [(0, False, 0.55), (1, True, 0.3), (2, True, 0.8)])
    def test_grid_gives_the_clusters_of_the_full_comparison_bit_for_bit(self, monkeypatch, seed, wide, iou_thr):
        """Every group through the grid of nearby clusters gives the boxes of every group compared with
        every open cluster (main's only path), to the last bit: the same IoUs decide."""
        boxes = _crowded(700, 4, seed, wide=wide)
        monkeypatch.setattr(_boxes_wbf, "LARGE_GROUP", 10**9)
        full = WeightedBoxesFusion(iou_thr=iou_thr, score_col="score").fit(boxes)
        monkeypatch.setattr(_boxes_wbf, "LARGE_GROUP", 0)
        grid = WeightedBoxesFusion(iou_thr=iou_thr, score_col="score").fit(boxes)
        pd.testing.assert_frame_equal(grid.boxes_, full.boxes_, check_exact=True)
        np.testing.assert_array_equal(grid.box_index_, full.box_index_)

    def test_wide_boxes_and_tiny_boxes_mix(self, monkeypatch):
        """Boxes spanning many grid cells (compared with every cluster) beside tiny ones: same clusters."""
        coords = np.array(
            [[0, 0, 1000, 800], [1, 1, 999, 799], [5, 5, 6, 6], [5.1, 5, 6.1, 6], [0, 0, 1, 1]] * 3, float
        )
        coords[5:10] += 0.25
        coords[10:] += 0.5
        group = np.zeros(len(coords), dtype=np.int64)
        weight = np.linspace(1, 0.5, len(coords))
        want = _boxes_wbf.wbf_clusters(coords, weight, group, 0.5, large_group=10**9)
        got = _boxes_wbf.wbf_clusters(coords, weight, group, 0.5, large_group=0)
        np.testing.assert_array_equal(got, want)


def _others_reference(boxes: pd.DataFrame, labeled: pd.DataFrame, annotator: str, need: int) -> pd.DataFrame:
    """The consensus of every annotator but ``annotator`` (``need`` votes), fitted on their boxes alone."""
    others = boxes[boxes.annotator != annotator]
    return BoxConsensus(min_votes=need).fit(others, labeled=labeled[labeled.annotator != annotator]).boxes_


class TestLeaveOneOutSkill:
    @pytest.mark.parametrize(("n_annotators", "min_votes"), [(3, None), (4, None), (5, 3)])
    def test_each_row_is_the_annotator_against_the_others_consensus(self, n_annotators, min_votes):
        """Each annotator's row equals compare_boxes of its boxes against a BoxConsensus fitted without it
        (at least half the others, or min_votes - 1 of them), as the brute force computes it."""
        sim = simulate_boxes(25, n_annotators, false_rate=0.5, n_spammers=1, random_state=n_annotators)
        est = BoxConsensus(min_votes=min_votes, skill="leave-one-out").fit(sim.boxes, labeled=sim.labeled)
        need = n_annotators // 2 if min_votes is None else min_votes - 1
        for name in sim.labeled.annotator.unique():
            reference = _others_reference(sim.boxes, sim.labeled, name, need)
            own = sim.boxes[sim.boxes.annotator == name]
            want = compare_boxes(own, reference).loc[name]
            pd.testing.assert_series_equal(est.annotators_.loc[name], want, check_names=False)

    def test_with_three_annotators_the_own_vote_no_longer_makes_the_majority(self):
        """In-sample, a's box makes the majority with b's: the reference is that one box. Leave-one-out
        scores a against b's and c's boxes (each at least half of a's 2 others), never its own."""
        rows = [
            ("a", 0, 0, 10, 10),
            ("b", 0, 0, 10, 10),
            ("c", 50, 50, 60, 60),
            ("a", 20, 20, 30, 30),
        ]
        boxes = pd.DataFrame(rows, columns=["annotator", *COORDS]).assign(image="i", label="car")
        ins = BoxConsensus().fit(boxes).annotators_
        loo = BoxConsensus(skill="leave-one-out").fit(boxes).annotators_
        # in-sample: the consensus is the one box a and b drew; c's box is in no consensus
        assert ins.loc["c", "n_reference"] == 1 and ins.loc["a", "n_reference"] == 1
        # leave-one-out: c against the clusters of a's and b's boxes (2), a against b's box and c's (2)
        assert loo.loc["c", "n_reference"] == 2 and loo.loc["a", "n_reference"] == 2
        assert loo.loc["a", "n_matched"] == 1 and loo.loc["c", "n_matched"] == 0

    def test_the_spammer_ranks_last_among_three(self):
        """Three annotators, one a spammer: leave-one-out ranks it last and the honest ones far above."""
        sim = simulate_boxes(150, 3, n_spammers=1, random_state=100)
        loo = BoxConsensus(skill="leave-one-out").fit(sim.boxes, labeled=sim.labeled).annotators_
        assert loo.f1.idxmin() == "a2"
        assert loo.f1.drop("a2").min() > 0.4 > 0.05 > loo.f1["a2"]

    def test_an_image_labeled_alone_is_not_scored(self):
        """An annotator alone on an image has no others' consensus: that image is left out of its row."""
        boxes = pd.DataFrame(
            [("i", "a", 0, 0, 10, 10), ("i", "b", 0, 0, 10, 10), ("j", "a", 0, 0, 5, 5)],
            columns=["image", "annotator", *COORDS],
        ).assign(label="car")
        loo = BoxConsensus(skill="leave-one-out").fit(boxes).annotators_
        assert loo.loc["a", "n_images"] == 1 and loo.loc["a", "n_boxes"] == 1 and loo.loc["a", "precision"] == 1.0

    def test_unknown_skill_is_named(self):
        """A skill that is not one of the two is refused, naming skill."""
        boxes = simulate_boxes(3, 3, random_state=0).boxes
        with pytest.raises(InvalidParameterError, match="skill"):
            BoxConsensus(skill="jackknife").fit(boxes)


SETTINGS = settings(max_examples=10, deadline=None)


@SETTINGS
@given(seed=st.integers(0, 10_000), iou_thr=st.sampled_from([0.2, 0.5, 0.55, 0.9]))
def test_grid_and_full_comparison_agree_on_random_groups(seed, iou_thr):
    """Random groups of pixel boxes (ties in coordinates and weights): grid clusters == full clusters."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    low = rng.integers(0, 200, (n, 2))
    coords = np.column_stack([low, low + rng.integers(1, rng.choice([5, 40, 200]), (n, 2))]).astype(float)
    group = np.sort(rng.integers(0, 3, n))
    weight = rng.choice([0.5, 1.0], n)
    order = np.lexsort((-weight, group))
    coords, weight, group = coords[order], weight[order], group[order]
    want = _boxes_wbf.wbf_clusters(coords, weight, group, iou_thr, large_group=10**9)
    got = _boxes_wbf.wbf_clusters(coords, weight, group, iou_thr, large_group=0)
    np.testing.assert_array_equal(got, want)


@SETTINGS
@given(seed=st.integers(0, 10_000), shuffle=st.integers(0, 2**31))
def test_leave_one_out_table_ignores_row_order_and_names(seed, shuffle):
    """Shuffled rows, and annotators, images and classes renamed, give the same leave-one-out table."""
    boxes = simulate_boxes(8, 4, jitter=0.06, false_rate=0.4, n_spammers=1, random_state=seed).boxes
    boxes[COORDS] = boxes[COORDS].round()
    boxes = boxes[(boxes.x_max > boxes.x_min) & (boxes.y_max > boxes.y_min)].reset_index(drop=True)
    first = BoxConsensus(skill="leave-one-out").fit(boxes).annotators_
    order = np.random.default_rng(shuffle).permutation(len(boxes))
    renamed = boxes.iloc[order].assign(
        image=lambda t: 1000 - t.image, annotator=lambda t: "z" + t.annotator.str[::-1], label=lambda t: t.label + "!"
    )
    second = BoxConsensus(skill="leave-one-out").fit(renamed).annotators_
    second.index = second.index.str[1:].str[::-1]
    pd.testing.assert_frame_equal(first, second.loc[first.index], check_names=False)
