"""Stand-ins for the evaluation, shift, scale and review examples (see ``_files``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.docs._files import data_csv, oof_probs, table


def evaluation_files(folder: Path) -> None:
    """preds/ (one .npy per model), test.csv, review_out/cleaned.changes.csv, counts.npy."""
    rng = np.random.default_rng(0)
    n = 200
    truth = rng.integers(0, 3, n)
    given = truth.copy()
    wrong = rng.choice(n, 20, replace=False)
    given[wrong] = (given[wrong] + 1) % 3
    (folder / "preds").mkdir(exist_ok=True)
    np.save(folder / "preds" / "memoriser.npy", given)
    np.save(folder / "preds" / "honest.npy", np.where(rng.random(n) < 0.85, truth, rng.integers(0, 3, n)))
    pd.DataFrame({"label": given}).to_csv(folder / "test.csv", index=False)
    (folder / "review_out").mkdir(exist_ok=True)
    changes = pd.DataFrame({"row": wrong, "action": "relabel", "new_label": truth[wrong]})
    changes.to_csv(folder / "review_out" / "cleaned.changes.csv", index=False)
    counts = np.zeros((n, 3), dtype=int)
    for _ in range(3):
        votes = np.where(rng.random(n) < 0.9, truth, rng.integers(0, 3, n))
        counts[np.arange(n), votes] += 1
    np.save(folder / "counts.npy", counts)


def trec_files(folder: Path) -> None:
    """runs/ (three TREC runs) and human.qrels / synthetic.qrels over six topics."""
    rng = np.random.default_rng(0)
    (folder / "runs").mkdir(exist_ok=True)
    for s, name in enumerate(["bm25", "dense", "hybrid"]):
        lines = [
            f"{q} Q0 d{q}_{d} {r + 1} {10 - r - s * 0.1:.2f} {name}"
            for q in range(1, 7)
            for r, d in enumerate(rng.permutation(8))
        ]
        (folder / "runs" / f"{name}.run").write_text("\n".join(lines) + "\n")
    for name, seed in (("human", 1), ("synthetic", 2)):
        r = np.random.default_rng(seed)
        lines = [f"{q} 0 d{q}_{d} {int(r.integers(0, 3))}" for q in range(1, 7) for d in range(8)]
        (folder / f"{name}.qrels").write_text("\n".join(lines) + "\n")


def shift_arrays(seed: int = 0) -> dict:
    """Validation and target probabilities of a 3-class problem whose priors moved."""
    rng = np.random.default_rng(seed)
    val_labels = rng.integers(0, 3, 300)
    val_probs = oof_probs(val_labels, seed)
    target_labels = rng.choice(3, 200, p=[0.6, 0.3, 0.1])
    return {"val_probs": val_probs, "val_labels": val_labels, "target_probs": oof_probs(target_labels, seed + 1)}


def shift_files(folder: Path) -> None:
    """val_probs.npy, val_labels.npy, target_probs.npy, train_types.txt, eval_types.txt."""
    for name, array in shift_arrays().items():
        np.save(folder / f"{name}.npy", array)
    (folder / "train_types.txt").write_text("person\n" * 5 + "city\n" * 3 + "organisation\n")
    (folder / "eval_types.txt").write_text("person\nlocation\norganization\n")


def scale_files(folder: Path) -> None:
    """probs.npy / labels.npy, probs.zarr with labels.parquet and y.parquet, answers_parquet_dir/."""
    import zarr

    frame = table(n=300)
    probs = oof_probs(frame["y"]).astype(np.float32)
    np.save(folder / "probs.npy", probs)
    np.save(folder / "labels.npy", frame["y"].to_numpy(dtype=str))
    z = zarr.open(str(folder / "probs.zarr"), mode="w", shape=probs.shape, chunks=(100, 2), dtype="f4")
    z[:] = probs
    frame[["y"]].to_parquet(folder / "labels.parquet")
    frame[["y"]].to_parquet(folder / "y.parquet")
    (folder / "labels").mkdir(exist_ok=True)
    frame[["y"]].to_parquet(folder / "labels" / "part.0.parquet")
    from tests.docs._files import crowd

    for name in ("answers_parquet_dir", "answers"):
        (folder / name).mkdir(exist_ok=True)
        crowd(n_items=60).to_parquet(folder / name / "part.0.parquet")


def audit_folder(folder: Path) -> None:
    """labelwise-out/: an audit of a 1,000-row table with the data checks; row 4 has an exact twin."""
    data_csv(folder, n=1000, duplicate=(4, 10))
    from click.testing import CliRunner

    from labelwise.cli import main

    args = ["audit", str(folder / "data.csv"), "--label", "y", "--out", str(folder / "labelwise-out")]
    args.append("--force")  # the page's earlier examples wrote labelwise-out/: this setup replaces them
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output


SFS_PY = """
from labelwise.weak import slicing_function

@slicing_function(vectorized=True)
def has_link(df):
    return df.text.str.contains("http")

@slicing_function()
def red(row):
    return row.colour == "red"
"""


def slice_files(folder: Path) -> None:
    """sfs.py with two slicing functions; data.csv with a ``model`` column of predicted labels."""
    (folder / "sfs.py").write_text(SFS_PY)
    frame = table()
    rng = np.random.default_rng(1)
    frame["model"] = np.where(rng.random(len(frame)) < 0.8, frame["label"], "ham")
    frame.to_csv(folder / "data.csv", index=False)
