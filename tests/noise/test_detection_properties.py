"""Properties of ``noise.detection.corrupt_boxes``: each image's boxes are split into kept and dropped
ones (together the input, in order); a swapped box takes another class in ``0..n_classes-1``, a
jittered box moves by 0.5-1 ``jitter`` of its size (then clipped at 0), every other kept box is
unchanged; rates of 1 drop, swap or jitter every box; input that is not one ``{"boxes", "labels"}``
dict per image is refused naming ``labels``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.noise import corrupt_boxes

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def images(draw):
    n = draw(st.integers(0, 8))
    k = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    out = []
    for _ in range(n):
        m = int(rng.integers(0, 5))
        xy = rng.uniform(0, 50, (m, 2))
        wh = rng.uniform(0, 20, (m, 2)) * (rng.random((m, 1)) > 0.1)  # some zero-size boxes
        out.append({"boxes": np.hstack([xy, xy + wh]), "labels": rng.integers(0, k, m)})
    return out, k


RATES = st.sampled_from([(0.0, 0.0, 0.0), (0.3, 0.3, 0.3), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)])


class TestCorruptBoxes:
    @SETTINGS
    @given(case=images(), rates=RATES, seed=st.integers(0, 2**32 - 1), jitter=st.sampled_from([0.2, 0.8]))
    def test_each_box_is_kept_swapped_jittered_or_dropped_as_documented(self, case, rates, seed, jitter):
        """Kept and dropped boxes partition the input; each kept box's kind says what changed."""
        labels, k = case
        drop, swap, jit = rates
        out = corrupt_boxes(
            labels, drop_rate=drop, swap_rate=swap, jitter_rate=jit, n_classes=k, jitter=jitter, random_state=seed
        )
        assert len(out.labels) == len(out.kind) == len(out.dropped) == len(labels)
        for truth, kept, kind, dropped in zip(labels, out.labels, out.kind, out.dropped, strict=True):
            m = len(truth["labels"])
            assert len(kept["labels"]) + len(dropped["labels"]) == m
            assert len(kind) == len(kept["labels"])
            if drop == 1.0:
                assert len(kept["labels"]) == 0
            # the kept boxes are the input's in order, less the dropped ones
            is_dropped = np.zeros(m, bool)
            j = 0
            for i in range(m):
                if j < len(dropped["labels"]) and np.array_equal(dropped["boxes"][j], truth["boxes"][i]):
                    if dropped["labels"][j] == truth["labels"][i]:
                        is_dropped[i] = True
                        j += 1
            assert j == len(dropped["labels"])
            old_boxes, old_cls = truth["boxes"][~is_dropped], truth["labels"][~is_dropped]
            for b_old, c_old, b_new, c_new, what in zip(
                old_boxes, old_cls, kept["boxes"], kept["labels"], kind, strict=True
            ):
                if what == "swap":
                    assert c_new != c_old and 0 <= c_new < k
                    np.testing.assert_array_equal(b_new, b_old)
                elif what == "jitter":
                    assert c_new == c_old
                    wh = b_old[2:] - b_old[:2]
                    move = (b_new - b_old)[:2]
                    unclipped = (b_new > 0).all()
                    if unclipped:
                        np.testing.assert_allclose(b_new[2:] - b_new[:2], wh, rtol=0, atol=1e-9)
                        assert (np.abs(move) >= 0.5 * jitter * wh - 1e-9).all()
                        assert (np.abs(move) <= jitter * wh + 1e-9).all()
                else:
                    assert what == "" and c_new == c_old
                    np.testing.assert_array_equal(b_new, b_old)
                    assert not (swap == 1.0 and k > 1) and jit != 1.0

    @SETTINGS
    @given(
        bad=st.sampled_from(
            [
                None,
                "boxes",
                {"boxes": [[0, 0, 1, 1]], "labels": [0]},
                [[0, 0, 1, 1]],
                [{"boxes": [[0, 0, 1, 1]]}],
                [{"boxes": [[0, 0, 1]], "labels": [0]}],
                [{"boxes": [[0, 0, 1, 1]], "labels": [0, 1]}],
                [{"boxes": [[0, 0, 1, np.nan]], "labels": [0]}],
                [{"boxes": [[0, 0, 1, 1]], "labels": ["cat"]}],
                [{"boxes": [[0, 0, 1, 1]], "labels": [-1]}],
            ]
        )
    )
    def test_input_that_is_not_a_dict_of_boxes_per_image_is_refused(self, bad):
        """None, a text, one dict instead of a list, a list of boxes, a missing key, boxes of 3 numbers,
        one label too many, NaN, a text class or a negative one: an error naming ``labels`` (on main
        Python's TypeError or numpy's IndexError for most)."""
        with pytest.raises(LabelwiseError, match=r"\blabels"):
            corrupt_boxes(bad, random_state=0)
