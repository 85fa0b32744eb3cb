"""``labelwise export OUT_DIR --out cleaned.csv``: apply the review's decisions to the original data."""

from __future__ import annotations

from pathlib import Path

import click

from ..io import files_together
from ..io.paths import require_folder
from ._common import OutputFile, reading


@click.command("export")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    type=OutputFile(),
    default=None,
    help="Cleaned table (.csv, .tsv, .parquet, .jsonl); a change log is written beside it.",
)
@click.option(
    "--mark-excluded",
    is_flag=True,
    default=False,
    help="Keep excluded rows and add an `excluded` column instead of dropping them.",
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
    rows removed, plus a log of every change (<out>.changes.csv)."""
    from ..errors import InvalidParameterError
    from ..review.export import cleaned_paths, export_cleaned, export_label_studio, label_studio_paths

    if out is None and label_studio is None:
        raise InvalidParameterError(
            "export needs --out (cleaned table) and/or --label-studio (tasks file), got neither"
        )
    out_dir = require_folder(out_dir, parameter="OUT_DIR", kind="output folder")
    # Every target checked before the first is written: a bad --label-studio must not leave --out behind.
    if out is not None:
        cleaned_paths(out, force, name="--out")
    if label_studio is not None:
        label_studio_paths(label_studio, force, name="--label-studio")
    # The cleaned table, its change log and the tasks file are moved into place together: all or none.
    with reading("OUT_DIR"), files_together():
        res = export_cleaned(out_dir, out, mark_excluded=mark_excluded, force=force) if out is not None else None
        path = export_label_studio(out_dir, label_studio, force=force) if label_studio is not None else None
    if res is not None:
        click.echo(
            f"wrote {res.path} ({res.n_rows} rows: {res.n_relabelled} relabelled, {res.n_excluded} excluded"
            f"{' and marked' if mark_excluded else ' and removed'}, {res.n_kept} kept as given)"
        )
        click.echo(f"wrote {res.log_path} (change log, {len(res.changes)} reviewed examples)")
    if path is not None:
        click.echo(
            f"wrote {path} (Label Studio tasks) and {path.with_name(path.stem + '.label_config.xml')} (labeling config)"
        )
