"""``labelwise weak`` in the report: the labeling functions' analysis, the label model's view of them, the
class balance and the items the model is least sure of.

Reads ``analysis.csv`` (per function: polarity, coverage, overlaps, conflicts and, with ``--gold-column``,
correct, incorrect and empirical accuracy; the model's estimated accuracy), ``labelers.json`` (the label
model's estimated accuracy and confusion matrix of each function), ``labels.csv`` (label, confidence,
n_votes and ``prob_<class>`` per item), ``votes.csv`` (item, labeler, label) and ``summary.json`` (counts,
coverage, classes, class balance, accuracy against gold beside the functions' majority vote's (ties split and
every tie lost, as the command prints them), and the dependent pairs of functions the label
model's check found, read by :mod:`labelwise.report._dependence`). A folder written before
``labelers.json`` or the dependence fields shows the rest.
"""

from __future__ import annotations

import json
from typing import TypeGuard

import numpy as np
import pandas as pd

from .._annotators import Quality, annotator_section
from .._dependence import dependence_section, with_marks
from .._tasks._common import section
from ._common import Folder, FolderView, contested, count, histogram, none_contested, worst

#: Labeling functions listed in the analysis table at most (the worst first).
MAX_FUNCTIONS = 200
#: Functions whose confusion matrices are drawn (the least accurate).
MAX_MATRICES = 12


def _share(value: object) -> str:
    return "" if not isinstance(value, (int, float)) or isinstance(value, bool) else f"{float(value):.1%}"


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _below_majority(summary: dict) -> bool:
    """Whether the label model's accuracy against gold is below the functions' majority vote with every tie
    lost (below any way of breaking its ties), as the command's notice says."""
    accuracy, lost = summary.get("accuracy_on_covered_gold"), summary.get("majority_vote_accuracy_ties_lost")
    return _number(accuracy) and _number(lost) and float(accuracy) < float(lost)


def _tiles(folder: Folder) -> list[tuple[str, str, bool]]:
    s = folder.summary
    tiles = [
        (count(s.get("n_labelers")), "labeling functions", False),
        (count(s.get("n_items")), "rows", False),
        (count(s.get("n_votes")), "votes", False),
        (_share(s.get("coverage")), "coverage", False),
        (str(s.get("model", "")), "label model", False),
    ]
    accuracy = s.get("accuracy_on_covered_gold")
    if isinstance(accuracy, (int, float)):
        below = _below_majority(s)
        tiles.append((f"{float(accuracy):.3f}", f"accuracy vs gold ({count(s.get('n_covered_gold'))} items)", below))
        split, lost = s.get("majority_vote_accuracy_on_covered_gold"), s.get("majority_vote_accuracy_ties_lost")
        if _number(split) and _number(lost):  # a folder written before session 48 has neither
            tiles.append((f"{float(split):.3f}", "functions' majority vote, ties split (same items)", False))
            tiles.append((f"{float(lost):.3f}", "functions' majority vote, every tie lost", False))
    if s.get("n_abstained"):
        tiles.append((count(s.get("n_abstained")), "items abstained (tie)", True))
    return tiles


#: Said under the functions' table when the label model is below the majority vote with every tie lost.
_BELOW = (
    " The label model's labels are less accurate against the gold labels than the functions' majority vote, "
    "however its ties are broken (the header's tiles): compare each function's empirical_accuracy with its "
    "estimated_accuracy (docs/weak.md, label models)."
)


def _analysis(folder: Folder) -> str:
    """The functions' table, worst first: by empirical accuracy where gold was given, else by the model's
    estimated accuracy (a function that never voted, without either, first); a bar chart of coverage."""
    from .. import _plots
    from .._build import _img, _table

    table = folder.table("analysis.csv", ids=("labeler", "polarity"), required=("labeler", "coverage"))
    assert table is not None  # a file of the view
    gold = "empirical_accuracy" in table.columns and table["empirical_accuracy"].notna().any()
    by = "empirical_accuracy" if gold else "estimated_accuracy" if "estimated_accuracy" in table.columns else None
    shown = worst(table, by, n=MAX_FUNCTIONS) if by else table.head(MAX_FUNCTIONS)
    bar = _plots.bar_png(
        shown["labeler"].astype(str).tolist()[:40],
        shown["coverage"].to_numpy(dtype=float)[:40],
        xlabel="labeling function",
        ylabel="coverage",
        horizontal=True,
        value_fmt="{:.2f}",
        title="share of rows each function votes on",
    )
    order = {
        "empirical_accuracy": "lowest accuracy against the gold labels first",
        "estimated_accuracy": "lowest accuracy the label model estimates first",
        None: "in the file's order",
    }[by]
    more = f" ({MAX_FUNCTIONS} of {len(table)})" if len(table) > MAX_FUNCTIONS else ""
    note = (
        "Per function: the classes it votes (polarity), the share of rows it votes on (coverage), on which "
        "another function votes too (overlaps) and votes another class (conflicts)"
        + (", its votes against the gold labels" if gold else "")
        + f" and the label model's estimated accuracy; {order}{more}."
        + (_BELOW if _below_majority(folder.summary) else "")
    )
    body = f'<div class="row2">{_img(bar, alt="bar chart of the functions coverage")}<div class="scroll">{_table(shown)}</div></div>'
    return section("weak-functions", "Labeling functions", note, body)


def _labelers(folder: Folder) -> tuple[pd.DataFrame, dict[str, tuple[list[str], np.ndarray]]] | None:
    """``labelers.json`` as a table (labeler, estimated accuracy) and each function's confusion matrix;
    None when the folder has no readable one."""
    path = folder.out_dir / "labelers.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    rows = raw.get("labelers") if isinstance(raw, dict) else None
    if not isinstance(rows, list):
        return None
    classes = [str(c) for c in raw.get("classes") or []]
    records = [r for r in rows if isinstance(r, dict) and "labeler" in r]
    table = pd.DataFrame(
        {
            "annotator": [str(r["labeler"]) for r in records],
            "estimated_accuracy": pd.to_numeric(
                pd.Series([r.get("estimated_accuracy") for r in records], dtype=object), errors="coerce"
            ),
        }
    )
    mats = {}
    for r in records:
        m = np.asarray(r.get("confusion") or [], dtype=float)
        if m.shape == (len(classes), len(classes)) and len(classes):
            mats[str(r["labeler"])] = (classes, m)
    return table, mats


def _model_view(folder: Folder) -> list[str]:
    """The label model's labelers (estimated accuracy, worst first, marked when dependent) and the
    confusion matrices of the least accurate."""
    from .. import _plots
    from .._build import _e, _img

    read = _labelers(folder)
    if read is None:
        return []
    table, mats = read
    table = with_marks(table, folder.summary).rename(columns={"annotator": "function"})
    note = (
        f"The label model ({folder.summary.get('model', '')}): each labeling function's estimated accuracy, "
        "its confusion matrix's diagonal weighed by the class balance"
    )
    out = [
        annotator_section(
            table, Quality("estimated_accuracy", "estimated accuracy", "least accurate"), note=_e(note), name="function"
        )
    ]
    order = table.sort_values("estimated_accuracy", kind="stable", na_position="first")["function"]
    drawn = [a for a in order if a in mats][:MAX_MATRICES]
    if drawn:
        png = _plots.small_heatmaps_png([(a, mats[a][0], mats[a][1]) for a in drawn])
        out.append(
            '<section id="annotator-confusions"><h2>Confusion matrices of the functions</h2>'
            '<p class="note">Rows: true class, columns: the function\'s vote, given that it votes '
            f"({len(drawn)} least accurate functions).</p>"
            f"{_img(png, alt='per-function confusion matrices', cls='plot heatmap', id_='confusion-heatmaps')}</section>"
        )
    return out


def _balance(folder: Folder, labels: pd.DataFrame) -> str:
    """The label model's class balance beside the labels it gave, per class."""
    from .. import _plots
    from .._build import _img, _table

    classes = [str(c) for c in folder.summary.get("classes") or []]
    prior = folder.summary.get("class_balance") or []
    given = labels["label"].astype(str).where(labels["label"].notna(), "").value_counts()
    frame = pd.DataFrame(
        {
            "class": classes,
            "class balance": [float(p) for p in prior] if len(prior) == len(classes) else np.nan,
            "items labelled": [int(given.get(c, 0)) for c in classes],
        }
    )
    frame["share of items"] = frame["items labelled"] / max(len(labels), 1)
    bar = _plots.bar_png(
        classes[:40],
        frame["items labelled"].to_numpy(dtype=float)[:40],
        xlabel="label",
        ylabel="items",
        title="items per label",
        value_fmt="{:.0f}",
    )
    note = (
        "The class balance the label model fitted and the labels it gave (items without a label: abstained on a tie)."
    )
    body = f'<div class="row2">{_img(bar, alt="bar chart of items per label")}<div class="scroll">{_table(frame)}</div></div>'
    return section("weak-balance", "Class balance", note, body)


def _votes_of(folder: Folder, items: pd.Series) -> pd.Series:
    """Per listed item, its votes as ``function=class``, joined by ``; ``."""
    votes = folder.table("votes.csv", ids=("item", "labeler", "label"))
    if votes is None or not {"item", "labeler", "label"} <= set(votes.columns):
        return pd.Series("", index=items.index)
    mine = votes[votes["item"].isin(set(items))]
    said = (
        (mine["labeler"].astype(str) + "=" + mine["label"].astype(str)).groupby(mine["item"], sort=False).agg("; ".join)
    )
    return items.map(said).fillna("")


def _items(folder: Folder, labels: pd.DataFrame, top: int) -> str:
    """The items the label model is least sure of (lowest confidence first), with their votes."""
    from .._build import _table

    listed = contested(labels, "confidence", n=min(top, 30))
    plot = histogram(
        labels["confidence"],
        labels.index.isin(listed.index),
        xlabel="probability of the label",
        alt="histogram of the items' confidence",
        ident="weak-confidence",
    )
    note = (
        "Lowest probability of the label first (red in the histogram): the items the label model is least sure "
        "of, with the functions' votes on them."
    )
    if listed.empty:
        return section(
            "weak-contested", "Least certain items", note, plot + none_contested(labels, "confidence", "items")
        )
    listed = listed.assign(votes=_votes_of(folder, listed["item"]))
    return section("weak-contested", "Least certain items", note, plot + f'<div class="scroll">{_table(listed)}</div>')


#: What the label model did with the dependent pairs, for the "Dependent labeling functions" note.
_CLIQUES = (
    "The label model joined each such pair of functions into a clique whose joint vote it models as one "
    "outcome given the class, so copied votes were not counted as independent evidence; the table of the "
    "model's functions marks the members."
)


def _groups(folder: Folder) -> list[str]:
    """The cliques of functions the label model fitted as one (``joint_groups``: from its dependent-pair
    check and its own search of dependencies); none when the folder records none."""
    from .._build import _table

    groups = [g for g in folder.summary.get("joint_groups") or [] if isinstance(g, list) and len(g) > 1]
    if not groups:
        return []
    frame = pd.DataFrame(
        {
            "group": range(1, len(groups) + 1),
            "functions": [len(g) for g in groups],
            "members": [", ".join(map(str, g)) for g in groups],
        }
    ).astype(object)
    note = (
        "Functions whose joint vote the label model fits as one outcome given the class: pairs its dependent-pair "
        "check found and pairs whose agreement and co-votes independence given the class does not explain."
    )
    return [section("weak-groups", "Functions modelled together", note, _table(frame, numeric={"functions"}))]


def sections(folder: Folder, top: int) -> list[str]:
    """The functions' analysis, the label model's view of them, dependent functions, the class balance and
    the least certain items."""
    out = [_analysis(folder), *_model_view(folder)]
    label_model = folder.summary.get("model") == "label-model"
    dependence = dependence_section(folder.summary, fit=_CLIQUES if label_model else None, who="functions")
    out += [dependence] if dependence else []
    out += _groups(folder)
    labels = folder.table("labels.csv", ids=("item", "label"), required=("item", "label", "confidence"))
    assert labels is not None  # a file of the view
    out.append(_balance(folder, labels))
    if top > 0:
        out.append(_items(folder, labels, top))
    return out


VIEW = FolderView(
    command="weak",
    title="Weak supervision",
    files=("labels.csv", "votes.csv", "analysis.csv"),
    marks=("lfs", "model"),
    tiles=_tiles,
    sections=sections,
)
