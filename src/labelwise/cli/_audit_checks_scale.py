"""The data checks of ``labelwise audit`` at scale: ``--checks`` beside ``--scheduler`` / ``--labels`` /
a ``.zarr`` ``--probs``, on DATA's own columns (or ``--features``).

The checks run through ``find_data_issues``, as the in-memory audit runs them. When DATA is Parquet
(a file or a folder of parts) and the audit runs on Dask (``--scheduler`` other than ``threads``, or
a ``.zarr`` ``--probs``), DATA is a dask DataFrame: its columns' roles are found from statistics
added up over the partitions (:mod:`._audit_columns_scale`), each partition is made the table the
in-memory audit hands the checks, and the API's dask path encodes it with one encoder fitted on the
whole table (:mod:`labelwise.checks._dask_table`); the graph and the per-row checks run on the
workers. So the flags are the in-memory audit's for any partitioning. Otherwise DATA is read in memory
and the in-memory audit's own code makes the features (:func:`._audit_checks.table_features`).
``--features`` (a ``.npy`` or ``.zarr``, one row per row of ``--probs``) replaces the table's columns;
on Dask it is read in row chunks by the workers.

Left as they are in memory but for one thing: ``--texts-must-match`` is not read (the API refuses it
beside dask features), so a near duplicate of the table's columns need not have the same texts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, MissingColumnError, ShapeMismatchError
from ._audit_checks import SCALING_FLAGS, _check_split_column, print_check_lines
from ._common import console, plain, renaming, split_csv_option

#: The seed of the checks' random steps: the in-memory audit's default ``--random-state``.
SEED = 0
#: The options the feature checks at scale read, besides --checks and --split-column.
FEATURE_OPTIONS = ("features_path", "n_neighbors", "metric", "label_scaling", "scaling")


def feature_checks_at_scale(checks: str | None) -> list[str] | None:
    """``--checks`` (``label``, the audit itself, aside) when it names a check that is not a text check:
    the checks to run; None when not given or text checks only. An unknown name is the in-memory error."""
    from ..checks import CHECKS
    from ..checks._options import did_you_mean
    from ._audit_text_scale import TEXT_CHECKS

    if checks is None:
        return None
    names = split_csv_option(checks)
    unknown = [c for c in names if c not in CHECKS]
    if unknown:
        raise InvalidParameterError(
            f"--checks must be names among {list(CHECKS)}, got {unknown}{did_you_mean(unknown[0], CHECKS)}"
        )
    names = [c for c in names if c != "label"]
    images = [c for c in names if "images" in CHECKS[c].requires[0]]
    if images:
        raise InvalidParameterError(
            f"--checks {','.join(images)} reads images (--image-column), which the audit at scale does not read; "
            "leave it out, or audit in memory (without --scheduler / --labels / a .zarr --probs)"
        )
    return names if any(c not in TEXT_CHECKS for c in names) else None


class FeatureChecksAtScale:
    """The data checks of an audit at scale: DATA read and its features made before the audit's passes
    (:meth:`prepare`), the checks run after them (:meth:`run`)."""

    def __init__(self, names: list[str], data: Path | None, label: str | None, options: dict[str, Any]) -> None:
        self.names, self.data, self.label, self.options = names, data, label, options
        self.features: Any = None
        self.texts: Any = None
        self.split: np.ndarray | None = None
        self.roles: Any = None
        self.feature_columns: dict[str, list[str]] | None = None
        self.missing: tuple[Any, Any] | None = None  # rows with a missing cell, missing cells (lazy or ints)
        self.features_from = "none"
        self.on_dask = False

    def prepare(self, lazy: bool, probs: Any) -> None:
        """Read DATA (a dask DataFrame when ``lazy`` and it is Parquet) and make the checks' inputs;
        ``probs``: the audit's, whose rows (and chunks) ``--features`` must match."""
        split_column, features_path = self.options.get("split_column"), self.options.get("features_path")
        frame: Any = self._read(lazy) if features_path is None or split_column is not None else None
        if frame is not None and split_column is not None:
            if split_column not in frame.columns:
                raise MissingColumnError(
                    f"--split-column {split_column!r} is not in the data; columns are {list(frame.columns)}"
                )
            column = frame[split_column]
            self.split = np.asarray(column.compute() if hasattr(column, "compute") else column)
            _check_split_column(self.split, split_column)
        if features_path is not None:
            self.features, self.features_from = _row_features(Path(features_path), probs, lazy), str(features_path)
            return
        skipped = (self.label, split_column, self.options.get("id_column"))  # --id-column: no feature, as in memory
        table = _without(frame, [c for c in skipped if c is not None and c in frame.columns])
        self.features_from = "table columns"
        if self.on_dask:
            self._dask_table(table)
        else:
            self._memory_table(table)

    def _read(self, lazy: bool) -> Any:
        """DATA: a dask DataFrame (Parquet, on Dask), else a pandas one."""
        path = Path(self.data) if self.data is not None else None
        if path is None or not (path.is_dir() or path.is_file()):
            raise InvalidParameterError(
                f"--checks {','.join(self.names)} at scale reads DATA's columns (or --features), got no DATA "
                "table: give DATA with --labels, or --features"
            )
        if lazy and (path.is_dir() or path.suffix.lower() in (".parquet", ".pq")):
            from ._scale import read_parquet_rows

            self.on_dask = True
            return read_parquet_rows(path, "DATA")
        from ._common import read_input

        return read_input(path, "DATA", text_columns=[self.label] if self.label else [])

    def _memory_table(self, table: Any) -> None:
        """The in-memory audit's features, roles and texts (:func:`._audit_checks.table_features`)."""
        from ._audit_checks import table_features, table_texts

        self.features, self.roles, self.feature_columns = table_features(table)
        self.texts = table_texts(table, self.feature_columns["text"])
        used = [c for cols in self.feature_columns.values() for c in cols]
        cells = table[used].isna().to_numpy().sum(axis=1) if used else np.zeros(len(table), dtype=np.int64)
        self.missing = (int((cells > 0).sum()), int(cells.sum()))

    def _dask_table(self, table: Any) -> None:
        """The roles from the partitions' statistics; each partition made the in-memory audit's table."""
        import dask

        from .._stage_progress import compute, stage
        from ..checks._table_stats import block_stats, merged
        from ._audit_columns_scale import column_plan, prepared

        with stage("data checks: column roles"):
            stats = merged(list(compute(*[dask.delayed(block_stats)(p) for p in table.to_delayed()])))
        plan = column_plan(stats, table.dtypes)
        self.roles, self.feature_columns = plan.roles, plan.feature_columns()
        kept = [c for c in self.feature_columns["numeric"] + plan.dates + plan.categorical]
        if kept:
            self.features = table.map_partitions(prepared, plan, meta=prepared(table._meta, plan))
        self.texts = table[plan.texts].astype("string") if plan.texts else None
        used = plan.used()
        cells = table[used].isna().sum(axis=1) if used else None
        self.missing = None if cells is None else ((cells > 0).sum(), cells.sum())

    def run(self, summary: dict, labels: Any, probs: Any, classes: Any) -> dict[str, np.ndarray]:
        """Run the checks; add ``summary["data_checks"]`` (and ``column_roles``), print a line per check,
        and return the per-row columns for issues.parquet (row order)."""
        from ..checks import find_data_issues

        o, match = self.options, self._texts_must_match()
        with renaming({"k": "--k", **{k: v for k, v in SCALING_FLAGS.items()}}):
            found = find_data_issues(
                self.features,
                labels,
                probs,
                checks=self.names,
                k=o["n_neighbors"],
                split=self.split,
                metric=o["metric"],
                random_state=SEED,
                impute=True,
                classes=classes,
                label_scaling=o["label_scaling"],
                scaling=o["scaling"],
                check_options=self._check_options(match["value"]),
                texts=self.texts,
            )
        issues = found.issues.compute() if hasattr(found.issues, "compute") else found.issues
        summary["data_checks"] = {**self._sections(found), "texts_must_match": match}
        self._print(found, summary)
        dropped = [c for c in ("given_label", "predicted_label") if c in issues.columns]
        return {str(c): issues[c].to_numpy() for c in issues.drop(columns=dropped).columns}

    def _texts_must_match(self) -> dict[str, Any]:
        """``data_checks.texts_must_match``: in memory, the in-memory audit's choice (on beside text
        columns); on Dask off (the API refuses it beside dask features), said on screen when it matters."""
        texts = self.texts is not None and self.features_from == "table columns"
        if not self.on_dask:
            return {"value": texts, "chosen_by": "auto"}
        if texts and any(c in self.names for c in ("near_duplicate", "leakage")):
            console().print(
                "notice: on Dask a near duplicate (or leak) of the table's columns need not have the same texts "
                f"too ({', '.join(self.feature_columns['text'] if self.feature_columns else [])}): the in-memory "
                "audit asks that (docs/scale.md)"
            )
        return {"value": False, "chosen_by": "on Dask: not read beside dask features"}

    def _check_options(self, texts_must_match: bool) -> dict[str, dict[str, Any]]:
        """The table's roles for ``identifier_column``; matching texts as the in-memory audit asks them."""
        options: dict[str, dict[str, Any]] = {}
        if self.roles is not None:
            options["identifier_column"] = {"table_roles": self.roles}
        if texts_must_match:
            options |= {c: {"texts_must_match": True} for c in ("near_duplicate", "leakage") if c in self.names}
        return options

    def _sections(self, found: Any) -> dict[str, Any]:
        """``summary.json``'s ``data_checks``: the in-memory audit's, and where the table was read."""
        from .._stage_progress import compute

        sections = found.summary_dict()
        info = sections.get("null", {}).get("info")
        if self.missing is not None and isinstance(info, dict) and "missing_values" in info:
            rows, cells = compute(*self.missing) if hasattr(self.missing[0], "compute") else self.missing
            info["rows_with_missing"], info["missing_values"] = int(rows), int(cells)
        sections["features_from"] = self.features_from
        if self.feature_columns is not None:
            sections["feature_columns"] = self.feature_columns
        sections["table_read"] = "dask, partition by partition" if self.on_dask else "in memory"
        return sections

    def _print(self, found: Any, summary: dict) -> None:
        """The column roles (as in memory), one line per check, and the graph's."""
        from ._audit_model import print_column_roles

        con = console()
        if self.roles is not None:
            summary["column_roles"] = self.roles.to_dict()
            print_column_roles(summary["column_roles"])
        if self.feature_columns is not None:  # one line: which columns were encoded how (the in-memory line)
            encoded = found.info.get("feature_encoding", {}).get("line", "").removeprefix("features: ")
            texts = self.feature_columns.get("text") or []
            parts = ([encoded] if encoded else []) + ([f"texts, as written: {', '.join(texts[:10])}"] if texts else [])
            con.print(f"data checks use the table's columns: {plain('; '.join(parts) or 'none')}", soft_wrap=True)
        print_check_lines(found, summary["data_checks"])


def _without(frame: Any, columns: list[str]) -> Any:
    """``frame`` without ``columns``; a dask frame's dropped in each partition: a projection of the read would
    let Dask read small parts as fewer partitions than it counts rows of (a ValueError in ``to_dask_array``)."""
    if not hasattr(frame, "map_partitions"):
        return frame.drop(columns=columns)
    return frame.map_partitions(_dropped, columns, meta=_dropped(frame._meta, columns))


def _dropped(part: Any, columns: list[str]) -> Any:
    """One partition without ``columns``."""
    return part.drop(columns=columns)


def _row_features(path: Path, probs: Any, lazy: bool) -> Any:
    """``--features``: a ``.npy`` (memory-mapped; on Dask read in ``probs``' row chunks by the workers) or a
    ``.zarr`` store, with one row per row of ``--probs``."""
    from ._scale import load_probs

    chunk_rows = int(max(probs.chunks[0])) if hasattr(probs, "chunks") and isinstance(probs.chunks[0], tuple) else None
    features = load_probs(path, chunk_rows, lazy=lazy, option="--features")
    if features.ndim != 2 or features.shape[0] != probs.shape[0]:
        raise ShapeMismatchError(
            f"--features must have shape (n_rows, d) = ({probs.shape[0]}, d) to match --probs, got {features.shape} "
            f"in {str(path)!r}"
        )
    return features if lazy or not hasattr(features, "compute") else features.compute()


def checks_at_scale(data: Path | None, label: str | None, options: dict[str, Any] | None) -> Any:
    """The data checks an audit at scale runs (``options``: ``--checks``, ``--split-column``, ``--id-column``
    (never checked) and :data:`FEATURE_OPTIONS`): :class:`FeatureChecksAtScale`, the text checks alone
    (:class:`._audit_text_scale.TextChecksAtScale`), or None."""
    from ._audit_text_scale import TextChecksAtScale, text_checks_at_scale

    options = options or {}
    names = feature_checks_at_scale(options.get("checks"))
    if names is not None:
        return FeatureChecksAtScale(names, data, label, options)
    texts = text_checks_at_scale(options.get("checks"))
    if texts is None:
        return None
    return TextChecksAtScale(texts, data, label, options.get("split_column"), options.get("id_column"))


def read_at_scale(checks: str | None) -> tuple[str, ...]:
    """The options of NOT_READ_AT_SCALE that ``--checks`` makes read: none, the text checks' or all the
    data checks' (:mod:`._audit_options`)."""
    from ._audit_text_scale import text_checks_at_scale

    if feature_checks_at_scale(checks) is not None:
        return ("checks", "split_column", *FEATURE_OPTIONS)
    return ("checks", "split_column") if text_checks_at_scale(checks) else ()
