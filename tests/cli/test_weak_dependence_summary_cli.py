"""``labelwise weak``'s summary.json records the dependent functions under ``labelwise aggregate``'s keys,
readable by :mod:`labelwise.io.dependence`, and says so where none were found."""

from __future__ import annotations

import json

import pytest

from labelwise.io.dependence import dependent_pairs_of
from tests.report._views39_folders import copies_folder, weak_folder


@pytest.mark.parametrize("model", ["label-model", "dawid-skene"])
def test_a_copied_function_is_a_dependent_pair_in_summary_json(tmp_path, model):
    """v4 copies v3: ``dependent_pairs`` names the pair with the check's numbers (all items both voted on
    agreed), ``dependency_threshold`` is the check's; the label model adds its ``joint_groups``,
    Dawid-Skene its ``dependent_rings``."""
    s = json.loads((copies_folder(tmp_path, model) / "summary.json").read_text(encoding="utf-8"))
    pairs = dependent_pairs_of(s)
    assert pairs[["annotator_a", "annotator_b"]].values.tolist() == [["v3", "v4"]]
    assert pairs["agreements"].iloc[0] == pairs["n_shared"].iloc[0] > pairs["expected"].iloc[0]
    assert pairs["z"].iloc[0] > s["dependency_threshold"] == 5.0
    if model == "label-model":
        assert s["joint_groups"] == [["v3", "v4"]] and "dependent_rings" not in s
    else:
        assert s["dependent_rings"] == [] and "joint_groups" not in s


def test_independent_functions_leave_the_dependence_fields_empty(tmp_path):
    """Four rules on 8 rows: no pair, no group (the fields are there, empty)."""
    s = json.loads((weak_folder(tmp_path) / "summary.json").read_text(encoding="utf-8"))
    assert s["dependent_pairs"] == [] and s["joint_groups"] == []
