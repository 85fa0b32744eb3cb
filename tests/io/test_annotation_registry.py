"""The registry of annotation formats (labelwise.io.annotations.registry)."""

from __future__ import annotations

import inspect
import json
import pkgutil

import pytest

import labelwise.io.annotations as package
from labelwise.errors import MissingColumnError
from labelwise.io import read_annotations
from labelwise.io.annotations import FORMATS, READERS
from labelwise.io.annotations.registry import READERS_BY_NAME


class TestRegistry:
    """Every format module is listed once, with the same interface."""

    def test_every_format_module_is_registered(self):
        """Each public module of the package other than the registry is a reader in READERS."""
        modules = {m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")}
        assert modules - {"registry"} == {reader.__name__.rsplit(".", 1)[1] for reader in READERS}

    def test_formats_are_derived_from_the_readers(self):
        """FORMATS is "auto" followed by each reader's NAME, in detection order."""
        assert FORMATS == ("auto", *(reader.NAME for reader in READERS))
        assert set(READERS_BY_NAME) == set(FORMATS) - {"auto"}

    @pytest.mark.parametrize("reader", READERS, ids=lambda r: r.NAME)
    def test_each_reader_has_name_recognise_and_read(self, reader):
        """NAME is a string; recognise takes a path; read takes a path and keyword options."""
        assert isinstance(reader.NAME, str)
        assert list(inspect.signature(reader.recognise).parameters) == ["path"]
        params = inspect.signature(reader.read).parameters
        assert list(params)[0] == "path"
        assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())

    def test_long_is_the_fallback_and_comes_last(self):
        """The long table recognises any file, so it must be tried last."""
        assert READERS[-1].NAME == "long"

    def test_auto_uses_the_first_reader_that_recognises_the_file(self, tmp_path):
        """A JSON Lines file with Prodigy keys and Label Studio 'annotations' is read as Prodigy (tried first)."""
        path = tmp_path / "both.jsonl"
        record = {
            "_input_hash": 1,
            "_task_hash": 2,
            "answer": "accept",
            "accept": ["a"],
            "options": [],
            "_annotator_id": "x",
            "annotations": [],
        }
        path.write_text(json.dumps(record) + "\n")
        assert read_annotations(path).format == "prodigy"


class TestProdigyColumnChecks:
    """The item and annotator columns named by the user are checked by one helper."""

    @pytest.mark.parametrize("option", ["item_column", "annotator_column"])
    def test_a_missing_key_names_the_option_and_the_keys_found(self, tmp_path, option):
        """The error names the option, the value and the keys of the records."""
        path = tmp_path / "p.jsonl"
        path.write_text(
            json.dumps({"_input_hash": 1, "answer": "accept", "accept": ["a"], "options": [], "_annotator_id": "x"})
            + "\n"
        )
        with pytest.raises(MissingColumnError, match=rf"{option} 'nope' is not a key; found \[.*'_input_hash'"):
            read_annotations(path, format="prodigy", **{option: "nope"})
