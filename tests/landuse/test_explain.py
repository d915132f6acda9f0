"""Why this class: points and band edges, ±10 % sensitivity, class vs low-efficiency flag —
each on a hand-computed fixture (geo.landuse.explain)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.landuse.explain import (
    class_flag_conflicts,
    explain_enterprise,
    sensitivity,
    with_indicator_value,
)
from geo.landuse.metrics import INDICATORS
from geo.landuse.scoring import CLASSES, evaluate, load_profile

# Four rated enterprises of one track: cumulative quotas A ⌊1+0.5⌋ = 1, B ⌊2+0.5⌋ = 2,
# C ⌊3+0.5⌋ = 3, D 4 — one enterprise per class.
_HEAD = ('[meta]\nname = "测试方案"\n[classes]\nA = 0.25\nB = 0.5\nC = 0.75\nD = 1.0\n'
         '[exemptions]\nreasons = ["政策性搬迁"]\n[lowland]\ntax_per_mu_below = 5.0\n'
         'idle_statuses = ["闲置"]\n')
_CAPPED = ('[tracks."规下".indicators.tax_per_mu]\nweight = 60\nbenchmark = 10\ncap = 2\n'
           '[tracks."规下".indicators.tax_per_power]\nweight = 40\nbenchmark = 1\ncap = 1.5\n')
_PLAIN = ('[tracks."规下".indicators.tax_per_mu]\nweight = 60\nbenchmark = 10\n'
          '[tracks."规下".indicators.tax_per_power]\nweight = 40\nbenchmark = 1\n')


def _profile(tmp_path, body: str):
    path = tmp_path / "p.toml"
    path.write_text(_HEAD + body, encoding="utf-8")
    return load_profile(path)


def _firms(tax, power, **cols) -> pd.DataFrame:
    n = len(tax)
    base = {"credit_code": [f"E{i}" for i in range(1, n + 1)],
            "name": [f"企业{i}" for i in range(1, n + 1)], "scale": "规下", "land_mu": 10.0,
            "tax_per_mu": tax, "tax_per_power": power, "year": 2024}
    base.update(cols)
    return pd.DataFrame(base).set_index("credit_code", drop=False)


# Points (tax_per_mu: 60 × min(v/10, 2); tax_per_power: 40 × min(v/1, 1.5)):
#   E1 20, 2.0 → 120 + 60 (capped) = 180  A
#   E2 10, 1.0 →  60 + 40          = 100  B
#   E3  8, 1.0 →  48 + 40          =  88  C
#   E4  2, 0.5 →  12 + 20          =  32  D
#   E5 免评 (政策性搬迁)
def _rated(tmp_path):
    prof = _profile(tmp_path, _CAPPED)
    df = _firms([20.0, 10.0, 8.0, 2.0, 30.0], [2.0, 1.0, 1.0, 0.5, 3.0],
                exempt_reason=[None, None, None, None, "政策性搬迁"],
                parcel_id=["P1", "P1;P2", "P3", "P3", "P1"])
    return prof, df


def _class_with(df, prof, who, **values):
    changed = df.copy()
    for col, value in values.items():
        changed.loc[who, col] = value
    return evaluate(changed, prof).at[who, "class"]


def test_the_points_table_and_band_edges_are_the_hand_computed_ones(tmp_path):
    prof, df = _rated(tmp_path)
    out = evaluate(df, prof)
    assert out["class"].to_dict() == {"E1": "A", "E2": "B", "E3": "C", "E4": "D", "E5": None}
    ex = explain_enterprise(out, prof, "E3")
    assert (ex.cls, ex.score, ex.rank_in_group, ex.group_size) == ("C", 88.0, 3, 4)
    assert ex.rated
    assert ex.name == "企业3"
    # band edge above: the lowest B (E2, 100), 12 points away; below: the highest D (E4, 32)
    assert (ex.class_above, ex.edge_above, ex.gap_above) == ("B", 100.0, pytest.approx(12.0))
    assert (ex.class_below, ex.edge_below, ex.gap_below) == ("D", 32.0, pytest.approx(56.0))
    rows = ex.points.set_index("indicator")
    assert rows.loc["tax_per_mu", ["value", "benchmark", "weight", "cap", "points",
                                   "max_points"]].tolist() == [8.0, 10.0, 60.0, 2.0, 48.0, 120.0]
    assert rows.loc["tax_per_power", ["value", "benchmark", "weight", "cap", "points",
                                      "max_points"]].tolist() == [1.0, 1.0, 40.0, 1.5, 40.0, 60.0]
    assert rows.loc["tax_per_mu", "label"] == "亩均税收"
    assert rows.loc["tax_per_mu", "unit"] == "万元/亩"
    # tax alone: 100 − 40 = 60 points → 60/60 × 10 = 10 万元/亩 (+2); power alone: 100 − 48 = 52
    # → 52/40 × 1 = 1.3 (+0.3)
    assert rows.loc["tax_per_mu", "needed_value"] == pytest.approx(10.0)
    assert rows.loc["tax_per_mu", "increase"] == pytest.approx(2.0)
    assert rows.loc["tax_per_power", "needed_value"] == pytest.approx(1.3)
    assert rows.loc["tax_per_power", "increase"] == pytest.approx(0.3)
    assert "升入 B 类" in rows.loc["tax_per_mu", "needed_note"]
    assert ex.summary[0] == "类别 C，得分 88.00，在「规下」内第 3 名 / 共 4 家"
    assert list(ex.table().columns)[:2] == ["指标代码", "指标"]


def test_the_increase_needed_moves_the_class_up_and_slightly_less_does_not(tmp_path):
    prof, df = _rated(tmp_path)
    rows = explain_enterprise(evaluate(df, prof), prof, "E3").points.set_index("indicator")
    for key in ("tax_per_mu", "tax_per_power"):
        needed = rows.loc[key, "needed_value"]
        # reaching E2's 100 ties it: ties share the better place, so E3 becomes B
        assert _class_with(df, prof, "E3", **{key: needed}) == "B"
        assert _class_with(df, prof, "E3", **{key: needed - 0.01}) == "C"


def test_an_indicator_at_its_cap_cannot_move_the_class_alone(tmp_path):
    prof, df = _rated(tmp_path)
    ex = explain_enterprise(evaluate(df, prof), prof, "E4")
    assert (ex.cls, ex.class_above, ex.edge_above) == ("D", "C", 88.0)
    rows = ex.points.set_index("indicator")
    # power alone would need 88 − 12 = 76 points = 1.9 × benchmark, over the cap 1.5: at the cap
    # the score is 12 + 60 = 72, 16 short of 88
    assert math.isnan(rows.loc["tax_per_power", "needed_value"])
    note = rows.loc["tax_per_power", "needed_note"]
    assert "无法升档" in note
    assert "72.00" in note
    assert "16.00" in note
    assert _class_with(df, prof, "E4", tax_per_power=100.0) == "D"
    # tax alone can: 88 − 20 = 68 points → 68/60 × 10 = 11.333… 万元/亩, under the cap 2,
    # shown rounded up to 11.34 so that reaching the figure shown moves the class up
    assert rows.loc["tax_per_mu", "needed_value"] == 11.34
    assert "至少 11.34 万元/亩" in rows.loc["tax_per_mu", "needed_note"]
    assert _class_with(df, prof, "E4", tax_per_mu=11.34) == "C"
    assert _class_with(df, prof, "E4", tax_per_mu=11.33) == "D"


def test_a_missing_value_has_no_increase_and_must_be_reported_first(tmp_path):
    prof, df = _rated(tmp_path)
    df.loc["E3", "tax_per_power"] = np.nan  # scored 0 (missing rule "zero"): 48 points, still C
    ex = explain_enterprise(evaluate(df, prof), prof, "E3")
    assert ex.cls == "C"
    row = ex.points.set_index("indicator").loc["tax_per_power"]
    assert math.isnan(row["value"])
    assert row["needed_value"] == pytest.approx(1.3)  # (100 − 48) / 40 × 1
    assert math.isnan(row["increase"])
    assert "该项缺值，需先填报" in row["needed_note"]
    assert _class_with(df, prof, "E3", tax_per_power=row["needed_value"]) == "B"


def test_class_a_has_no_band_above_and_says_so(tmp_path):
    prof, df = _rated(tmp_path)
    ex = explain_enterprise(evaluate(df, prof), prof, "E1")
    assert ex.cls == "A"
    assert ex.edge_above is None
    assert ex.gap_above is None
    assert (ex.class_below, ex.edge_below, ex.gap_below) == ("B", 100.0, pytest.approx(80.0))
    assert "已是 A 类" in ex.summary[1]
    assert ex.points["needed_value"].isna().all()
    assert ex.points["needed_note"].str.contains("已是 A 类").all()
    assert ex.points.set_index("indicator").at["tax_per_power", "points"] == 60.0  # capped


def test_an_exempt_enterprise_is_explained_by_its_reason_not_by_points(tmp_path):
    prof, df = _rated(tmp_path)
    ex = explain_enterprise(evaluate(df, prof), prof, "E5")
    assert not ex.rated
    assert (ex.cls, ex.score, ex.rank_in_group) == (None, None, None)
    assert ex.points.empty
    assert ex.summary == ("未按得分评定类别：免评：政策性搬迁",)
    with pytest.raises(KeyError, match="Fix"):
        explain_enterprise(evaluate(df, prof), prof, "E9")


# Sensitivity: no caps (tax 60 × v/10, power 40 × v/1); four rated, quotas A 1, B 2, C 3, D 4.
#   S1 20, 2.0  → 120 + 80 = 200  A (far ahead)
#   S2 10, 1.0  →  60 + 40 = 100  B  } tied at the B edge: both place 1 < 2 → B
#   S3  5, 1.75 →  30 + 70 = 100  B  }
#   S4  1, 0.2  →   6 +  8 =  14  D (place 3; no C)
# Every ±10 % variant breaks the tie: the one whose mix the change favours less drops to
# place 2 = C, the other stays B — exactly one enterprise crosses a band. Tax weight +10 %:
# S2 66 + 40 = 106, S3 33 + 70 = 103 → S3 becomes C.
def _tied(tmp_path):
    prof = _profile(tmp_path, _PLAIN)
    df = _firms([20.0, 10.0, 5.0, 1.0, 9.0], [2.0, 1.0, 1.75, 0.2, 9.0],
                exempt_reason=[None, None, None, None, "政策性搬迁"])
    df.index = df["credit_code"] = ["S1", "S2", "S3", "S4", "S5"]
    df["name"] = ["甲", "乙", "丙", "丁", "戊"]
    return prof, df


def test_a_tie_at_a_band_edge_makes_exactly_one_enterprise_cross_in_each_variant(tmp_path):
    prof, df = _tied(tmp_path)
    assert evaluate(df, prof)["class"].tolist() == ["A", "B", "B", "D", None]
    result = sensitivity(df, prof)
    assert result.evaluations == 1 + 2 * 2 * 2
    v = result.variants.set_index(["indicator", "changed", "direction"])
    assert len(v) == 8
    assert (v["n_changed"] == 1).all()
    assert v.loc[("tax_per_mu", "权重", "+10 %"), "names"] == "丙"
    assert v.loc[("tax_per_mu", "权重", "−10 %"), "names"] == "乙"  # S2 54 + 40 < S3 27 + 70
    # a larger tax benchmark lowers tax points like a smaller weight: S2 54.5 + 40 < 97.3
    assert v.loc[("tax_per_mu", "基准值", "+10 %"), "names"] == "乙"
    assert v.loc[("tax_per_power", "权重", "+10 %"), "names"] == "乙"  # 104 < 107
    assert v.loc[("tax_per_power", "基准值", "+10 %"), "names"] == "丙"
    assert v.loc[("tax_per_mu", "权重", "+10 %"), "members"] == ("S3",)
    per = result.enterprises
    assert list(per.index) == ["S1", "S2", "S3", "S4"]  # the exempt S5 is not judged
    assert per["robust"].to_dict() == {"S1": True, "S2": False, "S3": False, "S4": True}
    assert per["verdict"].to_dict() == {"S1": "稳健", "S2": "敏感", "S3": "敏感", "S4": "稳健"}
    assert per["n_variants"].to_dict() == {"S1": 0, "S2": 4, "S3": 4, "S4": 0}
    assert per.at["S2", "classes_reached"] == "B、C"
    assert per.at["S1", "classes_reached"] == "A"
    assert list(result.variants_table().columns)[:2] == ["评价序列", "指标"]


def test_sensitivity_takes_an_evaluated_frame_as_well(tmp_path):
    prof, df = _tied(tmp_path)
    again = sensitivity(evaluate(df, prof), prof)
    first = sensitivity(df, prof)
    pd.testing.assert_frame_equal(again.variants, first.variants)
    pd.testing.assert_frame_equal(again.enterprises, first.enterprises)
    with pytest.raises(ValueError, match="step=0.10"):
        sensitivity(df, prof, step=10)


def test_an_a_class_on_a_low_tax_parcel_is_explained_as_two_different_rules(tmp_path):
    prof, df = _rated(tmp_path)
    out = evaluate(df, prof)
    # E1 (A) uses P1; E2 (B) uses P1 and P2; E3 (C) and E4 (D) use P3; P2 is not flagged
    parcels = pd.DataFrame({"parcel_id": ["P1", "P2", "P3"],
                            "low_efficiency": [True, False, True],
                            "reason_codes": ["LOW_TAX", "", "LOW_TAX;IDLE"],
                            "reasons": ["亩均税收低于5.0万元/亩", "",
                                        "亩均税收低于5.0万元/亩；闲置/停产（闲置）"],
                            "tax_per_mu": [4.2, 30.0, 3.0]})
    table = class_flag_conflicts(out, parcels, prof)
    assert table[["credit_code", "class", "parcel_id"]].values.tolist() == [
        ["E1", "A", "P1"], ["E2", "B", "P1"]]
    row = table.iloc[0]
    assert row["tax_per_mu"] == 4.2
    assert row["reason_codes"] == "LOW_TAX"
    assert row["note"] == ("类别 A 由评价方案《测试方案》在「规下」内按得分排名（前 25 %）评定，"
                           "是相对名次；低效用地标记由规则“亩均税收低于 5 万元/亩”"
                           "（绝对门槛，按宗地上全部企业合计）得出：二者口径不同，并不矛盾。")
    assert "名次在前 25 %–50 % 之间" in table.iloc[1]["note"]
    # a parcel flagged by two rules names both, each with its basis
    parcels.loc[0, ["reason_codes", "reasons"]] = ["LOW_TAX;IDLE", "…；闲置/停产（闲置）"]
    note = class_flag_conflicts(out, parcels, prof).iloc[0]["note"]
    assert "“亩均税收低于 5 万元/亩”（绝对门槛，按宗地上全部企业合计）、“生产状态为闲置”" in note
    none = class_flag_conflicts(out, parcels.assign(low_efficiency=False), prof)
    assert none.empty
    assert "note" in none.columns


def test_a_tenant_taking_its_landlords_grade_is_explained_by_the_landlord(tmp_path):
    prof = _profile(tmp_path, _CAPPED + '[tracks."租赁企业"]\ntenant = true\ngrade = "landlord"\n')
    df = _firms([20.0, 10.0, np.nan], [2.0, 1.0, np.nan], land_mu=[10.0, 10.0, np.nan],
                tenure=[None, None, "租赁"], landlord_code=[None, None, "E2"])
    out = evaluate(df, prof)
    ex = explain_enterprise(out, prof, "E3")
    assert ex.cls == out.at["E2", "class"]
    assert not ex.rated
    assert ex.points.empty
    assert ex.summary == ("未单独评分：租赁企业，按方案取出租方等级：企业2",)




def _moved_up(analysis, index, key, value, cls) -> bool:
    # the value rises through its numerator (税收, 增加值…), so the "mean" benchmark rises too
    ent = analysis.enterprises
    ind = INDICATORS[key]
    changed = ent.copy()
    changed.loc[index, key] = value
    den = pd.to_numeric(pd.Series([ent.at[index, ind.denominator]]), errors="coerce").iloc[0]
    if den > 0:
        changed.loc[index, ind.numerator] = value * den / ind.factor
    new = evaluate(changed, analysis.profile, parcels=analysis.parcels).at[index, "class"]
    assert new in CLASSES
    return CLASSES.index(new) < CLASSES.index(cls)


def test_on_the_sample_the_needed_value_of_a_mean_benchmark_moves_the_class_up(
        sample_analysis):
    ent, prof = sample_analysis.enterprises, sample_analysis.profile
    assert all(r.benchmark == "mean" for rules in prof.tracks.values() for r in rules)
    rated = ent.index[ent["score"].notna() & ent["class"].isin(CLASSES[1:])]
    picks = np.random.default_rng(7).choice(rated, 7, replace=False)
    checked = 0
    for index in picks:
        ex = explain_enterprise(ent, prof, index)
        for _, row in ex.points.iterrows():
            needed = row["needed_value"]
            if math.isnan(needed):
                assert "无法升档" in row["needed_note"]
                continue
            assert "至少" in row["needed_note"]
            assert needed == round(needed, 6)  # rounded at display precision
            if math.isnan(row["value"]):
                assert math.isnan(row["increase"])
            else:
                assert row["increase"] == pytest.approx(needed - row["value"])
            assert _moved_up(sample_analysis, index, row["indicator"], needed, ex.cls), \
                (index, row["indicator"], needed)
            assert not _moved_up(sample_analysis, index, row["indicator"], needed * 0.995,
                                 ex.cls), (index, row["indicator"], needed)
            checked += 1
    assert checked >= 5
    # the same move, through the helper the search uses
    assert (with_indicator_value(ent, picks[0], "tax_per_mu", 1.0)
            .at[picks[0], "tax_per_mu"] == 1.0)
