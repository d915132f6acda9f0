"""An enterprise's first known parcel, by id and by position, and the rows taken by it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.landuse.pipeline import first_parcel, first_parcel_at, take_by_position


@pytest.mark.parametrize("dtype", [object, "str"])
def test_first_parcel_at_is_the_position_of_first_parcel(dtype):
    cells = ["B;A", "X;Y", None, "C", "X;C;A", "", "A;A", " B ; C "]
    ent = pd.DataFrame({"parcel_id": pd.array(cells, dtype=dtype)},
                       index=[5, 3, 9, 1, 0, 7, 8, 2])
    known = pd.Index(["A", "B", "C"])
    at = first_parcel_at(ent, known)
    by_id = first_parcel(ent, known)
    assert [known[i] if i >= 0 else None for i in at] == [
        v if isinstance(v, str) else None for v in by_id]
    assert at.tolist() == [1, -1, -1, 2, 2, -1, 0, 1]


def test_without_a_parcel_column_no_enterprise_has_a_parcel():
    assert first_parcel_at(pd.DataFrame({"name": ["甲"]}), pd.Index(["A"])).tolist() == [-1]


def test_rows_taken_by_position_are_missing_where_there_is_none():
    units = pd.DataFrame({"district": pd.Categorical(["海曙区", "北仑区"]),
                          "subzone_id": ["S1", "S2"]}, index=["P1", "P2"])
    got = take_by_position(units, np.array([1, -1, 0]), pd.Index([10, 11, 12]))
    want = units.reindex(["P2", None, "P1"]).set_axis(pd.Index([10, 11, 12]))
    pd.testing.assert_frame_equal(got, want)
