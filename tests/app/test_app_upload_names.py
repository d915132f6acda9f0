"""数据导入: uploads are stored under safe names, shown under their own, as plain text.

A ~100-character Chinese file name is too long for the file system (255 bytes); a name like
``[点击核验](http:evil.example)**企业**.geojson`` would render as a link in st.* Markdown.
"""

from __future__ import annotations

import csv
import io

import geopandas as gpd
import pytest
from shapely.geometry import box

from app_pages.analysis_state import UPLOADED
from app_pages.import_choices import md_text
from tests.support.apptest import download, open_page

pytestmark = pytest.mark.usefixtures("work")

LONG = "宁波市北仑区小港街道工业用地宗地调查成果" * 5 + ".geojson"  # 100 characters + suffix
LINK = "[点击核验](http:evil.example)**企业**.geojson"


def _parcels(catalog, tmp_path, extra: dict | None = None) -> bytes:
    centre = catalog["subzone"].set_index("id").to_crs(4549).loc["Z01-01"].geometry
    p = centre.representative_point()
    side = (10 * 10000 / 15) ** 0.5
    frame = gpd.GeoDataFrame({"宗地编号": ["P1"], "税收（万元）": [50], **(extra or {})},
                             geometry=[box(p.x, p.y, p.x + side, p.y + side)], crs=4549)
    path = tmp_path / "p.geojson"
    frame.to_crs(4326).to_file(path, driver="GeoJSON")
    return path.read_bytes()


def _import(name: str, data: bytes):
    at = open_page("app_pages/data_import.py")
    at.file_uploader(key="up_parcels").set_value((name, data, "application/geo+json"))
    at.run()
    assert not at.exception, at.exception
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    return at


def _texts(at) -> list[str]:
    """Every Markdown text the page shows (alerts, captions, markdown, tab and widget labels)."""
    found = [e.value for kind in ("info", "warning", "error", "success", "caption", "markdown")
             for e in getattr(at, kind)]
    found += [t.label for t in at.tabs] + [w.label for w in at.selectbox]
    return [str(v) for v in found]


def test_a_long_chinese_file_name_imports_and_is_shown(catalog, tmp_path):
    assert len(LONG.encode("utf-8")) > 255
    at = _import(LONG, _parcels(catalog, tmp_path))
    analysis = at.session_state[UPLOADED]
    assert LONG in analysis.data_label
    assert "upload_" not in analysis.data_label
    assert any(LONG in t for t in _texts(at))
    files = at.session_state["up_report"]["文件"].astype(str)
    assert "upload_" not in "".join(files)


def test_a_markdown_file_name_is_plain_text_everywhere(catalog, tmp_path):
    at = _import(LINK, _parcels(catalog, tmp_path))
    assert LINK in at.session_state[UPLOADED].data_label  # the data keep the own name
    texts = _texts(at)
    assert any(md_text(LINK) in t for t in texts)
    for text in texts:
        assert "](http" not in text, text
        assert "**企业**" not in text, text
    at.switch_page("app_pages/efficiency.py").run()  # data_banner on the 亩均 pages
    assert not at.exception, at.exception
    banner = [i.value for i in at.info if "点击核验" in i.value]
    assert banner
    assert all("](http" not in b for b in banner)


def test_the_report_download_has_no_formula_line(catalog, tmp_path):
    at = _import("宗地.geojson", _parcels(catalog, tmp_path, {"1\r=1+1": ["x"]}))
    data = download(at.download_button(key="up_report_dl"))
    text = data.decode("utf-8-sig")
    assert "=1+1" in text  # the header is named in the report
    for line in text.splitlines():
        assert not line.lstrip().startswith(("=", "+", "-", "@")), repr(line)
    for row in csv.reader(io.StringIO(text, newline="")):
        assert not any(c.lstrip().startswith(("=", "+", "-", "@")) for c in row), row
