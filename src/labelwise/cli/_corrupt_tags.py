"""``labelwise corrupt --task multilabel``: tags dropped and added per tag (:func:`labelwise.noise.flip_tags`).

The label column holds a set of tags per row, as ``labelwise audit --task multilabel`` and
``train-tags`` read it (:func:`labelwise.audit.multilabel.encode_multilabel`): ``"a|b"`` (tags
separated by ``--tag-separator``), an empty cell for no tag, or a list (JSON Lines, Parquet). Each (row, tag) cell is flipped on its own:

- ``--noise symmetric --rate R``: every cell flips with probability ``R`` (a present tag is dropped,
  an absent one added): ``lw.noise.flip_tags(tags, drop_rate=R, add_rate=R, random_state=seed)``;
- ``--noise drop-add --drop-rate D --add-rate A``: present tags dropped with ``D``, absent ones added
  with ``A`` (annotators forget tags more often than they invent them): ``flip_tags(tags,
  drop_rate=D, add_rate=A, random_state=seed)``;
- ``--tag-rates FILE``: the rates of each tag (first column the tag, then ``rate``, or ``drop_rate``
  and ``add_rate``). Tag ``k`` flips as column ``k`` of ``flip_tags(tags, drop_rate=D_k,
  add_rate=A_k, random_state=seed)``: every call with the same seed draws the same uniform number
  per cell, so one draw per cell is shared by all tags, and a file giving every tag the same rates
  flips exactly what ``--rate`` (or ``--drop-rate``/``--add-rate``) flips.

``tags`` is the ``(n, K)`` matrix of ``encode_multilabel`` (columns in its sorted tag order). A row
whose tags did not change keeps its cell as written; a changed row is written as its remaining
tags in their order and spelling, then the added tags in column order (as spelled where first seen
in DATA), joined by ``--tag-separator`` (a list stays a list).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._heavy import pandas as pd
from .._tag_cells import DEFAULT_SEPARATOR, join_tags, split_tags
from .._validate.arguments import check_fraction
from ..errors import InvalidParameterError, LabelwiseError
from . import _corrupt_files as files
from ._common import plain, read_input
from ._tag_option import cell_tags, cell_text

if TYPE_CHECKING:
    from ..noise import NoisyTags

#: ``--noise`` kinds of ``--task multilabel``; the first is the default.
TAG_KINDS = ("symmetric", "drop-add")
#: The columns of a ``--tag-rates`` file, by kind.
_RATE_COLUMNS = {"symmetric": ("rate",), "drop-add": ("drop_rate", "add_rate")}


@dataclass(frozen=True)
class TagRates:
    """Per tag, the probability a present tag is dropped and an absent one added."""

    drop: np.ndarray
    add: np.ndarray


def check_tag_options(noise: str, rate: float | None, drop: float | None, add: float | None, file: Any) -> None:
    """The rates of ``--task multilabel``: ``--rate`` (symmetric), ``--drop-rate``/``--add-rate``
    (drop-add), or ``--tag-rates`` instead of either."""
    scalars = {"--rate": rate, "--drop-rate": drop, "--add-rate": add}
    if file is not None:
        given = [k for k, v in scalars.items() if v is not None]
        if given:
            raise InvalidParameterError(
                f"--tag-rates and {given[0]} exclude each other (the file sets each tag's rates), got both"
            )
        return
    if noise == "symmetric":
        for option in ("--drop-rate", "--add-rate"):
            if scalars[option] is not None:
                raise InvalidParameterError(
                    f"{option} is for --noise drop-add only (symmetric flips every tag cell with --rate), got "
                    f"--noise symmetric"
                )
        if rate is None:
            raise InvalidParameterError(
                "--rate is required with --task multilabel --noise symmetric (the share of tag cells to flip, "
                "e.g. 0.05), or give --tag-rates"
            )
        check_fraction("--rate", rate, closed_high=True)
        return
    if rate is not None:
        raise InvalidParameterError(
            f"--rate is for --noise symmetric; --noise drop-add takes --drop-rate and --add-rate, got --rate {rate:g}"
        )
    if drop is None and add is None:
        raise InvalidParameterError(
            "--noise drop-add needs --drop-rate (present tags dropped) and/or --add-rate (absent tags added), "
            "or --tag-rates; got neither"
        )
    for option in ("--drop-rate", "--add-rate"):
        if scalars[option] is not None:
            check_fraction(option, scalars[option], closed_high=True)


def read_tags(column: pd.Series, label: str, separator: str) -> tuple[np.ndarray, np.ndarray]:
    """The label column as an ``(n, K)`` boolean matrix and the tag of each column, as the audit reads it."""
    from ..audit.multilabel import encode_multilabel

    cells = [list(t) if isinstance(t, (list, tuple, np.ndarray)) else cell_tags(t, separator) for t in column]
    try:
        given, tags = encode_multilabel(cells)
    except LabelwiseError as exc:
        raise type(exc)(str(exc).replace("labels", f"--label column {label!r}", 1)) from None
    if given.shape[1] == 0:
        raise InvalidParameterError(f"--label column {label!r} must hold at least one tag, got only empty cells")
    return given, tags


def tag_rates(noise: str, tags: np.ndarray, scalars: dict[str, float | None], file: Path | None) -> TagRates:
    """Each tag's drop and add rate: from ``--rate``, ``--drop-rate``/``--add-rate`` or ``--tag-rates``."""
    k = tags.size
    if file is None:
        if noise == "symmetric":
            rate = float(scalars["rate"] or 0.0)
            return TagRates(np.full(k, rate), np.full(k, rate))
        return TagRates(np.full(k, float(scalars["drop_rate"] or 0.0)), np.full(k, float(scalars["add_rate"] or 0.0)))
    table = read_input(file, "--tag-rates", kind="tag rates file", text_columns=lambda names: names[:1])
    wanted = _RATE_COLUMNS[noise]
    missing = [c for c in wanted if c not in table.columns[1:]]
    if missing or table.shape[1] != 1 + len(wanted):
        raise InvalidParameterError(
            f"--tag-rates {str(file)!r} must have the columns {['tag', *wanted]} for --noise {noise} (first the "
            f"tag, any name), got {[str(c) for c in table.columns]}"
        )
    names = [str(t) for t in tags]
    found = [str(v).strip() for v in table.iloc[:, 0]]
    if sorted(found) != sorted(names):
        extra = sorted(set(found) - set(names))[:5]
        absent = sorted(set(names) - set(found))[:5]
        raise InvalidParameterError(
            f"--tag-rates {str(file)!r} must name each tag of the label column once in its first column; "
            f"unknown {extra}, missing {absent}, {len(found)} rows for {len(names)} tags"
        )
    order = pd.Index(found).get_indexer(names)
    rates = []
    for column in wanted:
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64)[order]
        for tag, value in zip(names, values, strict=True):
            check_fraction(f"--tag-rates {column} of tag {tag!r}", value, closed_high=True)
        rates.append(values)
    return TagRates(rates[0], rates[0]) if noise == "symmetric" else TagRates(rates[0], rates[1])


def flip_tag_cells(given: np.ndarray, rates: TagRates, seed: int) -> NoisyTags:
    """The flips: one :func:`flip_tags` call per distinct (drop, add) pair of rates, each with the
    same seed (so the same uniform number per cell), tag ``k`` taken from its own pair's call."""
    from ..noise import NoisyTags, flip_tags

    pairs = np.stack([rates.drop, rates.add], axis=1)
    unique, which = np.unique(pairs, axis=0, return_inverse=True)
    which = np.asarray(which).reshape(-1)
    if unique.shape[0] == 1:
        return flip_tags(given, drop_rate=unique[0, 0], add_rate=unique[0, 1], random_state=seed)
    noisy = given.copy()
    for p, (drop, add) in enumerate(unique):
        columns = np.flatnonzero(which == p)
        drawn = flip_tags(given, drop_rate=drop, add_rate=add, random_state=seed)
        noisy[:, columns] = drawn.labels[:, columns]
    return NoisyTags(noisy, given.copy(), noisy != given)


def _tokens(cell: Any, separator: str) -> list[Any]:
    """A cell's tags in their order and spelling (a list's elements, or ``"a|b"`` split and stripped)."""
    if isinstance(cell, str):
        return split_tags(cell, separator)
    if cell is None or (not isinstance(cell, (list, tuple, np.ndarray)) and pd.isna(cell)):
        return []
    return list(cell) if isinstance(cell, (list, tuple, np.ndarray)) else [cell_text(cell)]


def _columns(tags: np.ndarray) -> dict[Any, int]:
    """Each tag's matrix column, keyed as cells spell it (digit tags as column numbers, as the encoder reads them)."""
    index: dict[Any, int] = {}
    for j, tag in enumerate(tags.tolist()):
        index[tag] = j
        if isinstance(tag, (int, np.integer)):
            index[str(int(tag))] = j
    return index


def _column_of(token: Any, index: dict[Any, int]) -> int | None:
    """The matrix column of one written tag; None for a text that is no tag (a missing-value marker)."""
    key = token.item() if isinstance(token, np.generic) else token
    if isinstance(key, str) and key.isdecimal() and key not in index:
        key = str(int(key))  # "03" is the tag 3
    return index.get(key)


def changed_cells(cells: Any, given: np.ndarray, noisy: np.ndarray, tags: np.ndarray, separator: str) -> dict[int, Any]:
    """The new cell of each changed row: its kept tags as written, then the added ones as first spelled."""
    index = _columns(tags)
    rows = np.flatnonzero((given != noisy).any(axis=1))
    spelled: dict[int, Any] = {}
    out: dict[int, Any] = {}
    for i in rows.tolist():
        kept = [t for t in _tokens(cells[i], separator) if (j := _column_of(t, index)) is not None and noisy[i, j]]
        added = []
        for j in np.flatnonzero(noisy[i] & ~given[i]).tolist():
            if j not in spelled:  # the first row holding tag j, as written there
                first = _tokens(cells[int(np.argmax(given[:, j]))], separator)
                spelled[j] = next((t for t in first if _column_of(t, index) == j), tags[j])
            added.append(spelled[j])
        as_list = isinstance(cells[i], (list, tuple, np.ndarray))
        out[i] = [*kept, *added] if as_list else join_tags(map(plain, (*kept, *added)), separator)
    return out


def _joined(cell: Any, separator: str) -> Any:
    """A cell for the truth table: a list as ``"a|b"``, anything else as it is."""
    return join_tags(map(plain, cell), separator) if isinstance(cell, (list, tuple, np.ndarray)) else cell


def _tag_lists(mask: np.ndarray, tags: np.ndarray, separator: str) -> np.ndarray:
    """Per row, the tags where ``mask`` is true, joined by ``separator`` (empty when none)."""
    names = [str(plain(t)) for t in tags.tolist()]
    out = np.full(mask.shape[0], "", dtype=object)
    for i in np.flatnonzero(mask.any(axis=1)).tolist():
        out[i] = join_tags((names[j] for j in np.flatnonzero(mask[i]).tolist()), separator)
    return out


def _per_tag(tags: np.ndarray, rates: TagRates, result: NoisyTags) -> list[dict[str, Any]]:
    """summary.json's ``per_tag``: rows with and without the tag, the rates asked, the drops and adds and their rates."""
    truth, flipped = result.true_labels, result.is_flipped
    present = truth.sum(axis=0)
    absent = truth.shape[0] - present
    dropped = (flipped & truth).sum(axis=0)
    added = (flipped & ~truth).sum(axis=0)
    return [
        {
            "tag": plain(tag),
            "n_present": int(p),
            "n_absent": int(a),
            "drop_rate_asked": float(d_asked),
            "add_rate_asked": float(a_asked),
            "n_dropped": int(d),
            "n_added": int(ad),
            "drop_rate": float(d / p) if p else 0.0,
            "add_rate": float(ad / a) if a else 0.0,
            "flip_rate": float((d + ad) / (p + a)) if p + a else 0.0,
        }
        for tag, p, a, d_asked, a_asked, d, ad in zip(
            tags.tolist(), present, absent, rates.drop, rates.add, dropped, added, strict=True
        )
    ]


def _counts(tags: np.ndarray, rates: TagRates, result: NoisyTags) -> dict[str, Any]:
    """The summary's counts: cells and rows changed, drops and adds, the rates realised, per tag."""
    truth = result.true_labels
    n_present = int(truth.sum())
    n_absent = int(truth.size - n_present)
    return {
        "n_rows": int(truth.shape[0]),
        "n_tags": int(tags.size),
        "n_cells": int(truth.size),
        "n_flipped": int(result.is_flipped.sum()),
        "n_rows_changed": int(result.is_flipped.any(axis=1).sum()),
        "n_dropped": result.n_dropped,
        "n_added": result.n_added,
        "rate_realised": float(result.is_flipped.mean()) if truth.size else 0.0,
        "drop_rate_realised": result.n_dropped / n_present if n_present else 0.0,
        "add_rate_realised": result.n_added / n_absent if n_absent else 0.0,
        "tags": [plain(t) for t in tags.tolist()],
        "per_tag": _per_tag(tags, rates, result),
    }


def corrupt_tags(
    frame: pd.DataFrame,
    raw: files.Cells | None,
    label: str,
    *,
    noise: str,
    scalars: dict[str, float | None],
    rates_file: Path | None,
    seed: int,
    names: dict[str, str | None],
    separator: str = DEFAULT_SEPARATOR,
) -> tuple[Any, Any, dict[str, Any]]:
    """The corrupted table, the truth table (id or row, ``true_label``, ``label``, ``is_flipped``,
    ``dropped``, ``added``) and the summary's counts; ``raw`` (DATA's cells as written) or the typed ``frame``."""
    given, tags = read_tags(frame[label], label, separator)
    rates = tag_rates(noise, tags, scalars, rates_file)
    result = flip_tag_cells(given, rates, seed)
    cells: Any = files.texts(raw[label]) if raw is not None else frame[label].to_numpy(dtype=object)
    new = np.array(cells, dtype=object, copy=True)
    for i, cell in changed_cells(cells, given, result.labels, tags, separator).items():
        new[i] = cell
    changed = result.is_flipped.any(axis=1)
    key_column = names["id_column"]
    if raw is not None:
        table: Any = {**raw, label: new}
        key = files.texts(raw[key_column]) if key_column else np.arange(changed.size)
        marks: Any = np.where(changed, "True", "False")
    else:
        table = frame.copy()
        table[label] = pd.Series(new, index=frame.index, name=label, dtype=object)
        key = frame[key_column].to_numpy() if key_column else np.arange(changed.size)
        marks = changed
    if names["truth_column"] is not None:
        table[names["truth_column"]] = np.asarray(cells, dtype=object) if raw is not None else frame[label]
    truth = {
        key_column or "row": np.asarray(key),
        "true_label": np.array([_joined(c, separator) for c in cells], dtype=object),
        "label": np.array([_joined(c, separator) for c in new], dtype=object),
        "is_flipped": marks,
        "dropped": _tag_lists(result.is_flipped & result.true_labels, tags, separator),
        "added": _tag_lists(result.is_flipped & ~result.true_labels, tags, separator),
    }
    return table, (truth if raw is not None else pd.DataFrame(truth)), _counts(tags, rates, result)
