"""Relabels of session 36's walk: the class the review page sends, and labels that are no class."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest
from starlette.testclient import TestClient

from labelwise.errors import LabelwiseWarning
from labelwise.report import load_audit
from labelwise.review import DecisionStore, create_app, export_cleaned
from labelwise.review._label_dtype import class_of
from tests.report.fake_outputs import write_audit

BASE = "http://127.0.0.1"


class TestThePageRelabelsFloatClasses:
    def test_a_float_class_sent_back_as_the_pages_json_number_is_that_class(self, tmp_path):
        """A label column of floats that are whole numbers (classes 0.0, 1.0, 2.0): the page's script
        sends the class 2.0 as JSON ``2``; it was refused (422, 'must be one of the classes') and no
        row of such an audit could be relabelled."""
        out = write_audit(tmp_path / "out", kind="features", n=60, classes=[0.0, 1.0, 2.0])
        row = int(load_audit(out).flagged["row"].iloc[0])
        with TestClient(create_app(out, reviewer="t"), base_url=BASE) as client:
            meta = client.get("/api/meta").json()
            sent = json.loads(json.dumps(meta["classes"][2]).replace(".0", ""))  # as JSON.stringify writes it
            assert sent == 2 and isinstance(sent, int)
            r = client.post(f"/api/examples/{row}/decision", json={"action": "relabel", "label": sent, "version": 0})
        assert r.status_code == 200, r.text
        stored = DecisionStore(out / "review.sqlite").current()[row].label
        assert stored == 2.0 and isinstance(stored, float)

    def test_a_number_is_still_no_class_of_other_numbers_nor_a_boolean_of_one(self):
        """The match is by value: 3 is none of 0.0..2.0, True is not the class 1, '2' is the class 2."""
        assert class_of([0.0, 1.0, 2.0], 3) is None
        assert class_of([0, 1], True) is None and class_of([True, False], 1) is None
        assert class_of([0, 1, 2], "2") == 2 and class_of(["a ", "b"], "a") is None


class TestExportSaysWhenARelabelIsNoClass:
    @pytest.fixture
    def out(self, tmp_path):
        return write_audit(tmp_path / "out", kind="features", n=60, classes=["Adelie ", "Gentoo", "Chinstrap"])

    def test_a_near_miss_of_a_class_recorded_from_python_is_warned_with_its_row(self, out, tmp_path):
        """``store.record(row, "relabel", label="Adelie")`` for the class ``"Adelie "`` (a trailing
        space in the data) exported silently as a fourth class; now a warning names the row, the
        label and the classes (the cleaned data still holds it, as the export's design says)."""
        DecisionStore(out / "review.sqlite").record(7, "relabel", version=0, reviewer="me", label="Adelie")
        with pytest.warns(LabelwiseWarning, match=r"row 7 to 'Adelie'.*classes: \['Adelie ', 'Gentoo', 'Chinstrap'\]"):
            res = export_cleaned(out, tmp_path / "clean.csv")
        assert res.n_relabelled == 1
        assert pd.read_csv(tmp_path / "clean.csv")["label"].iloc[7] == "Adelie"

    def test_relabels_to_classes_export_without_a_warning(self, out, tmp_path):
        """A relabel to one of the audit's classes is not warned about (the warning is not a constant)."""
        DecisionStore(out / "review.sqlite").record(7, "relabel", version=0, reviewer="me", label="Gentoo")
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            export_cleaned(out, tmp_path / "clean.csv")
        assert pd.read_csv(tmp_path / "clean.csv")["label"].iloc[7] == "Gentoo"
