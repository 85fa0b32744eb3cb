"""The report's cards of a classification audit's worst examples, each named by its row and, where the
audit was given ``--id-column``, by the data's id as the file writes it (``007``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..io.outputs import AuditOutput
from ._previews import Previewer

__all__ = ["audit_ids", "example_card"]


def audit_ids(audit: AuditOutput) -> tuple[str, pd.Series] | None:
    """The audit's ``--id-column`` (``settings["id_column"]``) and its cells, one per row of the data (as
    :func:`~labelwise.report._data_as_written.previewed_audit` reads them), or None without one."""
    name = audit.settings.get("id_column")
    data = audit.data
    if not name or data is None or str(name) not in [str(c) for c in data.columns]:
        return None
    column = next(c for c in data.columns if str(c) == str(name))
    return str(name), data[column].reset_index(drop=True)


def example_card(audit: AuditOutput, previewer: Previewer, rec: Any, ids: tuple[str, pd.Series] | None) -> str:
    """One worst example's card: its preview (image, text or features), labels and where it is."""
    from ._build import _e, _fmt, _img, _quality

    row = int(rec.row)
    named = "" if ids is None or row >= len(ids[1]) else f"{_e(ids[0])} {_e(ids[1].iloc[row])} &middot; "
    parts = [f'<div class="example" data-row="{row}">']
    if previewer.shows_image:
        png = previewer.thumbnail_png(row, max_side=128)
        if png is not None:
            parts.append(f'<div class="thumbbox">{_img(png, alt=f"example {row}", cls="thumb")}</div>')
        else:
            where = previewer.describe(row).get("path", "")
            parts.append(f'<div class="thumbbox"><span class="missing">image not readable: {_e(where)}</span></div>')
    elif previewer.text_column is not None:
        parts.append(f'<div class="text">{_e(previewer.text(row) or "")}</div>')
    if previewer.shows_features:
        feats = [(k, v) for k, v in previewer.features(row, limit=6) if k != previewer.text_column]
        if feats:
            rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(_fmt(v))}</td></tr>" for k, v in feats)
            parts.append(f'<table class="feats">{rows}</table>')
    if previewer.placeholder is not None:
        parts.append(f'<div class="thumbbox"><span class="missing">{_e(previewer.placeholder)}</span></div>')
    parts.append(
        '<div class="labels">'
        f'<span>given <span class="given">{_e(rec.given_label)}</span></span>'
        f'<span>suggested <span class="suggested">{_e(rec.suggested_label)}</span></span></div>'
        f'<div class="meta">{named}row {row} &middot; rank {int(rec.rank)} &middot; '
        f"quality {_quality(float(rec.label_quality))}</div>"
    )
    parts.append("</div>")
    return "".join(parts)
