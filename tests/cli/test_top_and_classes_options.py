"""Every ``--top`` takes 0 and says what it does; ``aggregate --classes`` names the classes as ``weak``,
``audit`` and ``evaluate`` do (session 44).

On main ``labelwise report --top 0`` was refused (``IntRange(min=1)``) while every other command's
``--top 0`` printed no rows, and the helps said it in one command of twelve; ``aggregate`` named its
classes ``--labels``, a name that ``audit`` and ``evaluate`` give a labels file. ``--labels`` stays
``aggregate``'s second name. ``weak --classes`` gets no ``--labels``: there it would name the classes
while ``audit --labels`` and ``evaluate --labels`` read a file of labels. Every test here fails on main.
"""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from labelwise.cli import COMMANDS, main
from tests.cli.test_aggregate_cli import ANSWERS_CSV, write
from tests.report.fake_outputs import write_audit


def _top_options() -> list[tuple[str, click.Option]]:
    found = []
    for name in COMMANDS:
        for param in main.commands[name].params:
            if isinstance(param, click.Option) and "--top" in param.opts:
                found.append((name, param))
    return found


def test_every_top_takes_zero_and_says_so():
    """Each command's ``--top`` is an integer >= 0 with no upper bound, and its help ends ``0: none.``"""
    tops = _top_options()
    assert len(tops) >= 12  # audit, aggregate and its five kinds, report, slices, detect-poison, train-crowds, ...
    for name, param in tops:
        assert isinstance(param.type, click.IntRange), name
        assert (param.type.min, param.type.max, param.type.min_open) == (0, None, False), name
        assert param.help.endswith("0: none."), (name, param.help)


class TestReportTopZero:
    def test_an_audit_page_without_example_cards(self, tmp_path):
        """``report --top 0``: the page is written with its other sections and no worst-example card; the
        note says none is shown (not "no example was flagged")."""
        write_audit(tmp_path / "a", kind="features", n=30, noise=0.3)
        runner = CliRunner()
        pages = {}
        for top in ("0", "5"):
            out = tmp_path / f"r{top}.html"
            res = runner.invoke(main, ["report", str(tmp_path / "a"), "--out", str(out), "--top", top])
            assert res.exit_code == 0, res.output
            pages[top] = out.read_text(encoding="utf-8")
        worst = {top: page.split('<section id="worst">', 1)[1].split("</section>", 1)[0] for top, page in pages.items()}
        assert "No examples shown (top 0)" in worst["0"] and 'class="example' not in worst["0"]
        assert 'class="example' in worst["5"]
        assert pages["0"].count("<section") == pages["5"].count("<section")

    def test_an_aggregation_page(self, tmp_path):
        """An aggregation folder's page with ``--top 0`` is written, its disputed-items table empty."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        res = CliRunner().invoke(main, ["aggregate", str(path), "--out", str(tmp_path / "o"), "--top", "0"])
        assert res.exit_code == 0, res.output
        res = CliRunner().invoke(main, ["report", str(tmp_path / "o"), "--top", "0"])
        assert res.exit_code == 0, res.output
        assert (tmp_path / "o" / "report.html").is_file()


class TestAggregateClasses:
    def test_classes_and_its_older_name_labels_are_one_option(self, tmp_path):
        """``--classes cat,dog,bird,fish`` declares the classes as ``--labels`` did: the same summary."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        summaries = []
        for name in ("--classes", "--labels"):
            out = tmp_path / name.strip("-")
            res = CliRunner().invoke(main, ["aggregate", str(path), name, "cat,dog,bird,fish", "--out", str(out)])
            assert res.exit_code == 0, res.output
            summaries.append(json.loads((out / "summary.json").read_text())["classes"])
        assert summaries == [["cat", "dog", "bird", "fish"]] * 2

    @pytest.mark.parametrize("name", ["--classes", "--labels"])
    def test_an_answer_outside_names_the_option_by_both_names(self, tmp_path, name):
        """An answer outside the declared classes: exit 2, the line names ``--classes (--labels)``."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        res = CliRunner().invoke(main, ["aggregate", str(path), name, "cat,dog", "--out", str(tmp_path / "o")])
        assert res.exit_code == 2
        assert "--classes (--labels) must list every label of the answers" in " ".join(res.output.split())

    def test_help_lists_both_names(self):
        """``aggregate --help`` shows ``--classes, --labels``; ``weak`` keeps ``--classes`` alone."""
        shown = CliRunner().invoke(main, ["aggregate", "--help"], terminal_width=200).output
        assert "--classes, --labels TEXT" in shown and "older name" in shown
        weak = next(p for p in main.commands["weak"].params if "--classes" in getattr(p, "opts", ()))
        assert weak.opts == ["--classes"]
