"""园区（工业区块）亩均评价 against hand-computed points, scores and classes (issue 15)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo._errors import ProfileError
from geo.crs import M2_PER_MU
from geo.labels import PARK_INDICATOR_LABELS, PARK_TEXTS, SCHEME_TEXTS
from geo.landuse.parks import (
    PARK_INDICATORS,
    PARK_PROFILE,
    evaluate_parks,
    load_park_profile,
    park_inputs,
)
from geo.landuse.pipeline import analyse
from geo.landuse.scoring import load_profile

MU = M2_PER_MU

#: Numbers as benchmarks, so every point below is worked out from the values alone.
NUMBER_PROFILE = """
[meta]
name = "test"
[classes]
method = "rank"
A = 0.20
B = 0.80
C = 0.95
D = 1.00
[indicators.tax_per_mu]
weight = 30
benchmark = 10
direction = "higher"
cap = 1.5
[indicators.va_per_mu]
weight = 30
benchmark = 40
cap = 2.0
[indicators.tax_per_mu_growth]
weight = 15
benchmark = 5
cap = 2.0
[indicators.d_class_land_share]
weight = 10
benchmark = 0.1
direction = "lower"
cap = 1.5
[indicators.low_eff_land_share]
weight = 15
benchmark = 0.1
direction = "lower"
"""


def _profile(tmp_path, body: str, name: str = "p.toml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return load_park_profile(path)


@pytest.fixture
def three() -> pd.DataFrame:
    return pd.DataFrame({
        "unit": ["U1", "U2", "U3"], "unit_name": ["甲片", "乙片", "丙片"],
        "tax_per_mu": [20.0, 10.0, 5.0],
        "va_per_mu": [60.0, 40.0, np.nan],          # U3 reports no 增加值
        "tax_per_mu_growth": [10.0, -5.0, 2.5],
        "d_class_land_share": [0.0, 0.1, 0.25],
        "low_eff_land_share": [0.05, 0.2, 0.1],
    })


def test_three_units_by_hand(tmp_path, three):
    out = evaluate_parks(three, _profile(tmp_path, NUMBER_PROFILE)).set_index("unit")
    # tax (b 10, w 30, cap 1.5): U1 min(20/10, 1.5) × 30 = 45; U2 1 × 30 = 30; U3 0.5 × 30 = 15
    assert out["points_tax_per_mu"].tolist() == pytest.approx([45.0, 30.0, 15.0])
    # va (b 40, w 30, cap 2): U1 1.5 × 30 = 45; U2 30; U3 missing → 0
    assert out["points_va_per_mu"].tolist() == pytest.approx([45.0, 30.0, 0.0])
    # growth (b 5, w 15, cap 2): U1 1 + 5/5 = 2 → 30; U2 1 − 10/5 < 0 → 0; U3 1 − 2.5/5 → 7.5
    assert out["points_tax_per_mu_growth"].tolist() == pytest.approx([30.0, 0.0, 7.5])
    # D land (lower, b 0.1, w 10, cap 1.5): U1 2 → 1.5 → 15; U2 1 → 10; U3 2 − 2.5 < 0 → 0
    assert out["points_d_class_land_share"].tolist() == pytest.approx([15.0, 10.0, 0.0])
    # low land (lower, b 0.1, w 15): U1 2 − 0.5 = 1.5 → 22.5; U2 2 − 2 = 0; U3 1 → 15
    assert out["points_low_eff_land_share"].tolist() == pytest.approx([22.5, 0.0, 15.0])
    # U1 45 + 45 + 30 + 15 + 22.5; U2 30 + 30 + 0 + 10 + 0; U3 15 + 0 + 7.5 + 0 + 15
    assert out["park_score"].tolist() == pytest.approx([157.5, 70.0, 37.5])
    # three ranked: quotas A round(0.6) = 1, B round(2.4) = 2, C round(2.85) = 3
    assert out["park_class"].tolist() == ["A", "B", "C"]
    assert out["park_rank"].tolist() == [1, 2, 3]
    assert out["benchmark_tax_per_mu"].tolist() == [10.0] * 3
    assert out.at["U3", "missing_indicators"] == PARK_INDICATOR_LABELS["va_per_mu"]
    assert out.at["U3", "park_note"] == PARK_TEXTS["scored_zero"].format(
        indicators=PARK_INDICATOR_LABELS["va_per_mu"])
    assert out.at["U1", "missing_indicators"] == ""
    assert out.at["U1", "park_note"] == ""
    assert out["unit_name"].tolist() == ["甲片", "乙片", "丙片"]  # inputs kept as given


def test_score_threshold_classes(tmp_path, three):
    body = NUMBER_PROFILE.replace('method = "rank"\nA = 0.20\nB = 0.80\nC = 0.95\nD = 1.00',
                                  'method = "score"\nA = 100\nB = 60\nC = 40')
    out = evaluate_parks(three, _profile(tmp_path, body))
    # 157.5 ≥ 100 → A; 70 ≥ 60 → B; 37.5 < 40 → D
    assert out["park_class"].tolist() == ["A", "B", "D"]
    exact = three.iloc[[1]].assign(unit="U9")  # 70 points, exactly at a limit B = 70
    body70 = body.replace("B = 60", "B = 70")
    assert evaluate_parks(exact, _profile(tmp_path, body70, "q.toml"))["park_class"].tolist() \
        == ["B"]


LOWER_ONLY = """
[classes]
method = "score"
A = 15
B = 10
C = 5
[indicators.low_eff_land_share]
weight = 10
benchmark = 0.2
direction = "lower"
"""


def test_lower_direction_at_zero_at_the_benchmark_and_beyond_twice(tmp_path):
    frame = pd.DataFrame({"unit": list("abcde"),
                          "low_eff_land_share": [0.0, 0.2, 0.3, 0.4, 0.5]})
    out = evaluate_parks(frame, _profile(tmp_path, LOWER_ONLY))
    # 10 × max(2 − v/0.2, 0): 0 → 20, 0.2 → 10, 0.3 → 5, 0.4 (twice) → 0, 0.5 → 0
    assert out["points_low_eff_land_share"].tolist() == pytest.approx([20.0, 10.0, 5.0, 0, 0])
    assert out["park_class"].tolist() == ["A", "B", "C", "D", "D"]
    capped = _profile(tmp_path, LOWER_ONLY + "cap = 1.5\n", "capped.toml")
    assert evaluate_parks(frame, capped)["points_low_eff_land_share"].iloc[0] == \
        pytest.approx(15.0)  # v = 0: 2, capped at 1.5


GROWTH_ONLY = """
[indicators.tax_per_mu_growth]
weight = 10
benchmark = {b}
cap = 2.0
"""


def test_growth_points_around_a_negative_and_a_zero_benchmark(tmp_path):
    frame = pd.DataFrame({"unit": list("abcd"), "tax_per_mu_growth": [-2.0, -8.0, 0.0, 3.0]})
    neg = evaluate_parks(frame, _profile(tmp_path, GROWTH_ONLY.format(b=-4.0)))
    # b = −4: 1 + (v + 4)/4 → −2: 1.5; −8: 0; 0: 2; 3: 2.75 capped at 2
    assert neg["points_tax_per_mu_growth"].tolist() == pytest.approx([15.0, 0.0, 20.0, 20.0])
    zero = evaluate_parks(frame, _profile(tmp_path, GROWTH_ONLY.format(b=0), "z.toml"))
    # b = 0, the limit: below 0 → 0, at 0 → 1, above → cap
    assert zero["points_tax_per_mu_growth"].tolist() == pytest.approx([0.0, 0.0, 10.0, 20.0])


MEANS = """
[indicators.tax_per_mu]
weight = 30
[indicators.tax_per_mu_growth]
weight = 12
cap = 2.0
[indicators.d_class_land_share]
weight = 6
"""


def test_mean_benchmark_is_the_ratio_of_sums_not_the_mean_of_ratios(tmp_path):
    frame = pd.DataFrame({
        "unit": ["U1", "U2", "U3"],
        "tax_per_mu": [30.0, 2.0, np.nan],
        "tax_per_mu_num": [300.0, 100.0, np.nan], "tax_per_mu_den": [10.0, 50.0, np.nan],
        "tax_per_mu_prev_num": [200.0, 100.0, np.nan],
        "tax_per_mu_prev_den": [10.0, 50.0, np.nan],
        "tax_per_mu_growth": [50.0, 0.0, np.nan],     # 30 / 20 − 1, 2 / 2 − 1
        "d_class_land_share": [0.0, 0.1, np.nan],
        "d_class_land_share_num": [0.0, 5.0, np.nan],
        "d_class_land_share_den": [10.0, 50.0, np.nan],
    })
    out = evaluate_parks(frame, _profile(tmp_path, MEANS)).set_index("unit")
    # Σ tax / Σ land = 400 / 60 = 6.667 (the mean of the ratios would be 16)
    assert out.at["U1", "benchmark_tax_per_mu"] == pytest.approx(400 / 60)
    assert out.at["U1", "points_tax_per_mu"] == pytest.approx(30 * 30 / (400 / 60))  # 135
    assert out.at["U2", "points_tax_per_mu"] == pytest.approx(30 * 2 / (400 / 60))   # 9
    # growth of the whole: 100 × ((400/60) / (300/60) − 1) = 33.33 %
    assert out.at["U1", "benchmark_tax_per_mu_growth"] == pytest.approx(100 / 3)
    # U1: 1 + (50 − 33.33) / 33.33 = 1.5 → 18; U2: 1 − 1 = 0
    assert out.at["U1", "points_tax_per_mu_growth"] == pytest.approx(18.0)
    assert out.at["U2", "points_tax_per_mu_growth"] == pytest.approx(0.0)
    # D land: 5 / 60 (the mean of the shares would be 0.05); U2 2 − 0.1 / (1/12) = 0.8 → 4.8
    assert out.at["U1", "benchmark_d_class_land_share"] == pytest.approx(1 / 12)
    assert out.at["U2", "points_d_class_land_share"] == pytest.approx(4.8)
    assert out.at["U1", "points_d_class_land_share"] == pytest.approx(12.0)  # v = 0 → 2
    # U3 reports nothing: not scored, not ranked, not classed, with the reason
    assert math.isnan(out.at["U3", "park_score"])
    assert out.at["U3", "park_class"] is None
    assert pd.isna(out.at["U3", "park_rank"])
    assert out.at["U3", "park_note"] == PARK_TEXTS["unclassed"]
    assert out.at["U3", "missing_indicators"].split(PARK_TEXTS["separator"]) == [
        PARK_INDICATOR_LABELS[k] for k in ("tax_per_mu", "tax_per_mu_growth",
                                           "d_class_land_share")]
    # two ranked units: A round(0.4) = 0, B round(1.6) = 2 → both B
    assert out["park_class"].tolist() == ["B", "B", None]
    assert out["park_rank"].tolist()[:2] == [1, 2]


def test_a_mean_benchmark_of_zero_for_lower_is_its_limit(tmp_path):
    body = "[indicators.d_class_land_share]\nweight = 10\ncap = 1.5\n"
    frame = pd.DataFrame({"unit": ["a", "b"], "d_class_land_share": [0.0, 0.0],
                          "d_class_land_share_num": [0.0, 0.0],
                          "d_class_land_share_den": [10.0, 5.0]})
    out = evaluate_parks(frame, _profile(tmp_path, body))
    assert out["points_d_class_land_share"].tolist() == pytest.approx([15.0, 15.0])


def test_a_mean_benchmark_without_its_sums_is_refused(tmp_path):
    frame = pd.DataFrame({"unit": ["a"], "tax_per_mu": [1.0]})
    with pytest.raises(ValueError, match="tax_per_mu_num"):
        evaluate_parks(frame, _profile(tmp_path, MEANS))


def test_missing_indicator_column_scores_zero_and_is_listed(tmp_path, three):
    out = evaluate_parks(three.drop(columns="tax_per_mu_growth"),
                         _profile(tmp_path, NUMBER_PROFILE))
    assert out["points_tax_per_mu_growth"].tolist() == [0.0, 0.0, 0.0]
    assert out["park_score"].tolist() == pytest.approx([127.5, 70.0, 30.0])
    assert all(PARK_INDICATOR_LABELS["tax_per_mu_growth"] in m for m in out["missing_indicators"])


_CLASSES = "[classes]\nA = 0.2\nB = 0.8\nC = 0.95\nD = 1\n"


@pytest.mark.parametrize(("body", "field", "message"), [
    ("[indicators.nope]\nweight = 1\n", "indicators.nope", "unknown indicator"),
    ("[indicators.tax_per_mu]\nweight = -1\n", "indicators.tax_per_mu", "weight -1"),
    ('[indicators.tax_per_mu]\nweight = 1\ndirection = "up"\n', "indicators.tax_per_mu",
     "direction 'up'"),
    ("[indicators.va_per_mu]\nweight = 1\nbenchmrk = 5\n", "indicators.va_per_mu",
     "unknown entries ['benchmrk']"),
    ("[indicators.va_per_mu]\nweight = 1\nbenchmark = 0\n", "indicators.va_per_mu",
     "benchmark 0"),
    ("[indicators.tax_per_mu_growth]\nweight = 1\n", "indicators.tax_per_mu_growth",
     "needs a cap"),
    ("[indicators.tax_per_mu]\nweight = 1\ncap = 0\n", "indicators.tax_per_mu", "cap 0"),
    ("[indicators]\n", "indicators", "no indicators"),
    ("indicators = 3\n", "indicators", "应为表"),
    ("[tracks]\n[indicators.tax_per_mu]\nweight = 1\n", "tracks", "unknown sections"),
    ('[classes]\nmethod = "vote"\n[indicators.tax_per_mu]\nweight = 1\n', "classes.method",
     "method 'vote'"),
    ("[classes]\nA = 0.5\nB = 0.4\nC = 0.95\nD = 1\n[indicators.tax_per_mu]\nweight = 1\n",
     "classes", "must rise"),
    ('[classes]\nmethod = "score"\nA = 60\nB = 80\nC = 40\n[indicators.tax_per_mu]\nweight = 1\n',
     "classes", "must fall"),
    ('[classes]\nmethod = "score"\nA = 90\nB = 80\nC = 40\nD = 20\n'
     "[indicators.tax_per_mu]\nweight = 1\n", "classes.D", "D = 20"),
    ("[indicators.tax_per_mu\n", "(file)", "not valid TOML"),
])
def test_bad_profile_entries_are_refused_naming_the_entry(tmp_path, body, field, message):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_park_profile(path)
    assert err.value.field == field
    assert message in str(err.value)
    assert "bad.toml" in str(err.value)
    zh = err.value.describe("zh")
    assert "处理办法" in zh
    assert field in zh


def test_missing_park_profile_is_refused_in_chinese(tmp_path):
    with pytest.raises(ProfileError) as err:
        load_park_profile(tmp_path / "none.toml")
    assert err.value.field == "(file)"
    assert "找不到文件" in err.value.describe("zh")


def test_bundled_park_profile_loads():
    prof = load_park_profile()
    assert prof.path == str(PARK_PROFILE)
    assert [r.key for r in prof.rules] == list(PARK_INDICATORS)
    assert {r.key: r.weight for r in prof.rules} == {
        "tax_per_mu": 30, "va_per_mu": 30, "tax_per_mu_growth": 15, "d_class_land_share": 10,
        "low_eff_land_share": 15}
    assert sum(r.weight for r in prof.rules) == 100
    assert {r.key: r.direction for r in prof.rules} == PARK_INDICATORS
    assert all(r.benchmark == "mean" for r in prof.rules)
    assert prof.class_method == "rank"
    assert prof.class_limits == {"A": 0.2, "B": 0.8, "C": 0.95, "D": 1.0}
    assert "示意" in prof.name


# ----------------------------------------------------------- park_inputs on a tiny analysis

#: An enterprise profile whose four 规上 enterprises fall one in each class (by 亩均税收), and
#: whose low-efficiency land is idle parcels and parcels of D-class enterprises.
ENTERPRISE_PROFILE = """
[classes]
A = 0.25
B = 0.50
C = 0.75
D = 1.00
[tracks."规上".indicators.tax_per_mu]
weight = 100
benchmark = "mean"
[lowland]
idle_statuses = ["闲置"]
flag_classes = ["D"]
"""


def _parcels(catalog) -> gpd.GeoDataFrame:
    """P1 30 亩, P2 10 亩, P5 5 亩, P6 6 亩 (idle) in Z01-01; P3 20 亩, P4 40 亩 in Z01-02."""
    sub = catalog["subzone"].set_index("id").to_crs(4549).geometry
    at = {"Z01-01": sub["Z01-01"].representative_point(),
          "Z01-02": sub["Z01-02"].representative_point()}
    rows = [("P1", "Z01-01", 30, "正常"), ("P2", "Z01-01", 10, "正常"),
            ("P5", "Z01-01", 5, "正常"), ("P6", "Z01-01", 6, "闲置"),
            ("P3", "Z01-02", 20, "正常"), ("P4", "Z01-02", 40, "正常")]
    geoms = [box(at[s].x + 40 * i - 15, at[s].y - 15, at[s].x + 40 * i + 15, at[s].y + 15)
             for i, (_, s, _, _) in enumerate(rows)]
    return gpd.GeoDataFrame({"parcel_id": [r[0] for r in rows],
                             "land_area_m2": [r[2] * MU for r in rows],
                             "land_use": "工业用地", "status": [r[3] for r in rows],
                             "far": 1.2, "data_label": "用户导入"},
                            geometry=gpd.GeoSeries(geoms, crs=4549).to_crs(4326).values,
                            crs=4326)


def _enterprises(e1_tax: float) -> pd.DataFrame:
    # 亩均税收: E1 e1_tax/30, E2 50/10 = 5, E3 400/20 = 20, E4 40/40 = 1; E5 规下 (no track)
    return pd.DataFrame({"credit_code": ["E1", "E2", "E3", "E4", "E5"],
                         "name": ["甲", "乙", "丙", "丁", "戊"],
                         "parcel_id": ["P1", "P2", "P3", "P4", "P5"],
                         "scale": ["规上", "规上", "规上", "规上", "规下"],
                         "tax_wan": [e1_tax, 50.0, 400.0, 40.0, 10.0],
                         "data_label": "用户导入"})


@pytest.fixture
def analyses(catalog, tmp_path):
    path = tmp_path / "ent.toml"
    path.write_text(ENTERPRISE_PROFILE, encoding="utf-8")
    prof = load_profile(path)
    now = analyse(_parcels(catalog), _enterprises(900.0), catalog, prof, data_label="用户导入",
                  year=2024)
    before = analyse(_parcels(catalog), _enterprises(600.0), catalog, prof,
                     data_label="用户导入", year=2023)
    return now, before


def test_park_inputs_of_a_tiny_analysis_by_hand(catalog, analyses):
    now, before = analyses
    ent = now.enterprises.set_index("credit_code")
    assert ent["class"].to_dict() == {"E1": "A", "E2": "C", "E3": "B", "E4": "D", "E5": None}
    assert ent["subzone_id"].astype(str).tolist() == ["Z01-01", "Z01-01", "Z01-02", "Z01-02",
                                                      "Z01-01"]
    out = park_inputs(now, catalog, level="subzone", previous=before).set_index("unit")
    assert len(out) == len(catalog["subzone"])  # every sub-zone, with or without data
    a, b = out.loc["Z01-01"], out.loc["Z01-02"]
    # 亩均税收: (900 + 50 + 10) / (30 + 10 + 5) and (400 + 40) / (20 + 40)
    assert a["tax_per_mu"] == pytest.approx(960 / 45)
    assert b["tax_per_mu"] == pytest.approx(440 / 60)
    assert (a["tax_per_mu_num"], a["tax_per_mu_den"]) == pytest.approx((960.0, 45.0))
    # D-class land over classed land: Z01-01 none of E1, E2 (40 亩; E5 unclassed left out)
    assert a["d_class_land_share"] == 0.0
    assert (a["d_class_land_share_num"], a["d_class_land_share_den"]) == pytest.approx((0, 40))
    # Z01-02: E4's 40 亩 of the 60 亩 of E3 and E4
    assert b["d_class_land_share"] == pytest.approx(40 / 60)
    # low land: Z01-01 idle P6 6 亩 of 51 亩; Z01-02 P4 (D-class) 40 亩 of 60 亩
    assert a["low_eff_land_share"] == pytest.approx(6 / 51)
    assert b["low_eff_land_share"] == pytest.approx(40 / 60)
    # growth: last year E1 paid 600, so Z01-01 was 660 / 45: 100 × (960 / 660 − 1)
    assert a["tax_per_mu_growth"] == pytest.approx(100 * (960 / 660 - 1))
    assert b["tax_per_mu_growth"] == pytest.approx(0.0)
    assert (a["data_year"], a["previous_year"]) == (2024, 2023)
    assert a["unit_name"] == "宁波国家高新区·高新片"
    empty = out.drop(index=["Z01-01", "Z01-02"])
    assert empty[list(PARK_INDICATORS)].isna().all().all()
    assert math.isnan(a["va_per_mu"])  # no 增加值 reported


def test_bundled_profile_on_the_tiny_analysis_by_hand(catalog, analyses):
    now, before = analyses
    out = evaluate_parks(park_inputs(now, catalog, level="subzone", previous=before),
                         load_park_profile()).set_index("unit")
    a, b = out.loc["Z01-01"], out.loc["Z01-02"]
    # tax: mean 1400 / 105 = 13.33; Z01-01 21.33 / 13.33 = 1.6 → 48; Z01-02 0.55 → 16.5
    assert a["points_tax_per_mu"] == pytest.approx(48.0)
    assert b["points_tax_per_mu"] == pytest.approx(16.5)
    # growth: mean 100 × (1400/105 ÷ 1100/105 − 1) = 27.27 %; Z01-01 1 + (45.45 − 27.27)/27.27
    # = 1.667 → 25; Z01-02 1 − 1 = 0
    assert a["benchmark_tax_per_mu_growth"] == pytest.approx(100 * (1400 / 1100 - 1))
    assert a["points_tax_per_mu_growth"] == pytest.approx(25.0)
    assert b["points_tax_per_mu_growth"] == pytest.approx(0.0)
    # D land: mean 40 / 100 = 0.4; Z01-01 0 → 2 capped 1.5 → 15; Z01-02 2 − (2/3)/0.4 → 3.33
    assert a["points_d_class_land_share"] == pytest.approx(15.0)
    assert b["points_d_class_land_share"] == pytest.approx(10 * (2 - (2 / 3) / 0.4))
    # low land: mean 46 / 111; Z01-01 2 − (6/51)/(46/111) = 1.72 capped 1.5 → 22.5;
    # Z01-02 15 × (2 − (40/60)/(46/111))
    assert a["points_low_eff_land_share"] == pytest.approx(22.5)
    assert b["points_low_eff_land_share"] == pytest.approx(15 * (2 - (40 / 60) / (46 / 111)))
    assert a["park_score"] == pytest.approx(48 + 25 + 15 + 22.5)
    assert a["missing_indicators"] == PARK_INDICATOR_LABELS["va_per_mu"]
    assert (a["park_rank"], b["park_rank"]) == (1, 2)
    assert out["park_class"].notna().sum() == 2  # sub-zones without data are unclassed
    assert (out.drop(index=["Z01-01", "Z01-02"])["park_note"] == PARK_TEXTS["unclassed"]).all()


def test_park_inputs_without_a_previous_year_and_at_other_levels(catalog, analyses):
    now, _ = analyses
    subzones = park_inputs(now, catalog, level="subzone")
    assert subzones["tax_per_mu_growth"].isna().all()
    out = evaluate_parks(subzones, load_park_profile())
    scored = out[out["park_score"].notna()]
    assert len(scored) == 2
    assert scored["missing_indicators"].str.contains(
        PARK_INDICATOR_LABELS["tax_per_mu_growth"], regex=False).all()
    districts = park_inputs(now, catalog, level="district").set_index("unit")
    # Z01-01 lies in 鄞州区, Z01-02 in 镇海区
    assert districts.at["鄞州区", "d_class_land_share"] == 0.0
    assert districts.at["镇海区", "d_class_land_share"] == pytest.approx(40 / 60)
    zones = park_inputs(now, catalog, level="zone").set_index("unit")
    assert zones.at["Z01", "tax_per_mu"] == pytest.approx(1400 / 105)
    assert zones.at["Z01", "d_class_land_share"] == pytest.approx(40 / 100)
    with pytest.raises(ValueError, match="unknown park level"):
        park_inputs(now, catalog, level="city")


def test_the_index_of_the_inputs_is_kept_even_repeated(tmp_path, three):
    frame = three.set_axis([7, 7, 3])
    out = evaluate_parks(frame, _profile(tmp_path, NUMBER_PROFILE))
    assert out.index.tolist() == [7, 7, 3]
    assert out["park_class"].tolist() == ["A", "B", "C"]
    assert out["park_score"].tolist() == pytest.approx([157.5, 70.0, 37.5])


# ------------------------------------------------- park_table and the figures of one unit




#: The enterprise column holding each level's unit (the district's: its name).
_UNIT_COLUMN = {"subzone": "subzone_id", "zone": "zone_id", "district": "district"}


@pytest.mark.parametrize("level", ["subzone", "zone", "district"])
def test_park_table_of_the_sample_by_hand(catalog, sample_analysis, level):
    """亩均税收 of the unit with the most enterprises is Σ税收 / Σ亩 of its enterprises, worked
    out here from the enterprise frame alone; its points are 30 × min(v / b, 2) with b the
    same ratio over every enterprise placed in a unit of the level (the bundled profile)."""
    from geo.landuse.parks import park_table
    from geo.landuse.tables import level_table

    prof = load_park_profile()
    rule = next(r for r in prof.rules if r.key == "tax_per_mu")
    assert (rule.weight, rule.benchmark, rule.cap) == (30.0, "mean", 2.0)
    table = park_table(sample_analysis, catalog, level=level, profile=prof)
    ent = sample_analysis.enterprises
    unit = ent[_UNIT_COLUMN[level]].astype(object)
    tax = pd.to_numeric(ent["tax_wan"], errors="coerce")
    land = pd.to_numeric(ent["land_mu"], errors="coerce")
    both = unit.notna() & tax.notna() & (land > 0)
    chosen = str(unit[both].astype(str).value_counts().index[0])
    mine = both & (unit.astype(str) == chosen)
    value = float(tax[mine].sum()) / float(land[mine].sum())
    bench = float(tax[both].sum()) / float(land[both].sum())
    row = table.set_index("unit").loc[chosen]
    assert row["tax_per_mu"] == pytest.approx(value, rel=1e-9)
    assert row["benchmark_tax_per_mu"] == pytest.approx(bench, rel=1e-9)
    assert row["points_tax_per_mu"] == pytest.approx(30.0 * min(value / bench, 2.0), rel=1e-9)
    points = [f"points_{r.key}" for r in prof.rules]
    assert row["park_score"] == pytest.approx(sum(float(row[c]) for c in points), abs=1e-4)
    # carried from the level table, and the unit's geometry
    levels = level_table(sample_analysis, catalog, level=level).set_index("unit")
    assert table.crs == levels.crs
    assert (table.geometry.to_numpy() == levels.geometry.reindex(table["unit"]).to_numpy()).all()
    for c in ("geometry_quality", "class_A_count", "class_D_count"):
        assert table[c].tolist() == levels[c].reindex(table["unit"]).tolist()
    assert (table["peer_count"] == table["park_score"].notna().sum()).all()
    assert (table["park_profile"] == prof.name).all()
    assert (table["data_nature"] == sample_analysis.data_label).all()


def test_growth_needs_the_year_before(catalog, analyses):
    """Data of another year (or of no stated year) give no growth: it stays missing and the
    note says why, rather than a 2-year change shown as a 1-year growth."""
    import dataclasses

    now, before = analyses
    older = dataclasses.replace(before, year=2022)
    out = park_inputs(now, catalog, level="subzone", previous=older).set_index("unit")
    note = SCHEME_TEXTS["park_growth_years"].format(previous=2022, expected=2023)
    assert out["tax_per_mu_growth"].isna().all()
    assert out["tax_per_mu_prev"].isna().all()
    assert (out["growth_note"] == note).all()
    assert (out.at["Z01-01", "data_year"], out.at["Z01-01", "previous_year"]) == (2024, 2022)
    scored = evaluate_parks(out.reset_index(), load_park_profile()).set_index("unit")
    missing = PARK_TEXTS["separator"].join(
        PARK_INDICATOR_LABELS[k] for k in ("va_per_mu", "tax_per_mu_growth"))
    assert scored.at["Z01-01", "park_note"] == SCHEME_TEXTS["park_note_separator"].join(
        [PARK_TEXTS["scored_zero"].format(indicators=missing), note])
    assert scored.at["Z01-01", "points_tax_per_mu_growth"] == 0.0
    undated = park_inputs(dataclasses.replace(now, year=None), catalog, level="subzone",
                          previous=before)
    assert undated["tax_per_mu_growth"].isna().all()
    assert (undated["growth_note"] == SCHEME_TEXTS["park_growth_no_year"]).all()
    right = park_inputs(now, catalog, level="subzone", previous=before).set_index("unit")
    assert right.at["Z01-01", "tax_per_mu_growth"] == pytest.approx(100 * (960 / 660 - 1))
    assert (right["growth_note"] == "").all()


def test_the_bundled_park_profile_cites_its_source_by_title_in_chinese():
    from geo.zones.plans import cite

    source = load_park_profile().source
    assert cite("000", 197) in source  # 《宁波打造全球智造创新之都行动方案》第 197 行
    assert "从工业企业向工业区块（园区）拓展" in source
    assert "非官方" in source
    assert not any(word in source for word in ("seed", "design", "official"))


def test_unit_efficiency_with_and_without_data(catalog, analyses):
    from geo.landuse.parks import park_table, park_unit, unit_efficiency

    now, _ = analyses
    table = park_table(now, catalog, level="subzone")
    a = unit_efficiency(table, "Z01-01")
    assert a is not None
    assert a.has_data
    assert a.tax_per_mu == pytest.approx(960 / 45)
    assert a.class_counts == {"A": 1, "B": 0, "C": 1, "D": 0}
    assert a.enterprise_count == 3
    assert a.low_eff_land_mu == pytest.approx(6.0)
    assert a.low_eff_land_share == pytest.approx(6 / 51)
    assert (a.park_class, a.park_rank, a.peers) == ("B", 1, 2)
    assert (a.year, a.is_sample, a.data_label) == (2024, False, "用户导入")
    empty = unit_efficiency(table, "Z02-01")
    assert empty is not None
    assert not empty.has_data
    assert empty.park_class is None
    assert empty.park_rank is None
    assert math.isnan(empty.tax_per_mu)
    assert empty.park_note == PARK_TEXTS["unclassed"]
    assert unit_efficiency(table, "nowhere") is None
    district = catalog["district"].iloc[0]
    assert park_unit(catalog, "district", district["id"]) == district["name"]
    assert park_unit(catalog, "zone", "Z01") == "Z01"


def test_parks_uses_no_private_helper_of_scoring():
    import ast
    from pathlib import Path

    from geo.landuse import parks

    tree = ast.parse(Path(parks.__file__).read_text(encoding="utf-8"))
    private = [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
               and n.module == "geo.landuse.scoring" for a in n.names if a.name.startswith("_")]
    assert private == []
