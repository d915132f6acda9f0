"""A layer's attributes become the texts an official typed, whether the cells are held as
Python objects or in Arrow: integers as digits, floats as ``format(v, ".15g")`` writes them."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from geo.io.tables import read_table

#: Floats where Arrow's shortest digits and ".15g" part: 16–17 digits, exponents, zeros.
AWKWARD = [0.1 + 0.2, 1234.5678901234567, 1e-5, 1e-4, 2e15, 1e15, 999999999999999.9,
           123456789012345.0, 0.0, 5e-324, 1.5e300, -2.5, 100.0, 99999.99, float("nan")]


def _layer(path, values: list[float]) -> None:
    n = len(values)
    gpd.GeoDataFrame({"容积率": values, "层数": np.arange(n, dtype=np.int64) * 7 - 3,
                      "名称": [f"地块{i}" if i % 3 else None for i in range(n)]},
                     geometry=[Point(121.5, 29.8)] * n, crs=4326).to_file(path, engine="pyogrio")


@pytest.mark.parametrize("text", ["object", "arrow"])
def test_layer_floats_ints_and_texts_read_as_typed(tmp_path, text):
    rng = np.random.default_rng(5)
    scaled = rng.random(3000) * 10.0 ** rng.integers(-7, 18, 3000)
    decimals = np.round(rng.random(3000) * 1e5, 2)
    values = [*AWKWARD, *scaled.tolist(), *decimals.tolist()]
    _layer(tmp_path / "p.gpkg", values)
    table, _ = read_table(tmp_path / "p.gpkg", text=text)
    assert table["容积率"].tolist() == ["" if v != v else format(v, ".15g") for v in values]
    assert table["层数"].tolist() == [str(i * 7 - 3) for i in range(len(values))]
    assert table["名称"].tolist() == [f"地块{i}" if i % 3 else "" for i in range(len(values))]
    held = {str(table[c].dtype) for c in ("容积率", "层数", "名称")}
    assert held == ({"str"} if text == "arrow" else {"object"})
