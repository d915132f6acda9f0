"""亩均 figures, A/B/C/D evaluation and low-efficiency rules against hand-computed values."""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.crs import M2_PER_MU
from geo.landuse.metrics import INDICATORS, aggregate, enterprise_land, enterprise_metrics, ratio
from geo.landuse.scoring import evaluate, load_profile
from geo.landuse.spatial import assign_points, assign_units

MU = M2_PER_MU  # 666.67 m²


@pytest.fixture
def parcels() -> pd.DataFrame:
    # P1 30 亩, P2 15 亩 (shared by E2 and E3), P3 6 亩 idle with no enterprise, P4 10 亩
    return pd.DataFrame({
        "parcel_id": ["P1", "P2", "P3", "P4"],
        "land_area_m2": [30 * MU, 15 * MU, 6 * MU, 10 * MU],
        "land_use": ["工业用地"] * 4,
        "far": [1.2, 0.6, np.nan, 1.5],
        "floor_area_m2": [np.nan, np.nan, 3 * MU, np.nan],  # P3: FAR 0.5 from floor area
        "status": ["正常", "正常", "闲置", "正常"],
        "subzone_id": ["S1", "S1", "S1", "S2"],
    })


@pytest.fixture
def enterprises() -> pd.DataFrame:
    return pd.DataFrame({
        "credit_code": ["E1", "E2", "E3", "E4"],
        "parcel_id": ["P1", "P2", "P2", "P4"],
        "scale": ["规上", "规上", "规下", "规上"],
        "land_area_m2": [np.nan, np.nan, np.nan, 8 * MU],  # E4 states its own 8 亩
        "tax_wan": [900.0, 75.0, 30.0, 400.0],
        "value_added_wan": [3000.0, 300.0, np.nan, 1600.0],
        "revenue_wan": [12000.0, 1500.0, 200.0, 6400.0],
        "energy_tce": [1500.0, 0.0, 10.0, 800.0],
        "emission_t": [30.0, 3.0, 1.0, 16.0],
        "employees": [100, 10, 5, 40],
        "rd_wan": [360.0, 15.0, 0.0, 320.0],
        "power_10k_kwh": [200.0, 30.0, 10.0, 100.0],
        "subzone_id": ["S1", "S1", "S1", "S2"],
    })


def test_ratio_never_returns_inf():
    out = ratio(pd.Series([1.0, 1.0, np.nan, 2.0]), pd.Series([0.0, -1.0, 3.0, 4.0]))
    assert out.isna().tolist() == [True, True, True, False]
    assert out.iloc[3] == 0.5
    assert not np.isinf(out).any()


def test_enterprise_land_own_figure_wins_and_shared_parcels_split(parcels, enterprises):
    land = enterprise_land(enterprises, parcels).set_index("credit_code")
    assert land["land_mu"].round(6).to_dict() == {"E1": 30.0, "E2": 7.5, "E3": 7.5, "E4": 8.0}
    assert land["land_source"].to_dict() == {"E1": "宗地", "E2": "宗地均分", "E3": "宗地均分",
                                             "E4": "企业填报"}


def test_enterprise_metrics_by_hand(parcels, enterprises):
    m = enterprise_metrics(enterprise_land(enterprises, parcels)).set_index("credit_code")
    assert m.at["E1", "tax_per_mu"] == pytest.approx(30.0)          # 900 / 30
    assert m.at["E1", "va_per_mu"] == pytest.approx(100.0)          # 3000 / 30
    assert m.at["E1", "revenue_per_mu"] == pytest.approx(400.0)     # 12000 / 30
    assert m.at["E1", "va_per_energy"] == pytest.approx(2.0)        # 3000 / 1500
    assert m.at["E1", "va_per_emission"] == pytest.approx(100.0)    # 3000 / 30
    assert m.at["E1", "labour_productivity"] == pytest.approx(30.0)  # 3000 / 100
    assert m.at["E1", "rd_share"] == pytest.approx(3.0)             # 360 / 12000 %
    assert m.at["E1", "tax_per_power"] == pytest.approx(4.5)        # 900 / 200
    assert m.at["E2", "tax_per_mu"] == pytest.approx(10.0)          # 75 / 7.5
    assert math.isnan(m.at["E2", "va_per_energy"])                  # energy 0: no figure, no inf
    assert math.isnan(m.at["E3", "va_per_mu"])                      # VA missing stays missing


def test_aggregates_are_ratios_of_sums_with_counts_and_coverage(parcels, enterprises):
    ent = enterprise_land(enterprises, parcels)
    agg = aggregate(ent, parcels, level="subzone").set_index("unit")
    s1 = agg.loc["S1"]
    # S1: tax 900+75+30 over land 30+7.5+7.5 = 1005 / 45
    assert s1["tax_per_mu"] == pytest.approx(1005 / 45)
    # VA: E3 has none, so only E1, E2: (3000+300) / (30+7.5)
    assert s1["va_per_mu"] == pytest.approx(3300 / 37.5)
    # energy: E2 reports 0 → excluded; (3000) / 1500 from E1 only
    assert s1["va_per_energy"] == pytest.approx(2.0)
    assert (s1["enterprise_count"], s1["above_scale_count"], s1["parcel_count"]) == (3, 2, 3)
    assert s1["parcel_land_mu"] == pytest.approx(51.0)
    assert s1["covered_land_mu"] == pytest.approx(45.0)  # P3 (6 亩) has no enterprise
    assert s1["coverage_share"] == pytest.approx(45 / 51)
    city = aggregate(ent, parcels, level="city").iloc[0]
    assert city["tax_per_mu"] == pytest.approx(1405 / 53)
    assert city["unit_name"] == "宁波市"
    assert not np.isinf(agg.select_dtypes("number").to_numpy()).any()


def test_aggregate_needs_units_and_a_known_level(parcels, enterprises):
    with pytest.raises(ValueError, match="unknown level"):
        aggregate(enterprises, parcels, level="street")
    with pytest.raises(ValueError, match="assign units first"):
        aggregate(enterprises.drop(columns="subzone_id"), parcels, level="subzone")


def test_points_are_assigned_with_crs_harmonised(catalog):
    sub = catalog["subzone"]
    inside = sub.to_crs(4549).representative_point().to_crs(4326).iloc[:3]
    pts = gpd.GeoDataFrame(geometry=list(inside) + [Point(121.05, 29.95)], crs=4326)
    out = assign_points(pts.to_crs(4549), sub, catalog["district"])  # given in metres
    assert out["subzone_id"].iloc[:3].tolist() == sub["id"].iloc[:3].tolist()
    assert out["zone_id"].iloc[0] == sub["zone_id"].iloc[0]
    assert pd.isna(out["subzone_id"].iloc[3])
    assert out["district"].iloc[3] == "余姚市"
    with pytest.raises(ValueError, match="no CRS"):
        assign_points(gpd.GeoDataFrame(geometry=[Point(0, 0)]), sub)


def test_parcels_are_assigned_by_representative_point(catalog):
    sz = catalog["subzone"].iloc[[0]]
    cell = sz.to_crs(4549).representative_point().iloc[0]
    parcel = gpd.GeoDataFrame({"parcel_id": ["X"], "land_area_m2": [1.0]},
                              geometry=[box(cell.x - 50, cell.y - 50, cell.x + 50, cell.y + 50)],
                              crs=4549).to_crs(4326)
    out = assign_units(parcel, catalog["subzone"], catalog["district"])
    assert out["subzone_id"].iloc[0] == sz["id"].iloc[0]
    assert out["belt"].iloc[0] == sz["belt"].iloc[0]


def _twenty(scale: str = "规上") -> pd.DataFrame:
    """20 enterprises of 10 亩 each whose tax per 亩 is 1..20 and other figures equal."""
    n = 20
    return pd.DataFrame({
        "credit_code": [f"C{i:02d}" for i in range(1, n + 1)], "scale": scale,
        "land_mu": 10.0, "tax_per_mu": np.arange(1, n + 1, dtype=float),
        **{k: 1.0 for k in INDICATORS if k != "tax_per_mu"},
        "tax_wan": np.arange(1, n + 1) * 10.0, "value_added_wan": 10.0, "revenue_wan": 10.0,
        "energy_tce": 10.0, "emission_t": 10.0, "employees": 10.0, "rd_wan": 0.1,
        "power_10k_kwh": 10.0,
    })


def test_scores_follow_the_formula_and_classes_the_rank_bands(tmp_path):
    prof = tmp_path / "p.toml"
    prof.write_text("""
[classes]
A = 0.20
B = 0.80
C = 0.95
D = 1.00
[tracks."规上".indicators.tax_per_mu]
weight = 30
benchmark = 10
cap = 1.5
[tracks."规上".indicators.va_per_mu]
weight = 20
benchmark = 0.5
""", encoding="utf-8")
    out = evaluate(_twenty(), load_profile(prof)).set_index("credit_code")
    # C05: tax 5/10 × 30 = 15, va 1/0.5 × 20 = 40 → 55; C20: min(20/10, 1.5) × 30 = 45 → 85
    assert out.at["C05", "score"] == pytest.approx(55.0)
    assert out.at["C20", "score"] == pytest.approx(85.0)
    # capped: C15..C20 all score 85 → they share rank 1 and class A
    assert out.loc[[f"C{i:02d}" for i in range(15, 21)], "class"].eq("A").all()
    assert out.at["C14", "class"] == "B"          # rank 7 → share 0.35
    assert out.at["C05", "class"] == "B"          # rank 16 → share 0.80, the last B
    assert out.at["C04", "class"] == "C"          # rank 17 → 0.85
    classes = out["class"].value_counts().to_dict()
    assert classes == {"B": 10, "A": 6, "C": 3, "D": 1}
    assert out.at["C01", "class"] == "D"


def test_default_bands_with_distinct_scores_are_4_12_3_1():
    out = evaluate(_twenty(), load_profile())  # default profile: benchmarks = track mean
    counts = out["class"].value_counts().to_dict()
    assert counts == {"A": 4, "B": 12, "C": 3, "D": 1}
    best = out.sort_values("score", ascending=False)["credit_code"].tolist()
    assert best[:4] == ["C20", "C19", "C18", "C17"]
    assert best[-1] == "C01"
    # the mean benchmark of tax_per_mu is Σtax/Σland = 2100 / 200 = 10.5
    assert out["benchmark_tax_per_mu"].iloc[0] == pytest.approx(10.5)


def test_missing_indicator_scores_zero_and_is_listed_and_no_land_is_unclassed():
    df = _twenty()
    df.loc[0, "va_per_energy"] = np.nan
    df.loc[1, "land_mu"] = np.nan
    df.loc[2, "scale"] = "未知"
    out = evaluate(df, load_profile()).set_index("credit_code")
    assert "单位能耗增加值" in out.at["C01", "missing_indicators"]
    assert out.at["C01", "score_va_per_energy"] == 0.0
    assert pd.isna(out.at["C02", "class"])
    assert out.at["C02", "class_note"] == "无用地数据，未参评"
    assert pd.isna(out.at["C03", "class"])
    assert "未参评" in out.at["C03", "class_note"]


@pytest.mark.parametrize(("n", "expected"), [
    (1, {"B": 1}), (2, {"B": 2}), (4, {"A": 1, "B": 2, "C": 1}),
    (10, {"A": 2, "B": 6, "C": 2}), (20, {"A": 4, "B": 12, "C": 3, "D": 1}),
    (100, {"A": 20, "B": 60, "C": 15, "D": 5}),
])
def test_class_quotas_never_force_the_last_of_a_small_track_into_d(n, expected):
    df = pd.concat([_twenty()] * 5, ignore_index=True).iloc[:n]
    df = df.assign(credit_code=[f"E{i:03d}" for i in range(n)],
                   tax_per_mu=np.arange(1, n + 1, dtype=float),
                   tax_wan=np.arange(1, n + 1) * 10.0)
    out = evaluate(df, load_profile())
    assert out["class"].value_counts().to_dict() == expected


def test_enterprise_without_any_indicator_is_unclassed_not_ranked():
    df = _twenty()
    blank = [k for k in INDICATORS]
    df.loc[:9, blank] = np.nan  # ten enterprises report nothing usable
    out = evaluate(df, load_profile()).set_index("credit_code")
    none = out.loc[[f"C{i:02d}" for i in range(1, 11)]]
    assert none["class"].isna().all()
    assert none["score"].isna().all()
    assert (none["class_note"] == "无任何有效指标数据，未参评").all()
    ranked = out.loc[[f"C{i:02d}" for i in range(11, 21)]]
    assert ranked["class"].value_counts().to_dict() == {"A": 2, "B": 6, "C": 2}  # ten ranked


def test_a_reported_zero_is_a_value_not_missing():
    df = _twenty().assign(rd_share=0.0)
    out = evaluate(df, load_profile()).set_index("credit_code")
    assert out.at["C05", "score_rd_share"] == 0.0
    assert "R&D" not in out.at["C05", "missing_indicators"]


def test_tracks_are_ranked_separately():
    both = pd.concat([_twenty("规上"), _twenty("规下").assign(
        credit_code=lambda d: "X" + d["credit_code"])], ignore_index=True)
    out = evaluate(both, load_profile())
    for track in ("规上", "规下"):
        assert out.loc[out["track"] == track, "class"].value_counts().to_dict() == {
            "A": 4, "B": 12, "C": 3, "D": 1}


@pytest.mark.parametrize(("body", "message"), [
    ('[classes]\nA=0.2\nB=0.8\nC=0.95\nD=1\n[tracks."规上".indicators.nope]\nweight=1',
     "unknown indicator"),
    ('[classes]\nA=0.2\nB=0.8\nC=0.95\nD=1\n[tracks."规上".indicators.tax_per_mu]\nweight=-1',
     "weight -1"),
    ('[classes]\nA=0.5\nB=0.4\nC=0.95\nD=1\n[tracks."规上".indicators.tax_per_mu]\nweight=1',
     "must rise"),
    ('[classes]\nA=0.2\nB=0.8\nC=0.95\nD=1\n[tracks."大型".indicators.tax_per_mu]\nweight=1',
     "unknown track"),
    ("[classes\n", "not valid TOML"),
    ('[classes]\nA=0.2\nB=0.8\nC=0.95\nD=1\n[tracks."规上".indicators.tax_per_mu]\nweight=1\n'
     'benchmrk=5', "unknown entries ['benchmrk']"),
    ('[classes]\nA=0.2\nB=0.8\nC=0.95\nD=1\n[tracks."规上".indicators.tax_per_mu]\nweight=1\n'
     '[lowland]\ntax_per_mu_belw=5', "unknown entries ['tax_per_mu_belw']"),
    ('[classes]\nA=0.2\nB=0.8\nC=0.95\nD=1\n[tracks."规上".indicators.tax_per_mu]\nweight=1\n'
     '[lowland]\nidle_statuses="闲置停产"', "is not a list of texts"),
    ('[classes]\nA=0.2\nB=0.8\nC=0.95\nD=1\n[tracks."规上".indicators.tax_per_mu]\nweight=1\n'
     '[lowland]\nfar_below="0.8"', "is not a number"),
    ('[classes]\nA=0.2\nB=0.8\nC=0.95\nD=1\n[tracks."规上".indicators.tax_per_mu]\nweight=1\n'
     '[lowland]\nflag_classes=["E"]', "unknown classes ['E']"),
])
def test_bad_profiles_name_the_entry_and_the_fix(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        load_profile(path)
    assert "bad.toml" in str(err.value)
    assert "Fix:" in str(err.value)


def test_fast_point_assignment_agrees_with_geopandas_sjoin(catalog):
    """The vectorised containment test gives what a plain sjoin(predicate="within") gives."""
    rng = np.random.default_rng(3)
    sub = catalog["subzone"]
    x0, y0, x1, y1 = sub.total_bounds
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(rng.uniform(x0, x1, 20000),
                                                       rng.uniform(y0, y1, 20000)), crs=4326)
    ours = assign_points(pts, sub, catalog["district"])
    bare = gpd.sjoin(pts, sub[["id", "geometry"]], how="left", predicate="within")
    bare = bare[~bare.index.duplicated()]
    assert (ours["subzone_id"].astype(object).fillna("-") == bare["id"].fillna("-")).all()
    assert ours["subzone_id"].notna().sum() > 100
    dist = gpd.sjoin(pts, catalog["district"][["name", "geometry"]], how="left",
                     predicate="within")
    dist = dist[~dist.index.duplicated()]
    outside = ours["subzone_id"].isna()
    assert (ours.loc[outside, "district"].astype(object).fillna("-")
            == dist.loc[outside, "name"].fillna("-")).all()
