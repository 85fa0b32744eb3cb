"""A review database left by another aggregation is refused in an aggregation's words: it "belongs to another
aggregation", not "another audit" (session 47's walk: the audit's noun for an aggregation folder)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import StorageError
from labelwise.review import DecisionStore, cleaned_table, create_app


@pytest.fixture
def agg(tmp_path):
    """An aggregation of 12 items (three annotators each), and a review database bound to 10 examples."""
    rows = [(f"q{i:02d}", who, "cat" if (i + k) % 4 else "dog") for i in range(12) for k, who in enumerate("abc")]
    pd.DataFrame(rows, columns=["item", "annotator", "label"]).to_csv(tmp_path / "answers.csv", index=False)
    res = CliRunner().invoke(
        main, ["aggregate", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "agg"), "--quiet"]
    )
    assert res.exit_code == 0, res.output
    DecisionStore(tmp_path / "agg" / "review.sqlite").bind("n_examples", "10")
    return tmp_path / "agg"


def test_export_names_the_folder_an_aggregation(agg):
    """The export of the folder refuses the database as another aggregation's."""
    with pytest.raises(
        StorageError, match=r"belongs to another aggregation \(n_examples 10, this aggregation has 12\)"
    ):
        cleaned_table(agg)


def test_review_page_names_the_folder_an_aggregation(agg):
    """The review page refuses it in the same words."""
    with pytest.raises(
        StorageError, match=r"belongs to another aggregation \(n_examples 10, this aggregation has 12\)"
    ):
        create_app(agg)


def test_an_audits_database_is_still_another_audits(tmp_path):
    """An audit's folder keeps the audit's noun."""
    from tests.review._ids_audit import audit_with_decisions

    out = audit_with_decisions(tmp_path)
    (out / "review.sqlite").unlink()
    DecisionStore(out / "review.sqlite").bind("n_examples", "10")
    with pytest.raises(StorageError, match=r"belongs to another audit \(n_examples 10, this audit has 30\)"):
        cleaned_table(out)
