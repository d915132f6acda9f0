"""Excel at xlsxwriter's speed: both paths of the writer keep what every export promises.

A workbook with a sheet longer than ``LARGE_SHEET_ROWS`` (20,000) is written in xlsxwriter's
``constant_memory`` mode (rows streamed to disk in order, strings inline); smaller ones keep the
shared-strings table. Either way the file has its header row frozen, its columns sized from the
first 200 rows, the 说明 sheet last, every cell and header through the formula guard, Chinese
headers and dates as dates. Timings are in the benchmark, not here.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point

from geo._errors import ExportError
from geo.export import LARGE_SHEET_ROWS, ExportNotes, export_bytes, table_bytes, workbook_bytes
from geo.labels import COLUMNS

NOTES = ExportNotes(nature="测试数据", units="万元", sources="测试")
HOSTILE = '=HYPERLINK("http://evil","点我")'


def _parcels(n: int) -> gpd.GeoDataFrame:
    names = np.where(np.arange(n) % 1000 == 7, HOSTILE, "宁波某某机械制造有限公司")
    return gpd.GeoDataFrame({
        "id": [f"P{i:06d}" for i in range(n)],
        "name": names,
        "tax_wan": np.linspace(0, 500, n),
        "year": np.full(n, 2024),
        "updated": pd.Timestamp("2025-03-12 09:30") + pd.to_timedelta(np.arange(n) % 300,
                                                                       unit="D"),
        "geometry_quality": "schematic",
    }, geometry=[Point(121.5 + i * 1e-6, 29.8) for i in range(n)], crs=4326)


def _sheet_xml(data: bytes, index: int) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(f"xl/worksheets/sheet{index}.xml")


def _check_book(data: bytes, rows: int) -> openpyxl.Workbook:
    """The promises of every Excel export; returns the workbook read back by openpyxl."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["数据", "说明"]  # the 说明 sheet last
    ws = book["数据"]
    assert ws.freeze_panes == "A2"
    assert ws.max_row == rows + 1
    headers = [c.value for c in ws[1]]
    assert headers[:3] == [COLUMNS["id"], COLUMNS["name"], COLUMNS["tax_wan"]]  # Chinese
    widths = {c: ws.column_dimensions[c].width for c in "ABC"}
    assert all(w and w >= 8 for w in widths.values())
    assert widths["B"] > widths["A"]  # the Chinese names are wider than the ids
    hostile = ws.cell(row=2 + 7, column=2)
    assert hostile.data_type == "s"
    assert hostile.value == "'" + HOSTILE  # made inert, still all there
    assert not any(c.data_type == "f" for c in ws["B"])
    assert ws.cell(row=2, column=3).value == 0
    assert ws.cell(row=2, column=4).value == 2024
    updated = ws.cell(row=2, column=headers.index(COLUMNS.get("updated", "updated")) + 1)
    assert updated.value == dt.datetime(2025, 3, 12, 9, 30)  # a date, not text
    assert updated.is_date
    notes = {r[0].value: r[1].value for r in book["说明"].iter_rows(min_row=2)}
    assert notes["记录数"] == str(rows)
    assert book["说明"].column_dimensions["B"].width >= 100
    return book


def test_a_large_export_is_written_in_constant_memory_and_keeps_its_promises():
    rows = LARGE_SHEET_ROWS + 5_000
    data = export_bytes(_parcels(rows), "xlsx", notes=NOTES)
    assert b"inlineStr" in _sheet_xml(data, 1)  # constant_memory writes strings inline
    _check_book(data, rows)


def test_a_small_export_keeps_shared_strings_and_its_promises():
    data = export_bytes(_parcels(50), "xlsx", notes=NOTES)
    assert b"inlineStr" not in _sheet_xml(data, 1)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert "xl/sharedStrings.xml" in zf.namelist()
    _check_book(data, 50)


@pytest.mark.parametrize("rows", [10, LARGE_SHEET_ROWS + 1])
def test_every_header_and_cell_is_inert_and_values_keep_their_type(rows):
    table = pd.DataFrame({
        "=SUM(A1)": ["+1+1"] + ["ok"] * (rows - 1),
        "@说明": pd.array([None] + ["-cmd|' /C calc'!A0"] * (rows - 1), dtype=object),
        "数值": [np.nan, np.inf] + [1.5] * (rows - 2),
        "日期": [dt.date(2026, 12, 7)] + [None] * (rows - 1),
        "是否": [True] + [False] * (rows - 1),
        "类别": pd.Categorical(["\t=1"] + ["A"] * (rows - 1)),
    })
    data = table_bytes(table, "xlsx", notes=NOTES)
    assert b"<f>" not in _sheet_xml(data, 1)  # no formula anywhere
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames[-1] == "说明"
    first = list(book.worksheets[0].iter_rows(max_row=3))
    assert [c.value for c in first[0]] == ["'=SUM(A1)", "'@说明", "数值", "日期", "是否", "类别"]
    second, third = [c.value for c in first[1]], [c.value for c in first[2]]
    assert second[0] == "'+1+1"
    assert second[5] == "'\t=1"
    assert second[1] is None
    assert second[2] is None
    assert third[1] == "'-cmd|' /C calc'!A0"
    assert third[2] == "inf"  # as pandas writes an infinity
    assert second[3] == dt.datetime(2026, 12, 7)
    assert first[1][3].is_date
    assert second[4] is True


def test_a_workbook_with_one_large_sheet_keeps_the_order_and_the_notes_last():
    big = pd.DataFrame({"编号": range(LARGE_SHEET_ROWS + 10), "名称": "甲"})
    small = pd.DataFrame({"编号": [1, 2], "名称": [HOSTILE, "乙"]})
    data = workbook_bytes({"名单": big, "附表": small}, notes=NOTES)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["名单", "附表", "说明"]
    assert all(book[n].freeze_panes == "A2" for n in ("名单", "附表"))
    assert book["名单"].max_row == LARGE_SHEET_ROWS + 11
    assert book["附表"]["B2"].value == "'" + HOSTILE


def test_a_table_longer_than_an_excel_sheet_is_refused_in_chinese():
    table = pd.DataFrame({"编号": np.arange(1_048_576)})
    with pytest.raises(ExportError) as exc:
        table_bytes(table, "xlsx", notes=NOTES)
    assert "超过 Excel 单表上限" in exc.value.describe("zh")
    assert "CSV" in exc.value.describe("zh")
