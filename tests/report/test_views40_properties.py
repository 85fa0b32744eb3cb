"""The annotator scores of views40's pages on simulated crowds: they rank the simulated annotators as
their true quality does, and they do not depend on the input file's row order (hypothesis).

On main these folders' pages had no annotator scores (``agreement``/``text_agreement`` did not exist).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from labelwise.aggregate import simulate_boxes
from labelwise.aggregate._pairwise_sim import simulate_comparisons
from labelwise.aggregate._rover_simulate import simulate_transcriptions
from labelwise.report._folders import boxes, pairs
from labelwise.report._folders._common import Folder
from labelwise.report._folders._text_agreement import text_agreement
from tests.report._views39_folders import run


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """wbf (4 models, the last a spammer), closest and rover (error rates 0.05, 0.2, 0.45) and bt
    (30 annotators, a fifth of them random) folders of simulated data, each with its input table."""
    root = tmp_path_factory.mktemp("views40")
    sim = simulate_boxes(30, 4, n_spammers=1, random_state=0).boxes
    sim.to_csv(root / "boxes.csv", index=False)
    run("aggregate-boxes", str(root / "boxes.csv"), "--method", "wbf", "--out", str(root / "wbf"))
    answers, _ = simulate_transcriptions(60, (0.05, 0.2, 0.45), random_state=1)
    answers.to_csv(root / "texts.csv", index=False)
    for method in ("closest", "rover"):
        run("aggregate-texts", str(root / "texts.csv"), "--method", method, "--out", str(root / method))
    comparisons = simulate_comparisons(40, 3000, n_annotators=30, biased=0, random_state=2)
    comparisons.pairs.to_csv(root / "pairs.csv", index=False)
    run("aggregate-pairs", str(root / "pairs.csv"), "--method", "bt", "--out", str(root / "bt"))
    return {"root": root, "wbf": sim, "texts": answers, "bt": comparisons}


def _folder(root, name: str) -> Folder:
    return Folder.load(root / name)


def _pairs_agreement(folder: Folder) -> pd.DataFrame:
    scores = folder.table("scores.csv", ids=("item",))
    assert scores is not None
    table, why = pairs.agreement(folder, scores)
    assert table is not None, why
    return table


def _texts_agreement(folder: Folder) -> pd.DataFrame:
    chosen = folder.table("texts.csv", ids=("item", "text"))
    assert chosen is not None
    table, _, why = text_agreement(folder, chosen)
    assert table is not None, why
    return table


def _boxes_agreement(folder: Folder) -> pd.DataFrame:
    table, why = boxes.agreement(folder)
    assert table is not None, why
    return table


def test_the_wbf_spammer_has_the_lowest_f1_and_match_rate(folders):
    """The model drawing random boxes matches the fused boxes least."""
    table = _boxes_agreement(_folder(folders["root"], "wbf")).set_index("annotator")
    spammer = folders["wbf"]["annotator"].astype(str).max()  # simulate_boxes' spammers come last
    assert table["f1"].idxmin() == spammer and table["precision"].idxmin() == spammer


@pytest.mark.parametrize(
    ("method", "column", "sign"), [("closest", "mean_similarity", -1), ("rover", "word_error_rate", 1)]
)
def test_text_scores_follow_the_annotators_error_rates(folders, method, column, sign):
    """Annotators of word error rates 0.05 < 0.2 < 0.45: similarity falls and word error rate rises in that order."""
    table = _texts_agreement(_folder(folders["root"], method)).set_index("annotator")
    values = table.loc[["a0", "a1", "a2"], column].to_numpy()
    assert (sign * np.diff(values) > 0).all()


def test_bt_agreement_ranks_the_annotators_as_their_reliability(folders):
    """The share of each annotator's comparisons the ranking agrees with follows its true reliability
    (random annotators at 0: the lowest shares), Spearman > 0.6 over 30 annotators."""
    table = _pairs_agreement(_folder(folders["root"], "bt")).set_index("annotator")
    truth = folders["bt"].reliability.reindex(table.index)
    assert spearmanr(truth, table["agreement"]).statistic > 0.6
    assert table["agreement"][truth == 0].max() < table["agreement"][truth > 0.9].min()


def _shuffled(folders, name: str, key: str, source: str, seed: int) -> Folder:
    """The folder ``name`` reading a copy of its input with the rows in a random order."""
    folder = _folder(folders["root"], name)
    table = pd.read_csv(folders["root"] / source, dtype=str)
    path = folders["root"] / f"shuffled-{name}-{seed}-{source}"
    table.iloc[np.random.default_rng(seed).permutation(len(table))].to_csv(path, index=False)
    return Folder(out_dir=folder.out_dir, summary={**folder.summary, key: str(path)})


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a, b = (f.sort_values("annotator").reset_index(drop=True) for f in (a, b))
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_scores_do_not_depend_on_the_input_rows_order(folders, seed):
    """The same rows in another order give the same scores (wbf, closest, rover, bt)."""
    _same(
        _boxes_agreement(_folder(folders["root"], "wbf")),
        _boxes_agreement(_shuffled(folders, "wbf", "boxes", "boxes.csv", seed)),
    )
    for method in ("closest", "rover"):
        _same(
            _texts_agreement(_folder(folders["root"], method)),
            _texts_agreement(_shuffled(folders, method, "answers", "texts.csv", seed)),
        )
    _same(
        _pairs_agreement(_folder(folders["root"], "bt")),
        _pairs_agreement(_shuffled(folders, "bt", "pairs", "pairs.csv", seed)),
    )
