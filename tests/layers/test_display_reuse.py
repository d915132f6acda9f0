"""Display copies are reused by content: the same layer is simplified once, a changed one again."""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry import box

import geo.display
from geo.display import display_frame


def _layer(shift: float = 0.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ["a", "b"]},
                            geometry=[box(121.5 + shift, 29.8, 121.6 + shift, 29.9),
                                      box(121.6 + shift, 29.8, 121.7 + shift, 29.9)],
                            crs=4326)


def test_the_same_layer_is_simplified_once_and_a_changed_one_again(monkeypatch):
    calls = []
    real = geo.display._computed_geometry

    def counting(*args):
        calls.append(args[1:])
        return real(*args)

    monkeypatch.setattr(geo.display, "_computed_geometry", counting)
    monkeypatch.setattr(geo.display, "_DRAWN", type(geo.display._DRAWN)())
    first = display_frame(_layer(), columns=["id"], tolerance_m=50)
    again = display_frame(_layer(), columns=["id"], tolerance_m=50)
    assert len(calls) == 1
    assert shapely.equals(first.geometry.values, again.geometry.values).all()
    display_frame(_layer(0.001), columns=["id"], tolerance_m=50)
    display_frame(_layer(), columns=["id"], tolerance_m=20)
    display_frame(_layer(), columns=["id"], tolerance_m=50, gcj02=True)
    assert len(calls) == 4


def test_a_reused_copy_cannot_change_the_cached_one(monkeypatch):
    monkeypatch.setattr(geo.display, "_DRAWN", type(geo.display._DRAWN)())
    first = display_frame(_layer(), columns=["id"])
    first.loc[0, "geometry"] = box(0, 0, 1, 1)
    again = display_frame(_layer(), columns=["id"])
    assert again.geometry.iloc[0].bounds[0] > 100


def test_belt_envelopes_are_built_once_per_zone_layer(monkeypatch):
    from geo.display import belt_envelopes

    calls = []
    real = geo.display._belt_envelopes
    monkeypatch.setattr(geo.display, "_belt_envelopes",
                        lambda *a: calls.append(a[1:]) or real(*a))
    monkeypatch.setattr(geo.display, "_DRAWN", type(geo.display._DRAWN)())
    zones = _layer().assign(belt=["东部临港产业带", "东部临港产业带"], name=["甲", "乙"])
    first, again = belt_envelopes(zones), belt_envelopes(zones)
    assert len(calls) == 1
    assert first.equals(again)
    assert first is not again
    belt_envelopes(zones.assign(name=["甲", "丙"]))
    assert len(calls) == 2


def test_a_projected_layer_is_drawn_where_its_wgs84_copy_is(monkeypatch):
    monkeypatch.setattr(geo.display, "_DRAWN", type(geo.display._DRAWN)())
    wgs84 = display_frame(_layer(), columns=["id"], tolerance_m=50)
    projected = display_frame(_layer().to_crs(4549), columns=["id"], tolerance_m=50)
    assert projected.crs.to_epsg() == 4326
    assert shapely.equals_exact(wgs84.geometry.values, projected.geometry.values,
                                tolerance=1e-5).all()


def test_no_geometry_and_one_missing_geometry_are_told_apart(monkeypatch):
    monkeypatch.setattr(geo.display, "_DRAWN", type(geo.display._DRAWN)())
    empty = _layer().iloc[:0]
    one = _layer().iloc[:1].set_geometry([None], crs=4326)
    assert len(display_frame(empty, columns=["id"])) == 0
    assert len(display_frame(one, columns=["id"])) == 1
