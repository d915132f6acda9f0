"""Views of an analysis for pages and exports: level tables, the enterprise list, the parcels.

Each view is a GeoDataFrame with canonical English columns; pages and exports label them through
:mod:`geo.labels`, so a page and its download use the same words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.display import belt_envelopes
from geo.export import ExportNotes
from geo.labels import COLUMNS, NO_DATA_REASONS, SCHEME_TEXTS, UNIT_LEVELS, column_label
from geo.landuse.metrics import AGG_LEVELS, INDICATORS, aggregate
from geo.landuse.pipeline import Analysis, first_parcel_at, take_by_position

__all__ = ["ENTERPRISE_COLUMNS", "UNCLASSED", "EXEMPT", "class_or_status", "unit_layer",
           "level_table", "rank_units", "enterprise_table", "filter_enterprises", "parcel_table"]


def unit_layer(catalog: Mapping[str, gpd.GeoDataFrame], level: str) -> gpd.GeoDataFrame:
    """Return the geometry and display name of each unit of ``level``.

    Columns ``unit``, ``unit_name``, ``geometry_quality`` and the geometry.
    """
    if level == "subzone":
        src = catalog["subzone"].assign(unit=lambda d: d["id"],
                                        unit_name=lambda d: d["zone_name"] + "·" + d["name"])
    elif level == "zone":
        src = catalog["zone"].assign(unit=lambda d: d["id"], unit_name=lambda d: d["name"])
    elif level == "district":
        src = catalog["district"].assign(unit=lambda d: d["name"], unit_name=lambda d: d["name"])
    elif level == "belt":
        src = belt_envelopes(catalog["zone"]).assign(unit=lambda d: d["belt"],
                                                     unit_name=lambda d: d["belt"])
    elif level == "city":
        city = catalog["district"].union_all()
        src = gpd.GeoDataFrame({"unit": ["宁波市"], "unit_name": ["宁波市"],
                                "geometry_quality": ["reference"]}, geometry=[city],
                               crs=catalog["district"].crs)
    else:
        raise ValueError(f"unknown level {level!r}. Fix: use one of {', '.join(AGG_LEVELS)}")
    return src[["unit", "unit_name", "geometry_quality", src.geometry.name]]


def level_table(analysis: Analysis, catalog: Mapping[str, gpd.GeoDataFrame], *, level: str
                ) -> gpd.GeoDataFrame:
    """Aggregate the figures of ``level`` with the units' geometry, classes and low land.

    Class counts and the low-efficiency land are added, and every row is labelled with the
    data's nature, year and profile.

    Returns
    -------
    GeoDataFrame
        One row per unit (units without data included, with zero counts and empty figures).
    """
    units = unit_layer(catalog, level)
    labels = dict(zip(units["unit"], units["unit_name"], strict=True))
    agg = aggregate(analysis.enterprises, analysis.parcels, level=level, labels=labels)
    col = AGG_LEVELS[level]
    ent = analysis.enterprises.assign(city="宁波市")
    counts = pd.crosstab(ent[col], ent["class"]).reindex(columns=list("ABCD"), fill_value=0)
    counts.columns = [f"class_{c}_count" for c in counts.columns]
    par = analysis.parcels.assign(city="宁波市")
    low = par.loc[par["low_efficiency"]].groupby(col)["land_mu"].agg(["size", "sum"])
    low.columns = ["low_eff_parcel_count", "low_eff_land_mu"]
    out = units.merge(agg.drop(columns=["unit_name"]), on="unit", how="left")
    out = out.merge(counts, left_on="unit", right_index=True, how="left")
    out = out.merge(low, left_on="unit", right_index=True, how="left")
    fill = [c for c in out.columns if c.endswith("_count")] + ["low_eff_land_mu"]
    out[fill] = out[fill].fillna(0)
    out["level"] = level
    out["level_label"] = UNIT_LEVELS[level]
    out["data_nature"] = analysis.data_label
    out["data_year"] = analysis.year
    out["profile"] = analysis.profile.name
    ordered = ["level", "level_label", "unit", "unit_name"] + [
        k for k in INDICATORS] + [c for c in out.columns if c not in INDICATORS and c not in (
            "level", "level_label", "unit", "unit_name", out.geometry.name)] + [out.geometry.name]
    return gpd.GeoDataFrame(out[ordered], geometry=out.geometry.name, crs=units.crs)


def rank_units(table: pd.DataFrame, metric: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a level table into the units ranked by ``metric`` and the units without it.

    Parameters
    ----------
    table : DataFrame
        From :func:`level_table` (``metric``, ``unit_name``, ``enterprise_count`` and the
        indicator's summed numerator and denominator).
    metric : str
        An indicator of :data:`geo.landuse.metrics.INDICATORS` (higher is better for all).

    Returns
    -------
    (DataFrame, DataFrame)
        The ranked units, best first, with ``rank`` (1 … n; equal values share the lowest
        rank, as in sports: 1, 2, 2, 4; differences below 1e-9 are ties); and the units
        without a finite value, with ``no_data_reason`` saying what is missing. Neither holds
        the other's rows.
    """
    ind = INDICATORS[metric]
    values = pd.to_numeric(table[metric], errors="coerce")
    has = values.notna() & np.isfinite(values)
    ranked = table.loc[has].assign(
        rank=values[has].round(9).rank(method="min", ascending=False).astype(int))
    ranked = ranked.sort_values("rank", kind="stable")  # ties in the table's order
    missing = table.loc[~has]
    count = pd.to_numeric(missing.get("enterprise_count", pd.Series(0, index=missing.index)),
                          errors="coerce").fillna(0).astype(int)
    den = pd.to_numeric(missing.get(ind.denominator, pd.Series(np.nan, index=missing.index)),
                        errors="coerce")
    words = {"num": column_label(ind.numerator), "den": column_label(ind.denominator)}
    reasons = [NO_DATA_REASONS["no_enterprise"] if n == 0 else
               NO_DATA_REASONS["zero_denominator"].format(**words) if d == 0 else
               NO_DATA_REASONS["no_figures"].format(count=n, **words)
               for n, d in zip(count, den, strict=True)]
    missing = missing.assign(no_data_reason=reasons)
    return ranked, missing


#: Class shown for enterprises that could not be evaluated (no usable indicator or no land).
UNCLASSED = "未参评"
#: How the list names an enterprise the scheme exempts (免评: listed, never ranked).
EXEMPT = SCHEME_TEXTS["exempt_label"]

ENTERPRISE_COLUMNS = ("credit_code", "name", "scale", "track", "industry", "industry_code",
                      "industry_group", "industry_group_name", "industry_section",
                      "industry_section_name", "tenure", "parcel_id", "land_mu", "land_source",
                      *INDICATORS, "score", "class", "rank_in_group", "group_size", "exemption",
                      "class_note", "missing_indicators", "policies", "subzone_id", "zone_id",
                      "district", "belt", "placement", "placement_note")


def ranked_export(ranked: pd.DataFrame, missing: pd.DataFrame, analysis: Analysis, *,
                  level: str, metric: str) -> tuple[gpd.GeoDataFrame, ExportNotes]:
    """Build the rows and 说明 of a ranking export.

    Ranked units come first, units without the figure last and unranked (:func:`rank_units`).
    """
    rows = pd.concat([ranked, missing])
    rows["rank"] = rows["rank"].astype("Int64")
    front = ["level", "level_label", "unit", "unit_name", "rank"]
    rows = rows[front + [c for c in rows.columns if c not in front]]
    notes = analysis.export_notes("units", {
        COLUMNS["level_label"]: UNIT_LEVELS[level],
        COLUMNS["rank"]: f"按「{INDICATORS[metric].label}」由高到低，同值同名次；"
                         f"无数据的单元列于最后，不排名（见「{COLUMNS['no_data_reason']}」）"})
    return gpd.GeoDataFrame(rows, geometry=ranked.geometry.name, crs=ranked.crs), notes


def enterprise_table(analysis: Analysis) -> gpd.GeoDataFrame:
    """Every enterprise with its figures, score and A/B/C/D class — the evaluation list.

    Each enterprise is placed at its own coordinates when it has them, else at a point inside
    its (first) parcel, so the list can be exported to every format and mapped.
    """
    ent = analysis.enterprises
    par = analysis.parcels
    inside = par.set_index(par["parcel_id"].astype(str)).geometry.representative_point()
    inside = inside[~inside.index.duplicated()]
    at_parcel = gpd.GeoSeries(take_by_position(inside, first_parcel_at(ent, inside.index),
                                               ent.index), crs=par.crs)  # −1: no point
    if {"lon", "lat"} <= set(ent.columns):
        lon = pd.to_numeric(ent["lon"], errors="coerce")
        lat = pd.to_numeric(ent["lat"], errors="coerce")
        own = lon.notna() & lat.notna()
        pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=ent.index, crs="EPSG:4326")
        geometry = at_parcel.where(~own, pts.to_crs(par.crs))
    else:
        geometry = at_parcel
    order = _track_then_score(ent)
    out = pd.DataFrame(ent[[c for c in ENTERPRISE_COLUMNS if c in ent.columns]]).take(order)
    out = out.assign(**analysis.provenance())
    shapes = gpd.GeoSeries(geometry.values.take(order), index=out.index, crs=par.crs)
    return gpd.GeoDataFrame(out, geometry=shapes, crs=par.crs)


def _track_then_score(ent: pd.DataFrame) -> np.ndarray:
    """Return the positions of the rows by track (A→Z), then score (high → low).

    Missing ones last, ties in their order: ``sort_values(["track", "score"],
    ascending=[True, False], na_position="last", kind="stable")``.
    """
    codes, _ = pd.factorize(ent["track"], sort=True) if "track" in ent else (
        np.zeros(len(ent), dtype=np.int64), None)
    codes = np.where(codes < 0, np.iinfo(np.int64).max, codes)
    score = pd.to_numeric(ent["score"], errors="coerce").to_numpy(dtype=float) \
        if "score" in ent else np.full(len(ent), np.nan)
    return np.lexsort((np.where(np.isnan(score), np.inf, -score), codes))


def parcel_table(analysis: Analysis) -> gpd.GeoDataFrame:
    """Return the flagged parcels with their reasons, for the 低效用地 export."""
    par = analysis.parcels
    cols = ["parcel_id", "land_mu", "land_use", "status", "far_used", "enterprise_count",
            "tax_per_mu", "va_per_mu", "enterprise_classes", "reason_codes", "reasons",
            "built_share", "data_note", "subzone_id", "zone_id", "district", "belt"]
    out = par.loc[par["low_efficiency"], [c for c in cols if c in par] + [par.geometry.name]]
    out = out.assign(**analysis.provenance())
    return gpd.GeoDataFrame(out, geometry=par.geometry.name, crs=par.crs)


def filter_enterprises(table: pd.DataFrame, *, classes: Sequence[str], tracks: Sequence[str],
                       district: str | None = None, industries: Sequence[str] = ()
                       ) -> pd.DataFrame:
    """Select the rows of the evaluation list with one of ``classes`` and ``tracks``.

    Enterprises without a class count as :data:`UNCLASSED`, those 免评 by the scheme as
    :data:`EXEMPT`; enterprises without a track (no scale given) are kept whenever
    :data:`UNCLASSED` is among ``classes``, since they can only be unclassed. ``industries``
    (GB/T 4754 门类 letters such as "C" or 大类 codes such as "C39"; empty: all) keeps the
    enterprises of those industries; one whose industry is not recognised is then left out.
    """
    cls = class_or_status(table)
    keep = cls.isin(list(classes)) & (
        table["track"].isin(list(tracks)) | (table["track"].isna() & (UNCLASSED in classes)))
    if district:
        keep &= table["district"] == district
    if industries:
        wanted = list(industries)
        keep &= (table.get("industry_group", pd.Series(None, index=table.index)).isin(wanted)
                 | table.get("industry_section", pd.Series(None, index=table.index))
                 .isin(wanted))
    return table[keep]


def class_or_status(table: pd.DataFrame) -> pd.Series:
    """Each enterprise's class, or :data:`EXEMPT` (免评) / :data:`UNCLASSED` (未参评)."""
    cls = table["class"].astype(object).where(table["class"].notna(), UNCLASSED)
    if "exemption" in table:
        cls = cls.where(table["exemption"].fillna("").eq(""), EXEMPT)
    return cls
