"""Overlapping and duplicate parcels (宗地): find them, report them, count their land once.

Parcel files often hold the same plot twice (digitised twice, or a lot and its sub-lot), and a
land total summed over parcels then counts the shared ground twice: two identical parcels of
24.1 亩 add up to 48.2 亩. This module finds such pairs (:func:`find_overlaps`), words one
report line per pair (:func:`overlap_lines`) and removes the double count
(:func:`resolve_overlaps`). It is pure logic: no Streamlit, no file access.

The rule
--------
Pairs
    Two parcels form a pair when their intersection, measured in EPSG:4549
    (:data:`geo.crs.AREA_CRS`), has a positive area that is at least ``min_share`` (default
    5 %) of the smaller parcel's area. Parcels that only touch share no area and never pair;
    slivers under ``min_share`` (digitising noise along a shared boundary) are tolerated and
    left alone, so their few square metres may still be counted twice. Candidates come from a
    spatial index (:class:`shapely.STRtree`), so the search is O(n log n) plus the pairs whose
    boxes meet, never all n² pairs.
Order
    In a pair, *a* is the earlier parcel (lower ``source_row``; ties by position) and *b* the
    later one. Each pair is listed once.
Kind
    重复 (duplicate) when the two geometries are equal within 1 m² of symmetric difference
    (area_a + area_b − 2 × shared ≤ 1 m²) or the shared area is at least 99 % of the *larger*
    parcel (hence of both); otherwise 重叠 (overlap). ``share_of_smaller`` is not used for this
    on purpose: a 1-亩 parcel inside a 100-亩 one shares 100 % of the smaller, yet it is a
    sub-lot, not a copy, and must not make either parcel disappear.
Resolution (:func:`resolve_overlaps`)
    * The later parcel of every 重复 pair is set aside: it leaves the frame and its
      ``source_row`` is returned. The earlier parcel is kept as it is.
    * Every kept parcel that is the later one of 重叠 pairs with kept earlier parcels loses,
      from its measured land ``land_area_geom_m2``, the area it shares with the *union* of
      those earlier parcels. With one partner that is the pair's ``shared_m2``; in a three-way
      overlap the ground common to all three is subtracted once, not twice, so the measured
      land of the parcels adds up to the area of their union — no more, no less.
    * ``land_area_m2`` follows the new measured land when it came from the geometry
      (``land_area_source == "图形测算"``). A stated area (填报, or no ``land_area_source``
      column) is the official's figure and is **not altered**: the report line says that the
      stated area was not reduced and the overlap must be checked. Until the official corrects
      it, totals of ``land_area_m2`` may still hold that stated parcel's shared ground twice;
      totals of ``land_area_geom_m2`` never do.
Failure
    Nothing here raises on bad geometry. A parcel whose geometry is missing, empty, invalid
    (e.g. a self-intersecting bow-tie) or of zero area is skipped: it forms no pair, keeps its
    areas, and :func:`overlap_lines` gives it one 警告 line. A pair whose intersection GEOS
    cannot compute is skipped the same way (a 警告 line on the later parcel). The skipped
    parcels travel with the pairs in ``pairs.attrs[SKIPPED_ATTR]``. Only caller errors raise:
    a missing column, a frame without CRS, ``min_share`` outside [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.errors import GEOSException

from geo.crs import M2_PER_MU, to_area_crs
from geo.labels import REPORT_LEVELS

__all__ = [
    "PAIR_COLUMNS",
    "KIND_DUPLICATE",
    "KIND_OVERLAP",
    "SKIPPED_ATTR",
    "find_overlaps",
    "overlap_lines",
    "resolve_overlaps",
]

#: 重复: the two geometries are the same parcel (see the module docstring).
KIND_DUPLICATE = "重复"
#: 重叠: the two parcels share ground but are different parcels.
KIND_OVERLAP = "重叠"
#: Columns of :func:`find_overlaps`'s frame, in order.
PAIR_COLUMNS = ("parcel_id_a", "parcel_id_b", "row_a", "row_b", "shared_m2",
                "share_of_smaller", "kind", "stated_b")
#: Key of ``pairs.attrs`` holding the parcels not checked: a tuple of
#: (source_row, parcel_id, problem) tuples, plain Python values.
SKIPPED_ATTR = "overlap_skipped"

_DUP_SYMDIFF_M2 = 1.0  # equal geometries: symmetric difference at most 1 m²
_DUP_SHARE = 0.99  # or the shared area covers 99 % of the larger parcel
_MEASURED = "图形测算"  # land_area_source of an area measured from the geometry
_ERROR, _WARN = REPORT_LEVELS["error"], REPORT_LEVELS["warning"]
_DROP_ROW = "未导入该行"  # as in geo.landuse.ingest._common: counted as 未导入 by the summary
_NOT_CHECKED = "未参与重叠检查（面积按原样计入）"

_Skipped = tuple[int, str, str]


# --------------------------------------------------------------------------- finding pairs


def _check_frame(parcels: gpd.GeoDataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in parcels.columns]
    if missing:
        raise ValueError(f"parcels lack column(s) {missing}; expected the frame of "
                         "geo.landuse.ingest.import_parcels")


def _unusable(geoms: np.ndarray, areas: np.ndarray) -> list[str]:
    """Return, per geometry, why it cannot be checked ("" when it can)."""
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    valid = shapely.is_valid(geoms)
    reasons = [""] * len(geoms)
    for k in np.flatnonzero(missing | ~valid | ~(areas > 0)):
        geom = geoms[k]
        if missing[k]:
            reasons[k] = "无图形"
        elif not valid[k]:
            reasons[k] = f"图形无效（{shapely.is_valid_reason(geom)}）"
        else:
            reasons[k] = f"图形面积为零（{geom.geom_type}）"
    return reasons


def _shared_areas(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Return the intersection area of each pair of geometries; NaN where GEOS fails."""
    try:
        return np.asarray(shapely.area(shapely.intersection(left, right)), dtype=float)
    except GEOSException:
        pass  # one pair broke the vectorised call: redo them one by one, NaN for the failures
    out = np.full(len(left), np.nan)
    for k, (a, b) in enumerate(zip(left, right, strict=True)):
        try:
            out[k] = shapely.area(shapely.intersection(a, b))
        except GEOSException:
            continue
    return out


def _candidates(geoms: np.ndarray, areas: np.ndarray, min_share: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """Return the index pairs (i < j) that may share ``min_share`` of the smaller parcel.

    An STRtree gives the pairs whose bounding boxes meet; a pair stays a candidate only if the
    overlap of the two boxes — an upper bound of the shared area — is positive and at least
    ``min_share`` of the smaller area. Neighbours in a tessellated map, whose boxes merely
    touch, are thus dropped without intersecting their polygons.
    """
    if len(geoms) < 2:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms)
    keep = left < right
    left, right = left[keep], right[keep]
    bounds = shapely.bounds(geoms)
    lo = np.maximum(bounds[left, :2], bounds[right, :2])
    hi = np.minimum(bounds[left, 2:], bounds[right, 2:])
    box_area = np.prod(np.clip(hi - lo, 0.0, None), axis=1)
    bound = (box_area > 0) & (box_area >= min_share * np.minimum(areas[left], areas[right]))
    left, right = left[bound], right[bound]
    inside = _interiors_meet(geoms, left, right)
    return left[inside], right[inside]


def _interiors_meet(geoms: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Return, per candidate pair, whether the interiors meet (DE-9IM ``T********``).

    Two valid polygons share area exactly when their interiors meet; this prepared predicate
    is two to three times cheaper than the intersection, and drops the pairs that only touch.
    If GEOS fails, every pair stays a candidate (the intersection then decides).
    """
    try:
        shapely.prepare(geoms[np.unique(left)])
        return np.asarray(shapely.relate_pattern(geoms[left], geoms[right], "T********"),
                          dtype=bool)
    except GEOSException:
        return np.ones(len(left), dtype=bool)


def _pair_frame(ids: np.ndarray, rows: np.ndarray, stated: np.ndarray, areas: np.ndarray,
                left: np.ndarray, right: np.ndarray, shared: np.ndarray, min_share: float
                ) -> pd.DataFrame:
    """Return the pairs at or above ``min_share`` from candidate indices and shared areas."""
    smaller = np.minimum(areas[left], areas[right])
    larger = np.maximum(areas[left], areas[right])
    with np.errstate(invalid="ignore"):
        share = np.clip(shared / smaller, 0.0, 1.0)
        keep = (shared > 0) & (share >= min_share)
    left, right, shared, share = left[keep], right[keep], shared[keep], share[keep]
    symdiff = areas[left] + areas[right] - 2.0 * shared
    duplicate = (symdiff <= _DUP_SYMDIFF_M2) | (shared >= _DUP_SHARE * larger[keep])
    pairs = pd.DataFrame({
        "parcel_id_a": ids[left], "parcel_id_b": ids[right],
        "row_a": rows[left].astype(np.int64), "row_b": rows[right].astype(np.int64),
        "shared_m2": shared, "share_of_smaller": share,
        "kind": np.where(duplicate, KIND_DUPLICATE, KIND_OVERLAP),
        "stated_b": stated[right].astype(bool),
    }, columns=list(PAIR_COLUMNS))
    return pairs.sort_values(["row_a", "row_b"], kind="stable").reset_index(drop=True)


def _failed_pairs(ids: np.ndarray, rows: np.ndarray, left: np.ndarray, right: np.ndarray,
                  shared: np.ndarray) -> list[_Skipped]:
    """Return a skipped entry, on the later parcel, for each pair GEOS could not intersect."""
    bad = np.flatnonzero(np.isnan(shared))
    return [(int(rows[right[k]]), str(ids[right[k]]),
             f"与第 {int(rows[left[k]])} 行宗地 {ids[left[k]]} 的重叠面积无法计算")
            for k in bad]


def find_overlaps(parcels: gpd.GeoDataFrame, *, min_share: float = 0.05) -> pd.DataFrame:
    """Find every pair of parcels that share ground, measured in EPSG:4549.

    Parameters
    ----------
    parcels : GeoDataFrame
        Parcels with ``parcel_id``, ``source_row`` and a geometry with a CRS (EPSG:4326 from
        :func:`geo.landuse.ingest.import_parcels`); ``land_area_source`` is read when present.
    min_share : float, keyword-only
        Smallest shared area, as a share of the smaller parcel's area, that makes a pair
        (default 0.05). Touching parcels never pair, whatever ``min_share``.

    Returns
    -------
    DataFrame
        One row per pair, earlier parcel first (``row_a`` < ``row_b`` by ``source_row``),
        sorted by ``row_a``, ``row_b``; columns :data:`PAIR_COLUMNS`: ``parcel_id_a``,
        ``parcel_id_b``, ``row_a``, ``row_b`` (``source_row``), ``shared_m2`` (area of the
        intersection in m², EPSG:4549), ``share_of_smaller`` (``shared_m2`` over the smaller
        parcel's area, 0–1), ``kind`` (:data:`KIND_DUPLICATE` 重复 or :data:`KIND_OVERLAP`
        重叠, see the module docstring) and ``stated_b`` (True when the later parcel's
        ``land_area_m2`` is not measured from its geometry, so :func:`resolve_overlaps` leaves
        it as stated). ``attrs[SKIPPED_ATTR]`` holds the parcels not checked, as
        (source_row, parcel_id, problem) tuples.

    Raises
    ------
    ValueError
        If a column is missing, the frame has no CRS, or ``min_share`` is outside [0, 1].
        Bad geometries never raise: they are skipped and listed in ``attrs[SKIPPED_ATTR]``.

    Notes
    -----
    Candidates are the pairs whose bounding boxes meet, from :class:`shapely.STRtree`
    (O(n log n) plus the candidates); those whose box overlap is under ``min_share`` of the
    smaller parcel, or whose interiors do not meet (neighbours that only touch), are dropped
    before the intersection is computed. Measured on two cores: 100,000 scattered parcels in
    about 0.5–1 s, a 100,000-parcel tessellation where every parcel touches its neighbours in
    about 3–5 s.
    """
    _check_frame(parcels, ("parcel_id", "source_row"))
    if not 0.0 <= min_share <= 1.0:
        raise ValueError(f"min_share must lie in [0, 1], not {min_share!r}")
    order = np.lexsort((np.arange(len(parcels)), parcels["source_row"].to_numpy()))
    frame = parcels.iloc[order]
    geoms = np.asarray(to_area_crs(frame.geometry).to_numpy(), dtype=object)
    areas = np.asarray(shapely.area(geoms), dtype=float)
    ids = frame["parcel_id"].astype(str).to_numpy()
    rows = frame["source_row"].to_numpy()
    source = frame["land_area_source"] if "land_area_source" in frame.columns else None
    stated = np.ones(len(frame), bool) if source is None else (source != _MEASURED).to_numpy()
    reasons = _unusable(geoms, areas)
    skipped: list[_Skipped] = [(int(rows[k]), str(ids[k]), why)
                               for k, why in enumerate(reasons) if why]
    ok = np.flatnonzero([not why for why in reasons])
    left, right = _candidates(geoms[ok], areas[ok], min_share)
    left, right = ok[left], ok[right]
    shared = _shared_areas(geoms[left], geoms[right])
    skipped += _failed_pairs(ids, rows, left, right, shared)
    pairs = _pair_frame(ids, rows, stated, areas, left, right, shared, min_share)
    pairs.attrs[SKIPPED_ATTR] = tuple(skipped)
    return pairs


# --------------------------------------------------------------------------- report lines


def _mu_text(m2: float) -> str:
    mu = m2 / M2_PER_MU
    return f"{mu:.1f} 亩" if mu >= 0.05 else f"{m2:.1f} 平方米"


def _pair_problem_action(pair: Mapping[str, Any]) -> tuple[str, str]:
    """Return the (problem, action) of one pair's line, on the later parcel."""
    earlier = f"与第 {int(pair['row_a'])} 行宗地 {pair['parcel_id_a']}"
    if pair["kind"] == KIND_DUPLICATE:
        return f"{earlier} 图形相同（重复宗地）", _DROP_ROW
    problem = (f"{earlier} 重叠 {_mu_text(float(pair['shared_m2']))}"
               f"（占较小宗地 {float(pair['share_of_smaller']):.0%}）")
    if pair["stated_b"]:
        return problem, "填报用地面积未扣减（以填报为准），请核对重叠；图形面积已扣减重叠部分"
    return problem, "用地面积不重复计入：本宗地扣减重叠部分"


def overlap_lines(pairs: pd.DataFrame, *, file: str, field: str = "") -> list[dict]:
    """Word one Chinese report line per pair, and one per parcel that could not be checked.

    Parameters
    ----------
    pairs : DataFrame
        The result of :func:`find_overlaps` (its ``attrs[SKIPPED_ATTR]`` gives the lines of
        the parcels not checked; if the attrs were lost, those lines are simply missing).
    file : str, keyword-only
        File name, for the report.
    field : str, keyword-only
        Column the lines are about (the geometry or WKT column); "" by default.

    Returns
    -------
    list of dict
        Lines of :func:`geo.landuse.ingest.report_line`, each on the later parcel
        (行号 ``row_b``, 值 its ``parcel_id``), naming the earlier one, level 错误:

        * 重复: "与第 12 行宗地 P7 图形相同（重复宗地）", action "未导入该行" (exactly, so
          that :meth:`ImportResult.summary` counts it as left out);
        * 重叠: "与第 12 行宗地 P7 重叠 8.3 亩（占较小宗地 52%）" (in 平方米, 1 decimal,
          below 0.05 亩, which would read 0.0 亩),
          action "用地面积不重复计入：本宗地扣减重叠部分" — or, when the later parcel's area is
          stated (``stated_b``), "填报用地面积未扣减（以填报为准），请核对重叠；…".

        Parcels not checked (bad geometry, or an intersection GEOS could not compute) get one
        警告 line each, action "未参与重叠检查（面积按原样计入）". Never raises on a pair.
    """
    # Imported here, not at the top: geo.landuse.ingest.parcels imports this module, and the
    # package's __init__ would otherwise import it back half-initialised.
    from geo.landuse.ingest._common import report_line

    skipped: Iterable[_Skipped] = pairs.attrs.get(SKIPPED_ATTR, ())
    lines = [report_line(file, row, field, pid, why, _NOT_CHECKED, _WARN)
             for row, pid, why in skipped]
    for pair in pairs.to_dict("records"):  # a dict per pair: iterrows built a Series each
        problem, action = _pair_problem_action(pair)
        lines.append(report_line(file, int(pair["row_b"]), field, pair["parcel_id_b"], problem,
                                 action, _ERROR))
    return lines


# --------------------------------------------------------------------------- resolution


def _deductions(parcels: gpd.GeoDataFrame, overlaps: pd.DataFrame) -> dict[int, float]:
    """Return, by later parcel's source_row, the area it shares with its earlier partners.

    One partner: the pair's ``shared_m2``. Several: the area of the parcel's intersection with
    their union, so ground common to three parcels is subtracted once; if GEOS cannot compute
    it, the sum of the pairs' shared areas (may under-count, never counts twice).
    """
    out: dict[int, float] = {}
    several = overlaps["row_b"].duplicated(keep=False)
    for row, shared in zip(overlaps.loc[~several, "row_b"], overlaps.loc[~several, "shared_m2"],
                           strict=True):
        out[int(row)] = float(shared)
    if not several.any():
        return out
    multi = overlaps[several]
    needed = set(multi["row_a"]) | set(multi["row_b"])
    subset = parcels[parcels["source_row"].isin(needed)]
    geoms = dict(zip(subset["source_row"].astype(int), to_area_crs(subset.geometry),
                     strict=True))
    for row, group in multi.groupby("row_b"):
        try:
            union = shapely.union_all([geoms[int(a)] for a in group["row_a"]])
            out[int(row)] = float(shapely.area(shapely.intersection(geoms[int(row)], union)))
        except GEOSException:
            out[int(row)] = float(group["shared_m2"].sum())
    return out


def resolve_overlaps(parcels: gpd.GeoDataFrame, pairs: pd.DataFrame
                     ) -> tuple[gpd.GeoDataFrame, list[int]]:
    """Count the land of overlapping parcels once: set duplicates aside, deduct shared ground.

    Parameters
    ----------
    parcels : GeoDataFrame
        The parcels :func:`find_overlaps` was given (``source_row``, ``land_area_m2``,
        ``land_area_geom_m2``, ``land_area_source`` when present, geometry with a CRS).
    pairs : DataFrame
        Its result. Pairs naming a ``source_row`` not in ``parcels`` are ignored.

    Returns
    -------
    parcels : GeoDataFrame
        A copy without the parcels set aside (index reset), where:

        * the later parcel of each 重复 pair is set aside; the earlier one is unchanged;
        * a kept parcel that is the later one of 重叠 pairs with kept parcels has
          ``land_area_geom_m2`` reduced by the area it shares with the union of those earlier
          parcels (the pair's ``shared_m2`` for one; ground common to three counted once),
          never below 0;
        * its ``land_area_m2`` gets the same new value when ``land_area_source`` is 图形测算;
          a stated area (填报, or no ``land_area_source`` column) is the official's and is left
          unchanged — :func:`overlap_lines` says the overlap must be checked.

        Parcels not in any pair, and parcels skipped for bad geometry, are unchanged.
    set_aside : list of int
        ``source_row`` of the parcels set aside, ascending.

    Raises
    ------
    ValueError
        If a column is missing (or, when several partners must be unioned, the frame has no
        CRS). Never raises on a geometry.
    """
    _check_frame(parcels, ("source_row", "land_area_m2", "land_area_geom_m2"))
    rows = set(parcels["source_row"].astype(int))
    known = pairs[pairs["row_a"].isin(rows) & pairs["row_b"].isin(rows)]
    set_aside = sorted({int(r) for r in known.loc[known["kind"] == KIND_DUPLICATE, "row_b"]})
    out = parcels[~parcels["source_row"].isin(set_aside)].copy()
    overlaps = known[(known["kind"] == KIND_OVERLAP) & ~known["row_a"].isin(set_aside)
                     & ~known["row_b"].isin(set_aside)]
    if overlaps.empty:
        return out.reset_index(drop=True), set_aside
    deducted = out["source_row"].astype(int).map(_deductions(out, overlaps)).fillna(0.0)
    out["land_area_geom_m2"] = (out["land_area_geom_m2"] - deducted).clip(lower=0.0)
    if "land_area_source" in out.columns:
        measured = (out["land_area_source"] == _MEASURED) & (deducted > 0)
        out.loc[measured, "land_area_m2"] = out.loc[measured, "land_area_geom_m2"]
    return out.reset_index(drop=True), set_aside
