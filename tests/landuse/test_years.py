"""Several data years side by side (issue 15), against hand-computed figures."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo._errors import DataImportError, user_message
from geo.crs import M2_PER_MU
from geo.labels import YEAR_TEXTS
from geo.landuse.pipeline import Analysis, analyse, empty_parcels
from geo.landuse.scoring import load_profile
from geo.landuse.targets import efficiency_targets
from geo.landuse.years import (
    MATRIX_CLASSES,
    base_year_figures,
    class_transitions,
    enterprise_history,
    trend_frame,
    years_table,
)

MU = M2_PER_MU
PROFILE = load_profile()
UP, DOWN, SAME = YEAR_TEXTS["up"], YEAR_TEXTS["down"], YEAR_TEXTS["same"]
NEW, EXIT, NEITHER = YEAR_TEXTS["new"], YEAR_TEXTS["exit"], YEAR_TEXTS["neither"]
ABSENT, UNCLASSED = YEAR_TEXTS["absent"], "未参评"


# ------------------------------------------------------------------ class transitions


def _list(rows):
    """An evaluation list: (key, name, class, score) per enterprise."""
    return pd.DataFrame(rows, columns=["enterprise_key", "name", "class", "score"]).assign(
        credit_code=lambda d: "C" + d["enterprise_key"], track="规上")


@pytest.fixture
def two_years():
    before = _list([
        ("E1", "甲", "A", 90.0),   # A → B: 降档
        ("E2", "乙", "D", 20.0),   # D → C: 升档
        ("E4", "丁", "B", 60.0),   # gone in the later year: 退出评价
        ("E5", "戊", None, np.nan),  # unclassed both years: 均未参评
        ("E6", "己", "C", 40.0),   # C → C: 持平
        ("E7", "庚", "B", 55.0),   # listed, no longer classed: 退出评价
    ])
    after = _list([
        ("E8", "辛", None, np.nan),  # new and unclassed: 均未参评
        ("E1", "甲（更名）", "B", 70.0),
        ("E2", "乙", "C", 35.0),
        ("E3", "丙", "A", 95.0),   # new in the later year: 新参评
        ("E5", "戊", None, np.nan),
        ("E6", "己", "C", 41.0),
        ("E7", "庚", None, np.nan),
    ])
    return before, after


def test_transition_matrix_counts_by_hand(two_years):
    matrix, _ = class_transitions(*two_years)
    assert list(matrix.index) == ["A", "B", "C", "D", UNCLASSED, ABSENT] == list(MATRIX_CLASSES)
    assert list(matrix.columns) == list(MATRIX_CLASSES)
    #            A  B  C  D  未参评 未在册   (later year)
    expected = [[0, 1, 0, 0, 0, 0],   # A   E1
                [0, 0, 0, 0, 1, 1],   # B   E7 unclassed, E4 gone
                [0, 0, 1, 0, 0, 0],   # C   E6
                [0, 0, 1, 0, 0, 0],   # D   E2
                [0, 0, 0, 0, 1, 0],   # 未参评 E5
                [1, 0, 0, 0, 1, 0]]   # 未在册 E3 new classed, E8 new unclassed
    assert matrix.to_numpy().tolist() == expected
    assert matrix.dtypes.map(pd.api.types.is_integer_dtype).all()
    assert int(matrix.to_numpy().sum()) == 8  # every enterprise of either year once


def test_transition_members_by_hand(two_years):
    _, members = class_transitions(*two_years)
    assert members.attrs["key"] == "enterprise_key"
    got = members.set_index("enterprise_key")
    assert list(got.index) == ["E1", "E2", "E4", "E5", "E6", "E7", "E8", "E3"]
    assert got["move"].to_dict() == {"E1": DOWN, "E2": UP, "E4": EXIT, "E5": NEITHER,
                                     "E6": SAME, "E7": EXIT, "E8": NEITHER, "E3": NEW}
    assert got.loc["E1", ["class_before", "class_after"]].tolist() == ["A", "B"]
    assert got.loc["E4", ["class_before", "class_after"]].tolist() == ["B", ABSENT]
    assert got.loc["E3", ["class_before", "class_after"]].tolist() == [ABSENT, "A"]
    assert got.loc["E5", ["class_before", "class_after"]].tolist() == [UNCLASSED, UNCLASSED]
    assert got.loc["E1", "name"] == "甲（更名）"  # the later year's name
    assert got.loc["E4", "name"] == "丁"        # only listed before
    assert got.loc["E1", "score_before"] == 90.0
    assert got.loc["E1", "score_after"] == 70.0
    assert math.isnan(got.loc["E3", "score_before"])
    assert math.isnan(got.loc["E4", "score_after"])


def test_transitions_fall_back_to_the_credit_code(two_years):
    before, after = two_years
    matrix, members = class_transitions(before.drop(columns="enterprise_key"), after)
    assert members.attrs["key"] == "credit_code"
    assert members["credit_code"].iloc[0] == "CE1"
    assert int(matrix.loc["A", "B"]) == 1
    assert int(matrix.to_numpy().sum()) == 8


def test_a_key_seen_twice_in_one_year_is_refused_in_chinese(two_years):
    before, after = two_years
    twice = pd.concat([after, after.iloc[[1]]], ignore_index=True)  # E1 twice
    with pytest.raises(DataImportError, match="E1") as err:
        class_transitions(before, twice)
    message = user_message(err.value)
    assert "后一年度" in message
    assert "E1" in message
    assert "处理办法" in message


def test_an_enterprise_without_a_key_is_refused(two_years):
    before, after = two_years
    before = before.assign(enterprise_key=before["enterprise_key"].where(
        before.index != 0, None))
    with pytest.raises(DataImportError) as err:
        class_transitions(before, after)
    assert "前一年度" in user_message(err.value)


def test_lists_without_a_shared_key_are_refused(two_years):
    before, after = two_years
    with pytest.raises(DataImportError):
        class_transitions(before.drop(columns=["enterprise_key", "credit_code"]), after)


# ------------------------------------------------------------------ enterprise history


def _analysis(year, enterprises, parcels=None):
    return Analysis(parcels=empty_parcels() if parcels is None else parcels,
                    enterprises=enterprises, profile=PROFILE, data_label="测试", year=year)


def _evaluated(rows):
    """(key, track, score, class, land_mu, tax_wan) → an evaluated list with its figures."""
    df = pd.DataFrame(rows, columns=["enterprise_key", "track", "score", "class", "land_mu",
                                     "tax_wan"])
    return df.assign(scale=df["track"], value_added_wan=df["tax_wan"] * 2,
                     tax_per_mu=df["tax_wan"] / df["land_mu"],
                     va_per_mu=2 * df["tax_wan"] / df["land_mu"])


@pytest.fixture
def history_years():
    return {
        2022: _analysis(2022, _evaluated([
            ("K1", "规上", 80.0, "B", 10.0, 100.0),
            ("K2", "规上", 80.0, "B", 10.0, 100.0),   # tie with K1
            ("K3", "规上", 90.0, "A", 10.0, 300.0),
            ("K4", "规下", 99.0, "A", 10.0, 50.0),    # other track: not ranked with K1
        ])),
        2023: _analysis(2023, _evaluated([("K2", "规上", 60.0, "C", 10.0, 80.0)])),  # no K1
        2024: _analysis(2024, _evaluated([
            ("K1", "规上", 95.0, "A", 20.0, 500.0),
            ("K3", "规上", 70.0, "B", 10.0, 100.0),
        ])),
        2021: _analysis(2021, _evaluated([("K1", "规上", np.nan, None, np.nan, 10.0)])),
    }


def test_enterprise_history_ranks_within_the_track_with_ties(history_years):
    hist = enterprise_history(history_years, "K1")
    assert hist.columns.tolist() == ["year", "track", "score", "class", "rank", "tax_per_mu",
                                     "va_per_mu", "land_mu"]
    assert hist["year"].tolist() == [2021, 2022, 2024]  # absent in 2023: no row
    assert hist["class"].tolist() == [UNCLASSED, "B", "A"]
    assert pd.isna(hist["rank"].iloc[0])  # no score: no rank
    assert hist["rank"].iloc[1:].tolist() == [2, 1]  # 2022: K3 90 first, K1 = K2 = 80 share 2
    assert hist.loc[hist["year"] == 2024, "tax_per_mu"].item() == pytest.approx(25.0)
    assert hist.loc[hist["year"] == 2024, "va_per_mu"].item() == pytest.approx(50.0)
    assert hist.loc[hist["year"] == 2024, "land_mu"].item() == pytest.approx(20.0)
    k2 = enterprise_history(history_years, "K2")
    assert k2["rank"].tolist() == [2, 1]  # tied in 2022, alone in its track in 2023
    assert enterprise_history(history_years, "nobody").empty


def test_enterprise_history_refuses_a_key_seen_twice(history_years):
    doubled = _evaluated([("K1", "规上", 80.0, "B", 10.0, 100.0)] * 2)
    with pytest.raises(DataImportError, match="2 times"):
        enterprise_history({**history_years, 2025: _analysis(2025, doubled)}, "K1")


def test_an_analysis_under_the_wrong_year_is_refused(history_years):
    with pytest.raises(DataImportError) as err:
        enterprise_history({2020: history_years[2022]}, "K1")
    assert "2022" in user_message(err.value)


# ------------------------------------------------------------------ base-year figures


def test_base_year_figures_are_the_2021_city_figures_of_above_scale_firms():
    ent = pd.DataFrame({"enterprise_key": ["A", "B", "C"], "scale": ["规上", "规上", "规下"],
                        "land_mu": [10.0, 30.0, 10.0], "tax_wan": [100.0, 200.0, 1000.0],
                        "value_added_wan": [300.0, 500.0, 9000.0]})
    y2021 = _analysis(2021, ent)
    y2023 = _analysis(2023, ent.assign(tax_wan=[1.0, 1.0, 1.0]))
    assert base_year_figures({2023: y2023}) is None  # no 2021 loaded: nothing guessed
    base = base_year_figures({2021: y2021, 2023: y2023})
    # 规上 only: (100 + 200) / (10 + 30) = 7.5; (300 + 500) / 40 = 20
    assert base == pytest.approx({"tax_per_mu": 7.5, "va_per_mu": 20.0})
    current = efficiency_targets(ent, empty_parcels()).drop_duplicates("indicator")
    assert current.set_index("indicator")["current"].to_dict() == pytest.approx(base)
    goals = efficiency_targets(ent, empty_parcels(), base_2021=base)
    goal = goals.loc[(goals["indicator"] == "tax_per_mu") & goals["basis"].str.contains("2021")]
    assert goal["target"].item() == pytest.approx(7.5 * 1.4)
    only_small = _analysis(2021, ent.assign(scale="规下"))
    assert base_year_figures({2021: only_small}) is None  # no figure to compute


# ------------------------------------------------------------------ years table


def _square(catalog, i: int, pid: str):
    """A 100 m parcel at the representative point of the i-th sub-zone."""
    cell = catalog["subzone"].iloc[[i]].to_crs(4549).representative_point().iloc[0]
    return pid, box(cell.x - 50, cell.y - 50, cell.x + 50, cell.y + 50)


def _year(catalog, year, rows):
    """Analyse one year: rows of (key, parcel, land 亩, tax 万元, VA 万元); parcels P0 in
    sub-zone 0 and P1 in sub-zone 1."""
    squares = [_square(catalog, 0, "P0"), _square(catalog, 1, "P1")]
    parcels = gpd.GeoDataFrame(
        {"parcel_id": [p for p, _ in squares], "land_area_m2": 50 * MU, "land_use": "工业用地",
         "status": "正常", "far": 1.5, "data_label": "测试"},
        geometry=[g for _, g in squares], crs=4549).to_crs(4326)
    ent = pd.DataFrame(rows, columns=["enterprise_key", "parcel_id", "land_mu", "tax_wan",
                                      "value_added_wan"])
    ent = ent.assign(credit_code=ent["enterprise_key"], name=ent["enterprise_key"],
                     scale="规上", land_area_m2=ent["land_mu"] * MU,
                     data_label="测试").drop(columns="land_mu")
    return analyse(parcels, ent, catalog, PROFILE, data_label="测试", year=year)


@pytest.fixture
def unit_years(catalog):
    return {
        # sub-zone 0: tax 10 /亩, VA 0 /亩 (a zero first value)
        2021: _year(catalog, 2021, [("X", "P0", 10.0, 100.0, 0.0)]),
        # sub-zone 0 has no enterprise in 2022; sub-zone 1 has a value only this year
        2022: _year(catalog, 2022, [("Y", "P1", 20.0, 100.0, 100.0)]),
        # sub-zone 0: tax 14.4 /亩, VA 5 /亩
        2023: _year(catalog, 2023, [("X", "P0", 10.0, 144.0, 50.0)]),
    }


def test_years_table_change_growth_and_cagr_by_hand(catalog, unit_years):
    table = years_table(unit_years, catalog, level="subzone")
    assert table.attrs["years"] == [2021, 2022, 2023]
    assert table.columns.tolist()[:7] == ["unit", "unit_name", "tax_per_mu_2021",
                                          "tax_per_mu_2022", "tax_per_mu_2023",
                                          "tax_per_mu_change", "tax_per_mu_growth"]
    assert "va_per_mu_cagr" in table.columns
    units = catalog["subzone"]["id"]
    assert len(table) == len(units)  # every unit of the level, data or not
    s0 = table.set_index("unit").loc[units.iloc[0]]
    assert s0["tax_per_mu_2021"] == pytest.approx(10.0)
    assert math.isnan(s0["tax_per_mu_2022"])
    assert s0["tax_per_mu_2023"] == pytest.approx(14.4)
    assert s0["tax_per_mu_change"] == pytest.approx(4.4)
    assert s0["tax_per_mu_growth"] == pytest.approx(44.0)  # 14.4 / 10 − 1
    assert s0["tax_per_mu_cagr"] == pytest.approx(20.0)    # 1.2² = 1.44 over 2021–2023
    # VA 0 → 5: a change, but no growth rate from zero (NaN, not inf)
    assert s0["va_per_mu_change"] == pytest.approx(5.0)
    assert math.isnan(s0["va_per_mu_growth"])
    assert math.isnan(s0["va_per_mu_cagr"])
    s1 = table.set_index("unit").loc[units.iloc[1]]
    assert s1["tax_per_mu_2022"] == pytest.approx(5.0)  # 100 / 20
    assert all(math.isnan(s1[f"tax_per_mu_{k}"]) for k in ("change", "growth", "cagr"))
    assert not np.isinf(table.select_dtypes("number").to_numpy()).any()


def test_years_table_at_city_level_and_its_trend_frame(catalog, unit_years):
    table = years_table(unit_years, catalog, level="city", metrics=("tax_per_mu",))
    assert table.columns.tolist() == ["unit", "unit_name", "tax_per_mu_2021", "tax_per_mu_2022",
                                      "tax_per_mu_2023", "tax_per_mu_change",
                                      "tax_per_mu_growth", "tax_per_mu_cagr"]
    city = table.iloc[0]
    assert city[["tax_per_mu_2021", "tax_per_mu_2022", "tax_per_mu_2023"]].tolist() == \
        pytest.approx([10.0, 5.0, 14.4])
    assert city["tax_per_mu_cagr"] == pytest.approx(20.0)
    long = trend_frame(table)
    assert long.columns.tolist() == ["unit", "unit_name", "metric", "year", "value"]
    assert long["year"].tolist() == [2021, 2022, 2023]
    assert long["value"].tolist() == pytest.approx([10.0, 5.0, 14.4])


def test_trend_frame_drops_missing_values(catalog, unit_years):
    table = years_table(unit_years, catalog, level="subzone")
    long = trend_frame(table)
    units = catalog["subzone"]["id"]
    s0 = long[long["unit"] == units.iloc[0]]
    assert list(zip(s0["metric"], s0["year"], strict=True)) == [
        ("tax_per_mu", 2021), ("tax_per_mu", 2023), ("va_per_mu", 2021), ("va_per_mu", 2023)]
    assert s0["value"].tolist() == pytest.approx([10.0, 14.4, 0.0, 5.0])
    assert len(long) == 4 + 2  # sub-zone 1: 2022 only; every other unit has no data
    assert long["value"].notna().all()
    # the same frame from the column names alone (attrs lost, e.g. after a reload)
    bare = pd.DataFrame(table)
    bare.attrs = {}
    assert trend_frame(bare).equals(long)


def test_years_table_refuses_an_unknown_metric(catalog, unit_years):
    with pytest.raises(ValueError, match="unknown metrics"):
        years_table(unit_years, catalog, level="city", metrics=("tax_per_m2",))


# ------------------------------------------------------------------ analyses by year


def _several_years(catalog):
    """One parcel file and one enterprise list holding 2021 and 2022 (and an undated row)."""
    squares = [_square(catalog, 0, "P0"), _square(catalog, 0, "P0"), _square(catalog, 1, "P1")]
    parcels = gpd.GeoDataFrame(
        {"parcel_id": [p for p, _ in squares], "land_area_m2": [10 * MU, 20 * MU, 50 * MU],
         "year": pd.array([2021, 2022, pd.NA], dtype="Int64"), "land_use": "工业用地",
         "status": "正常", "far": 1.5, "data_label": "测试"},
        geometry=[g for _, g in squares], crs=4549).to_crs(4326)
    ent = pd.DataFrame([("X", "P0", 100.0, 2021), ("Y", "P1", 50.0, 2021),
                        ("X", "P0", 300.0, 2022), ("Z", "P1", 10.0, 2022),
                        ("U", "P1", 1.0, None)],  # undated: counted in every year
                       columns=["enterprise_key", "parcel_id", "tax_wan", "year"])
    ent = ent.assign(credit_code=ent["enterprise_key"], name=ent["enterprise_key"],
                     scale="规上", value_added_wan=ent["tax_wan"] * 2, data_label="测试",
                     year=pd.array(ent["year"], dtype="Int64"))
    return parcels, ent


def test_analyses_by_year_analyses_each_year_of_one_file(catalog):
    from geo.landuse.years import analyses_by_year, data_years

    parcels, ent = _several_years(catalog)
    assert data_years(parcels, ent) == [2021, 2022]
    got = analyses_by_year(parcels, ent, catalog, PROFILE, data_label="测试")
    assert list(got) == [2021, 2022]
    assert [a.year for a in got.values()] == [2021, 2022]
    assert sorted(got[2021].enterprises["enterprise_key"]) == ["U", "X", "Y"]
    assert sorted(got[2022].enterprises["enterprise_key"]) == ["U", "X", "Z"]
    # each year keeps its own row of P0: 10 亩 in 2021, 20 亩 in 2022 (one row per parcel)
    for year, mu in ((2021, 10.0), (2022, 20.0)):
        par = got[year].parcels.set_index("parcel_id")
        assert par.index.is_unique
        assert par.loc["P0", "land_area_m2"] == pytest.approx(mu * MU)
    # the year's selection is stated in its report
    assert got[2021].report["问题"].astype(str).str.contains("2021、2022").any()
    table = years_table(got, catalog, level="subzone", metrics=("tax_per_mu",))
    s0 = table.set_index("unit").loc[catalog["subzone"]["id"].iloc[0]]
    assert s0["tax_per_mu_2021"] == pytest.approx(10.0)   # 100 万元 / 10 亩
    assert s0["tax_per_mu_2022"] == pytest.approx(15.0)   # 300 / 20
    assert s0["tax_per_mu_growth"] == pytest.approx(50.0)


def test_analyses_by_year_chosen_years_and_refusals(catalog):
    from geo.landuse.years import analyses_by_year

    parcels, ent = _several_years(catalog)
    only = analyses_by_year(parcels, ent, catalog, PROFILE, data_label="测试", years=[2022])
    assert list(only) == [2022]
    with pytest.raises(DataImportError) as err:
        analyses_by_year(parcels, ent, catalog, PROFILE, data_label="测试", years=[2019])
    assert "2021、2022" in user_message(err.value)  # names the years held
    undated = analyses_by_year(parcels.drop(columns="year").iloc[[0, 2]],
                               ent.drop(columns="year"), catalog, PROFILE, data_label="测试")
    assert undated == {}  # no year to tell the rows apart by
