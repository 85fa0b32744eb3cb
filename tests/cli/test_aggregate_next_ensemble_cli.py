"""`labelwise aggregate --probs A --probs B --next N`: ActiveLab and CROWDLAB over an ensemble of models
(cli/_aggregate_active.py's ``load_models``)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import CrowdLab, active_learning_scores
from labelwise.cli import main
from tests.aggregate._crowd import confusion_crowd

CLASSES = np.array(["cat", "dog", "fox"])


def _run(args: list) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def _model(truth: np.ndarray, acc: float, seed: int) -> np.ndarray:
    """A model right with probability ``acc``: 0.7 on its prediction plus Dirichlet noise."""
    rng = np.random.default_rng(seed)
    pred = np.where(rng.random(len(truth)) < acc, truth, (truth + rng.integers(1, 3, len(truth))) % 3)
    p = rng.dirichlet(np.ones(3), len(truth)) * 0.3
    p[np.arange(len(truth)), pred] += 0.7
    return p


@pytest.fixture
def ensemble(tmp_path: Path) -> dict:
    """Answers on items 0..149 (3 per item), three models' probabilities of them as tables (rows
    shuffled, columns in another order each) and of 6 unanswered items ``new0..new5``."""
    answers, truth = confusion_crowd(150, 3, (0.8, 0.7, 0.65, 0.6), per_item=3, seed=2)
    answers["label"] = CLASSES[answers["label"]]
    answers.to_csv(tmp_path / "answers.csv", index=False)
    rng = np.random.default_rng(0)
    pool = pd.Index([f"new{i}" for i in range(6)], name="item")
    probs, unlabeled, paths = [], [], {"probs": [], "unlabeled": []}
    for m, acc in enumerate((0.9, 0.75, 0.6)):
        frame = pd.DataFrame(_model(truth.to_numpy(), acc, m), columns=CLASSES).rename_axis("item")
        pool_frame = pd.DataFrame(rng.dirichlet(np.ones(3), 6), columns=CLASSES, index=pool)
        probs.append(frame)
        unlabeled.append(pool_frame)
        columns = list(np.roll(CLASSES, m))
        for key, table in (("probs", frame), ("unlabeled", pool_frame)):
            path = tmp_path / f"{key}{m}.csv"
            table[columns].sample(frac=1, random_state=m).reset_index().to_csv(path, index=False)
            paths[key].append(path)
    return {"answers": answers, "probs": probs, "unlabeled": unlabeled, "paths": paths, "dir": tmp_path}


def _options(paths: dict, unlabeled: bool = True) -> list:
    args = [a for p in paths["probs"] for a in ("--probs", p)]
    return args + ([a for p in paths["unlabeled"] for a in ("--unlabeled-probs", p)] if unlabeled else [])


class TestAggregateNextEnsemble:
    def test_writes_the_ensemble_ranking_the_api_gives(self, ensemble):
        """Three --probs and three --unlabeled-probs (matched by position): next_to_label.csv equals
        active_learning_scores on the three models, labels.csv equals CrowdLab on them, and
        summary.json lists the files."""
        out = ensemble["dir"] / "out"
        res = _run(
            ["aggregate", ensemble["dir"] / "answers.csv", *_options(ensemble["paths"]), "--next", 20, "--out", out]
        )
        assert res.exit_code == 0, res.output
        got = pd.read_csv(out / "next_to_label.csv", dtype={"item": str})
        want = active_learning_scores(ensemble["answers"], ensemble["probs"], ensemble["unlabeled"]).next(20)
        assert got["item"].tolist() == want["item"].astype(str).tolist()
        np.testing.assert_allclose(got["score"], want["score"], rtol=1e-12)
        labels = pd.read_csv(out / "labels.csv").set_index("item")["label"]
        crowdlab = CrowdLab().fit(ensemble["answers"], ensemble["probs"])
        assert labels.to_dict() == crowdlab.labels_.to_dict()
        summary = json.loads((out / "summary.json").read_text())
        assert summary["settings"]["probs"] == [str(p) for p in ensemble["paths"]["probs"]]
        assert summary["next"]["unlabeled_probs"] == [str(p) for p in ensemble["paths"]["unlabeled"]]
        assert len(summary["next"]["model_weight"]) == 3 and len(summary["next"]["temperature"]) == 3

    @pytest.mark.parametrize(
        "change, message",
        [
            (lambda f: f.drop(index=f.index[:2]), "must list the items of --probs"),
            (lambda f: f.rename(columns={"fox": "owl"}), "must have the class columns of --probs"),
        ],
    )
    def test_a_probs_file_unlike_the_first_is_refused_naming_it(self, ensemble, change, message):
        """A second --probs with other items or other class columns is an error naming that file."""
        bad = ensemble["dir"] / "bad.csv"
        change(ensemble["probs"][1]).reset_index().to_csv(bad, index=False)
        args = ["aggregate", ensemble["dir"] / "answers.csv", "--probs", ensemble["paths"]["probs"][0], "--probs", bad]
        res = _run([*args, "--out", ensemble["dir"] / "out"])
        said = " ".join(res.output.split())
        assert res.exit_code == 2 and f"--probs '{bad}' {message}" in said, res.output

    def test_npy_files_of_other_shapes_or_a_table_among_them_are_refused(self, ensemble, tmp_path):
        """.npy models must share the first one's shape, and tables and .npy are not mixed."""
        np.save(tmp_path / "a.npy", ensemble["probs"][0].to_numpy())
        np.save(tmp_path / "b.npy", ensemble["probs"][1].to_numpy()[:-1])
        answers = ensemble["dir"] / "answers.csv"
        res = _run(["aggregate", answers, "--probs", tmp_path / "a.npy", "--probs", tmp_path / "b.npy"])
        assert res.exit_code == 2 and "must have the shape of --probs" in " ".join(res.output.split())
        table = ensemble["paths"]["probs"][1]
        res = _run(["aggregate", answers, "--probs", tmp_path / "a.npy", "--probs", table])
        assert res.exit_code == 2 and f"--probs '{table}' must be a .npy array like" in " ".join(res.output.split())

    def test_unlabeled_probs_count_must_match_probs(self, ensemble):
        """--unlabeled-probs is matched to --probs by position: as many of each, or none."""
        paths = {"probs": ensemble["paths"]["probs"], "unlabeled": ensemble["paths"]["unlabeled"][:2]}
        res = _run(["aggregate", ensemble["dir"] / "answers.csv", *_options(paths), "--next", 5])
        said = " ".join(res.output.split())
        assert res.exit_code == 2 and "got 2 --unlabeled-probs for 3 --probs" in said


def test_ensemble_run_equals_cleanlab(tmp_path, monkeypatch):
    """The command's ensemble scores equal cleanlab 2.9's ``get_active_learning_scores_ensemble`` on
    .npy models of a crowd whose consensus settles in two rounds (cleanlab's temperature counts
    patched as in tests/aggregate/test_activelab_vs_cleanlab.py)."""
    multiannotator = pytest.importorskip("cleanlab.multiannotator")
    utils = pytest.importorskip("cleanlab.internal.multiannotator_utils")
    monkeypatch.setattr(
        utils,
        "value_counts",
        lambda x, num_classes=None, **_: np.bincount(np.asarray(x).astype(int), minlength=num_classes),
    )
    answers, truth = confusion_crowd(300, 3, (0.85, 0.8, 0.75, 0.8), per_item=3, seed=12)
    probs = np.stack([_model(truth.to_numpy(), acc, 12 + m) for m, acc in enumerate((0.9, 0.75, 0.6))])
    pool = np.random.default_rng(12).dirichlet(np.ones(3), (3, 40))
    answers.to_csv(tmp_path / "answers.csv", index=False)
    args = ["aggregate", tmp_path / "answers.csv", "--next", 340, "--out", tmp_path / "out"]
    for m in range(3):
        np.save(tmp_path / f"p{m}.npy", probs[m])
        frame = pd.DataFrame(pool[m], index=pd.Index([f"new{i:02d}" for i in range(40)], name="item"))
        frame.reset_index().to_csv(tmp_path / f"u{m}.csv", index=False)
        args += ["--probs", tmp_path / f"p{m}.npy", "--unlabeled-probs", tmp_path / f"u{m}.csv"]
    res = _run(args)
    assert res.exit_code == 0, res.output
    got = pd.read_csv(tmp_path / "out" / "next_to_label.csv", dtype={"item": str}).set_index("item")["score"]
    wide = answers.pivot(index="item", columns="annotator", values="label").astype(float).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, theirs_pool = multiannotator.get_active_learning_scores_ensemble(wide, probs.copy(), pool.copy())
    np.testing.assert_allclose(got.loc[[str(i) for i in range(300)]], theirs, atol=1e-12)
    np.testing.assert_allclose(got.loc[[f"new{i:02d}" for i in range(40)]], theirs_pool, atol=1e-12)
