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


def test_numbers_and_texts_held_in_arrays_read_as_the_dict_they_replace():
    import pyarrow as pa

    from geo.landuse.ingest._common import take_floats, take_texts

    rows = pd.Index([2, 3, 5])
    numbers = RowValues(rows, np.array([1.5, np.nan, -0.0]))
    texts = RowValues(rows, pa.array(["甲", None, ""], pa.string()))
    assert dict(numbers) == {2: 1.5, 3: None, 5: -0.0}  # a row without a number: None
    assert dict(texts) == {2: "甲", 3: None, 5: ""}
    assert 3 in numbers
    assert 4 not in texts
    wanted = [5, 4, 2, 3]
    assert take(numbers, wanted).tolist() == [-0.0, None, 1.5, None]
    assert take(texts, wanted).tolist() == ["", None, "甲", None]
    floats = take_floats(numbers, wanted)
    assert floats.dtype == float
    assert np.isnan(floats[[1, 3]]).all()
    assert floats[2] == 1.5
    assert take_texts(texts, wanted).to_pylist() == ["", None, "甲", None]
    plain = {2: "甲", 3: None, 5: ""}
    assert take_texts(plain, wanted).to_pylist() == ["", None, "甲", None]
    assert np.isnan(take_floats({2: None}, [2, 9])).all()


def test_a_text_column_is_the_one_pandas_infers_from_the_same_list():
    import pyarrow as pa

    from geo.landuse.ingest._common import text_column

    for texts in (["甲", None], [None, None], [], ["", "乙"]):
        got = text_column(pa.array(texts, pa.string()))
        want = pd.Series(texts, dtype=None if texts else object)
        pd.testing.assert_series_equal(got, want)


def test_first_of_each_id_and_year_holds_past_two_to_the_32_keys():
    """65,537 ids × 65,535 years: the (id, year) key passes 2³²; no two keys may meet."""
    from geo.landuse.ingest._common import _first_of_each

    n = 65_537
    ids = {r: f"I{r}" for r in range(n)}
    years = {r: (r if r < 65_535 else 0) for r in range(n)}
    lines: list[dict] = []
    kept = _first_of_each(ids, years, lines, file="e.csv", column="统一社会信用代码",
                          what="企业")
    assert lines == []  # every (id, year) is distinct
    assert kept == list(range(n))
