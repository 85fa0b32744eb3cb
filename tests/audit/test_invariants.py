"""Invariants of the audits on tied probabilities: row permutation, class renaming, determinism.

Ties are made on purpose: every probability is a multiple of 1/8, so argmax, thresholds and
rankings meet equal values. Renaming uses a random bijection of the classes (not sorted), and
string names in place of integers where the audit takes them.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.audit import FILTERS, SCORERS, detection, multilabel, segmentation, token
from labelwise.audit.confident_joint import FUZZ

SETTINGS = settings(max_examples=20, deadline=None)
ROW_BY_ROW = ("confident_learning", "predicted_neq_given")


def tied_probs(rng: np.random.Generator, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and rows of probabilities in steps of 1/8, peaked on the label most of the time."""
    labels = rng.integers(0, k, n)
    counts = rng.integers(0, 3, (n, k)).astype(np.float64)
    counts[np.arange(n), labels] += rng.integers(0, 4, n)
    counts[counts.sum(axis=1) == 0, 0] = 1.0
    return labels, counts / counts.sum(axis=1, keepdims=True)


def renaming(rng: np.random.Generator, k: int) -> np.ndarray:
    """A bijection of 0..k-1 that is not the identity when k > 1 (new class = sigma[old])."""
    sigma = rng.permutation(k)
    while k > 1 and (sigma == np.arange(k)).all():
        sigma = rng.permutation(k)
    return sigma


def rename_columns(probs: np.ndarray, sigma: np.ndarray, axis: int = 1) -> np.ndarray:
    """Probabilities whose column sigma[c] holds the old column c."""
    out = np.empty_like(probs)
    index = [slice(None)] * probs.ndim
    for c, s in enumerate(sigma):
        index[axis] = s
        src = [slice(None)] * probs.ndim
        src[axis] = c
        out[tuple(index)] = probs[tuple(src)]
    return out


def confident_tie(probs: np.ndarray, thresholds: np.ndarray) -> bool:
    """Whether some row's largest probability among the classes whose threshold it passes is
    shared by two classes (the confident class is then the first of them, in column order)."""
    passing = np.where(probs >= thresholds - FUZZ, probs, -1.0)  # the library's documented tolerance
    top = passing.max(axis=1, keepdims=True)
    return bool((((passing == top) & (top >= 0)).sum(axis=1) > 1).any())


def assert_counted_rows(result, labels: np.ndarray, probs: np.ndarray) -> None:
    """Each row of the confident joint counts the examples of its given class that pass some
    class's threshold, plus the diagonal guard's one (only where it raised a zero diagonal to 1)."""
    k = probs.shape[1]
    # p >= t - FUZZ passes t (confident_joint.py, as cleanlab): a threshold that is a mean of
    # equal probabilities can be 1 ulp above them (seed 776: 2/3 against 0.6666666666666667)
    counted = np.bincount(labels[(probs >= result.thresholds - FUZZ).any(axis=1)], minlength=k)
    guard = result.confident_joint.sum(axis=1) - counted
    assert np.isin(guard, [0, 1]).all(), guard
    np.testing.assert_array_equal(result.confident_joint.diagonal()[guard == 1], 1)


def assert_renamed_joint(a, b, sigma: np.ndarray, probs: np.ndarray, labels: np.ndarray) -> bool:
    """Check the confident joints of ``a`` and of the renamed ``b``; return whether every row kept
    its confident class and the calibrated joint was renamed too
    (``cj'[sigma[i], sigma[j]] = cj[i, j]``), i.e. whether the flags must be the same.

    The examples counted per given class are always renamed (the thresholds are); the whole joint
    is renamed unless a confident class is tied between two columns. Under such a tie a row's
    only diagonal count can move off the diagonal, and the guard that raises a zero diagonal to 1
    then adds one to that row in one of the two results, not the other.
    """
    assert_counted_rows(a, labels, probs)
    assert_counted_rows(b, sigma[labels], rename_columns(probs, sigma))
    expected = np.empty_like(a.confident_joint)
    expected[np.ix_(sigma, sigma)] = a.confident_joint
    tie = confident_tie(probs, a.thresholds)
    if not tie:
        np.testing.assert_array_equal(b.confident_joint.sum(axis=1)[sigma], a.confident_joint.sum(axis=1))
        np.testing.assert_array_equal(b.confident_joint, expected)
    expected[np.ix_(sigma, sigma)] = a.calibrated_confident_joint
    return not tie and bool((b.calibrated_confident_joint == expected).all())


cases = st.fixed_dictionaries({"n": st.integers(20, 120), "k": st.integers(2, 5), "seed": st.integers(0, 10_000)})


class TestFindLabelIssuesOnTies:
    @SETTINGS
    @given(case=cases, filter_by=st.sampled_from(list(FILTERS)))
    def test_permuting_rows_permutes_flags_scores_and_keeps_the_joint(self, case, filter_by):
        """With tied probabilities, permuting the rows permutes ``label_quality`` and
        ``suggested_label`` and leaves the K x K confident joint, its calibration and the noise
        matrix unchanged. ``is_issue`` is permuted exactly by the filters that flag row by row
        (``confident_learning``, ``predicted_neq_given``); the filters that flag "the c largest"
        break ties by row order (documented), so for them a flag can move between tied rows (and, as a
        row can be among the largest of several cells, the number of flags can change)."""
        rng = np.random.default_rng(case["seed"])
        k = case["k"]
        labels, probs = tied_probs(rng, case["n"], k)
        perm = rng.permutation(case["n"])
        a = lw.find_label_issues(labels, probs, filter_by=filter_by, classes=np.arange(k))
        b = lw.find_label_issues(labels[perm], probs[perm], filter_by=filter_by, classes=np.arange(k))
        if filter_by in ROW_BY_ROW:
            np.testing.assert_array_equal(a.is_issue[perm], b.is_issue)
        np.testing.assert_array_equal(a.label_quality[perm], b.label_quality)
        np.testing.assert_array_equal(a.suggested_label[perm], b.suggested_label)
        np.testing.assert_array_equal(a.confident_joint, b.confident_joint)
        np.testing.assert_array_equal(a.calibrated_confident_joint, b.calibrated_confident_joint)
        np.testing.assert_array_equal(a.noise_matrix, b.noise_matrix)

    @SETTINGS
    @given(case=cases, filter_by=st.sampled_from(list(FILTERS)))
    @example(
        case={"n": 20, "k": 4, "seed": 96}, filter_by="prune_by_noise_rate"
    )  # a tie moves a row's only diagonal count
    def test_renaming_classes_renames_flags_and_the_joint(self, case, filter_by):
        """A bijection sigma of the classes (labels -> sigma[labels], column c -> column sigma[c])
        leaves ``label_quality`` unchanged and renames the confident joint,
        ``cj'[sigma[i], sigma[j]] = cj[i, j]``, unless a row's confident class is tied between two
        columns (the first column wins, documented). ``is_issue`` is unchanged whenever no
        confident class ties and the calibrated joint is renamed the same way (the calibration's
        rounding, restoring a row total, chooses among equally rounded columns by position, documented), and always under
        ``predicted_neq_given`` (a tied top class that is the given label is never flagged). On rows whose largest probability is tied, the suggested
        label is the first tied column in the order of ``classes`` (documented), so only untied
        rows keep their suggestion renamed."""
        rng = np.random.default_rng(case["seed"])
        k = case["k"]
        labels, probs = tied_probs(rng, case["n"], k)
        sigma = renaming(rng, k)
        classes = np.arange(k)
        a = lw.find_label_issues(labels, probs, filter_by=filter_by, classes=classes)
        b = lw.find_label_issues(sigma[labels], rename_columns(probs, sigma), filter_by=filter_by, classes=classes)
        np.testing.assert_array_equal(a.label_quality, b.label_quality)
        np.testing.assert_array_equal(b.thresholds[sigma], a.thresholds)
        if assert_renamed_joint(a, b, sigma, probs, labels) or filter_by == "predicted_neq_given":
            np.testing.assert_array_equal(a.is_issue, b.is_issue)
        untied = (probs == probs.max(axis=1, keepdims=True)).sum(axis=1) == 1
        np.testing.assert_array_equal(sigma[a.suggested_label[untied].astype(int)], b.suggested_label[untied])

    @SETTINGS
    @given(case=cases, method=st.sampled_from(list(SCORERS)))
    def test_label_quality_scores_follow_rows_and_class_names(self, case, method):
        """``label_quality_scores`` is per row: permuting rows permutes it, and string class names
        given in a non-sorted order leave every score unchanged."""
        rng = np.random.default_rng(case["seed"])
        k = case["k"]
        labels, probs = tied_probs(rng, case["n"], k)
        perm = rng.permutation(case["n"])
        a = lw.label_quality_scores(labels, probs, method=method)
        np.testing.assert_array_equal(lw.label_quality_scores(labels[perm], probs[perm], method=method), a[perm])
        names = np.array([f"z{c}" for c in renaming(rng, k)], dtype=object)
        b = lw.label_quality_scores(names[labels], probs, method=method, classes=names)
        np.testing.assert_array_equal(a, b)


def token_case(rng: np.random.Generator, n_sentences: int, k: int):
    """Sentences of integer tags of random lengths and tied per-token probabilities."""
    lengths = rng.integers(1, 6, n_sentences)
    labels, probs = tied_probs(rng, int(lengths.sum()), k)
    cuts = np.cumsum(lengths)[:-1]
    return np.split(labels, cuts), np.split(probs, cuts)


class TestTokenInvariants:
    @SETTINGS
    @given(
        n=st.integers(8, 40),
        k=st.integers(2, 5),
        seed=st.integers(0, 10_000),
        filter_by=st.sampled_from(["prune_by_noise_rate", *ROW_BY_ROW]),
    )
    def test_permuting_sentences_permutes_flags_and_sentence_scores(self, n, k, seed, filter_by):
        """Permuting the sentences permutes ``sentence_quality`` and keeps the confident joint over
        all tokens. Each sentence's token flags move with it under the row-by-row filters; under
        ``prune_by_noise_rate`` ties are broken by token order (documented), so a flag can move
        between tied tokens."""
        rng = np.random.default_rng(seed)
        labels, probs = token_case(rng, n, k)
        perm = rng.permutation(n)
        kw = {"classes": np.arange(k), "filter_by": filter_by}
        a = token.find_label_issues(labels, probs, **kw)
        b = token.find_label_issues([labels[i] for i in perm], [probs[i] for i in perm], **kw)
        np.testing.assert_array_equal(a.sentence_quality[perm], b.sentence_quality)
        if filter_by in ROW_BY_ROW:
            assert {(int(perm[s]), t) for s, t in b.issues} == set(a.issues)
        np.testing.assert_array_equal(a.tokens.confident_joint, b.tokens.confident_joint)

    @SETTINGS
    @given(n=st.integers(8, 40), k=st.integers(2, 5), seed=st.integers(0, 10_000))
    def test_string_tags_in_any_class_order_give_the_integer_flags(self, n, k, seed):
        """Tags renamed to strings by a bijection, with ``classes`` listed in that renamed order,
        give the same token flags and sentence scores as the integer tags."""
        rng = np.random.default_rng(seed)
        labels, probs = token_case(rng, n, k)
        sigma = renaming(rng, k)
        names = np.array([f"T{s}" for s in sigma], dtype=object)
        a = token.find_label_issues(labels, probs, classes=np.arange(k))
        b = token.find_label_issues([names[s] for s in labels], probs, classes=names)
        np.testing.assert_array_equal(a.is_issue, b.is_issue)
        np.testing.assert_array_equal(a.sentence_quality, b.sentence_quality)
        c = token.find_label_issues(labels, probs, classes=np.arange(k))
        np.testing.assert_array_equal(a.tokens.ranked_indices, c.tokens.ranked_indices)


def segmentation_case(rng: np.random.Generator, n: int, k: int, size: int):
    """Masks of integer classes and tied (n, K, H, W) probabilities."""
    labels, probs = tied_probs(rng, n * size * size, k)
    return labels.reshape(n, size, size), np.moveaxis(probs.reshape(n, size, size, k), -1, 1)


#: images, classes, seed and ``images_per_block`` of the segmentation properties
IMAGES = {"n": st.integers(1, 5), "k": st.integers(2, 4), "seed": st.integers(0, 10_000), "block": st.integers(1, 5)}


class TestSegmentationInvariants:
    @SETTINGS
    @given(**IMAGES, filter_by=st.sampled_from(["low_self_confidence", "confident_learning"]))
    def test_permuting_images_permutes_masks_scores_and_regions(self, n, k, seed, block, filter_by):
        """Permuting the images, with any ``images_per_block``, permutes ``image_quality`` and keeps
        the confident joint. Under ``confident_learning`` (pixel by pixel) it also permutes
        ``is_issue``, ``n_flagged`` and the images' regions; ``low_self_confidence`` flags "the c
        lowest" and breaks ties by pixel order (documented), so there only the number of flagged
        pixels stays."""
        rng = np.random.default_rng(seed)
        labels, probs = segmentation_case(rng, n, k, 6)
        perm = rng.permutation(n)
        a = segmentation.find_label_issues(labels, probs, filter_by=filter_by)
        b = segmentation.find_label_issues(labels[perm], probs[perm], images_per_block=block, filter_by=filter_by)
        np.testing.assert_array_equal(a.image_quality[perm], b.image_quality)
        np.testing.assert_array_equal(a.confident_joint, b.confident_joint)
        assert a.n_flagged.sum() == b.n_flagged.sum()
        if filter_by != "confident_learning":
            return
        np.testing.assert_array_equal(a.is_issue[perm], b.is_issue)
        np.testing.assert_array_equal(a.n_flagged[perm], b.n_flagged)
        regions_b = b.regions.assign(image=perm[b.regions["image"].to_numpy()])
        key = list(a.regions.columns)
        left = a.regions.sort_values(key, kind="stable").reset_index(drop=True)
        right = regions_b[key].sort_values(key, kind="stable").reset_index(drop=True)
        np.testing.assert_array_equal(left.to_numpy(), right.to_numpy())

    @SETTINGS
    @given(n=st.integers(1, 4), k=st.integers(2, 4), seed=st.integers(0, 10_000))
    @example(n=1, k=2, seed=776)  # a pixel 1 ulp under its class's threshold passes it (FUZZ)
    def test_renaming_classes_keeps_the_flags(self, n, k, seed):
        """A bijection of the classes (mask values and probability channels together) leaves the
        image scores unchanged and renames the confident joint unless a pixel's confident class is
        tied between two channels (the first wins, documented); the flagged pixels are unchanged
        when no pixel's confident class ties and the calibrated joint is renamed."""
        rng = np.random.default_rng(seed)
        labels, probs = segmentation_case(rng, n, k, 6)
        sigma = renaming(rng, k)
        a = segmentation.find_label_issues(labels, probs)
        b = segmentation.find_label_issues(sigma[labels], rename_columns(probs, sigma))
        np.testing.assert_array_equal(a.image_quality, b.image_quality)
        flat = np.moveaxis(probs, 1, -1).reshape(-1, k)
        if assert_renamed_joint(a, b, sigma, flat, labels.reshape(-1)):
            np.testing.assert_array_equal(a.is_issue, b.is_issue)

    @SETTINGS
    @given(**IMAGES, filter_by=st.sampled_from(["low_self_confidence", "prune_by_class", "confident_learning"]))
    def test_ignored_pixels_change_nothing_in_any_image_order(self, n, k, seed, block, filter_by):
        """With ``ignore_index``: other probabilities at the ignored pixels change nothing (flags,
        image scores, joint), an ignored pixel is never flagged, and permuting the images (any
        ``images_per_block``; some images wholly ignored, NaN score) permutes ``image_quality``
        and ``n_ignored`` and keeps the confident joint; under ``confident_learning`` (pixel by
        pixel) it permutes the flags too. The "c lowest" filters break ties by pixel order
        (documented): ``low_self_confidence`` keeps the number of flags, ``prune_by_class`` need
        not, as it then unflags the chosen pixels whose given class is the top prediction, and
        which of two pixels tied in self-confidence is chosen decides that (hypothesis: n 3, k 3,
        seed 0, 9 flags against 10)."""
        rng = np.random.default_rng(seed)
        labels, probs = segmentation_case(rng, n, k, 6)
        ignored = rng.random(labels.shape) < rng.choice([0.0, 0.3, 1.0], size=(n, 1, 1))
        assume(not ignored.all())  # no pixel to audit is an error (tested in test_segmentation.py)
        masks = np.where(ignored, 255, labels).astype(np.uint8)
        other = np.where(ignored[:, None], probs[:, ::-1], probs)
        a = segmentation.find_label_issues(masks, probs, ignore_index=255, filter_by=filter_by)
        b = segmentation.find_label_issues(masks, other, ignore_index=255, filter_by=filter_by)
        np.testing.assert_array_equal(a.is_issue, b.is_issue)
        np.testing.assert_array_equal(a.image_quality, b.image_quality)
        np.testing.assert_array_equal(a.confident_joint, b.confident_joint)
        assert not a.is_issue[ignored].any()
        perm = rng.permutation(n)
        c = segmentation.find_label_issues(
            masks[perm], probs[perm], ignore_index=255, images_per_block=block, filter_by=filter_by
        )
        np.testing.assert_array_equal(a.image_quality[perm], c.image_quality)
        np.testing.assert_array_equal(a.n_ignored[perm], c.n_ignored)
        np.testing.assert_array_equal(a.confident_joint, c.confident_joint)
        if filter_by != "prune_by_class":
            assert a.n_flagged.sum() == c.n_flagged.sum()
        if filter_by == "confident_learning":
            np.testing.assert_array_equal(a.is_issue[perm], c.is_issue)


def detection_case(rng: np.random.Generator, n_images: int, k: int, zero_area: bool = False):
    """Given and predicted boxes on a coarse grid, so that IoUs and scores tie; with ``zero_area``
    a random subset of them collapsed to lines and points (IoU 1 with an identical box, 0 with
    any other)."""
    labels, preds = [], []
    for _ in range(n_images):
        m, q = int(rng.integers(0, 4)), int(rng.integers(0, 5))
        gb = rng.integers(0, 4, (m, 2)) * 10.0
        pb = rng.integers(0, 4, (q, 2)) * 10.0
        labels.append({"boxes": np.hstack([gb, gb + 20]), "labels": rng.integers(0, k, m)})
        preds.append(
            {"boxes": np.hstack([pb, pb + 20]), "labels": rng.integers(0, k, q), "scores": rng.integers(1, 5, q) / 4}
        )
    for entry in (labels + preds) if zero_area else []:
        boxes = entry["boxes"]
        flat = rng.random(len(boxes)) < 0.4
        point = flat & (rng.random(len(boxes)) < 0.5)
        boxes[flat, 2] = boxes[flat, 0]
        boxes[point, 3] = boxes[point, 1]
    return labels, preds


def _renamed(entries, sigma):
    return [{**e, "labels": sigma[np.asarray(e["labels"], dtype=np.int64)]} for e in entries]


class TestDetectionInvariants:
    @SETTINGS
    @given(n=st.integers(1, 12), k=st.integers(2, 4), seed=st.integers(0, 10_000), zero_area=st.booleans())
    def test_permuting_images_permutes_boxes_and_scores(self, n, k, seed, zero_area):
        """Permuting the images permutes ``image_quality`` and gives the same box rows with the
        image numbers mapped through the permutation, zero-area boxes among them or not."""
        rng = np.random.default_rng(seed)
        labels, preds = detection_case(rng, n, k, zero_area)
        perm = rng.permutation(n)
        a = detection.find_label_issues(labels, preds)
        b = detection.find_label_issues([labels[i] for i in perm], [preds[i] for i in perm])
        np.testing.assert_array_equal(a.image_quality[perm], b.image_quality)
        moved = b.boxes.assign(image=perm[b.boxes["image"].to_numpy(np.int64)])
        key = ["image", "source", "box"]
        left = a.boxes.sort_values(key).reset_index(drop=True)
        right = moved.sort_values(key).reset_index(drop=True)
        assert left.equals(right)

    @SETTINGS
    @given(n=st.integers(1, 12), k=st.integers(2, 4), seed=st.integers(0, 10_000), zero_area=st.booleans())
    def test_renaming_classes_renames_given_and_suggested(self, n, k, seed, zero_area):
        """A bijection of the integer classes in both the labels and the predictions renames the
        ``given`` and ``suggested`` columns and changes no score, kind or flag, zero-area boxes
        among them or not."""
        rng = np.random.default_rng(seed)
        labels, preds = detection_case(rng, n, k, zero_area)
        sigma = renaming(rng, k)
        a = detection.find_label_issues(labels, preds).boxes
        b = detection.find_label_issues(_renamed(labels, sigma), _renamed(preds, sigma)).boxes
        lookup = np.append(sigma, -1)
        np.testing.assert_array_equal(lookup[a["given"].to_numpy(np.int64)], b["given"].to_numpy())
        np.testing.assert_array_equal(sigma[a["suggested"].to_numpy(np.int64)], b["suggested"].to_numpy())
        same = ["image", "box", "source", "label_quality", "kind", "is_issue"]
        assert a[same].equals(b[same])


class TestMultilabelInvariants:
    @SETTINGS
    @given(n=st.integers(10, 80), k=st.integers(2, 5), seed=st.integers(0, 10_000))
    def test_reordering_tags_and_rows_on_tied_probabilities(self, n, k, seed):
        """With per-tag probabilities in steps of 1/8 (ties), reordering the tag columns reorders
        the flag and quality columns exactly (each tag is its own binary problem) and keeps the
        example quality; permuting the rows permutes the example quality (flags may move between
        tied rows, as in :func:`labelwise.find_label_issues`)."""
        rng = np.random.default_rng(seed)
        given_tags = rng.random((n, k)) < 0.4
        probs = np.clip(np.where(given_tags, 5, 3) + rng.integers(-3, 4, (n, k)), 0, 8) / 8
        order, perm = rng.permutation(k), rng.permutation(n)
        a = multilabel.find_label_issues(given_tags, probs)
        b = multilabel.find_label_issues(given_tags[:, order], probs[:, order])
        np.testing.assert_array_equal(b.is_issue, a.is_issue[:, order])
        np.testing.assert_array_equal(b.label_quality, a.label_quality[:, order])
        np.testing.assert_allclose(b.example_quality, a.example_quality, rtol=0, atol=1e-12)
        c = multilabel.find_label_issues(given_tags[perm], probs[perm])
        np.testing.assert_array_equal(c.label_quality, a.label_quality[perm])
        np.testing.assert_allclose(c.example_quality, a.example_quality[perm], rtol=0, atol=1e-12)
