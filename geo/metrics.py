"""Land-efficiency figures (亩均效益): per enterprise and parcel, and aggregated by area.

Every aggregate is a **ratio of sums** — Σ税收 / Σ用地亩数 over the enterprises that report both —
so large and small firms weigh by their land, as the 亩均论英雄 evaluations do. Each aggregate row
also carries its counts and the share of the unit's parcel land that is covered by enterprise
data, so a figure resting on little data is visible as such. Nothing here returns inf: a zero or
missing denominator gives NaN, and the count beside it says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from .crs import AREA_CRS, M2_PER_MU, STORAGE_CRS

__all__ = ["Indicator", "INDICATORS", "AGG_LEVELS", "split_ids", "enterprise_land", "enterprise_metrics",
           "assign_units", "assign_points", "aggregate", "ratio"]


@dataclass(frozen=True)
class Indicator:
    """A ratio indicator: ``factor × numerator / denominator``."""

    key: str
    label: str
    unit: str
    numerator: str
    denominator: str
    factor: float = 1.0


INDICATORS: dict[str, Indicator] = {i.key: i for i in (
    Indicator("tax_per_mu", "亩均税收", "万元/亩", "tax_wan", "land_mu"),
    Indicator("va_per_mu", "亩均增加值", "万元/亩", "value_added_wan", "land_mu"),
    Indicator("revenue_per_mu", "亩均营业收入", "万元/亩", "revenue_wan", "land_mu"),
    Indicator("va_per_energy", "单位能耗增加值", "万元/吨标准煤", "value_added_wan", "energy_tce"),
    Indicator("va_per_emission", "单位排放增加值", "万元/吨", "value_added_wan", "emission_t"),
    Indicator("labour_productivity", "全员劳动生产率", "万元/人", "value_added_wan", "employees"),
    Indicator("rd_share", "R&D经费占营业收入比重", "%", "rd_wan", "revenue_wan", 100.0),
    Indicator("tax_per_power", "单位用电税收", "万元/万千瓦时", "tax_wan", "power_10k_kwh"),
)}
#: Levels figures aggregate to, and the column that names the unit.
AGG_LEVELS = {"subzone": "subzone_id", "zone": "zone_id", "district": "district",
              "belt": "belt", "city": "city"}
_SUMMED = ("land_mu", "tax_wan", "value_added_wan", "revenue_wan", "energy_tce", "emission_t",
           "employees", "rd_wan", "power_10k_kwh")


def ratio(numerator: pd.Series, denominator: pd.Series, *, factor: float = 1.0) -> pd.Series:
    """``factor × numerator / denominator``; NaN (never inf) where either is missing or den ≤ 0."""
    num = pd.to_numeric(numerator, errors="coerce").astype(float)
    den = pd.to_numeric(denominator, errors="coerce").astype(float)
    ok = num.notna() & den.notna() & (den > 0)
    out = pd.Series(np.nan, index=num.index, dtype=float)
    out[ok] = factor * num[ok] / den[ok]
    return out


def split_ids(value: object) -> list[str]:
    """Parcel ids of a cell that may list several ("A;B", "A、B", "A，B")."""
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    for sep in ("；", ";", "、", "，", ","):
        text = text.replace(sep, ";")
    return [p.strip() for p in text.split(";") if p.strip()]


def enterprise_land(enterprises: pd.DataFrame, parcels: pd.DataFrame) -> pd.DataFrame:
    """Land (m² and 亩) of each enterprise, and where the figure comes from.

    An enterprise's own ``land_area_m2`` wins (evaluation systems often hold it). Otherwise it
    gets its parcels' land; a parcel shared by several enterprises is split equally among them
    (``land_source = "宗地均分"``), so the city's land is counted once.

    Parameters
    ----------
    enterprises : DataFrame
        Canonical enterprise columns (``credit_code``, ``parcel_id``, optional ``land_area_m2``).
    parcels : DataFrame
        Canonical parcel columns (``parcel_id``, ``land_area_m2``).

    Returns
    -------
    DataFrame
        ``enterprises`` plus ``land_m2``, ``land_mu``, ``land_source`` (企业填报 / 宗地 /
        宗地均分 / 无用地数据).
    """
    out = enterprises.copy()
    parcel_area = dict(zip(parcels["parcel_id"].astype(str),
                           pd.to_numeric(parcels["land_area_m2"], errors="coerce"), strict=True))
    ids = out["parcel_id"].map(split_ids) if "parcel_id" in out else pd.Series(
        [[] for _ in range(len(out))], index=out.index)
    sharers: dict[str, int] = {}
    for lst in ids:
        for pid in lst:
            sharers[pid] = sharers.get(pid, 0) + 1
    from_parcels = ids.map(lambda lst: sum(parcel_area[p] / sharers[p] for p in lst
                                           if p in parcel_area and pd.notna(parcel_area[p]))
                           if any(p in parcel_area for p in lst) else np.nan)
    shared = ids.map(lambda lst: any(sharers.get(p, 0) > 1 for p in lst))
    own = pd.to_numeric(out.get("land_area_m2", pd.Series(np.nan, index=out.index)),
                        errors="coerce")
    use_own = own.notna() & (own > 0)
    out["land_m2"] = own.where(use_own, from_parcels).astype(float)
    out["land_mu"] = out["land_m2"] / M2_PER_MU
    source = pd.Series("无用地数据", index=out.index, dtype=object)
    source[from_parcels.notna() & ~shared] = "宗地"
    source[from_parcels.notna() & shared] = "宗地均分"
    source[use_own] = "企业填报"
    out["land_source"] = source
    return out


def enterprise_metrics(enterprises: pd.DataFrame) -> pd.DataFrame:
    """Every indicator of :data:`INDICATORS` for each enterprise (needs ``land_mu``)."""
    out = enterprises.copy()
    for ind in INDICATORS.values():
        if ind.numerator in out and ind.denominator in out:
            out[ind.key] = ratio(out[ind.numerator], out[ind.denominator], factor=ind.factor)
        else:
            out[ind.key] = np.nan
    return out


def _unit_columns(subzones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    cols = ["id", "zone_id", "district", "belt", subzones.geometry.name]
    return subzones[cols].rename(columns={"id": "subzone_id", "district": "sz_district"})


def assign_points(points: gpd.GeoDataFrame, subzones: gpd.GeoDataFrame,
                  districts: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Sub-zone, zone, belt and district of each point (CRS harmonised automatically).

    Parameters
    ----------
    points : GeoDataFrame
        Points in any CRS (reprojected to the sub-zones' CRS when they differ).
    subzones : GeoDataFrame
        The catalogue's sub-zone layer.
    districts : GeoDataFrame, optional
        District layer, used for points outside every sub-zone.

    Returns
    -------
    DataFrame
        Indexed like ``points``: ``subzone_id``, ``zone_id``, ``belt``, ``district`` (NaN where
        the point lies in none), ``city`` ("宁波市").
    """
    if points.crs is None:
        raise ValueError("points have no CRS. Fix: set it (EPSG:4326 for lon/lat) before joining")
    pts = points if points.crs == subzones.crs else points.to_crs(subzones.crs)
    geo_only = gpd.GeoDataFrame(geometry=pts.geometry.values, index=pts.index, crs=pts.crs)
    joined = gpd.sjoin(geo_only, _unit_columns(subzones), how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]  # touching edges: first sub-zone
    out = pd.DataFrame({"subzone_id": joined["subzone_id"], "zone_id": joined["zone_id"],
                        "belt": joined["belt"], "district": joined["sz_district"]},
                       index=points.index)
    missing = out["subzone_id"].isna()
    if districts is not None and missing.any():
        d = districts if districts.crs == pts.crs else districts.to_crs(pts.crs)
        dj = gpd.sjoin(geo_only.loc[missing], d[["name", d.geometry.name]], how="left",
                       predicate="within")
        dj = dj[~dj.index.duplicated(keep="first")]
        out.loc[missing, "district"] = dj["name"]
    out["city"] = "宁波市"
    return out


def assign_units(parcels: gpd.GeoDataFrame, subzones: gpd.GeoDataFrame,
                 districts: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Parcels with the units they fall in, by their representative point.

    Returns
    -------
    GeoDataFrame
        ``parcels`` plus ``subzone_id``, ``zone_id``, ``belt``, ``district``, ``city``.
    """
    reps = gpd.GeoDataFrame(geometry=parcels.to_crs(AREA_CRS).representative_point(),
                            crs=AREA_CRS).to_crs(STORAGE_CRS)
    units = assign_points(reps, subzones, districts)
    out = parcels.drop(columns=[c for c in units.columns if c in parcels.columns])
    return out.join(units)


def aggregate(enterprises: pd.DataFrame, parcels: pd.DataFrame, *, level: str,
              labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Figures per unit of ``level`` as ratios of sums, with counts and data coverage.

    Parameters
    ----------
    enterprises : DataFrame
        With ``land_mu`` (see :func:`enterprise_land`), the summed fields and the unit column
        of ``level`` (see :func:`assign_units`).
    parcels : DataFrame
        With ``land_area_m2``, ``parcel_id`` and the unit column; gives the unit's total land.
    level : {"subzone", "zone", "district", "belt", "city"}, keyword-only
    labels : mapping, keyword-only
        Unit id → display name (e.g. sub-zone id → "大榭片").

    Returns
    -------
    DataFrame
        One row per unit: ``unit``, ``unit_name``, ``enterprise_count``, ``above_scale_count``,
        ``parcel_count``, ``parcel_land_mu``, ``covered_land_mu``, ``coverage_share``, the sums,
        and one column per indicator.
    """
    if level not in AGG_LEVELS:
        raise ValueError(f"unknown level {level!r}. Fix: use one of {', '.join(AGG_LEVELS)}")
    col = AGG_LEVELS[level]
    ent = enterprises.copy()
    par = parcels.copy()
    for frame in (ent, par):
        if level == "city":
            frame["city"] = "宁波市"
        if col not in frame:
            raise ValueError(f"no {col!r} column. Fix: assign units first (geo.metrics."
                             "assign_units / assign_points)")
    for c in _SUMMED:
        ent[c] = pd.to_numeric(ent[c], errors="coerce") if c in ent else np.nan
    # ratio of sums over the enterprises reporting both parts of each indicator
    grouped = ent.groupby(col, dropna=True)
    rows = pd.DataFrame(index=pd.Index(sorted(set(par[col].dropna()) | set(ent[col].dropna())),
                                       name="unit"))
    rows["enterprise_count"] = grouped.size()
    scale = ent["scale"] if "scale" in ent else pd.Series(np.nan, index=ent.index)
    rows["above_scale_count"] = (scale == "规上").groupby(ent[col]).sum()
    for c in _SUMMED:
        rows[c] = grouped[c].sum(min_count=1)
    for ind in INDICATORS.values():
        both = ent[ind.numerator].notna() & ent[ind.denominator].notna() & (ent[ind.denominator] > 0)
        sub = ent.loc[both]
        num = sub.groupby(col)[ind.numerator].sum()
        den = sub.groupby(col)[ind.denominator].sum()
        rows[ind.key] = ratio(num.reindex(rows.index), den.reindex(rows.index),
                              factor=ind.factor)
    land = pd.to_numeric(par["land_area_m2"], errors="coerce") / M2_PER_MU
    rows["parcel_count"] = par.groupby(col).size()
    rows["parcel_land_mu"] = land.groupby(par[col]).sum()
    covered_ids = set()
    if "parcel_id" in ent:
        for lst in ent["parcel_id"].map(split_ids):
            covered_ids.update(lst)
    covered = par["parcel_id"].astype(str).isin(covered_ids)
    rows["covered_land_mu"] = land.where(covered, 0.0).groupby(par[col]).sum()
    rows["coverage_share"] = ratio(rows["covered_land_mu"], rows["parcel_land_mu"])
    count_cols = ["enterprise_count", "above_scale_count", "parcel_count"]
    rows[count_cols] = rows[count_cols].fillna(0).astype(int)
    rows = rows.reset_index()
    rows.insert(1, "unit_name", rows["unit"].map(lambda u: (labels or {}).get(u, u)))
    rows.insert(0, "level", level)
    return rows
