"""The audit's lines on classes that overlap, for one class written two ways (session 36's walk)."""

from __future__ import annotations

from rich.console import Console

from labelwise.cli._audit_health import print_health


def _screen(pairs: list[dict]) -> str:
    con = Console(record=True, width=200)
    health = {
        "n_label_issues": 3,
        "n_examples": 344,
        "health_score": 0.99,
        "noise_rate": 0.08,
        "overlap_floor": 0.04,
        "overlapping_pairs": pairs,
        "classes_by_quality": [{"class": c} for c in ("Adelie", "Adelie ", "Chinstrap", "Gentoo", "gentoo")],
    }  # the keys of ClassOverlap.summary() that print_health reads
    print_health(con, health)
    return con.export_text()


def _pair(a: str, b: str) -> dict:
    return {"class_a": a, "class_b": b, "n_overlapping": 26, "joint_probability": 0.076}


def test_a_class_name_with_a_trailing_space_is_quoted_and_the_pair_named_as_one_written_two_ways():
    """Penguins with six labels 'Adelie ' printed 'Adelie / Adelie : about 26 examples': two classes
    that looked like one, and nothing said that they differ only by a space."""
    text = _screen([_pair("Adelie", "Adelie "), _pair("Gentoo", "gentoo")])
    assert "Adelie / 'Adelie ': about 26 examples (7.6%); the same name but for case or spaces" in text
    assert "Gentoo / gentoo: about 26 examples (7.6%); the same name but for case or spaces" in text


def test_two_different_classes_are_printed_as_before():
    """Classes whose names differ are not called the same name (the note is not a constant)."""
    text = _screen([_pair("Adelie", "Chinstrap")])
    assert "Adelie / Chinstrap: about 26 examples (7.6%)\n" in text and "same name" not in text
