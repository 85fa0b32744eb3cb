"""An audit's per-example table: ``issues.csv``, or the ``issues.parquet`` of an audit at scale.

``labelwise audit`` writes ``issues.csv`` worst first with a ``rank`` column; ``labelwise audit
--probs ... --labels ...`` (:mod:`labelwise.cli._scale`) writes ``issues.parquet`` partition by
partition in row order, without ``rank``, since a rank needs a global sort. The report, the review
app and export read either: the rank is then recomputed as :meth:`labelwise.audit.LabelIssues.rank`
defines it (flagged rows first, each group by label quality, ties by row).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np

from .._heavy import pandas as pd
from ..errors import DataFileError

__all__ = ["ISSUES_FILES", "issues_file", "read_issues"]

#: The names an audit's per-example table may have, in the order they are looked for.
ISSUES_FILES = ("issues.csv", "issues.parquet")


def issues_file(out_dir: Path) -> Path | None:
    """The per-example table in ``out_dir`` (``issues.csv``, else ``issues.parquet``), or None."""
    csv, parquet = (out_dir / name for name in ISSUES_FILES)
    if csv.is_file():
        return csv
    return parquet if parquet.exists() else None


def read_issues(path: Path, leave_out: Collection[str] = ()) -> pd.DataFrame:
    """Read an audit's per-example table; a Parquet table without ``rank`` gets it computed.

    ``leave_out``: columns not read (a reader of a million-row table that never uses them, ``labelwise
    export``, leaves the audit's scores unread); a rank is computed only from columns read.

    Raises
    ------
    DataFileError
        If the file cannot be read as its kind.
    """
    skip = set(leave_out)
    if path.suffix != ".parquet":
        try:
            return pd.read_csv(
                path,
                dtype={"given_label": str, "suggested_label": str},
                keep_default_na=False,
                usecols=(lambda name: name not in skip) if skip else None,
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise DataFileError(f"{str(path)!r} could not be read: {exc}") from None
    try:
        frame = pd.read_parquet(path, columns=[n for n in _parquet_names(path) if n not in skip] if skip else None)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise DataFileError(f"{str(path)!r} could not be read as Parquet: {exc}") from None
    if "rank" not in frame.columns and {"row", "label_quality", "is_issue"} <= set(frame.columns):
        frame = frame.reset_index(drop=True)
        frame["rank"] = worst_first_ranks(
            frame["row"].to_numpy(np.int64), frame["label_quality"].to_numpy(float), frame["is_issue"].to_numpy(bool)
        )
    return frame


def _parquet_names(path: Path) -> list[str]:
    """The column names of the Parquet file (or folder of parts) ``path``, read from its schema alone."""
    import pyarrow.dataset as ds

    return list(ds.dataset(str(path), format="parquet").schema.names)


def worst_first_ranks(row: np.ndarray, quality: np.ndarray, is_issue: np.ndarray) -> np.ndarray:
    """Rank of each entry (1 = worst): flagged first, then by label quality, ties by row."""
    order = np.lexsort((row, quality, ~is_issue))
    ranks = np.empty(row.shape[0], dtype=np.int64)
    ranks[order] = np.arange(1, row.shape[0] + 1)
    return ranks
