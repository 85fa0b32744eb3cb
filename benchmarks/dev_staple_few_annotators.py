"""STAPLE with three or fewer annotators: the default against other starts, pools and the majority vote
(session 34, rest34: no default change). Simulated masks, dev seeds 100-109, 30 items of 64 px.

    python benchmarks/dev_staple_few_annotators.py
"""

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from bench_masks import scores

from labelwise.aggregate import STAPLE, MaskMajorityVote
from labelwise.aggregate._masks_simulate import simulate_masks

options = {
    "STAPLE default (init=0.99)": lambda: STAPLE(),
    "STAPLE init=0.9": lambda: STAPLE(init=0.9),
    "STAPLE init=0.8": lambda: STAPLE(init=0.8),
    "STAPLE pool=item prior=item": lambda: STAPLE(pool="item", prior="item"),
    "MaskMajorityVote": lambda: MaskMajorityVote(),
}
rows = []
for seed in range(100, 110):
    for n_ann, spam in ((2, 0), (3, 0), (3, 1), (5, 1)):
        masks, truth = simulate_masks(
            30, 64, n_ann, n_spammers=spam, missing=0.0 if n_ann == 2 else 0.1, random_state=seed
        )
        for name, make in options.items():
            m = make().fit(masks)
            rows.append(
                {"option": name, "setting": f"64px x{n_ann} ({spam} spammer)", "dice": scores(m.masks_, truth)["dice"]}
            )
t = pd.DataFrame(rows).pivot_table(index="option", columns="setting", values="dice", aggfunc="mean")
print(t.round(4).to_string())
w = pd.DataFrame(rows)
base = w[w.option == "STAPLE default (init=0.99)"].reset_index(drop=True)
for name in options:
    o = w[w.option == name].reset_index(drop=True)
    print(
        name,
        "better than default in",
        int((o.dice > base.dice + 1e-9).sum()),
        "worse in",
        int((o.dice < base.dice - 1e-9).sum()),
        "of",
        len(o),
    )
