"""A parcel table carrying the figures on each row is read as reporting units (issue 10).

Many 自然资源 offices hold one parcel table with 税收, 工业增加值 … on each parcel row and no
enterprise file (no credit codes). Those columns used to be 表头未识别 and every 亩均 figure
empty; now each parcel is one reporting unit keyed by its 宗地编号.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.cli import main
from geo.landuse.pipeline import load_inputs

MU = 10000 / 15
LAND_MU = {"P1": 30.0, "P2": 10.0, "P3": 20.0}
TAX_WAN = {"P1": 900.0, "P2": 100.0, "P3": 300.0}
SUBZONE = {"P1": "Z01-01", "P2": "Z01-01", "P3": "Z01-02"}


def _squares(catalog, ids):
    """Squares of each parcel's area (亩) near the anchor of its sub-zone, in EPSG:4326."""
    subzones = catalog["subzone"].set_index("id").to_crs(4549)
    shapes = []
    for i, pid in enumerate(ids):
        c = subzones.loc[SUBZONE[pid]].geometry.representative_point()
        side = (LAND_MU[pid] * MU) ** 0.5
        x = c.x + i * 300
        shapes.append(box(x - side / 2, c.y - side / 2, x + side / 2, c.y + side / 2))
    return gpd.GeoSeries(shapes, crs=4549).to_crs(4326)


def _parcel_file(catalog, tmp_path: Path, *, figures: bool = True, scale: bool = False) -> Path:
    ids = list(LAND_MU)
    columns: dict[str, list] = {"宗地编号": ids, "权利人": ["甲公司", "乙公司", "丙公司"],
                                "用地面积（亩）": [LAND_MU[p] for p in ids]}
    if figures:
        columns["税收（万元）"] = [TAX_WAN[p] for p in ids]
    if scale:
        columns["规模"] = ["规上", "规下", "规上"]
    path = tmp_path / "宗地.gpkg"
    gpd.GeoDataFrame(columns, geometry=_squares(catalog, ids)).to_file(path, engine="pyogrio")
    return path


def _evaluate(path: Path, tmp_path: Path, level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    out = tmp_path / f"{level}.csv"
    assert main(["evaluate", "--parcels", str(path), "--level", level, "--out", str(out),
                 "--lang", "en"]) == 0
    report = tmp_path / f"{level}_validation_report.csv"
    return (pd.read_csv(out, encoding="utf-8-sig"), pd.read_csv(report, encoding="utf-8-sig"))


def _expected_tax_per_mu() -> dict[str, float]:
    """亩均税收 of each sub-zone by hand: the ratio of the sums, not the mean of ratios."""
    out = {}
    for sub in sorted(set(SUBZONE.values())):
        ids = [p for p, s in SUBZONE.items() if s == sub]
        out[sub] = sum(TAX_WAN[p] for p in ids) / sum(LAND_MU[p] for p in ids)
    return out


@pytest.mark.parametrize("scale", [False, True])
def test_the_subzone_muju_tax_is_computed_from_the_parcel_rows(catalog, tmp_path, scale):
    path = _parcel_file(catalog, tmp_path, scale=scale)
    table, report = _evaluate(path, tmp_path, "subzone")
    got = table.set_index("unit").loc[list(_expected_tax_per_mu())]
    assert got["tax_per_mu"].to_dict() == pytest.approx(_expected_tax_per_mu(), rel=1e-6)
    assert got["enterprise_count"].tolist() == [2, 1]
    assert got["tax_wan"].to_dict() == pytest.approx({"Z01-01": 1000.0, "Z01-02": 300.0})
    assert (table["data_nature"] == "用户导入：宗地.gpkg").all()
    told = report[report["problem"].str.contains("取自宗地表", na=False)]
    assert len(told) == 1
    assert told["severity"].iloc[0] == "提示"
    assert "每宗地作为一个评价单位" in told["action"].iloc[0]
    assert not ((report["field"] == "税收（万元）") & (report["problem"] == "表头未识别")).any()


def test_with_a_scale_column_the_units_are_classed(catalog, tmp_path):
    table, _ = _evaluate(_parcel_file(catalog, tmp_path, scale=True), tmp_path, "enterprise")
    units = table.set_index("parcel_id").loc[list(LAND_MU)]
    assert units["name"].tolist() == ["甲公司", "乙公司", "丙公司"]
    assert units["credit_code"].isna().all()
    assert units["scale"].tolist() == ["规上", "规下", "规上"]
    assert units["class"].isin(list("ABCD")).all()
    assert units["tax_per_mu"].to_dict() == pytest.approx(
        {p: TAX_WAN[p] / LAND_MU[p] for p in LAND_MU}, rel=1e-6)


def test_without_a_scale_column_the_units_are_not_classed_but_keep_their_figures(catalog,
                                                                                tmp_path):
    table, _ = _evaluate(_parcel_file(catalog, tmp_path), tmp_path, "enterprise")
    units = table.set_index("parcel_id").loc[list(LAND_MU)]
    assert len(units) == 3
    assert units["class"].isna().all()
    assert units["class_note"].str.contains("规模未知").all()
    assert units["class_note"].str.endswith("未参评").all()
    assert units["tax_per_mu"].to_dict() == pytest.approx(
        {p: TAX_WAN[p] / LAND_MU[p] for p in LAND_MU}, rel=1e-6)


def test_units_are_keyed_by_parcel_and_take_the_parcels_land(catalog, tmp_path):
    inputs = load_inputs(_parcel_file(catalog, tmp_path))
    ent = inputs.enterprises.set_index("parcel_id").loc[list(LAND_MU)]
    assert ent["enterprise_key"].tolist() == ["宗地 P1", "宗地 P2", "宗地 P3"]
    assert ent["land_area_m2"].isna().all()  # the land is the parcel's, checked on import
    assert ent["tax_wan"].tolist() == [TAX_WAN[p] for p in LAND_MU]
    assert inputs.data_label == "用户导入：宗地.gpkg"


def test_a_parcel_file_without_figures_is_analysed_as_before(catalog, tmp_path):
    path = _parcel_file(catalog, tmp_path, figures=False, scale=True)
    inputs = load_inputs(path)
    assert len(inputs.enterprises) == 0
    assert not inputs.report["问题"].str.contains("取自宗地表", na=False).any()
    assert ((inputs.report["字段"] == "规模") & (inputs.report["问题"] == "表头未识别")).any()
    table, _ = _evaluate(path, tmp_path, "subzone")
    got = table.set_index("unit").loc[["Z01-01", "Z01-02"]]
    assert got["enterprise_count"].tolist() == [0, 0]
    assert got["tax_per_mu"].isna().all()
