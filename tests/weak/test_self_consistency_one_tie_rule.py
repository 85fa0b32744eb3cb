"""``weak.self_consistency`` and ``labelwise aggregate --format votes`` break ties by one rule: the same
labels from both entry points on the same votes file for any seed, and the labels do not depend on
the order of the file's lines."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.cli import main
from labelwise.io import read_annotations
from labelwise.weak import self_consistency

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def vote_files(draw):
    """Records (item, sample, answer) of up to 12 items with 2-6 samples each, over 2-4 answers: ties common."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    answers = np.array(["A", "B", "C", "D"])[: draw(st.integers(2, 4))]
    records = []
    for item in range(draw(st.integers(1, 12))):
        for sample in range(int(rng.integers(2, 7))):
            records.append({"item": f"q{item}", "sample": sample, "answer": str(rng.choice(answers))})
    return records, rng


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def _cli_labels(path, out, seed):
    result = CliRunner().invoke(
        main,
        ["aggregate", str(path), "--format", "votes", "--method", "majority-vote"]
        + ["--random-state", str(seed), "--out", str(out), "--quiet"],
    )
    assert result.exit_code == 0, result.output
    labels = pd.read_csv(out / "labels.csv", dtype={"item": str, "label": str})
    return labels.set_index("item")["label"].sort_index()


class TestOneTieRule:
    @SETTINGS
    @given(case=vote_files(), seed=st.integers(0, 10_000))
    def test_the_api_and_the_command_give_the_same_labels(self, tmp_path_factory, case, seed):
        """Every item, ties included: ``self_consistency`` on the read file equals ``aggregate``'s labels.csv."""
        records, _ = case
        folder = tmp_path_factory.mktemp("votes")
        path = folder / "votes.jsonl"
        _write(path, records)
        api = self_consistency(read_annotations(path, format="votes").answers, random_state=seed)
        cli = _cli_labels(path, folder / "out", seed)
        assert api["label"].astype(str).sort_index().tolist() == cli.tolist()

    @SETTINGS
    @given(case=vote_files(), seed=st.integers(0, 10_000))
    def test_permuting_the_lines_of_the_file_changes_no_label(self, tmp_path_factory, case, seed):
        """The file's lines in another order: the same labels from the API and from the command."""
        records, rng = case
        folder = tmp_path_factory.mktemp("votes")
        first, second = folder / "a.jsonl", folder / "b.jsonl"
        _write(first, records)
        _write(second, [records[i] for i in rng.permutation(len(records))])
        api = [
            self_consistency(read_annotations(p, format="votes").answers, random_state=seed) for p in (first, second)
        ]
        pd.testing.assert_frame_equal(api[0], api[1])
        assert _cli_labels(first, folder / "o1", seed).tolist() == _cli_labels(second, folder / "o2", seed).tolist()

    def test_a_tied_file_of_many_items_agrees_on_every_seed_tried(self, tmp_path):
        """300 questions x 5 samples of a 3-answer model (the walk's shape, many two-way ties), 5 seeds."""
        rng = np.random.default_rng(48)
        records = [
            {"item": f"q{i}", "sample": s, "answer": str(rng.choice(["A", "B", "C"], p=[0.4, 0.4, 0.2]))}
            for i in range(300)
            for s in range(5)
        ]
        path = tmp_path / "votes.jsonl"
        _write(path, records)
        answers = read_annotations(path, format="votes").answers
        for seed in range(5):
            api = self_consistency(answers, random_state=seed)["label"].astype(str).sort_index()
            cli = _cli_labels(path, tmp_path / f"out{seed}", seed)
            assert api.tolist() == cli.tolist(), seed
