"""Three transformation functions the augment tests share: a row function that drops odd rows and
doubles the rest, a row function that edits text, and a vectorised one that keeps a third of the rows."""

from __future__ import annotations

from labelwise.weak import transformation_function


@transformation_function()
def double(row):
    if row.num % 2:
        return None
    row.num = row.num * 2
    return row


@transformation_function()
def tag(row):
    row.text = row.text + "!"
    return row


@transformation_function(vectorized=True)
def negate(df):
    keep = df[df.num % 3 == 1]
    return keep.assign(num=-keep.num)


TFS = [double, tag, negate]
