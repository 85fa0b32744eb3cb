"""``labelwise aggregate-tags`` and ``aggregate-pairs`` on a Parquet file or folder, on Dask (``--scheduler``).

The rows are read partition by partition on the chosen scheduler
(:mod:`labelwise.aggregate._multilabel_blocks`, :mod:`labelwise.aggregate._pairwise_blocks`); the
commands write the same files and columns as on a table held in memory, with the scheduler and the
partitions added to summary.json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InvalidParameterError
from ..io.file_kind import parquet_fix
from ..io.paths import require_path
from ._scale import _PARQUET_PARTS, read_parquet_rows
from ._scheduler import SCHEDULERS_SAID

__all__ = ["SCHEDULER_HELP", "at_scale", "read_parquet_answers", "scale_settings"]

SCHEDULER_HELP = (
    f"Dask scheduler for a Parquet folder of answers, read partition by partition: {SCHEDULERS_SAID} (every --method)."
)


def at_scale(path: Path, spec: str | None) -> bool:
    """Whether the run reads ANSWERS by partitions: ``--scheduler`` given, or ANSWERS a folder."""
    return spec is not None or Path(path).is_dir()


def read_parquet_answers(path: Path, spec: str | None, what: str = "ANSWERS", rows: str = "answers") -> Any:
    """``what`` (the argument's name) as a dask DataFrame (nothing read yet); a table file that is not
    Parquet with ``--scheduler`` is refused naming the option, as ``labelwise aggregate`` refuses it."""
    require_path(path, parameter=what, kind=f"Parquet file or folder of {rows}")
    if Path(path).is_file() and Path(path).suffix.lower() not in _PARQUET_PARTS:
        raise InvalidParameterError(
            f"--scheduler needs {what} as Parquet (a file or a folder of parts), got {str(path)!r}: "
            f"{parquet_fix(path)}, or leave out --scheduler to aggregate it in memory"
        )
    return read_parquet_rows(Path(path), what)


def scale_settings(answers: Any, spec: str | None) -> dict[str, Any]:
    """summary.json's settings of a run by partitions: the scheduler and ANSWERS' partitions."""
    return {"scheduler": spec or "threads", "n_partitions": int(answers.npartitions)}
