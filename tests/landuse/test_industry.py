"""GB/T 4754—2017 industry codes: parsing, grouping by 大类/门类, the bundled table (issue 15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.labels import INDUSTRY_TEXTS
from geo.landuse import industry
from geo.landuse.industry import (
    CLASSIFICATION_FILE,
    INDUSTRY_LEVELS,
    SOURCE,
    industry_groups,
    is_public_utility,
    load_classification,
    parse_industry_code,
)

ELECTRONICS = "计算机、通信和其他电子设备制造业"
#: The 门类 and their 大类 ranges, typed from the standard's 门类 table.
RANGES = {"A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50),
          "F": (51, 52), "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69),
          "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79), "O": (80, 82),
          "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97)}


@pytest.mark.parametrize(("text", "code"), [
    ("C3911", "C3911"),
    ("c 3911", "C3911"),
    ("3911", "C3911"),
    ("391", "C391"),
    ("39", "C39"),
    ("C39", "C39"),
    ("C", "C"),
    ("Ｃ３９１１", "C3911"),  # full-width letter and digits
    ("ｃ３９", "C39"),
    ("3911 计算机整机制造", "C3911"),
    (f"C39-{ELECTRONICS}", "C39"),
    (f"C39（{ELECTRONICS}）", "C39"),
    ("  3670 ", "C3670"),
    ("4411", "D4411"),
    ("0111", "A0111"),  # a leading zero kept as text
    ("T97", "T97"),
    (3911, "C3911"),  # a spreadsheet number
    (3911.0, "C3911"),
])
def test_each_spelling_of_a_code_is_read(text, code):
    assert parse_industry_code(text) == (code, "")


@pytest.mark.parametrize("blank", [None, np.nan, pd.NA, "", "   ", "\u3000"])
def test_a_missing_code_is_no_code_and_no_problem(blank):
    assert parse_industry_code(blank) == (None, "")


def test_a_letter_that_contradicts_its_division_is_refused():
    assert parse_industry_code("D3911") == (
        None, "行业代码 D3911 的门类字母与大类 39 不符（39 属 C 制造业）")
    assert parse_industry_code("S97") == (
        None, "行业代码 S97 的门类字母与大类 97 不符（97 属 T 国际组织）")


@pytest.mark.parametrize(("text", "division"), [("9911", "99"), ("C00", "00"), ("98", "98")])
def test_an_unknown_division_is_refused_naming_the_code(text, division):
    code, problem = parse_industry_code(text)
    assert code is None
    assert text in problem
    assert f"大类 {division} 不在 GB/T 4754—2017 中" in problem
    assert "01–97" in problem
    assert "请核对" in problem


@pytest.mark.parametrize(("text", "shown"), [
    ("U", "U"), ("3", "3"), ("39111", "39111"), ("C-39", "“C-39”"), ("CA", "“CA”"),
    ("计算机", "“计算机”"), ("3911.5", "“3911.5”"),
])
def test_text_that_is_not_a_code_is_refused_naming_it(text, shown):
    code, problem = parse_industry_code(text)
    assert code is None
    assert shown in problem
    assert "请" in problem or "应为" in problem


def test_groups_at_division_level():
    codes = pd.Series(["C3911", "3670", "c 26", "D3911", "C", "4411", None],
                      index=[10, 11, 12, 13, 14, 15, 16])
    out = industry_groups(codes)
    assert list(out.columns) == ["industry_group", "industry_group_name", "industry_problem"]
    assert list(out.index) == [10, 11, 12, 13, 14, 15, 16]
    assert out["industry_group"].tolist() == ["C39", "C36", "C26", None, None, "D44", None]
    assert out["industry_group_name"].tolist() == [
        ELECTRONICS, "汽车制造业", "化学原料和化学制品制造业", None, None,
        "电力、热力生产和供应业", None]
    assert out.loc[13, "industry_problem"] == parse_industry_code("D3911")[1]
    assert out.loc[14, "industry_problem"] == (
        "行业代码 C 只到门类（制造业），无法归入大类：请填写大类代码（如 C39）")
    assert out.loc[[10, 11, 12, 15, 16], "industry_problem"].tolist() == [""] * 5


def test_groups_at_section_level():
    codes = pd.Series(["C3911", "C", "4411", "4520", "D3911", "70", None])
    out = industry_groups(codes, level="门类")
    assert out["industry_group"].tolist() == ["C", "C", "D", "D", None, "K", None]
    assert out["industry_group_name"].tolist() == [
        "制造业", "制造业", "电力、热力、燃气及水生产和供应业", "电力、热力、燃气及水生产和供应业",
        None, "房地产业", None]
    assert out["industry_problem"].iloc[4].startswith("行业代码 D3911 的门类字母")


def test_an_exact_name_gives_the_group_when_the_code_is_missing():
    codes = pd.Series([None, "", np.nan, None, None, "C36", None, None])
    names = pd.Series([ELECTRONICS, " 汽车 制造业 ", "制造业", "计算机", "（汽车制造业）",
                       "电力、热力生产和供应业", "房地产业", None])
    out = industry_groups(codes, names)
    assert out["industry_group"].tolist() == [
        "C39", "C36", None, None, None, "C36", "K70", None]
    assert out["industry_group_name"].tolist()[:2] == [ELECTRONICS, "汽车制造业"]
    # a 门类 name names no 大类; partial text and decorated names are not guessed at
    assert "只到门类" in out.loc[2, "industry_problem"]
    assert "“计算机”不是 GB/T 4754—2017 的门类或大类名称" in out.loc[3, "industry_problem"]
    assert out.loc[4, "industry_group"] is None
    assert out.loc[4, "industry_problem"]
    # a code wins over the name beside it; nothing at all is no group and no problem
    assert out.loc[5, "industry_group_name"] == "汽车制造业"
    assert out.loc[7, "industry_problem"] == ""
    sections = industry_groups(codes, names, level="门类")
    assert sections["industry_group"].tolist() == ["C", "C", "C", None, None, "C", "K", None]


def test_a_code_cell_holding_an_exact_name_is_read_as_that_name():
    out = industry_groups(pd.Series([ELECTRONICS, "电子信息"]))
    assert out["industry_group"].tolist() == ["C39", None]
    assert "“电子信息”无法识别" in out.loc[1, "industry_problem"]


def test_full_width_brackets_and_spaces_are_one_form_in_names(monkeypatch):
    # no 大类 name has brackets; check the normalisation with a name that has them
    monkeypatch.setattr(industry, "_lookups", lambda: (
        {"C": "制造业"}, {"39": ("C", "甲（乙）")}, {industry._name_key("甲（乙）"): "C39"}))
    out = industry_groups(pd.Series([None, None]), pd.Series(["甲(乙)", " 甲 （乙） "]))
    assert out["industry_group"].tolist() == ["C39", "C39"]


def test_vectorised_groups_equal_the_element_wise_parse():
    cells = ["C3911", "3911", np.nan, "D3911", "9911", "c 39", 3670, 4411.0, None, "x",
             "２６", "C39-计算机", "3", "C3911", np.nan]
    codes = pd.Series(cells * 3, dtype=object)
    out = industry_groups(codes)
    expected = [parse_industry_code(v) for v in codes]
    assert out["industry_group"].tolist() == [c[:3] if c else None for c, _ in expected]
    assert out["industry_problem"].tolist() == [p for _, p in expected]
    names = load_classification().set_index("code")["name"]
    assert out["industry_group_name"].tolist() == [
        names[c[1:3]] if c else None for c, _ in expected]


def test_each_distinct_value_is_parsed_once(monkeypatch):
    calls = []
    real = industry.parse_industry_code

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(industry, "parse_industry_code", counting)
    codes = pd.Series(["C3911", "3670", None, "D3911"] * 5000)
    industry_groups(codes)
    assert len(calls) == 4  # three distinct codes and one read of "missing"


def test_wrong_level_or_misaligned_names_fail_naming_the_fix():
    codes = pd.Series(["C39"])
    with pytest.raises(ValueError, match="Fix: use one of 门类, 大类"):
        industry_groups(codes, level="中类")
    with pytest.raises(ValueError, match="Fix: pass the two columns"):
        industry_groups(codes, pd.Series(["汽车制造业"], index=[5]))


def test_the_table_has_every_section_and_division():
    table = load_classification()
    assert CLASSIFICATION_FILE.read_text(encoding="utf-8").splitlines()[0] == (
        "code,level,name,section")
    assert INDUSTRY_LEVELS == ("门类", "大类")
    assert set(table["level"]) == set(INDUSTRY_LEVELS)
    sections = table[table["level"] == "门类"]
    divisions = table[table["level"] == "大类"]
    assert sections["code"].tolist() == list("ABCDEFGHIJKLMNOPQRST")
    assert (sections["section"] == sections["code"]).all()
    assert divisions["code"].tolist() == [f"{n:02d}" for n in range(1, 98)]
    manufacturing = divisions[divisions["section"] == "C"]["code"].tolist()
    assert manufacturing == [str(n) for n in range(13, 44)]
    assert len(manufacturing) == 31
    assert not table["name"].str.contains(r"\s").any()
    assert not table.duplicated(["code"]).any()


def test_every_division_lies_in_its_sections_range():
    divisions = load_classification().query("level == '大类'")
    for code, section in zip(divisions["code"], divisions["section"], strict=True):
        low, high = RANGES[section]
        assert low <= int(code) <= high, (code, section)
    counts = divisions["section"].value_counts()
    assert {s: int(counts[s]) for s in RANGES} == {s: b - a + 1 for s, (a, b) in RANGES.items()}


@pytest.mark.parametrize(("code", "name"), [
    ("C", "制造业"), ("D", "电力、热力、燃气及水生产和供应业"),
    ("S", "公共管理、社会保障和社会组织"), ("T", "国际组织"), ("13", "农副食品加工业"),
    ("26", "化学原料和化学制品制造业"), ("36", "汽车制造业"),
    ("37", "铁路、船舶、航空航天和其他运输设备制造业"), ("39", ELECTRONICS),
    ("43", "金属制品、机械和设备修理业"), ("44", "电力、热力生产和供应业"),
    ("45", "燃气生产和供应业"),
    ("46", "水的生产和供应业"), ("79", "土地管理业"), ("91", "中国共产党机关"),
    ("96", "基层群众自治组织及其他组织"), ("97", "国际组织"),
])
def test_names_are_the_standards(code, name):
    names = load_classification().set_index("code")["name"]
    assert names[code] == name


def test_the_loaded_table_is_a_copy():
    first = load_classification()
    first.loc[0, "name"] = "改过"
    assert load_classification().loc[0, "name"] == "农、林、牧、渔业"


def test_the_source_is_stated():
    assert SOURCE == "GB/T 4754—2017《国民经济行业分类》（含 2019 年第 1 号修改单）"
    assert SOURCE in (industry.__doc__ or "")


def test_public_utilities_are_section_d():
    groups = pd.Series(["D44", "D45", "D46", "D", "C39", "E48", None, np.nan, "4411", "x"],
                       index=list("abcdefghij"))
    out = is_public_utility(groups)
    assert out.dtype == bool
    assert list(out.index) == list("abcdefghij")
    assert out.tolist() == [True, True, True, True, False, False, False, False, True, False]
    grouped = industry_groups(pd.Series(["4430", "C3911", "4610"]))["industry_group"]
    assert is_public_utility(grouped).tolist() == [True, False, True]


def test_the_ui_texts_are_in_geo_labels():
    assert INDUSTRY_TEXTS["unknown"] == "行业未识别"
    assert INDUSTRY_TEXTS["group"] == "行业（GB/T 4754 大类）"
    assert INDUSTRY_TEXTS["group_section"] == "行业门类"
