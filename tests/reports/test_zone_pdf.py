"""The one-page zone summaries as PDF: one A4 page each, CJK text, the map, no English notice."""

from __future__ import annotations

import re

import pytest

from geo.labels import COLUMNS, REPORT_TEXTS
from geo.reports import zone_summary_pdf, zones_pdf
from geo.reports.zone_pdf import zone_summary_html
from tests.reports._pdf import assert_clean, outline_pages, outline_titles, reader


@pytest.fixture(scope="module")
def batch(catalog):
    """All 20 zones in one PDF (each page is laid out, and refused if over one page)."""
    return reader(zones_pdf(catalog))


def test_the_bundled_catalogue_has_20_zones(catalog):
    assert len(catalog["zone"]) == 20


def test_every_zone_summary_is_one_page_with_its_map(batch, catalog):
    zones = catalog["zone"]
    pages = outline_pages(batch)
    assert len(batch.pages) == 1 + len(zones)  # contents + exactly one page per zone
    for i, row in enumerate(zones.itertuples()):
        assert pages[row.name] == 1 + i, row.id  # each zone on its own single page
        page = batch.pages[1 + i]
        text = page.extract_text()
        assert row.name in text.replace("\n", "")
        assert "示意" in text
        assert_clean(text)
        assert len(page.images) >= 1, f"{row.id}: no map image"
        assert REPORT_TEXTS["page"].format(n=2 + i) in text


def test_areas_are_printed_with_thousands_separators_and_fixed_decimals(batch, catalog):
    for i, row in enumerate(catalog["zone"].itertuples()):
        text = batch.pages[1 + i].extract_text()
        assert f"{row.area_mu:,.0f}" in text, row.id
        assert f"{row.area_km2:,.2f}" in text, row.id
        assert "," in f"{row.area_mu:,.0f}"  # every zone is over 1,000 亩
        assert not re.search(r"\d{5}\.0\b", text), row.id  # never 27265.0


def test_industries_are_cited_by_document_title_and_line(batch):
    text = batch.pages[7].extract_text()  # Z07
    assert "《宁波市推动制造业高质量发展“十四五”规划》第 307 行" in text
    assert ".txt:" not in text


def test_the_batch_has_a_contents_page_and_an_outline(batch, catalog):
    contents = batch.pages[0].extract_text()
    assert REPORT_TEXTS["contents"] in contents
    for name in catalog["zone"]["name"]:
        assert name in contents.replace("\n", "")
    titles = outline_titles(batch)
    assert set(catalog["zone"]["name"]) <= set(titles)
    assert REPORT_TEXTS["zones_doc"] in titles


def test_a_zone_with_an_analysis_shows_its_figures_labelled_sample(catalog, sample_analysis):
    r = reader(zone_summary_pdf("Z07", catalog, analysis=sample_analysis))
    assert len(r.pages) == 1
    text = r.pages[0].extract_text()
    assert "示例数据" in text
    assert COLUMNS["tax_per_mu"].split("（")[0] in text
    assert COLUMNS["enterprise_count"] in text
    assert_clean(text)


def test_unknown_zone_is_refused(catalog):
    with pytest.raises(ValueError, match="Z99"):
        zone_summary_pdf("Z99", catalog)


def test_hostile_names_are_escaped(catalog):
    hostile = "<script>alert(1)</script>{{7*7}}"
    zones = catalog["zone"].copy()
    zones.loc[zones["id"] == "Z07", "name"] = hostile
    zones.loc[zones["id"] == "Z07", "belt"] = "<b>粗</b>"
    subs = catalog["subzone"].copy()
    subs.loc[subs["id"] == "Z07-01", "name"] = "<img src=x onerror=alert(1)>"
    bad = {**catalog, "zone": zones, "subzone": subs}
    page = zone_summary_html("Z07", bad, map_png=b"\x89PNG\r\n\x1a\n")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<b>粗</b>" not in page
    assert "<img src=x" not in page
    assert "{{7*7}}" in page  # printed as written, never evaluated
