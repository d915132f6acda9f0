"""Build the catalogue GeoJSON layers from the source tables in ``data/parks/sources``.

The source tables hold what the plans say (names, parents, industries, stated areas, each
with its seed file and line) plus, for each entity, an anchor point at the real location of
the named place. This module turns them into layers with schematic geometry (see
:mod:`geo.zones.schematic`). It is run by ``scripts/build_catalog.py``; the app only reads the
result.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo._errors import CatalogValidationError
from geo.crs import AREA_CRS, MU_PER_KM2, STORAGE_CRS, area_km2
from geo.io.atomic import write_atomic
from geo.zones.catalog import DATA_DIR, LEVEL_FILES, LIST_SEPARATOR
from geo.zones.schematic import fit_area, land_part_at, schematic_octagon, to_storage
from geo.zones.taxonomy import join_tags, tags_for_name, tags_for_phrase

__all__ = ["SEED_001", "SEED_003", "STATED_SCOPES", "build_layers", "write_layers"]

SEED_001 = "001_b8d3d45e2c57e28b.txt"
SEED_003 = "003_eaac2ae218f46b5d.txt"
#: ``scope`` values of ``zone_industries.csv`` besides a sub-zone id or a district name: the zone
#: itself, or the belt/core of which the zone is named a 核心载体.
STATED_SCOPES = ("zone", "belt")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _land(dist_proj: dict, row: dict[str, str], table: str) -> tuple[Point, object]:
    """Anchor of a source row (projected) and the land part of its district around it."""
    center = _project_point(row["anchor_lon"], row["anchor_lat"])
    if row["district"] not in dist_proj:
        raise ValueError(
            f"sources/{table} row {row['id']} ({row['name']}): district {row['district']!r} "
            f"is not one of {'、'.join(dist_proj)}. Fix: correct the district column."
        )
    try:
        return center, land_part_at(dist_proj[row["district"]], center)
    except ValueError as exc:
        raise ValueError(f"sources/{table} row {row['id']} ({row['name']}): {exc}") from exc


def _project_point(lon: str, lat: str) -> Point:
    pt = gpd.GeoSeries([Point(float(lon), float(lat))], crs=STORAGE_CRS).to_crs(AREA_CRS)
    return pt.iloc[0]


def _with_areas(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    km2 = area_km2(gdf)
    gdf["area_km2"] = km2.round(4)
    gdf["area_mu"] = (km2 * MU_PER_KM2).round(1)
    return gdf


def build_layers(*, sources: Path | None = None, districts: gpd.GeoDataFrame | None = None
                 ) -> dict[str, gpd.GeoDataFrame]:
    """Build zone, subzone, town, branch and base layers with schematic geometry.

    Parameters
    ----------
    sources : Path, keyword-only
        Folder of source tables (default ``data/parks/sources``).
    districts : GeoDataFrame, keyword-only
        District boundaries (default: ``data/parks/districts.geojson``).

    Returns
    -------
    dict of str to GeoDataFrame
    """
    src = Path(sources or DATA_DIR / "sources")
    if districts is None:
        districts = gpd.read_file(DATA_DIR / LEVEL_FILES["district"])
    dist_proj = dict(zip(districts["name"], districts.to_crs(AREA_CRS).geometry, strict=True))
    zones_src = _read_csv(src / "zones.csv")
    phrases = _read_industry_phrases(src / "zone_industries.csv", zones_src,
                                     _read_csv(src / "subzones.csv"))
    subzones = _build_subzones(src, dist_proj, {z["id"]: z for z in zones_src})
    zones = _build_zones(zones_src, phrases, subzones)
    layers = {"zone": zones, "subzone": _tag_subzones(subzones, zones, phrases),
              "town": _build_towns(src, dist_proj), "branch": _build_branches(src, dist_proj)}
    layers["base"] = _build_bases(src, layers, districts)
    return layers


def _read_industry_phrases(path: Path, zones_src: list[dict[str, str]],
                           subzones_src: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """Rows of ``zone_industries.csv`` by zone id (none for a zone when the file is absent).

    ``scope`` is ``zone`` (the zone itself is named), ``belt`` (its belt's directions), the id
    of one of its sub-zones (the seed names that 分片, e.g. 梅山片 for 梅山先进制造园区) or a
    district its sub-zones lie in (the seed names the district, e.g. 北仑区).
    """
    phrases: dict[str, list[dict[str, str]]] = {z["id"]: [] for z in zones_src}
    scopes: dict[str, set[str]] = {z["id"]: set(STATED_SCOPES) for z in zones_src}
    for sub in subzones_src:
        scopes[sub["zone_id"]] |= {sub["id"], sub["district"]}
    if not path.exists():
        return phrases
    for n, row in enumerate(_read_csv(path), start=2):
        if row["zone_id"] not in phrases or row["scope"] not in scopes[row["zone_id"]]:
            raise CatalogValidationError(
                "unknown zone_id or scope", file=str(path), feature=f"row {n}",
                field="zone_id/scope",
                fix=("use a zone id of sources/zones.csv and scope 'zone', 'belt', the id of "
                     "one of its sub-zones or a district its sub-zones lie in"),
                zh=("zone_id 或 scope 无法识别",
                    "zone_id 请使用 sources/zones.csv 中的编号，scope 填 'zone'、'belt'、"
                    "该集聚区某一分片的编号或其分片所在的区县（市）"))
        phrases[row["zone_id"]].append(row)
    return phrases


def _phrase_fields(rows: list[dict[str, str]], column: str) -> dict[str, str]:
    """``column`` and ``column_sources`` of ``rows``: phrases and seed:line, joined with ；."""
    return {column: LIST_SEPARATOR.join(p["phrase"] for p in rows),
            f"{column}_sources": LIST_SEPARATOR.join(f"{p['seed']}:{p['line']}" for p in rows)}


def _projected_to_storage(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    """Frame ``rows`` (geometry in :data:`AREA_CRS`) and bring it to the storage CRS."""
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=AREA_CRS)
    gdf["geometry"] = to_storage(list(gdf.geometry)).values
    return gdf.set_crs(STORAGE_CRS, allow_override=True)


def _build_subzones(src: Path, dist_proj: dict, zone_by_id: dict[str, dict[str, str]]
                    ) -> gpd.GeoDataFrame:
    """Sub-zones: octagons at the anchor, clipped to the district's land part.

    Each is cut by every sub-zone drawn before, so no two sub-zones overlap, whatever their
    zone. Industry tags and areas are added later (:func:`_tag_subzones`).
    """
    sub_rows: list[dict[str, object]] = []
    drawn: list[BaseGeometry] = []
    for row in _read_csv(src / "subzones.csv"):
        center, land = _land(dist_proj, row, "subzones.csv")
        shape = schematic_octagon(center, float(row["radius_km"]) * 1000).intersection(land)
        if drawn:
            shape = shape.difference(shapely.union_all(drawn))
        drawn.append(shape)
        zone = zone_by_id[row["zone_id"]]
        sub_rows.append({
            "id": row["id"], "name": row["name"], "zone_id": zone["id"], "zone_name": zone["name"],
            "belt": zone["belt"], "district": row["district"],
            "geometry_quality": "schematic",
            "source": f"{SEED_001}:{row['line']} (表4-1)",
            "geometry": shape,
        })
    return _projected_to_storage(sub_rows)


def _build_zones(zones_src: list[dict[str, str]], phrases: dict[str, list[dict[str, str]]],
                 subzones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Zones: the union of their sub-zones, with their stated and belt industries.

    ``leading_industries`` holds every stated phrase of the zone or of a part of it (a sub-zone
    or a district), ``leading_industries_scopes`` the scope of each, in the same order.
    """
    zone_rows = []
    for z in zones_src:
        parts = subzones[subzones["zone_id"] == z["id"]]
        stated = [p for p in phrases[z["id"]] if p["scope"] != "belt"]
        belt = [p for p in phrases[z["id"]] if p["scope"] == "belt"]
        tags = [t for p in stated + belt for t in tags_for_phrase(p["phrase"])] \
            + tags_for_name(z["name"])
        zone_rows.append({
            "id": z["id"], "name": z["name"], "belt": z["belt"],
            "districts": "、".join(dict.fromkeys(parts["district"])),
            **_phrase_fields(stated, "leading_industries"),
            "leading_industries_scopes": LIST_SEPARATOR.join(p["scope"] for p in stated),
            **_phrase_fields(belt, "belt_industries"),
            "industry_tags": join_tags(tags),
            "subzone_count": len(parts),
            "geometry_quality": "schematic",
            "source": f"{SEED_001}:{z['name_line']} (表4-1)",
            "geometry": shapely.union_all(list(parts.geometry)),
        })
    return _with_areas(gpd.GeoDataFrame(zone_rows, geometry="geometry", crs=STORAGE_CRS))


def _tag_subzones(subzones: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
                  phrases: dict[str, list[dict[str, str]]]) -> gpd.GeoDataFrame:
    """Give each sub-zone its zone's industry tags, the phrases that concern it, then areas.

    A sub-zone's ``leading_industries`` are the phrases stated for its zone as a whole, for
    this sub-zone or for its district; its ``belt_industries`` are its zone's. Its tags stay
    those of the zone (the tag filter finds every part of a zone).
    """
    zone_tags = dict(zip(zones["id"], zones["industry_tags"], strict=True))
    subzones["industry_tags"] = subzones["zone_id"].map(zone_tags)
    fields = []
    for _, sub in subzones.iterrows():
        rows = phrases[sub["zone_id"]]
        mine = [p for p in rows if p["scope"] in ("zone", sub["id"], sub["district"])]
        fields.append({**_phrase_fields(mine, "leading_industries"),
                       **_phrase_fields([p for p in rows if p["scope"] == "belt"],
                                        "belt_industries")})
    for col in ("leading_industries", "leading_industries_sources", "belt_industries",
                "belt_industries_sources"):
        subzones[col] = [f[col] for f in fields]
    return _with_areas(subzones)


def _build_towns(src: Path, dist_proj: dict) -> gpd.GeoDataFrame:
    """Towns: points at their anchor (checked to lie on their district's land)."""
    town_rows = []
    for t in _read_csv(src / "towns.csv"):
        pt = Point(float(t["anchor_lon"]), float(t["anchor_lat"]))
        _land(dist_proj, t, "towns.csv")
        town_rows.append({
            "id": t["id"], "seq": int(t["seq"]), "name": t["name"],
            "leading_industry": t["leading_industry"],
            "industry_tags": join_tags(tags_for_phrase(t["leading_industry"], town=True)
                                       + tags_for_name(t["name"], town=True)),
            "district": t["district"], "geometry_quality": "schematic",
            "source": f"{SEED_001}:{t['name_line']}-{t['industry_line']} (表4-2)",
            "geometry": pt,
        })
    return gpd.GeoDataFrame(town_rows, geometry="geometry", crs=STORAGE_CRS)


def _build_branches(src: Path, dist_proj: dict) -> gpd.GeoDataFrame:
    """High-tech branches: shapes of their planned area around the anchor, on land."""
    branch_rows: list[dict[str, object]] = []
    for b in _read_csv(src / "branches.csv"):
        center, land = _land(dist_proj, b, "branches.csv")
        shape = fit_area(center, float(b["planned_area_km2"]) * 1e6, clip=land)
        branch_rows.append({
            "id": b["id"], "seq": int(b["seq"]), "name": b["name"], "range_text": b["range_text"],
            "planned_area_km2": b["planned_area_km2"],
            "planned_area_mu": round(float(b["planned_area_km2"]) * MU_PER_KM2, 1),
            "positioning": b["positioning"],
            "industry_tags": join_tags(tags_for_phrase(b["positioning"])),
            "district": b["district"], "geometry_quality": "schematic",
            "source": (f"{SEED_003}:{b['name_line']} (专栏9; 范围 {b['range_lines']}, "
                       f"面积 {b['area_line']}, 产业定位 {b['positioning_lines']})"),
            "geometry": shape,
        })
    return _with_areas(_projected_to_storage(branch_rows))


def _build_bases(src: Path, layers: dict[str, gpd.GeoDataFrame], districts: gpd.GeoDataFrame
                 ) -> gpd.GeoDataFrame:
    """Bases are points at the representative point of the entity they are linked to."""
    rows = []
    for b in _read_csv(src / "bases.csv"):
        if b["subzone_id"]:
            target = layers["subzone"].set_index("id").loc[b["subzone_id"], "geometry"]
        elif b["zone_id"]:
            target = layers["zone"].set_index("id").loc[b["zone_id"], "geometry"]
        else:
            target = districts.set_index("name").loc[b["district"], "geometry"]
        rows.append({
            "id": b["id"], "seq": int(b["seq"]), "name": b["name"],
            "leading_industry": b["leading_industry"],
            "industry_tags": join_tags(tags_for_phrase(b["leading_industry"])),
            "district": b["district"], "zone_id": b["zone_id"], "subzone_id": b["subzone_id"],
            "branch_id": b["branch_id"], "geometry_quality": "schematic",
            "source": f"{SEED_001}:{b['name_line']}-{b['industry_line']} (表4-3)",
            "geometry": target.representative_point(),
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=STORAGE_CRS)


#: GDAL layer options of the catalogue's GeoJSON files.
_GEOJSON_OPTIONS = {"RFC7946": "YES", "COORDINATE_PRECISION": "7", "WRITE_NAME": "NO"}


def write_layers(layers: dict[str, gpd.GeoDataFrame], *, data_dir: Path | None = None) -> None:
    """Write layers as GeoJSON (RFC 7946, 7 decimals), each atomically.

    Parameters
    ----------
    layers : dict of str to GeoDataFrame
        Layers by level (keys of :data:`geo.zones.catalog.LEVEL_FILES`).
    data_dir : Path, keyword-only
        Target folder (default ``data/parks``).
    """
    out_dir = Path(data_dir or DATA_DIR)
    for level, gdf in layers.items():
        _write_layer(gdf, out_dir / LEVEL_FILES[level])


def _write_layer(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write one layer via :func:`geo.io.atomic.write_atomic` (temporary ``.geojson``)."""
    frame = pd.DataFrame(gdf.drop(columns="geometry"))
    out = gpd.GeoDataFrame(frame, geometry=gdf.geometry.values, crs=STORAGE_CRS)

    def write(tmp: Path) -> None:
        out.to_file(tmp, driver="GeoJSON", engine="pyogrio", layer_options=_GEOJSON_OPTIONS)

    write_atomic(path, write, suffix=".geojson")
