"""Synthetic parcel layers for the tile benchmark and tests (no real data).

Industrial estates scattered over Ningbo, each a grid of rectangular parcels of 60–400 m a
side, plus a few 10 m × 10 m parcels, with a first low-efficiency reason each.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import AREA_CRS, M2_PER_MU, NINGBO_VIEW, STORAGE_CRS

__all__ = ["REASON_CODES", "synthetic_parcels"]

REASON_CODES = ("IDLE", "CLASS_D", "LOW_TAX", "LOW_FAR", "LOW_BUILT")


def synthetic_parcels(n: int, *, seed: int = 14, tiny: int = 10) -> gpd.GeoDataFrame:
    """``n`` parcels (WGS84), ``tiny`` of them 10 m × 10 m (the last rows).

    Columns ``parcel_id`` (SYN-000001 …), ``land_mu``, ``reason_codes``, ``reasons`` (the
    codes), ``tax_per_mu``, ``status`` and the geometry.
    """
    rng = np.random.default_rng(seed)
    west, south, east, north = NINGBO_VIEW
    centre = gpd.GeoSeries(shapely.points([[(west + east) / 2, (south + north) / 2]]),
                           crs=STORAGE_CRS).to_crs(AREA_CRS).iloc[0]
    big = n - tiny
    per_estate = 300
    estates = max(1, -(-big // per_estate))
    ex = centre.x + rng.uniform(-55_000, 55_000, estates)
    ey = centre.y + rng.uniform(-70_000, 70_000, estates)
    k = np.arange(big)
    e, j = k // per_estate, k % per_estate
    cols = 20
    size = rng.uniform(60, 400, big)
    step = 420.0
    x0 = ex[e] + (j % cols) * step
    y0 = ey[e] + (j // cols) * step
    boxes = shapely.box(x0, y0, x0 + size, y0 + size * rng.uniform(0.5, 1.0, big))
    tx = centre.x + rng.uniform(-20_000, 20_000, tiny) + 0.5 * step * 200  # between estates
    ty = centre.y + rng.uniform(-20_000, 20_000, tiny)
    small = shapely.box(tx, ty, tx + 10.0, ty + 10.0)
    geom = np.concatenate([boxes, small])
    codes = rng.integers(0, len(REASON_CODES), n)
    frame = gpd.GeoDataFrame({
        "parcel_id": [f"SYN-{i + 1:06d}" for i in range(n)],
        "land_mu": shapely.area(geom) / M2_PER_MU,
        "reason_codes": [REASON_CODES[c] for c in codes],
        "reasons": [REASON_CODES[c] for c in codes],
        "tax_per_mu": np.round(rng.uniform(0, 30, n), 2),
        "status": "在产",
    }, geometry=geom, crs=AREA_CRS)
    return frame.to_crs(STORAGE_CRS)
