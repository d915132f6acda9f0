"""低效用地 through AppTest (issue 15): the scenario on chosen land, its export on request, and
the industry filter of the flagged list."""

from __future__ import annotations

import dataclasses
import io

import openpyxl
import pandas as pd
import pytest

from app_pages.analysis_state import UPLOADED, UPLOADED_KEY
from app_pages.industry_filter import industry_options, matches_industry
from geo.labels import MAP_LAYERS, SCENARIO_TEXTS, column_label
from geo.landuse.model import split_ids
from geo.landuse.pipeline import analyse, load_sample
from geo.landuse.scoring import load_profile
from tests.support.apptest import download, open_page

PAGE = "app_pages/lowland.py"


def _count(at, label: str) -> int:
    value = next(m.value for m in at.metric if m.label == label)
    return int(str(value).split()[0].replace(",", ""))


def _buttons(at, label: str) -> list:
    return [b for b in at.get("download_button") if b.proto.label == label]


@pytest.mark.usefixtures("work")
def test_choosing_a_district_changes_the_chosen_land_and_its_scenario():
    at = open_page(PAGE)
    every = _count(at, SCENARIO_TEXTS["chosen"])
    assert every == _count(at, MAP_LAYERS["lowland"])  # nothing chosen: all flagged land
    scen = next(df.value for df in at.dataframe if "亩均税收·情景" in df.value)
    before = scen.set_index("单元")["亩均税收·情景"]
    at.multiselect(key="s_districts").set_value(["海曙区"]).run()
    assert not at.exception, at.exception
    some = _count(at, SCENARIO_TEXTS["chosen"])
    assert 0 < some < every
    after = next(df.value for df in at.dataframe if "亩均税收·情景" in df.value
                 ).set_index("单元")["亩均税收·情景"]
    assert (after.fillna(-1) != before.fillna(-1)).any()  # fewer parcels raised
    at.multiselect(key="s_reasons").set_value(["IDLE"]).run()
    assert _count(at, SCENARIO_TEXTS["chosen"]) <= some


@pytest.mark.usefixtures("work")
def test_prepare_download_gives_the_comparison_with_its_criteria():
    at = open_page(PAGE)
    assert not _buttons(at, SCENARIO_TEXTS["download"])  # nothing built before it is asked for
    at.multiselect(key="s_districts").set_value(["海曙区"]).run()
    chosen = _count(at, SCENARIO_TEXTS["chosen"])
    at.button(key="s_prepare").click().run()
    assert not at.exception, at.exception
    book = openpyxl.load_workbook(io.BytesIO(download(_buttons(at, SCENARIO_TEXTS["download"])[0])))
    headers = {c.value for c in book.worksheets[0][1]}
    assert {"单元", "亩均税收·现状", "亩均税收·情景", "亩均税收变化（%）",
            "宗地面积·现状（亩）", "宗地面积·情景（亩）", "面积变化（%）"} <= headers
    notes = {str(r[0].value): str(r[1].value) for r in book["说明"].iter_rows(min_row=2)}
    assert notes["选择条件"] == "区县（市）：海曙区"
    assert notes["作用宗地数"] == f"{chosen:,}"
    assert "提升" in notes["情景"]
    listed = openpyxl.load_workbook(io.BytesIO(download(
        _buttons(at, SCENARIO_TEXTS["download_parcels"])[0]))).worksheets[0]
    assert listed.max_row == chosen + 1
    # the files belong to the inputs they were built from: a new choice hides them
    at.multiselect(key="s_districts").set_value(["鄞州区"]).run()
    assert not _buttons(at, SCENARIO_TEXTS["download"])


@pytest.fixture(scope="module")
def with_industries(catalog):
    """The sample analysed, its enterprises given GB/T 4754 大类 by hand (C39 / C34 alternately)."""
    sample = load_sample()
    full = analyse(sample.parcels, sample.enterprises, catalog, load_profile(),
                   data_label="测试数据（非示例）", year=sample.year)
    ent = full.enterprises.copy()
    odd = ent.reset_index(drop=True).index % 2 == 1
    ent["industry_group"] = ["C34" if o else "C39" for o in odd]
    ent["industry_group_name"] = ["通用设备制造业" if o else "计算机、通信和其他电子设备制造业"
                                  for o in odd]
    ent["industry_section"], ent["industry_section_name"] = "C", "制造业"
    ent.loc[ent.index[:5], ["industry_group", "industry_section"]] = None  # unknown codes
    return dataclasses.replace(full, enterprises=ent)


@pytest.mark.usefixtures("work")
def test_industry_filter_narrows_the_flagged_list(with_industries):
    at = open_page(PAGE)
    at.session_state[UPLOADED] = with_industries
    at.session_state[UPLOADED_KEY] = "lowland-industries"
    at.run()
    assert not at.exception, at.exception
    reasons = column_label("reasons")
    full = next(df.value for df in at.dataframe if reasons in df.value)
    options = at.multiselect(key="lp_industries").options
    assert {"C", "C34", "C39"} <= {o.split()[0] for o in options}
    at.multiselect(key="lp_industries").set_value(["C39"]).run()
    assert not at.exception, at.exception
    narrow = next(df.value for df in at.dataframe if reasons in df.value)
    assert 0 < len(narrow) < len(full)
    ent = with_industries.enterprises
    c39 = {p for v in ent.loc[ent["industry_group"] == "C39", "parcel_id"] for p in split_ids(v)}
    assert set(narrow[column_label("parcel_id")].astype(str)) <= c39
    # the scenario's own industry criterion chooses land the same way
    at.multiselect(key="s_industries").set_value(["C39"]).run()
    assert _count(at, SCENARIO_TEXTS["chosen"]) == len(narrow)


def test_industry_options_and_matches_for_reuse():
    ent = pd.DataFrame({
        "industry_group": ["C39", None, "D44"],
        "industry_group_name": ["计算机、通信和其他电子设备制造业", None, "电力、热力生产和供应业"],
        "industry_section": ["C", None, "D"],
        "industry_section_name": ["制造业", None, "电力、热力、燃气及水生产和供应业"]})
    assert list(industry_options(ent)) == ["C", "C39", "D", "D44"]  # each 门类, then its 大类
    assert industry_options(ent)["C39"] == "C39 计算机、通信和其他电子设备制造业"
    assert industry_options(ent.drop(columns=list(ent.columns))) == {}
    assert list(matches_industry(ent, ("C",))) == [True, False, False]
    assert list(matches_industry(ent, ("D44", "C39"))) == [True, False, True]
    assert matches_industry(ent, ()).all()
