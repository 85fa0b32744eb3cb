"""``benchmarks/dev_weak_trigger_fix3.py``'s explored fits (trig55): without a variant the script's fit is the default
label model's, with one the wrapped step after EM is put back after the fit, and a variant changes a seen set it was
recorded to change."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def fix3():
    sys.path.insert(0, str(BENCH))
    import dev_weak_trigger_fix3

    return dev_weak_trigger_fix3


def test_without_a_variant_the_scripts_fit_is_the_default_label_models(fix3):
    from labelwise import weak

    matrix, _, _ = fix3.shared_trigger_set(401, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = weak.LabelModel(labels=[0, 1, 2]).fit(matrix).labels_.to_numpy(dtype=int)
    np.testing.assert_array_equal(fix3.variant_fit(matrix, 3, None), default)


@pytest.mark.parametrize("variant", ["free", "majority"])
def test_a_variant_changes_its_recorded_seen_set_and_the_wrapped_step_is_put_back(fix3, variant):
    from labelwise.weak import _exchangeable, _fit_tail

    matrix, _, _ = fix3.shared_trigger_set(401, 3)  # both variants move it below majority vote (docstring)
    changed = fix3.variant_fit(matrix, 3, variant)
    assert _fit_tail._exchangeable is _exchangeable
    assert (changed != fix3.variant_fit(matrix, 3, None)).any()
