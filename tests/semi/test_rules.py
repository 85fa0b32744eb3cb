"""The registry of self-training selection rules (labelwise.semi._rules)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from labelwise.semi import ADAPTIVE_THRESHOLDS, RULES, SELECTIONS, SelfTrainer
from labelwise.semi._rules import IncrementalRule, ReselectingRule, RoundInput, RuleSettings, rule_key


def _documented(parameter: str) -> list[str]:
    """The values listed for ``parameter`` in SelfTrainer's numpydoc ``{...}`` type."""
    match = re.search(rf"^    {parameter} : \{{([^}}]*)\}}", SelfTrainer.__doc__, flags=re.MULTILINE)
    assert match, f"{parameter} is not documented with a set of values"
    return re.findall(r'"([a-z_]+)"', match.group(1))


class TestRegistry:
    """Every documented rule has one class in RULES, and nothing else is registered."""

    def test_selection_values_match_the_docstring(self):
        """The documented ``selection`` values are exactly SELECTIONS, in order."""
        assert _documented("selection") == list(SELECTIONS)

    def test_adaptive_thresholds_match_the_docstring(self):
        """The documented ``adaptive_thresholds`` values are exactly ADAPTIVE_THRESHOLDS."""
        assert _documented("adaptive_thresholds") == list(ADAPTIVE_THRESHOLDS)

    def test_every_documented_rule_is_registered(self):
        """Each selection (each adaptive variant for "adaptive") maps to a registered class under its key."""
        documented = {rule_key(s, a) for s in SELECTIONS for a in ADAPTIVE_THRESHOLDS}
        assert documented == set(RULES)
        for key, rule in RULES.items():
            assert rule.key == key
            assert rule.selection in SELECTIONS
            assert issubclass(rule, (IncrementalRule, ReselectingRule))
            assert rule.__doc__, f"rule {key} has no docstring"

    def test_the_docstring_points_to_each_rule_function(self):
        """The class docstring names the public function of every rule."""
        for name in (
            "select_threshold",
            "select_k_best",
            "select_class_balanced",
            "curriculum_threshold",
            "flexmatch_thresholds",
            "freematch_thresholds",
            "softmatch_weights",
            "llkd_thresholds",
        ):
            assert f"labelwise.semi.{name}" in SelfTrainer.__doc__


def _round(conf, pred, codes, proba=None, round_=1):
    conf = np.asarray(conf, dtype=float)
    pred = np.asarray(pred)
    if proba is None:
        proba = np.column_stack([np.where(pred == 0, conf, 1 - conf), np.where(pred == 1, conf, 1 - conf)])
    return RoundInput(round_, proba, None, pred, conf, np.asarray(codes), np.full(conf.size, np.nan), False)


class TestRuleObjects:
    """Each rule's select, on a pool small enough to check by hand."""

    def test_threshold_admits_only_new_confident_candidates(self):
        """Already pseudo-labelled examples keep their label; new ones above the threshold are added."""
        rule = RULES["threshold"](RuleSettings(n_classes=2, prior=np.array([0.5, 0.5]), threshold=0.7))
        out = rule.select(_round([0.9, 0.6, 0.8], [1, 0, 0], [1, -1, -1]))
        assert out.codes.tolist() == [1, -1, 0]
        assert out.thresholds == 0.7

    def test_recheck_drops_labels_the_student_no_longer_predicts(self):
        """With recheck, a pseudo-label that disagrees with the student's prediction is dropped."""
        rule = RULES["k_best"](RuleSettings(n_classes=2, prior=np.array([0.5, 0.5]), k_best=1, recheck=True))
        out = rule.select(_round([0.9, 0.6, 0.8], [1, 0, 0], [0, -1, -1]))
        assert out.codes.tolist() == [-1, -1, 0]

    def test_curriculum_is_exhausted_at_one_hundred_percent(self):
        """Curriculum Labeling stops when round * step reaches 100 percent."""
        rule = RULES["curriculum"](RuleSettings(n_classes=2, prior=np.array([0.5, 0.5]), step=50.0))
        assert not rule.exhausted(1) and rule.exhausted(2)

    def test_freematch_keeps_its_moving_average_between_rounds(self):
        """FreeMatch's state after round 1 is the starting point of round 2."""
        rule = RULES["freematch"](RuleSettings(n_classes=2, prior=np.array([0.5, 0.5]), momentum=0.5))
        first = _round([0.9, 0.6], [1, 0], [-1, -1])
        rule.select(first)
        level = rule.state.global_level
        rule.select(first)
        assert rule.state.global_level > level

    @pytest.mark.parametrize("key", sorted(RULES))
    def test_select_returns_one_entry_per_pool_example(self, key):
        """Every rule answers with codes and confidences for the whole pool."""
        rule = RULES[key](RuleSettings(n_classes=2, prior=np.array([0.5, 0.5]), k_best=2))
        out = rule.select(_round([0.9, 0.6, 0.8, 0.55], [1, 0, 0, 1], [-1, -1, -1, -1]))
        assert out.codes.shape == out.confidence.shape == (4,)
        assert set(out.codes.tolist()) <= {-1, 0, 1}
