"""Bare baseline of ``evaluate --level subzone``: plain geopandas/pandas, run as a subprocess.

``python benchmarks/bare_evaluate.py PARCELS ENTERPRISES SUBZONES OUT``: pyogrio read of the
parcels, ``pandas.read_csv`` of the enterprises, a point-in-polygon ``sjoin`` of each parcel's
representative point to the sub-zones, a merge of the enterprises on 宗地编号 and a group-by
sub-zone of 税收 and 亩, written as CSV. No validation, no report, no scoring: the floor that
the app's import and analysis are compared with.
"""

from __future__ import annotations

import sys

import geopandas as gpd
import pandas as pd

M2_PER_MU = 10000 / 15


def main(argv: list[str]) -> int:
    """Read, join, group and write; print the number of sub-zones written."""
    parcels_path, enterprises_path, subzones_path, out = argv
    parcels = gpd.read_file(parcels_path, engine="pyogrio")
    enterprises = pd.read_csv(enterprises_path, encoding="utf-8-sig",
                              dtype={"宗地编号": str, "统一社会信用代码": str})
    subzones = gpd.read_file(subzones_path, engine="pyogrio")[["id", "geometry"]]
    points = parcels[["宗地编号", "用地面积（平方米）"]].set_geometry(
        parcels.geometry.representative_point(), crs=parcels.crs).to_crs(subzones.crs)
    joined = gpd.sjoin(points, subzones, how="inner", predicate="within")
    joined = joined.drop_duplicates("宗地编号")  # overlapping sub-zones: the first one
    joined["亩"] = joined["用地面积（平方米）"] / M2_PER_MU
    tax = enterprises.groupby("宗地编号", as_index=False)["税收（万元）"].sum()
    merged = joined[["宗地编号", "id", "亩"]].merge(tax, on="宗地编号", how="left")
    table = merged.groupby("id", as_index=False).agg(税收=("税收（万元）", "sum"),
                                                     亩=("亩", "sum"))
    table["亩均税收"] = table["税收"] / table["亩"]
    table.to_csv(out, index=False, encoding="utf-8-sig")
    print(len(table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
