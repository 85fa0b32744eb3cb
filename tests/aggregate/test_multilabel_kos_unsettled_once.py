"""``MultiLabelAggregator(method="kos")`` says KOS's unsettled labels in one warning listing the tags (the
first five, then how many more), not one warning per tag (main: as many warnings as unsettled tags)."""

from __future__ import annotations

import warnings

import pandas as pd
from click.testing import CliRunner

from labelwise.aggregate import MultiLabelAggregator
from labelwise.cli import main
from labelwise.errors import LabelwiseWarning

#: kos.py's TINY crowd, every answer tagging the seven tags c0..c6 (each fitted as 'cat' is) and some 'owl'.
ROWS = [(0, "b", ()), (0, "c", ()), (1, "a", ()), (2, "a", ()), (2, "b", ("owl",)), (2, "c", ())]
SEVEN = tuple(f"c{k}" for k in range(7))
TAGS = pd.DataFrame([(i, a, (*SEVEN, *t)) for i, a, t in ROWS], columns=["item", "annotator", "tags"])
SEED = 5  # a seed on which KOS does not settle on the every-answer tags


def _messages(frame: pd.DataFrame, seed: int = SEED) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MultiLabelAggregator(method="kos", random_state=seed).fit(frame)
    return [str(w.message) for w in caught if issubclass(w.category, LabelwiseWarning)]


def test_unsettled_tags_are_one_warning_naming_five_and_how_many_more():
    """Eight unsettled tags: one warning, the first five named, 'and 3 more', the first tag's first item."""
    (message,) = _messages(TAGS)
    assert message.startswith("8 tags ('c0', 'c1', 'c2', 'c3', 'c4' and 3 more): KOS labelled ")
    assert "(counted per tag)" in message
    assert "(the first: item 0, whose 2 answer(s) all say it has tag 'c0', labelled without it)" in message


def test_one_unsettled_tag_keeps_its_own_words():
    """A lone unsettled tag is worded as before: ``tag 'owl': KOS labelled 1 item(s) ...``."""
    frame = pd.DataFrame([(i, a, ("cat", *t)) for i, a, t in ROWS], columns=["item", "annotator", "tags"])
    messages = _messages(frame, seed=0)
    assert len(messages) == 1 and messages[0].startswith("tag 'owl': KOS labelled 1 item(s) against")


def test_aggregate_tags_prints_one_unsettled_warning(tmp_path):
    """``labelwise aggregate-tags --method kos`` prints one warning line for the eight tags."""
    path = tmp_path / "tags.csv"
    TAGS.assign(tags=TAGS["tags"].map("|".join)).to_csv(path, index=False)
    args = ["aggregate-tags", str(path), "--method", "kos", "--random-state", str(SEED), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert said.count("KOS labelled") == 1 and "8 tags ('c0', 'c1', 'c2', 'c3', 'c4' and 3 more)" in said
