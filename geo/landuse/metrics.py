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
from typing import NamedTuple

import numpy as np
import pandas as pd

from geo.crs import M2_PER_MU
from geo.landuse.model import id_pairs, index_in, is_in

__all__ = ["Indicator", "INDICATORS", "AGG_LEVELS", "enterprise_land", "enterprise_metrics",
           "parcel_links", "aggregate", "ratio"]


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
    out = enterprises.copy(deep=False)  # copy-on-write keeps the input as it was
    area = pd.Series(pd.to_numeric(parcels["land_area_m2"], errors="coerce").to_numpy(),
                     index=parcels["parcel_id"].astype(str))
    area = area[~area.index.duplicated(keep="last")]  # as a dict built from the rows
    pairs = id_pairs(out["parcel_id"]) if "parcel_id" in out else id_pairs(
        pd.Series([], dtype=object))
    # each id hashed once: its sharers counted by its code, its parcel found once per id
    codes, uniques = pd.factorize(pairs["parcel_id"])
    sharers = np.bincount(codes)[codes] if len(codes) else np.zeros(0, dtype=np.int64)
    at = index_in(pd.Index(uniques), area.index)[codes] if len(codes) else codes
    known = at >= 0
    part = np.append(area.to_numpy(dtype=float), 0.0)[at] / sharers  # −1: not a parcel
    pos = pairs["pos"].to_numpy()
    n = len(out)
    n_known = np.bincount(pos[known], minlength=n)
    n_missing = np.bincount(pos[known & np.isnan(part)], minlength=n)
    total = np.zeros(n)
    np.add.at(total, pos[known], part[known])  # in order, as sum() over the cell's ids
    # an unknown area is not counted as 0
    from_parcels = pd.Series(np.where((n_known > 0) & (n_missing == 0), total, np.nan),
                             index=out.index, dtype=float)
    shared = pd.Series(np.bincount(pos[sharers > 1], minlength=n) > 0, index=out.index)
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


def parcel_links(enterprises: pd.DataFrame, parcels: pd.DataFrame) -> pd.DataFrame:
    """One row per (enterprise, parcel) it names, with the land it holds there.

    A parcel named by k enterprises gives each area / k (as :func:`enterprise_land`); an
    enterprise on several parcels is attributed to each in proportion to the land it holds
    there (``weight``, summing to 1 over its known parcels). Parcels not in ``parcels`` are left
    out (the importer reports them).

    Returns
    -------
    DataFrame
        ``row`` (index label of the enterprise), ``parcel_id``, ``held_m2``, ``weight``.
    """
    return linked_parcels(enterprises, parcels).links


class LinkedParcels(NamedTuple):
    """:func:`parcel_links` with the parcels as positions among their distinct ids.

    ``distinct`` are the parcels' ids (``astype(str)``) in order of first appearance, as
    :func:`pandas.factorize` gives them; ``link_at`` is each link's parcel and ``row_at`` each
    parcel row's id as a position in ``distinct`` (−1: a row without an id). A caller grouping
    by parcel groups by these integers and need not hash the ids again.
    """

    links: pd.DataFrame
    link_at: np.ndarray
    row_at: np.ndarray
    distinct: pd.Index


def linked_parcels(enterprises: pd.DataFrame, parcels: pd.DataFrame) -> LinkedParcels:
    """:func:`parcel_links`, and the positions of :class:`LinkedParcels`.

    The parcel ids are factorised once; a parcel named by several rows (several years) has
    the land of its first row; the sharers of a parcel are counted by its position.
    """
    row_at, distinct = pd.factorize(parcels["parcel_id"].astype(str))
    distinct = pd.Index(distinct)
    land = pd.to_numeric(parcels["land_area_m2"], errors="coerce").to_numpy(dtype=float)
    first = np.zeros(len(distinct), dtype=np.int64)
    rows = np.flatnonzero(row_at >= 0)[::-1]
    first[row_at[rows]] = rows  # written last by the first row of each id
    area = land[first]
    ids = enterprises["parcel_id"] if "parcel_id" in enterprises else pd.Series(
        None, index=enterprises.index, dtype=object)
    pairs = id_pairs(ids)
    at = index_in(pairs["parcel_id"], distinct)
    pairs, at = pairs[at >= 0], at[at >= 0]
    links = pd.DataFrame({"row": ids.index[pairs["pos"].to_numpy()],
                          "parcel_id": pairs["parcel_id"].array})  # str: no object per id
    if links.empty:
        links = links.assign(held_m2=pd.Series(dtype=float), weight=pd.Series(dtype=float))
        return LinkedParcels(links, at, row_at, distinct)
    sharers = np.bincount(at)[at]  # links of the same parcel: the same position
    links["held_m2"] = area[at] / sharers
    total = links.groupby("row")["held_m2"].transform("sum")
    links["weight"] = ratio(links["held_m2"], total)
    return LinkedParcels(links, at, row_at, distinct)


def enterprise_metrics(enterprises: pd.DataFrame) -> pd.DataFrame:
    """Every indicator of :data:`INDICATORS` for each enterprise (needs ``land_mu``)."""
    out = enterprises.copy(deep=False)
    for ind in INDICATORS.values():
        if ind.numerator in out and ind.denominator in out:
            out[ind.key] = ratio(out[ind.numerator], out[ind.denominator], factor=ind.factor)
        else:
            out[ind.key] = np.nan
    return out


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
    index, ecode, pcode = _unit_codes(_units_of(enterprises, col), _units_of(parcels, col))
    rows = _enterprise_figures(enterprises, ecode, index)
    rows = _with_parcel_land(rows, parcels, pcode, _covered_parcels(enterprises, parcels))
    rows = rows.reset_index()
    rows.insert(1, "unit_name", rows["unit"].map(lambda u: (labels or {}).get(u, u)))
    rows.insert(0, "level", level)
    return rows


def _unit_codes(ent_units: pd.Series, par_units: pd.Series
                ) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Return the sorted units of both frames and each row's position among them (-1: none).

    One integer code per row, then every sum is a single ``np.bincount`` (fast at 10^6 rows).
    """
    ecodes, euniq = pd.factorize(ent_units, use_na_sentinel=True)
    pcodes, puniq = pd.factorize(par_units, use_na_sentinel=True)
    units = sorted({str(u) for u in euniq} | {str(u) for u in puniq})
    index = pd.Index(units, name="unit")
    return index, _positions(index, ecodes, euniq), _positions(index, pcodes, puniq)


def _positions(index: pd.Index, codes: np.ndarray, uniques: np.ndarray | pd.Index
               ) -> np.ndarray:
    """Map :func:`pandas.factorize` codes to positions in ``index``; the sentinel -1 stays -1."""
    where = np.append(index.get_indexer([str(u) for u in uniques]), -1)
    return where[codes]  # sentinel -1 picks the appended -1


def _numeric(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Column ``name`` of ``frame`` as floats (NaN where missing or not a number)."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)


def _enterprise_figures(enterprises: pd.DataFrame, ecode: np.ndarray, index: pd.Index
                        ) -> pd.DataFrame:
    """Enterprise counts, the sums of :data:`_SUMMED` and the indicators, per unit."""
    n = len(index)
    eok = ecode >= 0

    def total(weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.bincount(ecode[rows], weights=weights[rows], minlength=n)

    rows = pd.DataFrame(index=index)
    rows["enterprise_count"] = np.bincount(ecode[eok], minlength=n)
    above = (enterprises["scale"] == "规上").fillna(False).to_numpy(dtype=bool) \
        if "scale" in enterprises else np.zeros(len(enterprises), bool)
    rows["above_scale_count"] = np.bincount(ecode[eok & above], minlength=n)
    values = {c: _numeric(enterprises, c) for c in _SUMMED}
    zeroed = {c: np.nan_to_num(v) for c, v in values.items()}
    for c, v in values.items():
        present = eok & ~np.isnan(v)
        sums = total(zeroed[c], present)
        has = np.bincount(ecode[present], minlength=n) > 0
        rows[c] = np.where(has, sums, np.nan)  # no reporting enterprise: missing, not 0
    for ind in INDICATORS.values():
        num = values[ind.numerator]
        both = eok & ~np.isnan(num) & (zeroed[ind.denominator] > 0)
        rows[ind.key] = ratio(pd.Series(total(zeroed[ind.numerator], both), index=index),
                              pd.Series(total(zeroed[ind.denominator], both), index=index),
                              factor=ind.factor)
    return rows


def _covered_parcels(enterprises: pd.DataFrame, parcels: pd.DataFrame) -> np.ndarray:
    """Whether each parcel is named by some enterprise (its land is covered by their data)."""
    if not len(parcels):
        return np.zeros(0, bool)
    if "parcel_id" not in enterprises:
        return np.zeros(len(parcels), bool)
    named = id_pairs(enterprises["parcel_id"])["parcel_id"]  # every id, as split_ids reads
    return is_in(parcels["parcel_id"].astype(str), named)  # hashed in Arrow, repeats and all


def _with_parcel_land(rows: pd.DataFrame, parcels: pd.DataFrame, pcode: np.ndarray,
                      covered: np.ndarray) -> pd.DataFrame:
    """Add parcel counts, parcel land, covered land and the coverage share to ``rows``."""
    n = len(rows)
    pok = pcode >= 0
    land = (pd.to_numeric(parcels["land_area_m2"], errors="coerce").to_numpy(dtype=float)
            / M2_PER_MU) if "land_area_m2" in parcels else np.zeros(len(parcels))
    land_ok = pok & ~np.isnan(land)
    rows["parcel_count"] = np.bincount(pcode[pok], minlength=n)
    rows["parcel_land_mu"] = np.bincount(pcode[land_ok], weights=land[land_ok], minlength=n)
    cov = land_ok & covered
    rows["covered_land_mu"] = np.bincount(pcode[cov], weights=land[cov], minlength=n)
    rows["coverage_share"] = ratio(rows["covered_land_mu"], rows["parcel_land_mu"])
    return rows


def _units_of(frame: pd.DataFrame, col: str) -> pd.Series:
    """Return the unit column of ``frame`` (``city`` is implicit), or fail naming the fix."""
    if col == "city":
        return pd.Series(pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int64),
                                                   categories=["宁波市"]), index=frame.index)
    if col not in frame:
        raise ValueError(f"no {col!r} column. Fix: assign units first (geo.landuse.spatial."
                         "assign_units / assign_points)")
    return frame[col]
