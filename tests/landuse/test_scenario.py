"""The scenario on chosen flagged land (issue 15): choosing the land, acting on it, exporting."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo.crs import M2_PER_MU
from geo.export import table_bytes
from geo.landuse.lowland import flag_parcels, parcel_industries, select_flagged
from geo.landuse.metrics import enterprise_land, enterprise_metrics
from geo.landuse.pipeline import Analysis
from geo.landuse.scoring import evaluate, load_profile
from geo.landuse.targets import Scenario, criteria_text, scenario, scenario_export

MU = M2_PER_MU


@pytest.fixture
def flagged() -> pd.DataFrame:
    """Five parcels, four flagged (P4 is not), by hand."""
    return pd.DataFrame({
        "parcel_id": ["P1", "P2", "P3", "P4", "P5"],
        "low_efficiency": [True, True, True, False, True],
        "reason_codes": ["LOW_TAX;IDLE", "LOW_FAR", "IDLE", "", "CLASS_D;LOW_TAX"],
        "enterprise_classes": ["C", "D", "", "D", "A、D"],
        "land_mu": [10.0, 20.0, 5.0, 50.0, 30.0],
        "district": ["海曙区", "海曙区", "鄞州区", "海曙区", "鄞州区"],
        "zone_id": ["Z1", "Z1", "Z2", "Z1", "Z2"],
        "subzone_id": ["S1", "S2", "S3", "S1", "S3"],
    })


@pytest.fixture
def firms() -> pd.DataFrame:
    """E2 holds P2 and P5; E5's industry is unknown."""
    return pd.DataFrame({
        "credit_code": ["E1", "E2", "E3", "E4", "E5"],
        "parcel_id": ["P1", "P2;P5", "P3", "P4", "P5"],
        "industry_group": ["C39", "C34", "D44", "C39", None],
        "industry_section": ["C", "C", "D", "C", None],
    })


def _ids(index: pd.Index) -> list[str]:
    return list(index)


def test_no_criterion_chooses_every_flagged_parcel(flagged):
    assert _ids(select_flagged(flagged)) == ["P1", "P2", "P3", "P5"]


@pytest.mark.parametrize(("criteria", "expected"), [
    ({"districts": ["海曙区"]}, ["P1", "P2"]),  # P4 is 海曙区 but not flagged
    ({"zones": ["Z2"]}, ["P3", "P5"]),
    ({"subzones": ["S1"]}, ["P1"]),
    ({"reasons": ["IDLE"]}, ["P1", "P3"]),
    ({"reasons": ["LOW_TAX", "LOW_FAR"]}, ["P1", "P2", "P5"]),  # any of them
    ({"reasons": ["LOW"]}, []),  # codes match whole, never in part
    ({"classes": ["D"]}, ["P2", "P5"]),
    ({"classes": ["A"]}, ["P5"]),
    ({"min_mu": 10}, ["P1", "P2", "P5"]),  # bounds inclusive
    ({"max_mu": 10}, ["P1", "P3"]),
    ({"min_mu": 10, "max_mu": 20}, ["P1", "P2"]),
    ({"districts": ["海曙区"], "reasons": ["IDLE"]}, ["P1"]),  # every criterion holds
    ({"districts": ["鄞州区"], "classes": ["D"], "min_mu": 6}, ["P5"]),
    ({"districts": ["鄞州区"], "zones": ["Z1"]}, []),
])
def test_each_criterion_and_their_combinations(flagged, criteria, expected):
    assert _ids(select_flagged(flagged, **criteria)) == expected


@pytest.mark.parametrize(("industries", "expected"), [
    (["C39"], ["P1"]),  # E4 on P4 is C39 too, but P4 is not flagged
    (["C34"], ["P2", "P5"]),  # E2 counts on both its parcels
    (["C"], ["P1", "P2", "P5"]),  # a 门类 holds its 大类
    (["D"], ["P3"]),
    (["D44", "C39"], ["P1", "P3"]),
])
def test_industry_criterion_goes_through_the_parcels_enterprises(flagged, firms, industries,
                                                                  expected):
    assert _ids(select_flagged(flagged, industries=industries, enterprises=firms)) == expected
    both = select_flagged(flagged, industries=["C"], enterprises=firms, zones=["Z2"])
    assert _ids(both) == ["P5"]


def test_industry_criterion_needs_the_enterprises(flagged):
    with pytest.raises(ValueError, match="enterprises"):
        select_flagged(flagged, industries=["C39"])


def test_parcel_industries_lists_group_and_section_once():
    firms = pd.DataFrame({"parcel_id": ["P1", "P1、P2", None],
                          "industry_group": ["C39", "C39", "C34"],
                          "industry_section": ["C", "C", "C"]})
    pairs = set(map(tuple, parcel_industries(firms)[["parcel_id", "code"]].to_numpy()))
    assert pairs == {("P1", "C39"), ("P1", "C"), ("P2", "C39"), ("P2", "C")}
    assert parcel_industries(firms.drop(columns=["industry_group", "industry_section"])).empty


@pytest.fixture
def land() -> tuple[pd.DataFrame, pd.DataFrame]:
    """P1–P3 in 海曙区 (Z1), P4–P5 in 鄞州区 (Z2); the default profile flags P2, P3, P5."""
    parcels = pd.DataFrame({
        "parcel_id": ["P1", "P2", "P3", "P4", "P5"],
        "land_area_m2": [30 * MU, 15 * MU, 6 * MU, 10 * MU, 20 * MU],
        "land_use": ["工业用地", "工业用地", "工业用地", "仓储用地", "工业用地"],
        "far": [1.2, 0.6, np.nan, 0.5, 1.0],
        "floor_area_m2": [np.nan, np.nan, 3 * MU, np.nan, np.nan],
        "status": ["正常", "正常", "闲置", "正常", "停产"],
        "zone_id": ["Z1", "Z1", "Z1", "Z2", "Z2"],
        "district": ["海曙区", "海曙区", "海曙区", "鄞州区", "鄞州区"],
    })
    ent = enterprise_land(pd.DataFrame({
        "credit_code": ["E1", "E2", "E4", "E5"], "parcel_id": ["P1", "P2", "P4", "P5"],
        "scale": ["规上"] * 4, "tax_wan": [900.0, 45.0, 300.0, 20.0],
        "value_added_wan": [3000.0, 300.0, 900.0, 100.0], "zone_id": ["Z1", "Z1", "Z2", "Z2"],
    }), parcels)
    prof = load_profile()
    ent = evaluate(enterprise_metrics(ent), prof)
    return flag_parcels(parcels, ent, prof), ent


def test_scenario_on_chosen_land_differs_from_all_flagged_by_hand(land):
    parcels, ent = land
    every = select_flagged(parcels)
    assert list(every) == ["P2", "P3", "P5"]
    chosen = select_flagged(parcels, districts=["鄞州区"])
    assert list(chosen) == ["P5"]
    spec = Scenario("raise", tax_per_mu=10.0)
    all_raised = scenario(ent, parcels, every, spec, level="zone").set_index("unit")
    some_raised = scenario(ent, parcels, chosen, spec, level="zone").set_index("unit")
    # all flagged: Z1 P2 45 → 10 × 15 = 150: (900 + 150) / 45; Z2 P5 20 → 200: (300 + 200) / 30
    assert all_raised.at["Z1", "tax_per_mu_scenario"] == pytest.approx(1050 / 45)
    assert all_raised.at["Z2", "tax_per_mu_scenario"] == pytest.approx(500 / 30)
    # 鄞州区 only: Z1 stays (900 + 45) / 45 = 21; Z2 as before
    assert some_raised.at["Z1", "tax_per_mu_scenario"] == pytest.approx(21.0)
    assert some_raised.at["Z1", "tax_per_mu_change"] == pytest.approx(0.0)
    assert some_raised.at["Z2", "tax_per_mu_scenario"] == pytest.approx(500 / 30)
    cleared = scenario(ent, parcels, chosen, Scenario("clear"), level="zone").set_index("unit")
    # P5 and E5 leave Z2: 300 / 10 = 30; land 30 → 10 亩; Z1 keeps its 51 亩
    assert cleared.at["Z2", "tax_per_mu_scenario"] == pytest.approx(30.0)
    assert cleared.at["Z2", "parcel_land_mu_scenario"] == pytest.approx(10.0)
    assert cleared.at["Z1", "parcel_land_mu_scenario"] == pytest.approx(51.0)
    every_cleared = scenario(ent, parcels, every, Scenario("clear"), level="zone")
    assert every_cleared.set_index("unit").at["Z1", "parcel_land_mu_scenario"] == \
        pytest.approx(30.0)


def test_scenario_export_has_before_after_and_says_what_was_chosen(land):
    parcels, ent = land
    analysis = Analysis(parcels=parcels, enterprises=ent, profile=load_profile(),
                        data_label="手工数据", year=2024)
    chosen = select_flagged(parcels, districts=["鄞州区"])
    spec = Scenario("raise", tax_per_mu=10.0)
    table = scenario(ent, parcels, chosen, spec, level="zone", labels={"Z2": "乙区"})
    criteria = {"districts": ["鄞州区"], "reasons": [], "min_mu": None}
    out, notes = scenario_export(table, spec, chosen, analysis, level="zone", criteria=criteria)
    assert {"单元", "亩均税收·现状", "亩均税收·情景", "亩均税收变化（%）",
            "宗地面积·现状（亩）", "宗地面积·情景（亩）"} <= set(out.columns)
    assert "unit" not in out
    assert notes.extra["作用宗地数"] == "1"
    assert notes.extra["作用宗地面积（亩）"] == "20.0"
    assert notes.extra["选择条件"] == "区县（市）：鄞州区"
    assert "10" in notes.extra["情景"]
    book = openpyxl.load_workbook(io.BytesIO(table_bytes(out, "xlsx", notes=notes)))
    said = {str(r[0].value): str(r[1].value) for r in book["说明"].iter_rows(min_row=2)}
    assert said["选择条件"] == "区县（市）：鄞州区"
    assert said["作用宗地数"] == "1"
    headers = [c.value for c in book.worksheets[0][1]]
    assert "亩均税收·情景" in headers


def test_criteria_text_leaves_out_what_does_not_restrict():
    assert criteria_text({}) == "全部低效宗地（未加筛选）"
    assert criteria_text({"districts": [], "min_mu": None}) == "全部低效宗地（未加筛选）"
    assert criteria_text({"reasons": ["闲置/停产", "容积率低于阈值"], "min_mu": 5.0}) == \
        "低效原因：闲置/停产、容积率低于阈值；宗地面积下限（亩）：5"


def test_raise_lifts_only_the_chosen_share_of_an_enterprise_on_several_parcels():
    """E1 holds P1 (chosen) and P2 (not), 10 亩 each: raising to 5 万元/亩 lifts the half of
    its 20 万元 on P1 towards 5 × 20 = 100 万元: 20 + 0.5 × (100 − 20) = 60, not 100."""
    parcels = pd.DataFrame({"parcel_id": ["P1", "P2"], "land_area_m2": [10 * MU, 10 * MU],
                            "zone_id": ["Z1", "Z1"], "district": ["海曙区", "海曙区"]})
    ent = enterprise_land(pd.DataFrame({
        "credit_code": ["E1"], "parcel_id": ["P1;P2"], "scale": ["规上"], "tax_wan": [20.0],
        "value_added_wan": [np.nan], "zone_id": ["Z1"], "district": ["海曙区"]}), parcels)
    out = scenario(ent, parcels, ["P1"], Scenario("raise", tax_per_mu=5.0),
                   level="zone").set_index("unit")
    assert out.at["Z1", "tax_per_mu_now"] == pytest.approx(20 / 20)
    assert out.at["Z1", "tax_per_mu_scenario"] == pytest.approx(60 / 20)
    both = scenario(ent, parcels, ["P1", "P2"], Scenario("raise", tax_per_mu=5.0),
                    level="zone").set_index("unit")
    assert both.at["Z1", "tax_per_mu_scenario"] == pytest.approx(100 / 20)
    assert np.isnan(out.at["Z1", "va_per_mu_scenario"])  # a missing figure stays missing
