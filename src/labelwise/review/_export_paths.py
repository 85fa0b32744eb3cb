"""Where ``labelwise export`` writes: the cleaned data, its change log and the Label Studio files, checked
before anything is written (suffix, not a folder, ``force``, never the audit folder's own files)."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InvalidParameterError
from ..io.atomic import written_suffix
from ..io.output_sets import AUDIT_OUTPUTS
from ..io.plain_text import COMPRESSIONS
from ._log_state import check_record_writable
from .store import DB_NAME
from .task_export import CLEANED_FORMATS

#: The suffixes of the cleaned table's formats (``export._write_table``).
WRITERS = {".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson"}


def _check_out(
    out: str | os.PathLike,
    force: bool,
    *,
    suffixes: set[str],
    name: str = "out",
    cli: bool = False,
    compressed: bool = False,
) -> Path:
    if not isinstance(out, (str, os.PathLike)):
        raise InvalidParameterError(f"{name} must be a file path, got {type(out).__name__}")
    path = Path(out).expanduser()
    suffix = path.suffix.lower()
    if compressed and suffix in COMPRESSIONS and suffix != ".zst" and written_suffix(path) is not None:
        suffix = Path(path.stem).suffix.lower()  # clean.csv.gz: write_table compresses a text format
    if suffix not in suffixes:
        more = " (a text format may be followed by .gz, .bz2, .xz or .zip)" if compressed else ""
        raise InvalidParameterError(f"{name} must end in one of {sorted(suffixes)}{more}, got {str(path)!r}")
    if path.is_dir():
        raise InvalidParameterError(f"{name} must be a file path, got the folder {str(path)!r}")
    if path.exists() and not force:
        hint = "--force" if cli else "force=True"  # the command line's option, or the function's parameter
        raise InvalidParameterError(f"{name} {str(path)!r} already exists; pass {hint} to overwrite it")
    return path


def change_log_path(out: Path) -> Path:
    """The default change log of the cleaned data ``out``: ``<out>.changes.csv`` beside it, a CSV's own
    ``.csv`` dropped. ``clean.csv`` keeps ``clean.changes.csv`` (the name ``labelwise evaluate
    --corrections FOLDER`` reads), ``clean.parquet`` gets ``clean.parquet.changes.csv``: exports of one
    review to several formats each keep their own log (one ``<stem>.changes.csv`` for all refused the
    second export, or with force replaced the first one's log)."""
    return out.with_name(f"{out.stem if out.suffix.lower() == '.csv' else out.name}.changes.csv")


def cleaned_paths(
    out: str | os.PathLike,
    force: bool,
    log: str | os.PathLike | None = None,
    *,
    name: str = "out",
    task: str | None = None,
) -> tuple[Path, Path]:
    """The cleaned data's and its change log's paths, checked (suffix, not a folder, ``force``)
    before anything is written; ``name`` is how messages call ``out`` (``--out`` on the command line).
    ``task`` (a task audit's) picks the suffixes of its data's format (:data:`CLEANED_FORMATS`)."""
    suffixes = WRITERS if task is None else set(CLEANED_FORMATS[task][2])
    cli = name != "out"
    path = _check_out(out, force, suffixes=suffixes, name=name, cli=cli, compressed=task is None)
    log_path = Path(log) if log is not None else change_log_path(path)
    log_path = _check_out(
        log_path, force, suffixes={".csv"}, name=f"the change log of {name}" if cli else "log", cli=cli
    )
    if log_path.resolve() == path.resolve():
        raise InvalidParameterError(f"log must differ from {name}, both are {str(path)!r}")
    check_record_writable(log_path, force)  # <log>.review.json, written beside it (review._log_state)
    return path, log_path


#: The audit folder's own files (its outputs, the review's decisions, the report): never an export's target.
AUDIT_FOLDER_FILES = (*AUDIT_OUTPUTS, DB_NAME, "report.html")


def refuse_audit_file(out_dir: str | os.PathLike, target: Path, name: str) -> None:
    """Refuse, even with ``force``, an export ``target`` that is one of ``out_dir``'s own files: over
    ``issues.csv`` (or ``summary.json``, ``review.sqlite``...) the audit could no longer be read, nor its
    review resumed."""
    own = {(Path(out_dir) / f).resolve() for f in AUDIT_FOLDER_FILES}
    if target.resolve() in own:
        raise InvalidParameterError(
            f"{name} {str(target)!r} is the audit folder's own {target.name}; write to another file: over it, "
            "the audit (and its review) could no longer be read"
        )


def refuse_audited_data(audited: Path | None, target: Path, name: str) -> None:
    """Refuse, even with ``force``, an export ``target`` that is the data the audit read (``audited``) or,
    when that data is a folder (of Parquet parts), any file inside it: there the file would become part of
    the user's table (a new part the next read of the folder takes in), and the audit folder would describe
    rows that are not the data. The audit's output folder is not refused (only its own files, see
    :func:`refuse_audit_file`): an export beside the audit is how ``evaluate --corrections`` finds its log."""
    if audited is None:
        return
    data, where = audited.resolve(), target.resolve()
    if where == data:
        raise InvalidParameterError(
            f"{name} {str(target)!r} is the data this audit read; write to another file: over it, the "
            "audit folder would describe rows that are gone"
        )
    if data.is_dir() and data in where.parents:
        raise InvalidParameterError(
            f"{name} {str(target)!r} is inside {str(audited)!r}, the data folder this audit read; write "
            "outside that folder: in it the file would become part of the data (a new part of the table)"
        )


def label_studio_paths(out: str | os.PathLike, force: bool, *, name: str = "out") -> tuple[Path, Path]:
    """The Label Studio tasks file's and its labeling config's paths, checked like :func:`cleaned_paths`."""
    cli = name != "out"
    path = _check_out(out, force, suffixes={".json"}, name=name, cli=cli)
    config = path.with_name(f"{path.stem}.label_config.xml")
    return path, _check_out(config, force, suffixes={".xml"}, name=f"the label config of {name}", cli=cli)
