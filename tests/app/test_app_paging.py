"""Pages that answer at city scale (issue 16): long tables send one page of rows with a caption
saying which, the downloads hold every row and are built only on the click, never on a rerun."""

from __future__ import annotations

import io

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

import app_pages.downloads
import geo.export
from geo.labels import MAP_LAYERS, PAGING_TEXTS, column_label
from tests.support.apptest import download, open_page


def _page_app():
    import pandas as pd

    from app_pages.paging import page_of

    frame = pd.DataFrame({"n": range(2_500)})
    import streamlit as st

    st.dataframe(page_of(frame, "pg", size=1_000))


def test_a_long_table_shows_one_page_and_says_which_rows():
    at = AppTest.from_function(_page_app).run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value["n"].tolist() == list(range(1_000))
    assert PAGING_TEXTS["caption"].format(first=1, last=1_000, total=2_500) in [
        c.value for c in at.caption]
    at.number_input(key="pg").set_value(3).run()
    assert at.dataframe[0].value["n"].tolist() == list(range(2_000, 2_500))
    assert PAGING_TEXTS["caption"].format(first=2_001, last=2_500, total=2_500) in [
        c.value for c in at.caption]


def _short_app():
    import pandas as pd
    import streamlit as st

    from app_pages.paging import page_of

    st.dataframe(page_of(pd.DataFrame({"n": range(10)}), "pg", size=1_000))


def test_a_short_table_has_no_page_selector():
    at = AppTest.from_function(_short_app).run()
    assert len(at.dataframe[0].value) == 10
    assert not at.number_input
    assert not at.caption


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """Formats of every file built by the export writer (pages and the shared download cache)."""
    made: list[str] = []
    real = geo.export.export_bytes

    def counting(frame, fmt, *args, **kwargs):
        made.append(fmt)
        return real(frame, fmt, *args, **kwargs)

    monkeypatch.setattr(geo.export, "export_bytes", counting)
    monkeypatch.setattr(app_pages.downloads, "export_bytes", counting)
    app_pages.downloads.table_file.clear()
    return made


@pytest.mark.usefixtures("work")
def test_lowland_list_is_paged_and_its_download_built_on_the_click(monkeypatch, builds):
    monkeypatch.setattr("app_pages.paging.PAGE_SIZE", 50)
    at = open_page("app_pages/lowland.py")
    at.run()  # a rerun
    assert builds == []  # nothing built before the click
    flagged = int(next(m.value for m in at.metric if m.label == MAP_LAYERS["lowland"]
                       ).split()[0].replace(",", ""))
    assert flagged > 50
    listed = next(df.value for df in at.dataframe if column_label("reasons") in df.value)
    assert len(listed) == 50
    assert PAGING_TEXTS["caption"].format(first=1, last=50, total=flagged) in [
        c.value for c in at.caption]
    button = next(b for b in at.get("download_button") if "低效宗地" in b.proto.label)
    assert button.proto.deferred_file_id
    assert not button.proto.url
    sheet = openpyxl.load_workbook(io.BytesIO(download(button))).worksheets[0]
    assert sheet.max_row == flagged + 1  # every flagged parcel, not the page shown
    assert builds == ["xlsx"]
    download(button)
    assert builds == ["xlsx"]  # kept for these inputs: a second click builds nothing


@pytest.mark.usefixtures("work")
def test_efficiency_summary_downloads_are_built_on_the_click(builds):
    at = open_page("app_pages/efficiency.py")
    at.selectbox(key="e_level").set_value("district").run()
    at.run()
    assert builds == []
    buttons = {b.proto.label: b for b in at.get("download_button")}
    assert {"XLSX", "CSV", "GEOJSON", "GPKG"} <= set(buttons)
    assert all(buttons[f].proto.deferred_file_id for f in ("XLSX", "CSV", "GEOJSON", "GPKG"))
    csv = download(buttons["CSV"]).decode("utf-8-sig")
    assert "海曙区" in csv
    assert set(builds) <= {"csv"}  # only the format clicked (none when another run cached it)


@pytest.mark.usefixtures("work")
def test_enterprise_list_is_paged_and_its_download_holds_every_row(monkeypatch):
    monkeypatch.setattr("app_pages.paging.PAGE_SIZE", 20)
    at = open_page("app_pages/efficiency.py")
    at.multiselect(key="e_classes").set_value(["A", "B", "C", "D"]).run()
    listed = next(df.value for df in at.dataframe if "统一社会信用代码" in df.value)
    assert len(listed) == 20
    caption = next(c.value for c in at.caption if c.value.startswith("显示第 1–20 行"))
    total = int(caption.split("共 ")[1].split(" 行")[0].replace(",", ""))
    assert total > 20
    at.number_input(key="e_page").set_value(2).run()
    second = next(df.value for df in at.dataframe if "统一社会信用代码" in df.value)
    assert set(second["统一社会信用代码"]).isdisjoint(listed["统一社会信用代码"])
    at.button(key="e_ent_dl_prepare").click().run()
    book = openpyxl.load_workbook(io.BytesIO(download(next(
        b for b in at.get("download_button") if "所列企业" in b.proto.label))))
    assert book.worksheets[0].max_row == total + 1
