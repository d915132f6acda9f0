"""导出地图: the map page's filtered selection as a printable PNG / PDF (no browser)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from geo.reports.mapfig import selection_map
from geo.zones.selection import Filters, select


def test_selection_map_png_and_pdf_with_title_notice_and_legend(catalog):
    selection = select(catalog, Filters(name="梅山"))
    assert len(selection["subzone"]) >= 1
    png = selection_map(selection, catalog["district"], title="宁波市工业空间布局",
                        subtitle="名称包含：梅山", notice="示意范围，非官方边界。", fmt="png",
                        dpi=60)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = selection_map(selection, catalog["district"], title="宁波市工业空间布局",
                        subtitle="名称包含：梅山", notice="示意范围，非官方边界。", fmt="pdf")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ("宁波市工业空间布局", "名称包含：梅山", "示意范围", "制图日期", "北", "公里"):
        assert expected in text, expected
