"""County schemes: tracks, 免评, the missing-indicator rule, industry groups, landlord grades,
differentiated policies — each on a hand-computed fixture."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo._errors import ProfileError
from geo.landuse.scoring import evaluate, load_profile

_BANDS = "[classes]\nA = 0.25\nB = 0.5\nC = 0.75\nD = 1.0\n"
_TAX = "[tracks.\"{t}\".indicators.tax_per_mu]\nweight = 100\nbenchmark = 10\n"


def _profile(tmp_path, body: str):
    path = tmp_path / "p.toml"
    path.write_text(_BANDS + body, encoding="utf-8")
    return load_profile(path)


def _firms(n: int, **cols) -> pd.DataFrame:
    base = {"credit_code": [f"E{i}" for i in range(1, n + 1)],
            "name": [f"企业{i}" for i in range(1, n + 1)], "scale": "规下", "land_mu": 10.0,
            "tax_per_mu": np.arange(1, n + 1, dtype=float), "year": 2024}
    base.update(cols)
    return pd.DataFrame(base)


_TRACKS = ('[tracks."规上"]\n' + _TAX.format(t="规上")
           + '[tracks."规下（3亩及以上）"]\nscale = "规下"\nland_mu_min = 3\n'
           + _TAX.format(t="规下（3亩及以上）")
           + '[tracks."规下（3亩以下）"]\nscale = "规下"\nland_mu_below = 3\n'
           + _TAX.format(t="规下（3亩以下）")
           + '[tracks."租赁企业"]\ntenant = true\ngrade = "landlord"\n')


def test_each_track_holds_its_enterprises_and_tenants_take_the_landlords_grade(tmp_path):
    prof = _profile(tmp_path, _TRACKS)
    df = pd.DataFrame({
        "credit_code": ["U1", "L1", "L2", "S1", "T1", "T2", "T3"],
        "name": ["规上一", "规下大一", "规下大二", "规下小一", "租户一", "租户二", "租户三"],
        "scale": ["规上", "规下", "规下", "规下", "规下", "规下", "规上"],
        "land_mu": [20.0, 3.0, 8.0, 2.99, np.nan, 1.0, 5.0],
        "tax_per_mu": [50.0, 20.0, 5.0, 9.0, np.nan, 1.0, 1.0],
        "tenure": [None, "自有", None, None, "租赁", "租用", "租赁"],
        "landlord_code": [None, None, None, None, "l1", "L2", None], "year": 2024})
    out = evaluate(df, prof).set_index("credit_code")
    assert out["track"].to_dict() == {
        "U1": "规上", "L1": "规下（3亩及以上）", "L2": "规下（3亩及以上）",
        "S1": "规下（3亩以下）", "T1": "租赁企业", "T2": "租赁企业", "T3": "租赁企业"}
    # 规下 ≥ 3 亩, two firms: cumulative quotas A ⌊0.5+0.5⌋ = 1, B ⌊1+0.5⌋ = 1, C ⌊1.5+0.5⌋ = 2
    # → L1 (20 万元/亩) A, L2 C
    assert out.at["L1", "class"] == "A"
    assert out.at["L2", "class"] == "C"
    # tenants are not scored: T1 takes L1's A (code matched ignoring case), T2 takes L2's C,
    # T3 has no landlord code and stays unclassed, saying why
    assert out.at["T1", "class"] == "A"
    assert "规下大一" in out.at["T1", "class_note"]
    assert out.at["T2", "class"] == "C"
    assert pd.isna(out.at["T3", "class"])
    assert "出租方" in out.at["T3", "class_note"]
    assert out.loc[["T1", "T2", "T3"], "score"].isna().all()


def test_a_track_name_that_is_no_scale_needs_scale_or_tenant(tmp_path):
    with pytest.raises(ProfileError, match="unknown track"):
        _profile(tmp_path, _TAX.format(t="大型"))
    with pytest.raises(ProfileError, match="only a tenant track"):
        _profile(tmp_path, '[tracks."规上"]\ngrade = "landlord"\n' + _TAX.format(t="规上"))


_EXEMPT = ('[exemptions]\nnew_within_years = 2\nconstruction_within_years = 3\n'
           'reasons = ["政策性搬迁"]\npublic_utilities = true\n')


def test_each_exemption_is_listed_with_its_reason_and_never_ranked(tmp_path):
    prof = _profile(tmp_path, _EXEMPT + _TAX.format(t="规下"))
    df = _firms(8, founded_year=[2023, 2022, None, None, None, None, None, None],
                parcel_id=["P1", "P1", "P2", "P3", "P1", "P1", "P1", "P1"],
                exempt_reason=[None, None, None, None, "政策性搬迁", "其他原因", None, None],
                industry_section=[None, None, None, None, None, None, "D", "C"])
    parcels = pd.DataFrame({"parcel_id": ["P1", "P2", "P3"], "supply_year": [2015, 2022, 2021]})
    out = evaluate(df, prof, parcels=parcels).set_index("credit_code")
    # E1 founded 2023: 1 year < 2 → new; E2 founded 2022: 2 years, not < 2 → rated
    assert out.at["E1", "exemption"].startswith("免评：新设立不满 2 年（2023）")
    assert out.at["E2", "exemption"] == ""
    # E3 on P2 supplied 2022: 2 years < 3 → 建设期; E4 on P3 supplied 2021: 3 years → rated
    assert out.at["E3", "exemption"] == "免评：供地后 3 年内（建设期；宗地 P2 供地年份 2022）"
    assert out.at["E4", "exemption"] == ""
    # declared reason the scheme accepts → exempt; one it does not name → rated
    assert out.at["E5", "exemption"] == "免评：政策性搬迁"
    assert out.at["E6", "exemption"] == ""
    assert out.at["E7", "exemption"].startswith("免评：公用事业")
    exempt = ["E1", "E3", "E5", "E7"]
    assert out.loc[exempt, "class"].isna().all()
    assert out.loc[exempt, "score"].isna().all()
    assert out.loc[exempt, "class_note"].str.startswith("免评").all()
    rated = out.loc[~out.index.isin(exempt)]
    # four rated (E2 tax 2, E4 4, E6 6, E8 8): ranks 4, 3, 2, 1 and 1 A, 1 B, 1 C, 1 D
    assert rated["rank_in_group"].to_dict() == {"E2": 4.0, "E4": 3.0, "E6": 2.0, "E8": 1.0}
    assert rated["class"].to_dict() == {"E2": "D", "E4": "C", "E6": "B", "E8": "A"}
    assert (rated["group_size"] == 4).all()


@pytest.mark.parametrize("cell", ["P_new;P_old", "P_old;P_new", "P_old、P_new、P_new"])
def test_construction_needs_every_known_parcel_young_whatever_the_order(tmp_path, cell):
    prof = _profile(tmp_path, "[exemptions]\nconstruction_within_years = 2\n"
                    + _TAX.format(t="规下"))
    parcels = pd.DataFrame({"parcel_id": ["P_new", "P_old", "P_new2", "P_blank"],
                            "supply_year": [2024, 2010, 2023, np.nan]})
    # E1 holds an old parcel beside a new one: evaluated, in either order of the ids.
    # E2: only new parcels (2025 − 2024 = 1, 2025 − 2023 = 2 is not < 2 → P_new2 is not young)
    df = _firms(6, year=2025, parcel_id=[
        cell, "P_new", "P_new;UNKNOWN", "P_new;P_new2", "P_new;P_blank", "UNKNOWN"])
    out = evaluate(df, prof, parcels=parcels).set_index("credit_code")
    assert out.at["E1", "exemption"] == ""
    assert pd.notna(out.at["E1", "class"])
    # every known parcel young → 免评, naming the parcel(s) and 供地年份 it rests on
    assert out.at["E2", "exemption"] == "免评：供地后 2 年内（建设期；宗地 P_new 供地年份 2024）"
    # an id not in the parcel table is not a known parcel: the known one decides
    assert out.at["E3", "exemption"] == out.at["E2", "exemption"]
    # P_new2 (2023) is 2 years old: out of the window, so E4 is evaluated
    assert out.at["E4", "exemption"] == ""
    # a known parcel without 供地年份 cannot be shown young: evaluated
    assert out.at["E5", "exemption"] == ""
    # no known parcel at all: evaluated
    assert out.at["E6", "exemption"] == ""
    assert out.loc[["E2", "E3"], "class"].isna().all()


def test_construction_names_every_young_parcel(tmp_path):
    prof = _profile(tmp_path, "[exemptions]\nconstruction_within_years = 3\n"
                    + _TAX.format(t="规下"))
    parcels = pd.DataFrame({"parcel_id": ["P1", "P2"], "supply_year": [2024, 2023]})
    out = evaluate(_firms(1, year=2025, parcel_id=["P2；P1"]), prof, parcels=parcels)
    assert out["exemption"].iloc[0] == ("免评：供地后 3 年内（建设期；宗地 P2 供地年份 2023、"
                                        "宗地 P1 供地年份 2024）")


def _two_indicators(rule: str) -> str:
    return (f'[evaluation]\nmissing = "{rule}"\n' + _TAX.format(t="规下").replace("100", "60")
            + '[tracks."规下".indicators.tax_per_power]\nweight = 40\nbenchmark = 1\n')


# E1 pays 10 万元/亩 (60 points) but has no 用电量; E2..E4 pay 2, 3, 4 (12, 18, 24) and score
# 40 on power each → 52, 58, 64. Four firms: cumulative quotas A 1, B 2, C 3, D 4.
@pytest.mark.parametrize(("rule", "e1_score", "e1_class"), [
    ("zero", 60.0, "B"),          # power missing → 0: 60 is second after 64
    ("item_mean", 100.0, "A"),    # the mean power points of the others (40) → 100, first
    ("unrated", None, None),      # any missing item → 未参评
])
def test_the_missing_indicator_rule_both_ways(tmp_path, rule, e1_score, e1_class):
    prof = _profile(tmp_path, _two_indicators(rule))
    df = _firms(4, tax_per_power=[np.nan, 1.0, 1.0, 1.0], tax_per_mu=[10.0, 2.0, 3.0, 4.0])
    out = evaluate(df, prof).set_index("credit_code")
    assert "用电" in out.at["E1", "missing_indicators"]
    if e1_score is None:
        assert pd.isna(out.at["E1", "score"])
        assert pd.isna(out.at["E1", "class"])
        assert "缺项不参评" in out.at["E1", "class_note"]
        # the other three are ranked among themselves: quotas A 1, B 2, C ⌊2.25+0.5⌋ = 2, D 3
        assert out.loc[["E2", "E3", "E4"], "class"].tolist() == ["D", "B", "A"]
    else:
        assert out.at["E1", "score"] == pytest.approx(e1_score)
        assert out.at["E1", "class"] == e1_class
    if rule == "item_mean":
        assert "平均得分" in out.at["E1", "class_note"]


def test_ranking_within_industry_groups_pools_the_small_ones(tmp_path):
    prof = _profile(tmp_path, '[evaluation]\nrank_within = "industry"\nmin_group_size = 3\n'
                    + _TAX.format(t="规下"))
    groups = ["C39"] * 4 + ["C26"] * 4 + ["C17"] + [None]
    df = _firms(10, industry_group=groups,
                tax_per_mu=[1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 40.0, 5.0, 6.0])
    out = evaluate(df, prof).set_index("credit_code")
    assert out.at["E1", "rank_group"] == "规下｜C39"
    assert out.loc[["E9", "E10"], "rank_group"].eq("规下｜其他行业（合并）").all()
    # within C39 the best (E4, 4 万元/亩) is A although the whole track has better firms
    assert out.loc[["E1", "E2", "E3", "E4"], "class"].tolist() == ["D", "C", "B", "A"]
    assert out.loc[["E5", "E6", "E7", "E8"], "class"].tolist() == ["D", "C", "B", "A"]
    assert out.loc[["E9", "E10"], "class"].tolist() == ["C", "A"]  # two: A 1, B 1, C 2
    assert out.at["E4", "rank_in_group"] == 1
    assert out.at["E4", "group_size"] == 4


def test_policies_of_the_class_are_carried_with_their_figure_and_unit(tmp_path):
    prof = _profile(tmp_path, _TAX.format(t="规下") + (
        '[[policy.D]]\nitem = "用电"\ntext = "执行差别化电价"\ntariff = 0.1\n'
        'unit = "元/千瓦时"\n[[policy.A]]\nitem = "财政奖补"\ntext = "优先安排"\n'))
    out = evaluate(_firms(4), prof).set_index("credit_code")
    assert out.at["E1", "policies"] == "用电：执行差别化电价（0.1 元/千瓦时）"
    assert out.at["E4", "policies"] == "财政奖补：优先安排"
    assert out.at["E2", "policies"] == ""
    with pytest.raises(ProfileError, match="without its unit"):
        _profile(tmp_path, _TAX.format(t="规下") + '[[policy.D]]\nitem = "用电"\n'
                 'text = "加价"\ntariff = 0.1\n')


def test_the_bundled_profiles_load():
    prof = load_profile()
    assert [s.name for s in prof.specs()] == ["规上", "规下"]
    assert prof.rules.missing == "zero"


@pytest.mark.parametrize("rule", ["zero", "item_mean", "unrated"])
def test_scoring_again_a_scored_table_changes_nothing(tmp_path, rule):
    prof = _profile(tmp_path, _two_indicators(rule))
    df = _firms(6, tax_per_power=[np.nan, 1.0, 1.0, 1.0, 2.0, np.nan],
                tax_per_mu=[10.0, 2.0, 3.0, 4.0, 5.0, 6.0], scale=["规下"] * 5 + ["规上"])
    once = evaluate(df, prof)
    twice = evaluate(once, prof)
    pd.testing.assert_frame_equal(twice, once)
    assert once["score_tax_per_mu"].notna().sum() >= 3  # written on the rows scored
