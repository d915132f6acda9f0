"""The rule 建成比例低于阈值 (LOW_BUILT) with a built-up-share raster as evidence (issue 13)."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.crs import CRS
from rasterio.transform import from_origin
from shapely.geometry import box

from geo._errors import DataImportError, ProfileError
from geo.labels import EVIDENCE_NOTE, REASONS
from geo.landuse.lowland import describe_rules
from geo.landuse.pipeline import analyse, empty_enterprises
from geo.landuse.scoring import DEFAULT_PROFILE as PROFILE_PATH
from geo.landuse.scoring import load_profile
from geo.raster.evidence import built_share_of_parcels, raster_unit, with_built_share
from geo.raster.surface import write_cog

X0, Y0 = 649_700.0, 3_306_700.0          # bottom-left of a 4 × 4 grid of 100 m cells
CRS_4549 = CRS.from_epsg(4549)
DEFAULT_PROFILE = load_profile()
TRANSFORM = from_origin(X0, Y0 + 400, 100, 100)
#: Percent built-up per cell: row 0 (top) 10 %, row 1 50 %, rows 2–3 0 %.
PERCENT = np.array([[10, 10, 10, 10], [50, 50, 50, 50], [0, 0, 0, 0], [0, 0, 0, 0]],
                   dtype="uint8")


def cells(row: int, c0: int, c1: int):
    top = Y0 + 400 - 100 * row
    return box(X0 + 100 * c0, top - 100, X0 + 100 * c1, top)


@pytest.fixture
def percent_tif(tmp_path):
    return write_cog(tmp_path / "built.tif", PERCENT, TRANSFORM, CRS_4549, unit="%",
                     nature="测试栅格", year=2024, nodata=255, dtype="uint8")


@pytest.fixture
def parcels():
    """A: two 10 % cells; B: two 50 % cells; C: half outside the raster (left of it), over a
    10 % cell; D: 在建 over 0 % cells; E: 正常 over 0 % cells."""
    geoms = [cells(0, 0, 2), cells(1, 0, 2), box(X0 - 300, Y0 + 300, X0 + 100, Y0 + 400),
             cells(2, 0, 2), cells(3, 2, 4)]
    return gpd.GeoDataFrame(
        {"parcel_id": ["A", "B", "C", "D", "E"], "land_area_m2": [20_000.0] * 4 + [20_000.0],
         "land_use": ["工业用地"] * 5, "far": [1.5] * 5,
         "status": ["正常", "正常", "正常", "在建", "正常"], "year": [2024] * 5},
        geometry=geoms, crs="EPSG:4549").to_crs("EPSG:4326")


@pytest.fixture
def analysis(parcels, catalog):
    return analyse(parcels, empty_enterprises(), catalog, DEFAULT_PROFILE, data_label="测试")


def _by_id(frame):
    return frame.set_index("parcel_id")


def test_share_per_parcel_is_the_covered_mean_in_the_declared_unit(percent_tif, parcels):
    built = built_share_of_parcels(percent_tif, parcels)
    assert built.unit == "percent"          # from the UNIT tag "%"
    t = _by_id(built.table)
    assert t.at["A", "built_share"] == pytest.approx(0.10)
    assert t.at["B", "built_share"] == pytest.approx(0.50)
    assert t.at["E", "built_share"] == pytest.approx(0.0)
    # C: 1 cell of its 4 lies on the raster → valid share 0.25 < 0.5 → not judged
    assert t.at["C", "built_valid_share"] == pytest.approx(0.25)
    assert np.isnan(t.at["C", "built_share"])
    assert "测试栅格" in built.source
    assert "百分比" in built.source


def test_low_built_flags_exactly_the_parcels_under_the_threshold(percent_tif, parcels,
                                                                 analysis):
    assert DEFAULT_PROFILE.lowland.built_share_below == pytest.approx(0.2)
    before = _by_id(analysis.parcels)
    assert not before["reason_codes"].str.contains("LOW_BUILT").any()
    after = with_built_share(analysis, built_share_of_parcels(percent_tif, parcels))
    par = _by_id(after.parcels)
    low = {p for p, codes in par["reason_codes"].items() if "LOW_BUILT" in codes}
    assert low == {"A", "E"}               # B at 50 %; C not covered; D 在建 (exempt)
    assert "建成比例低于20%（遥感）" in par.at["A", "reasons"]
    assert par.loc[["A", "E"], "low_efficiency"].all()
    assert "建成比例栅格未覆盖" in par.at["C", "data_note"]
    assert "建成比例" not in par.at["B", "data_note"]
    # the evidence is named in every export's 说明
    notes = after.export_notes("parcels")
    assert EVIDENCE_NOTE in notes.extra
    assert "built.tif" in str(notes.extra[EVIDENCE_NOTE])
    # judged again with the same evidence: the same result (no reason doubled)
    again = _by_id(with_built_share(after, built_share_of_parcels(percent_tif, parcels)).parcels)
    assert again.at["A", "reason_codes"] == par.at["A", "reason_codes"]


def test_rule_switched_off_in_the_profile(percent_tif, parcels, catalog):
    rules = dataclasses.replace(DEFAULT_PROFILE.lowland, built_share_below=None)
    profile = dataclasses.replace(DEFAULT_PROFILE, lowland=rules)
    result = analyse(parcels, empty_enterprises(), catalog, profile, data_label="测试")
    after = with_built_share(result, built_share_of_parcels(percent_tif, parcels))
    assert not after.parcels["reason_codes"].str.contains("LOW_BUILT").any()
    assert REASONS["LOW_BUILT"] not in describe_rules(rules)
    assert REASONS["LOW_BUILT"] in describe_rules(DEFAULT_PROFILE.lowland)


def test_undeclared_unit_is_never_assumed(tmp_path, parcels):
    path = tmp_path / "plain.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8",
                       crs=CRS_4549, transform=TRANSFORM, nodata=255) as dst:
        dst.write(PERCENT, 1)
    with pytest.raises(DataImportError) as err:
        built_share_of_parcels(path, parcels)
    assert "未注明单位" in err.value.zh[0]
    assert built_share_of_parcels(path, parcels, unit="percent").unit == "percent"


def test_a_unit_that_contradicts_the_tag_is_refused(percent_tif, parcels):
    with pytest.raises(DataImportError) as err:
        built_share_of_parcels(percent_tif, parcels, unit="share")
    assert "不一致" in err.value.zh[0]


def _untagged(tmp_path, array, name="plain.tif"):
    path = tmp_path / name
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1,
                       dtype=array.dtype.name, crs=CRS_4549, transform=TRANSFORM,
                       nodata=255 if array.dtype.name == "uint8" else -9999) as dst:
        dst.write(array, 1)
    return path


def test_percent_values_declared_as_share_are_refused(tmp_path, parcels):
    with pytest.raises(DataImportError) as err:
        built_share_of_parcels(_untagged(tmp_path, PERCENT), parcels, unit="share")
    problem, fix = err.value.zh
    assert "超出" in problem
    assert "百分比" in fix


def test_negative_values_are_an_undeclared_nodata_and_refused(tmp_path, parcels):
    values = PERCENT.astype("float32")
    values[1] = -1.0                       # the 50 % row holds an undeclared nodata
    with pytest.raises(DataImportError) as err:
        built_share_of_parcels(_untagged(tmp_path, values), parcels, unit="percent")
    assert "负数" in err.value.zh[0]
    assert "nodata" in err.value.zh[1]


def test_the_official_s_name_is_the_source(percent_tif, parcels):
    built = built_share_of_parcels(percent_tif, parcels, name="我的建成比例.tif")
    assert built.source.startswith("我的建成比例.tif")


def test_binary_raster(tmp_path, parcels):
    binary = (PERCENT >= 50).astype("uint8")
    path = write_cog(tmp_path / "bin.tif", binary, TRANSFORM, CRS_4549, unit="binary",
                     nature="测试", year=2024, nodata=255, dtype="uint8")
    t = _by_id(built_share_of_parcels(path, parcels).table)
    assert t.at["A", "built_share"] == pytest.approx(0.0, abs=1e-6)
    assert t.at["B", "built_share"] == pytest.approx(1.0)
    with pytest.raises(DataImportError):
        built_share_of_parcels(write_cog(tmp_path / "pct.tif", PERCENT, TRANSFORM, CRS_4549,
                                         unit="x", nature="测试", year=2024, nodata=255,
                                         dtype="uint8"), parcels, unit="binary")


def test_unit_tags():
    assert raster_unit({"UNIT": "0-100"}) == "percent"       # never read as "0-1"
    assert raster_unit({"UNIT": "0 – 100"}) == "percent"
    assert raster_unit({"UNIT": "0-1"}) == "share"
    assert raster_unit({"UNIT": "0–1.0"}) is None              # a range we do not know
    assert raster_unit({"UNIT": "sharecropping"}) is None     # whole words only
    assert raster_unit({"UNIT": "%"}) == "percent"
    assert raster_unit({"UNIT": "比例（0–1）"}) == "share"
    assert raster_unit({"UNIT": "m"}) is None
    assert raster_unit({}) is None


def test_profile_threshold_over_one_is_refused(tmp_path):
    text = PROFILE_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("built_share_below = 0.2", "built_share_below = 20"),
                   encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_profile(bad)
    assert "小数" in err.value.zh[1]
