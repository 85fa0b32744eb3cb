"""The real crowd sets of ``../shared/data/crowd`` that the aggregation benchmarks read (scripts run from this folder)."""

from __future__ import annotations

#: Folder names under the crowd data directory, in the order the benchmarks report them.
REAL_CROWD_SETS = [
    "d_Duck_Identification",
    "s4_Dog_data",
    "s4_Face_Sentiment_Identification",
    "smem_rte",
    "CF",
    "MS",
    "SP_amt",
    "ZenCrowd_us",
    "cifar10n_slots",
]
