"""The files ``labelwise aggregate`` writes (labels, annotators) and its accuracy against a gold table."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np

from .._caller import warn_at_caller
from .._heavy import pandas as pd
from .._validate.arguments import show
from ..errors import AnnotationError, InvalidLabelsError, LabelwiseWarning, MissingColumnError
from ._common import finite, read_input

__all__ = [
    "annotators_frame",
    "annotators_json",
    "auto_line",
    "dependence_line",
    "dependent_rings",
    "finite",
    "fit_summary",
    "gold_accuracy",
    "gold_labels_for",
    "input_record",
    "kos_order",
    "labels_frame",
    "prob_columns",
    "size_summary",
    "vote_entropy",
]


def _as_key(values: Any) -> pd.Index:
    """Ids compared as text, so 7 (from a CSV), 7.0 (a CSV column with gaps) and "7" are one id."""
    series = pd.Series(values)
    if series.dtype.kind == "f" and np.all(np.mod(series.to_numpy(), 1) == 0):
        series = series.astype(np.int64)
    return pd.Index(series.astype(str).to_numpy())


def _gold_columns(names: list[str]) -> list[str]:
    """A gold table's ids and labels, kept as written: ``item`` and ``label``, or its two columns."""
    return ["item", "label"] if {"item", "label"} <= set(names) else (names if len(names) == 2 else [])


def gold_labels_for(path: Path, answers: pd.DataFrame) -> pd.Series:
    """The gold table's labels as a Series indexed by the answers' own item values, labels as the
    answers write them (ids and labels matched as text, as :func:`gold_accuracy` does); gold items
    without answers are left out, a gold label no answer uses is kept as written."""
    gold = _read_gold(path)
    items = pd.Series(answers["item"].to_numpy(), index=_as_key(answers["item"]))
    labels = pd.Series(answers["label"].to_numpy(), index=_as_key(answers["label"]))
    items, labels = (s[~s.index.duplicated()] for s in (items, labels))
    keys = _as_key(gold["item"])
    known = keys.isin(items.index)
    if not known.any():
        raise AnnotationError(
            f"--gold file {str(path)!r} shares no item with the answers ({len(gold)} gold items, e.g. "
            f"{list(keys[:3])}; answer items e.g. {list(items.index[:3])})"
        )
    label_keys = _as_key(gold["label"])[known]
    _check_gold_classes(path, pd.Series(label_keys, index=keys[known]), labels.to_numpy(), warn=False)
    values = [labels.get(key, key) for key in label_keys]
    gold_labels = pd.Series(values, index=pd.Index(items.loc[keys[known]].to_numpy()), dtype=object)
    return gold_labels[~gold_labels.index.duplicated(keep="last")]  # as gold_accuracy: the last row of an item


def _read_gold(path: Path) -> pd.DataFrame:
    """The gold table's item and label columns, rows with a missing value dropped."""
    gold = read_input(path, "--gold", kind="table of true labels", text_columns=_gold_columns)
    if {"item", "label"} <= set(gold.columns):
        gold = gold[["item", "label"]]
    elif gold.shape[1] == 2:
        gold = gold.set_axis(["item", "label"], axis=1)
    else:
        raise MissingColumnError(
            f"--gold file {str(path)!r} must have columns item and label (or exactly two columns); "
            f"found {[str(c) for c in gold.columns]}"
        )
    return gold.dropna()


def gold_accuracy(path: Path, labels: pd.Series, classes: Any = None) -> dict[str, Any]:
    """Accuracy of ``labels`` (indexed by item) against a gold table (item, label).

    With ``classes`` (the answers' classes), gold that names none of them on the items it shares
    with the answers (``"cat "`` for ``"cat"``: every item would count as wrong) is an error, and
    gold labels that are no class are named in a warning.
    """
    gold = _read_gold(path)
    gold_label = pd.Series(_as_key(gold["label"]).to_numpy(), index=_as_key(gold["item"]))
    gold_label = gold_label[~gold_label.index.duplicated(keep="last")]
    ours = pd.Series(_as_key(labels).to_numpy(), index=_as_key(labels.index))
    common = gold_label.index.intersection(ours.index)
    if len(common) == 0:
        raise AnnotationError(
            f"--gold file {str(path)!r} shares no item with the answers ({len(gold_label)} gold items, e.g. "
            f"{list(gold_label.index[:3])}; answer items e.g. {list(ours.index[:3])})"
        )
    if classes is not None:
        _check_gold_classes(path, gold_label.loc[common], classes)
    hits = ours.loc[common].to_numpy() == gold_label.loc[common].to_numpy()
    return {
        "file": str(path),
        "path": str(Path(path).resolve()),  # where labelwise review finds it from any working folder
        "n_gold": int(len(gold_label)),
        "n_matched": int(len(common)),
        "accuracy": float(hits.mean()),
    }


def _check_gold_classes(path: Path, gold: pd.Series, classes: Any, *, warn: bool = True) -> None:
    """An error when no label of ``gold`` (the shared items', as keys) is a class; with ``warn``, a
    warning when some are not."""
    unknown = ~gold.isin(_as_key(list(classes)))
    if not unknown.any():
        return
    shown = sorted(str(c) for c in classes)
    if unknown.all():
        raise AnnotationError(
            f"--gold file {str(path)!r} must give labels that are classes of the answers {shown}; none of its "
            f"labels is (item {gold.index[0]!r} has {gold.iloc[0]!r}); check the spelling, case and spaces"
        )
    if not warn:
        return
    odd = pd.unique(gold[unknown])
    warn_at_caller(
        LabelwiseWarning(
            f"--gold file {str(path)!r} has {len(odd)} label(s) that are no class of the answers "
            f"({[str(v) for v in odd[:5]]}; classes {shown[:10]}): its {int(unknown.sum())} item(s) with them "
            "count as wrong"
        )
    )


def kos_order(est: Any, method: str, declared: list[Any] | None) -> str | None:
    """A notice that ``--method kos`` read more than two text classes in sorted order (its thresholds
    assume ordered classes), when ``--classes`` (``--labels``) did not declare their order; ``None`` otherwise."""
    classes = list(est.classes_)
    if method != "kos" or declared or len(classes) < 3 or not all(isinstance(c, str) for c in classes):
        return None
    return (
        f"kos takes the {len(classes)} classes as ordered, here in sorted order {classes[:10]}"
        f"{' ...' if len(classes) > 10 else ''}; if they have another order (ratings, grades), declare it "
        "with --classes (or --labels), the classes comma-separated in that order"
    )


def dependent_pairs(est: Any) -> list[dict[str, Any]] | None:
    """``summary.json``'s dependent pairs of annotators that Dawid-Skene weighed as one answer
    (``dependent_pairs_``); ``None`` for methods without the check."""
    pairs = getattr(est, "dependent_pairs_", None)
    if pairs is None:
        return None
    return [
        {
            "annotator_a": finite(row.annotator_a),
            "annotator_b": finite(row.annotator_b),
            "n_shared": finite(float(row.n_shared)),
            "agreements": finite(float(row.agreements)),
            "expected": finite(round(float(row.expected), 3)),
            "z": finite(round(float(row.z), 3)),
        }
        for row in pairs.itertuples(index=False)
    ]


def dependent_rings(est: Any) -> list[list[Any]] | None:
    """``summary.json``'s copy rings of annotators whose answers Dawid-Skene weighed as one
    (``dependent_rings_``, each ring's members); ``None`` for methods without the check."""
    rings = getattr(est, "dependent_rings_", None)
    if rings is None:
        return None
    return [[finite(member) for member in ring] for ring in rings]


def dependence_line(summary: dict[str, Any]) -> str | None:
    """The screen's line on the dependent pairs and copy rings of ``summary`` (from
    :func:`fit_summary`), each ring's annotators named; ``None`` when the fit found neither."""
    pairs, rings = summary.get("dependent_pairs") or [], summary.get("dependent_rings") or []
    if not pairs and not rings:
        return None
    said = f"{len(pairs)} dependent pair(s) of annotators weighed as one answer"
    if rings:
        shown = "; ".join(", ".join(map(str, ring[:10])) + (" ..." if len(ring) > 10 else "") for ring in rings[:5])
        more = f"; and {len(rings) - 5} more" if len(rings) > 5 else ""
        said += f", {len(rings)} copy ring(s) among them: {shown}{more}"
    return f"{said} (summary.json {'dependent_pairs, dependent_rings' if rings else 'dependent_pairs'})"


def fit_summary(est: Any, method: str) -> dict[str, Any]:
    """``summary.json``'s fields on the fit: method, iterations, converged, fallback, dependent_pairs,
    dependent_rings, shared_confusion."""
    return {
        "method": method,
        "iterations": int(est.n_iter_),
        "converged": bool(est.converged_),
        "fallback": getattr(est, "fallback_", None),
        "dependent_pairs": dependent_pairs(est),
        "dependent_rings": dependent_rings(est),
        "shared_confusion": _shared_confusion(est),
    }


def _shared_confusion(est: Any) -> dict[str, Any] | None:
    """Dawid-Skene's one shared confusion: whether it was fitted and ``shared_confusion="auto"``'s test (None for
    other methods)."""
    if not hasattr(est, "shared_confusion_"):
        return None
    test = est.shared_test_
    said = None if test is None else {"statistic": finite(test.statistic), "df": test.df, "p_value": test.p_value}
    return {"fitted": bool(est.shared_confusion_), "test": said}


def input_record(path: Path, fmt: str, item: str | None, annotator: str | None, label: str | None) -> dict[str, Any]:
    """``summary.json``'s ``input``: what ``labelwise review`` needs to read the answers again as the run
    read them: the path (absolute), the format read (a reader's name of
    :data:`labelwise.io.annotations.FORMATS`, or ``"parquet-parts"`` for a folder) and the column
    options as given (None: the format's default)."""
    return {
        "path": str(Path(path).resolve()),
        "format": fmt.removesuffix("-min"),  # labelstudio-min is read by the labelstudio reader
        "columns": {"item": item, "annotator": annotator, "label": label},
    }


def size_summary(est: Any) -> dict[str, Any]:
    """``summary.json``'s sizes: n_items, n_answers, n_annotators, n_classes and the classes."""
    return {
        "n_items": int(est.n_items_),
        "n_answers": int(est.n_answers_),
        "n_annotators": int(est.n_annotators_),
        "n_classes": len(est.classes_),
        "classes": [finite(c) for c in est.classes_],
    }


def vote_entropy(counts: pd.Series) -> pd.Series:
    """Each item's entropy (natural log) of its answers' label shares, from answer counts indexed by
    (item, label): :func:`labelwise.aggregate.uncertainty` by item with every skill 1."""
    shares = counts / counts.groupby(level=0).transform("sum")
    terms = -shares * np.log(shares.where(shares > 0, 1.0))
    return terms.groupby(level=0).sum().rename("uncertainty")


def prob_columns(classes: Any) -> list[str]:
    """labels.csv's ``prob_<class>`` column names, one per class; two classes written alike, such as
    the number 4 and the text ``"4"`` of a JSON file, are an error: one column overwrote the other."""
    names: dict[str, Any] = {}
    for cls in classes:
        name = f"prob_{cls}"
        if name in names:
            raise InvalidLabelsError(
                f"the classes {show(names[name])} and {show(cls)} ({type(names[name]).__name__} and "
                f"{type(cls).__name__}) would both be labels.csv's column {name!r}: write each class one way "
                "in the input (e.g. every answer as text)"
            )
        names[name] = cls
    return list(names)


def labels_frame(
    est: Any, answers: pd.DataFrame | None, agreement: pd.Series | None = None, uncertainty: pd.Series | None = None
) -> pd.DataFrame:
    """``labels.csv``: item, label, confidence, prob_<class>..., n_answers, agreement[, quality], uncertainty.

    A fit that kept its shares sparse (``probas_sparse_``: majority vote, Wawa or zero-based skill over more
    classes than a dense table holds) writes no ``prob_<class>`` columns.

    ``agreement``, ``uncertainty``: each item's agreement with its label and the entropy of its
    answers' label shares (:func:`labelwise.aggregate.uncertainty` by item, every skill 1: 0 when
    all answers agree), indexed by item, where they were computed elsewhere (on the cluster); else
    from ``answers``."""
    from ..aggregate.agreement import item_agreement
    from ..aggregate.crowd_metrics import uncertainty as answer_uncertainty

    labels = est.labels_
    frame = pd.DataFrame({"item": labels.index.to_numpy(), "label": labels.to_numpy()})
    sparse = est.__dict__.get("probas_sparse_")
    if sparse is not None:  # too many classes for a dense table: no prob_<class> columns
        from ..aggregate._sparse_votes import label_shares
        from ..aggregate.majority import MajorityVote

        frame["confidence"] = label_shares(sparse, est.label_codes_)
        if "probas_rest_" in est.__dict__:  # one-coin, GLAD: a label nobody gave the item has its rest's share
            from ..aggregate._sparse_rest import label_probas

            rest = (est.probas_rest_.to_numpy(), est.rest_prior_.to_numpy())
            frame["confidence"] = label_probas(sparse, *rest, est.label_codes_)
        if uncertainty is None and isinstance(est, MajorityVote):  # the plain vote shares, answered cells alone
            terms = -sparse.data * np.log(sparse.data)
            uncertainty = pd.Series(np.add.reduceat(terms, sparse.indptr[:-1]), index=labels.index)
        elif uncertainty is None:  # weighted shares (Wawa, ZBS): the plain ones from the answers
            assert answers is not None
            uncertainty = vote_entropy(answers.groupby(["item", "label"], sort=False).size())
    else:
        probas = est.probas_
        codes = pd.Index(probas.columns).get_indexer(labels.to_numpy())
        values = probas.to_numpy()
        frame["confidence"] = values[np.arange(len(codes)), codes]
        # one block for all classes: a column each made pandas warn "highly fragmented" over 100 classes
        probs = pd.DataFrame(values, columns=prob_columns(probas.columns), index=frame.index, copy=False)
        frame = pd.concat([frame, probs], axis=1)
    frame["n_answers"] = est.n_answers_per_item_.to_numpy()
    if agreement is None:
        agreement = item_agreement(answers, labels).reindex(labels.index)
    frame["agreement"] = agreement.to_numpy()
    quality = getattr(est, "item_quality_", None)
    if isinstance(quality, pd.Series):
        frame["quality"] = quality.reindex(labels.index).to_numpy()
    if uncertainty is None:
        uncertainty = cast(pd.Series, answer_uncertainty(answers, aggregate=False))
    frame["uncertainty"] = uncertainty.reindex(labels.index).to_numpy()
    return frame


def annotators_frame(est: Any, answers: pd.DataFrame) -> pd.DataFrame:
    """``annotators.csv``: annotator, answers, accuracy (estimated), agreement (with consensus)."""
    from ..aggregate.agreement import annotator_agreement

    agree = annotator_agreement(answers, est.labels_)
    skill = est.annotator_skill_.reindex(agree.index)
    return pd.DataFrame(
        {
            "annotator": agree.index.to_numpy(),
            "answers": agree["answers"].to_numpy(),
            "accuracy": skill.to_numpy(),
            "agreement": agree["agreement"].to_numpy(),
        }
    )


def annotators_json(est: Any, method: str, table: pd.DataFrame) -> dict[str, Any]:
    """Per-annotator statistics, with the confusion matrix for methods that estimate one."""
    confusion = getattr(est, "annotator_confusion_", None)
    order = getattr(est, "annotators_", None)
    matrices: dict[str, Any] = {}
    if confusion is not None and order is not None:
        matrices = {str(a): np.asarray(confusion[j]).tolist() for j, a in enumerate(order)}
    records = []
    for row in table.itertuples(index=False):  # one record per annotator, for the JSON file only
        record = {
            "annotator": finite(row.annotator),
            "answers": int(row.answers),
            "accuracy": finite(float(row.accuracy)),
            "agreement": finite(float(row.agreement)),
        }
        if matrices:
            record["confusion"] = matrices.get(str(row.annotator))
        records.append(record)
    return {
        "method": method,
        "classes": [finite(c) for c in est.classes_],
        "confusion_matrices": bool(matrices),
        "confusion_layout": "rows = true class, columns = given label, rows sum to 1" if matrices else None,
        "annotators": records,
    }


def auto_line(auto: dict[str, Any], est: Any) -> str:
    """The screen's line on what ``--method auto`` chose: by the candidates' held-out likelihood, or,
    where none was scored, why (a choice "by held-out likelihood" with every score None misled)."""
    if auto["n_scored"]:
        return f"auto chose [bold]{auto['chosen']}[/] by held-out likelihood: {auto['scores']}"
    if len(est.candidates) == 1:
        return f"auto chose [bold]{auto['chosen']}[/], the only one of --param candidates, without scoring it"
    return (
        f"auto chose [bold]{auto['chosen']}[/] without scoring the candidates: the held-out likelihood needs "
        f"two classes and at least --param min_items={est.min_items} items with two or more answers"
    )
