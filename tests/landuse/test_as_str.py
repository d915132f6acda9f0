"""``as_str``: an object column of notes becomes pandas' ``str`` exactly as ``astype`` makes it."""

from __future__ import annotations

import platform

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from geo.io.memory import release_freed_memory
from geo.landuse.model import as_str


@pytest.mark.parametrize("cells", [
    ["", "缺少：亩均税收", None, "缺少：亩均税收", np.nan, "免评：新建", pd.NA],
    ["甲", 1.5, None, "乙"],  # not all text: astype decides
    [True, "是"],
    [],
])
def test_as_str_gives_what_astype_str_gives(cells):
    values = pd.Series(np.array(cells, dtype=object), index=range(10, 10 + len(cells)),
                       name="class_note", dtype=object)
    pd.testing.assert_series_equal(as_str(values), values.astype("str"))


def test_releasing_freed_memory_finds_malloc_trim_on_glibc_and_never_raises():
    from geo.io.memory import _malloc_trim

    if platform.libc_ver()[0] == "glibc":
        assert _malloc_trim() is not None  # else only Arrow's pool would be released
    held = pa.array([f"宗地{i}" for i in range(50_000)], pa.large_string())
    release_freed_memory()
    release_freed_memory()  # twice: nothing more to give back, no error
    assert held[49_999].as_py() == "宗地49999"
