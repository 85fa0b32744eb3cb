"""BBSE's negative target priors, clipped to 0, are said by a LabelwiseWarning naming the classes (session 49).

Main clipped them without a Python warning (only ``labelwise shift`` printed a note).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import LabelwiseWarning
from labelwise.shift import estimate_priors


def _hand_example(names=(0, 1)):
    """Lipton et al.'s C w = mu by hand: C = [[.45, .20], [.05, .30]], mu = (1, 0), so w = (2.4, -0.4) and the raw
    target priors w * (0.5, 0.5) = (1.2, -0.2): class 1 goes below 0."""
    labels = np.array([names[0]] * 50 + [names[1]] * 50, dtype=object if isinstance(names[0], str) else int)
    predicted = np.array([0] * 45 + [1] * 5 + [0] * 20 + [1] * 30)
    return np.eye(2)[predicted], labels, np.eye(2)[np.zeros(40, int)]


def _clipped(records) -> list[str]:
    return [str(r.message) for r in records if "negative target priors" in str(r.message)]


class TestBbseClippedWarning:
    def test_one_warning_names_the_class_and_its_raw_prior(self):
        """Class 1 at -0.2 is named once with the target size, though 30 bootstrap fits clip it too."""
        vp, vl, tp = _hand_example()
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            est = estimate_priors(vp, vl, tp, method="bbse", n_boot=30, random_state=0)
        said = _clipped(records)
        assert len(said) == 1, said
        assert "bbse's solution has negative target priors for 1 class: 1 (-0.2)" in said[0]
        assert "clipped to 0" in said[0] and "40 target rows" in said[0] and "raw_weights" in said[0]
        assert all(issubclass(r.category, LabelwiseWarning) for r in records if "negative" in str(r.message))
        assert est.priors == pytest.approx([1.0, 0.0])

    def test_text_classes_are_named_as_written(self):
        """Text labels: the warning names 'dog', not a column number."""
        vp, vl, tp = _hand_example(("cat", "dog"))
        with pytest.warns(LabelwiseWarning, match=r"negative target priors for 1 class: 'dog' \(-0\.2\)"):
            estimate_priors(vp, vl, tp, method="bbse", n_boot=0)

    @pytest.mark.parametrize("method", ["rlls", "mlls"])
    def test_methods_that_stay_at_or_above_zero_say_nothing(self, method):
        """RLLS keeps w >= 0 and EM's priors are means of posteriors: no clipping, no warning."""
        vp, vl, tp = _hand_example()
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            estimate_priors(vp, vl, tp, method=method, n_boot=0)
        assert _clipped(records) == []

    def test_the_command_says_it_once_in_its_own_words(self, tmp_path):
        """labelwise shift prints its note (priors.csv, summary.json) and not the library's warning as well."""
        vp, vl, tp = _hand_example()
        for name, arr in (("vp", vp), ("vl", vl), ("tp", tp)):
            np.save(tmp_path / f"{name}.npy", arr)
        args = ["shift", "--train-probs", str(tmp_path / "vp.npy"), "--train-labels", str(tmp_path / "vl.npy")]
        args += ["--target-probs", str(tmp_path / "tp.npy"), "--method", "bbse", "--n-boot", "0"]
        res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
        assert res.exit_code == 0, res.output
        text = " ".join(res.output.split())
        assert text.count("negative target priors") == 1 and "summary.json's raw_priors" in text
