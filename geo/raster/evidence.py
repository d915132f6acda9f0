"""Built-up share per parcel from a raster: evidence for the rule 建成比例低于阈值 (LOW_BUILT).

Remote sensing sees idle land first: a parcel with almost no buildings on it is a candidate for
the low-efficiency list whatever its declared 容积率. :func:`built_share_of_parcels` reads a
built-up-share raster (a 第三次国土调查 product, a contractor's imagery classification, the
sample's ``builtup_share.tif``) over each parcel exactly (coverage-weighted mean,
:func:`geo.raster.zonal.zonal_stats`), in the unit the official declares; :func:`with_built_share`
re-applies the low-efficiency rules of the analysis with that evidence.

Units are never assumed. A raster states its unit in the ``UNIT`` tag (the project's own
rasters do: "%"); otherwise the caller says it (:data:`BUILT_UNITS`). A value outside the
declared unit's range refuses the whole raster with a message that names the likely unit.

A parcel the raster covers for less than :data:`MIN_VALID_SHARE` of its area (outside the
raster, nodata) gets no built share and is not judged by the rule; the data note says so.
"""

from __future__ import annotations

import dataclasses
import os
import re

import geopandas as gpd
import pandas as pd

from geo._errors import DataImportError
from geo.landuse.lowland import flag_parcels
from geo.landuse.pipeline import Analysis
from geo.raster.safe import open_user_raster
from geo.raster.zonal import zonal_stats

__all__ = ["BUILT_UNITS", "MIN_VALID_SHARE", "BuiltShare", "built_share_of_parcels",
           "raster_unit", "with_built_share"]

#: Units a built-up-share raster may be in: key → (Chinese label, factor to a 0–1 share,
#: largest valid value).
BUILT_UNITS: dict[str, tuple[str, float, float]] = {
    "percent": ("百分比（0–100）", 0.01, 100.0),
    "share": ("比例（0–1）", 1.0, 1.0),
    "binary": ("二值分类（建成 = 1，非建成 = 0）", 1.0, 1.0),
}

#: Share of a parcel's area the raster must cover with valid cells for the parcel to be judged.
MIN_VALID_SHARE = 0.5

#: How a ``UNIT`` tag names each unit, tried in this order (percent before share, so "0-100"
#: is never read as "0-1"): a pattern over the normalised tag (lower case, "–" as "-", no
#: spaces), matched as whole words or ranges.
_UNIT_TAGS = (
    ("percent", re.compile(r"%|％|(?<![0-9.])0-100(?![0-9.])|\bpercent\b|百分比")),
    ("binary", re.compile(r"\bbinary\b|二值|(?<![0-9.])0/1(?![0-9.])")),
    ("share", re.compile(r"(?<![0-9.])0-1(?![0-9.])|\b(share|fraction|ratio)\b|比例")),
)


@dataclasses.dataclass(frozen=True)
class BuiltShare:
    """Built-up share per parcel and where it comes from.

    Attributes
    ----------
    table : DataFrame
        ``parcel_id``, ``built_share`` (0–1, NaN where not judged) and ``built_valid_share``
        (the share of the parcel's area with valid cells).
    source : str
        The raster's file name, unit, data nature and year, for the 说明 of exports.
    unit : str
        Key of :data:`BUILT_UNITS` used.
    """

    table: pd.DataFrame
    source: str
    unit: str


def raster_unit(tags: dict[str, str]) -> str | None:
    """Return the :data:`BUILT_UNITS` key a raster's ``UNIT`` tag names (None: names none)."""
    text = re.sub(r"\s+", "", str(tags.get("UNIT", ""))).lower().replace("–", "-").replace(
        "—", "-")
    for key, pattern in _UNIT_TAGS:
        if pattern.search(text):
            return key
    return None


def _unit_error(name: str, problem: str, fix: str, zh: tuple[str, str]) -> DataImportError:
    return DataImportError(problem, file=name, field="UNIT", fix=fix, zh=zh)


def built_share_of_parcels(raster_path: str | os.PathLike[str], parcels: gpd.GeoDataFrame, *,
                           unit: str | None = None, name: str | None = None) -> BuiltShare:
    """Coverage-weighted built-up share of every parcel, in 0–1.

    Parameters
    ----------
    raster_path : path-like
        A GeoTIFF opened through :func:`geo.raster.safe.open_user_raster` (all its refusals
        apply: special paths, not a GeoTIFF, too large, no CRS, not over Ningbo).
    parcels : GeoDataFrame
        With ``parcel_id`` and a CRS.
    unit : {"percent", "share", "binary"}, optional
        The raster's unit; default: its ``UNIT`` tag. Required when the tag names none; a
        declared unit that contradicts the tag is refused.
    name : str, optional
        The raster as the official knows it (an upload's own name), for the source line;
        default: the file's name.

    Returns
    -------
    BuiltShare

    Raises
    ------
    DataImportError
        When the unit is unknown, undeclared or contradicts the tag, a parcel's values lie
        outside the unit's range (a percent raster declared as 0–1; a negative value, e.g. an
        undeclared nodata), or a binary raster holds values other than 0/1.
    """
    path = str(raster_path)
    name = name or os.path.basename(path)
    with open_user_raster(path) as src:
        tags = src.tags()
    tagged = raster_unit(tags)
    if unit is not None and tagged is not None and unit != tagged:
        raise _unit_error(
            name, f"the declared unit {unit!r} contradicts the raster's UNIT tag ({tagged})",
            "choose the unit the tag names, or correct the tag",
            (f"所选单位与栅格 {name} 的 UNIT 标签（{BUILT_UNITS[tagged][0]}）不一致",
             "请选择标签所写的单位，或先更正栅格的 UNIT 标签"))
    used = unit or tagged
    if used not in BUILT_UNITS:
        choices = "、".join(label for label, _f, _m in BUILT_UNITS.values())
        raise _unit_error(
            name, f"the unit of the built-up raster is {'unknown' if used is None else used!r}",
            f"state the unit ({', '.join(BUILT_UNITS)}) or write it in the raster's UNIT tag",
            (f"建成比例栅格 {name} 未注明单位" if used is None
             else f"建成比例栅格的单位 {used!r} 无法识别",
             f"请选择其单位（{choices}），或在栅格的 UNIT 标签中写明"))
    label, factor, largest = BUILT_UNITS[used]
    stats = zonal_stats(path, parcels[["parcel_id", parcels.geometry.name]],
                        id_column="parcel_id")
    too_big = stats["max"] > largest + 1e-9
    if too_big.any():
        worst = stats.loc[too_big, ["parcel_id", "max"]].iloc[0]
        hint = "百分比（0–100）" if used != "percent" else "其他单位"
        raise _unit_error(
            name, f"value {worst['max']:g} over parcel {worst['parcel_id']} exceeds the "
                  f"range of {used} (≤ {largest:g})",
            "check the raster's unit: a 0–100 raster is in percent",
            (f"宗地 {worst['parcel_id']} 上的栅格值 {worst['max']:g} 超出“{label}”的范围"
             f"（≤ {largest:g}）", f"请核对栅格的单位：可能是{hint}"))
    negative = stats["min"] < 0
    if negative.any():
        worst = stats.loc[negative, ["parcel_id", "min"]].iloc[0]
        raise _unit_error(
            name, f"value {worst['min']:g} over parcel {worst['parcel_id']} is negative",
            "a negative value is usually an undeclared nodata: set the raster's nodata value",
            (f"宗地 {worst['parcel_id']} 上的栅格值 {worst['min']:g} 为负数",
             "负值通常是未声明的无数据值：请在栅格中设置 nodata 后再用"))
    if used == "binary":
        # every value over the parcels, not only their extremes (and never the whole band)
        classes = zonal_stats(path, parcels[["parcel_id", parcels.geometry.name]],
                              id_column="parcel_id", categorical=True)
        values = [float(c) for c in classes.columns[3:]]
        if not set(values) <= {0.0, 1.0}:
            raise _unit_error(
                name, "a binary built-up raster holds values other than 0 and 1",
                "declare it as percent or share instead",
                ("二值建成栅格中含有 0 和 1 以外的值", "请改选“百分比”或“比例”"))
    share = stats["mean"] * factor
    # the part of the parcel the raster sees with valid cells (nodata and off-raster unseen)
    seen = stats["valid_share"].to_numpy()
    judged = seen >= MIN_VALID_SHARE
    table = pd.DataFrame({"parcel_id": stats["parcel_id"].astype(str).to_numpy(),
                          "built_share": share.where(judged).to_numpy(),
                          "built_valid_share": seen})
    parts = [name, label, tags.get("DATA_NATURE", ""), tags.get("YEAR", "")]
    source = "；".join(p for p in parts if p)
    return BuiltShare(table=table, source=source, unit=used)


def with_built_share(analysis: Analysis, built: BuiltShare) -> Analysis:
    """Judge the analysis's parcels again with the built-up share added as evidence.

    The enterprises, their classes and the other rules are unchanged; parcels gain
    ``built_share`` and ``built_valid_share`` and, where the profile's
    ``built_share_below`` is set, the reason LOW_BUILT. The evidence's source is added to the
    analysis's ``evidence`` (shown in every export's 说明).
    """
    parcels = analysis.parcels
    drop = [c for c in ("built_share", "built_valid_share") if c in parcels.columns]
    base = parcels.drop(columns=drop)
    by_id = built.table.set_index("parcel_id")
    pid = base["parcel_id"].astype(str)
    base = base.assign(built_share=pid.map(by_id["built_share"]).to_numpy(dtype="float64"),
                       built_valid_share=pid.map(by_id["built_valid_share"]).to_numpy(
                           dtype="float64"))
    flagged = flag_parcels(base, analysis.enterprises, analysis.profile, year=analysis.year)
    flagged = gpd.GeoDataFrame(flagged, geometry=parcels.geometry.name, crs=parcels.crs)
    return dataclasses.replace(analysis, parcels=flagged, evidence=built.source)
