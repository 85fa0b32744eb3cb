"""Review what an audit flagged: a local web app, its SQLite store of decisions, and exports.

- :func:`create_app` builds the FastAPI app over an audit's output folder (``labelwise review``),
  or an aggregation's (``labelwise aggregate``, ``aggregate-tags``: :mod:`labelwise.review.folders`).
- :class:`DecisionStore` keeps every decision (keep / relabel / exclude) in ``review.sqlite``.
- :func:`export_cleaned` writes the original data with the decisions applied plus a change log
  (``labelwise export``), for a task audit in the data's own format
  (:mod:`labelwise.review.task_export`); :func:`export_label_studio` writes the flagged examples
  as Label Studio tasks with the suggested label as a prediction.
- :func:`keep_one_of_duplicates` keeps one row of a duplicate set found by the data checks and
  excludes the others (the review page's "keep this, drop the others").
"""

from .duplicates import CheckIndex, keep_one_of_duplicates
from .export import ExportResult, cleaned_table, export_cleaned, export_label_studio, label_studio_tasks
from .store import DB_NAME, Decision, DecisionStore


def create_app(out_dir, **kwargs):
    """Build the review web app (needs the ``web`` extra); see :func:`labelwise.review.app.create_app`."""
    from .app import create_app as _create_app

    return _create_app(out_dir, **kwargs)


__all__ = [
    "DB_NAME",
    "CheckIndex",
    "Decision",
    "DecisionStore",
    "ExportResult",
    "cleaned_table",
    "create_app",
    "export_cleaned",
    "export_label_studio",
    "keep_one_of_duplicates",
    "label_studio_tasks",
]
