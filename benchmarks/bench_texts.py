"""Benchmark: labelwise's ROVER vs crowd-kit 1.4.2's ``ROVER`` on simulated transcription crowds.

Each item has a true sentence of 5-15 words from a Zipf-like vocabulary of 1,000 words; each
annotator copies it with its own word error rate (substitutions, deletions and insertions), and one
spammer writes random words (``labelwise.aggregate._rover_simulate``). Both ROVERs fit the same
table in the same run with the same tokenizer (``str.split``), detokenizer (``" ".join``) and
answer order (the table's). Printed per crowd: the corpus word error rate against the truth of
labelwise's text, crowd-kit's, the best single annotator's (the one with the lowest rate, chosen
knowing the truth) and a random annotator's per item; how many items get identical strings; fit
times and their ratio. crowd-kit runs up to ``--peer-max`` items (its pure-Python alignment takes
minutes beyond).

ROVER has no tuned parameter: nothing was chosen on this script's data (seed 2026; the random
annotator baseline draws with seed 2027). One more column, ``wer_weighted``, is labelwise's
confidence-weighted vote (the paper's ``alpha * N(w) / N + (1 - alpha) * C(w)``) on a simulated
per-answer confidence (one minus the answer's share of wrong words, plus noise of s.d. 0.1; the
spammer's uniform on [0.6, 1]), with ``alpha=0.75, null_confidence=0.25`` chosen on dev seed 7
(``benchmarks/dev_rover_confidence.py``).

Usage::

    python benchmarks/bench_texts.py                      # the crowds below, crowd-kit to 10k items
    python benchmarks/bench_texts.py --sizes 100 1000 --peer-max 1000
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _machine import cpu_model  # noqa: E402

from labelwise.aggregate import ROVER, word_error_rate  # noqa: E402
from labelwise.aggregate._rover_simulate import simulate_transcriptions  # noqa: E402

SEED = 2026
#: The confidence-weighted vote's parameters, chosen on dev seed 7 (dev_rover_confidence.py).
WEIGHTED = {"alpha": 0.75, "null_confidence": 0.25}
#: Crowds: name -> the annotators' word error rates (one spammer is added to each).
CROWDS = {
    "3 annotators": (0.1, 0.2, 0.4),
    "5 annotators": (0.05, 0.1, 0.2, 0.3, 0.4),
    "7 annotators": (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4),
}


def _baselines(answers: pd.DataFrame, truth: pd.Series, rng: np.random.Generator) -> tuple[float, float]:
    """WER of the best single annotator (known from the truth) and of a random answer per item."""
    rates = [
        word_error_rate(truth.loc[group.item].tolist(), group.text.tolist())
        for _, group in answers.groupby("annotator")
    ]
    picked = answers.groupby("item").sample(n=1, random_state=rng).sort_values("item")
    return min(rates), word_error_rate(truth.loc[picked.item].tolist(), picked.text.tolist())


def run(name: str, rates: tuple[float, ...], n_items: int, peer: bool) -> dict:
    answers, truth = simulate_transcriptions(n_items, rates, n_spammers=1, confidence_noise=0.1, random_state=SEED)
    best, rand = _baselines(answers, truth, np.random.default_rng(SEED + 1))
    start = time.perf_counter()
    ours = ROVER().fit(answers).texts_
    t_ours = time.perf_counter() - start
    row = {
        "crowd": name,
        "items": n_items,
        "answers": len(answers),
        "wer_labelwise": word_error_rate(truth.tolist(), ours.loc[truth.index].tolist()),
        "wer_weighted": word_error_rate(
            truth.tolist(), ROVER(**WEIGHTED).fit(answers).texts_.loc[truth.index].tolist()
        ),
        "wer_crowdkit": np.nan,
        "wer_best_annotator": best,
        "wer_random_annotator": rand,
        "identical": "",
        "s_labelwise": t_ours,
        "s_crowdkit": np.nan,
        "speedup": np.nan,
    }
    if peer:
        from crowdkit.aggregation import ROVER as PeerROVER

        table = answers.drop(columns="confidence").rename(columns={"item": "task", "annotator": "worker"})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            theirs = PeerROVER(tokenizer=str.split, detokenizer=" ".join).fit_predict(table)
            t_peer = time.perf_counter() - start
        theirs = theirs.loc[truth.index]
        same = int((ours.loc[truth.index].to_numpy() == theirs.to_numpy()).sum())
        row.update(
            wer_crowdkit=word_error_rate(truth.tolist(), theirs.tolist()),
            identical=f"{same}/{n_items}",
            s_crowdkit=t_peer,
            speedup=t_peer / t_ours,
        )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000, 100_000])
    parser.add_argument("--peer-max", type=int, default=10_000)
    args = parser.parse_args()
    print(
        f"# {cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}; "
        f"seed {SEED}"
    )
    rows = []
    for n in args.sizes:
        for name, rates in CROWDS.items():
            if name != "5 annotators" and n != 10_000:  # 3 and 7 annotators at 10k items only
                continue
            rows.append(run(name, rates, n, n <= args.peer_max))
            print(pd.DataFrame([rows[-1]]).to_string(index=False, float_format="%.4f"), flush=True)
    print()
    print(pd.DataFrame(rows).to_string(index=False, float_format="%.4f"))


if __name__ == "__main__":
    main()
