"""Valid small invocations of every ``labelwise`` command, for the bad-input sweep beside it.

``SPECS`` maps a name (the command, or ``command/variant``) to a :class:`Spec`: an argument
list with ``{key}`` placeholders filled from the small input files :func:`make_inputs` writes,
and what each parameter is (an input file of some kind, a column name, a free-form option with
values it must refuse). ``test_bad_inputs`` derives the bad invocations from it. Every option of
every command must be classified, here or in ``FREE_OPTIONS``, and every command must be in
``SPECS`` or ``NOT_COVERED``, so a new command or option cannot slip past the sweep.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tests.report.fake_outputs import write_audit

#: What an input parameter holds; the sweep chooses its bad files from the kind.
TABLE, NPY, TEXT, PYTHON, FOLDER, AUDIT = "table", "npy", "text", "python", "folder", "audit folder"

LFS = """
from labelwise.weak import labeling_function

@labeling_function()
def has_link(row):
    return "spam" if "http" in row.text else None

@labeling_function()
def short(row):
    return "ham" if len(row.text) < 12 else None
"""

SFS = """
from labelwise.weak import slicing_function

@slicing_function(vectorized=True)
def big_a(df):
    return df.a > 1

@slicing_function()
def negative_b(row):
    return row.b < 0
"""

TFS = """
from labelwise.weak import transformation_function

@transformation_function()
def bump(row):
    if row.a < 0:
        return None
    row.a = row.a + 1
    return row

@transformation_function(vectorized=True)
def negate(df):
    return df.assign(b=-df.b)
"""


def _table(n: int = 30, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = np.array(["u", "v", "w"])[np.arange(n) % 3]
    a = rng.normal(size=n) + (np.arange(n) % 3)
    return pd.DataFrame({"a": a.round(3), "b": rng.normal(size=n).round(3), "y": y})


def make_inputs(folder: Path) -> dict[str, Path]:
    """Write every command's small valid inputs in ``folder``; return them by key."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    p = {key: folder / name for key, name in INPUT_FILES.items()}
    frame = _table()
    frame.to_csv(p["data"], index=False)
    _table(seed=1).to_csv(p["trusted"], index=False)
    binary = frame.assign(y=np.where(np.arange(30) % 2 == 0, "u", "v"))
    binary.to_csv(p["binary"], index=False)
    frame.assign(y=frame.y.where(np.arange(30) % 3 != 0)).to_csv(p["partial"], index=False)
    probs = rng.dirichlet(np.ones(3), size=30) * 0.4
    probs[np.arange(30), np.arange(30) % 3] += 0.6
    np.save(p["probs"], probs)
    pd.DataFrame(probs, columns=["u", "v", "w"])[["w", "u", "v"]].to_csv(p["probs_table"], index=False)
    pd.DataFrame({"prediction": frame.a + rng.normal(0, 0.1, len(frame))}).to_csv(p["pred_table"], index=False)
    np.save(p["counts"], rng.integers(0, 3, size=(40, 3)) + np.eye(3, dtype=int)[np.arange(40) % 3])
    np.save(p["agg_probs"], rng.dirichlet(np.ones(2), size=10))
    np.save(p["agg_unlabeled"], rng.dirichlet(np.ones(2), size=4))
    np.save(p["agg_probs_b"], rng.dirichlet(np.ones(2), size=10))  # aggregate/next_ensemble's second model
    np.save(p["agg_unlabeled_b"], rng.dirichlet(np.ones(2), size=4))
    items = np.repeat(np.arange(10), 3)
    labels = np.where(rng.random(30) < 0.8, np.array(["cat", "dog"])[items % 2], "dog")
    pd.DataFrame({"item": items, "annotator": np.tile(["a", "b", "c"], 10), "label": labels}).to_csv(
        p["answers"], index=False
    )
    pd.DataFrame({"item": np.arange(10), "label": np.array(["cat", "dog"])[np.arange(10) % 2]}).to_csv(
        p["gold"], index=False
    )
    # aggregate/votes_normalize: LLM samples whose answers are written several ways ("B", "B.", "(B)")
    forms = np.array(["B", "B.", "(B)", "A", " a "])[rng.integers(0, 5, 30)]
    p["votes"].write_text(
        "".join(
            json.dumps({"item": f"q{i}", "sample": j, "answer": str(a)}) + "\n"
            for (i, j), a in zip(((i, j) for i in range(10) for j in range(3)), forms, strict=True)
        )
    )
    # aggregate --next: items 100..109, apart from agg_unlabeled.npy's rows 0..3 (ids that clash are refused)
    pd.read_csv(p["answers"]).assign(item=items + 100).to_csv(p["next_answers"], index=False)
    left, right = np.array(list("abcdab")), np.array(list("bcdacd"))
    winner = np.where(np.arange(12) % 3 == 0, np.tile(right, 2), np.tile(left, 2))
    pd.DataFrame(
        {"left": np.tile(left, 2), "right": np.tile(right, 2), "winner": winner, "annotator": np.repeat(["u", "v"], 6)}
    ).to_csv(p["pairs"], index=False)
    tag_sets = np.array(["cat|dog", "cat", "", "dog", "cat|owl"])
    pd.DataFrame(
        {"item": items, "annotator": np.tile(["a", "b", "c"], 10), "tags": tag_sets[rng.integers(0, 5, 30)]}
    ).to_csv(p["tag_answers"], index=False)
    sentences = np.array(["the cat sat on the mat", "teh cat sat on the mat", "a dog ran", "the cat sat"])
    pd.DataFrame(
        {"item": items, "annotator": np.tile(["a", "b", "c"], 10), "text": sentences[rng.integers(0, 4, 30)]}
    ).to_csv(p["text_answers"], index=False)
    pd.DataFrame(
        {
            "item": items,
            "annotator": np.tile(["a", "b", "c"], 10),
            "value": (items * 1.5 + rng.normal(size=30)).round(2),
        }
    ).to_csv(p["numbers"], index=False)
    p["lfs"].write_text(LFS)
    texts = ["win http://x", "hi mom", "see http://y.com please", "lunch today?", "ok", "cash http://z"]
    pd.DataFrame({"id": np.arange(6), "text": texts}).to_csv(p["texts"], index=False)
    given = np.arange(40) % 3
    p["preds"].mkdir()
    np.save(p["preds"] / "copy.npy", given)
    np.save(p["preds"] / "other.npy", np.where(np.arange(40) % 5 == 0, (given + 1) % 3, given))
    pd.DataFrame({"label": given}).to_csv(p["test"], index=False)
    pd.DataFrame({"row": [1, 2], "action": "relabel", "new_label": [0, 0]}).to_csv(p["changes"], index=False)
    p["runs"].mkdir()
    for s in range(3):
        lines = [f"{q} Q0 d{d} {r + 1} {10 - r} s{s}" for q in "12" for r, d in enumerate(rng.permutation(4))]
        (p["runs"] / f"s{s}.run").write_text("\n".join(lines) + "\n")
    p["qrels_a"].write_text("1 0 d0 1\n1 0 d1 2\n2 0 d2 1\n2 0 d3 1\n")
    p["qrels_b"].write_text("1 0 d0 1\n1 0 d3 1\n2 0 d2 2\n2 0 d1 1\n")
    vp = rng.dirichlet(np.ones(3), 60)
    np.save(p["train_probs"], vp)
    np.save(p["train_labels"], np.array([rng.choice(3, p=row) for row in vp]))
    np.save(p["target_probs"], rng.dirichlet([3, 1, 1], 40))
    p["train_txt"].write_text("person\nperson\nlocation\norganisation\n")
    p["eval_txt"].write_text("person\norganization\ndisease\n")
    write_audit(p["audit"], kind="features", n=30, noise=0.3)
    p["sfs"].write_text(SFS)
    p["tfs"].write_text(TFS)
    predicted = np.where(np.arange(30) % 4 == 0, "u", frame.y.to_numpy())
    frame.assign(p=predicted).to_csv(p["slice_data"], index=False)
    np.save(p["slice_preds"], predicted.astype(str))
    _write_masks(p["masks"], rng)
    pd.DataFrame({"annotator": ["a", "b", "c"], "weight": [0.5, 1.5, 1.0]}).to_csv(p["mask_weights"], index=False)
    _write_boxes(p["boxes"], p["box_labeled"])
    _write_coco_boxes(p["boxes"], p["coco_a"], p["coco_b"])
    np.save(p["emb"], np.random.default_rng(49).normal(size=(30, 4)))  # audit --features at scale (session 49)
    return p


def _write_boxes(table: Path, labeled: Path) -> None:
    """Three annotators' boxes of two images (c drew nothing on img1: listed in ``labeled``)."""
    rows = [
        ("img0", "a", 10, 10, 50, 40, "cat", 0.9),
        ("img0", "b", 12, 11, 52, 41, "cat", 0.8),
        ("img0", "c", 11, 9, 49, 40, "cat", 0.7),
        ("img0", "c", 100, 100, 130, 120, "dog", 0.4),
        ("img1", "a", 5, 5, 25, 30, "dog", 0.6),
        ("img1", "b", 6, 5, 26, 31, "dog", 0.5),
    ]
    pd.DataFrame(rows, columns=["image", "annotator", "x_min", "y_min", "x_max", "y_max", "label", "score"]).to_csv(
        table, index=False
    )
    pd.DataFrame({"image": ["img0"] * 3 + ["img1"] * 3, "annotator": list("abc") * 2}).to_csv(labeled, index=False)


def _write_coco_boxes(table: Path, *paths: Path) -> None:
    """Annotators a and b's boxes of ``table`` as COCO results lists (image and category ids numbered)."""
    boxes = pd.read_csv(table)
    for annotator, path in zip("ab", paths, strict=True):
        drawn = boxes[boxes.annotator == annotator]
        records = [
            {"image_id": int(r.image[3:]), "category_id": int(r.label == "dog"), "score": r.score,
             "bbox": [r.x_min, r.y_min, r.x_max - r.x_min, r.y_max - r.y_min]}
            for r in drawn.itertuples()
        ]  # fmt: skip
        path.write_text(json.dumps(records))


def _write_masks(table: Path, rng: np.random.Generator) -> None:
    """Three annotators' 6x5 masks of four images (one not drawn by ``c``), listed with absolute paths
    (the table may be moved into --out by the sweep)."""
    files = table.parent / "mask_files"
    files.mkdir()
    rows = []
    for item in range(4):
        truth = rng.random((6, 5)) < 0.4
        for annotator in "abc"[: 3 if item else 2]:
            path = files / f"{item}_{annotator}.npy"
            np.save(path, (truth ^ (rng.random((6, 5)) < 0.1)).astype(np.uint8))
            rows.append((f"img{item}", annotator, str(path)))
    pd.DataFrame(rows, columns=["item", "annotator", "path"]).to_csv(table, index=False)


INPUT_FILES = {
    "emb": "emb.npy",
    "data": "data.csv",
    "binary": "binary.csv",
    "partial": "partial.csv",
    "probs": "probs.npy",
    "probs_table": "probs.csv",  # audit --probs as a table: one column per class, named by it
    "pred_table": "predictions.csv",  # audit --task regression --predictions as a table: one column
    "agg_probs": "agg_probs.npy",
    "agg_unlabeled": "agg_unlabeled.npy",
    "agg_probs_b": "agg_probs_b.npy",
    "agg_unlabeled_b": "agg_unlabeled_b.npy",
    "counts": "counts.npy",
    "answers": "answers.csv",
    "votes": "votes.jsonl",
    "next_answers": "next_answers.csv",
    "gold": "gold.csv",
    "pairs": "pairs.csv",
    "tag_answers": "tag_answers.csv",
    "text_answers": "text_answers.csv",
    "numbers": "numbers.csv",
    "lfs": "lfs.py",
    "texts": "texts.csv",
    "preds": "preds",
    "test": "test.csv",
    "changes": "cleaned.changes.csv",
    "runs": "runs",
    "qrels_a": "a.qrels",
    "qrels_b": "b.qrels",
    "train_probs": "vp.npy",
    "train_labels": "vl.npy",
    "target_probs": "tp.npy",
    "train_txt": "train.txt",
    "eval_txt": "eval.txt",
    "audit": "audit",
    "masks": "masks.csv",
    "mask_weights": "mask_weights.csv",
    "boxes": "drawn_boxes.csv",
    "box_labeled": "box_labeled.csv",
    "coco_a": "coco_a.json",
    "coco_b": "coco_b.json",
    "sfs": "sfs.py",
    "tfs": "tfs.py",
    "slice_data": "slice_data.csv",
    "slice_preds": "slice_preds.npy",
    "trusted": "trusted.csv",
}


@dataclass(frozen=True)
class Spec:
    """A valid small invocation of one command and what its parameters are.

    ``argv`` holds ``{key}`` placeholders for the inputs and ``{out}`` for the output (a folder,
    or a file when ``out_kind`` is ``"file"``). ``inputs`` maps a parameter (``"DATA"``,
    ``"--probs"``) to its input key and kind; ``columns`` maps a column option to the input key
    of its table; ``label`` names the label option and its table, whose all-NaN, one-row and
    one-class versions (``label_cases``) must be refused; ``bad_values`` are values of free-form
    options that must be refused (``also_named``: a case whose line may name its cause instead of
    the option, with the reason in a comment); ``outputs`` are the files a run writes in the output folder.
    """

    argv: tuple[str, ...]
    inputs: dict[str, tuple[str, str]]
    outputs: tuple[str, ...]
    columns: dict[str, str] = field(default_factory=dict)
    label: tuple[str, str] | None = None
    label_cases: tuple[str, ...] = ("nan", "one_row", "one_class")
    bad_values: tuple[tuple[str, str], ...] = ()
    also_named: dict[str, str] = field(default_factory=dict)
    out_kind: str = "folder"


_AUDIT_OUT = ("issues.csv", "summary.json", "probs.npy")

SPECS: dict[str, Spec] = {
    "audit": Spec(
        ("audit", "{data}", "--label", "y", "--model", "logistic", "--cv", "2", "--checks", "label", "--no-report"),
        {"DATA": ("data", TABLE)},
        _AUDIT_OUT,
        columns={"--label": "data"},
        label=("--label", "data"),
        bad_values=(("--checks", "no_such_check"), ("--n-jobs", "0")),
    ),
    "audit/probs": Spec(
        ("audit", "{data}", "--label", "y", "--probs", "{probs}", "--checks", "label", "--no-report"),
        {"DATA": ("data", TABLE), "--probs": ("probs", NPY)},
        _AUDIT_OUT,
        columns={"--label": "data"},
        label=("--label", "data"),
        # one row of DATA against the 30 rows of --probs: the line names --probs and both shapes
        also_named={"label:one_row": "--probs"},
    ),
    "audit/probs_table": Spec(
        ("audit", "{data}", "--label", "y", "--probs", "{probs_table}", "--checks", "label", "--no-report"),
        {"--probs": ("probs_table", TABLE)},
        _AUDIT_OUT,
        label_cases=(),
    ),
    "audit/features": Spec(
        ("audit", "{data}", "--label", "y", "--probs", "{probs}", "--features", "{probs}", "--checks", "outlier"),
        {"--features": ("probs", NPY)},
        _AUDIT_OUT,
        label_cases=(),
        # --classes a,b names 2 of the 3 --probs columns: the line says so
        bad_values=(
            ("--image-column", "nope"),
            ("--split-column", "nope"),
            ("--scheduler", "nope"),
            ("--classes", "a,b"),
        ),
    ),
    # --tag-separator ',' would cut the tag cells of a CSV; with another task it is refused as unread
    "audit/multilabel": Spec(
        ("audit", "{data}", "--task", "multilabel", "--label", "y", "--probs", "{probs}", "--tag-separator", ";"),
        {},
        ("issues.csv", "classes.csv", "summary.json"),
        label_cases=(),
        bad_values=(("--tag-separator", ","), ("--tag-separator", " ; "), ("--tag-separator", '"')),
    ),
    # the tags' probabilities as a table (one column per tag, named by it) and regression's predictions as one
    "audit/multilabel_table": Spec(
        ("audit", "{data}", "--task", "multilabel", "--label", "y", "--probs", "{probs_table}"),
        {"--probs": ("probs_table", TABLE)},
        ("issues.csv", "classes.csv", "summary.json"),
        label_cases=(),
    ),
    "audit/regression_table": Spec(
        ("audit", "{data}", "--task", "regression", "--label", "a", "--predictions", "{pred_table}"),
        {"--predictions": ("pred_table", TABLE)},
        ("issues.csv", "summary.json"),
        label_cases=(),
    ),
    "aggregate": Spec(
        ("aggregate", "{answers}", "--method", "majority-vote", "--gold", "{gold}"),
        {"PATH": ("answers", TABLE), "--gold": ("gold", TABLE)},
        ("labels.csv", "annotators.csv", "annotators.json", "summary.json"),
        columns={"--item-column": "answers", "--annotator-column": "answers", "--label-column": "answers"},
        label=("--label-column", "answers"),
        label_cases=("nan",),
        bad_values=(
            ("--param", "max_iter"),
            ("--param", "no_such_param=1"),
            ("--classes", "cat"),
            ("--scheduler", "nope"),
        ),
    ),
    "aggregate/probs": Spec(
        ("aggregate", "{answers}", "--probs", "{agg_probs}"),
        {"--probs": ("agg_probs", NPY)},
        ("labels.csv", "annotators.csv", "annotators.json", "summary.json"),
        label_cases=(),
    ),
    "aggregate/votes_normalize": Spec(
        ("aggregate", "{votes}", "--format", "votes", "--normalize-answers"),
        {"PATH": ("votes", TABLE)},
        ("labels.csv", "annotators.csv", "annotators.json", "summary.json"),
        label_cases=(),
    ),
    # the same LLM samples parsed to their option letters ("(B)" and "B." are B), unparsed answers dropped
    "aggregate/votes_parse": Spec(
        ("aggregate", "{votes}", "--format", "votes", "--parse-answers", "multiple-choice", "--unparsed", "drop"),
        {"PATH": ("votes", TABLE)},
        ("labels.csv", "annotators.csv", "annotators.json", "summary.json"),
        label_cases=(),
    ),
    "aggregate-pairs": Spec(
        ("aggregate-pairs", "{pairs}", "--method", "noisy-bt", "--winner-column", "winner"),
        {"PAIRS": ("pairs", TABLE)},
        ("scores.csv", "annotators.csv", "summary.json"),
        columns={
            "--left-column": "pairs",
            "--right-column": "pairs",
            "--winner-column": "pairs",
            "--annotator-column": "pairs",
        },
        label=("--winner-column", "pairs"),
        label_cases=("nan", "one_class"),
        bad_values=(("--scheduler", "nope"),),
    ),
    "aggregate-texts": Spec(
        ("aggregate-texts", "{text_answers}", "--method", "hrrasa", "--text-column", "text"),
        {"ANSWERS": ("text_answers", TABLE)},
        ("texts.csv", "annotators.csv", "summary.json"),
        columns={
            "--item-column": "text_answers",
            "--annotator-column": "text_answers",
            "--text-column": "text_answers",
        },
        label=("--text-column", "text_answers"),
        label_cases=("nan",),  # one answer, or one text for all, is a valid (trivial) input
    ),
    "aggregate-numbers": Spec(
        ("aggregate-numbers", "{numbers}", "--value-column", "value"),
        {"ANSWERS": ("numbers", TABLE)},
        ("values.csv", "annotators.csv", "summary.json"),
        columns={"--item-column": "numbers", "--annotator-column": "numbers", "--value-column": "numbers"},
        # a value column all NaN is refused; one answer, or one value for all, is a valid (tiny) crowd
        label=("--value-column", "numbers"),
        label_cases=("nan",),
    ),
    "aggregate-numbers/robust": Spec(
        ("aggregate-numbers", "{numbers}", "--method", "robust", "--df", "3", "--duplicates", "mean"),
        {"ANSWERS": ("numbers", TABLE)},
        ("values.csv", "annotators.csv", "summary.json"),
        label_cases=(),
        # --df is read by robust only: with another method it is refused naming --df (test_aggregate_numbers_options_cli.py)
        bad_values=(("--df", "0"), ("--df", "inf")),
    ),
    "aggregate/next": Spec(
        (
            "aggregate",
            "{next_answers}",
            "--probs",
            "{agg_probs}",
            "--next",
            "5",
            "--unlabeled-probs",
            "{agg_unlabeled}",
        ),
        {"--unlabeled-probs": ("agg_unlabeled", NPY)},
        ("labels.csv", "annotators.csv", "annotators.json", "summary.json", "next_to_label.csv"),
        label_cases=(),
        bad_values=(("--temperature", "0"), ("--temperature", "hot")),
    ),
    # --probs and --unlabeled-probs repeated (an ensemble): the second of each gets the bad files
    "aggregate/next_ensemble": Spec(
        ("aggregate", "{next_answers}", "--probs", "{agg_probs}", "--probs", "{agg_probs_b}", "--next", "5")
        + ("--unlabeled-probs", "{agg_unlabeled}", "--unlabeled-probs", "{agg_unlabeled_b}"),
        {"--probs": ("agg_probs_b", NPY), "--unlabeled-probs": ("agg_unlabeled_b", NPY)},
        ("labels.csv", "annotators.csv", "annotators.json", "summary.json", "next_to_label.csv"),
        label_cases=(),
    ),
    "aggregate-tags": Spec(
        ("aggregate-tags", "{tag_answers}", "--tags-column", "tags", "--method", "majority-vote"),
        {"ANSWERS": ("tag_answers", TABLE)},
        ("labels.csv", "probs.csv", "annotators.csv", "summary.json"),
        columns={"--item-column": "tag_answers", "--annotator-column": "tag_answers", "--tags-column": "tag_answers"},
        label=("--tags-column", "tag_answers"),
        # one row, or one tag set everywhere, is a valid multi-label table; no tag at all is refused
        label_cases=("nan",),
        bad_values=(
            ("--param", "max_iter"),
            ("--param", "no_such_param=1"),
            ("--tag-separator", ""),
            ("--tag-separator", " | "),
            ("--tag-separator", ","),
            ("--scheduler", "nope"),
        ),
    ),
    "weak": Spec(
        ("weak", "{lfs}", "{texts}", "--id-column", "id", "--model", "dawid-skene", "--quiet"),
        {"LFS": ("lfs", PYTHON), "DATA": ("texts", TABLE)},
        ("labels.csv", "votes.csv", "analysis.csv", "summary.json"),
        columns={"--text-column": "texts", "--id-column": "texts", "--gold-column": "texts"},
        label_cases=(),
        bad_values=(("--classes", "spam"),),
        # the error names the function of LFS whose answer is outside --classes, the row and the classes
        also_named={"--classes=spam": "labeling function"},
    ),
    # the label model's own options (--no-lured-items: its lured-item mixture off; --spectral-start: on)
    "weak/label-model": Spec(
        ("weak", "{lfs}", "{texts}", "--id-column", "id", "--no-lured-items", "--spectral-start", "--quiet"),
        {"LFS": ("lfs", PYTHON), "DATA": ("texts", TABLE)},
        ("labels.csv", "votes.csv", "analysis.csv", "labelers.json", "summary.json"),
        label_cases=(),
    ),
    "slices": Spec(
        ("slices", "{sfs}", "{slice_data}", "--label", "y", "--pred", "p", "--issues", "{audit}", "--n-bootstrap", "5"),
        {"SFS": ("sfs", PYTHON), "DATA": ("slice_data", TABLE), "--issues": ("audit", AUDIT)},
        ("slices.csv", "membership.parquet", "summary.json"),
        columns={"--label": "slice_data", "--pred": "slice_data", "--id-column": "slice_data"},
        label=("--label", "slice_data"),
        # one row or one class is a valid table to slice; no label at all is refused
        label_cases=("nan",),
        bad_values=(("--metrics", "no_such_metric"), ("--metrics", "average_precision")),
    ),
    "slices/predictions": Spec(
        ("slices", "{sfs}", "{data}", "--label", "y", "--predictions", "{slice_preds}", "--n-bootstrap", "0"),
        {"--predictions": ("slice_preds", NPY)},
        ("slices.csv", "membership.parquet", "summary.json"),
        label_cases=(),
    ),
    "augment": Spec(
        ("augment", "{tfs}", "{data}", "--policy", "random", "--n-per-original", "2", "--sequence-length", "2"),
        {"TFS": ("tfs", PYTHON), "DATA": ("data", TABLE)},
        ("augmented.csv", "summary.json"),
        columns={"--id-column": "data"},
        label_cases=(),
        # --p with another policy than mean-field, or probabilities not summing to 1, or not numbers
        bad_values=(("--p", "0.5,0.5"),),
    ),
    "augment/mean-field": Spec(
        ("augment", "{tfs}", "{data}", "--policy", "mean-field", "--p", "0.3,0.7", "--no-keep-original"),
        {},
        ("augmented.csv", "summary.json"),
        label_cases=(),
        bad_values=(("--p", "0.5,0.6"), ("--p", "x,y"), ("--p", "1"), ("--sequence-length", "0")),
    ),
    "train": Spec(
        ("train", "{data}", "--label", "y", "--model", "logistic", "--cv", "2", "--no-evaluate"),
        {"DATA": ("data", TABLE)},
        ("model.joblib", "issues.csv", "summary.json"),
        columns={"--label": "data", "--weight": "data"},
        label=("--label", "data"),
    ),
    "train-crowds": Spec(
        ("train-crowds", "{data}", "{answers}", "--cv", "2", "--max-iter", "3"),
        {"DATA": ("data", TABLE), "ANSWERS": ("answers", TABLE)},
        ("model.joblib", "soft_labels.csv", "confusions.csv", "summary.json"),
        columns={
            "--item-column": "answers",
            "--annotator-column": "answers",
            "--label-column": "answers",
            "--id-column": "data",
        },
        label=("--label-column", "answers"),
        bad_values=(("--cv", "1"), ("--smoothing", "x"), ("--smoothing", "-1"), ("--smoothing", "nan")),
    ),
    "train-tags": Spec(
        ("train-tags", "{data}", "--label", "y", "--cv", "2"),
        {"DATA": ("data", TABLE)},
        ("model.joblib", "issues.csv", "classes.csv", "summary.json"),
        columns={"--label": "data"},
        label=("--label", "data"),
        bad_values=(("--tag-separator", ""), ("--tag-separator", ",")),
    ),
    "pseudolabel": Spec(
        ("pseudolabel", "{partial}", "--label", "y", "--model", "logistic", "--selection", "threshold"),
        {"DATA": ("partial", TABLE)},
        ("pseudolabeled.csv", "summary.json", "model.joblib"),
        columns={"--label": "partial", "--weight": "partial"},
        label=("--label", "partial"),
    ),
    "evaluate": Spec(
        ("evaluate", "{preds}", "--labels", "{test}", "--corrections", "{changes}", "--seeds", "1"),
        {"PREDICTIONS": ("preds", FOLDER), "--labels": ("test", TABLE), "--corrections": ("changes", TABLE)},
        ("table.csv", "curve.csv", "crossovers.csv", "summary.json", "evaluation.html"),
        columns={"--label-column": "test"},
        label=("--label-column", "test"),
        label_cases=("nan", "one_row"),
        # --classes a,b leaves the test labels 0, 1, 2 out: the line names them
        bad_values=(("--metric", "no_such_metric"), ("--metric", "fbeta_score"), ("--classes", "a,b")),
    ),
    "evaluate/human-counts": Spec(
        ("evaluate", "{preds}", "--labels", "{test}", "--human-counts", "{counts}", "--seeds", "1"),
        {"--human-counts": ("counts", NPY)},
        ("table.csv", "curve.csv", "crossovers.csv", "summary.json", "evaluation.html"),
        label_cases=(),
    ),
    "rank-agreement": Spec(
        ("rank-agreement", "{runs}", "--qrels", "{qrels_a}", "--qrels", "{qrels_b}", "--n-boot", "0"),
        {"RUN_DIR": ("runs", FOLDER), "--qrels": ("qrels_b", TEXT)},
        ("systems.csv", "topics_a.csv", "topics_b.csv", "agreement.csv", "agreement.html", "summary.json"),
        label_cases=(),
        bad_values=(("--measure", "no_such_measure"),),
    ),
    "aggregate-masks": Spec(
        ("aggregate-masks", "{masks}", "--max-iter", "5"),
        {"TABLE": ("masks", TABLE)},
        ("masks", "items.csv", "annotators.csv", "summary.json"),
        columns={"--item-column": "masks", "--annotator-column": "masks", "--path-column": "masks"},
        label_cases=(),
        bad_values=(("--prior", "x"), ("--prior", "1.5"), ("--prior", "0")),
    ),
    "aggregate-masks/em-ignore": Spec(
        ("aggregate-masks", "{masks}", "--method", "em", "--ignore-value", "-1"),
        {"TABLE": ("masks", TABLE)},
        ("masks", "items.csv", "annotators.csv", "summary.json"),
        label_cases=(),
        bad_values=(("--ignore-value", "1"), ("--ignore-value", "0")),  # a class of em's 0/1 masks
    ),
    "aggregate-masks/weights": Spec(
        ("aggregate-masks", "{masks}", "--method", "majority", "--weights", "{mask_weights}"),
        {"TABLE": ("masks", TABLE), "--weights": ("mask_weights", TABLE)},
        ("masks", "items.csv", "annotators.csv", "summary.json"),
        label_cases=(),
    ),
    "aggregate-boxes": Spec(
        ("aggregate-boxes", "{boxes}", "--labeled", "{box_labeled}"),
        {"BOXES": ("boxes", TABLE), "--labeled": ("box_labeled", TABLE)},
        ("boxes.csv", "annotators.csv", "summary.json"),
        columns={
            "--image-column": "boxes",
            "--annotator-column": "boxes",
            "--label-column": "boxes",
            "--x-min-column": "boxes",
            "--y-min-column": "boxes",
            "--x-max-column": "boxes",
            "--y-max-column": "boxes",
        },
        label_cases=(),
    ),
    "aggregate-boxes/coco": Spec(
        ("aggregate-boxes", "{coco_a}", "{coco_b}", "--coco", "--method", "wbf"),
        {"BOXES": ("coco_a", TEXT)},
        ("boxes.csv", "boxes.coco.json", "summary.json"),
        label_cases=(),
        bad_values=(("--annotator-names", "a,b,c"), ("--annotator-names", "x,x"), ("--images", "no-such-folder")),
    ),
    "aggregate-boxes/wbf": Spec(
        ("aggregate-boxes", "{boxes}", "--method", "wbf", "--score-column", "score"),
        {"BOXES": ("boxes", TABLE)},
        ("boxes.csv", "summary.json"),
        columns={"--score-column": "boxes"},
        label_cases=(),
    ),
    "shift": Spec(
        (
            "shift",
            "--train-probs",
            "{train_probs}",
            "--train-labels",
            "{train_labels}",
            "--target-probs",
            "{target_probs}",
            "--n-boot",
            "0",
            "--calibration",
            "none",
        ),
        {
            "--train-probs": ("train_probs", NPY),
            "--train-labels": ("train_labels", NPY),
            "--target-probs": ("target_probs", NPY),
        },
        ("priors.csv", "adapted_probs.npy", "summary.json"),
        label_cases=(),
    ),
    "shift/source-prior": Spec(
        (
            "shift",
            "--train-probs",
            "{train_probs}",
            "--train-labels",
            "{train_labels}",
            "--target-probs",
            "{target_probs}",
            "--n-boot",
            "0",
            "--calibration",
            "none",
            "--source-prior",
            "labels",
        ),
        {
            "--train-probs": ("train_probs", NPY),
            "--train-labels": ("train_labels", NPY),
            "--target-probs": ("target_probs", NPY),
        },
        ("priors.csv", "adapted_probs.npy", "summary.json"),
        label_cases=(),
    ),
    "label-shift": Spec(
        ("label-shift", "--train-labels", "{train_txt}", "--eval-labels", "{eval_txt}"),
        {"--train-labels": ("train_txt", TEXT), "--eval-labels": ("eval_txt", TEXT)},
        ("familiarity.csv", "summary.json"),
        label_cases=(),
    ),
    "robustness": Spec(
        ("robustness", "{binary}", "--label", "y", "--attacks", "random", "--budgets", "0.1"),
        {"DATA": ("binary", TABLE)},
        ("robustness.csv", "robustness.png", "summary.json"),
        columns={"--label": "binary"},
        label=("--label", "binary"),
        bad_values=(
            ("--attacks", "nope"),
            ("--budgets", "x"),
            ("--budgets", "1.5"),
            ("--models", "nope"),
            ("--gamma", "x"),
            ("--gamma", "-1"),
        ),
    ),
    "robustness/ids": Spec(
        ("robustness", "{binary}", "--label", "y", "--id-column", "a", "--attacks", "random", "--budgets", "0.1"),
        {"DATA": ("binary", TABLE)},
        ("robustness.csv", "robustness.png", "summary.json"),
        columns={"--label": "binary", "--id-column": "binary"},
        bad_values=(("--id-column", "y"),),
    ),
    "detect-poison": Spec(
        ("detect-poison", "{data}", "--label", "y"),
        {"DATA": ("data", TABLE)},
        ("flags.csv", "classes.csv", "summary.json"),
        columns={"--label": "data"},
        label=("--label", "data"),
        label_cases=("nan", "one_row"),  # one class is a use: the rows of the class a backdoor targets
    ),
    "detect-poison/ids": Spec(
        ("detect-poison", "{data}", "--label", "y", "--id-column", "a"),
        {"DATA": ("data", TABLE)},
        ("flags.csv", "classes.csv", "summary.json"),
        columns={"--label": "data", "--id-column": "data"},
        bad_values=(("--id-column", "y"),),
    ),
    "detect-poison/features": Spec(
        ("detect-poison", "{data}", "--label", "y", "--features", "{probs}", "--detector", "activation-clustering"),
        {"DATA": ("data", TABLE), "--features": ("probs", NPY)},
        ("flags.csv", "classes.csv", "summary.json"),
        columns={"--label": "data"},
    ),
    "detect-poison/roni": Spec(
        ("detect-poison", "{data}", "--label", "y", "--detector", "roni", "--trusted", "{trusted}", "--n-base", "8"),
        {"DATA": ("data", TABLE), "--trusted": ("trusted", TABLE)},
        ("flags.csv", "classes.csv", "summary.json"),
        columns={"--label": "data"},
        bad_values=(("--n-base", "25"),),  # 25 + 10 calibration rows leave no quiz row of the 30
    ),
    "detect-poison/provenance": Spec(
        ("detect-poison", "{data}", "--label", "y", "--detector", "provenance", "--source-column", "a")
        + ("--trusted", "{trusted}"),  # without --trusted a source of one row holds out nothing
        {"DATA": ("data", TABLE), "--trusted": ("trusted", TABLE)},
        ("flags.csv", "classes.csv", "sources.csv", "summary.json"),
        columns={"--label": "data", "--source-column": "data"},
        bad_values=(("--source-column", "y"),),
    ),
    "detect-poison/provenance-independent": Spec(
        ("detect-poison", "{data}", "--label", "y", "--detector", "provenance", "--source-column", "a")
        + ("--trusted", "{trusted}", "--order", "independent", "--model", "svc"),
        {"DATA": ("data", TABLE), "--trusted": ("trusted", TABLE)},
        ("flags.csv", "classes.csv", "sources.csv", "summary.json"),
        columns={"--label": "data", "--source-column": "data"},
    ),
    "detect-poison/reclassify": Spec(
        ("detect-poison", "{data}", "--label", "y", "--detector", "activation-clustering", "--analysis", "distance")
        + ("--reclassify", "--reclassify-threshold", "0.5"),
        {"DATA": ("data", TABLE)},
        ("flags.csv", "classes.csv", "summary.json"),
        columns={"--label": "data"},
    ),
    "report": Spec(
        ("report", "{audit}", "--out", "{out}"),
        {"OUT_DIR": ("audit", AUDIT)},
        ("report.html",),
        label_cases=(),
        bad_values=(("--top", "-1"),),
        out_kind="file",
    ),
    "review": Spec(
        ("review", "{audit}", "--port", "0", "--reviewer", "ann"),
        {"OUT_DIR": ("audit", AUDIT)},
        (),
        label_cases=(),
        bad_values=(("--host", "not a host"), ("--host", "")),
        out_kind="none",
    ),
    "corrupt": Spec(
        (
            "corrupt",
            "{data}",
            "--label",
            "y",
            "--rate",
            "0.2",
            "--out",
            "{out}",
            "--force",
        ),  # --force: rerun over itself
        {"DATA": ("data", TABLE)},
        ("noisy.csv", "noisy.truth.csv", "noisy.summary.json"),
        columns={"--label": "data"},
        label=("--label", "data"),
        bad_values=(("--rate", "1.5"), ("--rate", "0.7"), ("--truth-column", "a"), ("--frac-zero", "0.1")),
        out_kind="file",
    ),
    "corrupt/instance": Spec(
        ("corrupt", "{data}", "--label", "y", "--noise", "instance", "--probs", "{probs}", "--rate", "0.1")
        + ("--sharpness", "2", "--id-column", "b", "--out", "{out}", "--force"),
        {"DATA": ("data", TABLE), "--probs": ("probs", NPY)},
        ("noisy.csv", "noisy.truth.csv", "noisy.summary.json"),
        columns={"--label": "data", "--id-column": "data"},
        label_cases=(),
        bad_values=(("--sharpness", "0"), ("--id-column", "y")),
        out_kind="file",
    ),
    "corrupt/multilabel": Spec(
        ("corrupt", "{data}", "--task", "multilabel", "--label", "y", "--rate", "0.2", "--out", "{out}", "--force"),
        {"DATA": ("data", TABLE)},
        ("noisy.csv", "noisy.truth.csv", "noisy.summary.json"),
        columns={"--label": "data"},
        label_cases=(),
        bad_values=(
            ("--rate", "1.5"),
            ("--drop-rate", "0.1"),
            ("--noise", "pair"),
            ("--tag-separator", ","),
            ("--tag-separator", "a\nb"),
        ),
        out_kind="file",
    ),
    "corrupt/backdoor": Spec(
        ("corrupt", "{data}", "--label", "y", "--noise", "backdoor", "--target", "u", "--image-shape", "2,1")
        + ("--trigger", "pixel", "--trigger-distance", "1", "--rate", "0.2", "--out", "{out}", "--force"),
        {"DATA": ("data", TABLE)},
        ("noisy.csv", "noisy.truth.csv", "noisy.summary.json"),
        columns={"--label": "data"},
        label_cases=(),
        bad_values=(
            ("--target", "nope"),
            ("--source", "nope"),
            ("--source", "u"),
            ("--image-shape", "2,2"),
            ("--pixel-prefix", "zz"),
            ("--trigger-distance", "2"),
        ),
        out_kind="file",
    ),
    "export": Spec(
        ("export", "{audit}", "--out", "{out}"),
        {"OUT_DIR": ("audit", AUDIT)},
        ("cleaned.csv", "cleaned.changes.csv"),
        label_cases=(),
        out_kind="file",
    ),
    # text39: the off side of the on/off flag on a table of numbers (accepted: off is the automatic choice there)
    "audit/texts_must_match": Spec(
        (
            "audit",
            "{data}",
            "--label",
            "y",
            "--probs",
            "{probs}",
            "--no-texts-must-match",
            "--checks",
            "near_duplicate",
        ),
        {},
        _AUDIT_OUT,
        label_cases=(),
        # the flag beside checks that read no texts is refused, the line naming --checks
        bad_values=(("--checks", "label"),),
    ),
}

#: Options whose every value is meaningful, so the sweep has no bad value for them.
FREE_OPTIONS: dict[tuple[str, str], str] = {
    ("audit", "--labels"): "needs --probs without DATA: covered by tests/cli/test_audit_cli.py",
    ("audit", "--predictions"): "--task regression / detection only: covered by test_audit_tasks_cli.py",
    ("aggregate", "--unsure"): "any label value may mean 'unsure'",
    ("pseudolabel", "--unlabeled-value"): "any label value may mark unlabeled rows",
    ("shift", "--train-label-column"): "names a column of a --train-labels table (the sweep's is .npy): "
    "covered by tests/cli/test_gaps38b_shift_label_tables.py",
    ("label-shift", "--train-label-column"): "names a column of a --train-labels table (the sweep's is text): "
    "covered by tests/cli/test_gaps38b_shift_label_tables.py",
    ("label-shift", "--eval-label-column"): "names a column of an --eval-labels table (the sweep's is text): "
    "covered by tests/cli/test_gaps38b_shift_label_tables.py",
    ("review", "--reviewer"): "any name",
    ("export", "--label-studio"): "an output file like --out; an existing one is refused (test_export_cli.py)",
    (
        "corrupt",
        "--matrix",
    ): "a noise matrix table: its bad files and contents in tests/cli/test_corrupt_options_cli.py",
    (
        "corrupt",
        "--tag-rates",
    ): "a table of per-tag rates: its bad files and contents in tests/cli/test_corrupt_multilabel_cli.py",
}

#: Commands the sweep does not run, with the reason.
NOT_COVERED: dict[str, str] = {}

FREE_OPTIONS[("aggregate-masks", "--ignore-value")] = (
    "any integer that is no class may mark unlabelled pixels (0 and 1 are refused with em and rasa: the "
    "aggregate-masks/em-ignore spec): tests/cli/test_walk39_mask_ignore_cli.py, test_aggregate_masks_ignore_cli.py"
)

# The task audits' ids and token tables (session 48): --id-column of a multilabel table, and --task token reading
# DATA as a long token table (here one token per sentence: the sweep's table has distinct b values).
SPECS["audit/multilabel_ids"] = Spec(
    ("audit", "{data}", "--task", "multilabel", "--label", "y", "--probs", "{probs}", "--id-column", "a"),
    {},
    ("issues.csv", "classes.csv", "summary.json"),
    columns={"--id-column": "data"},
    label_cases=(),
)
SPECS["audit/token_table"] = Spec(
    ("audit", "{data}", "--task", "token", "--label", "y", "--sentence-column", "b", "--token-column", "a")
    + ("--probs", "{probs}"),
    {"DATA": ("data", TABLE)},
    ("issues.csv", "sentences.csv", "summary.json"),
    columns={"--sentence-column": "data", "--token-column": "data"},
    label_cases=(),
)

# The data checks at scale (session 49): --checks with --scheduler runs them on DATA's columns (a CSV read in
# memory here; Parquet parts on Dask: tests/cli/test_audit_checks_scale_cli.py) or on --features.
SPECS["audit/scale_checks"] = Spec(
    ("audit", "{data}", "--label", "y", "--probs", "{probs}", "--scheduler", "synchronous")
    + ("--checks", "outlier,null", "--k", "3", "--no-report"),
    {"DATA": ("data", TABLE)},
    ("issues.parquet", "summary.json"),
    label_cases=(),
    bad_values=(("--checks", "no_such_check"), ("--checks", "dark")),
)
SPECS["audit/scale_features"] = Spec(
    ("audit", "{data}", "--label", "y", "--probs", "{probs}", "--scheduler", "synchronous")
    + ("--features", "{emb}", "--checks", "outlier", "--no-report"),
    {"--features": ("emb", NPY)},
    ("issues.parquet", "summary.json"),
    label_cases=(),
    bad_values=(("--checks", "label"),),
)

# The classification audit's --id-column (session 49): DATA's column a (distinct values) as the ids, the label
# column refused as ids.
SPECS["audit/ids"] = Spec(
    ("audit", "{data}", "--label", "y", "--probs", "{probs}", "--id-column", "a", "--checks", "label", "--no-report"),
    {},
    _AUDIT_OUT,
    columns={"--label": "data", "--id-column": "data"},
    label_cases=(),
    bad_values=(("--id-column", "y"),),
)
# --id-column at scale (session 50): the ids written into issues.parquet after row; DATA is a CSV read in memory
# here (Parquet parts on Dask: tests/cli/test_audit_scale_ids_cli.py).
SPECS["audit/scale_ids"] = Spec(
    ("audit", "{data}", "--label", "y", "--probs", "{probs}", "--scheduler", "synchronous", "--id-column", "a")
    + ("--no-report",),
    {},
    ("issues.parquet", "summary.json"),
    columns={"--label": "data", "--id-column": "data"},
    label_cases=(),
    bad_values=(("--id-column", "y"),),
)
