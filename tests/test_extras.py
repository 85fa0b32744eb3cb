"""The optional extras from the Python API: one MissingDependencyError naming the package and the
install command, before any work, wherever an entry point needs an extra that is missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise._extras import EXTRAS, available, install_command, missing, require
from labelwise.errors import LabelwiseError, MissingDependencyError
from tests._blocked import block


class TestRequire:
    def test_an_installed_module_is_returned(self):
        """require returns the module itself when it imports."""
        hnswlib = pytest.importorskip("hnswlib")
        assert require("hnswlib", "index='hnswlib'") is hnswlib

    def test_a_missing_module_names_the_package_and_the_extra_install_command(self, monkeypatch):
        """The message starts with what needs it, names the pip package and the quoted install command."""
        block(monkeypatch, "faiss")
        with pytest.raises(MissingDependencyError) as info:
            require("faiss", "index='faiss-sq8'")
        assert (
            str(info.value)
            == "index='faiss-sq8' needs faiss-cpu, which is not installed: pip install \"labelwise[ann-faiss]\""
        )

    def test_the_error_is_a_labelwise_error_and_an_import_error(self, monkeypatch):
        """Callers (and the command line) catch it as LabelwiseError; old code catching ImportError still works."""
        block(monkeypatch, "ir_measures")
        with pytest.raises(LabelwiseError):
            require("ir_measures", "measure")
        assert isinstance(missing("ir_measures", "measure"), ImportError)

    def test_a_submodule_of_a_missing_package_is_missing_too(self, monkeypatch):
        """dask.dataframe with dask blocked (its submodules already imported) is the dask extra's error."""
        pytest.importorskip("dask.dataframe")
        block(monkeypatch, "dask")
        with pytest.raises(MissingDependencyError, match=r'pip install "labelwise\[dask\]"'):
            require("dask.dataframe", "PATH")
        assert not available("dask.array")

    def test_every_extra_has_its_install_command(self):
        """Each extra of pyproject.toml that a module imports is listed with its command."""
        assert set(EXTRAS) == {"dask", "web", "ann", "ann-faiss", "images", "ir"}
        assert install_command("web") == 'pip install "labelwise[web]"'


class TestApiEntryPoints:
    def test_zarr_store_without_zarr_is_one_error_naming_zarr(self, monkeypatch, tmp_path):
        """load_zarr with dask installed but zarr missing: before, dask's from_zarr raised ImportError."""
        da = pytest.importorskip("dask.array")
        pytest.importorskip("zarr")
        da.from_array(np.eye(3), chunks=(2, 3)).to_zarr(str(tmp_path / "p.zarr"))
        from labelwise.io.arrays import load_zarr

        block(monkeypatch, "zarr")
        with pytest.raises(MissingDependencyError, match=r'--probs .*p\.zarr.* needs zarr, .*"labelwise\[dask\]"'):
            load_zarr(tmp_path / "p.zarr", parameter="--probs")

    def test_zarr_store_without_dask_is_one_error(self, monkeypatch, tmp_path):
        """load_zarr without dask: before, ModuleNotFoundError from its first line."""
        from labelwise.io.arrays import load_zarr

        block(monkeypatch, "dask", "zarr")
        with pytest.raises(
            MissingDependencyError, match=r'needs dask, which is not installed: pip install "labelwise\[dask\]"'
        ):
            load_zarr(tmp_path / "p.zarr", parameter="path")

    def test_out_of_fold_probs_on_cluster_without_dask_names_the_extra(self, monkeypatch):
        """Before: ModuleNotFoundError (no dask) or 'needs a running Dask client' (no distributed)."""
        from sklearn.linear_model import LogisticRegression

        import labelwise as lw

        X, y = np.random.default_rng(0).normal(size=(40, 2)), np.arange(40) % 2
        block(monkeypatch, "distributed")
        with pytest.raises(MissingDependencyError, match=r"needs distributed, .*\"labelwise\[dask\]\""):
            lw.probs.out_of_fold_probs_on_cluster(LogisticRegression(), X, y)
        block(monkeypatch, "dask")
        with pytest.raises(MissingDependencyError, match=r"needs dask, .*\"labelwise\[dask\]\""):
            lw.probs.out_of_fold_probs_on_cluster(LogisticRegression(), X, y)

    def test_distributed_aggregation_without_dask_names_the_extra(self, monkeypatch):
        """aggregate.distributed.fit without dask: before, ModuleNotFoundError."""
        from labelwise.aggregate import DawidSkene, distributed

        answers = pd.DataFrame({"item": [0, 0, 1, 1], "annotator": [0, 1, 0, 1], "label": [1, 1, 0, 0]})
        block(monkeypatch, "dask")
        with pytest.raises(MissingDependencyError, match=r"distributed\.fit .* needs dask"):
            distributed.fit(DawidSkene(), answers)

    def test_ir_measures_missing_is_the_ir_extra(self, monkeypatch):
        """evaluate.trec.system_scores without ir-measures: the ir extra's command, double-quoted."""
        from labelwise.evaluate.trec import system_scores

        block(monkeypatch, "ir_measures")
        with pytest.raises(MissingDependencyError, match=r'needs ir-measures, .*pip install "labelwise\[ir\]"'):
            system_scores({}, pd.DataFrame(columns=["query_id", "doc_id", "relevance"]), "AP")
