"""The classification report's checks sections with data columns named as their own (``row``, ``outlier_score``,
``flagged``): each shown as ``data_<name>`` beside the row; before, the report crashed (the column existed)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tests.report.test_tasks import _audit, _report


def test_outliers_section_names_the_datas_row_outlier_score_and_flagged_columns_data_(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 2))
    frame = pd.DataFrame(
        {
            "row": [f"{i:03d}" for i in range(80)],
            "a": x[:, 0],
            "outlier_score": x[:, 1],
            "flagged": 1,
            "label": (x[:, 0] > 0).astype(int),
        }
    )
    frame.to_csv(tmp_path / "c.csv", index=False)
    page = _report(_audit(tmp_path, tmp_path / "c.csv", "--label", "label"))
    body = page.split('<section id="outliers">')[1].split("</section>")[0]
    head = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", body)
    assert head[:3] == ["row", "outlier_score", "flagged"]
    assert {"data_row", "data_outlier_score", "data_flagged"} <= set(head)
    cells = dict(zip(head, re.findall(r"<td[^>]*>(.*?)</td>", body.split("<tbody>")[1].split("</tr>")[0]), strict=True))
    assert cells["data_row"] == f"{int(cells['row']):03d}"  # the id as written
