"""Two labeling functions the weakwalk50 tests share: a row rule voting spam on a link, and a vectorised
rule voting ham on a text under 9 characters; each abstains otherwise."""

from __future__ import annotations

from labelwise import weak


@weak.labeling_function()
def has_link(row):
    return "spam" if "http" in row.text else None


@weak.labeling_function(vectorized=True)
def short(df):
    return df.text.str.len().lt(9).map({True: "ham", False: None})
