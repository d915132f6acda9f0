"""Replacing schematic geometry with official boundaries from real files."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo._errors import BoundaryImportError
from geo.cli import main
from geo.crs import AREA_CRS, area_km2
from geo.gcj02 import geometry_wgs84_to_gcj02
from geo.zones.boundaries import import_boundaries
from geo.zones.catalog import load_catalog


def _official(catalog, names, *, crs=AREA_CRS, radius=800.0):
    """Square-ish 'official' polygons around the named zones' anchors, in a projected CRS."""
    zones = catalog["zone"].set_index("name")
    pts = gpd.GeoSeries([zones.geometry[n].representative_point() for n in names], crs=4326)
    geoms = pts.to_crs(AREA_CRS).buffer(radius, quad_segs=8)
    return gpd.GeoDataFrame({"名称": names}, geometry=geoms.values, crs=AREA_CRS).to_crs(crs)


def test_geopackage_by_exact_name_in_cgcs2000(catalog, tmp_path):
    src = _official(catalog, ["宁波石化经济技术开发区", "浙江象山经济开发区"])
    extra = gpd.GeoDataFrame({"名称": ["不存在的园区"]},
                             geometry=[src.geometry.iloc[0].buffer(10)], crs=AREA_CRS)
    path = tmp_path / "official.gpkg"
    gpd.pd.concat([src, extra]).to_file(path, layer="zones", engine="pyogrio")

    updated, report = import_boundaries(catalog["zone"], path, level="zone")
    got = updated.set_index("name")
    assert [m[1] for m in report.matched] == ["宁波石化经济技术开发区", "浙江象山经济开发区"]
    assert got.loc["宁波石化经济技术开发区", "geometry_quality"] == "surveyed"
    assert got.loc["浙江镇海经济开发区", "geometry_quality"] == "schematic"
    assert report.unmatched_rows == [(3, "不存在的园区：与任何重点工业集聚区的编号或名称都不一致")]
    assert len(report.still_schematic) == 18
    expected = 3.1214 * 0.8 ** 2  # area of a 16-segment circle of radius 0.8 km
    assert got.loc["宁波石化经济技术开发区", "area_km2"] == pytest.approx(expected, rel=1e-3)
    assert (updated["area_km2"] - area_km2(updated)).abs().max() < 1e-3
    assert "official.gpkg 第1行" in got.loc["宁波石化经济技术开发区", "source"]
    assert "不存在的园区" in report.summary()


def test_zipped_shapefile_by_id(catalog, tmp_path):
    src = _official(catalog, ["前湾新区"]).rename(columns={"名称": "name"})
    src["id"] = ["Z02"]
    src["name"] = ["别名"]  # the id decides
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    src.to_file(shp_dir / "b.shp", engine="pyogrio")
    zpath = tmp_path / "b.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, f.name)
    updated, report = import_boundaries(catalog["zone"], zpath, level="zone")
    assert report.matched == [("Z02", "前湾新区", "id")]
    assert updated.set_index("id").loc["Z02", "geometry_quality"] == "surveyed"


def test_gcj02_coordinates_are_converted(catalog, tmp_path):
    src = _official(catalog, ["浙江宁海经济开发区"], crs=4326)
    truth = src.geometry.iloc[0]
    src["geometry"] = [geometry_wgs84_to_gcj02(truth)]
    path = tmp_path / "amap.geojson"
    src.to_file(path, engine="pyogrio")
    updated, _ = import_boundaries(catalog["zone"], path, level="zone", gcj02=True)
    got = updated.set_index("name").geometry["浙江宁海经济开发区"]
    shift = gpd.GeoSeries([got.centroid, truth.centroid], crs=4326).to_crs(AREA_CRS)
    assert shift.iloc[0].distance(shift.iloc[1]) < 1.0


def test_malformed_file_names_file_and_fix(catalog, tmp_path):
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"this is not a geopackage")
    with pytest.raises(BoundaryImportError, match="broken.gpkg") as exc:
        import_boundaries(catalog["zone"], path, level="zone")
    assert "Fix:" in str(exc.value)


def test_unsupported_suffix_and_missing_file(catalog, tmp_path):
    (tmp_path / "x.dwg").write_bytes(b"AC1032")
    with pytest.raises(BoundaryImportError, match="unsupported file type"):
        import_boundaries(catalog["zone"], tmp_path / "x.dwg", level="zone")
    with pytest.raises(BoundaryImportError, match="file not found"):
        import_boundaries(catalog["zone"], tmp_path / "missing.gpkg", level="zone")


def test_shapefile_without_prj_is_refused(catalog, tmp_path):
    src = _official(catalog, ["前湾新区"]).rename(columns={"名称": "name"})
    src.to_file(tmp_path / "noprj.shp", engine="pyogrio")
    (tmp_path / "noprj.prj").unlink()
    with pytest.raises(BoundaryImportError, match="no coordinate reference system") as exc:
        import_boundaries(catalog["zone"], tmp_path / "noprj.shp", level="zone")
    assert ".prj" in str(exc.value)


def test_swapped_coordinates_are_refused_with_row(catalog, tmp_path):
    src = gpd.GeoDataFrame({"name": ["前湾新区"]},
                           geometry=[Point(30.3, 121.29).buffer(0.01)], crs=4326)
    path = tmp_path / "swapped.geojson"
    src.to_file(path, engine="pyogrio")
    with pytest.raises(BoundaryImportError, match="outside Ningbo") as exc:
        import_boundaries(catalog["zone"], path, level="zone")
    assert "row 1" in str(exc.value)


def test_no_key_field_lists_the_fields(catalog, tmp_path):
    src = _official(catalog, ["前湾新区"]).rename(columns={"名称": "QYMC"})
    path = tmp_path / "nokey.gpkg"
    src.to_file(path, engine="pyogrio")
    with pytest.raises(BoundaryImportError, match="QYMC") as exc:
        import_boundaries(catalog["zone"], path, level="zone")
    assert "--name-field" in str(exc.value)
    updated, report = import_boundaries(catalog["zone"], path, level="zone", name_field="QYMC")
    assert len(report.matched) == 1


def test_two_rows_for_one_entity_are_refused(catalog, tmp_path):
    src = _official(catalog, ["前湾新区", "前湾新区"])
    path = tmp_path / "dup.gpkg"
    src.to_file(path, engine="pyogrio")
    with pytest.raises(BoundaryImportError, match="rows 1 and 2"):
        import_boundaries(catalog["zone"], path, level="zone")


def test_cli_import_replaces_the_layer_and_a_failed_one_keeps_it(catalog, data_copy, tmp_path):
    good = tmp_path / "good.gpkg"
    _official(catalog, ["宁波国家高新区"]).to_file(good, engine="pyogrio")
    rc = main(["import-boundaries", "--level", "zone", "--file", str(good),
               "--data-dir", str(data_copy)])
    assert rc == 0
    reloaded = load_catalog(data_dir=data_copy)["zone"].set_index("name")
    assert reloaded.loc["宁波国家高新区", "geometry_quality"] == "surveyed"
    before = (data_copy / "zones.geojson").read_bytes()

    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"\x00garbage")
    rc = main(["import-boundaries", "--level", "zone", "--file", str(bad),
               "--data-dir", str(data_copy)])
    assert rc == 2
    assert (data_copy / "zones.geojson").read_bytes() == before
    assert sorted(p.name for p in data_copy.iterdir() if p.name.startswith(".")) == []


# --- the boundary importer opens user files only through geo.io.safefile (issue 9) ---------

def _vrt_pointing_at(target: str) -> str:
    """An OGR VRT that makes GDAL open ``target`` (a local file or a URL) as a CSV layer."""
    return ('<OGRVRTDataSource><OGRVRTLayer name="x">'
            f'<SrcDataSource relativeToVRT="0">CSV:{target}</SrcDataSource>'
            '<GeometryType>wkbPolygon</GeometryType><LayerSRS>EPSG:4326</LayerSRS>'
            '<GeometryField encoding="WKT" field="wkt"/></OGRVRTLayer></OGRVRTDataSource>')


@pytest.mark.parametrize("name", ["正式边界.geojson", "正式边界.gpkg", "正式边界.json"])
def test_boundary_vrt_behind_a_false_extension_is_refused_unread(catalog, tmp_path, name):
    secret = tmp_path / "secret.csv"
    secret.write_text("wkt,name\nPOLYGON((0 0,1 0,1 1,0 0)),SECRET-LINE-7731\n", encoding="utf-8")
    path = tmp_path / name
    path.write_text(_vrt_pointing_at(str(secret)), encoding="utf-8")
    with pytest.raises(BoundaryImportError) as err:
        import_boundaries(catalog["zone"], path, level="zone")
    assert "SECRET-LINE-7731" not in str(err.value)
    assert name in str(err.value)
    assert "VRT" in str(err.value) or "does not match the extension" in str(err.value)


@pytest.mark.parametrize("special", ["/vsicurl/http://127.0.0.1:9/b.geojson",
                                     "/vsizip//tmp/b.zip/b.shp", "GPKG:/tmp/b.gpkg:zones"])
def test_boundary_gdal_special_paths_are_refused(catalog, special):
    with pytest.raises(BoundaryImportError, match="GDAL special path"):
        import_boundaries(catalog["zone"], special, level="zone")


def test_boundary_cli_refuses_a_vrt_and_names_the_fix(data_copy, tmp_path, capsys):
    path = tmp_path / "正式边界.geojson"
    path.write_text(_vrt_pointing_at("/etc/passwd"), encoding="utf-8")
    code = main(["import-boundaries", "--level", "zone", "--file", str(path),
                 "--data-dir", str(data_copy)])
    out = capsys.readouterr()
    assert code != 0
    assert "root:" not in out.out + out.err
    assert "GeoPackage" in out.out + out.err  # the fix names the formats to export to


def test_boundary_table_formats_are_refused(catalog, tmp_path):
    path = tmp_path / "边界.csv"
    path.write_text("id,name\nZ01,x\n", encoding="utf-8")
    with pytest.raises(BoundaryImportError, match="unsupported file type"):
        import_boundaries(catalog["zone"], path, level="zone")
