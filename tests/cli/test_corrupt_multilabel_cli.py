"""``labelwise corrupt --task multilabel``: the tag flips are ``lw.noise.flip_tags``'s for the same seed, per
tag rates included; only the changed tag cells differ; the truth and summary files say what changed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.audit.multilabel import encode_multilabel
from labelwise.cli import main

TAGS = ["cat", "dog", "bird", "fish"]


def _run(*args):
    result = CliRunner().invoke(main, ["corrupt", *map(str, args)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _fails(*args, match: str) -> None:
    result = CliRunner().invoke(main, ["corrupt", *map(str, args)])
    assert result.exit_code == 2, result.output
    assert match in result.output, result.output
    assert "Traceback" not in result.output


@pytest.fixture()
def tagged(tmp_path):
    """A CSV of 200 rows: ids, numbers written as '007', '1e3' or '0.1', a text with a comma, and 'a|b' tag cells
    (some empty, some spaced ' cat | dog ')."""
    rng = np.random.default_rng(5)
    cells = []
    for i in range(200):
        chosen = [t for t in TAGS if rng.random() < 0.35]
        cells.append(" | ".join(chosen) if i % 7 == 3 else "|".join(chosen))
    frame = pd.DataFrame(
        {
            "id": [f"r{i:03d}" for i in range(200)],
            "num": rng.choice(["007", "1e3", "0.1", "-2", ""], 200),
            "note": rng.choice(["x", "a, b", ""], 200),
            "tags": cells,
        }
    )
    path = tmp_path / "tags.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _cells(path, column="tags"):
    return pd.read_csv(path, dtype=str, keep_default_na=False)[column].tolist()


def _api_given(frame):
    given, tags = encode_multilabel([c if c else None for c in frame["tags"]])
    return given, tags


class TestFlipsEqualTheApi:
    def test_symmetric_rate_flips_what_flip_tags_flips(self, tagged, tmp_path):
        """--rate R flips flip_tags(tags, drop_rate=R, add_rate=R, random_state=seed)'s cells, tag by tag."""
        path, frame = tagged
        out = tmp_path / "noisy.csv"
        _run(path, "--task", "multilabel", "--label", "tags", "--rate", "0.2", "--random-state", 11, "--out", out)
        given, tags = _api_given(frame)
        expected = lw.noise.flip_tags(given, drop_rate=0.2, add_rate=0.2, random_state=11)
        written, _ = encode_multilabel([c or None for c in _cells(out)], classes=tags)
        np.testing.assert_array_equal(written, expected.labels)
        assert expected.n_dropped > 0 and expected.n_added > 0
        truth = pd.read_csv(out.with_name("noisy.truth.csv"), dtype=str, keep_default_na=False)
        assert truth["is_flipped"].tolist() == [str(b) for b in expected.is_flipped.any(axis=1)]
        assert truth["true_label"].tolist() == frame["tags"].tolist()
        dropped = encode_multilabel([c or None for c in truth["dropped"]], classes=tags)[0]
        np.testing.assert_array_equal(dropped, expected.is_flipped & expected.true_labels)

    def test_drop_add_rates_are_flip_tags_own(self, tagged, tmp_path):
        """--noise drop-add --drop-rate D --add-rate A is flip_tags(tags, drop_rate=D, add_rate=A)."""
        path, frame = tagged
        out = tmp_path / "noisy.csv"
        _run(path, "--task", "multilabel", "--label", "tags", "--noise", "drop-add", "--drop-rate", "0.4",
             "--add-rate", "0.05", "--random-state", 3, "--out", out)  # fmt: skip
        given, tags = _api_given(frame)
        expected = lw.noise.flip_tags(given, drop_rate=0.4, add_rate=0.05, random_state=3)
        written, _ = encode_multilabel([c or None for c in _cells(out)], classes=tags)
        np.testing.assert_array_equal(written, expected.labels)
        summary = json.loads(out.with_name("noisy.summary.json").read_text())
        assert summary["n_dropped"] == expected.n_dropped and summary["n_added"] == expected.n_added
        assert summary["drop_rate_asked"] == 0.4 and summary["add_rate_asked"] == 0.05

    def test_tag_rates_file_flips_each_tag_as_its_own_flip_tags_call(self, tagged, tmp_path):
        """--tag-rates: tag k's cells are column k of flip_tags(tags, drop_rate=D_k, add_rate=A_k, seed)."""
        path, frame = tagged
        rates = pd.DataFrame({"tag": ["fish", "cat", "dog", "bird"], "drop_rate": [0.5, 0.1, 0.0, 0.3],
                              "add_rate": [0.0, 0.2, 0.1, 0.3]})  # fmt: skip
        rates.to_csv(tmp_path / "rates.csv", index=False)
        out = tmp_path / "noisy.csv"
        _run(path, "--task", "multilabel", "--label", "tags", "--noise", "drop-add", "--tag-rates",
             tmp_path / "rates.csv", "--random-state", 9, "--out", out)  # fmt: skip
        given, tags = _api_given(frame)
        written, _ = encode_multilabel([c or None for c in _cells(out)], classes=tags)
        by_tag = rates.set_index("tag")
        for k, tag in enumerate(tags.tolist()):
            drawn = lw.noise.flip_tags(given, drop_rate=by_tag.loc[tag, "drop_rate"],
                                       add_rate=by_tag.loc[tag, "add_rate"], random_state=9)  # fmt: skip
            np.testing.assert_array_equal(written[:, k], drawn.labels[:, k])
        summary = json.loads(out.with_name("noisy.summary.json").read_text())
        asked = {row["tag"]: (row["drop_rate_asked"], row["add_rate_asked"]) for row in summary["per_tag"]}
        assert asked == {t: (by_tag.loc[t, "drop_rate"], by_tag.loc[t, "add_rate"]) for t in TAGS}
        assert summary["tag_rates_file"] is not None and summary["drop_rate_asked"] is None

    def test_a_file_of_equal_rates_writes_the_bytes_of_rate(self, tagged, tmp_path):
        """A --tag-rates file giving every tag the rate R writes the same table and truth file as --rate R."""
        path, _ = tagged
        pd.DataFrame({"tag": TAGS, "rate": 0.15}).to_csv(tmp_path / "rates.csv", index=False)
        a, b = tmp_path / "a.csv", tmp_path / "b.csv"
        _run(path, "--task", "multilabel", "--label", "tags", "--rate", "0.15", "--out", a)
        _run(path, "--task", "multilabel", "--label", "tags", "--tag-rates", tmp_path / "rates.csv", "--out", b)
        assert a.read_bytes() == b.read_bytes()
        assert (tmp_path / "a.truth.csv").read_bytes() == (tmp_path / "b.truth.csv").read_bytes()


class TestCells:
    def test_only_changed_tag_cells_differ_byte_for_byte(self, tagged, tmp_path):
        """Every other cell (ids, '007', '1e3', 'a, b', empty cells, unchanged ' cat | dog ' tag cells) is as written."""
        path, frame = tagged
        out = tmp_path / "noisy.csv"
        _run(path, "--task", "multilabel", "--label", "tags", "--rate", "0.1", "--id-column", "id", "--out", out)
        before = path.read_text().splitlines()
        after = out.read_text().splitlines()
        assert len(before) == len(after) and before[0] == after[0]
        truth = pd.read_csv(out.with_name("noisy.truth.csv"), dtype=str, keep_default_na=False)
        changed = truth["is_flipped"].eq("True").to_numpy()
        assert 0 < changed.sum() < changed.size
        for i, (old, new) in enumerate(zip(before[1:], after[1:], strict=True)):
            old_rest, new_rest = old.rsplit(",", 1)[0], new.rsplit(",", 1)[0]
            assert old_rest == new_rest
            assert (old != new) == changed[i]
        assert truth["id"].tolist() == frame["id"].tolist()

    def test_changed_rows_keep_their_tags_order_and_append_added_ones(self, tmp_path):
        """A changed row keeps its remaining tags in their order and spelling, then the added tags in column order."""
        path = tmp_path / "t.csv"
        path.write_text("tags\n" + "dog|cat\n" * 30 + "bird\n" * 30)
        out = tmp_path / "o.csv"
        _run(path, "--task", "multilabel", "--label", "tags", "--noise", "drop-add", "--add-rate", "0.5", "--out", out)
        for old, new in zip(_cells(path), _cells(out), strict=True):
            assert new.split("|")[: len(old.split("|"))] == old.split("|")
            added = new.split("|")[len(old.split("|")) :]
            assert added == sorted(added)

    def test_digit_tags_are_written_as_first_spelled(self, tmp_path):
        """Digit tags ('3|10') are column numbers as the audit reads them; an added tag is spelled as in DATA ('03')."""
        path = tmp_path / "t.csv"
        path.write_text("tags\n03|10\n" + "10\n" * 40)
        out = tmp_path / "o.csv"
        _run(path, "--task", "multilabel", "--label", "tags", "--noise", "drop-add", "--add-rate", "1", "--out", out)
        assert set(_cells(out)[1:]) == {"10|03"}

    @pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
    def test_list_cells_stay_lists(self, tmp_path, suffix):
        """Tags held as lists (JSON Lines, Parquet) are written back as lists, the other columns as they were."""
        frame = pd.DataFrame({"tags": [["a", "b"], ["b"], [], ["c", "a"]] * 10, "x": np.arange(40) * 0.5})
        path = tmp_path / f"t{suffix}"
        frame.to_json(path, orient="records", lines=True) if suffix == ".jsonl" else frame.to_parquet(path)
        out = tmp_path / f"o{suffix}"
        _run(path, "--task", "multilabel", "--label", "tags", "--rate", "0.3", "--random-state", 1, "--out", out)
        written = pd.read_json(out, lines=True) if suffix == ".jsonl" else pd.read_parquet(out)
        assert all(isinstance(c, (list, np.ndarray)) for c in written["tags"])
        pd.testing.assert_series_equal(written["x"], frame["x"])
        given, tags = encode_multilabel([list(c) for c in frame["tags"]])
        expected = lw.noise.flip_tags(given, drop_rate=0.3, add_rate=0.3, random_state=1)
        np.testing.assert_array_equal(encode_multilabel([list(c) for c in written["tags"]], classes=tags)[0],
                                      expected.labels)  # fmt: skip

    def test_truth_column_holds_the_true_cells(self, tagged, tmp_path):
        """--truth-column NAME adds the true tag cells as written beside the corrupted ones."""
        path, frame = tagged
        out = tmp_path / "noisy.csv"
        _run(
            path,
            "--task",
            "multilabel",
            "--label",
            "tags",
            "--rate",
            "0.2",
            "--truth-column",
            "tags_true",
            "--out",
            out,
        )
        written = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert written["tags_true"].tolist() == frame["tags"].tolist()
        assert written["tags"].ne(written["tags_true"]).any()


class TestSummaryAndScreen:
    def test_summary_counts_each_tags_drops_and_adds(self, tagged, tmp_path):
        """per_tag: present/absent rows, drops and adds and their rates, from the truth file's own flips."""
        path, frame = tagged
        out = tmp_path / "noisy.csv"
        _run(path, "--task", "multilabel", "--label", "tags", "--rate", "0.25", "--out", out)
        given, tags = _api_given(frame)
        expected = lw.noise.flip_tags(given, drop_rate=0.25, add_rate=0.25, random_state=0)
        summary = json.loads(out.with_name("noisy.summary.json").read_text())
        assert summary["tags"] == tags.tolist() and summary["n_cells"] == given.size
        for k, row in enumerate(summary["per_tag"]):
            dropped = int((expected.is_flipped[:, k] & given[:, k]).sum())
            added = int((expected.is_flipped[:, k] & ~given[:, k]).sum())
            assert (row["n_present"], row["n_dropped"], row["n_added"]) == (int(given[:, k].sum()), dropped, added)
            assert row["drop_rate"] == pytest.approx(dropped / given[:, k].sum())
        assert summary["rate_realised"] == pytest.approx(expected.is_flipped.mean())

    def test_quiet_prints_nothing_and_writes_the_same_files(self, tagged, tmp_path):
        """--quiet: no table, no line; the files are those of a run without it."""
        path, _ = tagged
        loud = _run(path, "--task", "multilabel", "--label", "tags", "--rate", "0.1", "--out", tmp_path / "a.csv")
        quiet = _run(path, "--task", "multilabel", "--label", "tags", "--rate", "0.1", "--out", tmp_path / "b.csv",
                     "--quiet")  # fmt: skip
        assert "tag cells changed" in loud.output and quiet.output == ""
        assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


class TestRefusals:
    @pytest.mark.parametrize(
        ("args", "match"),
        [
            (["--noise", "drop-add", "--rate", "0.1"], "--rate is for --noise symmetric"),
            (["--drop-rate", "0.1"], "--drop-rate is for --noise drop-add only"),
            (["--noise", "drop-add"], "--noise drop-add needs --drop-rate"),
            ([], "--rate is required with --task multilabel"),
            (["--rate", "1.5"], "--rate must be in [0, 1]"),
            (["--noise", "drop-add", "--add-rate", "-0.1"], "--add-rate must be in [0, 1]"),
            (["--noise", "pair", "--rate", "0.1"], "--noise must be one of ['symmetric', 'drop-add'] for --task"),
            (["--rate", "0.1", "--matrix", "m.csv"], "--matrix is for --task classification only"),
            (["--rate", "0.1", "--tag-rates", "r.csv"], "--tag-rates and --rate exclude each other"),
            (["--rate", "0.1", "--target", "cat"], "--target is for --noise backdoor only"),
        ],
    )
    def test_bad_options_name_the_option_and_write_nothing(self, tagged, tmp_path, args, match):
        """Each refusal is one line naming the option; no output file appears."""
        path, _ = tagged
        out = tmp_path / "noisy.csv"
        _fails(path, "--task", "multilabel", "--label", "tags", *args, "--out", out, match=match)
        assert not out.exists() and not (tmp_path / "noisy.truth.csv").exists()

    def test_tag_rates_is_refused_without_multilabel(self, tagged, tmp_path):
        """--tag-rates with --task classification names the option and the task."""
        path, _ = tagged
        _fails(path, "--label", "tags", "--tag-rates", "r.csv", "--out", tmp_path / "o.csv",
               match="--tag-rates is for --task multilabel only")  # fmt: skip

    @pytest.mark.parametrize(
        ("rates", "match"),
        [
            ({"tag": ["cat", "dog", "bird"], "rate": [0.1, 0.1, 0.1]}, "missing ['fish']"),
            ({"tag": [*TAGS, "cow"], "rate": [0.1] * 5}, "unknown ['cow']"),
            ({"tag": TAGS, "rate": [0.1, 0.1, 2.0, 0.1]}, "--tag-rates rate of tag 'bird' must be in [0, 1]"),
            ({"tag": TAGS, "drop_rate": [0.1] * 4, "add_rate": [0.1] * 4}, "must have the columns ['tag', 'rate']"),
        ],
    )
    def test_bad_tag_rates_files_are_refused(self, tagged, tmp_path, rates, match):
        """A --tag-rates file must name every tag once, with the kind's columns and rates in [0, 1]."""
        path, _ = tagged
        pd.DataFrame(rates).to_csv(tmp_path / "r.csv", index=False)
        out = tmp_path / "noisy.csv"
        _fails(path, "--task", "multilabel", "--label", "tags", "--tag-rates", tmp_path / "r.csv", "--out", out,
               match=match)  # fmt: skip
        assert not out.exists()

    def test_existing_outputs_need_force(self, tagged, tmp_path):
        """An existing truth file is kept without --force and replaced with it."""
        path, _ = tagged
        out = tmp_path / "noisy.csv"
        (tmp_path / "noisy.truth.csv").write_text("mine\n")
        _fails(path, "--task", "multilabel", "--label", "tags", "--rate", "0.1", "--out", out, match="pass --force")
        assert (tmp_path / "noisy.truth.csv").read_text() == "mine\n" and not out.exists()
        _run(path, "--task", "multilabel", "--label", "tags", "--rate", "0.1", "--out", out, "--force")
        assert "dropped" in (tmp_path / "noisy.truth.csv").read_text()
