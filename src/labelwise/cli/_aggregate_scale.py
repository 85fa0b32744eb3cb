"""``labelwise aggregate`` on a Parquet file or folder of answers, on Dask (``--scheduler``).

The command calls :func:`aggregate_at_scale` first; it returns ``None`` when the ordinary
in-memory path applies (no ``--scheduler`` and no directory input). It writes the same files and
columns as the in-memory command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .._heavy import pandas as pd
from .._stage_progress import stage, stages
from ..errors import InvalidParameterError
from ..io import files_together, write_csv, write_json
from ..io.annotations.long import missing_columns_error
from ..io.file_kind import parquet_fix
from ..io.paths import require_path
from ._scale import _PARQUET_PARTS, read_parquet_rows, scheduler
from ._wrote import wrote_text

#: ``labelwise aggregate`` options the distributed fit does not use, by their parameter names.
_NOT_AT_SCALE = {"gold": "--gold", "probs_path": "--probs", "unsure": "--unsure", "declared": "--classes (--labels)"}


def _distributed_estimator(estimator: Any) -> tuple[Any, dict[str, Any]]:
    """``estimator`` with the command's ``--param`` and column options, and the ``--param`` values (as
    the in-memory command records them in ``settings.params``); an error naming the option for what
    the distributed fit does not do (rather than an error naming the estimator's own parameter, or an
    option silently left out)."""
    import click

    from ..aggregate import METHODS, DawidSkene, MajorityVote, OneCoinDawidSkene
    from ._aggregate_params import method_params

    ctx = click.get_current_context(silent=True)
    options = ctx.params if ctx is not None else {}
    where = "with a Parquet folder of answers or --scheduler (the distributed fit)"
    if not isinstance(estimator, (MajorityVote, DawidSkene, OneCoinDawidSkene)):
        raise InvalidParameterError(
            f"--method must be majority-vote, dawid-skene or one-coin {where}, got {options.get('method')!r}"
        )
    given = [flag for name, flag in _NOT_AT_SCALE.items() if options.get(name)]
    if options.get("fmt") not in (None, "auto", "long"):
        given.append(f"--format {options['fmt']}")
    if given:
        raise InvalidParameterError(f"{', '.join(given)} cannot be used {where}; run on a table file for them")
    if estimator.duplicates != "keep":
        raise InvalidParameterError(f"--duplicates must be keep {where}, got {estimator.duplicates!r}")
    method = next(name for name, cls in METHODS.items() if cls is type(estimator))
    params = method_params(method, options.get("params") or ())
    estimator.set_params(**params)
    columns = {"item_col": "item_column", "annotator_col": "annotator_column", "label_col": "label_column"}
    return estimator.set_params(**{k: options[v] for k, v in columns.items() if options.get(v)}), params


def aggregate_at_scale(
    path: Path | None,
    estimator: Any,
    *,
    spec: str | None,
    out: Path,
    quiet: bool = False,
    superseded: Iterable[Path] = (),
) -> dict[str, Any] | None:
    """Aggregate a Parquet directory (item, annotator, label) on the chosen scheduler; one progress bar
    per stage on a terminal, none with ``quiet``; ``superseded``: the earlier outputs the files replace."""
    if spec is None and not (path is not None and Path(path).is_dir()):
        return None
    if path is None:
        raise InvalidParameterError("PATH is required: a Parquet file or folder of answers (item, annotator, label)")
    require_path(path, parameter="PATH", kind="Parquet file or folder of answers")
    if Path(path).is_file() and Path(path).suffix.lower() not in _PARQUET_PARTS:
        raise InvalidParameterError(
            f"--scheduler needs PATH as Parquet (a file or a folder of parts), got {str(path)!r}: "
            f"{parquet_fix(path)}, or leave out --scheduler to aggregate it in memory"
        )
    from ..aggregate import METHODS, distributed
    from ._aggregate_outputs import (
        annotators_json,
        dependence_line,
        fit_summary,
        labels_frame,
        size_summary,
        vote_entropy,
    )
    from ._aggregate_outputs import input_record as _input_record

    answers = read_parquet_rows(Path(path), "PATH")  # PATH's problems first, then the options'
    estimator, params = _distributed_estimator(estimator)
    names = [estimator.item_col, estimator.annotator_col, estimator.label_col]
    if any(name not in answers.columns for name in names):
        raise missing_columns_error(Path(path), names, list(answers.columns))
    agreement: dict[str, Any] = {}
    partitions: dict[str, int] = {}
    with scheduler(spec):
        est = distributed.fit(
            estimator, answers, agreement=agreement, verbose=False if quiet else None, partitions=partitions
        )
        counts = answers.groupby([estimator.item_col, estimator.label_col]).size().compute()  # item x label
    # the same files and columns as the in-memory command writes (labelwise.io.load_aggregate reads them)
    method = next(name for name, cls in METHODS.items() if cls is type(est))
    # + 0.0: an item whose answers all agree has entropy -0.0 here (-1 * log 1); 0.0, as in memory
    labels = labels_frame(est, None, agreement["item"], vote_entropy(counts) + 0.0)
    per = agreement["annotator"]
    skill = est.annotator_skill_.reindex(per.index).to_numpy()
    annotators = pd.DataFrame(
        {"annotator": per.index, "answers": per["answers"], "accuracy": skill, "agreement": per["agreement"]}
    )
    summary = {
        **fit_summary(est, method),
        **size_summary(est),
        "loss_history": [float(v) for v in est.loss_history_],
        "input": _input_record(path, "parquet-parts" if Path(path).is_dir() else "long", *names),
        "settings": {
            "path": str(path),
            "scheduler": spec or "threads",
            "params": params,  # --param, as the in-memory command records it
            # what ran: PATH's partitions, those under about 1 MiB merged (labelwise._chunk_floor)
            "n_partitions": partitions["shuffled"],
            "n_partitions_given": partitions["given"],
        },
    }
    writes: list[tuple[Callable[[Any, Path], Any], Any, str]] = [
        (write_csv, labels, "labels.csv"),
        (write_csv, annotators.reset_index(drop=True), "annotators.csv"),
        (write_json, annotators_json(est, method, annotators), "annotators.json"),
        (write_json, summary, "summary.json"),
    ]
    with stages(False if quiet else None), stage("writing labels.csv and 3 more", total=len(writes)) as shown:
        with files_together(supersedes=superseded):
            for write, value, name in writes:
                write(value, Path(out) / name)
                if shown is not None:
                    shown.advance()
    from ._common import console, plain

    console().print(
        f"{summary['n_items']} items, {summary['n_answers']} answers ({summary['method']}, "
        f"{summary['iterations']} iterations, {_said_partitions(partitions)}); "
        + wrote_text(Path(out) / name for _, _, name in writes)
    )
    if (dependence := dependence_line(summary)) is not None:
        console().print(plain(dependence))
    return summary


def _said_partitions(partitions: dict[str, int]) -> str:
    """``3 partitions, merged from 600`` (or ``4 partitions`` when none was merged)."""
    n, given = partitions["shuffled"], partitions["given"]
    said = f"{n:,} partition{'s' if n != 1 else ''}"
    return said if n == given else f"{said}, merged from {given:,}"
