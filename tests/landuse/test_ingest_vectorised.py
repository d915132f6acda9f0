"""The vectorised import reads what the per-cell functions read, and calls them only when needed.

Each fast path (whole columns through Arrow/numpy) is checked against the per-cell function
it stands in for: the same values and the same report lines, cell for cell; and the per-cell
function is counted to be called for the cells the fast path cannot read, and no others.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

import geo.io.tables as tables
import geo.landuse.ingest._common as common
import geo.landuse.ingest.enterprises as ent_mod
import geo.landuse.ingest.parcels as par_mod
from geo.landuse.headers import map_headers
from geo.landuse.ingest import import_enterprises, import_parcels

CODE_A = "91330200MA2AB1CD3X"
CODE_B = "913302001234567890"

#: Numbers the fast path reads (plain ASCII decimals of the right sign).
GOOD_NUMBERS = ["12.5", "0.75", "1200", "+3", "007", "88.125", "5", "19.99"]
#: Cells the fast path leaves to the per-cell function: units, separators, full width, marks,
#: Excel errors, exponents, garbage, a value out of range; "-7" where a field must be positive.
BAD_NUMBERS = ["1,234.5", "１２３４．５", "12.5万元", "3亩", "—", "", "#DIV/0!", "1.5e3", "-7",
               "约3亩", " 4 ", "1,23", "9" * 400, "12元", "n/a", "3 千元"]
#: Names the fast path keeps (long, no white space) and names left to the per-cell function.
GOOD_NAMES = ["宁波甲制造有限公司", "宁波乙科技股份有限公司", "Ningbo-Alpha-Co.",
              "丙（集团）有限公司"]
BAD_NAMES = ["宁波  丁公司", "—", "无", "戊公司", " 己\u3000公司 ", "null", "ab\u2003cd efg"]


def _mixed_table() -> tuple[pd.DataFrame, list[str]]:
    """An enterprise table whose number and name columns mix good and bad cells (and repeats)."""
    n = max(len(GOOD_NUMBERS) + len(BAD_NUMBERS), len(GOOD_NAMES) + len(BAD_NAMES)) * 2
    numbers = (GOOD_NUMBERS + BAD_NUMBERS) * 3
    names = (GOOD_NAMES + BAD_NAMES) * 6
    headers = ["统一社会信用代码", "企业名称", "税收(万元)", "工业增加值(元)", "用地面积(亩)",
               "年度", "企业规模"]
    rows = {
        headers[0]: [CODE_A] * n,
        headers[1]: names[:n],
        headers[2]: numbers[:n],
        headers[3]: numbers[3:n + 3],
        headers[4]: numbers[5:n + 5],
        headers[5]: (["2023", "2023年", "二〇二三", ""] * n)[:n],
        headers[6]: (["规上", "规下", "大型", "规上"] * n)[:n],
    }
    table = pd.DataFrame(rows, index=pd.Index(range(2, n + 2), name="行号"), dtype=object)
    return table, headers


def _per_cell(table: pd.DataFrame, kind: str, file: str) -> tuple[dict, list]:
    """The old import: :func:`_parse_value` applied to every cell, lines in row order."""
    mapping = map_headers(list(table.columns), kind=kind)
    values: dict[str, dict[int, object]] = {}
    lines: list[dict] = []
    for col in mapping.columns:
        field = common.FIELDS[kind][col.field]
        if field.kind in ("id", "geometry"):
            continue
        out = {}
        for row_no, text in table[col.source].items():
            value, problem = common._parse_value(text, field, col)
            out[row_no] = value
            if problem:
                lines.append(common.report_line(file, row_no, col.source, text, problem,
                                                common._SET_NAN))
        values[col.field] = out
    return values, lines


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def test_fast_parse_gives_the_values_and_lines_of_the_per_cell_parse():
    table, _ = _mixed_table()
    mapping = map_headers(list(table.columns), kind="enterprise")
    fast_values, fast_lines = common._parse_fields(table, mapping, "enterprise", "e.csv")
    slow_values, slow_lines = _per_cell(table, "enterprise", "e.csv")
    assert fast_values.keys() == slow_values.keys()
    for name, col in slow_values.items():
        assert list(fast_values[name]) == list(col), name
        for r, v in col.items():
            assert _same(fast_values[name][r], v), (name, r, fast_values[name][r], v)
    assert fast_lines == slow_lines
    assert any("数值无法识别" in ln["问题"] for ln in fast_lines)  # bad cells were reported


def test_per_cell_parse_runs_only_for_the_cells_the_fast_path_cannot_read(monkeypatch):
    table, headers = _mixed_table()
    mapping = map_headers(list(table.columns), kind="enterprise")
    real = common._parse_value
    calls: list[tuple[str, str]] = []

    def counted(text, field, col):
        calls.append((col.source, text))
        return real(text, field, col)

    monkeypatch.setattr(common, "_parse_value", counted)
    common._parse_fields(table, mapping, "enterprise", "e.csv")
    by_column = {h: [t for c, t in calls if c == h] for h in headers}
    for h in headers[2:5]:  # number columns: each distinct bad text once, no good one
        expected = set(table[h]) & set(BAD_NUMBERS)
        if h != "用地面积(亩)":  # money may be negative (a refund): "-7" is read at once
            expected -= {"-7"}
        assert sorted(by_column[h]) == sorted(expected), h
    assert sorted(by_column[headers[1]]) == sorted(set(BAD_NAMES))  # names
    # year and scale columns: each distinct text once (a handful), never once per row
    for h in headers[5:]:
        assert sorted(by_column[h]) == sorted(set(table[h])), h
    assert len(calls) < len(table) * 2


@pytest.mark.parametrize("credit", [True, False])
def test_plain_ids_are_what_the_per_cell_id_check_keeps(credit):
    raw = [CODE_A, CODE_B, CODE_A.lower(), " " + CODE_A, "1234567890123456E1", "9133020012345",
           "P-001", "P 001", "-", "n/a", "NaN", "2024-03-12 00:00:00", "１２３", "3.3e+17",
           "P07", "合计", "", "A;B", "91330200MA2AB1CD3I", "913302001234567890".replace("0", "٠")]
    rows = list(range(2, len(raw) + 2))
    totals = {rows[-6]}  # row of "P07": a 合计 row by another column
    plain = common._plain_ids(raw, totals, rows, credit=credit)
    assert plain.any()
    for ok, r, text in zip(plain, rows, raw, strict=True):
        slow = common._row_id(r, text, totals, credit=credit, what="企业")
        if ok:
            assert slow == (text, ""), text
    assert not plain[rows.index(rows[-6])]


def test_the_space_class_is_the_white_space_of_str_split():
    spaces = {chr(c) for c in range(0x110000) if chr(c).isspace()}
    s = common._str_series([chr(c) for c in range(0x20, 0x3001)] + ["\t", "\x1c", "\x85"])
    hits = set(s[s.str.contains(common._SPACE, regex=True)])
    assert hits == {c for c in spaces if c in set(s)}


def test_unitless_cells_agree_with_parse_number():
    texts = GOOD_NUMBERS + BAD_NUMBERS
    from geo.io.quantities import parse_number
    assert common._unitless_cells(texts).tolist() == [not parse_number(t).unit for t in texts]


# --------------------------------------------------------------------------- whole imports


def _never(monkeypatch) -> None:
    """Turn every fast path off: each cell goes through its per-cell function."""
    never = "\x01never\x01"
    for mod in (common, ent_mod):
        for name in ("_PLAIN_ID", "_PLAIN_NUMBER"):
            if hasattr(mod, name):
                monkeypatch.setattr(mod, name, never)
    monkeypatch.setattr(common, "_PLAIN_CREDIT", never)
    monkeypatch.setattr(common, "_fast_texts", lambda texts: np.zeros(len(texts), dtype=bool))
    monkeypatch.setattr(par_mod, "_plain_polygons",
                        lambda rows, _geoms, _shapes, _box: np.zeros(len(rows), dtype=bool))
    monkeypatch.setattr(tables, "_PLAIN_DECIMAL", never)  # floats of a layer: Python's format


def _enterprise_csv(path: Path) -> Path:
    codes = [CODE_A, CODE_B, CODE_A, "91330200MA2AB1CD3", "9.13302E+17", "", "合计",
             "91330200ma2ab1cd4x", "913302001234567891", "91330200MA2AB1CD5X"]
    rows = {
        "统一社会信用代码": codes,
        "企业名称": ["甲公司甲公司", "乙 公司", "甲公司甲公司", "丙", "丁公司丁公司", "戊", "",
                 "己公司己公司", "庚公司庚公司", "辛公司辛公司"],
        "宗地编号": ["P1", "P2;P2", "P1", "P3", "P9", "—", "", "P1、P2", "P2", "P 1"],
        "税收(万元)": ["12.5", "3亩", "1,200", "", "7", "8", "100", "-3", "1e2", "—"],
        "工业增加值(万元)": ["100", "200", "300", "x", "5", "6", "900", "12万", "0.5", "40"],
        "用地面积(亩)": ["10", "0", "-2", "3", "4", "5", "", "6", "7", "8"],
        "年度": ["2023"] * 10,
    }
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _parcels(path: Path) -> Path:
    def sq(x: float, d: float = 0.001) -> Polygon:
        return box(121.5 + x, 29.8, 121.5 + x + d, 29.8 + d)

    bow = Polygon([(121.6, 29.8), (121.601, 29.801), (121.601, 29.8), (121.6, 29.801)])
    geoms = [sq(0), sq(0.01), sq(0.02), bow, sq(0.04), box(0, 0, 1, 1), sq(0.06), sq(0.07),
             None, sq(0.09)]
    rows = {"宗地编号": ["P1", "P2", "P3", "P4", "P1", "P6", "n/a", "P 8", "P9", "P10"],
            "用地面积(平方米)": ["", "111", "1e6", "12,000", "10700", "5", "5", "4", "10,7", "—"],
            "年度": ["2023"] * 10}
    gpd.GeoDataFrame(rows, geometry=geoms, crs=4326).to_file(path, engine="pyogrio")
    return path


def _assert_same_import(fast, slow) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(fast.data), pd.DataFrame(slow.data))
    pd.testing.assert_frame_equal(fast.report, slow.report)
    assert fast.rows_read == slow.rows_read


def test_parcel_import_is_the_same_with_and_without_the_fast_paths(tmp_path, monkeypatch):
    path = _parcels(tmp_path / "p.gpkg")
    fast = import_parcels(path)
    _never(monkeypatch)
    slow = import_parcels(path)
    assert len(fast.report) > 5  # the file's problems were all reported
    _assert_same_import(fast, slow)


def test_enterprise_import_is_the_same_with_and_without_the_fast_paths(tmp_path, monkeypatch):
    parcels = import_parcels(_parcels(tmp_path / "p.gpkg")).data
    path = _enterprise_csv(tmp_path / "e.csv")
    fast = import_enterprises(path, parcels=parcels)
    _never(monkeypatch)
    slow = import_enterprises(path, parcels=parcels)
    assert len(fast.report) > 10
    _assert_same_import(fast, slow)
