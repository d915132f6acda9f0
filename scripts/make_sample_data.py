"""Generate the synthetic sample (示例数据): parcels (宗地), enterprises and a clearance register.

Usage: ``.venv/bin/python scripts/make_sample_data.py [--out DIR] [--seed N]``

Writes into ``DIR`` (default ``data/sample``):

- ``parcels.gpkg`` (layer ``parcels``, EPSG:4326): rectangles laid out inside the 57 sub-zones;
- ``enterprises.csv`` (UTF-8 with BOM): enterprises linked to parcels by 宗地编号, one row per
  enterprise and data year 2021–2025 (:data:`YEARS`; the same credit codes recur, with drifting
  figures, entrants and leavers — :func:`make_history`), with 行业代码 (GB/T 4754), 用地方式,
  出租方统一社会信用代码, 成立年份 and 免评原因; the parcels are one layer as of 2025 with 供地年份;
- ``clearance_register.csv`` (UTF-8 with BOM): an initial 低效用地整治台账;
- ``builtup_share.tif`` (Cloud-Optimized GeoTIFF, EPSG:4549, 30 m, uint8 percent, nodata 255):
  a built-up-share raster derived from the parcels (:func:`builtup_share`), standing in for an
  imagery-derived 建成比例 product so the raster views and the 建成比例 rule work out of the box.

Every number is synthetic and every row carries ``数据性质`` =
:data:`geo.landuse.model.SAMPLE_LABEL`.
All randomness comes from one ``numpy.random.default_rng(seed)``, drawn in a fixed order
(sub-zones by id, parcels by id), so the same seed gives byte-identical CSVs and the same
GeoPackage contents. See ``data/sample/README.md`` for the fields and the magnitudes targeted.

Layout. Each sub-zone, shrunk by 30 m, is covered in EPSG:4549 by a 25 m cell grid aligned on
multiples of 25 m; every 17th column and 13th row of cells is a road, so blocks are 16 × 12
cells (400 m × 300 m) between 25 m roads. Only cells fully inside are usable. Parcel areas are
drawn from a mixture of two log-normals (small plots, median 8 亩; larger plots, median 38 亩),
turned into w × h cells and placed first-fit (either orientation), block by block outward from
a random core near the sub-zone's centre: a developed cluster with vacant land around it. Each
rectangle is inset by 3 m, so neighbouring parcels never touch. Sub-zones get parcels in
proportion to their usable cells.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.crs import AREA_CRS, M2_PER_MU, STORAGE_CRS
from geo.io.atomic import write_atomic
from geo.landuse.model import (
    CLEARANCE_STATUSES,
    ENTERPRISE_FIELDS,
    PARCEL_FIELDS,
    PARCEL_STATUSES,
    SAMPLE_LABEL,
    SCALES,
)
from geo.zones.catalog import load_catalog
from geo.zones.taxonomy import load_taxonomy, split_tags

if TYPE_CHECKING:
    from affine import Affine

ROOT = Path(__file__).resolve().parent.parent

#: Default seed (宁波's adcode prefix). Change it only together with the committed files.
SEED = 3302
#: Data years of the enterprises (one row per enterprise and year it is present); the latest
#: is the parcels' year and the one :func:`geo.landuse.pipeline.load_sample` analyses.
YEARS = (2021, 2022, 2023, 2024, 2025)
YEAR = YEARS[-1]
#: Parcels to lay out over all sub-zones (split in proportion to usable area).
N_PARCELS = 3000
DEFAULT_OUT = ROOT / "data" / "sample"

LABEL_COLUMN = "数据性质"
PARCEL_LAYER = "parcels"
PARCEL_FILE = "parcels.gpkg"
ENTERPRISE_FILE = "enterprises.csv"
REGISTER_FILE = "clearance_register.csv"
BUILTUP_FILE = "builtup_share.tif"

# --- layout -------------------------------------------------------------------------------
CELL_M = 25.0
BLOCK_W, BLOCK_H = 16, 12  # usable cells of a block; a 1-cell road follows in each direction
INSET_M = 3.0
EDGE_MARGIN_M = 30.0
#: Parcel areas (亩): a share of small plots and larger plots, each log-normal (median, sigma).
SMALL_PLOT_SHARE, SMALL_PLOT_MU, LARGE_PLOT_MU = 0.5, (8.0, 0.35), (38.0, 0.7)
AREA_MIN_MU, AREA_MAX_MU = 5.0, 175.0

# --- parcels ------------------------------------------------------------------------------
STATUS_P = {"正常": 0.84, "在建": 0.05, "半停产": 0.04, "停产": 0.03, "闲置": 0.04}
WAREHOUSE_SHARE = 0.12
#: Shares of 正常 parcels of SHARED_LAND_MU 亩 with two / three enterprises (标准厂房 tenants).
SHARED_2, SHARED_3, SHARED_LAND_MU = 0.18, 0.10, (8.0, 40.0)

# --- enterprises --------------------------------------------------------------------------
ABOVE_SCALE_REVENUE = 2000.0  # 万元: 规上 = 年主营业务收入 ≥ 2000 万元
#: Latent 亩均增加值 (万元/亩): median and log-sigma of the "large" and "small" firm types.
VA_MU_LARGE, VA_MU_SMALL, VA_SIGMA_LARGE, VA_SIGMA_SMALL = 165.0, 60.0, 0.5, 0.5
#: P(large type) = logistic(LARGE_SLOPE × ln(land / LARGE_MID_MU)), land in 亩.
LARGE_SLOPE, LARGE_MID_MU = 4.0, 16.0
LOW_PERFORMER_SHARE = 0.04

#: Manufacturing tags the sample draws from, with a base weight (≈ Ningbo's industrial mix).
INDUSTRY_BASE = {
    "绿色石化": 3.0, "汽车": 8.0, "高端装备": 12.0, "新材料": 9.0, "电子信息": 7.0,
    "软件与新兴服务": 1.0, "关键基础件": 9.0, "智能家电": 8.0, "时尚纺织服装": 7.0,
    "生物医药": 3.0, "文体用品": 4.0, "节能环保": 3.0, "新能源": 3.0,
    "5G+": 0.0, "人工智能": 0.0, "工业互联网": 0.0, "区块链": 0.0, "大数据和云计算": 0.0,
    "空天信息": 0.0, "氢能": 0.0,
}
ZONE_BIAS = 6.0  # weight added for a tag the sub-zone's industry_tags name
#: Per industry: 亩均 factor, 单位能耗增加值 median (万元/tce), 单位排放增加值 median (万元/吨),
#: electricity share of energy, name words.
INDUSTRY_PROFILE: dict[str, tuple[float, float, float, float, tuple[str, ...]]] = {
    "绿色石化": (1.6, 0.6, 90.0, 0.25, ("石化", "化工", "精细化工")),
    "汽车": (1.1, 2.2, 700.0, 0.7, ("汽车零部件", "汽配", "车业")),
    "高端装备": (1.0, 2.4, 800.0, 0.75, ("精密机械", "智能装备", "机电")),
    "新材料": (0.95, 1.0, 250.0, 0.6, ("新材料科技", "高分子材料", "磁材")),
    "电子信息": (1.2, 2.8, 1200.0, 0.85, ("电子", "光电科技", "微电子")),
    "软件与新兴服务": (0.5, 2.5, 1500.0, 0.8, ("供应链管理", "物流", "仓储服务")),
    "关键基础件": (0.9, 1.6, 500.0, 0.75, ("模具", "轴承", "液压", "紧固件")),
    "智能家电": (1.0, 2.2, 700.0, 0.75, ("电器", "家电", "小家电")),
    "时尚纺织服装": (0.7, 1.2, 150.0, 0.6, ("服饰", "针织", "纺织")),
    "生物医药": (1.3, 2.0, 300.0, 0.7, ("生物医药", "医疗器械", "药业")),
    "文体用品": (0.7, 2.0, 600.0, 0.75, ("文具", "体育用品", "文教用品")),
    "节能环保": (0.9, 1.8, 400.0, 0.7, ("环保科技", "节能设备", "环境工程")),
    "新能源": (1.1, 1.5, 600.0, 0.75, ("新能源科技", "储能", "光伏")),
    "5G+": (1.2, 2.8, 1200.0, 0.85, ("通信科技",)),
    "人工智能": (1.2, 2.8, 1200.0, 0.85, ("智能科技",)),
    "工业互联网": (1.2, 2.8, 1200.0, 0.85, ("物联科技",)),
    "区块链": (1.2, 2.8, 1200.0, 0.85, ("数字科技",)),
    "大数据和云计算": (1.2, 2.8, 1200.0, 0.85, ("数据科技",)),
    "空天信息": (1.2, 2.4, 1000.0, 0.8, ("航天科技",)),
    "氢能": (1.1, 1.5, 500.0, 0.7, ("氢能科技",)),
}
TCE_PER_10K_KWH = 1.229  # 电力当量值: 1 万千瓦时 = 1.229 吨标准煤
_NAME_HEAD = tuple("甬明瀚启澜恒睿盛博越嘉宏鼎华峰锦润泰晟卓")
_NAME_TAIL = tuple("辰岳航远澄川新达凯诚信研拓和源瑞丰科联宇")

# --- credit codes (GB 32100-2015) ---------------------------------------------------------
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 组织机构代码

# --- clearance register -------------------------------------------------------------------
REGISTER_PLAN = (  # (status, pool, count, years or None)
    ("已收储", "idle", 15, (2022, 2023, 2024)),
    ("已腾退", "idle", 15, (2022, 2023, 2024)),
    ("已腾退", "weak", 10, (2025, 2026)),
    ("已盘活", "building", 30, (2023, 2024)),
    ("已盘活", "weak", 15, (2025, 2026)),
    ("整治中", "weak", 30, None),
    ("待整治", "weak", 35, None),
)
REGISTER_NOTES = {
    "已收储": ("闲置土地依法收回，纳入政府储备（示例）", "协议收回后收储（示例）"),
    "已腾退": ("停产企业退出，厂房腾空（示例）", "低效企业关停腾退（示例）"),
    "已盘活": ("引进新项目，二次开发（示例）", "“工业上楼”改造提升容积率（示例）",
             "兼并重组后扩产（示例）"),
    "整治中": ("正在协商收回（示例）", "企业技改提升中（示例）", "厂房改造施工中（示例）"),
    "待整治": ("列入年度整治计划（示例）", "待制定处置方案（示例）"),
}


@dataclass(frozen=True)
class Sample:
    """The generated tables, ready to write.

    Attributes
    ----------
    parcels : GeoDataFrame
        Chinese headers, EPSG:4326.
    enterprises, register : DataFrame
        Chinese headers.
    short_subzones : tuple of str
        Sub-zones that received fewer parcels than allotted (id and how many short).
    """

    parcels: gpd.GeoDataFrame
    enterprises: pd.DataFrame
    register: pd.DataFrame
    short_subzones: tuple[str, ...]


# --- credit codes -------------------------------------------------------------------------

def credit_check_char(code17: str) -> str:
    """Check character of a unified social credit code (GB 32100-2015).

    Parameters
    ----------
    code17 : str
        The first 17 characters, from :data:`CODE_ALPHABET`.

    Returns
    -------
    str
        The 18th character.
    """
    total = sum(CODE_ALPHABET.index(ch) * w for ch, w in zip(code17, _CODE_WEIGHTS, strict=True))
    return CODE_ALPHABET[(31 - total % 31) % 31]


def _org_check_char(body8: str) -> str:
    """Check character of a GB 11714 organisation code (digit or X)."""
    total = sum(int(ch, 36) * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def make_credit_code(rng: np.random.Generator, adcode: str) -> str:
    """A random, syntactically valid code of an enterprise in ``adcode``.

    登记管理部门 9, 类别 1.
    """
    body = "".join(CODE_ALPHABET[i] for i in rng.integers(0, 31, size=8))
    code17 = "91" + adcode + body + _org_check_char(body)
    return code17 + credit_check_char(code17)


# --- layout -------------------------------------------------------------------------------

def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` that sum to ``total`` (ties by position)."""
    raw = weights / weights.sum() * total
    out = np.floor(raw).astype(np.int64)
    rest = total - int(out.sum())
    order = np.lexsort((np.arange(len(raw)), -(raw - out)))
    out[order[:rest]] += 1
    return out


@dataclass(frozen=True)
class _Grid:
    """Usable cells of one sub-zone: ``free[row, col]``; cell (0, 0) has corner (x0, y0)."""

    x0: float
    y0: float
    col0: int
    row0: int
    free: np.ndarray


def _grid(poly: shapely.Geometry) -> _Grid:
    """Cells of the road grid that lie fully inside ``poly`` shrunk by :data:`EDGE_MARGIN_M`."""
    inner = poly.buffer(-EDGE_MARGIN_M)
    minx, miny, maxx, maxy = inner.bounds
    col0, row0 = int(np.floor(minx / CELL_M)), int(np.floor(miny / CELL_M))
    ncol, nrow = int(np.ceil(maxx / CELL_M)) - col0, int(np.ceil(maxy / CELL_M)) - row0
    cols, rows = np.meshgrid(np.arange(ncol), np.arange(nrow))
    x = (col0 + cols.ravel()) * CELL_M
    y = (row0 + rows.ravel()) * CELL_M
    shapely.prepare(inner)
    inside = shapely.contains(inner, shapely.box(x, y, x + CELL_M, y + CELL_M))
    road = ((((col0 + cols) % (BLOCK_W + 1)) == BLOCK_W)
            | (((row0 + rows) % (BLOCK_H + 1)) == BLOCK_H))
    free = inside.reshape(nrow, ncol) & ~road
    return _Grid(col0 * CELL_M, row0 * CELL_M, col0, row0, free)


def _parcel_shapes(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` parcel shapes in cells, ``(rows, cols)``.

    Areas are a mixture of two log-normals (small plots of 规下 firms, larger plots), clipped to
    :data:`AREA_MIN_MU`–:data:`AREA_MAX_MU`; aspect 1–2.2; the sides allow for the inset.
    """
    small = rng.random(n) < SMALL_PLOT_SHARE
    area = np.where(small, rng.lognormal(np.log(SMALL_PLOT_MU[0]), SMALL_PLOT_MU[1], n),
                    rng.lognormal(np.log(LARGE_PLOT_MU[0]), LARGE_PLOT_MU[1], n))
    area_m2 = np.clip(area, AREA_MIN_MU, AREA_MAX_MU) * M2_PER_MU
    aspect = rng.uniform(1.0, 2.2, n)
    short_m = np.sqrt(area_m2 / aspect)
    short = np.clip(np.rint((short_m + 2 * INSET_M) / CELL_M), 2, BLOCK_H)
    long_m = area_m2 / (short * CELL_M - 2 * INSET_M)
    long_ = np.clip(np.ceil((long_m + 2 * INSET_M) / CELL_M), short, BLOCK_W)
    flip = rng.random(n) < 0.5
    rows = np.where(flip, long_, short).astype(np.int64)
    cols = np.where(flip, short, long_).astype(np.int64)
    return np.column_stack([rows, cols])


def _fill_order(rng: np.random.Generator, grid: _Grid) -> np.ndarray:
    """Flat indices of free cells: block by block outward from a random core, raster inside."""
    free = grid.free
    nrow, ncol = free.shape
    rows, cols = np.nonzero(free)
    grow, gcol = grid.row0 + rows, grid.col0 + cols
    # core: a random free cell among the 30 % nearest the sub-zone's centre of free cells
    d0 = np.hypot(rows - rows.mean(), cols - cols.mean())
    near = np.flatnonzero(d0 <= np.quantile(d0, 0.3))
    core = near[rng.integers(len(near))]
    brow, bcol = grow // (BLOCK_H + 1), gcol // (BLOCK_W + 1)
    b0r, b0c = brow.min(), bcol.min()
    noise = rng.uniform(0.0, 0.8, size=(brow.max() - b0r + 1, bcol.max() - b0c + 1))
    centre_r = (brow + 0.5) * (BLOCK_H + 1) - grid.row0
    centre_c = (bcol + 0.5) * (BLOCK_W + 1) - grid.col0
    dist = np.hypot((centre_r - rows[core]) / (BLOCK_H + 1),
                    (centre_c - cols[core]) / (BLOCK_W + 1))
    key = dist + noise[brow - b0r, bcol - b0c]
    order = np.lexsort((cols, rows, bcol, brow, key))
    return rows[order] * ncol + cols[order]


_CHUNK = 1024


def _place(grid: _Grid, shapes: np.ndarray, order: np.ndarray) -> list[tuple[int, int, int, int]]:
    """First-fit placement of ``shapes`` in fill order.

    Each shape goes to the first cell of ``order`` where it fits as drawn or turned by 90°
    (as drawn preferred); a summed-area table of blocked cells answers "does it fit" for every
    candidate cell at once.

    Returns
    -------
    list of (row, col, nrows, ncols)
        One per parcel placed; a shape that fits nowhere is skipped.
    """
    free = grid.free.copy()
    nrow, ncol = free.shape
    r_all, c_all = np.divmod(order, ncol)
    table = np.zeros((nrow + 1, ncol + 1), dtype=np.int64)
    placed: list[tuple[int, int, int, int]] = []
    start = 0

    def first_fit(r: np.ndarray, c: np.ndarray, h: int, w: int) -> int:
        r2, c2 = np.minimum(r + h, nrow), np.minimum(c + w, ncol)
        blocked = table[r2, c2] - table[r, c2] - table[r2, c] + table[r, c]
        fits = (r + h <= nrow) & (c + w <= ncol) & (blocked == 0)
        return int(np.argmax(fits)) if fits.any() else len(r)

    for h0, w0 in shapes:
        table[1:, 1:] = np.cumsum(np.cumsum(~free, axis=0), axis=1)
        still = free[r_all[start:], c_all[start:]]
        start += int(np.argmax(still)) if still.any() else len(still)
        turns = ((int(h0), int(w0)), (int(w0), int(h0)))
        for lo in range(start, len(order), _CHUNK):  # nearly always found in the first chunk
            r, c = r_all[lo:lo + _CHUNK], c_all[lo:lo + _CHUNK]
            hits = [first_fit(r, c, h, w) for h, w in turns]
            k = min(hits)
            if k < len(r):
                break
        else:
            continue
        h, w = turns[0] if hits[0] == k else turns[1]
        rr, cc = int(r[k]), int(c[k])
        free[rr:rr + h, cc:cc + w] = False
        placed.append((rr, cc, h, w))
    return placed


def layout_parcels(rng: np.random.Generator, subzones: gpd.GeoDataFrame, adcodes: Mapping[str, str],
                   n_parcels: int = N_PARCELS) -> tuple[gpd.GeoDataFrame, tuple[str, ...]]:
    """Lay out parcel rectangles inside the sub-zones.

    Parameters
    ----------
    rng : numpy.random.Generator
    subzones : GeoDataFrame
        The catalogue's sub-zone layer (any CRS).
    adcodes : mapping
        District name → adcode (the parcel-id prefix).
    n_parcels : int
        Parcels to allot over all sub-zones, in proportion to their usable cells.

    Returns
    -------
    (GeoDataFrame, tuple of str)
        Parcels in EPSG:4326 with ``parcel_id``, ``land_area_m2``, ``subzone_id``,
        ``industry_tags`` (of the sub-zone), sorted by id; and the sub-zones left short.
    """
    sz = subzones.sort_values("id").to_crs(AREA_CRS).reset_index(drop=True)
    grids = [_grid(g) for g in sz.geometry]
    usable = np.array([g.free.sum() for g in grids], dtype=float)
    quota = _largest_remainder(usable, n_parcels)
    serial: dict[str, int] = {}
    rows: list[dict[str, object]] = []
    corners: list[tuple[float, float, float, float]] = []
    short: list[str] = []
    for (_, zone), grid, n in zip(sz.iterrows(), grids, quota, strict=True):
        shapes = _parcel_shapes(rng, int(n))
        placed = _place(grid, shapes, _fill_order(rng, grid)) if n and grid.free.any() else []
        if len(placed) < n:
            short.append(f"{zone['id']} {zone['name']}: {len(placed)}/{n}")
        adcode = adcodes[str(zone["district"])]
        for r, c, h, w in placed:
            serial[adcode] = serial.get(adcode, 0) + 1
            x0, y0 = grid.x0 + c * CELL_M + INSET_M, grid.y0 + r * CELL_M + INSET_M
            corners.append((x0, y0, x0 + w * CELL_M - 2 * INSET_M, y0 + h * CELL_M - 2 * INSET_M))
            rows.append({"parcel_id": f"{adcode}{serial[adcode]:05d}", "subzone_id": zone["id"],
                         "industry_tags": zone["industry_tags"]})
    boxes = shapely.box(*np.asarray(corners, dtype=float).reshape(-1, 4).T)
    gdf = gpd.GeoDataFrame(rows, geometry=boxes, crs=AREA_CRS).to_crs(STORAGE_CRS)
    gdf.geometry = shapely.transform(gdf.geometry.values, lambda xy: np.round(xy, 7))
    gdf["land_area_m2"] = gdf.to_crs(AREA_CRS).area.round(2)
    gdf = gdf.sort_values("parcel_id", kind="stable").reset_index(drop=True)
    return gdf, tuple(short)


# --- attributes ---------------------------------------------------------------------------

def parcel_attributes(rng: np.random.Generator, parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add 用地性质, 生产状态, 容积率 and 建筑面积 (``land_use``, ``status``, ``far``,
    ``floor_area_m2``) and ``year``."""
    n = len(parcels)
    out = parcels.copy()
    statuses = np.array(list(STATUS_P))
    assert set(statuses) <= set(PARCEL_STATUSES)
    status = statuses[rng.choice(len(statuses), size=n, p=list(STATUS_P.values()))]
    warehouse = rng.random(n) < WAREHOUSE_SHARE
    far = np.where(warehouse, rng.lognormal(np.log(1.0), 0.3, n),
                   rng.lognormal(np.log(1.4), 0.3, n))
    far = np.where(np.isin(status, ["停产", "半停产"]), far * 0.8, far)
    far = np.where(status == "在建", rng.uniform(0.0, 0.5, n), far)
    idle_far = np.where(rng.random(n) < 0.6, 0.0, rng.uniform(0.2, 0.9, n))
    far = np.round(np.clip(np.where(status == "闲置", idle_far, far), 0.0, 4.0), 2)
    out["land_use"] = np.where(warehouse, "仓储用地", "工业用地")
    out["status"] = status
    out["far"] = far
    out["floor_area_m2"] = np.round(far * out["land_area_m2"].to_numpy(), 2)
    out["year"] = YEAR
    return out


def _industries(rng: np.random.Generator, zone_tags: Sequence[str], warehouse: np.ndarray,
                tags: Sequence[str]) -> np.ndarray:
    """One industry tag per enterprise, biased towards its sub-zone's ``industry_tags``."""
    base = np.array([INDUSTRY_BASE[t] for t in tags])
    weights = np.empty((len(zone_tags), len(tags)))
    for i, (zt, wh) in enumerate(zip(zone_tags, warehouse, strict=True)):
        own = set(split_tags(zt))
        bias = np.array([(ZONE_BIAS / (3.0 if t == "软件与新兴服务" else 1.0)) if t in own else 0.0
                         for t in tags])
        w = base + bias
        if wh:  # warehouses: mostly logistics (软件与新兴服务 holds 物流/供应链)
            w = w / w.sum() * 0.3
            w[tags.index("软件与新兴服务")] += 0.7
        weights[i] = w / w.sum()
    u = rng.random(len(zone_tags))
    idx = (np.cumsum(weights, axis=1) < u[:, None]).sum(axis=1)
    return np.asarray(tags, dtype=object)[np.minimum(idx, len(tags) - 1)]


def _names(rng: np.random.Generator, industries: Iterable[str], above: np.ndarray,
           seen: set[str] | None = None) -> list[str]:
    """Unique, obviously fictional names: 示例·宁波{字号}{行业词}{有限公司|股份有限公司}.

    ``seen`` (names already taken) is extended with the new names.
    """
    seen = set() if seen is None else seen
    names = []
    for ind, big in zip(industries, above, strict=True):
        words = INDUSTRY_PROFILE[ind][4]
        while True:
            head = _NAME_HEAD[rng.integers(len(_NAME_HEAD))]
            tail = _NAME_TAIL[rng.integers(len(_NAME_TAIL))]
            word = words[rng.integers(len(words))]
            suffix = "股份有限公司" if big and rng.random() < 0.3 else "有限公司"
            name = f"示例·宁波{head}{tail}{word}{suffix}"
            if name not in seen:
                seen.add(name)
                names.append(name)
                break
    return names


def make_enterprises(rng: np.random.Generator, parcels: gpd.GeoDataFrame,
                     adcodes: Mapping[str, str]) -> pd.DataFrame:
    """Enterprises on the parcels, with canonical field names.

    Occupancy: 闲置 parcels none; 在建 half none, half one (not yet producing); 停产 one with
    near-zero output; 半停产 one at 15–50 % output; 正常 one, except that 正常 parcels of 8–40 亩
    have two (18 %) or three (10 %) tenants.
    Output: a latent 亩均增加值 (two firm types, log-normal, industry factor, a low-performer
    tail) × the enterprise's land (a shared parcel split equally); the rest follows from it
    (see data/sample/README.md). 规模 is 规上 exactly when 营业收入 ≥ 2000 万元.

    The steps below draw from ``rng`` in a fixed order; reordering them changes the sample.
    """
    k = _tenants_per_parcel(rng, parcels)
    pi = np.repeat(np.arange(len(parcels)), k)
    land_mu = parcels["land_area_m2"].to_numpy()[pi] / M2_PER_MU / k[pi]
    est = parcels["status"].to_numpy()[pi]
    warehouse = parcels["land_use"].to_numpy()[pi] == "仓储用地"
    industry = _industries(rng, parcels["industry_tags"].to_numpy()[pi], warehouse,
                           list(INDUSTRY_BASE))
    large, out_factor, va = _value_added(rng, land_mu, industry, est)
    va, revenue, tax = _revenue_and_tax(rng, va, large)
    above = revenue >= ABOVE_SCALE_REVENUE
    energy, emission, power = _resources(rng, va, land_mu, industry, out_factor)
    staff, rd = _staff_and_rd(rng, va, revenue, above, out_factor)
    parcel_ids = parcels["parcel_id"].to_numpy()[pi]
    codes = _credit_codes(rng, [adcodes[str(pid)[:6]] for pid in parcel_ids])
    names = _names(rng, industry, above)
    return pd.DataFrame({
        "credit_code": codes,
        "name": names,
        "parcel_id": parcel_ids,
        "scale": np.where(above, SCALES[0], SCALES[1]),
        "industry": industry,
        "year": YEAR,
        "tax_wan": _money(tax),
        "value_added_wan": _money(va),
        "revenue_wan": _money(revenue),
        "energy_tce": _money(energy),
        "emission_t": np.round(emission, 3) + 0.0,
        "power_10k_kwh": _money(power),
        "employees": staff,
        "rd_wan": _money(rd),
        # unrounded figures and latent state, for the earlier years (make_history); not written
        "_large": large, "_out": out_factor, "_va": va, "_revenue": revenue, "_tax": tax,
        "_energy": energy, "_emission": emission, "_power": power, "_rd": rd,
    })


def _money(a: np.ndarray) -> np.ndarray:
    """Round to 0.01 万元; ``+ 0.0`` turns -0.0 into 0.0."""
    return np.round(a, 2) + 0.0


def _tenants_per_parcel(rng: np.random.Generator, parcels: gpd.GeoDataFrame) -> np.ndarray:
    """How many enterprises each parcel holds (0–3), by its status and land (see occupancy)."""
    n_par = len(parcels)
    status = parcels["status"].to_numpy()
    k = np.ones(n_par, dtype=np.int64)
    k[status == "闲置"] = 0
    k[(status == "在建") & (rng.random(n_par) < 0.5)] = 0
    u = rng.random(n_par)
    par_mu = parcels["land_area_m2"].to_numpy() / M2_PER_MU
    normal = (status == "正常") & (par_mu >= SHARED_LAND_MU[0]) & (par_mu <= SHARED_LAND_MU[1])
    k[normal & (u < SHARED_2 + SHARED_3)] = 2
    k[normal & (u < SHARED_3)] = 3
    return k


def _value_added(rng: np.random.Generator, land_mu: np.ndarray, industry: np.ndarray,
                 est: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Firm type (large or not), output factor of the parcel's status, and 增加值 (万元)."""
    n = len(land_mu)
    ind_factor = np.array([INDUSTRY_PROFILE[t][0] for t in industry])
    # latent type: larger land → more likely a large firm (logistic in log land)
    p_large = 1.0 / (1.0 + np.exp(-LARGE_SLOPE * (np.log(land_mu) - np.log(LARGE_MID_MU))))
    large = rng.random(n) < p_large
    va_mu = np.where(large, rng.lognormal(np.log(VA_MU_LARGE), VA_SIGMA_LARGE, n),
                     rng.lognormal(np.log(VA_MU_SMALL), VA_SIGMA_SMALL, n)) * ind_factor
    low = rng.random(n) < LOW_PERFORMER_SHARE
    va_mu = np.where(low, va_mu * rng.uniform(0.04, 0.25, n), va_mu)
    out_factor = np.ones(n)
    out_factor[est == "半停产"] = rng.uniform(0.15, 0.5, n)[est == "半停产"]
    out_factor[est == "停产"] = rng.uniform(0.0, 0.01, n)[est == "停产"]
    out_factor[est == "在建"] = rng.uniform(0.0, 0.02, n)[est == "在建"]
    return large, out_factor, va_mu * land_mu * out_factor


def _revenue_and_tax(rng: np.random.Generator, va: np.ndarray, large: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """增加值 (lowered where revenue was capped), 营业收入 (as published) and 税收, in 万元."""
    n = len(va)
    rev_ratio = rng.uniform(3.0, 6.0, n)
    revenue = va * rev_ratio
    # a small firm stays below the 规上 line: its revenue is capped under 2000 万元
    capped = ~large & (revenue >= ABOVE_SCALE_REVENUE)
    revenue = np.where(capped, ABOVE_SCALE_REVENUE * rng.uniform(0.7, 0.99, n), revenue)
    va = np.where(capped, revenue / rev_ratio, va)
    tax = va * rng.uniform(0.25, 0.45, n)
    revenue = np.round(revenue, 2)  # the 规上 line is judged on the figure as published
    return va, revenue, tax


def _resources(rng: np.random.Generator, va: np.ndarray, land_mu: np.ndarray,
               industry: np.ndarray, out_factor: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """综合能耗 (吨标准煤), 排放当量 (吨) and 用电量 (万千瓦时) from 增加值 and the industry."""
    n = len(va)
    prof = INDUSTRY_PROFILE
    eff = np.array([prof[t][1] for t in industry]) * rng.lognormal(0.0, 0.35, n)
    standby = land_mu * rng.uniform(0.3, 2.0, n)  # heating, lighting, security of an idle plant
    energy = np.maximum(va / np.clip(eff, 0.3, 6.0), np.where(out_factor < 0.05, standby, 0.0))
    emission = np.maximum(va / (np.array([prof[t][2] for t in industry])
                                * rng.lognormal(0.0, 0.5, n)), 0.001 * land_mu)
    share = np.clip(np.array([prof[t][3] for t in industry]) + rng.uniform(-0.15, 0.15, n),
                    0.1, 0.95)
    return energy, emission, energy * share / TCE_PER_10K_KWH


def _staff_and_rd(rng: np.random.Generator, va: np.ndarray, revenue: np.ndarray,
                  above: np.ndarray, out_factor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """从业人员 (from a labour productivity by scale) and 研发经费 (万元, a share of revenue)."""
    n = len(va)
    productivity = np.where(above, rng.lognormal(np.log(30.0), 0.35, n),
                            rng.lognormal(np.log(16.0), 0.4, n))
    staff = np.maximum(np.rint(va / productivity), 3)
    staff = np.where(out_factor < 0.05, rng.integers(2, 16, n), staff).astype(np.int64)
    rd_rate = np.where(above, rng.uniform(0.01, 0.05, n),
                       np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0.002, 0.03, n)))
    return staff, revenue * rd_rate


def _credit_codes(rng: np.random.Generator, adcodes: Sequence[str],
                  seen: set[str] | None = None) -> list[str]:
    """One unique credit code per enterprise, in the district ``adcodes`` of its parcel.

    ``seen`` (codes already taken) is extended with the new codes.
    """
    codes: list[str] = []
    seen = set() if seen is None else seen
    for ad in adcodes:
        code = make_credit_code(rng, ad)
        while code in seen:
            code = make_credit_code(rng, ad)
        seen.add(code)
        codes.append(code)
    return codes


def make_register(rng: np.random.Generator, parcels: gpd.GeoDataFrame,
                  enterprises: pd.DataFrame) -> pd.DataFrame:
    """An initial 低效用地整治台账 (150 parcels per 3000), consistent with the 2024 data.

    Parcels cleared by 2024 (已收储, 已腾退) are 闲置 parcels without enterprises; 已盘活 in
    2023–2024 are parcels now 在建 (a new project); steps dated 2025–2026 and the open ones
    (整治中, 待整治) concern "weak" parcels — 停产/半停产, 工业用地 with 容积率 < 0.8, or 亩均税收
    < 10 万元/亩 in the 2024 data.
    """
    pid = parcels["parcel_id"].astype(str)
    land_mu = parcels["land_area_m2"] / M2_PER_MU
    tax = enterprises.groupby("parcel_id")["tax_wan"].sum().reindex(pid).to_numpy()
    tax_mu = tax / land_mu.to_numpy()
    weak = (parcels["status"].isin(["停产", "半停产"])
            | ((parcels["land_use"] == "工业用地") & (parcels["far"] < 0.8))
            | (tax_mu < 10.0)) & parcels["status"].isin(["正常", "停产", "半停产"])
    pools = {"idle": list(pid[parcels["status"] == "闲置"]),
             "building": list(pid[parcels["status"] == "在建"]),
             "weak": list(pid[weak.to_numpy()])}
    taken: set[str] = set()
    rows = []
    for status, pool, count, years in REGISTER_PLAN:
        cand = [p for p in pools[pool] if p not in taken]
        size = min(len(cand), round(count * len(parcels) / N_PARCELS))
        chosen = sorted(cand[i] for i in rng.choice(len(cand), size=size, replace=False))
        for p in chosen:
            taken.add(p)
            notes = REGISTER_NOTES[status]
            rows.append({"parcel_id": p, "status": status,
                         "area_mu": round(float(land_mu[pid == p].iloc[0]), 2),
                         "year": "" if years is None else str(years[rng.integers(len(years))]),
                         "note": notes[rng.integers(len(notes))]})
    reg = pd.DataFrame(rows)
    assert set(reg["status"]) <= set(CLEARANCE_STATUSES)
    return reg.sort_values("parcel_id", kind="stable").reset_index(drop=True)


# --- several years and the scheme fields ----------------------------------------------------
#: The earlier years, 行业代码, 成立年份, 用地方式, 免评原因 and 供地年份 come from a generator of
#: their own (seed + HISTORY_SEED_OFFSET), drawn after the latest year is complete, so the latest
#: year's figures do not depend on them.
HISTORY_SEED_OFFSET = 29
#: Yearly growth of an enterprise's output: a firm trend ~ N(mean, sd) plus a yearly N(0, sd).
GROWTH_MEAN, GROWTH_SD_FIRM, GROWTH_SD_YEAR = 0.06, 0.05, 0.08
#: 税收 grows this much faster than 增加值 per year (collection improves).
TAX_EXTRA_GROWTH = 0.015
#: Share of enterprises (not on 在建 parcels) that entered after the first year; output in the
#: year of entry × ENTRY_RAMP.
ENTRANT_SHARE, ENTRY_RAMP = 0.08, 0.7
#: Share of enterprises that rent (用地方式 租赁) from the first enterprise on their parcel.
TENANT_SHARE = 0.036
#: Share of 闲置 parcels (outside the register) whose enterprise left in 2022–2025.
EXIT_SHARE = 0.3
#: Share of enterprises without 行业代码; of those with one, shares written with the 小类
#: ("C3911") and as plain digits ("3911").
CODE_BLANK, CODE_FOUR_DIGIT, CODE_PLAIN = 0.01, 0.05, 0.01
#: Declared 免评原因: (reason, how many, among enterprises on parcels of this status).
EXEMPT_PLAN = (("政策性搬迁", 6, "半停产"), ("重大技改项目实施期", 3, "正常"))
#: First year the declared 免评原因 apply.
EXEMPT_FROM = 2024
#: Per industry tag: GB/T 4754—2017 大类 codes (letter + 2 digits), weights and a typical 小类.
INDUSTRY_CODES: dict[str, tuple[tuple[str, float, str], ...]] = {
    "绿色石化": (("C26", 0.6, "2614"), ("C25", 0.2, "2511"), ("C29", 0.2, "2929")),
    "汽车": (("C36", 1.0, "3670"),),
    "高端装备": (("C34", 0.5, "3421"), ("C35", 0.4, "3562"), ("C37", 0.1, "3731")),
    "新材料": (("C26", 0.3, "2651"), ("C30", 0.2, "3062"), ("C32", 0.3, "3240"),
            ("C29", 0.2, "2929")),
    "电子信息": (("C39", 0.8, "3911"), ("C38", 0.2, "3831")),
    "软件与新兴服务": (("G59", 0.5, "5920"), ("L72", 0.2, "7224"), ("I65", 0.3, "6513")),
    "关键基础件": (("C34", 0.7, "3451"), ("C33", 0.3, "3311")),
    "智能家电": (("C38", 1.0, "3851"),),
    "时尚纺织服装": (("C18", 0.6, "1811"), ("C17", 0.4, "1713")),
    "生物医药": (("C27", 0.7, "2720"), ("C35", 0.3, "3581")),
    "文体用品": (("C24", 1.0, "2411"),),
    "节能环保": (("C35", 0.5, "3591"), ("C34", 0.2, "3463"), ("N77", 0.3, "7721")),
    "新能源": (("C38", 0.75, "3841"), ("C39", 0.15, "3985"), ("D44", 0.1, "4416")),
    "5G+": (("C39", 1.0, "3921"),),
    "人工智能": (("C39", 0.5, "3969"), ("I65", 0.5, "6513")),
    "工业互联网": (("I64", 0.5, "6450"), ("I65", 0.5, "6531")),
    "区块链": (("I65", 1.0, "6513"),),
    "大数据和云计算": (("I64", 0.5, "6450"), ("I65", 0.5, "6550")),
    "空天信息": (("C37", 0.5, "3743"), ("C39", 0.5, "3940")),
    "氢能": (("C26", 0.5, "2619"), ("C34", 0.5, "3413")),
}
_MONEY = ("tax_wan", "value_added_wan", "revenue_wan", "energy_tce", "emission_t",
          "power_10k_kwh", "rd_wan")
_HIDDEN = {"tax_wan": "_tax", "value_added_wan": "_va", "revenue_wan": "_revenue",
           "energy_tce": "_energy", "emission_t": "_emission", "power_10k_kwh": "_power",
           "rd_wan": "_rd"}


def _industry_codes(rng: np.random.Generator, industry: np.ndarray) -> np.ndarray:
    """One 行业代码 per enterprise, consistent with its 行业 tag (see :data:`INDUSTRY_CODES`)."""
    n = len(industry)
    u, style = rng.random(n), rng.random(n)
    out = np.empty(n, dtype=object)
    for i, tag in enumerate(industry):
        options = INDUSTRY_CODES[str(tag)]
        cum = np.cumsum([w for _, w, _ in options])
        code, _, fine = options[min(int(np.searchsorted(cum, u[i] * cum[-1])), len(options) - 1)]
        if style[i] < CODE_BLANK:
            out[i] = ""
        elif style[i] < CODE_BLANK + CODE_PLAIN:
            out[i] = fine
        elif style[i] < CODE_BLANK + CODE_PLAIN + CODE_FOUR_DIGIT:
            out[i] = code[0] + fine
        else:
            out[i] = code
    return out


def _full_output(rng: np.random.Generator, ent: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each enterprise's figures at full output (before its parcel's 停产/半停产 set in).

    半停产: the latest figures ÷ the output factor; 停产: 增加值, 营业收入, 税收 and 研发经费 ÷ the
    output factor, energy, emission and electricity from industry medians, staff from a
    median productivity. A small firm stays below the 规上 line.
    """
    n = len(ent)
    out = ent["_out"].to_numpy()
    est = ent["_status"].to_numpy()
    ind = ent["industry"].to_numpy()
    slowed = np.isin(est, ["停产", "半停产"])
    factor = np.where(slowed, 1.0 / np.maximum(out, 1e-6), 1.0)
    full = {c: ent[_HIDDEN[c]].to_numpy() * factor for c in _MONEY}
    staff = ent["employees"].to_numpy().astype(float)
    full_staff = np.where(slowed, np.maximum(np.rint(staff / np.maximum(out, 1e-6)), 3), staff)
    stopped = est == "停产"
    prof = INDUSTRY_PROFILE
    va = full["value_added_wan"]
    energy = va / np.array([prof[t][1] for t in ind])
    full["energy_tce"] = np.where(stopped, energy, full["energy_tce"])
    full["emission_t"] = np.where(stopped, va / np.array([prof[t][2] for t in ind]),
                                  full["emission_t"])
    full["power_10k_kwh"] = np.where(
        stopped, energy * np.array([prof[t][3] for t in ind]) / TCE_PER_10K_KWH,
        full["power_10k_kwh"])
    large = ent["_large"].to_numpy()
    productivity = np.where(large, 30.0, 16.0)
    full_staff = np.where(stopped, np.maximum(np.rint(va / productivity), 3), full_staff)
    cap_to = ABOVE_SCALE_REVENUE * rng.uniform(0.7, 0.99, n)
    over = slowed & ~large & (full["revenue_wan"] >= ABOVE_SCALE_REVENUE)
    scale = np.where(over, cap_to / np.maximum(full["revenue_wan"], 1e-9), 1.0)
    full = {c: v * scale for c, v in full.items()}
    # a firm 规上 at full output spends as 规上 firms do on R&D (1–5 % of revenue)
    rd_rate = rng.uniform(0.01, 0.05, n)
    big = slowed & (full["revenue_wan"] >= ABOVE_SCALE_REVENUE)
    full["rd_wan"] = np.where(big, full["revenue_wan"] * rd_rate, full["rd_wan"])
    full["employees"] = np.where(over, np.maximum(np.rint(full_staff * scale), 3), full_staff)
    return full


def _exits(rng: np.random.Generator, parcels: gpd.GeoDataFrame, register: pd.DataFrame,
           adcodes: Mapping[str, str], codes: set[str], names: set[str]
           ) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """Enterprises that left before the latest year, on parcels now 闲置.

    Parcels the register shows 已收储 or 已腾退 by the latest year lost their enterprise that
    year; of the other 闲置 parcels :data:`EXIT_SHARE` lost theirs in 2022–2025. These were weak
    firms (亩均增加值 median 35 万元/亩, declining).

    Returns
    -------
    (DataFrame, dict)
        One row per enterprise (canonical names, ``exit_year``) and, per year, the row
        positions present.
    """
    idle = parcels.loc[parcels["status"] == "闲置"].reset_index(drop=True)
    reg_year = pd.to_numeric(register.set_index("parcel_id")["year"], errors="coerce")
    cleared = register.set_index("parcel_id")["status"].isin(["已收储", "已腾退"]) \
        & (reg_year <= YEAR)
    u = rng.random(len(idle))
    drawn = rng.integers(YEARS[1], YEAR + 1, len(idle))
    pid = idle["parcel_id"].astype(str)
    in_reg = pid.map(cleared).fillna(False).astype(bool).to_numpy()
    exit_year = np.where(in_reg, pid.map(reg_year).fillna(0).to_numpy(), drawn).astype(np.int64)
    keep = (in_reg | (u < EXIT_SHARE)) & (exit_year > YEARS[0])
    idle, exit_year = idle.loc[keep].reset_index(drop=True), exit_year[keep]
    n = len(idle)
    land_mu = idle["land_area_m2"].to_numpy() / M2_PER_MU
    industry = _industries(rng, idle["industry_tags"].to_numpy(),
                           (idle["land_use"] == "仓储用地").to_numpy(), list(INDUSTRY_BASE))
    va_mu = rng.lognormal(np.log(35.0), 0.6, n) * np.array([INDUSTRY_PROFILE[t][0]
                                                            for t in industry])
    rev_ratio, tax_ratio = rng.uniform(3.0, 6.0, n), rng.uniform(0.25, 0.45, n)
    trend = rng.normal(-0.12, 0.08, n)
    eff = np.array([INDUSTRY_PROFILE[t][1] for t in industry]) * rng.lognormal(0.0, 0.35, n)
    em = np.array([INDUSTRY_PROFILE[t][2] for t in industry]) * rng.lognormal(0.0, 0.5, n)
    share = np.array([INDUSTRY_PROFILE[t][3] for t in industry])
    founded = rng.integers(1995, 2016, n)
    code_list = _credit_codes(rng, [adcodes[p[:6]] for p in idle["parcel_id"].astype(str)], codes)
    name_list = _names(rng, industry, np.zeros(n, dtype=bool), names)
    ind_codes = _industry_codes(rng, industry)
    base = pd.DataFrame({
        "credit_code": code_list, "name": name_list, "parcel_id": idle["parcel_id"].to_numpy(),
        "industry": industry, "industry_code": ind_codes, "founded_year": founded,
        "exit_year": exit_year, "_land_mu": land_mu, "_va_mu": va_mu, "_rev_ratio": rev_ratio,
        "_tax_ratio": tax_ratio, "_trend": trend, "_eff": eff, "_em": em, "_share": share})
    present = {y: np.flatnonzero(exit_year > y) for y in YEARS}
    return base, present


def _exit_rows(base: pd.DataFrame, rows: np.ndarray, year: int) -> pd.DataFrame:
    """The figures of the leaving enterprises ``rows`` in ``year``."""
    b = base.iloc[rows]
    level = np.exp(b["_trend"].to_numpy() * (year - YEARS[0]))
    va = b["_va_mu"].to_numpy() * b["_land_mu"].to_numpy() * level
    revenue = va * b["_rev_ratio"].to_numpy()
    capped = revenue >= ABOVE_SCALE_REVENUE
    cap = np.where(capped, 0.95 * ABOVE_SCALE_REVENUE / np.maximum(revenue, 1e-9), 1.0)
    va, revenue = va * cap, np.round(revenue * cap, 2)
    energy = va / np.clip(b["_eff"].to_numpy(), 0.3, 6.0)
    return pd.DataFrame({
        "credit_code": b["credit_code"].to_numpy(), "name": b["name"].to_numpy(),
        "parcel_id": b["parcel_id"].to_numpy(),
        "scale": np.where(revenue >= ABOVE_SCALE_REVENUE, SCALES[0], SCALES[1]),
        "industry": b["industry"].to_numpy(), "industry_code": b["industry_code"].to_numpy(),
        "year": year,
        "tax_wan": _money(va * b["_tax_ratio"].to_numpy()), "value_added_wan": _money(va),
        "revenue_wan": _money(revenue), "energy_tce": _money(energy),
        "emission_t": np.round(np.maximum(va / b["_em"].to_numpy(),
                                          0.001 * b["_land_mu"].to_numpy()), 3) + 0.0,
        "power_10k_kwh": _money(energy * b["_share"].to_numpy() / TCE_PER_10K_KWH),
        "employees": np.maximum(np.rint(va / 16.0), 3).astype(np.int64),
        "rd_wan": _money(revenue * 0.004),
        "tenure": "自有", "landlord_code": "", "founded_year": b["founded_year"].to_numpy(),
        "exempt_reason": "",
    })


def make_history(rng: np.random.Generator, parcels: gpd.GeoDataFrame, enterprises: pd.DataFrame,
                 register: pd.DataFrame, adcodes: Mapping[str, str]
                 ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Add the earlier years and the scheme fields.

    The enterprises of the latest year keep their figures exactly. Each also gets a 行业代码
    (from its 行业, :data:`INDUSTRY_CODES`), a 成立年份, a 用地方式 (租赁 from the first
    enterprise on its parcel for :data:`TENANT_SHARE`) and, for a few, a 免评原因. Going back
    a year divides its output by a yearly growth factor (firm trend + yearly noise); 税收 grows
    a little faster. Entrants (:data:`ENTRANT_SHARE`, and those on 在建 parcels) are present
    from their 成立年份; enterprises of 停产/半停产 parcels produced fully before 2024 or 2025;
    enterprises that left (:func:`_exits`) are present until they left. Parcels get a
    供地年份 no later than their first enterprise's arrival (在建: 2023–2025).

    Returns
    -------
    (GeoDataFrame, DataFrame)
        Parcels with ``supply_year``; enterprises of every year (canonical names), by year.
    """
    ent = enterprises.reset_index(drop=True)
    n = len(ent)
    status = ent["parcel_id"].map(parcels.set_index("parcel_id")["status"])
    ent["_status"] = status.to_numpy()
    est = ent["_status"].to_numpy()
    building = est == "在建"
    codes = _industry_codes(rng, ent["industry"].to_numpy())
    entrant = ~building & (rng.random(n) < ENTRANT_SHARE)
    first = np.where(entrant, rng.integers(YEARS[1], YEAR + 1, n), YEARS[0])
    first = np.where(building, rng.integers(YEAR - 1, YEAR + 1, n), first)
    late = entrant | building
    founded = np.where(late, first - (rng.random(n) < 0.3), rng.integers(1993, YEARS[0], n))
    trend = rng.normal(GROWTH_MEAN, GROWTH_SD_FIRM, n)
    noise = rng.normal(0.0, GROWTH_SD_YEAR, (n, len(YEARS) - 1))
    slowed_from = rng.integers(YEAR - 1, YEAR + 1, n)
    full = _full_output(rng, ent.assign(_status=est))
    # tenants: a later enterprise on a shared parcel rents from the parcel's first enterprise
    pid = ent["parcel_id"].astype(str)
    head = ~pid.duplicated()
    landlord_pos = pd.Series(np.arange(n)).where(head).ffill().astype(int).to_numpy()
    candidate = ~head.to_numpy() & (first >= first[landlord_pos])
    p_tenant = TENANT_SHARE * n / max(int(candidate.sum()), 1)
    tenant = candidate & (rng.random(n) < p_tenant)
    credit = ent["credit_code"].to_numpy()
    landlord = np.where(tenant, credit[landlord_pos], "")
    # declared 免评原因, from 2024 on
    exempt = np.full(n, "", dtype=object)
    for reason, count, on in EXEMPT_PLAN:
        pool = np.flatnonzero((est == on) & ~late & (exempt == ""))
        exempt[np.sort(rng.choice(pool, size=min(count, len(pool)), replace=False))] = reason
    # 供地年份: before the first enterprise arrived; 在建 parcels recently
    par = parcels.copy()
    par_first = pd.Series(first).groupby(pid.to_numpy()).min()
    arrived = par["parcel_id"].astype(str).map(par_first).fillna(YEAR + 1).to_numpy()
    supply = rng.integers(1995, YEARS[0], len(par))
    recent = rng.integers(YEAR - 2, YEAR + 1, len(par))
    lag = rng.integers(0, 2, len(par))
    supply = np.where(par["status"] == "在建", np.minimum(recent, arrived), supply)
    supply = np.where((arrived > YEARS[0]) & (arrived <= YEAR) & (par["status"] != "在建"),
                      arrived - lag, supply)
    par["supply_year"] = supply.astype(np.int64)
    leavers, leaver_rows = _exits(rng, parcels, register, adcodes, set(credit),
                                  set(ent["name"]))
    # output levels relative to the latest year: level[:, k] for YEARS[k]
    level = np.ones((n, len(YEARS)))
    for k in range(len(YEARS) - 2, -1, -1):
        level[:, k] = level[:, k + 1] / np.exp(trend + noise[:, k])
    frames = []
    scheme = {"industry_code": codes, "tenure": np.where(tenant, "租赁", "自有"),
              "landlord_code": landlord, "founded_year": founded}
    for k, year in enumerate(YEARS):
        here = first <= year
        if year == YEAR:
            rows = ent.loc[here, list(ENTERPRISE_BASE)].copy()
            for col, values in scheme.items():
                rows[col] = values[here]
            rows["exempt_reason"] = np.where(year >= EXEMPT_FROM, exempt, "")[here]
            frames.append(rows)
            continue
        slowed = (np.isin(est, ["停产", "半停产"]) & (year >= slowed_from)) | building
        ramp = np.where(late & (first == year), ENTRY_RAMP, 1.0)
        rows = ent.loc[here, ["credit_code", "name", "parcel_id", "industry"]].copy()
        rows["year"] = year
        lv = (level[:, k] * ramp)
        for col in _MONEY:
            now = ent[_HIDDEN[col]].to_numpy()
            value = np.where(slowed, now, full[col]) * lv
            if col == "tax_wan":
                value = value * np.exp(TAX_EXTRA_GROWTH * (year - YEAR))
            rows[col] = (np.round(value, 3) + 0.0 if col == "emission_t"
                         else _money(value))[here]
        staff = np.where(slowed, ent["employees"].to_numpy(), full["employees"])
        rows["employees"] = np.maximum(np.rint(staff * np.sqrt(lv)), 2).astype(np.int64)[here]
        revenue = rows["revenue_wan"].to_numpy()
        rows["scale"] = np.where(revenue >= ABOVE_SCALE_REVENUE, SCALES[0], SCALES[1])
        for col, values in scheme.items():
            rows[col] = values[here]
        rows["exempt_reason"] = np.where(year >= EXEMPT_FROM, exempt, "")[here]
        left = _exit_rows(leavers, leaver_rows[year], year)
        frames.append(pd.concat([rows[list(ENTERPRISE_COLUMNS)], left[list(ENTERPRISE_COLUMNS)]],
                                ignore_index=True))
    frames[-1] = frames[-1][list(ENTERPRISE_COLUMNS)]
    return par, pd.concat(frames, ignore_index=True)


# --- assembly and output ------------------------------------------------------------------

PARCEL_COLUMNS = ("parcel_id", "land_area_m2", "land_use", "floor_area_m2", "far", "status", "year",
                  "supply_year")
#: Columns of :func:`make_enterprises` (the latest year's figures).
ENTERPRISE_BASE = ("credit_code", "name", "parcel_id", "scale", "industry", "year", "tax_wan",
                   "value_added_wan", "revenue_wan", "energy_tce", "emission_t",
                   "power_10k_kwh", "employees", "rd_wan")
#: Columns of the enterprises file: the figures, then the fields of county schemes.
ENTERPRISE_COLUMNS = (*ENTERPRISE_BASE[:5], "industry_code", *ENTERPRISE_BASE[5:], "tenure",
                      "landlord_code", "founded_year", "exempt_reason")
REGISTER_HEADERS = {"parcel_id": "宗地编号", "status": "状态", "area_mu": "面积（亩）",
                    "year": "年度", "note": "备注"}


PARCEL_LABELS = {f.name: f.label for f in PARCEL_FIELDS}
ENTERPRISE_LABELS = {f.name: f.label for f in ENTERPRISE_FIELDS}


# --- built-up share raster ----------------------------------------------------------------
#: Cell size (m) of the sample built-up-share raster (as 30 m imagery products).
BUILTUP_RES_M = 30.0
#: Nodata of the uint8 percent raster (cells outside every sub-zone).
BUILTUP_NODATA = 255
#: Building coverage of a parcel = clip(容积率 / BUILTUP_FLOORS, 0, BUILTUP_MAX) …
BUILTUP_FLOORS, BUILTUP_MAX = 2.5, 0.6
#: … except a share of 正常 parcels whose buildings imagery does not see (declared 容积率 stale:
#: the idle land remote sensing finds first), whose coverage is × BUILTUP_UNSEEN_FACTOR. Drawn
#: from a generator of its own (seed + BUILTUP_SEED_OFFSET) so the other files do not change.
BUILTUP_UNSEEN_SHARE, BUILTUP_UNSEEN_FACTOR, BUILTUP_SEED_OFFSET = 0.04, 0.1, 13


def _overlap(lo: np.ndarray, hi: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Length of [lo, hi] inside each interval [edges[k], edges[k + 1]]."""
    return np.clip(np.minimum(hi, edges[1:]) - np.maximum(lo, edges[:-1]), 0.0, None)


def builtup_share(parcels: gpd.GeoDataFrame, subzones: gpd.GeoDataFrame, *, seed: int = SEED,
                  res: float = BUILTUP_RES_M) -> tuple[np.ndarray, Affine]:
    """Built-up share (percent of each cell covered by buildings) derived from the parcels.

    Each parcel's building coverage is clip(容积率 / 2.5, 0, 0.6), except 4 % of 正常 parcels
    (drawn in parcel-id order) whose coverage is × 0.1. A cell's value is
    Σ coverageᵢ × (area of parcel i in the cell) / cell area, in percent, rounded; the parcels
    are the rectangles of the layout (axis-aligned in EPSG:4549), so the areas are computed
    exactly as products of overlaps of their bounds. Cells of no sub-zone are nodata (255).

    Returns
    -------
    (numpy.ndarray, affine.Affine)
        uint8 array (rows × columns) and its transform, EPSG:4549, snapped to ``res``.
    """
    from affine import Affine
    from rasterio.features import rasterize

    par = parcels.to_crs(AREA_CRS).sort_values("宗地编号", kind="stable")
    zones = subzones.to_crs(AREA_CRS)
    left, bottom, right, top = zones.total_bounds
    left, bottom = np.floor(left / res) * res, np.floor(bottom / res) * res
    right, top = np.ceil(right / res) * res, np.ceil(top / res) * res
    width, height = int(round((right - left) / res)), int(round((top - bottom) / res))
    transform = Affine(res, 0.0, left, 0.0, -res, top)
    far = pd.to_numeric(par["容积率"], errors="coerce").fillna(0.0).to_numpy()
    cover = np.clip(far / BUILTUP_FLOORS, 0.0, BUILTUP_MAX)
    rng = np.random.default_rng(seed + BUILTUP_SEED_OFFSET)
    unseen = (rng.random(len(par)) < BUILTUP_UNSEEN_SHARE) & (par["生产状态"] == "正常").to_numpy()
    cover = np.where(unseen, cover * BUILTUP_UNSEEN_FACTOR, cover)
    built = np.zeros((height, width), dtype="float64")
    x_edges = left + res * np.arange(width + 1)
    y_edges = top - res * np.arange(height + 1)  # descending
    for (x0, y0, x1, y1), c in zip(par.geometry.bounds.to_numpy(), cover, strict=True):
        c0, c1 = int((x0 - left) // res), int((x1 - left) // res) + 1
        r0, r1 = int((top - y1) // res), int((top - y0) // res) + 1
        dx = _overlap(x0, x1, x_edges[c0:c1 + 1])
        dy = _overlap(-y1, -y0, -y_edges[r0:r1 + 1])
        built[r0:r1, c0:c1] += c * np.outer(dy, dx)
    inside = rasterize(((g, 1) for g in zones.geometry), out_shape=(height, width),
                       transform=transform, fill=0, dtype="uint8")
    percent = np.clip(np.rint(built / (res * res) * 100.0), 0, 100).astype("uint8")
    return np.where((inside > 0) | (built > 0), percent, BUILTUP_NODATA).astype("uint8"), transform


def write_builtup(parcels: gpd.GeoDataFrame, subzones: gpd.GeoDataFrame, path: Path, *,
                  seed: int = SEED) -> Path:
    """Write :func:`builtup_share` as a COG labelled 示例数据 (tags UNIT, DATA_NATURE, YEAR)."""
    from rasterio.crs import CRS

    from geo.raster.surface import write_cog

    array, transform = builtup_share(parcels, subzones, seed=seed)
    return write_cog(path, array, transform, CRS.from_user_input(AREA_CRS), unit="%",
                     nature=SAMPLE_LABEL, year=YEAR, nodata=BUILTUP_NODATA, dtype="uint8",
                     blocksize=512)


def _labelled(df: pd.DataFrame, labels: Mapping[str, str], columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` under their Chinese labels (``labels``), plus 数据性质."""
    out = df[list(columns)].rename(columns={c: labels[c] for c in columns})
    out[LABEL_COLUMN] = SAMPLE_LABEL
    return out


def generate(catalog: Mapping[str, gpd.GeoDataFrame], seed: int = SEED,
             n_parcels: int = N_PARCELS) -> Sample:
    """Build the sample from the catalogue's sub-zones and districts.

    Parameters
    ----------
    catalog : mapping
        From :func:`geo.zones.catalog.load_catalog` (``subzone`` and ``district`` are used).
    seed : int
        Seed of the one random generator.
    n_parcels : int
        Parcels to allot.

    Returns
    -------
    Sample
    """
    missing = sorted(set(INDUSTRY_BASE) - {t.tag for t in load_taxonomy()})
    if missing:
        raise ValueError(f"industry tags {missing} are not in industry_taxonomy.csv")
    rng = np.random.default_rng(seed)
    districts = catalog["district"]
    adcodes = {str(n): str(a) for n, a in zip(districts["name"], districts["adcode"], strict=True)}
    adcodes |= {a: a for a in adcodes.values()}
    parcels, short = layout_parcels(rng, catalog["subzone"], adcodes, n_parcels)
    parcels = parcel_attributes(rng, parcels)
    enterprises = make_enterprises(rng, parcels, adcodes)
    register = make_register(rng, parcels, enterprises)
    parcels, enterprises = make_history(np.random.default_rng(seed + HISTORY_SEED_OFFSET),
                                        parcels, enterprises, register, adcodes)
    par_out = gpd.GeoDataFrame(_labelled(parcels, PARCEL_LABELS, PARCEL_COLUMNS),
                               geometry=parcels.geometry.values, crs=STORAGE_CRS)
    reg_out = register.rename(columns=REGISTER_HEADERS)
    reg_out[LABEL_COLUMN] = SAMPLE_LABEL
    ent_out = _labelled(enterprises, ENTERPRISE_LABELS, ENTERPRISE_COLUMNS)
    return Sample(parcels=par_out, enterprises=ent_out, register=reg_out, short_subzones=short)


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM, ``\\n`` line ends, no index: byte-stable for the same data."""
    df.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """One-layer GeoPackage with a fixed ``last_change`` stamp, so reruns are byte-identical."""
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{YEAR}-12-31T00:00:00Z"})
    try:
        gdf.to_file(path, layer=PARCEL_LAYER, driver="GPKG", engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def write_sample(sample: Sample, out: Path) -> dict[str, Path]:
    """Write the three files into ``out``, each atomically (:func:`geo.io.atomic.write_atomic`).

    Returns
    -------
    dict of str to Path
        ``parcels``, ``enterprises``, ``register``.
    """
    out.mkdir(parents=True, exist_ok=True)
    paths = {"parcels": out / PARCEL_FILE, "enterprises": out / ENTERPRISE_FILE,
             "register": out / REGISTER_FILE}
    writers = {"parcels": lambda p: _write_gpkg(sample.parcels, p),
               "enterprises": lambda p: _write_csv(sample.enterprises, p),
               "register": lambda p: _write_csv(sample.register, p)}
    for kind, path in paths.items():
        write_atomic(path, writers[kind])
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate and write, then print counts, sizes and the 规上 aggregates."""
    parser = argparse.ArgumentParser(description="Generate the synthetic sample (示例数据).")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    sample = generate(load_catalog(), seed=args.seed)
    paths = write_sample(sample, args.out)
    paths["builtup"] = write_builtup(sample.parcels, load_catalog()["subzone"],
                                     args.out / BUILTUP_FILE, seed=args.seed)
    every_year = sample.enterprises
    ent = every_year[every_year["年度"] == YEAR]
    land = sample.parcels.set_index("宗地编号")["用地面积（平方米）"] / M2_PER_MU
    sharers = ent["宗地编号"].map(ent["宗地编号"].value_counts())
    ent_mu = ent["宗地编号"].map(land) / sharers
    above = ent["规模"] == "规上"
    print(f"parcels: {len(sample.parcels)}, enterprises {YEAR}: {len(ent)} ({above.mean():.0%} "
          f"规上), enterprise rows {YEARS[0]}–{YEAR}: {len(every_year)}, "
          f"register: {len(sample.register)}")
    for year, rows in every_year.groupby("年度"):
        big = rows["规模"] == "规上"
        mu = (rows["宗地编号"].map(land) / rows["宗地编号"].map(rows["宗地编号"].value_counts()))
        print(f"  {year}: {len(rows)} enterprises, 规上 {int(big.sum())}, 规上 亩均税收 "
              f"{rows.loc[big, '税收（万元）'].sum() / mu[big].sum():.1f}, 亩均增加值 "
              f"{rows.loc[big, '工业增加值（万元）'].sum() / mu[big].sum():.1f} 万元/亩")
    above_mu = ent_mu[above].sum()
    print(f"规上 亩均税收 {ent.loc[above, '税收（万元）'].sum() / above_mu:.1f} 万元/亩, "
          f"亩均增加值 {ent.loc[above, '工业增加值（万元）'].sum() / above_mu:.1f} 万元/亩")
    for s in sample.short_subzones:
        print(f"short of parcels: {s}")
    for kind, p in paths.items():
        print(f"{kind}: {p} ({p.stat().st_size / 1024:.0f} KiB)")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
