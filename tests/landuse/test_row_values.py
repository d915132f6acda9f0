"""Parsed values held as arrays (ingest ``RowValues``): a mapping of file row → value that reads
many rows at once, and gives what a dict would."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.landuse.ingest._common import RowValues, take


def test_row_values_read_as_the_dict_they_replace():
    rows = pd.Index([2, 3, 5, 9])
    values = RowValues(rows, np.array([1.5, None, "甲", 4.0], dtype=object))
    plain = {2: 1.5, 3: None, 5: "甲", 9: 4.0}
    assert dict(values) == plain
    assert values.get(7) is None
    assert len(values) == 4
    assert list(values) == [2, 3, 5, 9]
    for wanted in ([9, 2, 7, 5], [3], []):
        assert take(values, wanted).tolist() == [plain.get(r) for r in wanted]
        assert take(plain, wanted).tolist() == [plain.get(r) for r in wanted]
    assert take(None, [2, 3]).tolist() == [None, None]


def test_two_columns_of_one_table_share_the_positions_but_other_rows_do_not():
    rows = pd.Index([10, 11, 12])
    a = RowValues(rows, np.array(["a", "b", "c"], dtype=object))
    b = RowValues(rows, np.array([1, 2, 3], dtype=object))
    kept = [12, 10]
    assert a.take(kept).tolist() == ["c", "a"]
    assert b.take(kept).tolist() == [3, 1]
    assert a.take([11, 12]).tolist() == ["b", "c"]  # other rows: their own positions
    other = RowValues(pd.Index([12, 10]), np.array(["x", "y"], dtype=object))
    assert other.take(kept).tolist() == ["x", "y"]  # same rows, another index
