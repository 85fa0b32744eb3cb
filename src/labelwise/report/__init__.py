"""The HTML report of an audit or aggregation: one self-contained ``report.html``.

``write_report(out_dir)`` reads what ``labelwise audit`` (or ``labelwise aggregate``) wrote and
writes ``out_dir/report.html``: label health, the estimated noise matrix as a heatmap, issues per
class, the most confused class pairs, the distribution of label quality and the worst examples
with thumbnails, text or feature values; for aggregations, per-annotator accuracy and confusion
matrices, the annotators Dawid-Skene found copying, and the items with the most disagreement. The
folders of ``aggregate-tags``, ``aggregate-boxes``, ``aggregate-masks``, ``aggregate-numbers``,
``aggregate-texts``, ``aggregate-pairs`` and ``train-crowds`` get their command's view: what was decided, each
annotator's quality and the most contested items.
"""

from ..io.outputs import AggregateOutput, AuditOutput, load_aggregate, load_audit
from ._build import write_report

__all__ = ["AggregateOutput", "AuditOutput", "load_aggregate", "load_audit", "write_report"]
