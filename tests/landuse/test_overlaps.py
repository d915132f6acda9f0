"""Overlapping and duplicate parcels: found once, reported, and their land counted once.

Every parcel is a box drawn in EPSG:4549 metres (near Ningbo, around x 645 km, y 3306 km),
then stored in EPSG:4326 as the importer stores it; the expected areas are computed by hand
from the boxes' sides.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, box

from geo.crs import M2_PER_MU
from geo.labels import REPORT_COLUMNS
from geo.landuse.overlaps import (
    KIND_DUPLICATE,
    KIND_OVERLAP,
    PAIR_COLUMNS,
    SKIPPED_ATTR,
    find_overlaps,
    overlap_lines,
    resolve_overlaps,
)

X0, Y0 = 645_000.0, 3_306_000.0  # EPSG:4549 metres, in Ningbo
FILE, ROW, RECORD, FIELD, VALUE, PROBLEM, ACTION, LEVEL = REPORT_COLUMNS


def _m(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """A box in metres relative to (X0, Y0), in EPSG:4549."""
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def _parcels(geoms: list, *, ids: list[str] | None = None, rows: list[int] | None = None,
             stated: dict[int, float] | None = None) -> gpd.GeoDataFrame:
    """Parcels as import_parcels returns them, from EPSG:4549 geometries.

    ``stated`` maps a position to a stated (填报) land area in m²; the others are measured.
    """
    n = len(geoms)
    stated = stated or {}
    projected = gpd.GeoSeries(geoms, crs=4549)
    measured = projected.area.to_numpy()
    frame = gpd.GeoDataFrame({
        "parcel_id": ids or [f"P{k + 1}" for k in range(n)],
        "land_area_m2": [stated.get(k, measured[k]) for k in range(n)],
        "land_area_geom_m2": measured,
        "land_area_source": ["填报" if k in stated else "图形测算" for k in range(n)],
        "source_row": rows or [k + 2 for k in range(n)],
    }, geometry=projected.to_crs(4326).to_numpy(), crs=4326)
    frame["land_area_geom_m2"] = frame["land_area_geom_m2"].astype(float)
    return frame


def _land_mu(parcels: gpd.GeoDataFrame, column: str = "land_area_m2") -> float:
    return float(parcels[column].sum()) / M2_PER_MU


# --------------------------------------------------------------------------- duplicates


def test_two_identical_parcels_count_their_land_once():
    side = (24.1 * M2_PER_MU) ** 0.5  # a square of 24.1 亩
    parcels = _parcels([_m(0, 0, side, side), _m(0, 0, side, side)], ids=["P7", "P9"],
                       rows=[12, 15])
    assert _land_mu(parcels) == pytest.approx(48.2)  # the double count this module removes

    pairs = find_overlaps(parcels)
    assert list(pairs.columns) == list(PAIR_COLUMNS)
    assert len(pairs) == 1
    pair = pairs.iloc[0]
    assert (pair["parcel_id_a"], pair["parcel_id_b"], pair["row_a"], pair["row_b"]) == (
        "P7", "P9", 12, 15)
    assert pair["kind"] == KIND_DUPLICATE
    assert pair["shared_m2"] == pytest.approx(24.1 * M2_PER_MU, abs=0.1)
    assert pair["share_of_smaller"] == pytest.approx(1.0)

    kept, aside = resolve_overlaps(parcels, pairs)
    assert aside == [15]
    assert kept["parcel_id"].tolist() == ["P7"]
    assert _land_mu(kept) == pytest.approx(24.1)
    assert _land_mu(kept, "land_area_geom_m2") == pytest.approx(24.1)

    (line,) = overlap_lines(pairs, file="宗地.gpkg")
    assert (line[FILE], line[ROW], line[VALUE], line[LEVEL]) == ("宗地.gpkg", 15, "P9", "错误")
    assert line[PROBLEM] == "与第 12 行宗地 P7 图形相同（重复宗地）"
    assert line[ACTION] == "未导入该行"


def test_the_earlier_row_is_kept_whatever_the_frame_order():
    parcels = _parcels([_m(0, 0, 100, 100), _m(0, 0, 100, 100)], ids=["late", "early"],
                       rows=[30, 4])
    pairs = find_overlaps(parcels)
    assert (pairs.loc[0, "row_a"], pairs.loc[0, "row_b"]) == (4, 30)
    kept, aside = resolve_overlaps(parcels, pairs)
    assert aside == [30]
    assert kept["parcel_id"].tolist() == ["early"]


def test_a_copy_off_by_a_few_millimetres_is_still_a_duplicate():
    # symmetric difference 2 × 0.005 m × 100 m = 1 m² (within the 1 m² rule)
    parcels = _parcels([_m(0, 0, 100, 100), _m(0.005, 0, 100.005, 100)])
    assert find_overlaps(parcels).loc[0, "kind"] == KIND_DUPLICATE


def test_three_copies_keep_only_the_first():
    parcels = _parcels([_m(0, 0, 60, 60)] * 3)
    pairs = find_overlaps(parcels)
    assert list(zip(pairs["row_a"], pairs["row_b"], strict=True)) == [(2, 3), (2, 4), (3, 4)]
    kept, aside = resolve_overlaps(parcels, pairs)
    assert aside == [3, 4]
    assert kept["land_area_m2"].sum() == pytest.approx(3600.0, abs=0.1)


# --------------------------------------------------------------------------- overlaps


def test_half_overlapping_squares_share_exactly_half():
    # A = [0, 100]², B = [50, 150] × [0, 100]: shared [50, 100] × [0, 100] = 5000 m² (7.5 亩)
    parcels = _parcels([_m(0, 0, 100, 100), _m(50, 0, 150, 100)])
    pairs = find_overlaps(parcels)
    assert len(pairs) == 1
    pair = pairs.iloc[0]
    assert pair["kind"] == KIND_OVERLAP
    assert pair["shared_m2"] == pytest.approx(5000.0, abs=0.1)
    assert pair["share_of_smaller"] == pytest.approx(0.5, abs=1e-6)
    assert not pair["stated_b"]

    kept, aside = resolve_overlaps(parcels, pairs)
    assert aside == []
    assert kept["land_area_geom_m2"].tolist() == pytest.approx([10_000.0, 5000.0], abs=0.1)
    assert kept["land_area_m2"].tolist() == pytest.approx([10_000.0, 5000.0], abs=0.1)
    assert kept["land_area_m2"].sum() == pytest.approx(15_000.0, abs=0.1)  # the union

    (line,) = overlap_lines(pairs, file="f.csv", field="WKT")
    assert (line[ROW], line[FIELD], line[VALUE], line[LEVEL]) == (3, "WKT", "P2", "错误")
    assert line[PROBLEM] == "与第 2 行宗地 P1 重叠 7.5 亩（占较小宗地 50%）"
    assert line[ACTION] == "用地面积不重复计入：本宗地扣减重叠部分"


def test_a_stated_area_is_not_altered_and_the_line_asks_to_check():
    parcels = _parcels([_m(0, 0, 100, 100), _m(50, 0, 150, 100)], stated={1: 8000.0})
    pairs = find_overlaps(parcels)
    assert bool(pairs.loc[0, "stated_b"])
    kept, _ = resolve_overlaps(parcels, pairs)
    assert kept["land_area_m2"].tolist() == pytest.approx([10_000.0, 8000.0])  # as stated
    assert kept["land_area_geom_m2"].tolist() == pytest.approx([10_000.0, 5000.0], abs=0.1)
    (line,) = overlap_lines(pairs, file="f")
    assert "填报用地面积未扣减" in line[ACTION]
    assert "请核对重叠" in line[ACTION]


def test_touching_squares_are_no_pair():
    parcels = _parcels([_m(0, 0, 100, 100), _m(100, 0, 200, 100), _m(0, 100, 100, 200),
                        _m(100, 100, 200, 200)])  # four squares meeting at edges and a corner
    pairs = find_overlaps(parcels, min_share=0.0)
    assert pairs.empty
    assert list(pairs.columns) == list(PAIR_COLUMNS)
    assert overlap_lines(pairs, file="f") == []
    kept, aside = resolve_overlaps(parcels, pairs)
    assert aside == []
    assert kept["land_area_m2"].tolist() == parcels["land_area_m2"].tolist()


def test_slivers_under_min_share_are_left_alone():
    # shared [98, 100] × [0, 100] = 200 m² (0.3 亩), 2 % of the smaller parcel
    parcels = _parcels([_m(0, 0, 100, 100), _m(98, 0, 198, 100)])
    assert find_overlaps(parcels).empty
    pairs = find_overlaps(parcels, min_share=0.01)
    assert pairs.loc[0, "shared_m2"] == pytest.approx(200.0, abs=0.1)
    (line,) = overlap_lines(pairs, file="f")
    assert "重叠 0.3 亩（占较小宗地 2%）" in line[PROBLEM]


def test_a_tiny_shared_area_is_worded_in_square_metres():
    parcels = _parcels([_m(0, 0, 10, 10), _m(7, 0, 17, 10)])  # 30 m² = 0.045 亩 shared
    (line,) = overlap_lines(find_overlaps(parcels), file="f")
    assert "重叠 30.0 平方米（占较小宗地 30%）" in line[PROBLEM]


def test_three_way_overlap_counts_the_common_ground_once():
    # A = [0,100]², B = [50,150]×[0,100], C = [25,125]×[50,150]
    # A∩B = 5000, A∩C = 75×50 = 3750, B∩C = 3750, A∩B∩C = [50,100]×[50,100] = 2500
    # union = 15000 + 10000 − C∩(A∪B) = 25000 − [25,125]×[50,100] (5000) = 20000
    parcels = _parcels([_m(0, 0, 100, 100), _m(50, 0, 150, 100), _m(25, 50, 125, 150)])
    pairs = find_overlaps(parcels)
    got = {(a, b): s for a, b, s in zip(pairs["row_a"], pairs["row_b"], pairs["shared_m2"],
                                        strict=True)}
    assert got == pytest.approx({(2, 3): 5000.0, (2, 4): 3750.0, (3, 4): 3750.0}, abs=0.1)
    assert set(pairs["kind"]) == {KIND_OVERLAP}

    kept, aside = resolve_overlaps(parcels, pairs)
    assert aside == []
    # C loses C∩(A∪B) = 5000, not 3750 + 3750 = 7500 (which would count the 2500 out twice)
    assert kept["land_area_m2"].tolist() == pytest.approx([10_000.0, 5000.0, 5000.0], abs=0.1)
    assert kept["land_area_m2"].sum() == pytest.approx(20_000.0, abs=0.1)
    assert len(overlap_lines(pairs, file="f")) == 3


def test_a_parcel_inside_another_is_an_overlap_not_a_duplicate():
    outer, inner = _m(0, 0, 200, 200), _m(50, 50, 100, 100)  # 40000 and 2500 m²
    for geoms, expected in (([outer, inner], [40_000.0, 0.0]),
                            ([inner, outer], [2500.0, 37_500.0])):
        parcels = _parcels(geoms)
        pairs = find_overlaps(parcels)
        assert len(pairs) == 1
        assert pairs.loc[0, "kind"] == KIND_OVERLAP
        assert pairs.loc[0, "share_of_smaller"] == pytest.approx(1.0)
        assert pairs.loc[0, "shared_m2"] == pytest.approx(2500.0, abs=0.1)
        kept, aside = resolve_overlaps(parcels, pairs)
        assert aside == []  # neither parcel disappears
        assert kept["land_area_m2"].tolist() == pytest.approx(expected, abs=0.1)
        assert kept["land_area_m2"].sum() == pytest.approx(40_000.0, abs=0.1)


def test_a_duplicate_and_an_overlap_together():
    # A and B identical; C overlaps both by half: B is set aside, C loses its half once
    a = _m(0, 0, 100, 100)
    parcels = _parcels([a, a, _m(50, 0, 150, 100)])
    pairs = find_overlaps(parcels)
    assert dict(zip(zip(pairs["row_a"], pairs["row_b"], strict=True), pairs["kind"],
                    strict=True)) == {(2, 3): KIND_DUPLICATE, (2, 4): KIND_OVERLAP,
                                      (3, 4): KIND_OVERLAP}
    kept, aside = resolve_overlaps(parcels, pairs)
    assert aside == [3]
    assert kept["source_row"].tolist() == [2, 4]
    assert kept["land_area_m2"].tolist() == pytest.approx([10_000.0, 5000.0], abs=0.1)


# --------------------------------------------------------------------------- bad geometry


def test_an_invalid_bow_tie_gets_a_line_and_raises_nothing():
    bow_tie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    parcels = _parcels([_m(0, 0, 100, 100), bow_tie, _m(50, 0, 150, 100)],
                       ids=["P1", "蝴蝶", "P3"])
    assert not parcels.geometry.iloc[1].is_valid

    pairs = find_overlaps(parcels)
    assert list(zip(pairs["row_a"], pairs["row_b"], strict=True)) == [(2, 4)]
    (skipped,) = pairs.attrs[SKIPPED_ATTR]
    assert skipped[:2] == (3, "蝴蝶")
    assert skipped[2].startswith("图形无效")

    lines = overlap_lines(pairs, file="f")
    bad = [ln for ln in lines if ln[ROW] == 3]
    assert len(bad) == 1
    assert (bad[0][VALUE], bad[0][LEVEL]) == ("蝴蝶", "警告")
    assert bad[0][PROBLEM].startswith("图形无效（Self-intersection")
    assert "未参与重叠检查" in bad[0][ACTION]

    kept, aside = resolve_overlaps(parcels, pairs)
    assert aside == []
    assert kept.loc[1, "land_area_m2"] == parcels.loc[1, "land_area_m2"]  # untouched


def test_missing_and_empty_geometries_are_skipped_with_a_line():
    parcels = _parcels([_m(0, 0, 100, 100), _m(0, 0, 100, 100)])
    parcels.loc[1, "geometry"] = None
    extra = _parcels([Polygon()], ids=["空"], rows=[9])
    parcels = pd.concat([parcels, extra], ignore_index=True)
    pairs = find_overlaps(parcels)
    assert pairs.empty
    assert [s[:2] for s in pairs.attrs[SKIPPED_ATTR]] == [(3, "P2"), (9, "空")]
    assert [ln[PROBLEM] for ln in overlap_lines(pairs, file="f")] == ["无图形", "无图形"]


def test_an_empty_frame_gives_no_pairs():
    parcels = _parcels([])
    pairs = find_overlaps(parcels)
    assert pairs.empty
    assert overlap_lines(pairs, file="f") == []
    kept, aside = resolve_overlaps(parcels, pairs)
    assert kept.empty
    assert aside == []


@pytest.mark.parametrize("min_share", [-0.1, 1.5])
def test_min_share_outside_zero_one_is_refused(min_share):
    with pytest.raises(ValueError, match="min_share"):
        find_overlaps(_parcels([_m(0, 0, 1, 1)]), min_share=min_share)


def test_a_frame_without_source_row_is_refused():
    with pytest.raises(ValueError, match="source_row"):
        find_overlaps(_parcels([_m(0, 0, 1, 1)]).drop(columns="source_row"))


# --------------------------------------------------------------------------- scale


def test_twenty_thousand_parcels_with_ten_planted_overlaps():
    """Squares of 20–40 m, one per 100 m cell, never meet; 10 shifted copies each hit one."""
    rng = np.random.default_rng(20_000)
    n, per_row = 20_000, 200
    k = np.arange(n)
    side = rng.uniform(20.0, 40.0, n)
    x = X0 + (k % per_row) * 100.0 + rng.uniform(10.0, 40.0, n)
    y = Y0 + (k // per_row) * 100.0 + rng.uniform(10.0, 40.0, n)
    squares = list(shapely.box(x, y, x + side, y + side))
    targets = rng.choice(n, size=10, replace=False)
    # shifted by 20–50 % of the side: 50–80 % shared, still inside the target's cell
    shift = side[targets] * rng.uniform(0.2, 0.5, 10)
    planted = list(shapely.box(x[targets] + shift, y[targets], x[targets] + shift
                               + side[targets], y[targets] + side[targets]))
    parcels = _parcels(squares + planted)

    pairs = find_overlaps(parcels)
    expected = {(int(t) + 2, n + j + 2) for j, t in enumerate(targets)}
    assert set(zip(pairs["row_a"], pairs["row_b"], strict=True)) == expected
    assert len(pairs) == 10
    assert set(pairs["kind"]) == {KIND_OVERLAP}
    assert pairs["shared_m2"].to_numpy() == pytest.approx(
        ((side[targets] - shift) * side[targets])[np.argsort(targets)], abs=0.1)
    assert pairs.attrs[SKIPPED_ATTR] == ()


def test_a_pair_geos_cannot_intersect_is_skipped_with_a_line(monkeypatch):
    """A TopologyException on one pair: that pair gets a 警告 line, the others are found."""
    parcels = _parcels([_m(0, 0, 100, 100), _m(50, 0, 150, 100), _m(1000, 0, 1100, 100),
                        _m(1000, 0, 1100, 100)])
    real = shapely.intersection
    broken = parcels.to_crs(4549).geometry.iloc[1]

    def flaky(a, b, **kwargs):  # GEOS fails on any call that involves parcel P2
        if np.any(shapely.equals_exact(np.atleast_1d(b), broken, 1e-6)):
            raise shapely.errors.GEOSException("TopologyException: side location conflict")
        return real(a, b, **kwargs)

    monkeypatch.setattr(shapely, "intersection", flaky)
    pairs = find_overlaps(parcels)
    assert list(zip(pairs["row_a"], pairs["row_b"], pairs["kind"], strict=True)) == [
        (4, 5, KIND_DUPLICATE)]
    (skipped,) = pairs.attrs[SKIPPED_ATTR]
    assert skipped == (3, "P2", "与第 2 行宗地 P1 的重叠面积无法计算")
    levels = sorted(ln[LEVEL] for ln in overlap_lines(pairs, file="f"))
    assert levels == ["警告", "错误"]
