"""open_user_raster: GeoTIFF only, size checked from the header, georeference checked (issue 13)."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from geo._errors import DataImportError, user_message
from geo.raster.safe import RasterError, open_user_raster

#: A point in Ningbo in EPSG:4549 (121.55°E, 29.87°N).
NINGBO_X, NINGBO_Y = 649_700.0, 3_306_700.0


def _tif(path, *, crs="EPSG:4549", transform=None, width=8, height=6, count=1,
         dtype="float32", **extra):
    profile = {"driver": "GTiff", "width": width, "height": height, "count": count,
               "dtype": dtype, "transform": transform or from_origin(NINGBO_X, NINGBO_Y, 100, 100),
               **extra}
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        if not extra.get("sparse_ok"):
            dst.write(np.arange(width * height * count, dtype=dtype).reshape(count, height, width))
    return path


@pytest.fixture
def valid_tif(tmp_path):
    return _tif(tmp_path / "valid.tif")


def _refused(path, **kwargs) -> RasterError:
    with pytest.raises(RasterError) as err:
        open_user_raster(path, **kwargs)
    assert isinstance(err.value, DataImportError)
    assert err.value.zh is not None
    return err.value


def test_gdal_skip_is_set_for_the_process():
    assert "VRT" in os.environ["GDAL_SKIP"].split()


def test_a_valid_geotiff_over_ningbo_opens(valid_tif):
    with open_user_raster(valid_tif) as src:
        assert src.driver == "GTiff"
        assert src.crs.to_epsg() == 4549
        assert src.read(1)[0, 1] == 1


def test_a_vrt_renamed_tif_is_refused(tmp_path, valid_tif):
    vrt = tmp_path / "evil.tif"
    vrt.write_text(f'<VRTDataset rasterXSize="8" rasterYSize="6"><VRTRasterBand dataType="Float32"'
                   f' band="1"><SimpleSource><SourceFilename>{valid_tif}</SourceFilename>'
                   "</SimpleSource></VRTRasterBand></VRTDataset>", encoding="utf-8")
    err = _refused(vrt)
    assert "VRT" in user_message(err)
    assert "不是 GeoTIFF" in user_message(err)


def test_a_zip_is_refused(tmp_path, valid_tif):
    archive = tmp_path / "raster.tif"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(valid_tif, "inner.tif")
    assert "zip" in user_message(_refused(archive))
    renamed = tmp_path / "raster.zip"
    archive.rename(renamed)
    _refused(renamed)


@pytest.mark.parametrize("path", ["/vsicurl/http://example.com/a.tif",
                                  "/vsizip//tmp/a.zip/a.tif", "https://example.com/a.tif",
                                  "GTIFF_DIR:1:/tmp/a.tif"])
def test_gdal_special_paths_and_urls_are_refused(path):
    assert "特殊路径" in user_message(_refused(path))


def test_a_tiny_file_declaring_a_huge_grid_is_refused_before_reading(tmp_path):
    bomb = _tif(tmp_path / "bomb.tif", width=200_000, height=200_000, count=4, dtype="float64",
                sparse_ok=True, tiled=True, blockxsize=4096, blockysize=4096,
                compress="deflate", BIGTIFF="YES")
    assert bomb.stat().st_size < 2_000_000
    err = _refused(bomb)
    assert "200000 × 200000" in user_message(err)
    assert "超过上限" in user_message(err)


def test_the_grid_limit_is_the_callers(valid_tif):
    _refused(valid_tif, max_cells_bytes=8 * 6 * 4 - 1)
    open_user_raster(valid_tif, max_cells_bytes=8 * 6 * 4).close()


def test_a_raster_without_crs_is_refused_in_chinese(tmp_path):
    message = user_message(_refused(_tif(tmp_path / "nocrs.tif", crs=None)))
    assert "没有坐标参考系" in message
    assert "EPSG:4549" in message


def test_degrees_in_a_metre_geotransform_are_refused_with_the_crs_hint(tmp_path):
    path = _tif(tmp_path / "degrees.tif", transform=from_origin(121.5, 29.9, 0.001, 0.001))
    message = user_message(_refused(path))
    assert "经纬度" in message
    assert "EPSG:4326" in message
    assert "坐标系" in message


def test_metres_in_a_geographic_crs_are_refused_with_the_crs_hint(tmp_path):
    path = _tif(tmp_path / "metres.tif", crs="EPSG:4326")
    message = user_message(_refused(path))
    assert "像米" in message
    assert "EPSG:4549" in message


def test_a_raster_over_beijing_is_refused(tmp_path):
    path = _tif(tmp_path / "beijing.tif", transform=from_origin(192_000, 4_424_600, 100, 100))
    message = user_message(_refused(path))
    assert "与宁波市范围不重叠" in message
    assert "坐标系" in message


def test_a_missing_file_is_refused(tmp_path):
    assert "找不到文件" in user_message(_refused(tmp_path / "missing.tif"))
