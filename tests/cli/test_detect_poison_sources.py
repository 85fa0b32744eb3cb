"""``detect-poison --detector provenance``: sources that could not be judged are said so on screen."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def test_sources_left_with_one_class_are_named_as_not_judged(tmp_path):
    """Device z holds every neg row, so some removals leave one class; the screen names the sources
    whose effect is empty (NaN), where it used to show 'nan  False' as if they were judged harmless."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = np.where(X[:, 0] > 0, "pos", "neg")
    device = np.where(y == "neg", "z", np.where(np.arange(300) % 2, "a", "b"))
    pd.DataFrame({"f1": X[:, 0], "f2": X[:, 1], "device": device, "y": y}).to_csv(tmp_path / "d.csv", index=False)
    argv = ["detect-poison", str(tmp_path / "d.csv"), "--label", "y", "--detector", "provenance"]
    result = CliRunner().invoke(main, [*argv, "--source-column", "device", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "out" / "sources.csv")
    unjudged = table.loc[table["effect"].isna(), "source"].tolist()
    assert unjudged  # the premise: some source is not judged
    text = " ".join(result.output.split())
    assert f"notice: {len(unjudged)} of 3 sources not judged ({', '.join(unjudged)};" in text


def test_no_notice_when_every_source_is_judged():
    """Every effect a number: no line."""
    from labelwise.cli._detect_poison_sources import unjudged_sources_note

    frame = pd.DataFrame({"source": ["a", "b"], "effect": [0.1, -0.2]})
    assert unjudged_sources_note(frame) == ""
