"""Assemble ``report.html``: one self-contained file (inline CSS, plots and thumbnails as data URIs).

Every label, text and value from the data is HTML-escaped; the page carries a Content-Security-Policy
that forbids loading anything from the network, so it opens the same offline as online.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_positive_int
from ..errors import DataFileError
from ..io.atomic import atomic_write
from ..io.issues_table import issues_file
from ..io.outputs import (
    AggregateOutput,
    AuditOutput,
    check_out_dir,
    is_aggregate_dir,
    is_audit_dir,
    load_aggregate,
    load_audit,
)
from . import _plots
from ._annotators import Quality, annotator_section
from ._cards import audit_ids, example_card
from ._checks_section import checks_sections
from ._data_as_written import previewed_audit
from ._dependence import dependence_section, with_marks
from ._destination import report_destination
from ._folder_kind import refuse_other_labels
from ._folders import FOLDER_VIEWS, folder_report
from ._health_section import health_sections
from ._previews import Previewer, data_uri
from ._tasks import task_report
from ._tasks._common import settings_html

__all__ = ["write_report"]

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _e(value: Any) -> str:
    """HTML-escape anything (quotes included)."""
    return html.escape(str(value), quote=True)


def _fmt(value: Any, digits: int = 3) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        return (
            ""
            if np.isnan(value)
            else f"{float(value):.{digits}g}"
            if abs(float(value)) >= 1e3
            else f"{float(value):.{digits}f}"
        )
    return str(value)


def _quality(q: float) -> str:
    """A label-quality score: 3 decimals, or scientific notation for tiny scores."""
    return f"{q:.3f}" if q >= 1e-3 or q == 0 else f"{q:.1e}"


def _same_numbers(a: pd.Series, b: pd.Series) -> bool:
    """Whether two columns hold the same numbers (False when either is not numeric)."""
    try:
        return bool(np.array_equal(a.to_numpy(dtype=float), b.to_numpy(dtype=float)))
    except (TypeError, ValueError):
        return False


def _pct(x: float) -> str:
    return f"{100.0 * x:.1f}%"


def _img(png: bytes, *, alt: str, cls: str = "plot", id_: str | None = None) -> str:
    ident = f' id="{_e(id_)}"' if id_ else ""
    return f'<img{ident} class="{_e(cls)}" alt="{_e(alt)}" src="{data_uri(png)}">'


def _table(frame: pd.DataFrame, *, numeric: set[str] | None = None, cls: str = "") -> str:
    numeric = numeric or {c for c in frame.columns if frame[c].dtype.kind in "iuf"}
    head = "".join(f'<th class="num">{_e(c)}</th>' if c in numeric else f"<th>{_e(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, row, strict=True):
            klass = ' class="num"' if col in numeric else ""
            cells.append(f"<td{klass}>{_e(_fmt(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cls_attr = f' class="{_e(cls)}"' if cls else ""
    return f"<table{cls_attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _tile(value: str, key: str, *, warn: bool = False) -> str:
    return f'<div class="tile{" warn" if warn else ""}"><div class="v">{_e(value)}</div><div class="k">{_e(key)}</div></div>'


def _css() -> str:
    return resources.files("labelwise.report").joinpath("templates/report.css").read_text(encoding="utf-8")


def _page(title: str, header: str, sections: list[str]) -> str:
    from .. import __version__

    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_css()}</style></head><body>"
        f"{header}<main>{''.join(sections)}</main>"
        f"<footer>Written by labelwise {_e(__version__)} on {_e(stamp)}. This file is self-contained: "
        "it loads nothing from the network.</footer></body></html>\n"
    )


def _section_id(section: str) -> str:
    """The ``id`` of a ``<section id="...">`` snippet ("" when it has none)."""
    match = re.search(r'<section id="([^"]+)"', section)
    return match.group(1) if match else ""


# --------------------------------------------------------------------------------------- audit


def _audit_sections(audit: AuditOutput, *, top: int) -> tuple[str, list[str]]:
    """Long because it assembles the report's audit sections in page order, one short block of HTML per section."""
    issues = audit.issues
    classes = audit.classes
    n = audit.n_examples
    n_issues = int(audit.summary.get("n_issues", int(issues["is_issue"].sum())))
    noise_rate = audit.summary.get("noise_rate")
    settings = audit.settings
    name = Path(str(settings.get("data") or audit.out_dir.name)).name

    tiles = [
        _tile(f"{n:,}", "examples"),
        _tile(f"{n_issues:,}", "flagged", warn=n_issues > 0),
        _tile(_pct(n_issues / n) if n else "0%", "share flagged", warn=n_issues > 0),
    ]
    if noise_rate is not None:
        tiles.append(_tile(_pct(float(noise_rate)), "estimated noise rate", warn=float(noise_rate) > 0.05))
    tiles.append(_tile(str(len(classes)), "classes"))
    header = (
        '<header class="top"><h1>Label health: ' + _e(name) + "</h1>"
        f'<div class="sub">audit output {_e(audit.out_dir)}</div>'
        f'<div class="tiles" id="health">{"".join(tiles)}</div></header>'
    )
    sections = []

    noise = audit.matrix("noise_matrix")
    if noise is not None:
        png = _plots.heatmap_png(
            noise,
            classes,
            classes,
            xlabel="true label (estimated)",
            ylabel="given label",
            title="P(given label | true label)",
        )
        sections.append(
            '<section id="noise-matrix"><h2>Estimated noise matrix</h2>'
            '<p class="note">Each column is a true class; its cells say how often an example of that class '
            "carries each given label. Off-diagonal mass is label noise.</p>"
            f"{_img(png, alt='heatmap of the estimated noise matrix, given vs. true label', cls='plot heatmap', id_='noise-heatmap')}"
            "</section>"
        )

    # Issues per class (given label).
    given = pd.Series(issues["given_label"].astype(str).to_numpy())
    flagged_mask = issues["is_issue"].to_numpy()
    class_names = [str(c) for c in classes]
    totals = given.value_counts().reindex(class_names, fill_value=0)
    flagged = given[flagged_mask].value_counts().reindex(class_names, fill_value=0)
    per_class = pd.DataFrame(
        {
            "class": class_names,
            "examples": totals.to_numpy(),
            "flagged": flagged.to_numpy(),
            "share flagged": np.divide(
                flagged.to_numpy(), totals.to_numpy(), out=np.zeros(len(class_names)), where=totals.to_numpy() > 0
            ),
        }
    )
    if audit.summary.get("per_class"):
        extra = pd.DataFrame(audit.summary["per_class"])
        key = next((c for c in ("class", "label", "given_label") if c in extra.columns), None)
        if key is not None:
            extra = extra.rename(columns={key: "class"})
            extra["class"] = extra["class"].astype(str)
            merged = per_class.merge(extra, on="class", how="left", suffixes=("", " (summary)"))
            # Drop the summary's own counts where they repeat the computed ones (n_given = examples,
            # n_flagged = flagged); by name: a column that merely has the same numbers (estimated_issues
            # equals flagged under prune_by_noise_rate) says something else and stays.
            for col, own in (("n_given", "examples"), ("n_flagged", "flagged"), ("n_issues", "flagged")):
                if col in merged.columns and _same_numbers(merged[col], merged[own]):
                    merged = merged.drop(columns=col)
            per_class = merged
    bar = _plots.bar_png(
        class_names,
        flagged.to_numpy(),
        totals=totals.to_numpy(),
        xlabel="given label",
        ylabel="examples",
        title="flagged examples per given label",
        value_fmt="{:.0f}",
    )
    sections.append(
        '<section id="per-class"><h2>Issues per class</h2>'
        '<p class="note">Flagged examples by their given label (grey: all examples of the class).</p>'
        f"{_img(bar, alt='bar chart of flagged examples per class')}"
        f'<div class="scroll">{_table(per_class)}</div></section>'
    )

    # Class pairs most often confused.
    pairs = issues.loc[flagged_mask, ["given_label", "suggested_label"]].astype(str)
    if len(pairs):
        counts = pairs.value_counts().rename("flagged").reset_index()
        counts = counts.rename(columns={"given_label": "given", "suggested_label": "suggested"})
        cj = audit.matrix("confident_joint")
        if cj is not None:
            index = {c: i for i, c in enumerate(class_names)}
            gi = counts["given"].map(index)
            si = counts["suggested"].map(index)
            ok = gi.notna() & si.notna()
            est = np.full(len(counts), np.nan)
            est[ok.to_numpy()] = cj[gi[ok].astype(int).to_numpy(), si[ok].astype(int).to_numpy()]
            counts["confident joint"] = est.astype(np.int64) if np.all(np.mod(cj, 1) == 0) and ok.all() else est
        counts["share of given class"] = counts["flagged"].to_numpy() / totals.reindex(counts["given"]).to_numpy().clip(
            1
        )
        body = _table(counts.head(15))
    else:
        body = '<p class="note">No example was flagged.</p>'
    sections.append(
        '<section id="confused-pairs"><h2>Class pairs most often confused</h2>'
        '<p class="note">Flagged examples by (given label, suggested label), most frequent first.</p>'
        f"{body}</section>"
    )

    hist = _plots.histogram_png(
        issues["label_quality"].to_numpy(), flagged_mask, xlabel=f"label quality ({settings.get('rank_by') or 'score'})"
    )
    sections.append(
        '<section id="quality"><h2>Distribution of label quality</h2>'
        '<p class="note">Low scores mean the model doubts the given label; flagged examples in red.</p>'
        f"{_img(hist, alt='histogram of label quality scores')}</section>"
    )

    previewer = Previewer.from_audit(audit)
    worst = issues[flagged_mask].head(top)
    note = f"The {len(worst)} flagged examples with the lowest label quality, worst first"
    if top == 0:  # --top 0: the page without example cards
        note = "No examples shown (top 0)"
    elif worst.empty:
        worst = issues.head(min(top, 12))
        note = "No example was flagged; these are the examples with the lowest label quality"
    ids = audit_ids(audit)  # --id-column's cells as written, named on each card
    cards = "".join(example_card(audit, previewer, rec, ids) for rec in worst.itertuples(index=False))
    sections.append(
        f'<section id="worst"><h2>Worst examples</h2><p class="note">{_e(note)}. '
        f"Review them with <code>labelwise review {_e(audit.out_dir)}</code>.</p>"
        f'<div class="grid">{cards}</div></section>'
    )

    # Two-column rows: (noise matrix, confused pairs), (issues per class, quality distribution).
    by_id = {_section_id(sec): sec for sec in sections}
    ordered = []
    for left, right in (("noise-matrix", "confused-pairs"), ("per-class", "quality")):
        pair = [by_id.pop(k) for k in (left, right) if k in by_id]
        ordered.append(f'<div class="cols">{"".join(pair)}</div>' if len(pair) == 2 else "".join(pair))
    ordered += list(by_id.values())
    sections = ordered

    if settings:
        sections.append(settings_html(settings))
    return header, sections


# --------------------------------------------------------------------------------- aggregation


def _aggregate_sections(agg: AggregateOutput, *, top: int, with_header: bool) -> tuple[str, list[str]]:
    """Long because it assembles the aggregation sections in page order, one short block of HTML per section."""
    labels = agg.labels
    ann = with_marks(agg.annotators, agg.summary)  # who copied whom, when the fit found it
    n_items = len(labels)
    tiles = [_tile(agg.method, "method"), _tile(f"{n_items:,}", "items"), _tile(f"{len(ann):,}", "annotators")]
    if "answers" in ann.columns:
        tiles.append(_tile(f"{int(ann['answers'].sum()):,}", "answers"))
    if "agreement" in labels.columns:
        tiles.append(_tile(f"{float(labels['agreement'].mean()):.2f}", "mean agreement"))
    header = ""
    if with_header:
        header = (
            f'<header class="top"><h1>Aggregated labels: {_e(agg.out_dir.name)}</h1>'
            f'<div class="sub">aggregation output {_e(agg.out_dir)}</div>'
            f'<div class="tiles" id="health">{"".join(tiles)}</div></header>'
        )
    sections = []
    if not with_header:
        sections.append(
            f'<section id="aggregate-health"><h2>Aggregation</h2><div class="row2">{"".join(tiles)}</div></section>'
        )

    quality = Quality("accuracy", "estimated accuracy", "least accurate", active="answers")
    note = "Estimated accuracy and agreement with the aggregated labels"
    sections += [annotator_section(ann, quality, note=note), dependence_section(agg.summary)]  # "": no pair

    if agg.confusions:
        if "answers" in ann.columns:
            keys = ["answers"] + (["accuracy"] if "accuracy" in ann.columns else [])
            busy = ann.sort_values(keys, ascending=[False] + [True] * (len(keys) - 1), kind="stable")
            busy = busy["annotator"].astype(str).tolist()
            names = [a for a in busy if a in agg.confusions][:12]
        else:
            names = list(agg.confusions)[:12]
        mats = [(a, agg.confusions[a][0], agg.confusions[a][1]) for a in names]
        png = _plots.small_heatmaps_png(mats)
        sections.append(
            '<section id="annotator-confusions"><h2>Annotator confusion matrices</h2>'
            f'<p class="note">Rows: true class, columns: the annotator\'s answer, each row normalised '
            f"({len(names)} most active annotators).</p>"
            f"{_img(png, alt='per-annotator confusion matrices', cls='plot heatmap', id_='confusion-heatmaps')}</section>"
        )

    if "agreement" in labels.columns:
        hard = labels.sort_values(
            ["agreement"] + (["confidence"] if "confidence" in labels.columns else []), kind="stable"
        ).head(min(top, 30))
        cols = [c for c in ("item", "label", "confidence", "n_answers", "agreement") if c in hard.columns]
        prob_cols = [c for c in labels.columns if str(c).startswith("prob_")]
        shown = hard[cols].copy()
        if prob_cols:
            probs = hard[prob_cols].to_numpy(dtype=float)
            top2 = np.argsort(-probs, axis=1)[:, :2]
            prob_names = np.array([str(c)[5:] for c in prob_cols], dtype=object)
            shown["runner-up"] = prob_names[top2[:, 1]] if probs.shape[1] > 1 else ""
            shown["runner-up prob"] = probs[np.arange(len(probs)), top2[:, 1]] if probs.shape[1] > 1 else np.nan
        sections.append(
            '<section id="disagreement"><h2>Items with the most disagreement</h2>'
            '<p class="note">Lowest agreement among the annotators first.</p>'
            f"{_table(shown)}</section>"
        )
    return header, sections


def write_report(out_dir: str | os.PathLike, *, out: str | os.PathLike | None = None, top: int = 60) -> Path:
    """Write ``report.html`` for an audit (or aggregation) output folder and return its path.

    One self-contained HTML file (inline CSS, matplotlib PNGs and thumbnails as ``data:`` URIs, a
    CSP forbidding network loads). Audit: label health, the noise matrix heatmap, issues per class,
    confused pairs, the label-quality distribution and the ``top`` worst examples with previews.
    Aggregation: per-annotator accuracy and confusions, the annotators found copying (dependent
    pairs and copy rings, ``report._dependence``), the items with most disagreement. Task audit
    (``--task``): that task's view (``report._tasks.TASK_VIEWS``). The folders of
    ``aggregate-tags``, ``-boxes``, ``-masks``, ``-numbers``, ``-texts``, ``-pairs`` and ``train-crowds``:
    that command's view (``report._folders.FOLDER_VIEWS``): what was decided, the annotators' quality
    and the most contested items.

    Parameters
    ----------
    out_dir : path-like
        Folder written by ``labelwise audit``, ``aggregate`` or a command of ``FOLDER_VIEWS``
        (detected by its files and its ``summary.json``).
    out : path-like, optional
        Where to write; default ``out_dir / "report.html"``.
    top : int, default 60
        How many worst examples (or most contested items) to show; 0: none.

    Returns
    -------
    Path
        The written file (written atomically).

    Raises
    ------
    DataFileError
        If ``out_dir`` is none of those folders, or one of its files cannot be read.
    InvalidParameterError
        If the destination is a folder or a file that is not an earlier report (never overwritten).
    """
    folder, top = check_out_dir(out_dir), check_positive_int("top", top, minimum=0)
    dest = report_destination(folder, out)
    audit_here, agg_here = is_audit_dir(folder), is_aggregate_dir(folder)
    page = None if audit_here else folder_report(folder, top=top)  # aggregate-tags, -boxes, ..., train-crowds
    lone = None if audit_here or agg_here or page else issues_file(folder)
    if lone is not None:  # issues alone: part of an audit's folder
        raise DataFileError(
            f"{str(folder)!r} holds {lone.name} but no summary.json, which `labelwise audit` (and "
            "`train`, `train-tags`) writes beside it: a run stopped before it finished, or the file was removed "
            "or renamed; run the command again (with --force over this folder)"
        )
    if not (audit_here or agg_here or page):
        raise DataFileError(
            f"{str(folder)!r} is neither an audit output (issues.csv, summary.json) nor an aggregation "
            f"output (labels.csv, annotators.csv) nor the output of {', '.join(FOLDER_VIEWS)}"
        )
    header, title, sections = "", "labelwise report", list[str]()
    if page is not None:
        title, header, sections = page
    elif audit_here and (task_page := task_report(folder, top=top)) is not None:  # audit --task ...
        title, header, sections = task_page
    elif audit_here:
        audit = previewed_audit(load_audit(folder))  # ids "007" as written; no previews of edited data
        header, sections = _audit_sections(audit, top=top)
        sections += health_sections(audit) + checks_sections(audit)
        title = f"labelwise report: {Path(str(audit.settings.get('data') or folder.name)).name}"
    if agg_here and page is None:
        refuse_other_labels(folder)  # a labels.csv of another shape than aggregate's
        agg = load_aggregate(folder)
        agg_header, agg_sections = _aggregate_sections(agg, top=top, with_header=not audit_here)
        header = header or agg_header
        sections += agg_sections
        if not audit_here:
            title = f"labelwise report: {folder.name} ({agg.method})"
    with atomic_write(dest, "w") as fh:
        fh.write(_page(title, header, sections))
    return dest
