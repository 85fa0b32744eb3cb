"""Properties of the graph's search record (``checks._graph_record``): any record survives JSON, the
graph's ``.npz`` file and ``summary_dict`` unchanged (texts of any characters included); a record of
a later version (more fields) still loads; ``describe`` is one line; every build records the index it
ran with its settings, JSON-ready, whatever integer type the seed has."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks._graph_record import SEARCH_NAMES, GraphSearch, describe_graph
from labelwise.checks.graph import NeighborGraph

#: JSON values a record's settings hold: ints, finite floats, texts, booleans.
VALUES = st.one_of(
    st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12), st.booleans()
)
WORDS = st.text(min_size=1, max_size=16)


@st.composite
def records(draw) -> GraphSearch:
    index = draw(st.sampled_from(SEARCH_NAMES))
    return GraphSearch(
        index=index,
        exact=index == "exact",
        requested=draw(
            st.dictionaries(st.sampled_from(["method", "index"]), st.sampled_from(["auto", "exact", index]))
        ),
        settings=draw(st.dictionaries(WORDS, VALUES, max_size=8)),
        fallback=draw(st.none() | st.text(max_size=80)),
        partitions=draw(st.none() | st.integers(1, 10_000)),
    )


def _graph(search: GraphSearch | None) -> NeighborGraph:
    return NeighborGraph(
        indices=np.array([[1], [0]]), distances=np.array([[0.5], [0.5]], dtype=np.float32), search=search
    )


class TestRecordRoundTrips:
    @settings(max_examples=60, deadline=None)
    @given(record=records())
    def test_json_and_the_npz_file_keep_any_record(self, record):
        """``from_dict(json(to_dict()))`` and ``load(save())`` give the same record (texts with any
        characters, NUL and surrogate-free unicode included)."""
        assert GraphSearch.from_dict(json.loads(json.dumps(record.to_dict()))) == record
        with tempfile.TemporaryDirectory() as folder:
            back = NeighborGraph.load(_graph(record).save(Path(folder) / "g.npz"))
        assert back.search == record

    @settings(max_examples=30, deadline=None)
    @given(
        record=records(),
        extra=st.dictionaries(WORDS.filter(lambda w: w not in GraphSearch.__dataclass_fields__), VALUES, max_size=4),
    )
    def test_a_record_with_fields_of_a_later_version_loads(self, record, extra):
        """Unknown fields are left out, the known ones kept."""
        assert GraphSearch.from_dict({**record.to_dict(), **extra}) == record

    @settings(max_examples=60, deadline=None)
    @given(record=records())
    def test_describe_is_one_line_naming_the_search(self, record):
        """One line, naming the index or "exact search" (the fallback's own text, which may hold
        newlines, is not part of it; settings of one-line texts, as every index writes)."""
        record = GraphSearch(
            record.index,
            record.exact,
            record.requested,
            {key.replace("\n", " "): value for key, value in record.settings.items() if "\n" not in str(value)},
            record.fallback,
            record.partitions,
        )
        text = record.describe()
        assert "\n" not in text
        assert ("exact search" if record.exact else record.index) in text
        assert describe_graph(_graph(record)).startswith(text)


class TestBuildRecords:
    @settings(max_examples=10, deadline=None)
    @given(
        n=st.integers(12, 300),
        k=st.integers(1, 8),
        method=st.sampled_from([("exact", "auto"), ("approximate", "cells"), ("approximate", "spill")]),
        seed=st.sampled_from([0, 7, np.int64(7), np.int32(3), np.uint8(5)]),
    )
    def test_each_build_records_what_ran_json_ready_and_it_survives_the_file(self, n, k, method, seed):
        """The record names the index, is exact only for the exact search, has the seed as a plain
        int (numpy integers too), is JSON-ready, and load(save()) keeps the graph and the record."""
        X = np.random.default_rng(int(seed)).normal(size=(n, 3))
        k = min(k, n - 1)
        g = NeighborGraph.build(X, k=k, method=method[0], index=method[1], random_state=seed)
        assert g.search.exact == (g.search.index == "exact")
        if method[0] == "approximate":
            assert g.search.index == method[1]
            assert g.search.settings["random_state"] == int(seed)
            assert type(g.search.settings["random_state"]) is int
        assert json.loads(json.dumps(g.search.to_dict())) == g.search.to_dict()
        with tempfile.TemporaryDirectory() as folder:
            back = NeighborGraph.load(g.save(Path(folder) / "g.npz"))
        assert back.search == g.search
        np.testing.assert_array_equal(back.indices, g.indices)
        np.testing.assert_array_equal(back.distances, g.distances)
