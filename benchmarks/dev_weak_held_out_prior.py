"""Dev runs: the crowd prior kept or dropped by held-out vote prediction in ``weak.LabelModel`` (issue 15, part 2, session 11).

Exploratory, and **no rule was committed before it ran**. With missing abstains the labels come
from the MAP fit under the diagonal prior (strength 8); ``dev_weak_losses.py`` finds the model
behind crowd-kit's maximum-likelihood Dawid-Skene on the dense crowds (many votes per item), where
the prior costs. Variant ``held-out`` (``weak._em.PRIOR_CHOICE``, ``weak._loo``): take the
maximum-likelihood fit instead when it predicts each vote better from the item's other votes and
the voter's counts without that vote (leave-one-vote-out cross-validation, Stone 1974; Geisser
1975). It keeps the MAP fit on every dense crowd (the prior predicts held-out votes better there
by 6-756 nats, although the maximum-likelihood labels are more accurate), so it changes nothing
where it was aimed; dropped (benchmarks/RESULTS.md, issue 15, session 11). Per set: accuracy
(points) and CPU seconds of both::

    python benchmarks/dev_weak_held_out_prior.py [clique dense pair lookalike]

It needs the variant, which left ``src`` again: run it at commit 75d3fdc (branch weak13, the commit that added it).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_pair_check import sets  # noqa: E402

import labelwise.weak._em as em_mod  # noqa: E402
from labelwise.weak import LabelModel  # noqa: E402


def main() -> None:
    if not hasattr(em_mod, "PRIOR_CHOICE"):
        sys.exit("the held-out choice left src: run this script at the commit that added it")
    warnings.simplefilter("ignore")
    for family, name, votes, truth in sets(sys.argv[1:] or ["clique", "dense", "pair", "lookalike"]):
        g = truth.reindex(votes.items).to_numpy()
        out = {}
        for variant in ("map", "held-out"):
            em_mod.PRIOR_CHOICE = variant
            start = time.process_time()
            model = LabelModel().fit(votes)
            seconds = time.process_time() - start
            out[variant] = (round(100 * float(np.mean(model.labels_.to_numpy() == g)), 3), round(seconds, 3))
        print(family, name, out, flush=True)


if __name__ == "__main__":
    main()
