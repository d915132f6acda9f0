"""The header table of 数据导入 and the overrides it yields (geo.landuse.choices, issue 10)."""

from __future__ import annotations

from geo.labels import CHOICE_COLUMNS, NOT_IMPORTED
from geo.landuse.choices import choice_table, field_options, option_label, overrides_from
from geo.landuse.pipeline import ImportChoices, choice_text

FIELD, UNIT, NOTE = (CHOICE_COLUMNS[k] for k in ("field", "unit", "note"))


def test_option_labels_drop_units_but_keep_other_brackets():
    assert option_label("税收（万元）") == "税收"
    assert option_label("乡镇（街道）") == "乡镇（街道）"


def test_a_unitless_area_is_shown_as_decided_on_import_not_as_square_metres():
    table = choice_table(["宗地编号", "用地面积", "奇怪列"], "parcel")
    assert table[FIELD].tolist() == ["宗地编号", "用地面积", NOT_IMPORTED]
    assert table.at[1, UNIT] == ""  # not "平方米": the import decides it against the polygons
    assert "图形面积比对" in table.at[1, NOTE]
    assert table.at[2, NOTE] == "表头未识别"


def test_a_parcel_table_with_figures_offers_the_figure_fields():
    assert "税收" not in field_options("parcel")
    assert "税收" in field_options("parcel", with_figures=True)
    table = choice_table(["宗地编号", "税收"], "parcel", with_figures=True)
    assert table[FIELD].tolist() == ["宗地编号", "税收"]


def test_only_changed_rows_become_overrides_routed_to_the_import_that_reads_them():
    before = choice_table(["宗地编号", "用地面积", "缴款", "用地性质"], "parcel",
                          with_figures=True)
    after = before.copy()
    assert overrides_from(before, after, "parcel", with_figures=True) == {
        "parcel": {}, "enterprise": {}}
    after.loc[1, UNIT] = "亩"
    after.loc[2, [FIELD, UNIT]] = ["税收", "元"]
    after.loc[3, FIELD] = NOT_IMPORTED
    got = overrides_from(before, after, "parcel", with_figures=True)
    assert got["parcel"] == {"用地面积": "land_area_m2:亩", "用地性质": ""}
    assert got["enterprise"] == {"缴款": "tax_wan:元", "用地性质": ""}


def test_a_field_moved_to_the_other_kind_is_left_out_of_the_first():
    before = choice_table(["用地性质"], "parcel", with_figures=True)
    after = before.copy()
    after.loc[0, FIELD] = "行业"
    got = overrides_from(before, after, "parcel", with_figures=True)
    assert got == {"parcel": {"用地性质": ""}, "enterprise": {"用地性质": "industry"}}


def test_choices_are_said_in_the_officials_words():
    assert choice_text("parcel", "land_area_m2:亩") == "用地面积（单位：亩）"
    assert choice_text("enterprise", "") == "不导入"
    said = ImportChoices({"面积": "land_area_m2:亩"}, {"缴款": "tax_wan"},
                         ("area_mismatch",)).describe()
    assert "面积 → 用地面积（单位：亩）" in said
    assert "缴款 → 税收" in said
    assert "land_area_m2" not in said
    assert "area_mismatch" not in said
