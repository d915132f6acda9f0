"""The CSV fast paths (Arrow's reader, pandas' C parser) give the table the csv-module path
gives, cell for cell and row number for row number, or step aside."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from geo.io.tables import _arrow_csv_columns, _csv_table, find_header


def _slow(text: str, delimiter: str = ","):
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return find_header(rows, merges=(), file="t.csv", is_header=lambda c: c in {"税收", "面积"})


def _fast(text: str, delimiter: str = ","):
    return _csv_table(text.encode("utf-8"), delimiter, file="t.csv",
                      is_header=lambda c: c in {"税收", "面积"})


CASES = {
    "plain": "宗地编号,面积,税收\nP1,10,5\nP2,20,6\n",
    "title rows": "2024年亩均数据,,\n北仑区,,\n宗地编号,面积,税收\nP1,10,5\n",
    "two-row header": "宗地编号,指标,\n,面积,税收\nP1,10,5\nP2,,7\n",
    "blank lines and trailing empties": "宗地编号,面积\n\nP1,10\n,\n\nP2,20\n,\n\n",
    "shorter rows": "宗地编号,面积,税收\nP1,10\nP2\n",
    "quoted newline and comma": '宗地编号,备注\nP1,"甲，乙\n丙"\nP2,"a,b"\n',
    "spaces": "  宗地编号 ,\u3000面积\u3000\n P1 , 10 \n",
    "empty column without header": "宗地编号,,面积\nP1,,10\nP2,,20\n",
    "data without header": "宗地编号,,面积\nP1,x,10\n",
    "repeated names": "税收,税收,税收\n1,2,3\n",
    "quotes": '宗地编号,名称\nP1,"他说""好"""\n',
    "crlf": "宗地编号,面积\r\nP1,10\r\nP2,20\r\n",
    "cells of white space only": "宗地编号,面积\n   ,\u3000\nP1,\x85 10\u2003\n\t,\n",
    "quoted header cell with a newline": '"宗地\n编号",面积\nP1,10\n',
    "no newline at the end": "宗地编号,面积\nP1,10",
}
#: Texts whose rows are all as wide as the first: Arrow's reader takes them.
UNIFORM = ("plain", "blank lines and trailing empties", "title rows", "two-row header", "spaces",
           "crlf", "quotes", "cells of white space only", "empty column without header",
           "no newline at the end")


@pytest.mark.parametrize("name", list(CASES))
def test_fast_path_equals_the_csv_module_path(name):
    text = CASES[name]
    fast = _fast(text)
    assert fast is not None, "the C parser should read this text"
    slow = _slow(text)
    assert all(dtype == "str" for dtype in fast[0].dtypes), "the fast path keeps cells in Arrow"
    pd.testing.assert_frame_equal(fast[0].astype(object), slow[0])
    assert fast[1:] == slow[1:]


def test_a_row_wider_than_the_first_goes_the_csv_module_way():
    text = "宗地编号,面积\nP1,10,多余\n"
    assert _fast(text) is None
    frame, _, _ = _slow(text)
    assert list(frame.columns) == ["宗地编号", "面积", "(第3列)"]


def test_tab_separated():
    text = "宗地编号\t面积\nP1\t10\n"
    fast, slow = _fast(text, "\t"), _slow(text, "\t")
    assert fast is not None
    pd.testing.assert_frame_equal(fast[0].astype(object), slow[0])


@pytest.mark.parametrize("name", UNIFORM)
def test_uniform_rows_are_read_by_arrow(name):
    assert _arrow_csv_columns(CASES[name].encode(), ",") is not None


def test_shorter_rows_are_left_to_the_c_parser():
    assert _arrow_csv_columns(CASES["shorter rows"].encode(), ",") is None
    assert _fast(CASES["shorter rows"]) is not None


def test_utf8_read_from_its_bytes_and_gbk_by_decoding(tmp_path):
    from geo._errors import DataImportError
    from geo.io.tables import read_table

    text = "code,name,tax\nP1,甲公司,12.5\nP2,乙公司,7\n"
    (tmp_path / "u.csv").write_bytes(text.encode("utf-8"))
    (tmp_path / "b.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "g.csv").write_bytes(text.encode("gb18030"))  # ASCII header, GBK body
    tables = {n: read_table(tmp_path / f"{n}.csv") for n in ("u", "b", "g")}
    assert [m.encoding for _, m in tables.values()] == ["UTF-8", "UTF-8-BOM", "GBK"]
    for frame, _ in tables.values():
        assert frame["name"].tolist() == ["甲公司", "乙公司"]
    (tmp_path / "n.csv").write_bytes(text.encode("utf-8") + b"P3,\x00,1\n")
    with pytest.raises(DataImportError, match="binary"):
        read_table(tmp_path / "n.csv")
