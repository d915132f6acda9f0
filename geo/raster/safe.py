r"""The one guarded way to open a user's raster (GeoTIFF only).

The checks, in order, all before GDAL reads a pixel:

- GDAL special paths (``/vsicurl/``, ``/vsizip/``, ``http://``, ``GTIFF_DIR:…``) are refused:
  only a plain file on disk is read.
- Size on disk against ``max_bytes``.
- Content: the first bytes must be a TIFF header (``II*\0``, ``MM\0*``) or a BigTIFF header
  (``II+\0``, ``MM\0+``). A VRT renamed ``.tif`` (XML), a zip (``PK``) or anything else is
  refused whatever its name.
- GDAL is told to skip the VRT driver (``GDAL_SKIP`` is set before rasterio is imported here),
  the file is opened with ``driver="GTiff"`` only, without reading the folder's other files
  (no ``.aux.xml``, ``.ovr`` or ``.msk`` sidecars).
- Declared grid: width × height × bands × bytes per cell against ``max_cells_bytes``, read from
  the header (a tiny sparse file declaring a huge grid is refused).
- Georeferencing: a CRS is required; degree-like bounds in a metre CRS, metre-like numbers in a
  geographic CRS, and bounds that do not overlap Ningbo (:data:`geo.crs.NINGBO_BOUNDS` in
  EPSG:4326) are refused with a Chinese message that names the likely CRS mix-up.

Failure behaviour: every refusal raises :class:`RasterError` (a located
:class:`geo._errors.DataImportError`) with the file, the fix and their Chinese; a dataset
opened before a refusal is closed.
"""

from __future__ import annotations

import os

_skip = [d for d in os.environ.get("GDAL_SKIP", "").replace(",", " ").split() if d]
if "VRT" not in _skip:
    os.environ["GDAL_SKIP"] = " ".join([*_skip, "VRT"])

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
from rasterio.errors import RasterioError  # noqa: E402
from rasterio.io import DatasetReader  # noqa: E402
from rasterio.warp import transform_bounds  # noqa: E402

from geo._errors import DataImportError  # noqa: E402
from geo.crs import NINGBO_BOUNDS  # noqa: E402
from geo.io.safefile import CONTENT_LABELS, check_path, sniff  # noqa: E402
from geo.labels import CONTENT_LABELS_ZH  # noqa: E402

__all__ = ["MAX_BYTES", "MAX_CELLS_BYTES", "GDAL_OPTIONS", "RasterError", "check_raster_file",
           "open_user_raster"]

#: Largest raster file on disk read by default (bytes).
MAX_BYTES = 2 * 1024 * 1024 * 1024

#: Largest declared grid by default: width × height × bands × bytes per cell (2 GiB).
MAX_CELLS_BYTES = 2 * 1024 * 1024 * 1024

#: GDAL options in force while a user's raster is opened: no folder listing (no sidecars),
#: no PAM ``.aux.xml``, no VRT driver.
GDAL_OPTIONS = {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR", "GDAL_PAM_ENABLED": "NO",
                "GDAL_SKIP": os.environ["GDAL_SKIP"]}

_TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


class RasterError(DataImportError):
    """A user's raster cannot be opened: unsafe, not a GeoTIFF, too large or misplaced."""


def _content_zh(head: bytes) -> tuple[str, str]:
    """(English, Chinese) name of what a non-TIFF file holds."""
    if b"<vrtdataset" in head.lower() or b"<ogrvrtdatasource" in head.lower():
        return "a GDAL virtual dataset (VRT), which can make GDAL read other files or URLs", \
            "GDAL 虚拟数据集（VRT），可能让 GDAL 读取其他文件或网址"
    found = sniff(head)
    return CONTENT_LABELS[found], CONTENT_LABELS_ZH[found]


def check_raster_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> Path:
    """Refuse special paths, missing, oversize and non-TIFF files; return the path.

    Parameters
    ----------
    path : path-like
        The user's file.
    max_bytes : int
        Largest size on disk.

    Returns
    -------
    Path

    Raises
    ------
    RasterError
        On the first check that fails (see the module's docstring).
    """
    try:
        p = check_path(path, max_bytes=max_bytes)
    except DataImportError as err:  # the shared check, raised as this module's error
        raise RasterError(err.problem, file=err.file, field=err.field, fix=err.fix,
                          zh=err.zh) from err
    with p.open("rb") as fh:
        head = fh.read(4096)
    if not head.startswith(_TIFF_MAGIC):
        en, zh = _content_zh(head)
        raise RasterError(
            f"is not a GeoTIFF: the content is {en}", file=p.name,
            fix="export the raster itself as GeoTIFF (.tif), e.g. in QGIS 导出 → 另存为 GeoTIFF",
            zh=(f"不是 GeoTIFF：文件内容是{zh}",
                "请把栅格本身导出为 GeoTIFF（.tif），如在 QGIS 中 导出 → 另存为 GeoTIFF"))
    return p


def _check_grid(src: DatasetReader, name: str, max_cells_bytes: int) -> None:
    per_cell = max(np.dtype(d).itemsize for d in src.dtypes)
    declared = src.width * src.height * src.count * per_cell
    if declared > max_cells_bytes:
        raise RasterError(
            f"declares a grid of {src.width} × {src.height} cells × {src.count} bands × "
            f"{per_cell} bytes = {declared / 1e9:.2f} GB, above the limit of "
            f"{max_cells_bytes / 1e9:.2f} GB", file=name,
            fix="clip or resample the raster (coarser cells), or pass a larger max_cells_bytes",
            zh=(f"声明的栅格为 {src.width} × {src.height} 像元 × {src.count} 个波段 × "
                f"{per_cell} 字节 = {declared / 1e9:.2f} GB，"
                f"超过上限 {max_cells_bytes / 1e9:.2f} GB",
                "请裁剪栅格或重采样为更粗的像元，确认文件可信时也可调大 max_cells_bytes"))


_DEGREE_HINT = ("the numbers look like longitude/latitude in degrees written into a metre CRS",
                "坐标数值像经纬度（度），却写在以米为单位的坐标系中")


def _check_georeference(src: DatasetReader, name: str) -> None:
    crs = src.crs
    if crs is None:
        raise RasterError(
            "has no coordinate reference system (CRS)", file=name,
            fix="assign the CRS the raster was made in (e.g. EPSG:4549 CGCS2000 / 3-degree "
                "Gauss-Kruger CM 120E, or EPSG:4490/4326 for degrees) and export it again",
            zh=("没有坐标参考系（CRS）",
                "请在 QGIS 等软件中为栅格指定其实际坐标系（如 EPSG:4549 CGCS2000 3 度带 "
                "中央经线 120°E，经纬度数据用 EPSG:4490 或 EPSG:4326）后重新导出"))
    left, bottom, right, top = src.bounds
    small = max(abs(left), abs(right)) <= 180 and max(abs(bottom), abs(top)) <= 90
    if crs.is_projected and small:
        raise RasterError(
            f"bounds ({left:g}, {bottom:g}, {right:g}, {top:g}) are degree-like values in "
            f"the metre CRS {crs.to_string()}: {_DEGREE_HINT[0]}", file=name,
            fix="if the coordinates are longitude/latitude, set the CRS to EPSG:4490 or "
                "EPSG:4326 instead, or reproject the raster to EPSG:4549",
            zh=(f"范围（{left:g}, {bottom:g}, {right:g}, {top:g}）{_DEGREE_HINT[1]}"
                f"（{crs.to_string()}），疑为坐标系设错",
                "若坐标是经纬度，请把坐标系改为 EPSG:4490 或 EPSG:4326，"
                "或把栅格投影转换到 EPSG:4549 后重新导出"))
    if crs.is_geographic and not small:
        raise RasterError(
            f"bounds ({left:g}, {bottom:g}, {right:g}, {top:g}) are metre-like values in the "
            f"geographic CRS {crs.to_string()}", file=name,
            fix="the coordinates are probably metres: set the projected CRS they are in "
                "(e.g. EPSG:4549) instead of a degree CRS",
            zh=(f"范围（{left:g}, {bottom:g}, {right:g}, {top:g}）的数值像米，却写在经纬度"
                f"坐标系（{crs.to_string()}）中，疑为坐标系设错",
                "坐标很可能以米为单位：请改为其实际的投影坐标系（如 EPSG:4549）后重新导出"))
    _check_overlap(src, name)


def _check_overlap(src: DatasetReader, name: str) -> None:
    try:
        w, s, e, n = transform_bounds(src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
    except (RasterioError, ValueError) as exc:
        raise RasterError(
            f"its bounds cannot be transformed to longitude/latitude ({exc})", file=name,
            fix="check the CRS of the raster (EPSG:4549 for CGCS2000 metres over Ningbo)",
            zh=(f"范围无法转换为经纬度（{exc}）",
                "请检查栅格的坐标系（宁波范围的 CGCS2000 米制坐标用 EPSG:4549）")) from exc
    x0, y0, x1, y1 = NINGBO_BOUNDS
    if not all(np.isfinite([w, s, e, n])) or e < x0 or w > x1 or n < y0 or s > y1:
        raise RasterError(
            f"does not overlap Ningbo: it lies at {w:.3f}–{e:.3f}°E, {s:.3f}–{n:.3f}°N "
            f"(Ningbo is {x0}–{x1}°E, {y0}–{y1}°N)", file=name,
            fix="check the raster is the right one and its CRS is the one its coordinates are "
                "in (a 3-degree zone with or without the zone number, CGCS2000 vs. Xian 80, "
                "degrees vs. metres)",
            zh=(f"与宁波市范围不重叠：栅格位于东经 {w:.3f}–{e:.3f}°、北纬 {s:.3f}–{n:.3f}°"
                f"（宁波约为东经 {x0}–{x1}°、北纬 {y0}–{y1}°）",
                "请确认选对了栅格，并检查其坐标系是否与坐标数值一致（如 3 度带是否带带号、"
                "CGCS2000 与西安 80、经纬度与米制是否混用）"))


def open_user_raster(path: str | os.PathLike[str], *, max_cells_bytes: int = MAX_CELLS_BYTES,
                     max_bytes: int = MAX_BYTES) -> DatasetReader:
    """Open a user's GeoTIFF after the checks of this module; the caller closes it.

    Parameters
    ----------
    path : path-like
        A GeoTIFF on disk.
    max_cells_bytes : int
        Largest declared grid, width × height × bands × bytes per cell (default 2 GiB),
        checked from the header before any pixel is read.
    max_bytes : int
        Largest file size on disk.

    Returns
    -------
    rasterio.io.DatasetReader
        The open dataset (use it as a context manager: ``with open_user_raster(p) as src``).

    Raises
    ------
    RasterError
        When a check fails; nothing stays open.
    """
    p = check_raster_file(path, max_bytes=max_bytes)
    try:
        with rasterio.Env(**GDAL_OPTIONS):
            src = rasterio.open(p, driver="GTiff")
    except RasterioError as exc:
        raise RasterError(
            f"cannot be read as GeoTIFF ({exc})", file=p.name,
            fix="export the raster again as GeoTIFF (.tif)",
            zh=(f"无法作为 GeoTIFF 读取（{exc}）", "请重新导出为 GeoTIFF（.tif）")) from exc
    try:
        _check_grid(src, p.name, max_cells_bytes)
        _check_georeference(src, p.name)
    except BaseException:
        src.close()
        raise
    return src
