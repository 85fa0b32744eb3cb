"""What each page's examples assume the user already has: files in the folder, names in Python.

``SETUPS[page]`` is a list of ``(anchor, setup)``: before a Python block whose text contains
``anchor``, or before a command whose line contains it, ``setup(folder, namespace)`` runs; it
writes stand-in files and may put the user's own variables (``X``, ``y``, a fitted model) into
the page's namespace. Nothing here changes what an example itself does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from tests.docs import _files as f
from tests.docs import _more_files as m

Setup = Callable[[Path, dict], None]


def _augment_files(folder: Path, ns: dict) -> None:
    """tfs.py (the page's two transformation functions), reviews.csv and big.csv (the same rows: the
    streamed example's table)."""
    (folder / "tfs.py").write_text(
        "from labelwise.weak import transformation_function\n\n"
        "@transformation_function()\n"
        "def shout(row):\n"
        "    row.text = row.text.upper()\n"
        "    return row\n\n"
        "@transformation_function(vectorized=True)\n"
        "def drop_last_word(df):\n"
        "    long = df[df.text.str.count(' ') >= 2]\n"
        "    return long.assign(text=long.text.str.rsplit(' ', n=1).str[0])\n"
    )
    reviews = pd.DataFrame({"text": ["a great movie", "bad", "so bad it is great"], "label": [1, 0, 0]})
    reviews.to_csv(folder / "reviews.csv", index=False)
    reviews.to_csv(folder / "big.csv", index=False)


def _frame(folder: Path, ns: dict) -> None:
    ns["frame"] = pd.read_csv(folder / "data.csv")


def _tasks(folder: Path, ns: dict) -> None:
    # The block names both the multi-label tags and the token tags ``tags``: one list serves both.
    token = f.token_files(folder)
    ns.update(f.multilabel_files(folder, names=token["tags"]))
    ns.update(sentence_tags=token["sentence_tags"], sentence_probs=token["sentence_probs"])
    ns.update(f.segmentation_files(folder))
    ns.update(f.regression_data())
    ns.update(f.detection_files(folder))


def _multilabel_table(folder: Path, ns: dict) -> None:
    """photos.csv (a ``tags`` column of "cat|dog") and probs.csv: the per-tag probabilities, header owl,cat,dog."""
    files = f.multilabel_files(folder, names=("cat", "dog", "owl"))
    pd.read_csv(folder / "tags.csv").to_csv(folder / "photos.csv", index=False)
    pd.DataFrame(files["probs"], columns=files["tags"])[["owl", "cat", "dog"]].to_csv(folder / "probs.csv", index=False)


def _predictions_table(folder: Path, _: dict) -> None:
    """houses.csv (``id`` and the ``price`` target, a few wrong) and predictions.csv (``id``, ``prediction``)."""
    data = f.regression_data()
    ids = np.arange(len(data["y"])) + 1000
    pd.DataFrame({"id": ids, "price": data["y"]}).to_csv(folder / "houses.csv", index=False)
    pd.DataFrame({"id": ids, "prediction": data["oof_predictions"]}).to_csv(folder / "predictions.csv", index=False)


def _boxes(folder: Path, ns: dict) -> None:
    """Four annotators' boxes of 30 images as boxes.csv and detections.csv, and who saw what (assignments.csv)."""
    from labelwise.aggregate.boxes import simulate_boxes

    sim = simulate_boxes(30, 4, n_spammers=1, random_state=0)
    sim.boxes.to_csv(folder / "boxes.csv", index=False)
    sim.boxes.to_csv(folder / "detections.csv", index=False)
    sim.labeled.to_csv(folder / "assignments.csv", index=False)


def _coco_boxes(folder: Path, ns: dict) -> None:
    """Three models' detections (model_a/b/c.json) and three annotators' labels files (alice/bob/carol.json)."""
    import json

    from labelwise.aggregate.boxes import simulate_boxes

    sim = simulate_boxes(20, 3, random_state=0)
    images = [{"id": i, "width": 640, "height": 480} for i in range(20)]
    for k, (model, person) in enumerate([("model_a", "alice"), ("model_b", "bob"), ("model_c", "carol")]):
        drawn = sim.boxes[sim.boxes.annotator == f"a{k}"]
        records = [
            {"image_id": int(r.image), "category_id": int(r.label[1:]), "score": float(r.score),
             "bbox": [r.x_min, r.y_min, r.x_max - r.x_min, r.y_max - r.y_min]}
            for r in drawn.itertuples()
        ]  # fmt: skip
        (folder / f"{model}.json").write_text(json.dumps(records))
        labels = [{k: v for k, v in r.items() if k != "score"} for r in records]
        (folder / f"{person}.json").write_text(json.dumps({"images": images, "annotations": labels}))


def _mask_weights(folder: Path, ns: dict) -> None:
    """annotator_weights.csv: a weight for each annotator of masks.csv (``ann0`` .. ``ann3``)."""
    pd.DataFrame({"annotator": [f"ann{j}" for j in range(4)], "weight": [0.5, 2.0, 1.0, 1.0]}).to_csv(
        folder / "annotator_weights.csv", index=False
    )


def _crowd_masks(folder: Path, ns: dict) -> None:
    """Crowd masks of six images (``img-2`` .. ``img-7``): in Python, and as masks.csv listing .npy files."""
    from labelwise.aggregate._masks_simulate import simulate_masks

    drawn, _ = simulate_masks(6, 32, 4, missing=0.1, random_state=0)
    ns["masks"] = {f"img-{i + 2}": per for i, per in drawn.items()}
    (folder / "crowd_masks").mkdir(exist_ok=True)
    rows = []
    for item, per in ns["masks"].items():
        for annotator, mask in per.items():
            np.save(folder / "crowd_masks" / f"{item}_{annotator}.npy", mask)
            rows.append((item, f"ann{annotator}", f"crowd_masks/{item}_{annotator}.npy"))
    pd.DataFrame(rows, columns=["item", "annotator", "path"]).to_csv(folder / "masks.csv", index=False)
    rng = np.random.default_rng(1)  # label maps of classes 0-3 (background and three organs)
    truth = np.zeros((24, 24), dtype=np.uint8)
    truth[2:10, 3:12], truth[12:20, 4:14], truth[6:18, 15:21] = 1, 2, 3
    ns["label_maps"] = {
        f"scan-{i}": {
            f"ann{j}": np.where(rng.random(truth.shape) < 0.85, truth, rng.integers(0, 4, truth.shape)).astype(np.uint8)
            for j in range(3)
        }
        for i in range(2)
    }
    rows = []
    for item, per in ns["label_maps"].items():
        for annotator, labels in per.items():
            np.save(folder / "crowd_masks" / f"{item}_{annotator}.npy", labels)
            rows.append((item, annotator, f"crowd_masks/{item}_{annotator}.npy"))
    pd.DataFrame(rows, columns=["item", "annotator", "path"]).to_csv(folder / "organs.csv", index=False)


def _checks(folder: Path, ns: dict) -> None:
    frame = f.table(n=200, duplicate=(3, 150))
    ns["X"] = frame[["x1", "x2", "x3"]].to_numpy()
    ns["y"] = frame["species"].to_numpy()
    ns["oof"] = f.oof_probs(ns["y"])
    ns["split"] = frame["split"].to_numpy()


def _embeddings(folder: Path, ns: dict) -> None:
    f.data_csv(folder)
    rng = np.random.default_rng(0)
    np.save(folder / "emb.npy", rng.normal(size=(90, 16)).astype(np.float32))


def _sampler(folder: Path, ns: dict) -> None:
    ns["epoch"] = 0


def _weak_python(folder: Path, ns: dict) -> None:
    frame = pd.read_csv(folder / "data.csv")
    ns["df"] = frame
    ns["X"] = frame[["x1", "x2", "x3"]].to_numpy()
    from sklearn.linear_model import LogisticRegression

    ns["clf"] = LogisticRegression()


def _binary(folder: Path, ns: dict) -> None:
    from sklearn.datasets import make_moons

    X, y = make_moons(80, noise=0.2, random_state=0)
    ns.update(X=X, y=y, oof_probs=f.oof_probs(y))


def _unlabeled(folder: Path, ns: dict) -> None:
    frame = f.table()
    frame.loc[frame.index % 3 == 0, "y"] = ""
    frame.to_csv(folder / "data.csv", index=False)


def _robust_python(folder: Path, ns: dict) -> None:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(0)
    noisy_y = np.where(rng.random(y.size) < 0.1, (y + 1) % 3, y)
    ns.update(X=X, y=y, noisy_y=noisy_y, y_with_minus_one=np.where(rng.random(y.size) < 0.7, -1, y))
    ns["student"] = LogisticRegression(max_iter=500)


def _evaluate_python(folder: Path, ns: dict) -> None:
    rng = np.random.default_rng(0)
    y_test = rng.integers(0, 3, 200)
    y_fixed = y_test.copy()
    y_fixed[:20] = (y_fixed[:20] + 1) % 3
    ns.update(y_test=y_test, y_fixed=y_fixed, p1=f.oof_probs(y_test, 1), p2=f.oof_probs(y_fixed, 2))
    ns["scores_a"] = pd.Series({"bm25": 0.41, "dense": 0.52, "hybrid": 0.55})
    ns["scores_b"] = pd.Series({"bm25": 0.45, "dense": 0.50, "hybrid": 0.58})
    _shift_python(folder, ns)
    ns["train_types"] = ["person"] * 5 + ["city"] * 3
    ns["eval_types"] = ["person", "location"]


def _shift_python(folder: Path, ns: dict) -> None:
    from sklearn.linear_model import LogisticRegression

    ns.update(m.shift_arrays())
    rng = np.random.default_rng(0)
    y_val = rng.integers(0, 3, 300)
    X_val = rng.normal(size=(300, 2)) + y_val[:, None]
    y_target = rng.choice(3, 200, p=[0.6, 0.3, 0.1])
    ns.update(X_val=X_val, y_val=y_val, X_target=rng.normal(size=(200, 2)) + y_target[:, None])
    y_train = rng.integers(0, 3, 300)
    ns["model"] = LogisticRegression().fit(rng.normal(size=(300, 2)) + y_train[:, None], y_train)


def _corrections(folder: Path, ns: dict) -> None:
    given = ns["given"]
    rng = np.random.default_rng(0)
    rows = rng.choice(len(given), 30, replace=False)
    (folder / "review_out").mkdir(exist_ok=True)
    changes = pd.DataFrame({"row": rows[:20], "action": "relabel", "new_label": (given[rows[:20]] + 1) % 10})
    changes.to_csv(folder / "review_out" / "cleaned.changes.csv", index=False)
    pd.DataFrame({"row": rows, "label": [*((given[rows[:25]] + 1) % 10), *[""] * 5]}).to_csv(
        folder / "fixed.csv", index=False
    )
    counts = np.zeros((len(given), 10), dtype=int)
    counts[np.arange(len(given)), given] = 3
    counts[rows, given[rows]] = 1
    counts[rows, (given[rows] + 1) % 10] = 2
    ns["votes_matrix"] = counts


def _scale_python(folder: Path, ns: dict) -> None:
    from distributed import Client
    from sklearn.linear_model import LogisticRegression

    m.scale_files(folder)
    ns["__cleanup__"].append(Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None).close)
    frame = f.table(n=300)
    ns.update(model=LogisticRegression(), X=frame[["x1", "x2", "x3"]].to_numpy(), y=frame["y"].to_numpy())


def _api(folder: Path, ns: dict) -> None:
    from sklearn.datasets import load_iris

    X, labels = load_iris(return_X_y=True)
    ns.update(X=X, labels=np.array(["setosa", "versicolor", "virginica"])[labels])


def _activelab(folder: Path, ns: dict) -> None:
    """docs/aggregate.md's ActiveLab: answers, the model's probs per item, probs of 10 unanswered items
    (in Python, and as answers.csv, probs.csv and pool.csv for the command)."""
    answers = f.crowd()
    items = np.sort(answers["item"].unique())
    rng = np.random.default_rng(0)
    probs = pd.DataFrame(rng.dirichlet(np.ones(2), len(items)), index=items, columns=["cat", "dog"])
    pool = pd.DataFrame(rng.dirichlet(np.ones(2), 10), index=[f"new{i}" for i in range(10)], columns=["dog", "cat"])
    ns.update(answers=answers, probs=probs, probs_unlabeled=pool)
    answers.to_csv(folder / "answers.csv", index=False)
    probs.rename_axis("item").reset_index().to_csv(folder / "probs.csv", index=False)
    pool.rename_axis("item").reset_index().to_csv(folder / "pool.csv", index=False)


def _activelab_second_model(folder: Path, ns: dict) -> None:
    """docs/aggregate.md's ensemble on the command line: ``_activelab``'s files and a second model's
    probs_b.csv and pool_b.csv."""
    _activelab(folder, ns)
    rng = np.random.default_rng(1)
    for name, frame in (("probs_b", ns["probs"]), ("pool_b", ns["probs_unlabeled"])):
        other = pd.DataFrame(rng.dirichlet(np.ones(2), len(frame)), index=frame.index, columns=frame.columns)
        other.rename_axis("item").reset_index().to_csv(folder / f"{name}.csv", index=False)


def _readme_shapes(folder: Path, ns: dict) -> None:
    """README's other answer shapes: tag_sets.csv, comparisons.csv, masks.csv (with its .npy masks),
    crowd.csv / crowd_probs.csv / pool.csv for ``--next``, boxes.csv / assignments.csv, crowd_texts.csv
    and numbers.csv (names no other README setup writes)."""
    from labelwise.aggregate import simulate_multilabel_crowd
    from labelwise.aggregate._pairwise_sim import simulate_comparisons

    crowd = simulate_multilabel_crowd(40, 4, 8, per_item=3, random_state=0)
    crowd.answers.assign(tags=crowd.answers["tags"].map("|".join)).to_csv(folder / "tag_sets.csv", index=False)
    simulate_comparisons(12, 300, n_annotators=6, random_state=0).pairs.to_csv(folder / "comparisons.csv", index=False)
    _crowd_masks(folder, {})
    scratch = folder / "activelab"
    scratch.mkdir(exist_ok=True)
    _activelab(scratch, {})
    for name, target in (("answers.csv", "crowd.csv"), ("probs.csv", "crowd_probs.csv"), ("pool.csv", "pool.csv")):
        (scratch / name).replace(folder / target)
    scratch.rmdir()
    _boxes(folder, {})
    _text_answers(folder, {})
    _numbers(folder)


def _numbers(folder: Path) -> None:
    """numbers.csv (item, annotator, value): 50 items, three answers each, one annotator 5 too high."""
    rng = np.random.default_rng(0)
    item = np.repeat(np.arange(50), 3)
    annotator = rng.integers(0, 5, item.size)
    value = rng.normal(50, 10, 50)[item] + np.where(annotator == 0, 5.0, 0.0) + rng.normal(size=item.size)
    pd.DataFrame({"item": item, "annotator": [f"w{a}" for a in annotator], "value": value}).to_csv(
        folder / "numbers.csv", index=False
    )


def _vector_answers(folder: Path, ns: dict) -> None:
    """docs/aggregate.md's vectors: a simulated table (item, annotator, answer) and its vectors."""
    from labelwise.aggregate._embed_simulate import simulate_vector_answers

    sim = simulate_vector_answers(30, 6, random_state=0)
    ns.update(answers=sim.answers, vectors=sim.embeddings)


_TEXTS = ["the cat sat on the mat", "the cat sat on a mat", "teh cat sat on the mat", "a dog barked"]


def _text_answers(folder: Path, ns: dict) -> None:
    """docs/aggregate.md's texts: crowd_texts.csv (item, annotator, text), transcripts.csv (question,
    worker, transcript) and the same table as ``answers``."""
    table = pd.DataFrame({"item": np.repeat([1, 2, 3], 4), "annotator": list("abcd") * 3, "text": _TEXTS * 3})
    table.to_csv(folder / "crowd_texts.csv", index=False)
    table.set_axis(["question", "worker", "transcript"], axis=1).to_csv(folder / "transcripts.csv", index=False)
    ns["answers"] = table


def _files_only(writer: Callable[[Path], object]) -> Setup:
    return lambda folder, ns: writer(folder)


README: list[tuple[str, Setup]] = [
    ("audit data.csv --label species", _files_only(f.data_csv)),
    ("audit data.parquet", _files_only(f.audit_with_probs)),
    ("--probs oof.csv", _files_only(f.audit_with_probs_table)),
    ("audit data.csv --label y ", _files_only(f.data_csv)),
    ("infer_column_roles(frame", _frame),
    ("audit tags.csv", _files_only(f.multilabel_files)),
    ("audit corpus.conll", _files_only(f.token_files)),
    ("audit masks/", _files_only(f.segmentation_files)),
    ("--task regression --label price --predictions oof.npy", lambda d, ns: np.save(d / "oof.npy", f.table()["price"])),
    ("audit labels_coco.json", _files_only(f.detection_files)),
    ("multilabel.find_label_issues(tag_lists", _tasks),
    ("--features emb.npy", _embeddings),
    ("found = lw.checks.find_data_issues(features=X", _checks),
    ("labelwise aggregate answers.csv", _files_only(f.annotation_exports)),
    ("labelwise aggregate export.json", _files_only(f.annotation_exports)),
    ("--probs oof.npy          # model + annotators", _files_only(f.crowd_probs)),
    ("--unsure -1", _files_only(f.unsure_answers)),
    ('read_annotations("export.json")', _sampler),
    ("labelwise aggregate-tags tag_sets.csv", _readme_shapes),
    ("labelwise weak lfs.py", _files_only(f.weak_files)),
    ("labelwise slices sfs.py", _files_only(m.slice_files)),
    ("labelwise augment tfs.py reviews.csv", _augment_files),
    ("votes = weak.apply([has_link, is_short], df", _weak_python),
    ("labelwise robustness data.csv", _files_only(f.numeric_csv)),
    ("m = lw.noise.noise_matrix", _binary),
    ("labelwise train data.csv --label y --clean", _files_only(f.data_csv)),
    ("labelwise train-tags tags.csv", lambda folder, ns: _tags_table(folder, ns)),
    ("labelwise pseudolabel", _unlabeled),
    ("CleanClassifier(LogisticRegression(), cv=5", _robust_python),
    ("labelwise evaluate preds/", _files_only(m.evaluation_files)),
    ("labelwise rank-agreement", _files_only(m.trec_files)),
    ("labelwise shift", _files_only(m.shift_files)),
    ("labelwise label-shift", _files_only(m.shift_files)),
    ('corrected_benchmark({"resnet"', _evaluate_python),
    ("labelwise report labelwise-out", _files_only(m.audit_folder)),
    ("labelwise audit --probs probs.npy --labels labels.npy  ", _files_only(m.scale_files)),
    ("import dask.array as da", _scale_python),
    ("result = lw.find_label_issues(labels, probs)", _api),
]


def _tags_table(folder: Path, ns: dict) -> None:
    """docs/robust-semi.md's tags.csv: two features and a tags column (``cat|dog``), a third of the tags missing."""
    rng = np.random.default_rng(0)
    truth = rng.random((150, 2)) < 0.5
    x = rng.normal(size=(150, 2)) + 2.5 * truth
    names = np.array(["cat", "dog"])
    tags = ["|".join(names[row & (rng.random(2) > 0.3)]) for row in truth]
    pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "tags": tags}).to_csv(folder / "tags.csv", index=False)


SETUPS: dict[str, list[tuple[str, Setup]]] = {
    "README.md": README,
    "docs/audit.md": [
        ("audit data.csv", _files_only(f.data_csv)),
        ("data.parquet", _files_only(f.audit_with_probs)),
        ("oof3.npy", _files_only(f.audit_with_unseen_class)),
        ("--probs oof.csv", _files_only(f.audit_with_probs_table)),
    ],
    "docs/aggregate.md": [
        ("labelwise aggregate", _files_only(f.annotation_exports)),
        ("ds = lw.aggregate.DawidSkene().fit(answers)", lambda d, ns: ns.update(answers=ns["crowd"].answers)),
        ("active_learning_scores(answers, probs, probs_unlabeled)", _activelab),
        ("--next 200 --unlabeled-probs pool.csv", _activelab),
        ("--probs probs.csv --probs probs_b.csv", _activelab_second_model),
        ('lw.aggregate.RASA(answer_col="answer").fit(answers, vectors)', _vector_answers),
        ("TextClosestToAverage().fit(answers)", _text_answers),
        ("labelwise aggregate-texts crowd_texts.csv --out texts-out", _text_answers),
        ("labelwise aggregate-boxes boxes.csv", _boxes),
        ("labelwise aggregate-boxes detections.csv", _boxes),
        ("read_coco_boxes([", _coco_boxes),
        ("labelwise aggregate-boxes model_a.json", _coco_boxes),
        ("labelwise aggregate-boxes alice.json", _coco_boxes),
    ],
    "docs/evaluate.md": [
        ('read_corrections("review_out/"', _corrections),
        ("lw.shift.estimate_priors(val_probs", _shift_python),
    ],
    "docs/tasks.md": [
        ("labelwise audit photos.csv --task multilabel", _multilabel_table),
        ("labelwise audit houses.csv --task regression", _predictions_table),
        ('read_conll("train.conll")', lambda d, ns: ns.update(sentence_probs=f.token_files(d)["sentence_probs"])),
        ("segmentation.find_label_issues(masks", lambda d, ns: ns.update(f.segmentation_files(d))),
        ("regression.find_label_issues(y, X=X)", lambda d, ns: ns.update(f.regression_data())),
        ('read_coco("instances_val.json")', _files_only(f.detection_files)),
        ("vote = MaskMajorityVote().fit(masks)", _crowd_masks),
        ("labelwise aggregate-masks masks.csv", _crowd_masks),
        ("organs = STAPLE().fit(label_maps)", _crowd_masks),
        ("em = SegmentationEM().fit(masks)", _crowd_masks),
        ("--weights annotator_weights.csv", _mask_weights),
    ],
    "docs/weak.md": [
        ("labelwise aggregate samples.jsonl", _files_only(f.votes_file)),
        ('read_annotations("samples.jsonl")', _files_only(f.votes_file)),
        ("labelwise weak lfs.py", _files_only(f.weak_files)),
        ("labelwise slices sfs.py", _files_only(m.slice_files)),
        ("labelwise augment tfs.py reviews.csv", _augment_files),
    ],
    "docs/robust-semi.md": [("labelwise train-tags tags.csv", _tags_table)],
}
