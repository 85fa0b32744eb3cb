"""SoftLabelAverage's member warnings name the member and say how to follow their advice: a member's
``raise max_iter`` is the member's parameter, set on a member passed in ``methods=`` (on the command
line ``--param max_iter`` is refused for ``--method soft-average``: not its parameter)."""

from __future__ import annotations

import warnings

import pytest

from labelwise.aggregate import DawidSkene, SoftLabelAverage
from labelwise.aggregate.soft import member_warning
from labelwise.cli._common import cli_wording
from labelwise.errors import LabelwiseWarning
from tests.aggregate._crowd import confusion_crowd


def _warnings(est, answers) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(answers)
    return [str(w.message) for w in caught if issubclass(w.category, LabelwiseWarning)]


class TestMemberWarning:
    def test_a_members_convergence_warning_says_how_to_set_its_max_iter(self):
        """DawidSkene stopped at max_iter=1: the warning names the member and the estimator to pass."""
        answers, _ = confusion_crowd(200, 3, per_item=3, seed=14)
        said = _warnings(SoftLabelAverage(methods=["wawa", DawidSkene(max_iter=1, tol=0)]), answers)
        assert len(said) == 1
        assert said[0].startswith("SoftLabelAverage's member 'DawidSkene' warned: DawidSkene did not converge")
        assert "set them on the member, methods=[DawidSkene(max_iter=..., tol=...), ...]" in said[0]

    def test_the_command_line_wording_names_what_works_there(self):
        """Said for the command line: no Python, the method alone or the average without the member."""
        message = "DawidSkene did not converge in max_iter=100 iterations (last loss decrease 0.1 >= tol=1e-05); raise max_iter"
        members = ["majority-vote", "dawid-skene", "glad"]
        said = cli_wording(member_warning(message, "dawid-skene", DawidSkene(), members), {})
        assert "methods=[" not in said and "on the command line" not in said
        assert said.endswith(
            "max_iter and tol are DawidSkene's own: --param cannot reach a member's parameters: run --method "
            "dawid-skene --param max_iter=... on its own, or leave dawid-skene out with --param "
            "methods=majority-vote,glad"
        )

    def test_a_warning_naming_no_parameter_only_names_the_member(self):
        """No parameter of the member in the message: the member named, no hint."""
        said = member_warning("something odd", "glad", DawidSkene(), ["glad"])
        assert said == "SoftLabelAverage's member 'glad' warned: something odd"

    def test_a_shared_setting_is_not_called_the_members(self):
        """labels= or random_state= are the average's own settings: not offered as the member's."""
        message = "labels must be given; random_state is fixed"
        said = member_warning(message, "dawid-skene", DawidSkene(), ["dawid-skene"])
        assert said == f"SoftLabelAverage's member 'dawid-skene' warned: {message}"


def test_the_cli_warning_of_soft_average_names_an_option_that_works(tmp_path, monkeypatch):
    """labelwise aggregate --method soft-average, DawidSkene stopping early: the printed warning
    offers --method dawid-skene --param max_iter, which the command accepts (--param max_iter for
    soft-average is an error)."""
    from click.testing import CliRunner

    from labelwise.cli import main

    monkeypatch.setitem(DawidSkene.__init__.__kwdefaults__, "max_iter", 1)
    monkeypatch.setitem(DawidSkene.__init__.__kwdefaults__, "tol", 0.0)
    answers, _ = confusion_crowd(200, 3, per_item=3, seed=14)
    answers.to_csv(tmp_path / "a.csv", index=False)
    args = ["aggregate", str(tmp_path / "a.csv"), "--method", "soft-average", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "warning: SoftLabelAverage's member 'dawid-skene' warned: DawidSkene did not converge" in said
    assert (
        "run --method dawid-skene --param max_iter=... on its own, or leave dawid-skene out with --param methods="
        in said
    )
    refused = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "o2"), "--param", "max_iter=500"])
    assert refused.exit_code != 0 and "not a parameter of --method soft-average" in refused.output


@pytest.mark.parametrize("methods", [["wawa", "majority-vote"]])
def test_members_without_warnings_say_nothing(methods):
    """Members that converge quietly: the average issues no warning."""
    answers, _ = confusion_crowd(100, 3, per_item=3, seed=1)
    assert _warnings(SoftLabelAverage(methods=methods), answers) == []
