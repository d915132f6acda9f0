"""Low-efficiency rules, the clearance register and its audit log, targets, the scenario."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.crs import M2_PER_MU
from geo.landuse.lowland import flag_parcels
from geo.landuse.metrics import enterprise_land, enterprise_metrics
from geo.landuse.register import load_register, save_register, update_register
from geo.landuse.scoring import evaluate, load_profile
from geo.landuse.targets import Scenario, load_targets, progress, scenario
from tests.support.seeds import FIXTURES, read_excerpt

MU = M2_PER_MU
WHEN = dt.datetime(2026, 11, 23, 9, 30)


@pytest.fixture
def parcels() -> pd.DataFrame:
    return pd.DataFrame({
        "parcel_id": ["P1", "P2", "P3", "P4", "P5"],
        "land_area_m2": [30 * MU, 15 * MU, 6 * MU, 10 * MU, 20 * MU],
        "land_use": ["工业用地", "工业用地", "工业用地", "仓储用地", "工业用地"],
        "far": [1.2, 0.6, np.nan, 0.5, 1.0],
        "floor_area_m2": [np.nan, np.nan, 3 * MU, np.nan, np.nan],
        "status": ["正常", "正常", "闲置", "正常", "停产"],
        "zone_id": ["Z1", "Z1", "Z1", "Z2", "Z2"],
    })


@pytest.fixture
def enterprises(parcels) -> pd.DataFrame:
    ent = pd.DataFrame({
        "credit_code": ["E1", "E2", "E4", "E5"], "parcel_id": ["P1", "P2", "P4", "P5"],
        "scale": ["规上"] * 4, "tax_wan": [900.0, 45.0, 300.0, 20.0],
        "value_added_wan": [3000.0, 300.0, 900.0, 100.0], "zone_id": ["Z1", "Z1", "Z2", "Z2"],
    })
    return enterprise_land(ent, parcels)


def test_rules_flag_with_reason_codes(parcels, enterprises):
    prof = load_profile()  # LOW_TAX < 5, LOW_FAR < 0.8 on industrial use, IDLE 闲置/空置/停产
    scored = evaluate(enterprise_metrics(enterprises), prof)
    out = flag_parcels(parcels, scored, prof).set_index("parcel_id")
    # P1: 900/30 = 30 万元/亩, FAR 1.2, normal → not flagged
    assert not out.at["P1", "low_efficiency"]
    # P2: 45/15 = 3 < 5, FAR 0.6 < 0.8
    assert out.at["P2", "reason_codes"].split(";")[:2] == ["LOW_TAX", "LOW_FAR"]
    assert "亩均税收低于5.0万元/亩" in out.at["P2", "reasons"]
    # P3: no enterprise; FAR from floor area 3/6 = 0.5; idle
    assert out.at["P3", "reason_codes"] == "LOW_FAR;IDLE"
    assert out.at["P3", "far_used"] == pytest.approx(0.5)
    assert "无企业数据" in out.at["P3", "data_note"]
    # P4: warehouse use → the FAR rule does not apply; 300/10 = 30 → not flagged
    assert out.at["P4", "reason_codes"] == ""
    # P5: 20/20 = 1 < 5 and 停产; lowest of four 规上 → C (quotas 1 A, 2 B, 1 C: no forced D)
    assert set(out.at["P5", "reason_codes"].split(";")) == {"LOW_TAX", "IDLE"}
    assert out.at["P5", "enterprise_classes"] == "C"
    assert out.at["P5", "tax_per_mu"] == pytest.approx(1.0)


def test_thresholds_come_from_the_profile(parcels, enterprises, tmp_path):
    text = load_profile().path
    body = Path(text).read_text(encoding="utf-8").replace("tax_per_mu_below = 5.0",
                                                          "tax_per_mu_below = 40.0")
    path = tmp_path / "district.toml"
    path.write_text(body, encoding="utf-8")
    out = flag_parcels(parcels, enterprises, load_profile(path)).set_index("parcel_id")
    assert "LOW_TAX" in out.at["P1", "reason_codes"]  # 30 < 40


def test_register_update_logs_every_change_and_saves_atomically(tmp_path):
    reg_path, audit_path = tmp_path / "register.csv", tmp_path / "audit.csv"
    reg = load_register(reg_path)
    assert reg.empty
    reg, audit = update_register(reg, [{"parcel_id": "007", "status": "待整治", "area_mu": 12.5}],
                                 who="张三", when=WHEN)
    assert list(audit["field"]) == ["(新增)", "status", "area_mu"]
    save_register(reg, reg_path, audit=audit, audit_path=audit_path)
    reg = load_register(reg_path)
    assert reg.loc[0, "parcel_id"] == "007"  # leading zeros kept
    reg, audit = update_register(reg, [{"parcel_id": "007", "status": "已腾退", "year": "2025",
                                        "area_mu": 12.5}], who="李四", when=WHEN)
    assert audit[["who", "field", "old", "new"]].values.tolist() == [
        ["李四", "status", "待整治", "已腾退"], ["李四", "year", "", "2025"]]
    save_register(reg, reg_path, audit=audit, audit_path=audit_path)
    log = pd.read_csv(audit_path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert len(log) == 5
    assert log["who"].tolist()[-1] == "李四"
    assert load_register(reg_path).loc[0, "status"] == "已腾退"


def test_failed_save_leaves_the_previous_register(tmp_path, monkeypatch):
    reg_path = tmp_path / "register.csv"
    reg, audit = update_register(load_register(reg_path),
                                 [{"parcel_id": "A", "status": "整治中", "area_mu": 3}], who="王五")
    save_register(reg, reg_path, audit=audit, audit_path=tmp_path / "audit.csv")
    before = reg_path.read_bytes()
    reg2, audit2 = update_register(reg, [{"parcel_id": "A", "status": "已盘活"}], who="王五")

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr("geo.io.atomic.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        save_register(reg2, reg_path, audit=audit2, audit_path=tmp_path / "audit.csv")
    assert reg_path.read_bytes() == before
    assert not list(tmp_path.glob(".register.csv.*"))  # no temp file left behind


@pytest.mark.parametrize(("change", "message"), [
    ({"parcel_id": "A", "status": "已完成"}, "unknown status"),
    ({"parcel_id": "A", "status": "待整治", "area_mu": 0}, "not positive"),
])
def test_bad_register_edits_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        update_register(load_register("/nonexistent.csv"), [change], who="x")
    with pytest.raises(ValueError, match="经办人"):
        update_register(load_register("/nonexistent.csv"), [change], who=" ")


def test_bad_register_file_names_the_row(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("parcel_id,status,area_mu\nA,待整治,3\nB,完成,4\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 3.*status.*Fix"):
        load_register(path)
    path.write_text("parcel_id,status,area_mu\nA,待整治,3\nA,整治中,4\n", encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate parcel"):
        load_register(path)


def test_progress_counts_only_cleared_statuses_by_year():
    reg = pd.DataFrame({"parcel_id": list("ABCDE"),
                        "status": ["已盘活", "已腾退", "已收储", "整治中", "已腾退"],
                        "area_mu": [10.0, 20.0, 5.0, 100.0, 7.0],
                        "year": ["2022", "2024", "2024", "", ""]})
    out = progress(reg).set_index("year")
    assert out.at[2022, "cleared_mu"] == 10
    assert out.at[2024, "cleared_mu"] == 25
    assert out.at[2026, "cumulative_mu"] == 35
    assert out.attrs["undated_mu"] == 7
    assert out.attrs["in_progress_mu"] == 100


def test_targets_are_the_seeds_words():
    targets = load_targets().set_index("key")
    assert targets.at["lowland_cleared_2026", "value"] == 50000
    assert targets.at["lowland_revitalised_2025", "value"] == 40000
    held = {}
    for path in FIXTURES.glob("seed*.txt"):
        seed, first, lines = read_excerpt(path.name)
        for off, text in enumerate(lines):
            held[(seed, first + off)] = text
    for key, row in targets.iterrows():
        text = held[(row["seed"], int(row["line"]))]
        assert all(part in text for part in row["quote"].split("……")), key


def test_scenario_raise_and_clear_by_hand(parcels, enterprises):
    ent = enterprises.copy()
    par = parcels.copy()
    raised = scenario(ent, par, ["P2"], Scenario("raise", tax_per_mu=10.0), level="zone")
    z1 = raised.set_index("unit").loc["Z1"]
    # today Z1: (900 + 45) / (30 + 15) = 21; raised: P2 → 10 × 15 = 150 → 1050 / 45
    assert z1["tax_per_mu_now"] == pytest.approx(21.0)
    assert z1["tax_per_mu_scenario"] == pytest.approx(1050 / 45)
    assert z1["tax_per_mu_change"] == pytest.approx((1050 / 45 - 21) / 21 * 100)
    cleared = scenario(ent, par, ["P2", "P3"], Scenario("clear"), level="zone").set_index("unit")
    # P2 and its enterprise leave: 900 / 30; land 51 → 30 亩
    assert cleared.at["Z1", "tax_per_mu_scenario"] == pytest.approx(30.0)
    assert cleared.at["Z1", "parcel_land_mu_scenario"] == pytest.approx(30.0)
    assert cleared.at["Z2", "tax_per_mu_change"] == pytest.approx(0.0)
    with pytest.raises(ValueError, match="needs a level"):
        scenario(ent, par, ["P2"], Scenario("raise"), level="zone")
    # Z2 (P4, P5) cleared entirely: no land left, -100 %, its 亩均 figures empty
    gone = scenario(ent, par, ["P4", "P5"], Scenario("clear"), level="zone").set_index("unit")
    assert gone.at["Z2", "parcel_land_mu_scenario"] == 0.0
    assert gone.at["Z2", "parcel_land_mu_change"] == pytest.approx(-100.0)
    assert pd.isna(gone.at["Z2", "tax_per_mu_scenario"])
    # nothing flagged: the scenario is today
    same = scenario(ent, par, [], Scenario("clear"), level="zone")
    assert (same["tax_per_mu_change"] == 0).all()
    assert (same["parcel_land_mu_change"] == 0).all()
    # a missing figure is not invented by "raise"
    blank = ent.assign(value_added_wan=ent["value_added_wan"].where(ent["parcel_id"] != "P2"))
    up = scenario(blank, par, ["P2"], Scenario("raise", va_per_mu=1000.0), level="zone")
    z1 = up.set_index("unit").loc["Z1"]
    assert z1["va_per_mu_scenario"] == pytest.approx(z1["va_per_mu_now"])  # only P1 reported


def test_parcels_under_construction_are_judged_only_by_status(parcels, enterprises):
    # P2 (3 万元/亩, FAR 0.6) would be LOW_TAX and LOW_FAR — but it is being built
    building = parcels.assign(status=parcels["status"].where(parcels["parcel_id"] != "P2", "在建"))
    prof = load_profile()
    assert prof.lowland.exempt_statuses == ("在建",)
    scored = evaluate(enterprise_metrics(enterprises), prof)
    out = flag_parcels(building, scored, prof).set_index("parcel_id")
    assert out.at["P2", "reason_codes"] == ""
    assert out.at["P2", "data_note"] == "在建：暂不按效益规则认定"
    assert out.at["P3", "reason_codes"] == "LOW_FAR;IDLE"  # others unchanged


def test_register_is_written_with_chinese_headers_and_read_with_either(tmp_path):
    path = tmp_path / "register.csv"
    reg, audit = update_register(load_register(path), [
        {"parcel_id": "0042", "status": "整治中", "area_mu": 8, "year": 2025.0}],
        who="张三", when=WHEN, data_label="示例数据")
    save_register(reg, path, audit=audit, audit_path=tmp_path / "audit.csv")
    header = path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "宗地编号,状态,面积（亩）,年度,备注,数据性质,经办人,更新时间"
    back = load_register(path)
    assert back.loc[0, ["parcel_id", "year", "data_label"]].tolist() == ["0042", "2025", "示例数据"]
    english = tmp_path / "english.csv"
    english.write_text("parcel_id,status,area_mu\n0042,已腾退,8\n", encoding="utf-8")
    assert load_register(english).loc[0, "status"] == "已腾退"


@pytest.mark.parametrize(("body", "field"), [
    ("宗地编号,状态,面积（亩）,年度\nA,已腾退,3,二〇二五\n", "年度"),
    ("宗地编号,状态,面积（亩）\nA,已腾退,-3\n", "面积（亩）"),
    ("宗地编号,状态,面积（亩）\nA,完成,3\n", "状态"),
    ("宗地编号,状态,面积（亩）\nA,已腾退,3\nA,整治中,3\n", "宗地编号"),
    ("宗地编号,面积（亩）\nA,3\n", "状态"),
])
def test_bad_register_file_names_row_and_field(tmp_path, body, field):
    path = tmp_path / "台账.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(str(path))) as err:
        load_register(path)
    assert "台账.csv" in str(err.value)
    assert field in str(err.value)


def test_register_year_edit_is_checked():
    with pytest.raises(ValueError, match="not a year"):
        update_register(load_register("/nonexistent.csv"),
                        [{"parcel_id": "A", "status": "已腾退", "area_mu": 1, "year": "25"}],
                        who="x")


def test_parcel_figures_split_by_land_and_count_only_reporting_enterprises():
    from geo.landuse.lowland import parcel_figures

    parcels = pd.DataFrame({"parcel_id": ["BIG", "SMALL", "SHARED"],
                            "land_area_m2": [100 * MU, 1 * MU, 20 * MU]})
    ent = pd.DataFrame({"credit_code": ["X", "E1", "E2"],
                        "parcel_id": ["BIG;SMALL", "SHARED", "SHARED"],
                        "tax_wan": [909.0, 80.0, np.nan], "value_added_wan": [np.nan] * 3})
    out = parcel_figures(parcels, ent).set_index("parcel_id")
    # X holds 100 and 1 亩: 909 × 100/101 = 900 on BIG, 9 on SMALL — 9 万元/亩 on both
    assert out.at["BIG", "tax_wan"] == pytest.approx(900.0)
    assert out.at["BIG", "tax_per_mu"] == pytest.approx(9.0)
    assert out.at["SMALL", "tax_per_mu"] == pytest.approx(9.0)
    # SHARED 20 亩: E1 holds 10 亩 and paid 80; E2 reported nothing → 80 / 10, not 80 / 20
    assert out.at["SHARED", "tax_per_mu"] == pytest.approx(8.0)
    assert out.at["SHARED", "enterprise_count"] == 2
    assert pd.isna(out.at["BIG", "va_per_mu"])  # nobody reported 增加值: empty, not 0
    flagged = flag_parcels(parcels, ent, load_profile()).set_index("parcel_id")
    assert "部分企业未填报" in flagged.at["SHARED", "data_note"]
    assert "LOW_TAX" not in flagged.at["SHARED", "reason_codes"]


def test_parcel_figures_give_a_repeated_parcel_id_its_sums_on_every_row():
    """A parcels table of two years names each parcel twice; a missing id matches no one."""
    from geo.landuse.lowland import parcel_figures

    parcels = pd.DataFrame({"parcel_id": ["P1", "P2", "P1", None],
                            "year": [2024, 2024, 2025, 2025],
                            "land_area_m2": [10 * MU, 5 * MU, 10 * MU, 3 * MU]})
    ent = pd.DataFrame({"credit_code": ["E1", "E2", "E3"],
                        "parcel_id": ["P1", "P2", None],
                        "tax_wan": [50.0, 20.0, 7.0], "value_added_wan": [np.nan] * 3,
                        "class": ["A", "C", "B"]})
    out = parcel_figures(parcels, ent)
    assert out["enterprise_count"].tolist() == [1, 1, 1, 0]
    assert out["tax_wan"].tolist()[:3] == [50.0, 20.0, 50.0]
    assert pd.isna(out["tax_wan"].iloc[3])
    assert out["tax_per_mu"].tolist()[:3] == [5.0, 4.0, 5.0]
    assert out["enterprise_classes"].tolist() == ["A", "C", "A", ""]


@pytest.mark.parametrize("ids", [[None, "P1", "P2"], ["P1", None, "P2"], ["P1", "P2", None]])
def test_a_parcel_without_an_id_shifts_no_other_parcels_sums(ids):
    from geo.landuse.lowland import parcel_figures

    parcels = pd.DataFrame({"parcel_id": ids, "land_area_m2": [10 * MU, 5 * MU, 3 * MU]})
    ent = pd.DataFrame({"credit_code": ["E1", "E2"], "parcel_id": ["P1", "P2"],
                        "tax_wan": [50.0, 20.0], "value_added_wan": [np.nan] * 2,
                        "class": ["A", "C"]})
    out = parcel_figures(parcels, ent)
    by_id = {pid: row for pid, row in zip(ids, out.to_dict("records"), strict=True)}
    assert (by_id["P1"]["tax_wan"], by_id["P1"]["enterprise_classes"]) == (50.0, "A")
    assert (by_id["P2"]["tax_wan"], by_id["P2"]["enterprise_classes"]) == (20.0, "C")
    assert by_id[None]["enterprise_count"] == 0
    assert pd.isna(by_id[None]["tax_wan"])
    assert by_id[None]["enterprise_classes"] == ""


def test_register_files_are_inert_in_spreadsheets_and_read_back_unchanged(tmp_path):
    path, audit_path = tmp_path / "register.csv", tmp_path / "audit.csv"
    note = '=HYPERLINK("http://evil","点我")'
    reg, audit = update_register(load_register(path), [
        {"parcel_id": "A", "status": "整治中", "area_mu": 3, "note": note}], who="+张三")
    save_register(reg, path, audit=audit, audit_path=audit_path)
    text = path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "'+张三" in text
    assert "'=HYPERLINK" in audit_path.read_text(encoding="utf-8-sig")
    back = load_register(path)
    assert back.loc[0, "note"] == note
    assert back.loc[0, "updated_by"] == "+张三"


def test_a_new_register_line_needs_status_and_area():
    with pytest.raises(ValueError, match="needs a status and an area"):
        update_register(load_register("/nonexistent.csv"), [{"parcel_id": "N", "note": "x"}],
                        who="x")


def test_progress_reports_lines_dated_after_the_target_year():
    reg = pd.DataFrame({"parcel_id": ["A", "B", "C", "D"], "status": ["已腾退"] * 3 + ["整治中"],
                        "area_mu": [10.0, 20.0, 5.0, 7.0], "year": ["2019", "2030", "", "2024"]})
    prog = progress(reg)
    assert prog["cumulative_mu"].iloc[-1] == pytest.approx(10.0)  # 2019 counts as before 2021
    assert prog.attrs["later_mu"] == pytest.approx(20.0)
    assert prog.attrs["undated_mu"] == pytest.approx(5.0)
    assert prog.attrs["in_progress_mu"] == pytest.approx(7.0)


def test_parcel_whose_enterprises_reported_no_tax_says_so():
    parcels = pd.DataFrame({"parcel_id": ["P1"], "land_area_m2": [10 * MU], "status": ["正常"]})
    ent = pd.DataFrame({"credit_code": ["E"], "parcel_id": ["P1"], "tax_wan": [np.nan],
                        "value_added_wan": [np.nan]})
    out = flag_parcels(parcels, ent, load_profile()).set_index("parcel_id")
    assert out.at["P1", "data_note"] == "企业均未填报税收：未按亩均税收认定"
    assert out.at["P1", "reason_codes"] == ""


def test_register_notes_starting_with_an_apostrophe_survive(tmp_path):
    path = tmp_path / "r.csv"
    notes = ["'-3亩待核", "'90年代厂房", "=1+1"]
    reg, audit = update_register(load_register(path), [
        {"parcel_id": str(i), "status": "整治中", "area_mu": 1, "note": n}
        for i, n in enumerate(notes)], who="x")
    save_register(reg, path, audit=audit, audit_path=tmp_path / "a.csv")
    assert load_register(path)["note"].tolist() == notes


def _building_profile(years: int = 2):
    from dataclasses import replace

    prof = load_profile()
    return replace(prof, exemptions=replace(prof.exemptions, construction_within_years=years))


def test_parcels_in_their_construction_years_are_judged_only_by_status(parcels, enterprises):
    # P2 (LOW_TAX, LOW_FAR) supplied 2024, P3 (LOW_FAR, IDLE) 2025, P5 (LOW_TAX, IDLE) 2023
    supplied = parcels.assign(supply_year=[2010, 2024, 2025, 2015, 2023])
    prof = _building_profile(2)
    scored = evaluate(enterprise_metrics(enterprises), prof)
    out = flag_parcels(supplied, scored, prof, year=2025).set_index("parcel_id")
    assert out.at["P2", "reason_codes"] == ""  # 2025 − 2024 = 1 < 2: 建设期
    assert not out.at["P2", "low_efficiency"]
    assert out.at["P2", "data_note"] == "供地后 2 年内（建设期，供地年份 2024）：暂不按效益规则认定"
    assert out.at["P3", "reason_codes"] == "IDLE"  # idle land is idle, 建设期 or not
    assert "供地年份 2025" in out.at["P3", "data_note"]
    assert set(out.at["P5", "reason_codes"].split(";")) == {"LOW_TAX", "IDLE"}  # 2 years: over
    assert "建设期" not in out.at["P5", "data_note"]


def test_construction_years_need_the_rule_the_data_year_and_a_supply_year(parcels, enterprises):
    supplied = parcels.assign(supply_year=[2010, 2024, 2025, 2015, None])
    prof = _building_profile(2)
    scored = evaluate(enterprise_metrics(enterprises), prof)
    for out in (flag_parcels(supplied, scored, prof),  # no data year: rule not applied
                flag_parcels(supplied, scored, load_profile(), year=2025),  # rule not set
                flag_parcels(supplied, scored, prof, year=2023),  # supplied after the data year
                flag_parcels(parcels, scored, prof, year=2025)):  # no 供地年份
        out = out.set_index("parcel_id")
        assert out.at["P2", "reason_codes"].split(";")[:2] == ["LOW_TAX", "LOW_FAR"]
        assert out.at["P3", "reason_codes"] == "LOW_FAR;IDLE"
        assert not out["data_note"].str.contains("建设期").any()
    out = flag_parcels(supplied, scored, prof, year=2025).set_index("parcel_id")
    assert set(out.at["P5", "reason_codes"].split(";")) == {"LOW_TAX", "IDLE"}  # year unknown


def test_rules_sentence_names_the_construction_exemption():
    from geo.landuse.lowland import describe_rules

    rules = load_profile().lowland
    assert "建设期" not in describe_rules(rules)
    assert "供地后 2 年内（建设期）的宗地暂不按效益规则认定" in describe_rules(
        rules, construction_within_years=2)


def test_construction_period_is_described_only_where_it_can_apply(tmp_path):
    from geo.landuse.lowland import construction_years

    path = tmp_path / "p.toml"
    base = (Path(__file__).resolve().parents[2] / "data" / "profiles" / "default.toml"
            ).read_text(encoding="utf-8")
    path.write_text(base + "\n[exemptions]\nconstruction_within_years = 2\n", encoding="utf-8")
    prof = load_profile(path)
    dated = pd.DataFrame({"parcel_id": ["P1", "P2"], "supply_year": [2024, None]})
    assert construction_years(prof, dated, 2025) == 2
    assert construction_years(prof, dated, None) is None  # no data year: not applied
    assert construction_years(prof, dated.assign(supply_year=None), 2025) is None
    assert construction_years(prof, dated.drop(columns="supply_year"), 2025) is None
    assert construction_years(load_profile(), dated, 2025) is None  # the profile sets none


@pytest.mark.parametrize("extra", [0, 70])  # 70 more classes: past a 64-bit mask
def test_class_lists_join_each_parcels_distinct_classes_in_order(extra):
    import numpy as np

    from geo.landuse.lowland import _class_lists

    many = [f"X{i:02d}" for i in range(extra)]
    link_pid = pd.Series(["P1", "P1", "P1", "P2", "P2", "P3", *(["P4"] * extra)])
    link_cls = np.array(["D", "A", "D", None, np.nan, "C", *many], dtype=object)
    pid = pd.Series(["P3", "P1", "P2", "P9", "P4"], index=[10, 11, 12, 13, 14])
    at = pd.Index(pid).get_indexer(link_pid)  # each link's parcel by its position
    got = _class_lists(pid.index, np.arange(len(pid)), len(pid), at, link_cls)
    assert got.to_dict() == {10: "C", 11: "A、D", 12: "", 13: "", 14: "、".join(many)}
    assert got.dtype == object
