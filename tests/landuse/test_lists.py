"""The 公示名单 and the A/B/C/D, 免评 and 未参评 lists, as tables and as one workbook (issue 15)."""

from __future__ import annotations

import datetime as dt
import io

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo._errors import ExportError
from geo.export import ExportNotes, workbook_bytes
from geo.labels import COLUMNS, LIST_COLUMNS, LIST_SHEETS, NOTES_SHEET, SHEET_ROWS_NOTE
from geo.landuse.lists import (
    class_list,
    class_workbook,
    exempt_list,
    publicity_bytes,
    publicity_list,
    publicity_period,
    unclassed_list,
)
from geo.landuse.pipeline import Analysis
from geo.landuse.scoring import CLASSES
from geo.landuse.tables import UNCLASSED

START = dt.date(2026, 12, 7)
HOSTILE = '=HYPERLINK("x")'
SHEETS = [*(LIST_SHEETS[c] for c in CLASSES), LIST_SHEETS["exempt"], UNCLASSED]


@pytest.fixture(scope="session")
def sample(sample_analysis):
    """The session's 示例数据 analysis (tests/conftest.py)."""
    return sample_analysis


@pytest.fixture(scope="module")
def sample_book(sample):
    return openpyxl.load_workbook(io.BytesIO(class_workbook(sample, start=START)))


def _hand_frame() -> pd.DataFrame:
    """Nine enterprises as evaluate() leaves them: classed, exempt, unclassed, a tenant."""
    rows = [  # name, class, score, track, exemption, class_note, rank, size, policies
        ("甲", "A", 95.0, "规上", "", "", 1, 4, "用地：优先保障"),
        ("乙", "B", 80.0, "规上", "", "", 2, 4, "用电：正常"),
        ("丙", "D", 20.0, "规上", "", "", 4, 4, "用电：加价（0.1 元/千瓦时）"),
        ("丁", "A", 99.0, "规上", "", "", 1, 4, "用地：优先保障"),  # ranks before 甲
        (HOSTILE, "C", 50.0, "规下", "", "", 1, 1, ""),
        ("戊", None, np.nan, "规上", "免评：新设立不满 2 年", "免评：新设立不满 2 年",
         np.nan, np.nan, ""),
        ("己", None, np.nan, "规下", "", "无用地数据，未参评", np.nan, np.nan, ""),
        ("庚", None, np.nan, None, "", "规模未知或方案无此类别，未参评", np.nan, np.nan, ""),
        ("辛", "B", np.nan, "租赁", "", "租赁企业，按方案取出租方等级：B", np.nan, np.nan,
         "用电：正常"),
    ]
    frame = pd.DataFrame(rows, columns=["name", "class", "score", "track", "exemption",
                                        "class_note", "rank_in_group", "group_size", "policies"])
    frame["credit_code"] = [f"91330200MA0000000{i}" for i in range(len(frame))]
    frame["district"] = "北仑区"
    return frame


@pytest.fixture
def hand() -> Analysis:
    from geo.landuse.scoring import load_profile

    parcels = gpd.GeoDataFrame({"parcel_id": []}, geometry=[], crs="EPSG:4326")
    return Analysis(parcels=parcels, enterprises=_hand_frame(), profile=load_profile(),
                    data_label="测试数据（手工表）", year=2025)


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _records(ws) -> list[dict[str, object]]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _notes(ws) -> dict[str, str]:
    return {k: v for k, v in ws.iter_rows(min_row=2, values_only=True)}


# ------------------------------------------------------------------------ the workbook


def test_sheets_are_the_lists_in_order_with_the_notes_last(sample_book):
    assert sample_book.sheetnames == [*SHEETS, LIST_SHEETS["publicity"], NOTES_SHEET["zh"]]


def test_without_a_start_there_is_no_publicity_sheet(hand):
    assert _book(class_workbook(hand)).sheetnames == [*SHEETS, NOTES_SHEET["zh"]]


def test_every_data_sheet_has_its_header_frozen(sample_book):
    for name in sample_book.sheetnames[:-1]:
        assert sample_book[name].freeze_panes == "A2", name


def test_row_counts_per_class_equal_the_analysis(sample, sample_book):
    ent = sample.enterprises
    for cls in CLASSES:
        assert sample_book[LIST_SHEETS[cls]].max_row - 1 == int((ent["class"] == cls).sum())
    exempt = ent["exemption"].ne("") & ent["track"].notna() & ent["class"].isna()
    assert sample_book[LIST_SHEETS["exempt"]].max_row - 1 == int(exempt.sum())
    assert sample_book[UNCLASSED].max_row - 1 == int((ent["class"].isna() & ~exempt).sum())
    assert sample_book[LIST_SHEETS["publicity"]].max_row - 1 == int(ent["class"].notna().sum())
    total = sum(sample_book[s].max_row - 1 for s in SHEETS)
    assert total == len(ent)  # every enterprise in exactly one list


def test_each_list_holds_only_its_class(sample_book):
    for cls in CLASSES:
        classes = {r[LIST_COLUMNS["class"]] for r in _records(sample_book[LIST_SHEETS[cls]])}
        assert classes == {cls}


def test_the_notes_sheet_says_sample_year_profile_and_period(sample, sample_book):
    notes = _notes(sample_book[NOTES_SHEET["zh"]])
    text = "\n".join(f"{k}：{v}" for k, v in notes.items())
    assert "示例数据" in text
    assert sample.profile.name in text
    assert str(sample.year) in notes["数据年度"]
    assert notes["公示期"].startswith("2026-12-07 至 2026-12-13")
    assert notes["记录数"] == str(len(sample.enterprises))
    assert notes["几何说明"] == "无图形（表格）"
    assert f"{LIST_SHEETS['A']} {int((sample.enterprises['class'] == 'A').sum())}" in \
        notes[SHEET_ROWS_NOTE]


def test_hand_data_are_not_called_sample(hand):
    notes = _notes(_book(class_workbook(hand))[NOTES_SHEET["zh"]])
    assert "示例数据" not in "".join(str(v) for v in notes.values())
    assert notes["数据性质"] == "测试数据（手工表）"
    assert notes["公示期"] == "未设定（未生成公示名单）"


def test_every_list_carries_the_policies(hand):
    book = _book(class_workbook(hand, start=START))
    for name in book.sheetnames[:-1]:
        header = next(book[name].iter_rows(max_row=1, values_only=True))
        assert LIST_COLUMNS["policies"] in header, name
    assert [r[LIST_COLUMNS["policies"]] for r in _records(book[LIST_SHEETS["D"]])] == [
        "用电：加价（0.1 元/千瓦时）"]


# ----------------------------------------------------------------------- the 公示名单


def test_publicity_dates_are_start_plus_days_minus_one():
    assert publicity_period(START, 7) == (START, dt.date(2026, 12, 13))
    assert publicity_period(dt.date(2026, 12, 20), 15) == (dt.date(2026, 12, 20),
                                                         dt.date(2027, 1, 3))
    assert publicity_period(START, 1) == (START, START)
    assert publicity_period(dt.datetime(2026, 12, 7, 15, 30), 7)[1] == dt.date(2026, 12, 13)


def test_publicity_days_default_to_the_profile(hand):
    assert hand.profile.rules.publicity_days == 7
    table = publicity_list(hand, start=START)
    assert set(table[LIST_COLUMNS["publicity_start"]]) == {START}
    assert set(table[LIST_COLUMNS["publicity_end"]]) == {dt.date(2026, 12, 13)}
    longer = publicity_list(hand, start=START, days=10)
    assert set(longer[LIST_COLUMNS["publicity_end"]]) == {dt.date(2026, 12, 16)}
    bare = publicity_list(_hand_frame(), start=START)  # a table without a profile
    assert set(bare[LIST_COLUMNS["publicity_end"]]) == {dt.date(2026, 12, 13)}


def test_publicity_dates_in_the_workbook(sample_book):
    first = _records(sample_book[LIST_SHEETS["publicity"]])[0]
    assert first[LIST_COLUMNS["publicity_start"]].date() == START
    assert first[LIST_COLUMNS["publicity_end"]].date() == dt.date(2026, 12, 13)


def test_publicity_list_runs_a_to_d_then_score_down(hand):
    table = publicity_list(hand, start=START)
    assert list(table.columns) == [LIST_COLUMNS[k] for k in (
        "class", "name", "credit_code", "track", "rank_group", "score", "rank_in_group",
        "publicity_start", "publicity_end", "policies")]
    assert list(table[LIST_COLUMNS["name"]]) == ["丁", "甲", "乙", "辛", HOSTILE, "丙"]
    assert list(table[LIST_COLUMNS["class"]]) == ["A", "A", "B", "B", "C", "D"]


def test_sample_publicity_list_is_sorted(sample):
    table = publicity_list(sample, start=START)
    order = table[LIST_COLUMNS["class"]].map(CLASSES.index)
    assert order.is_monotonic_increasing
    tracks = [s.name for s in sample.profile.specs()]
    for _, cls in table.groupby(LIST_COLUMNS["class"], sort=False):
        seen = cls[LIST_COLUMNS["track"]].dropna().map(tracks.index)
        assert seen.is_monotonic_increasing  # tracks in profile order
        keys = cls[LIST_COLUMNS["track"]].astype(str) + "/" + cls[LIST_COLUMNS["rank_group"]]
        assert (keys != keys.shift()).sum() == keys.nunique()  # each group in one run
        for _, group in cls.groupby(LIST_COLUMNS["rank_group"]):
            assert group[LIST_COLUMNS["rank_in_group"]].dropna().is_monotonic_increasing
            assert group[LIST_COLUMNS["score"]].dropna().is_monotonic_decreasing


def _grouped_frame() -> pd.DataFrame:
    """Class A of two tracks ranked within industry groups, 规下 rows first (rank_within
    "industry"): pooled by score the order would be 寅 95, 子 90, 卯 80, 丑 70."""
    rows = [  # name, track, rank_group, score, rank, size
        ("子", "规下", "规下｜C17", 90.0, 1, 5),
        ("丑", "规上", "规上｜C39", 70.0, 1, 6),
        ("卯", "规上", "规上｜C26", 80.0, 2, 7),
        ("寅", "规上", "规上｜C26", 95.0, 1, 7),
        ("辰", "规上", "规上｜其他行业（合并）", 99.0, 1, 8),
        ("巳", "规下", "规下｜C17", 60.0, 4, 5),  # class B: its own list
    ]
    frame = pd.DataFrame(rows, columns=["name", "track", "rank_group", "score", "rank_in_group",
                                        "group_size"])
    frame["class"] = ["A", "A", "A", "A", "A", "B"]
    return frame


def test_lists_run_by_track_then_ranking_group_then_rank(hand):
    analysis = Analysis(parcels=hand.parcels, enterprises=_grouped_frame(), profile=hand.profile,
                        data_label="测试数据（手工表）", year=2025)
    assert [s.name for s in hand.profile.specs()] == ["规上", "规下"]
    table = class_list(analysis, "A")
    # the profile's tracks first 规上 then 规下; within 规上 the groups C26, C39, then the pooled
    # group; within C26 by rank (寅 1, 卯 2) — 辰's 99 points never lift it across groups
    assert list(table[LIST_COLUMNS["name"]]) == ["寅", "卯", "丑", "辰", "子"]
    assert list(table[LIST_COLUMNS["rank_group"]]) == [
        "规上｜C26", "规上｜C26", "规上｜C39", "规上｜其他行业（合并）", "规下｜C17"]
    assert list(table[LIST_COLUMNS["rank_in_group"]]) == [1, 2, 1, 1, 1]
    assert list(table[LIST_COLUMNS["group_size"]]) == [7, 7, 6, 8, 5]
    # without a profile the tracks run in the order they first appear (规下 first here)
    bare = class_list(_grouped_frame(), "A")
    assert list(bare[LIST_COLUMNS["name"]]) == ["子", "寅", "卯", "丑", "辰"]
    public = publicity_list(analysis, start=START)
    assert list(public[LIST_COLUMNS["name"]]) == ["寅", "卯", "丑", "辰", "子", "巳"]
    assert list(public[LIST_COLUMNS["rank_group"]])[-1] == "规下｜C17"


def test_rank_headers_say_the_ranking_group():
    """The rank is within the ranking group (排名组), not the track: the lists say so, with the
    enterprise table's words."""
    for key in ("rank_group", "rank_in_group", "group_size"):
        assert LIST_COLUMNS[key] == COLUMNS[key]
    assert (LIST_COLUMNS["rank_group"], LIST_COLUMNS["rank_in_group"],
            LIST_COLUMNS["group_size"]) == ("排名组", "组内名次", "组内参评企业数")
    table = class_list(_hand_frame(), "A")
    assert LIST_COLUMNS["rank_group"] in table.columns
    # a table without rank_group ranks within tracks: the group is the track
    assert list(table[LIST_COLUMNS["rank_group"]]) == list(table[LIST_COLUMNS["track"]])


def test_exempt_enterprises_are_never_ranked(hand):
    table = publicity_list(hand, start=START)
    assert "戊" not in set(table[LIST_COLUMNS["name"]])
    exempt = exempt_list(hand)
    assert list(exempt[LIST_COLUMNS["name"]]) == ["戊"]
    assert exempt[LIST_COLUMNS["exemption"]].iloc[0] == "免评：新设立不满 2 年"
    for key in ("score", "rank_in_group", "class", "group_size"):
        assert LIST_COLUMNS[key] not in exempt.columns
    book = _book(class_workbook(hand, start=START))
    names = [r[LIST_COLUMNS["name"]] for s in [*SHEETS[:4], LIST_SHEETS["publicity"]]
             for r in _records(book[s])]
    assert "戊" not in names


def test_unclassed_enterprises_are_listed_with_their_reason(hand):
    table = unclassed_list(hand)
    assert dict(zip(table[LIST_COLUMNS["name"]], table[LIST_COLUMNS["unclassed_reason"]],
                    strict=True)) == {"己": "无用地数据，未参评",
                                      "庚": "规模未知或方案无此类别，未参评"}


def test_a_tenant_graded_by_its_landlord_is_listed_without_a_rank(hand):
    table = class_list(hand, "B")
    assert list(table[LIST_COLUMNS["name"]]) == ["乙", "辛"]  # scored first
    assert table[LIST_COLUMNS["rank_in_group"]].isna().tolist() == [False, True]


def test_a_hostile_name_is_neutralised(hand):
    book = _book(class_workbook(hand, start=START))
    for name in (LIST_SHEETS["C"], LIST_SHEETS["publicity"]):
        cells = [r[LIST_COLUMNS["name"]] for r in _records(book[name])]
        assert "'" + HOSTILE in cells, name
        assert HOSTILE not in cells
    csv = publicity_bytes(hand, start=START, fmt="csv").decode("utf-8-sig")
    assert "'" + HOSTILE.replace('"', '""') in csv
    assert not any(line.startswith("=") for line in csv.splitlines())


def test_publicity_bytes_in_both_formats(hand):
    book = _book(publicity_bytes(hand, start=START))
    data = book[book.sheetnames[0]]
    assert data.max_row - 1 == 6
    assert data.freeze_panes == "A2"
    assert _notes(book[NOTES_SHEET["zh"]])["公示期"].startswith("2026-12-07 至 2026-12-13")
    csv = publicity_bytes(hand, start=START, days=3, fmt="csv").decode("utf-8-sig")
    assert csv.splitlines()[0].split(",")[:2] == [LIST_COLUMNS["class"], LIST_COLUMNS["name"]]
    assert "2026-12-09" in csv
    with pytest.raises(ExportError):
        publicity_bytes(hand, start=START, fmt="pdf")


@pytest.mark.parametrize("days", [0, -1, 1.5, True, "7"])
def test_a_bad_publicity_length_is_refused(days):
    with pytest.raises(ExportError) as err:
        publicity_period(START, days)
    assert "公示天数" in err.value.describe("zh")


def test_a_start_that_is_not_a_date_is_refused(hand):
    with pytest.raises(ExportError) as err:
        publicity_list(hand, start="2026-12-07")  # type: ignore[arg-type]
    assert "公示开始日期" in err.value.describe("zh")


def test_a_table_without_class_or_name_is_refused():
    with pytest.raises(ExportError) as err:
        publicity_list(pd.DataFrame({"name": ["甲"]}), start=START)
    assert err.value.field == "class"


def test_class_list_refuses_an_unknown_class(hand):
    with pytest.raises(ExportError):
        class_list(hand, "E")


# ----------------------------------------------------------------- the workbook writer


def _plain_notes() -> ExportNotes:
    return ExportNotes(nature="测试", units="亩", sources="手工")


def test_workbook_bytes_keeps_the_order_and_counts_the_rows():
    sheets = {"第二": pd.DataFrame({"x": [1, 2]}), "第一": pd.DataFrame({"y": ["a"]})}
    book = _book(workbook_bytes(sheets, notes=_plain_notes()))
    assert book.sheetnames == ["第二", "第一", NOTES_SHEET["zh"]]
    notes = _notes(book[NOTES_SHEET["zh"]])
    assert notes["记录数"] == "3"
    assert notes[SHEET_ROWS_NOTE] == "第二 2；第一 1"
    assert _book(workbook_bytes(sheets, notes=_plain_notes(), lang="en")).sheetnames[-1] == \
        NOTES_SHEET["en"]


def test_workbook_bytes_neutralises_cells_and_headers():
    sheets = {"表": pd.DataFrame({"=cmd": ["\tx", "+1+1", "-5", "@a"]})}
    ws = _book(workbook_bytes(sheets, notes=_plain_notes()))["表"]
    assert [c.value for c in ws["A"]] == ["'=cmd", "'\tx", "'+1+1", "-5", "'@a"]


@pytest.mark.parametrize("name", ["a/b", "a\\b", "[x]", "a:b", "a*b", "a?b", "x" * 32, "",
                                  "'引号", "说明", 3])
def test_an_invalid_sheet_name_is_refused(name):
    with pytest.raises(ExportError) as err:
        workbook_bytes({name: pd.DataFrame({"x": [1]})}, notes=_plain_notes())
    said = err.value.describe("zh")
    assert "工作表名称" in said
    assert "处理办法" in said


def test_sheet_names_differing_only_in_case_are_refused():
    with pytest.raises(ExportError):
        workbook_bytes({"Ab": pd.DataFrame(), "AB": pd.DataFrame()}, notes=_plain_notes())


def test_a_workbook_needs_a_sheet():
    with pytest.raises(ExportError):
        workbook_bytes({}, notes=_plain_notes())


def test_a_31_character_name_is_accepted():
    book = _book(workbook_bytes({"x" * 31: pd.DataFrame({"x": [1]})}, notes=_plain_notes()))
    assert book.sheetnames[0] == "x" * 31
