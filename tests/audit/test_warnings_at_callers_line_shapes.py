"""The multi-label and detection audits' warnings point at the line that called ``find_label_issues``: a softmax
(or a scaled one) given as per-tag probabilities, two or three functions below it; given boxes past their image."""

from __future__ import annotations

import numpy as np
from scipy.special import softmax

from labelwise.audit import detection, multilabel
from labelwise.audit._multilabel_softmax import SoftmaxProbsWarning
from tests._at_line import at_line, recorded

RNG = np.random.default_rng(0)
TAGS = RNG.random((60, 4)) < 0.4
TAGS[0, :2] = True
LOGITS = RNG.normal(0, 1, (60, 4)) + 2 * TAGS


def test_softmax_probs_are_said_at_the_line_that_called_the_multilabel_audit():
    probs = softmax(LOGITS, axis=1)
    record = recorded(lambda: multilabel.find_label_issues(TAGS.astype(int), probs))
    at_line(record, __file__, "(a softmax?)", category=SoftmaxProbsWarning)
    record = recorded(lambda: multilabel.find_label_issues(TAGS.astype(int), 0.5 * probs))
    at_line(record, __file__, "not to 1 (a softmax scaled", category=SoftmaxProbsWarning)


def test_given_boxes_past_the_edge_are_said_at_the_line_that_called_the_detection_audit():
    preds = [{"boxes": [[60.0, 50.0, 100.0, 80.0], [10.0, 10.0, 30.0, 30.0]], "labels": [1, 2], "scores": [0.9, 0.8]}]
    past = [{"boxes": [[61.0, 50.0, 103.0, 83.0], [10.0, 10.0, 30.0, 30.0]], "labels": [1, 2]}]
    record = recorded(lambda: detection.find_label_issues(past, preds, image_sizes=[(100.0, 80.0)]))
    at_line(record, __file__, "past the edge")
