"""The enterprise 体检表: indicators against benchmarks and district average, class, parcels."""

from __future__ import annotations

import dataclasses

import pytest

from geo._errors import ExportError
from geo.labels import CHECKUP_COLUMNS, REPORT_TEXTS
from geo.reports import checkup_pdf, checkups_pdf, select_enterprises
from geo.reports._format import number
from geo.reports.checkup_pdf import checkup_html, district_means
from tests.reports._pdf import assert_clean, outline_pages, reader

_DISTRICT = "江北区"  # the district with the fewest D-class sample enterprises


@pytest.fixture(scope="module")
def d_class(sample_analysis):
    chosen = select_enterprises(sample_analysis, cls="D", district=_DISTRICT)
    assert 0 < len(chosen) < 15
    return chosen


@pytest.fixture(scope="module")
def sheet(d_class, sample_analysis, catalog):
    row = d_class.iloc[0]
    return row, reader(checkup_pdf(str(row["credit_code"]), sample_analysis, catalog))


def test_a_sheet_has_name_class_score_benchmarks_and_the_parcel_map(sheet):
    row, r = sheet
    assert len(r.pages) == 1
    text = r.pages[0].extract_text()
    flat = text.replace("\n", "")
    assert row["name"] in flat
    assert "D" in text
    assert number(row["score"], 2) in text
    assert CHECKUP_COLUMNS["benchmark"] in text
    assert number(row["benchmark_tax_per_mu"], 2) in text
    assert "示例数据" in text
    assert len(r.pages[0].images) >= 1
    assert_clean(text)


def test_a_sheet_states_the_district_average_as_ratio_of_sums(sheet, sample_analysis):
    row, r = sheet
    ent = sample_analysis.enterprises
    same = ent[(ent["district"] == row["district"]) & (ent["track"] == row["track"])]
    both = same["tax_wan"].notna() & (same["land_mu"] > 0)
    expected = same.loc[both, "tax_wan"].sum() / same.loc[both, "land_mu"].sum()
    means = district_means(sample_analysis)
    assert means[(row["district"], row["track"])]["tax_per_mu"] == pytest.approx(expected)
    assert number(expected, 2) in r.pages[0].extract_text()


def test_a_sheet_lists_the_low_efficiency_reasons_of_its_parcels(sheet, sample_analysis):
    row, r = sheet
    par = sample_analysis.parcels
    own = par[par["parcel_id"].astype(str) == str(row["parcel_id"])]
    text = r.pages[0].extract_text().replace("\n", "")
    if own["low_efficiency"].any():
        first = str(own["reasons"].iloc[0]).split("；")[0]
        assert first in text
    else:
        assert REPORT_TEXTS["lowland_none"] in text


def test_the_d_class_batch_of_a_district_has_one_section_per_enterprise(
        d_class, sample_analysis, catalog):
    r = reader(checkups_pdf(sample_analysis, catalog, cls="D", district=_DISTRICT))
    pages = outline_pages(r)
    contents = r.pages[0].extract_text().replace("\n", "")
    assert REPORT_TEXTS["contents"] in contents
    starts = []
    for name in d_class["name"]:
        assert name in contents
        assert name in pages
        starts.append(pages[name])
    assert starts == sorted(starts)
    assert len(set(starts)) == len(d_class)
    assert len(r.pages) >= 1 + len(d_class)
    for name, start in zip(d_class["name"], starts, strict=True):
        assert name in r.pages[start].extract_text().replace("\n", "")


def test_hostile_names_are_escaped(d_class, sample_analysis, catalog):
    ent = sample_analysis.enterprises.copy()
    code = str(d_class.iloc[0]["credit_code"])
    ent.loc[ent["credit_code"] == code, "name"] = "<script>alert(1)</script>{{7*7}}"
    ent.loc[ent["credit_code"] == code, "industry"] = "<b>x</b>"
    bad = dataclasses.replace(sample_analysis, enterprises=ent)
    page = checkup_html(code, bad, catalog, with_map=False)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<b>x</b>" not in page
    assert "{{7*7}}" in page


def test_unknown_enterprise_and_empty_selection_are_refused_in_chinese(sample_analysis, catalog):
    with pytest.raises(ExportError) as err:
        checkup_pdf("NOPE", sample_analysis, catalog)
    assert "统一社会信用代码" in err.value.describe("zh")
    with pytest.raises(ExportError) as err:
        checkups_pdf(sample_analysis, catalog, cls="D", district="不存在区")
    assert "不存在区" in err.value.describe("zh")


def test_a_sheet_carries_the_policies_of_its_class_and_the_history_given(d_class, sample_analysis,
                                                                        catalog):
    from geo.labels import CHECKUP_SCHEME_TEXTS
    from geo.landuse.years import enterprise_history

    row = d_class.iloc[0]
    code = str(row["credit_code"])
    page = checkup_html(code, sample_analysis, catalog, with_map=False)
    assert CHECKUP_SCHEME_TEXTS["policies"].format(cls="D") in page
    for item in sample_analysis.profile.policies["D"]:
        assert item.describe() in page  # the profile's items, not a fixed text
    assert "第 55 行" in page  # sources named by document title and line, never "seed …"
    assert ".txt:" not in page
    assert CHECKUP_SCHEME_TEXTS["history"] not in page  # no history asked for
    year = int(sample_analysis.year)
    later = dataclasses.replace(sample_analysis, year=year + 1)
    history = enterprise_history({year: sample_analysis, year + 1: later},
                                 str(row["enterprise_key"]))
    page = checkup_html(code, sample_analysis, catalog, with_map=False, history=history)
    assert CHECKUP_SCHEME_TEXTS["history"] in page
    assert page.count(f"<td>{year}</td>") == 1
    assert page.count(f"<td>{year + 1}</td>") == 1
