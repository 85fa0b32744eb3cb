"""``labelwise shift --source-prior``: MLLS's E-step source priors from the command line (session 49).

Main had the option only in Python (``estimate_priors(..., source_prior="labels")``).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.shift import estimate_priors


def _sharp(p: np.ndarray) -> np.ndarray:
    """Overconfident posteriors: the mean posterior and the label frequencies differ."""
    q = p**3
    return q / q.sum(axis=1, keepdims=True)


@pytest.fixture
def arrays(tmp_path):
    rng = np.random.default_rng(0)
    vp = rng.dirichlet(np.full(3, 0.7), 300)
    vl = np.array([rng.choice(3, p=row) for row in vp])
    np.save(tmp_path / "vp.npy", _sharp(vp))
    np.save(tmp_path / "vl.npy", vl)
    np.save(tmp_path / "tp.npy", _sharp(rng.dirichlet([3, 1, 1], 200)))
    return tmp_path


def _run(d, *extra):
    args = ["shift", "--train-probs", str(d / "vp.npy"), "--train-labels", str(d / "vl.npy")]
    args += ["--target-probs", str(d / "tp.npy"), "--calibration", "none", "--n-boot", "0", *extra]
    return CliRunner().invoke(main, args)


class TestShiftSourcePrior:
    @pytest.mark.parametrize("choice", ["posterior", "labels"])
    def test_the_option_gives_the_apis_estimate_and_is_recorded(self, arrays, choice):
        """--source-prior X writes the priors estimate_priors(source_prior=X) gives, and says which in summary.json."""
        res = _run(arrays, "--source-prior", choice, "--out", str(arrays / choice))
        assert res.exit_code == 0, res.output
        summary = json.loads((arrays / choice / "summary.json").read_text())
        want = estimate_priors(
            np.load(arrays / "vp.npy"),
            np.load(arrays / "vl.npy"),
            np.load(arrays / "tp.npy"),
            calibration="none",
            n_boot=0,
            source_prior=choice,
        )
        np.testing.assert_allclose(summary["priors"], want.priors, atol=1e-12)
        np.testing.assert_allclose(summary["source_priors"], want.source_priors, atol=1e-12)
        assert summary["source_prior"] == choice and summary["settings"]["source_prior"] == choice

    def test_labels_moves_the_estimate_on_miscalibrated_posteriors(self, arrays):
        """Overconfident posteriors, no calibration: the labels' frequencies give other source and target priors."""
        for choice in ("posterior", "labels"):
            assert _run(arrays, "--source-prior", choice, "--out", str(arrays / choice)).exit_code == 0
        post, lab = (json.loads((arrays / c / "summary.json").read_text()) for c in ("posterior", "labels"))
        np.testing.assert_allclose(lab["source_priors"], np.bincount(np.load(arrays / "vl.npy")) / 300, atol=1e-12)
        assert np.abs(np.subtract(post["priors"], lab["priors"])).sum() > 1e-3

    def test_without_the_option_mlls_records_the_default(self, arrays):
        """Left out: the mean posterior, as before, and summary.json names it."""
        assert _run(arrays, "--out", str(arrays / "o")).exit_code == 0
        summary = json.loads((arrays / "o" / "summary.json").read_text())
        assert summary["source_prior"] == "posterior" and summary["settings"]["source_prior"] is None

    @pytest.mark.parametrize("method", ["bbse", "rlls"])
    def test_a_method_without_an_e_step_refuses_the_option(self, arrays, method):
        """--source-prior with --method bbse/rlls is one line naming both options and the method, exit 2."""
        res = _run(arrays, "--method", method, "--source-prior", "labels", "--out", str(arrays / "o"))
        assert res.exit_code == 2
        assert "--source-prior applies to --method mlls only" in res.output and f"got --method {method}" in res.output
        assert not (arrays / "o").exists()
