"""Small hand-built parcel and enterprise files shared by the CLI tests."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

MU = 10000 / 15


def square(centre, mu: float, dx: float = 0.0):
    """A square of ``mu`` 亩 centred ``dx`` m east of ``centre`` (EPSG:4549 coordinates)."""
    side = (mu * MU) ** 0.5
    x, y = centre.x + dx, centre.y
    return box(x - side / 2, y - side / 2, x + side / 2, y + side / 2)


def three_parcels(catalog, folder: Path, *, third_name: str = "丙",
                  encoding: str = "utf-8") -> tuple[Path, Path]:
    """P1 30 亩 and P2 10 亩 in 分片 Z01-01, P3 20 亩 in Z02-01; one 规上 enterprise on each
    (税收 900 / 40 / 100, 增加值 3000 / 200 / 400 万元). Returns the GeoJSON and CSV paths."""
    sub = catalog["subzone"].set_index("id").to_crs(4549)
    c1 = sub.loc["Z01-01"].geometry.representative_point()
    c2 = sub.loc["Z02-01"].geometry.representative_point()
    parcels = gpd.GeoDataFrame(
        {"宗地编号": ["P1", "P2", "P3"], "用地面积（亩）": [30, 10, 20],
         "用地性质": ["工业用地"] * 3, "容积率": [1.2, 1.0, 1.1], "生产状态": ["正常"] * 3},
        geometry=[square(c1, 30), square(c1, 10, dx=400), square(c2, 20)], crs=4549,
    ).to_crs(4326)
    ppath = folder / "宗地.geojson"
    parcels.to_file(ppath, driver="GeoJSON")
    epath = folder / "企业.csv"
    pd.DataFrame({
        "统一社会信用代码": ["91330200MA2AAAAA0X", "91330200MA2BBBBB1Y", "91330200MA2CCCCC2W"],
        "企业名称": ["甲", "乙", third_name], "宗地编号": ["P1", "P2", "P3"],
        "是否规上": ["是", "是", "是"], "税收（万元）": [900, 40, 100],
        "工业增加值（万元）": [3000, 200, 400],
    }).to_csv(epath, index=False, encoding=encoding)
    return ppath, epath
