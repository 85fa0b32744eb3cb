"""The text checks of ``labelwise audit`` at scale: ``--checks near_duplicate_text`` (and ``leakage`` with
``--split-column``) beside ``--scheduler`` / ``--labels`` / a ``.zarr`` ``--probs``.

The audit at scale trains no model and reads no features, so the data checks that need features do
not run there; the text checks need only the rows' texts. DATA's text columns (every column of
strings but ``--label`` and ``--split-column``) are read as a dask DataFrame, partition by partition,
when DATA is Parquet (a file or a folder of parts) and the audit runs on Dask (``--scheduler`` other
than ``threads``, or a ``.zarr`` ``--probs``): ``near_duplicate_text``'s MinHash passes then run on
the workers (:mod:`labelwise.checks._dask_text`, the in-memory pairs). Otherwise they are read in
memory. The check columns are written into ``issues.parquet`` beside the audit's, and
``summary.json`` gets ``data_checks`` as the in-memory audit's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from ..errors import InvalidParameterError, MissingColumnError
from ._audit_checks import _check_split_column
from ._common import console, plain, split_csv_option

#: The checks the audit at scale runs: they read texts (and the split), no features.
TEXT_CHECKS = ("near_duplicate_text", "leakage")
#: The seed of the MinHash signatures: the in-memory audit's default ``--random-state``.
SEED = 0


def text_checks_at_scale(checks: str | None) -> list[str] | None:
    """``--checks`` when it names only the text checks (``label``, the audit itself, aside): the checks
    to run at scale; None when it is not given or names another check (then refused as not read)."""
    if checks is None:
        return None
    names = [c for c in split_csv_option(checks) if c != "label"]
    return names if names and all(c in TEXT_CHECKS for c in names) else None


class TextChecksAtScale:
    """The text checks of an audit at scale: DATA's text columns (and split) read and checked before
    the audit's passes (:meth:`prepare`), run after them (:meth:`run`)."""

    def __init__(
        self,
        names: list[str],
        data: Path | None,
        label: str | None,
        split_column: str | None,
        id_column: str | None = None,
    ) -> None:
        self.names, self.data, self.label, self.split_column = names, data, label, split_column
        self.id_column = id_column  # --id-column: no text to check, as in memory
        self.texts: Any = None
        self.split: np.ndarray | None = None
        self.text_columns: list[str] = []
        self.on_dask = False

    def prepare(self, lazy: bool, probs: Any = None) -> None:
        """Read the text columns (a dask DataFrame when ``lazy`` and DATA is Parquet) and the split; refuse
        a run without texts, and ``leakage`` without ``--split-column`` (or the other way round). ``probs``
        is not read (the feature checks' :meth:`._audit_checks_scale.FeatureChecksAtScale.prepare` reads it)."""
        checks = ",".join(self.names)
        if self.data is None or not (Path(self.data).is_dir() or Path(self.data).is_file()):
            raise InvalidParameterError(
                f"--checks {checks} at scale reads DATA's text columns, got no DATA table: give DATA with --labels"
            )
        if ("leakage" in self.names) != (self.split_column is not None):
            raise InvalidParameterError(
                "--split-column and --checks leakage go together at scale (leakage compares evaluation rows "
                f"with training rows), got --checks {checks} "
                + ("with" if self.split_column is not None else "without")
                + " --split-column"
            )
        frame = self._read(lazy)
        strings = [
            str(c)
            for c, dtype in frame.dtypes.items()
            if c not in (self.label, self.split_column, self.id_column)
            and (pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype))
        ]
        if not strings:
            raise InvalidParameterError(
                f"--checks {checks} reads DATA's text columns (strings, besides --label), got none in "
                f"{str(self.data)!r}; columns are {[str(c) for c in frame.columns]}"
            )
        self.text_columns, self.texts = strings, frame[strings]
        if self.split_column is not None:
            if self.split_column not in frame.columns:
                raise MissingColumnError(
                    f"--split-column {self.split_column!r} is not in the data; columns are {list(frame.columns)}"
                )
            column = frame[self.split_column]
            self.split = np.asarray(column.compute() if hasattr(column, "compute") else column)
            _check_split_column(self.split, self.split_column)

    def _read(self, lazy: bool) -> Any:
        """DATA: a dask DataFrame (Parquet, on Dask), else a pandas one."""
        path = Path(self.data) if self.data is not None else Path()
        if lazy and (path.is_dir() or path.suffix.lower() in (".parquet", ".pq")):
            from ._scale import read_parquet_rows

            self.on_dask = True
            return read_parquet_rows(path, "DATA")
        from ..io.tables import read_table
        from ._na_values import given_na_values

        return read_table(path, text_columns=[self.label] if self.label else (), na_values=given_na_values())

    def run(self, summary: dict, *_: Any) -> dict[str, np.ndarray]:
        """Run the checks on the texts; add ``summary["data_checks"]``, print a line per check, and return
        the per-row columns for issues.parquet (the labels, probs and classes the feature checks read aside)."""
        from ..checks import find_data_issues
        from ..report._checks_section import check_finding

        found = find_data_issues(
            None, checks=self.names, texts=self.texts, split=self.split, random_state=SEED, impute=True
        )
        sections = found.summary_dict()
        sections["features_from"] = "none"
        sections["text_columns"] = self.text_columns
        sections["texts_read"] = "dask, partition by partition" if self.on_dask else "in memory"
        summary["data_checks"] = sections
        con = console()
        for row in found.summary.itertuples(index=False):
            line = f"{row.n_issues} flagged" if row.status == "ran" else f"skipped: {row.reason}"
            finding = check_finding(row.check, sections.get(row.check, {}))
            con.print(f"check [bold]{row.check}[/]: {line}" + (f"; {plain(finding)}" if finding else ""))
        return {str(c): found.issues[c].to_numpy() for c in found.issues.columns}
