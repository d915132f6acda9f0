"""规划指标 page, the platforms on the map page and in profiles, and the plan levels of the
CLI (issue 12)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from geo.cli import main
from geo.zones.plans import load_indicators
from tests.support.apptest import download, open_page

pytestmark = pytest.mark.usefixtures("work")


def _texts(at) -> str:
    return " ".join(str(x.value) for x in [*at.caption, *at.info, *at.markdown])


def test_the_indicator_page_lists_every_table_row_by_document_title():
    at = open_page("app_pages/plan_indicators.py")
    table = at.dataframe[0].value
    assert len(table) == len(load_indicators())
    sources = table.iloc[:, list(table.columns).index("数据出处")]
    assert sources.str.startswith("《").all()
    assert not sources.str.contains(r"\.txt").any()
    plans = at.multiselect(key="pi_plan")
    plans.set_value([plans.options[0]]).run()
    assert not at.exception, at.exception
    assert 0 < len(at.dataframe[0].value) < len(table)


def test_the_indicator_export_holds_the_rows_shown():
    at = open_page("app_pages/plan_indicators.py")
    shown = len(at.dataframe[0].value)
    book = openpyxl.load_workbook(io.BytesIO(download(
        next(b for b in at.get("download_button") if "规划指标" in b.proto.label or
             "导出所列指标" in b.proto.label))))
    assert book.worksheets[0].max_row == shown + 1
    assert "说明" in book.sheetnames


def test_the_land_targets_stand_beside_the_computed_figures():
    at = open_page("app_pages/plan_indicators.py")
    tables = [df.value for df in at.dataframe]
    eff = next(t for t in tables if "规上工业亩均税收" in t.to_csv())
    assert eff["出处"].str.startswith("《").all()
    assert "差距（目标−当前）" in eff.columns
    assert any("台账累计（亩）" in t.columns for t in tables)


def test_the_map_page_lists_the_unplaced_platforms():
    at = open_page("app_pages/map_view.py")
    assert any("未给出位置的平台" in e.label for e in at.expander)


def test_a_zone_profile_shows_its_platforms():
    at = open_page("app_pages/profiles.py")
    at.selectbox(key="p_entity").set_value("Z02").run()
    assert not at.exception, at.exception
    assert any("相关的规划平台" in m.value for m in at.markdown)
    tied = next(df.value for df in at.dataframe if "滨海创新发展核" in df.value.to_csv())
    assert tied.iloc[:, -1].str.startswith("《").all()


@pytest.mark.parametrize(("level", "suffix"), [("belt", ".geojson"), ("platform", ".gpkg"),
                                               ("cluster", ".csv"), ("indicator", ".xlsx")])
def test_the_cli_exports_the_plan_levels(tmp_path, level, suffix):
    out = tmp_path / f"{level}{suffix}"
    assert main(["catalog", "--level", level, "--out", str(out)]) == 0
    assert out.exists()
    if suffix == ".csv":
        table = pd.read_csv(out, encoding="utf-8-sig")
        assert len(table)
        assert table.iloc[:, -1].astype(str).str.startswith("《").all()  # cited by title


def test_a_table_level_refuses_a_spatial_format(tmp_path, capsys):
    assert main(["catalog", "--level", "indicator", "--out", str(tmp_path / "x.geojson")]) == 2
    assert "没有图形的表格" in capsys.readouterr().err
