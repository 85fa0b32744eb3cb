"""The data checks of ``labelwise audit``: options' logic, kept out of the shared ``audit.py``.

``audit.py`` calls :func:`prepare_data_checks` before training (it removes the split column from
the model's features) and :meth:`DataChecksRun.apply` after the label audit (it runs every data
check that applies and merges their columns into ``issues.csv`` and ``summary.json``).

Features for the checks: ``--features emb.npy`` (precomputed embeddings), else the table's
columns by the roles the model uses (:func:`labelwise.columns.infer_column_roles`, one
implementation): numeric columns (missing values imputed by the median, then standardised inside
the graph), date columns as five numbers each (:class:`labelwise.columns.DateFeatures`: year, day
of year as sine and cosine, weekday, days since the first date), one-hot indicators of categorical
columns with at most ``MAX_ONE_HOT`` values (a missing cell: NaN in every indicator, imputed as the
numbers are; the ``null`` check's counts are then the table's missing cells); identifier and constant columns are dropped; free
text and high-cardinality columns are compared as written by ``exact_duplicate`` only (a text-only
table is checked for repeated rows), not made numbers. The ``identifier_column`` check then reports
the table's identifier and constant columns by name (its ``table_roles`` option), not the columns
made from them. ``summary.json`` gets ``column_roles`` (when the
model did not write it already, e.g. with ``--probs``) and ``data_checks.feature_columns``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import show
from ..checks._graph_record import describe_graph
from ..checks._options import did_you_mean
from ..errors import DataFileError, InvalidParameterError, MissingColumnError
from ._audit_model import print_column_roles
from ._common import console, load_row_array, plain, renaming, split_csv_option

if TYPE_CHECKING:
    from ..checks.image_properties import ImageProperties
    from ..columns import ColumnRoles

MAX_ONE_HOT = 50
#: The value of ``--split-column`` that marks training rows (``find_data_issues``' default ``train_value``).
TRAIN_VALUE = "train"
#: The flags that set ``find_data_issues``' scaling options, for its check's messages.
SCALING_FLAGS = {"scaling": "--scaling", "label_scaling": "--label-scaling", "metric": "--metric"}


@dataclass
class DataChecksRun:
    """What ``audit`` needs to run the data checks after the label audit."""

    features: np.ndarray | pd.DataFrame | None  # --features' array, or the table's feature columns
    labels: pd.Series
    split: np.ndarray | None
    checks: list[str]
    k: int
    metric: str
    features_from: str
    roles: ColumnRoles | None = None
    feature_columns: dict[str, list[str]] | None = None
    label_scaling: str = "zscore"
    scaling: str = "auto"
    images: list | None = None  # --image-column's paths (the image checks)
    image_properties: ImageProperties | None = None  # the images, scored before the model is trained
    missing_cells: np.ndarray | None = None  # per row, the table's missing cells among the features' columns
    texts: pd.DataFrame | None = None  # the table's text columns (exact_duplicate compares them)
    texts_must_match: bool | None = None  # --texts-must-match / --no-texts-must-match; None: the automatic choice

    def apply(self, result: Any, probs: np.ndarray, summary: dict, random_state: int) -> pd.DataFrame:
        """Run the checks, add ``summary["data_checks"]``; return issues.csv (label audit + check columns)."""
        from ..checks import find_data_issues

        frame = result.to_frame()
        if not self.checks:
            return frame
        for notice in self._input_notices():
            console().print(f"notice: {plain(notice)}")
        with renaming({"k": "--k"}):  # a tiny table: the API lowers k with a warning, said here as --k
            found = find_data_issues(
                self.features,
                self.labels.to_numpy(),
                probs,
                checks=self.checks,
                k=self.k,
                split=self.split,
                metric=self.metric,
                random_state=random_state,
                impute=True,
                classes=result.classes,
                label_scaling=self.label_scaling,
                scaling=self.scaling,
                check_options=self._check_options(),
                images=self.images,
                texts=self.texts,
            )
        sections = found.summary_dict()
        self._count_missing_cells(sections)
        sections["features_from"] = self.features_from
        sections["texts_must_match"] = self.texts_must_match_record()
        if self.feature_columns is not None:
            sections["feature_columns"] = self.feature_columns
        summary["data_checks"] = sections
        self._report_roles(summary, found.info.get("feature_encoding"))
        extra = found.issues.drop(columns=[c for c in ("given_label", "predicted_label") if c in found.issues])
        extra.insert(0, "row", np.arange(len(extra)))
        print_check_lines(found, sections)
        return frame.merge(extra, on="row", how="left")

    def _count_missing_cells(self, sections: dict) -> None:
        """The null check's counts in the table's cells: a date column is five features and a
        categorical one an indicator per value, so the features' missing values overcount them."""
        info = sections.get("null", {}).get("info")
        if self.missing_cells is not None and isinstance(info, dict) and "missing_values" in info:
            info["rows_with_missing"] = int((self.missing_cells > 0).sum())
            info["missing_values"] = int(self.missing_cells.sum())

    def _check_options(self) -> dict[str, dict[str, Any]]:
        """Features made from the table's columns: the identifier check reports the table's columns
        (the ones the roles drop) rather than reading the made features (a date's year or day index),
        and a near duplicate's (or leak's) texts must match too when :meth:`texts_must_match_record` says so."""
        options: dict[str, dict[str, Any]] = {}
        if self.roles is not None:
            options["identifier_column"] = {"table_roles": self.roles}
        if self.image_properties is not None:
            options["image"] = {"properties": self.image_properties}
        if self.texts_must_match_record()["value"]:
            options |= {check: {"texts_must_match": True} for check in ("near_duplicate", "leakage")}
        return options

    def texts_must_match_record(self) -> dict[str, Any]:
        """``summary.json``'s ``data_checks.texts_must_match``: ``value`` and ``chosen_by``. Not given, on
        when the features are the table's own columns beside text columns (a 1-5 rating alone makes no near
        duplicate), off with --features (text embeddings find paraphrases whose words differ) or without texts."""
        if self.texts_must_match is not None:
            flag = "--texts-must-match" if self.texts_must_match else "--no-texts-must-match"
            return {"value": self.texts_must_match, "chosen_by": flag}
        auto = self.texts is not None and self.features_from == "table columns"
        return {"value": auto, "chosen_by": "auto"}

    def _input_notices(self) -> list[str]:
        """What the checks change in the user's input: imputed feature values (a --k lowered to the table
        is the API's warning, :func:`labelwise.checks._inputs.neighbour_count`)."""
        notices = []
        rows = _unfilled_rows(self.features)
        if rows.size:
            notices.append(
                f"the data checks filled missing or infinite feature values ({self.features_from}) in "
                f"{rows.size} rows (e.g. rows {rows[:5].tolist()}) with column medians; the null check scores them"
            )
        return notices

    def _report_roles(self, summary: dict, encoding: dict | None = None) -> None:
        """Column roles in summary.json and on screen, unless the model's already are (same roles)."""
        if self.roles is not None and "column_roles" not in summary:
            summary["column_roles"] = self.roles.to_dict()
            print_column_roles(summary["column_roles"])
            for notice in self.roles.notices:
                console().print(f"notice: {plain(notice)}")
        if self.feature_columns:  # one line: which columns were encoded how
            encoded = (encoding or {}).get("line", "").removeprefix("features: ")
            texts = self.feature_columns.get("text") or []
            parts = [encoded] if encoded else []
            parts += [f"texts, as written: {', '.join(_few(texts))}"] if texts else []
            console().print(f"data checks use the table's columns: {'; '.join(parts) or 'none'}", soft_wrap=True)


def print_check_lines(found: Any, sections: dict) -> None:
    """One console line per data check (flagged or skipped, with its finding) and the neighbour graph's line,
    for the audit in memory and at scale alike."""
    from ..report._checks_section import check_finding

    con = console()
    for row in found.summary.itertuples(index=False):
        line = f"{row.n_issues} flagged" if row.status == "ran" else f"skipped: {row.reason}"
        finding = check_finding(row.check, sections.get(row.check, {}))
        con.print(f"check [bold]{row.check}[/]: {line}" + (f"; {plain(finding)}" if finding else ""))
    graph = found.graph if found.graph is not None else found.label_graph
    if graph is not None:
        con.print(f"neighbour graph: {plain(describe_graph(graph))}", soft_wrap=True)  # one line, even in a pipe


def _few(names: list[str], most: int = 10) -> list[str]:
    """At most ``most`` names, then how many more."""
    return names if len(names) <= most else [*names[:most], f"and {len(names) - most} more"]


def _unfilled_rows(features: Any) -> np.ndarray:
    """The rows with a missing (or infinite) feature value: the checks fill them (``impute=True``)."""
    if isinstance(features, pd.DataFrame):  # the table's columns: a missing cell of any kind
        numbers = features.select_dtypes("number").to_numpy(dtype=np.float64)
        bad = features.isna().to_numpy().any(axis=1) | ~np.isfinite(numbers).all(axis=1)
        return np.flatnonzero(bad)
    if features is not None and features.dtype.kind == "f":
        return np.flatnonzero(~np.isfinite(features).all(axis=1))
    return np.array([], dtype=np.int64)


def checks_named(ctx: Any, param: Any, value: str | None) -> str | None:
    """The callback of ``--checks``: a list that names no check (``--checks ""``, ``--checks ,``) is a
    usage error, not a silent ``label``-only audit."""
    if value is not None and not split_csv_option(value):
        raise click.BadParameter(f"must name at least one check ('label' alone: the label issues only), got {value!r}")
    return value


def table_features(frame: pd.DataFrame) -> tuple[pd.DataFrame | None, ColumnRoles, dict[str, list[str]]]:
    """The check features of a table, its column roles, and which columns each part of them uses.

    The table's numeric, date (parsed with the roles' formats) and categorical columns (at most
    ``MAX_ONE_HOT`` values; as strings, but booleans as they are), as a DataFrame that
    ``find_data_issues`` encodes as it does the API's table (:mod:`labelwise.checks._table_features`:
    numbers as they are, a boolean one 0/1 number by the API's one rule, ``is_boolean``, five
    numbers per date, one-hot categories, a missing cell missing); None
    when the table has none of these (e.g. text only): the checks that need features are then
    skipped. The third value maps ``numeric``, ``date``, ``categorical`` (one-hot) and ``text`` to
    column names: ``text``, the columns the model reads that are not made numbers here (free text,
    high-cardinality and many-valued categorical columns), which ``exact_duplicate`` compares as
    written (:func:`table_texts`).
    """
    from ..checks._table_features import is_boolean
    from ..columns import infer_column_roles, to_datetime

    roles = infer_column_roles(frame)
    numeric, dates = roles.columns("numeric"), roles.columns("date")
    one_hot = [name for name in roles.columns("categorical") if frame[name].nunique() <= MAX_ONE_HOT]
    booleans = [name for name in one_hot if is_boolean(frame[name])]  # one number, as in the API
    one_hot = [name for name in one_hot if name not in booleans]
    numeric = [name for name in frame.columns if name in numeric or name in booleans]  # in the table's order
    parts = {
        name: frame[name] if name in booleans else pd.to_numeric(frame[name], errors="coerce").astype(float)
        for name in numeric
    }
    parts |= {name: to_datetime(frame[name], roles.date_formats.get(name)) for name in dates}
    parts |= {name: frame[name].astype("string") for name in one_hot}
    used = {"numeric": numeric, "date": dates, "categorical": one_hot}
    taken = {name for names in used.values() for name in names}
    used["text"] = [name for name in roles.used if name not in taken]  # compared as written by exact_duplicate
    features = pd.DataFrame(parts, index=frame.index) if parts else None
    return features, roles, {role: [str(n) for n in names] for role, names in used.items()}


def table_texts(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame | None:
    """The text columns ``names`` of ``frame`` as strings (missing cells kept missing), for
    ``exact_duplicate``: a text-only table is checked for repeated rows; beside features, a row
    is a duplicate only when its texts are the same too. None without text columns."""
    return frame[names].astype("string") if names else None


def prepare_data_checks(
    frame: pd.DataFrame,
    label: str | None,
    *,
    features_path: Path | None,
    split_column: str | None,
    checks: str | None,
    k: int,
    metric: str,
    label_scaling: str = "zscore",
    scaling: str = "auto",
    image_column: str | None = None,
    image_root: Path | None = None,
    quiet: bool = False,
    texts_must_match: bool | None = None,
) -> tuple[pd.DataFrame, DataChecksRun]:
    """Parse the options; return the frame for the model (without the split column) and the run.

    ``texts_must_match``: --texts-must-match (True) / --no-texts-must-match (False), None when not given
    (:meth:`DataChecksRun.texts_must_match_record`).
    ``image_column``: the column of image paths (relative to ``image_root``) the image checks read;
    they run by default only with it; the images are read here, before the model is trained (a
    progress bar on a terminal, unless ``quiet``).
    """
    from ..checks import CHECKS
    from ..checks._scaling import check_scaling_options

    names = split_csv_option(checks) if checks is not None else _default_checks(image_column is not None)
    unknown = [c for c in names if c not in CHECKS]
    if unknown:
        hint = did_you_mean(unknown[0], CHECKS)  # 'Outlier', 'near_duplicates'
        raise InvalidParameterError(f"--checks must be names among {list(CHECKS)}, got {unknown}{hint}")
    names = [c for c in names if c != "label"]  # the audit itself finds the label issues
    split = None
    if split_column is not None:
        if split_column not in frame.columns:
            raise MissingColumnError(
                f"--split-column {split_column!r} is not in the data; columns are {list(frame.columns)}"
            )
        split = frame[split_column].to_numpy()
        _check_split_column(split, split_column)
        frame = frame.drop(columns=[split_column])
    labels = frame[label] if label in frame.columns else pd.Series(dtype=object)
    check_scaling_options(scaling, label_scaling, metric=metric, names=SCALING_FLAGS)
    run = DataChecksRun(
        features=None,
        labels=labels,
        split=split,
        checks=names,
        k=k,
        metric=metric,
        features_from="none",
        label_scaling=label_scaling,
        scaling=scaling,
    )
    if image_column is not None and not any("images" in CHECKS[c].requires[0] for c in names):
        image_checks = [name for name, check in CHECKS.items() if "images" in check.requires[0]]
        raise InvalidParameterError(
            f"--image-column is read by the image checks ({', '.join(image_checks[:3])}, ...), got --checks "
            f"{','.join(names) or repr(checks)} without any (it would be ignored): add one, or leave --image-column out"
        )
    if image_column is not None:
        run.images = _image_paths(frame, image_column, label)
        run.image_properties = _read_images(run.images, image_column, image_root, quiet)
    if names and features_path is not None:
        run.features = load_row_array(Path(features_path), "--features", len(frame), width=("d", "d"))
        run.features_from = str(features_path)
    elif names and label in frame:
        # the image paths are read by the image checks, not made into features
        dropped = [label, *([image_column] if image_column is not None and image_column != label else [])]
        run.features, run.roles, run.feature_columns = table_features(frame.drop(columns=dropped))
        run.texts = table_texts(frame, run.feature_columns["text"])
        run.features_from = "table columns"
        used = [c for role, cols in run.feature_columns.items() if role != "not used" for c in cols]
        run.missing_cells = frame[used].isna().to_numpy().sum(axis=1) if used else None
    run.texts_must_match = _check_texts_must_match(texts_must_match, run)
    return frame, run


def _check_texts_must_match(value: bool | None, run: DataChecksRun) -> bool | None:
    """--texts-must-match/--no-texts-must-match given: refused when no check reads it, and --texts-must-match
    when there are no texts to match (--features, or a table without text columns)."""
    if value is None:
        return None
    flag = "--texts-must-match" if value else "--no-texts-must-match"
    readers = [c for c in ("near_duplicate", "leakage") if c in run.checks]
    if not readers:
        raise InvalidParameterError(
            f"{flag} is read by the near_duplicate and leakage checks, got --checks {','.join(run.checks) or 'label'} "
            "without either (it would be ignored): add one, or leave the option out"
        )
    if value and run.texts is None:
        got = (
            f"--features {run.features_from}"
            if run.features_from not in ("table columns", "none")
            else ("a table without text columns")
        )
        raise InvalidParameterError(
            f"{flag} needs the table's text columns beside its own columns as the features, got {got}: "
            "no texts to match; leave it out (or pass --no-texts-must-match)"
        )
    return value


def _image_paths(frame: pd.DataFrame, column: str, label: str | None) -> list[str]:
    """--image-column's cells: a file path on every row (text: a number or an empty cell is refused)."""
    if column == label:
        raise InvalidParameterError(f"--image-column must name another column than --label, got {column!r} for both")
    values = frame[column]
    bad = np.flatnonzero([not isinstance(v, str) or not v.strip() for v in values.tolist()])
    if bad.size:
        row = int(bad[0])
        got = "a missing cell" if pd.isna(values.iloc[row]) else show(values.iloc[row])
        raise InvalidParameterError(
            f"--image-column {column!r} must hold an image file path on every row, got {got} at row {row} "
            f"({bad.size} such row{'s' if bad.size > 1 else ''})"
        )
    return values.tolist()


def _read_images(paths: list[str], column: str, root: Path | None, quiet: bool) -> ImageProperties:
    """Score the images before the model is trained: a missing file or one that does not decode stops
    the run there, naming the row and the path (the image checks then use these scores)."""
    from ..checks.image_properties import image_properties

    for row, value in enumerate(paths):  # a missing file is named before any image is read
        path = Path(value) if root is None or Path(value).is_absolute() else root / value
        if not path.is_file():
            raise DataFileError(f"--image-column {column!r}: images[{row}]: no file {str(path)!r}")
    try:
        return image_properties(paths, root=root, verbose=False if quiet else None)
    except DataFileError as error:
        raise DataFileError(f"--image-column {column!r}: {error}") from None


def _default_checks(with_images: bool) -> list[str]:
    """The checks run without --checks: the default ones, and the image checks with --image-column."""
    from ..checks import CHECKS

    return [name for name, check in CHECKS.items() if check.default or (with_images and "images" in check.requires[0])]


def _check_split_column(values: np.ndarray, name: str) -> None:
    """The split column needs training rows (the value ``train``, or True) and evaluation rows, and no
    missing cells."""
    from ..checks._inputs import check_split_complete

    check_split_complete(values, f"--split-column {name!r}")
    distinct = pd.unique(values)
    if len(distinct) < 2:
        raise InvalidParameterError(
            f"--split-column {name!r} must mark training rows 'train' and evaluation rows (2 values at least), "
            f"got only {show(distinct[0])}"
        )
    if values.dtype != bool and not (values == TRAIN_VALUE).any():
        raise InvalidParameterError(
            f"--split-column {name!r} must mark training rows with the value {TRAIN_VALUE!r}, got values "
            f"{', '.join(show(v) for v in distinct[:10])}"
        )
