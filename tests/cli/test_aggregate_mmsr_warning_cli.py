"""``labelwise aggregate --method mmsr`` on a sparse crowd shows MMSR's warning."""

from __future__ import annotations

from click.testing import CliRunner

from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd
from labelwise.cli import main


def test_cli_shows_the_warning(tmp_path):
    """labelwise aggregate --method mmsr prints the warning as it prints the library's others."""
    path = tmp_path / "answers.csv"
    simulate_sparse_crowd(
        n_items=600, n_classes=2, n_annotators=100, answers_per_item=3, random_state=3
    ).answers.to_csv(path, index=False)
    res = CliRunner().invoke(main, ["aggregate", str(path), "--method", "mmsr", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "warning: MMSR on a sparse crowd" in res.output


def test_cli_sign_warning_names_the_param_option(tmp_path):
    """On a ring crowd the sign-step warning tells a command-line user ``--param sign_step='checked'``, and
    that refit follows the vote (the library's name alone cannot be typed on the command line)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    n_ann, n_items, k = 200, 400, 3
    truth = rng.integers(0, k, n_items)
    acc = np.where(rng.random(n_ann) < 0.1, 0.05, rng.uniform(0.55, 0.9, n_ann))
    start = (np.arange(n_items) * n_ann) // n_items
    ann = ((start[:, None] + np.argsort(rng.random((n_items, 10)), axis=1)[:, :6]) % n_ann).ravel()
    item = np.repeat(np.arange(n_items), 6)
    t = truth[item]
    label = np.where(rng.random(item.size) < acc[ann], t, (t + rng.integers(1, k, item.size)) % k)
    path = tmp_path / "ring.csv"
    pd.DataFrame({"item": item, "annotator": ann, "label": label}).to_csv(path, index=False)
    res = CliRunner().invoke(main, ["aggregate", str(path), "--method", "mmsr", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "--param sign_step='checked'" in res.output
    res = CliRunner().invoke(
        main,
        ["aggregate", str(path), "--method", "mmsr", "--param", "sign_step=checked", "--out", str(tmp_path / "c")],
    )
    assert res.exit_code == 0, res.output
    assert "sign_step" not in res.output
