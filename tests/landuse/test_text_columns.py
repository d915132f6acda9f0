"""``text_if_all_text``: a column of ids becomes pandas' ``str`` exactly as ``astype`` makes it,
unless a cell is not text (a caller's numbers are left as they are)."""

from __future__ import annotations

import platform

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from geo.io.memory import release_freed_memory
from geo.landuse.model import text_if_all_text


def test_a_column_of_text_and_missing_cells_becomes_str_as_astype_makes_it():
    cells = ["", "P1", None, "P1", np.nan, "宗地 2", pd.NA]
    values = pd.Series(np.array(cells, dtype=object), index=range(10, 17), name="parcel_id",
                       dtype=object)
    pd.testing.assert_series_equal(text_if_all_text(values), values.astype("str"))
    empty = pd.Series([], dtype=object, name="parcel_id")
    pd.testing.assert_series_equal(text_if_all_text(empty), empty.astype("str"))


@pytest.mark.parametrize("cells", [["P1", 1.5, None], [True, "是"], [5]])
def test_a_column_holding_other_things_than_text_is_left_as_it_is(cells):
    values = pd.Series(np.array(cells, dtype=object), dtype=object)
    assert text_if_all_text(values) is values


def test_releasing_freed_memory_finds_malloc_trim_on_glibc_and_never_raises():
    from geo.io.memory import _malloc_trim

    if platform.libc_ver()[0] == "glibc":
        assert _malloc_trim() is not None  # else only Arrow's pool would be released
    held = pa.array([f"宗地{i}" for i in range(50_000)], pa.large_string())
    release_freed_memory()
    release_freed_memory()  # twice: nothing more to give back, no error
    assert held[49_999].as_py() == "宗地49999"
