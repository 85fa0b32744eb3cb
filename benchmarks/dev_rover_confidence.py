"""Dev: ROVER's confidence-weighted vote (alpha, null_confidence) on dev seed 7 (2,000 items), to
choose the values ``bench_texts.py`` runs with; never on the benchmark's seed (2026).

Usage::

    python benchmarks/dev_rover_confidence.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from labelwise.aggregate import ROVER, word_error_rate  # noqa: E402
from labelwise.aggregate._rover_simulate import simulate_transcriptions  # noqa: E402

DEV_SEED = 7


def main() -> None:
    answers, truth = simulate_transcriptions(
        2000, (0.05, 0.1, 0.2, 0.3, 0.4), n_spammers=1, confidence_noise=0.1, random_state=DEV_SEED
    )
    rows = []
    for alpha in (1.0, 0.75, 0.5, 0.25):
        for null in (0.0, 0.25, 0.5, 0.75) if alpha < 1 else (0.0,):
            for score in ("average", "max") if alpha < 1 else ("average",):
                texts = ROVER(alpha=alpha, null_confidence=null, confidence_score=score).fit(answers).texts_
                wer = word_error_rate(truth.tolist(), texts.loc[truth.index].tolist())
                rows.append({"alpha": alpha, "null_confidence": null, "confidence_score": score, "wer": wer})
    print(pd.DataFrame(rows).sort_values("wer").to_string(index=False, float_format="%.4f"))


if __name__ == "__main__":
    main()
