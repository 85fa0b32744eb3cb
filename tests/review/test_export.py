"""Tests of the exports: cleaned data with a change log, and Label Studio import tasks."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import DataFileError, InvalidParameterError, StorageError
from labelwise.report import load_audit
from labelwise.review import DecisionStore, cleaned_table, export_cleaned, export_label_studio, label_studio_tasks
from tests.report.fake_outputs import write_audit


@pytest.fixture
def reviewed(tmp_path):
    """A digits audit where row a was relabelled, b excluded, c kept and d relabelled then cleared."""
    out = write_audit(tmp_path / "out", kind="pixels", n=100, noise=0.2)
    rows = load_audit(out).flagged["row"].tolist()[:4]
    store = DecisionStore(out / "review.sqlite")
    a, b, c, d = rows
    store.record(a, "relabel", version=0, reviewer="ann", label=7)
    store.record(b, "exclude", version=0, reviewer="bob")
    store.record(c, "keep", version=0, reviewer="ann")
    store.record(d, "relabel", version=0, reviewer="ann", label=1)
    store.record(d, "clear", version=1, reviewer="ann")
    return out, (a, b, c, d)


class TestExportCleaned:
    def test_applies_relabels_removes_excluded_and_logs_changes(self, reviewed, tmp_path):
        """The cleaned CSV has the new label, lacks the excluded row, and the log lists every decision."""
        out, (a, b, c, d) = reviewed
        original = pd.read_csv(out / "data.csv")
        res = export_cleaned(out, tmp_path / "cleaned.csv")
        cleaned = pd.read_csv(res.path)
        assert len(cleaned) == len(original) - 1 == res.n_rows
        kept = original.drop(index=b).reset_index(drop=True)
        expected = kept["label"].to_numpy().copy()
        expected[list(kept.index[original.index.drop(b) == a])] = 7
        np.testing.assert_array_equal(cleaned["label"].to_numpy(), expected)
        assert cleaned["label"].dtype == original["label"].dtype
        pd.testing.assert_frame_equal(cleaned.drop(columns="label"), kept.drop(columns="label"))
        log = pd.read_csv(res.log_path)
        assert res.log_path.name == "cleaned.changes.csv"
        assert sorted(log["row"]) == sorted([a, b, c])
        by_row = log.set_index("row")
        assert by_row.loc[a, "action"] == "relabel" and by_row.loc[a, "new_label"] == 7
        assert by_row.loc[a, "given_label"] == original.loc[a, "label"] and bool(by_row.loc[a, "changed"])
        assert by_row.loc[b, "action"] == "exclude" and by_row.loc[b, "reviewer"] == "bob"
        assert not bool(by_row.loc[c, "changed"])
        assert (res.n_relabelled, res.n_excluded, res.n_kept) == (1, 1, 1)

    def test_a_review_of_another_audit_is_refused(self, tmp_path):
        """Re-auditing other data into a reviewed folder: export hit IndexError on a row the new data lacks."""
        out = write_audit(tmp_path / "out", kind="pixels", n=100, noise=0.2)
        store = DecisionStore(out / "review.sqlite")
        store.bind("n_examples", "100")
        store.record(90, "exclude", version=0, reviewer="ann")
        write_audit(out, kind="pixels", n=60, noise=0.2)  # a new audit of 60 rows in the same folder
        with pytest.raises(StorageError, match=r"belongs to another audit \(n_examples 100, this audit has 60\)"):
            export_cleaned(out, tmp_path / "cleaned.csv")
        assert not (tmp_path / "cleaned.csv").exists() and not (tmp_path / "cleaned.changes.csv").exists()

    def test_a_review_of_another_audit_of_the_same_length_is_refused(self, tmp_path):
        """Other data with as many rows: its given labels differ, so the decisions are not applied by row number."""
        out = write_audit(tmp_path / "out", kind="pixels", n=100, noise=0.2, seed=0)
        export_cleaned(out, tmp_path / "first.csv")  # no review yet: nothing bound, nothing refused
        store = DecisionStore(out / "review.sqlite")
        store.bind_audit(load_audit(out, with_data=False).issues)
        store.record(5, "exclude", version=0, reviewer="ann")
        export_cleaned(out, tmp_path / "same.csv")  # the same audit: accepted
        write_audit(out, kind="pixels", n=100, noise=0.2, seed=1)  # other rows, the same length
        with pytest.raises(StorageError, match=r"belongs to another audit \(given_labels "):
            export_cleaned(out, tmp_path / "cleaned.csv")
        assert not (tmp_path / "cleaned.csv").exists()

    def test_a_database_bound_before_the_fingerprint_takes_it_on_first_use(self, tmp_path):
        """A review database that only knows the audit's length (older versions) keeps working."""
        out = write_audit(tmp_path / "out", kind="pixels", n=100, noise=0.2)
        store = DecisionStore(out / "review.sqlite")
        store.bind("n_examples", "100")
        store.record(5, "exclude", version=0, reviewer="ann")
        assert export_cleaned(out, tmp_path / "cleaned.csv").n_excluded == 1

    def test_mark_excluded_keeps_rows_with_a_column(self, reviewed, tmp_path):
        """With mark_excluded the excluded row stays, flagged in an `excluded` column."""
        out, (a, b, c, d) = reviewed
        res = export_cleaned(out, tmp_path / "cleaned.csv", mark_excluded=True)
        cleaned = pd.read_csv(res.path)
        assert len(cleaned) == 100 and cleaned["excluded"].tolist() == [i == b for i in range(100)]

    def test_refuses_the_audit_folders_own_files_even_with_force(self, reviewed, tmp_path):
        """out=OUT_DIR/issues.csv (or review.sqlite's folder files) with force=True replaced the audit's own
        file; refused now, naming out, the folder unchanged."""
        out, _ = reviewed
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        with pytest.raises(InvalidParameterError, match=r"^out .* is the audit folder's own issues.csv"):
            export_cleaned(out, out / "issues.csv", force=True)
        with pytest.raises(InvalidParameterError, match=r"^out .* is the audit folder's own summary.json"):
            export_label_studio(out, out / "summary.json", force=True)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    def test_refuses_to_overwrite_without_force(self, reviewed, tmp_path):
        """An existing output is left untouched unless force=True."""
        out, _ = reviewed
        target = tmp_path / "cleaned.csv"
        target.write_text("precious", encoding="utf-8")
        with pytest.raises(InvalidParameterError, match="already exists; pass force=True to overwrite it"):
            export_cleaned(out, target)
        assert target.read_text(encoding="utf-8") == "precious"
        assert not (tmp_path / "cleaned.changes.csv").exists()
        export_cleaned(out, target, force=True)
        assert len(pd.read_csv(target)) == 99

    def test_refuses_to_write_over_the_audited_data_even_with_force(self, reviewed):
        """out=the audit's own data with force=True replaced it: the audit then named rows that were gone."""
        out, _ = reviewed
        data = load_audit(out).data_path
        before = data.read_bytes()
        with pytest.raises(InvalidParameterError, match=r"out '.*' is the data this audit read; write to another file"):
            export_cleaned(out, data, force=True)
        with pytest.raises(InvalidParameterError, match=r"log '.*' is the data this audit read"):
            export_cleaned(out, data.with_name("clean.csv"), force=True, log=data)
        assert data.read_bytes() == before and not data.with_name("clean.csv").exists()

    def test_parquet_output_and_string_labels(self, tmp_path):
        """String labels are relabelled as strings, and Parquet output round-trips."""
        out = write_audit(tmp_path / "out", kind="text", n=60, noise=0.3, classes=["<script>", "dog", "bird"])
        row = int(load_audit(out).flagged["row"].iloc[0])
        DecisionStore(out / "review.sqlite").record(row, "relabel", version=0, reviewer="a", label="<script>")
        res = export_cleaned(out, tmp_path / "clean.parquet")
        cleaned = pd.read_parquet(res.path)
        assert cleaned.loc[row, "label"] == "<script>" and len(cleaned) == 60

    @pytest.mark.parametrize(
        "make",
        [
            lambda codes: pd.Series(codes, dtype="int64"),
            lambda codes: pd.Series(codes, dtype="int32"),
            lambda codes: pd.Series(codes, dtype="Int64"),
            lambda codes: pd.Series(np.array(["ant", "bee", "cat"], dtype=object)[codes], dtype="string"),
            lambda codes: pd.Series(np.array(["ant", "bee", "cat"], dtype=object)[codes]),
            lambda codes: pd.Series(pd.Categorical.from_codes(codes, ["cat", "ant", "bee", "unused"])),
            lambda codes: pd.Series(pd.Categorical.from_codes(codes, ["lo", "mid", "hi"], ordered=True)),
            lambda codes: pd.Series(codes > 0),
        ],
        ids=["int64", "int32", "Int64", "string", "str", "categorical", "ordered", "bool"],
    )
    def test_parquet_round_trips_the_label_dtype(self, tmp_path, make):
        """A relabelled Parquet table reads back with the label column's dtype (categories and their order too)."""
        from click.testing import CliRunner

        from labelwise.cli import main

        codes = np.random.default_rng(0).integers(0, 3, 60)
        data = pd.DataFrame({"x": np.arange(60.0), "y": make(codes)})
        data.to_parquet(tmp_path / "data.parquet", index=False)
        classes = pd.unique(data["y"])
        probs = np.random.default_rng(1).dirichlet(np.ones(len(classes)), 60)
        np.save(tmp_path / "p.npy", probs)
        args = ["audit", str(tmp_path / "data.parquet"), "--label", "y", "--probs", str(tmp_path / "p.npy")]
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
        assert result.exit_code == 0, result.output
        audit = load_audit(tmp_path / "out")
        row = int(audit.flagged["row"].iloc[0])
        new = next(c for c in audit.classes if str(c) != str(data["y"].iloc[row]))
        DecisionStore(tmp_path / "out" / "review.sqlite").record(row, "relabel", version=0, reviewer="a", label=new)
        back = pd.read_parquet(export_cleaned(tmp_path / "out", tmp_path / "clean.parquet").path)
        assert back["y"].dtype == data["y"].dtype
        assert str(back["y"].iloc[row]) == str(new) and len(back) == 60
        others = np.arange(60) != row
        pd.testing.assert_series_equal(back["y"][others], data["y"][others])

    def test_a_relabel_outside_the_categories_adds_one_and_warns(self, tmp_path):
        """A categorical relabelled to a class it lacks gets it as a new category, and the export says so."""
        from click.testing import CliRunner

        from labelwise.cli import main

        codes = np.random.default_rng(0).integers(0, 2, 40)
        data = pd.DataFrame({"x": np.arange(40.0), "y": pd.Categorical.from_codes(codes, ["ant", "bee"])})
        data.to_parquet(tmp_path / "data.parquet", index=False)
        np.save(tmp_path / "p.npy", np.random.default_rng(1).dirichlet(np.ones(2), 40))
        args = ["audit", str(tmp_path / "data.parquet"), "--label", "y", "--probs", str(tmp_path / "p.npy")]
        assert CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")]).exit_code == 0
        DecisionStore(tmp_path / "out" / "review.sqlite").record(3, "relabel", version=0, reviewer="a", label="owl")
        result = CliRunner().invoke(main, ["export", str(tmp_path / "out"), "--out", str(tmp_path / "c.parquet")])
        assert result.exit_code == 0, result.output
        assert "['owl'], which is not among its categories" in " ".join(result.output.split())
        back = pd.read_parquet(tmp_path / "c.parquet")
        assert list(back["y"].cat.categories) == ["ant", "bee", "owl"] and back["y"].iloc[3] == "owl"

    def test_no_review_yet_gives_the_data_unchanged(self, tmp_path):
        """Without a review database the export is the original data and an empty log."""
        out = write_audit(tmp_path / "out", kind="features", n=30)
        cleaned, changes = cleaned_table(out)
        pd.testing.assert_frame_equal(cleaned, pd.read_csv(out / "data.csv"))
        assert changes.empty

    def test_missing_data_table_is_a_clear_error(self, reviewed, tmp_path):
        """When the original data cannot be found, export says so."""
        out, _ = reviewed
        (out / "data.csv").unlink()
        with pytest.raises(DataFileError, match="original data table .* was not found"):
            export_cleaned(out, tmp_path / "cleaned.csv")

    @pytest.mark.parametrize("name", ["cleaned.csv.gz", "cleaned.tsv.bz2", "cleaned.jsonl.xz"])
    def test_a_compressed_name_writes_the_table_compressed(self, reviewed, tmp_path, name):
        """``clean.csv.gz`` is written gzip-compressed (as ``corrupt --out`` and ``write_table`` do), holding
        the rows the plain export holds; its change log is a plain CSV beside it."""
        out, _ = reviewed
        plain = export_cleaned(out, tmp_path / "plain.csv")
        packed = export_cleaned(out, tmp_path / name)
        assert packed.path == tmp_path / name and (tmp_path / f"{name}.changes.csv").is_file()
        from labelwise.io import read_table

        expected = read_table(plain.path)
        got = read_table(packed.path)
        assert got.shape == expected.shape
        assert got.astype(str).to_numpy().tolist() == expected.astype(str).to_numpy().tolist()

    def test_a_compressed_parquet_name_is_refused(self, reviewed, tmp_path):
        """Parquet compresses inside the file: ``cleaned.parquet.gz`` is refused with the text formats' rule."""
        out, _ = reviewed
        with pytest.raises(InvalidParameterError, match=r"may be followed by \.gz"):
            export_cleaned(out, tmp_path / "cleaned.parquet.gz")

    def test_bad_suffix(self, reviewed, tmp_path):
        """An unknown output format is refused with the accepted suffixes."""
        out, _ = reviewed
        with pytest.raises(InvalidParameterError, match=r"out must end in one of"):
            export_cleaned(out, tmp_path / "cleaned.xlsx")


class TestLabelStudio:
    def test_tasks_carry_preview_and_suggested_label_prediction(self, reviewed, tmp_path):
        """One task per flagged example, worst first, with the suggestion and its probability as score."""
        out, _ = reviewed
        audit = load_audit(out)
        path = export_label_studio(out, tmp_path / "tasks.json")
        tasks = json.loads(path.read_text(encoding="utf-8"))
        assert [t["data"]["row"] for t in tasks] == audit.flagged["row"].tolist()
        first, rec = tasks[0], audit.flagged.iloc[0]
        assert first["data"]["image"].startswith("data:image/png;base64,")
        pred = first["predictions"][0]
        assert pred["result"] == [
            {
                "from_name": "label",
                "to_name": "image",
                "type": "choices",
                "value": {"choices": [str(rec["suggested_label"])]},
            }
        ]
        assert pred["score"] == pytest.approx(audit.probs[rec["row"], int(rec["suggested_label"])], abs=1e-6)
        config = ET.fromstring((tmp_path / "tasks.label_config.xml").read_text(encoding="utf-8"))
        assert [c.get("value") for c in config.iter("Choice")] == [str(c) for c in range(10)]

    def test_text_tasks_and_config_escape_labels(self, tmp_path):
        """Text data exports the text, and a class like <script> stays a well-formed attribute."""
        out = write_audit(
            tmp_path / "out", kind="text", n=60, noise=0.3, classes=['<script>"x"</script>', "dog", "a&b"]
        )
        path = export_label_studio(out, tmp_path / "ls.json")
        tasks = json.loads(path.read_text(encoding="utf-8"))
        assert tasks and "item" in tasks[0]["data"]["text"]
        assert tasks[0]["predictions"][0]["result"][0]["to_name"] == "text"
        config = ET.fromstring((tmp_path / "ls.label_config.xml").read_text(encoding="utf-8"))
        assert [c.get("value") for c in config.iter("Choice")] == ['<script>"x"</script>', "dog", "a&b"]

    def test_scope_is_validated(self, reviewed):
        """scope must be flagged or all."""
        out, _ = reviewed
        assert len(label_studio_tasks(out, scope="all")) == 100
        with pytest.raises(InvalidParameterError, match="scope must be one of"):
            label_studio_tasks(out, scope="some")
