"""``labelwise export OUT_DIR --out cleaned.csv``: apply the review's decisions to the original data."""

from __future__ import annotations

from pathlib import Path

import click

from ..io import files_together
from ..io.paths import require_folder
from ._common import OutputFile, reading, renaming


@click.command("export")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    type=OutputFile(),
    default=None,
    help="Cleaned table (.csv, .tsv, .parquet, .jsonl; a text format may end in .gz, .bz2, .xz or .zip to be "
    "written compressed); for an `audit --task` folder the data in its own "
    "format (token: .conll, detection: .json, segmentation: a manifest table). A change log is written beside it.",
)
@click.option(
    "--mark-excluded",
    is_flag=True,
    default=False,
    help="Keep excluded rows and add an `excluded` column instead of dropping them (CoNLL: a `# excluded = true` "
    "line above the sentence; COCO: `excluded: true` on the image).",
)
@click.option(
    "--label-studio",
    "label_studio",
    type=OutputFile(),
    default=None,
    help="Also write the flagged examples as a Label Studio import file (.json).",
)
@click.option("--force", is_flag=True, default=False, help="Overwrite existing output files.")
def export(out_dir: Path, out: Path | None, mark_excluded: bool, label_studio: Path | None, force: bool) -> None:
    """Write the original data of the audit in OUT_DIR with reviewed labels applied and excluded
    rows removed, plus a log of every change (<out>.changes.csv, a CSV's .csv dropped: clean.csv ->
    clean.changes.csv, clean.parquet -> clean.parquet.changes.csv).

    For a task audit (audit --task) the data keeps its format and excluded units are dropped: rows
    of a multilabel or regression table, sentences of a CoNLL file holding an excluded token, images
    (and their annotations) of a COCO file; segmentation writes a manifest of the kept masks.
    For a `labelwise aggregate` (or `aggregate-tags`) folder it writes its labels.csv (same columns)
    with the reviewed labels and without the excluded items."""
    from ..errors import InvalidParameterError
    from ..io.outputs import load_audit
    from ..review._export_paths import cleaned_paths, label_studio_paths, refuse_audit_file, refuse_audited_data
    from ..review._log_state import record_path
    from ..review.export import export_cleaned, export_label_studio
    from ..review.task_export import audit_task, cleaned_format, refuse_label_studio

    if out is None and label_studio is None:
        raise InvalidParameterError(
            "export needs --out (cleaned table) and/or --label-studio (tasks file), got neither"
        )
    out_dir = require_folder(out_dir, parameter="OUT_DIR", kind="output folder")
    task = audit_task(out_dir)
    # Every target checked before the first is written: a bad --label-studio must not leave --out behind.
    if label_studio is not None:
        refuse_label_studio(out_dir, name="--label-studio")
    if out is not None:
        for target in cleaned_paths(out, force, name="--out", task=cleaned_format(out_dir) if task else None):
            refuse_audit_file(out_dir, target, "--out" if target == Path(out) else "the change log of --out")
    if label_studio is not None:
        with reading("OUT_DIR"):  # a plain audit here: refuse_label_studio passed
            audited = load_audit(out_dir, with_data=False).data_path
        for target in label_studio_paths(label_studio, force, name="--label-studio"):
            refuse_audit_file(out_dir, target, "--label-studio")
            refuse_audited_data(audited, target, "--label-studio")
    # The cleaned data, its change log and the tasks file are moved into place together: all or none.
    with reading("OUT_DIR"), files_together(), renaming({"out": "--out"}):
        res = export_cleaned(out_dir, out, mark_excluded=mark_excluded, force=force) if out is not None else None
        path = export_label_studio(out_dir, label_studio, force=force) if label_studio is not None else None
    if res is not None:
        if task is None:
            click.echo(
                f"wrote {res.path} ({res.n_rows} rows: {res.n_relabelled} relabelled, {res.n_excluded} excluded"
                f"{' and marked' if mark_excluded else ' and removed'}, {res.n_kept} kept as given)"
            )
        else:
            click.echo(
                f"wrote {res.path} ({task} audit, {res.n_rows} {res.unit}: "
                + (
                    f"{res.n_excluded} excluded and marked"
                    if mark_excluded
                    else f"{res.n_removed} removed for {res.n_excluded} excluded"
                )
                + f", {res.n_kept} kept as given)"
            )
        click.echo(
            f"wrote {res.log_path} (change log, {len(res.changes)} reviewed {'examples' if task is None else 'units'}"
            f"{_named_by(res.id_column) if task is None or res.id_column is not None else ''})"
        )
        record = record_path(res.log_path)  # where the review is: evaluate checks the log is current from anywhere
        click.echo(f"wrote {record} (where its review.sqlite is, for `labelwise evaluate --corrections`)")
    if path is not None:
        click.echo(
            f"wrote {path} (Label Studio tasks) and {path.with_name(path.stem + '.label_config.xml')} (labeling config)"
        )


def _named_by(id_column: str | None) -> str:
    """What names each example of an audit's change log: the data's id column beside the row, or the row alone."""
    if id_column is not None:
        return f", each with its row and its id in the column {id_column!r}"
    return ", named by row only: the data has no id column, so the row (from 0, in the data's order) is the id"
