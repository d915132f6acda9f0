"""The 多年度对比 page through AppTest (issue 15): years from the 示例数据 or from datasets of the
workspace, the years table, the 2021 base target, the class transition matrix with its members,
an enterprise's history and downloads built only when asked."""

from __future__ import annotations

import datetime as dt
import io

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from geo.crs import M2_PER_MU as MU
from geo.labels import REPORT_COLUMNS, TARGET_COLUMNS, YEAR_TEXTS, YEARS_PAGE
from geo.landuse.model import SAMPLE_LABEL
from geo.store import open_workspace
from tests.support.apptest import download, open_page

PAGE = "app_pages/years.py"


def _frames(catalog, year: int, taxes: dict[str, float]):
    """A year's parcels (P0, P1 in the first two 分片) and 规上 firms of 10 亩 each, taxed
    ``taxes`` 万元 (增加值 three times as much): the order of the taxes is the order of the
    scores."""
    cells = catalog["subzone"].iloc[:2].to_crs(4549).representative_point()
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["P0", "P1"], "land_area_m2": 100 * MU, "land_use": "工业用地",
         "status": "正常", "far": 1.5, "data_label": "测试数据", "year": year},
        geometry=[box(p.x - 50, p.y - 50, p.x + 50, p.y + 50) for p in cells],
        crs=4549).to_crs(4326)
    ent = pd.DataFrame([(k, "P0" if i % 2 else "P1", t) for i, (k, t) in enumerate(taxes.items())],
                       columns=["enterprise_key", "parcel_id", "tax_wan"])
    ent = ent.assign(credit_code="91330200" + ent["enterprise_key"],
                     name="企业" + ent["enterprise_key"], scale="规上", land_area_m2=10 * MU,
                     value_added_wan=ent["tax_wan"] * 3, data_label="测试数据", year=year)
    return parcels, ent


def _store(work, catalog, years: dict[int, dict[str, float]]) -> list[str]:
    ws = open_workspace(work)
    ids = []
    for i, (year, taxes) in enumerate(years.items()):
        parcels, ent = _frames(catalog, year, taxes)
        ids.append(ws.add_dataset(
            name=f"{year} 年亩均数据", parcels=parcels, enterprises=ent,
            report=pd.DataFrame(columns=list(REPORT_COLUMNS)), data_label="测试数据",
            year=year, choices="", who="测试", when=dt.datetime(2026, 1, 1 + i)))
    ws.dispose()
    return ids


#: Five firms per year: by rank 1 A (20 %), 3 B (to 80 %), 1 C (15 % of 5 rounds to one; the
#: 5 % of D to none). 2021: E1 best … E5 worst; 2023: E5 gone, E6 new and best, the rest reversed.
TWO_YEARS = {2021: {"E1": 500, "E2": 400, "E3": 300, "E4": 200, "E5": 100},
             2023: {"E6": 500, "E4": 400, "E3": 300, "E2": 200, "E1": 100}}


def _frame_with(at, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _texts(at) -> str:
    return " ".join(str(e.value) for kind in ("warning", "info", "caption", "error")
                    for e in getattr(at, kind))


@pytest.mark.usefixtures("work")
def test_years_page_renders_the_sample_and_labels_it():
    at = open_page(PAGE)
    assert at.title[0].value == YEARS_PAGE["title"]
    assert SAMPLE_LABEL in at.warning[0].value
    assert not at.error
    table = _frame_with(at, "单元名称")
    assert len(table) == 10  # one row per 区县 (the default level)


def test_years_page_matrix_members_target_and_history(work, catalog):
    _store(work, catalog, TWO_YEARS)
    at = open_page(PAGE)
    assert not at.error, [e.value for e in at.error]
    assert "测试数据" in at.info[0].value
    assert "2021、2023" in at.info[0].value
    matrix = _frame_with(at, YEAR_TEXTS["rows"]).set_index(YEAR_TEXTS["rows"])
    assert list(matrix.columns) == ["A", "B", "C", "D", "未参评", YEAR_TEXTS["absent"]]
    #            A  B  C  D  未参评 未在册   (2023)
    expected = [[0, 0, 1, 0, 0, 0],   # A      E1 falls to C
                [0, 3, 0, 0, 0, 0],   # B      E2, E3, E4 stay B
                [0, 0, 0, 0, 0, 1],   # C      E5 gone
                [0, 0, 0, 0, 0, 0],   # D
                [0, 0, 0, 0, 0, 0],   # 未参评
                [1, 0, 0, 0, 0, 0]]   # 未在册  E6 new, A
    assert matrix.to_numpy().tolist() == expected
    said = _texts(at)
    for move, n in ((YEAR_TEXTS["down"], 1), (YEAR_TEXTS["same"], 3), (YEAR_TEXTS["exit"], 1),
                    (YEAR_TEXTS["new"], 1)):
        assert YEARS_PAGE["move_count"].format(move=move, count=n) in said
    at.selectbox(key="y_cell").set_value(("B", "B")).run()
    members = _frame_with(at, YEAR_TEXTS["move"])
    assert sorted(members["企业名称"]) == ["企业E2", "企业E3", "企业E4"]
    assert set(members[YEAR_TEXTS["move"]]) == {YEAR_TEXTS["same"]}
    # 2021 is loaded: the +40 % target is computed on its 规上 city figure
    target = _frame_with(at, YEARS_PAGE["base_column"]).set_index(TARGET_COLUMNS["label"])
    base = target[YEARS_PAGE["base_column"]].iloc[0]  # (500 + … + 100) / 50 亩 = 30
    assert base == pytest.approx(30.0)
    assert target[TARGET_COLUMNS["target"]].iloc[0] == pytest.approx(42.0)
    at.selectbox(key="y_enterprise").set_value("E1").run()
    hist = _frame_with(at, YEAR_TEXTS["rank"])
    assert hist["评价类别"].tolist() == ["A", "C"]


def test_years_page_downloads_only_when_asked(work, catalog):
    _store(work, catalog, TWO_YEARS)
    at = open_page(PAGE)
    assert not at.get("download_button")  # nothing built on a plain run
    prepare = YEARS_PAGE["prepare"].format(what=YEARS_PAGE["what_members"])
    next(b for b in at.button if b.label == prepare).click().run()
    button = next(b for b in at.get("download_button")
                  if YEARS_PAGE["what_members"] in b.proto.label)
    book = openpyxl.load_workbook(io.BytesIO(download(button)))
    assert book.worksheets[0].max_row == 1 + 6  # every firm of either year once
    notes = {str(r[0].value): str(r[1].value) for r in book["说明"].iter_rows(min_row=2)}
    assert notes["数据年度"] == "2021、2023"
    assert notes["数据性质"] == "测试数据"
    at.run()  # the file is kept for these inputs, not rebuilt
    assert any(YEARS_PAGE["what_members"] in b.proto.label for b in at.get("download_button"))


def test_years_page_says_the_2021_data_are_needed(work, catalog):
    _store(work, catalog, {2022: TWO_YEARS[2021], 2023: TWO_YEARS[2023]})
    at = open_page(PAGE)
    assert YEARS_PAGE["no_2021"] in _texts(at)
    assert not any(YEARS_PAGE["base_column"] in df.value.columns for df in at.dataframe)


def test_years_page_refuses_two_datasets_of_one_year(work, catalog):
    ids = _store(work, catalog, {2021: TWO_YEARS[2021]})
    ids += _store(work, catalog, {2021: TWO_YEARS[2023]})
    at = open_page(PAGE)
    at.multiselect(key="y_datasets").set_value(ids).run()
    assert not at.exception
    assert "2021 年有不止一个" in _texts(at)


def test_years_page_says_one_stored_dataset_holds_one_year(work, catalog):
    _store(work, catalog, {2023: TWO_YEARS[2023]})
    at = open_page(PAGE)
    assert YEARS_PAGE["one_year"].format(year=2023) in _texts(at)
    at.radio(key="y_source").set_value("current").run()
    assert YEARS_PAGE["dataset_one_year"].format(year=2023) in _texts(at)


@pytest.mark.usefixtures("work")
def test_years_page_says_an_upload_keeps_one_year(catalog):
    from geo.landuse.pipeline import analyse
    from geo.landuse.scoring import load_profile

    parcels, ent = _frames(catalog, 2022, TWO_YEARS[2021])
    at = open_page(PAGE)
    at.session_state["uploaded_analysis"] = analyse(parcels, ent, catalog, load_profile(),
                                                    data_label="测试数据", year=2022)
    at.session_state["uploaded_analysis_key"] = "upload"
    at.radio(key="y_source").set_value("current").run()
    assert not at.exception
    assert YEARS_PAGE["upload_one_year"].format(year=2022) in _texts(at)


def test_years_page_says_why_two_years_cannot_be_matched(work, catalog):
    ws = open_workspace(work)
    for i, year in enumerate((2021, 2023)):
        parcels, ent = _frames(catalog, year, TWO_YEARS[year])
        if year == 2023:
            ent = pd.concat([ent, ent.iloc[[1]]], ignore_index=True)  # E4 twice in 2023
        ws.add_dataset(name=f"{year}", parcels=parcels, enterprises=ent,
                       report=pd.DataFrame(columns=list(REPORT_COLUMNS)), data_label="测试数据",
                       year=year, choices="", who="测试", when=dt.datetime(2026, 1, 1 + i))
    ws.dispose()
    at = open_page(PAGE)
    assert not at.exception
    said = " ".join(e.value for e in at.error)
    assert "E4" in said
    assert "处理办法" in said  # the fix, in Chinese, not a traceback
    assert any(YEARS_PAGE["base_column"] in df.value.columns for df in at.dataframe)
    assert at.selectbox(key="y_enterprise") is not None  # the sections after it still shown


@pytest.mark.usefixtures("work")
def test_a_city_of_enterprises_is_searched_before_it_is_offered():
    """The sample's thousands of enterprises are not all sent as one choice: a search first,
    at most PICK_LIMIT offered, narrowed by what is typed."""
    from app_pages.years_state import PICK_LIMIT

    at = open_page(PAGE)
    offered = at.selectbox(key="y_enterprise").options
    assert len(offered) == PICK_LIMIT
    assert any("匹配" in c.value for c in at.caption)
    name = offered[3].split("（")[0]
    at.text_input(key="y_find").input(name).run()
    narrowed = at.selectbox(key="y_enterprise").options
    assert 1 <= len(narrowed) < PICK_LIMIT
    assert all(name in o for o in narrowed)
