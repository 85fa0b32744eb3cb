"""A Snorkel 0.10 user's workflow run line by line beside labelwise's (session 52, snorkmig52).

Snorkel runs in its own virtualenv (this script with ``--snorkel-worker``, in a subprocess) on the same
inputs as labelwise:

1. A spam-like table of 2,000 training and 500 test comments (made here from two seeds, no data file) and
   Snorkel's eight tutorial-style keyword rules (``check``, ``check_out`` and its regex copy, ``has_link``,
   ``subscribe``, ``short``, ``love``, ``song``), written once per library: the label matrices,
   ``LFAnalysis`` (with ``Y`` and ``est_weights``), ``label_coverage`` / ``label_overlap`` /
   ``label_conflict`` against labelwise's one-liners, ``MajorityLabelVoter``'s scores, the label models'
   accuracies, ``filter_unlabeled_dataframe``.
2. ``weak.simulate_lfs`` matrices (3,000 items, 10 functions, K = 2 and 3, five seeds): the majority vote's
   scores with both tie-break policies, ``LFAnalysis``, the label models' accuracies (default, ``Y_dev``,
   ``class_balance`` given), and what each predicts on a row no function voted on.

::

    python benchmarks/walk_snorkel_migration.py --snorkel-python /work/venvs/weak-snorkel/bin/python

Nothing is tuned; the inputs were fixed before the first run.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

SPAM_BITS = ["check out my channel", "subscribe to me", "http://bit.ly/x", "free gift card", "please check my video",
             "win a prize now", "my new song", "visit www.example.com", "click here", "subscribe and like"]  # fmt: skip
HAM_BITS = ["i love this song", "so good", "this video is amazing", "great voice", "2015 anyone?",
            "love it", "who is watching", "best song ever", "nice beat", "this made my day"]  # fmt: skip
SEEDS = [100 + 10 * s + k for s in range(5) for k in (2, 3)]  # K = 2, 3: the last digit


def comments(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` comments, spam (1) or ham (0) at random; each is one or two phrases of its class and, one time in
    seven or so, a phrase of the other class."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    texts = []
    for label in y:
        pool, other = (SPAM_BITS, HAM_BITS) if label == 1 else (HAM_BITS, SPAM_BITS)
        words = list(rng.choice(pool, rng.integers(1, 3)))
        if rng.random() < 0.15:
            words.append(rng.choice(other))
        texts.append(" ".join(words))
    return pd.DataFrame({"text": texts}), y


def rules(decorator):
    """The eight rules under ``decorator`` (Snorkel's ``labeling_function()`` or labelwise's with ``abstain=-1``)."""

    def check(x):
        return 1 if "check" in x.text.lower() else -1

    def check_out(x):
        return 1 if "check out" in x.text.lower() else -1

    def regex_check_out(x):
        return 1 if re.search(r"check.*out", x.text, flags=re.I) else -1

    def has_link(x):
        return 1 if ("http" in x.text or "www" in x.text) else -1

    def subscribe(x):
        return 1 if "subscribe" in x.text else -1

    def short(x):
        return 0 if len(x.text.split()) < 5 else -1

    def love(x):
        return 0 if "love" in x.text else -1

    def song(x):
        return 0 if "song" in x.text and "my new song" not in x.text else -1

    fs = [check, check_out, regex_check_out, has_link, subscribe, short, love, song]
    return [decorator(f) for f in fs]


def snorkel_worker(path_in: str, path_out: str) -> None:
    """Snorkel's side: every number the comparison reads, written as JSON."""
    import logging

    logging.disable(logging.WARNING)
    from snorkel.labeling import LFAnalysis, PandasLFApplier, filter_unlabeled_dataframe, labeling_function
    from snorkel.labeling.model import LabelModel, MajorityLabelVoter

    lfs = rules(lambda f: labeling_function()(f))
    df, y = comments(2000, 0)
    df_test, y_test = comments(500, 1)
    L = PandasLFApplier(lfs).apply(df, progress_bar=False)
    L_test = PandasLFApplier(lfs).apply(df_test, progress_bar=False)
    an = LFAnalysis(L, lfs)
    out = {"L": L.tolist(), "L_test": L_test.tolist()}
    out["label"] = [an.label_coverage(), an.label_overlap(), an.label_conflict()]
    mv = MajorityLabelVoter(cardinality=2)
    lm = LabelModel(cardinality=2, verbose=False)
    lm.fit(L, n_epochs=500, log_freq=100, seed=123, progress_bar=False)
    summary = an.lf_summary(Y=y, est_weights=lm.get_weights())
    out["summary"] = summary.drop(columns=["j", "Polarity"]).to_numpy(dtype=float).tolist()
    covered = (L_test != -1).any(axis=1)
    out["spam"] = {
        name: [
            m.score(L, y, tie_break_policy="random")["accuracy"],
            m.score(L_test, y_test, tie_break_policy="random")["accuracy"],
            m.score(L_test[covered], y_test[covered], tie_break_policy="random")["accuracy"],
        ]
        for name, m in (("mv", mv), ("lm", lm))
    }
    out["mv_abstain"] = mv.score(L_test, y_test, metrics=["accuracy", "coverage", "f1"], tie_break_policy="abstain")
    out["filtered"] = len(filter_unlabeled_dataframe(df, lm.predict_proba(L), L)[0])
    sims = []
    for s in json.loads(Path(path_in).read_text()):
        L, y, k = np.array(s["L"]), np.array(s["y"]), s["k"]
        mv = MajorityLabelVoter(cardinality=k)
        r = {"mv_abstain": mv.score(L, y, metrics=["accuracy", "coverage"], tie_break_policy="abstain")}
        r["mv_random"] = mv.score(L, y, tie_break_policy="random")["accuracy"]
        lm = LabelModel(cardinality=k, verbose=False)
        lm.fit(L, n_epochs=500, seed=123, progress_bar=False)
        r["lm_random"] = lm.score(L, y, tie_break_policy="random")["accuracy"]
        r["no_votes"] = lm.predict(np.full((1, L.shape[1]), -1)).tolist()[0]
        dev = LabelModel(cardinality=k, verbose=False)
        dev.fit(L, Y_dev=y[:200], seed=123, progress_bar=False)
        r["dev_balance"] = dev.p.tolist()
        given = LabelModel(cardinality=k, verbose=False)
        given.fit(L, class_balance=[0.6] + [0.4 / (k - 1)] * (k - 1), seed=123, progress_bar=False)
        r["given_random"] = given.score(L, y, tie_break_policy="random")["accuracy"]
        cols = ["Coverage", "Overlaps", "Conflicts", "Correct", "Incorrect"]
        r["summary"] = LFAnalysis(L).lf_summary(Y=y)[cols].to_numpy(dtype=float).tolist()
        sims.append(r)
    out["sims"] = sims
    Path(path_out).write_text(json.dumps(out, default=float))


def _spam(theirs: dict) -> None:
    from labelwise import weak

    lfs = rules(weak.labeling_function(abstain=-1))
    df, y = comments(2000, 0)
    df_test, y_test = comments(500, 1)
    votes = weak.apply(lfs, df, classes=[0, 1])
    L, L_test = votes.matrix(), weak.apply(lfs, df_test, classes=[0, 1]).matrix()
    print(
        f"label matrices equal to Snorkel's: train {L.tolist() == theirs['L']}, test {L_test.tolist() == theirs['L_test']}"
    )
    ours_label = [
        float((L != -1).any(axis=1).mean()),
        float(((L != -1).sum(axis=1) >= 2).mean()),
        float(((L != -1) & (L != L.max(axis=1, keepdims=True))).any(axis=1).mean()),
    ]
    print(f"label_coverage/overlap/conflict: labelwise {ours_label}, Snorkel {theirs['label']}")
    lm_s_weights = np.array(theirs["summary"])[:, -1]
    table = weak.analysis(votes, gold=y, est_weights=lm_s_weights).drop(columns="polarity")
    print(
        f"lf_summary(Y, est_weights) max difference: {np.abs(table.to_numpy(dtype=float) - theirs['summary']).max():.1e}"
    )
    mv = weak.MajorityLabelVoter().fit(L)
    print(
        f"MajorityLabelVoter score (abstain): labelwise {mv.score(L_test, y_test, metrics=['accuracy', 'coverage', 'f1'])}"
    )
    print(f"                                    Snorkel   {theirs['mv_abstain']}")
    kept = weak.filter_unlabeled(df, L, weak.LabelModel().fit(L).predict_proba(L))
    print(f"filter_unlabeled rows kept: labelwise {len(kept.frame)}, Snorkel {theirs['filtered']}")
    covered = (L_test != -1).any(axis=1)
    print("\n| model (random tie-break) | train 2,000 | test 500 | test rows with a vote |\n|---|---|---|---|")
    models = [
        ("labelwise MajorityLabelVoter", mv),
        ("labelwise LabelModel()", weak.LabelModel().fit(L)),
        ('labelwise LabelModel(abstains="missing")', weak.LabelModel(abstains="missing").fit(L)),
        ("labelwise DawidSkeneLabelModel()", weak.DawidSkeneLabelModel().fit(L)),
    ]
    for name, m in models:
        accs = [
            m.score(a, b, tie_break_policy="random")["accuracy"]
            for a, b in ((L, y), (L_test, y_test), (L_test[covered], y_test[covered]))
        ]
        print(f"| {name} | " + " | ".join(f"{a:.4f}" for a in accs) + " |")
    for name, key in (("Snorkel MajorityLabelVoter", "mv"), ("Snorkel LabelModel (500 epochs, seed 123)", "lm")):
        print(f"| {name} | " + " | ".join(f"{a:.4f}" for a in theirs["spam"][key]) + " |")


def _sims(sets: list, theirs: list) -> None:
    from labelwise import weak

    print(
        "\n| seed | K | MV acc / coverage (abstain), labelwise = Snorkel | MV acc (random) | LabelModel() acc "
        "| Snorkel LabelModel acc | no-vote row: labelwise / Snorkel | y_dev balance equal | class_balance "
        "given: labelwise / Snorkel acc | LFAnalysis max diff |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    for s, r in zip(sets, theirs, strict=True):
        L, y, k = np.array(s["L"]), np.array(s["y"]), s["k"]
        mv = weak.MajorityLabelVoter().fit(L)
        ab = mv.score(L, y, metrics=["accuracy", "coverage"])
        same = rounded(ab) == rounded(r["mv_abstain"])
        rnd = mv.score(L, y, tie_break_policy="random")["accuracy"]
        lm = weak.LabelModel().fit(L)
        acc = lm.score(L, y, tie_break_policy="random")["accuracy"]
        no_vote = lm.predict(np.full((1, L.shape[1]), -1), tie_break_policy="abstain").tolist()[0]
        dev = np.allclose(weak.LabelModel().fit(L, y_dev=y[:200]).class_balance_, r["dev_balance"], atol=1e-12)
        cb = [0.6] + [0.4 / (k - 1)] * (k - 1)
        given = weak.LabelModel(class_balance=cb).fit(L).score(L, y, tie_break_policy="random")["accuracy"]
        cols = ["coverage", "overlaps", "conflicts", "correct", "incorrect"]
        diff = np.abs(weak.analysis(L, gold=y)[cols].to_numpy(dtype=float) - np.array(r["summary"])).max()
        print(
            f"| {s['seed']} | {k} | {ab['accuracy']:.4f} / {ab['coverage']:.4f}, {same} | {rnd:.4f} "
            f"(Snorkel {r['mv_random']:.4f}) | {acc:.4f} | {r['lm_random']:.4f} | {no_vote} / {r['no_votes']} | {dev} "
            f"| {given:.4f} / {r['given_random']:.4f} | {diff:.1e} |"
        )


def rounded(d: dict) -> dict:
    """``d`` rounded to 12 places, for an equality that forgives float noise."""
    return {key: round(float(v), 12) for key, v in d.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snorkel-python", default=os.environ.get("LABELWISE_SNORKEL_PYTHON"))
    parser.add_argument("--snorkel-worker", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.snorkel_worker:
        snorkel_worker(*args.snorkel_worker)
        return
    if not args.snorkel_python:
        sys.exit("--snorkel-python (or LABELWISE_SNORKEL_PYTHON) must name a Python with Snorkel 0.10")
    import tempfile

    from labelwise import weak

    warnings.simplefilter("ignore")
    sets = []
    for seed in SEEDS:
        sim = weak.simulate_lfs(3000, 10, seed % 10, random_state=seed)  # K: the seed's last digit
        sets.append({"L": sim.votes.matrix().tolist(), "y": np.asarray(sim.truth).tolist(), "seed": seed})
        sets[-1]["k"] = len(sim.votes.classes)
    with tempfile.TemporaryDirectory() as tmp:
        path_in, path_out = Path(tmp, "in.json"), Path(tmp, "out.json")
        path_in.write_text(json.dumps(sets))
        done = subprocess.run(
            [args.snorkel_python, __file__, "--snorkel-worker", str(path_in), str(path_out)],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"Snorkel's side failed:\n{done.stderr[-3000:]}")
        theirs = json.loads(path_out.read_text())
    _spam(theirs)
    _sims(sets, theirs["sims"])


if __name__ == "__main__":
    main()
