"""一核四带, the other named platforms, the "246" clusters and the seeds' disagreements.

Tables (``data/parks/``), each row with the seed file, 1-based line and an exact quote:

=================================  =========================================================
file                               content
=================================  =========================================================
sources/belts.csv, belts.geojson   the core and the four belts (seed 001 lines 332-338);
                                   geometry = schematic envelope of the belt's zones
sources/duodian.csv                the “多点分布” definition (seed 001 line 432), no geometry
sources/platforms.csv,             every other named platform; geometry only where the text
platforms.geojson                  ties it to a catalogue entity (``located`` placed /
                                   approximate), else null (``unplaced``)
clusters.csv                       the “246” clusters (seed 001 line 304) and the national
                                   cluster programme (line 656)
decisions.csv                      where the seeds disagree, with both sides
=================================  =========================================================

Nothing here draws new shapes: a located platform reuses the schematic geometry of the
catalogue entity named in ``geometry_ref`` (``shape:subzone:Z07-04``) or its representative
point (``point:town:T07``).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo._errors import CatalogValidationError
from geo.crs import STORAGE_CRS, within
from geo.io.atomic import write_atomic
from geo.labels import LOCATED_LABELS, PLATFORM_KINDS
from geo.zones.catalog import BELTS, DATA_DIR

__all__ = [
    "BELTS_FILE", "PLATFORMS_FILE", "CLUSTERS_FILE", "DECISIONS_FILE", "DUODIAN_FILE",
    "BELT_FIELDS", "PLATFORM_FIELDS", "CLUSTER_FIELDS", "DECISION_FIELDS", "DUODIAN_FIELDS",
    "LOCATED", "CLUSTER_TIERS", "CLUSTER_GROUP_246", "CLUSTER_GROUP_FRONTIER",
    "CLUSTER_GROUP_CHAIN", "CLUSTER_GROUP_TIERS",
    "load_belts", "load_platforms", "load_clusters", "load_decisions", "load_duodian",
    "filter_platforms", "platforms_of",
    "read_source", "build_belts", "build_platforms", "write_geojson",
]

BELTS_FILE = "belts.geojson"
PLATFORMS_FILE = "platforms.geojson"
CLUSTERS_FILE = "clusters.csv"
DECISIONS_FILE = "decisions.csv"
DUODIAN_FILE = "sources/duodian.csv"

BELT_FIELDS = ("id", "name", "coverage", "districts", "corridors", "carriers",
               "carrier_zone_ids", "includes", "industries", "cultivate", "highlands", "seed",
               "line", "quote")
PLATFORM_FIELDS = ("id", "name", "kind", "parent", "district", "located", "how_located",
                   "geometry_ref", "industries", "target", "seed", "line", "quote",
                   "other_mentions")
CLUSTER_FIELDS = ("id", "name", "tier", "group", "directions", "places", "places_source",
                  "national_cluster", "seed", "line", "quote")
DECISION_FIELDS = ("topic", "side_a", "side_a_seed", "side_a_line", "side_b", "side_b_seed",
                   "side_b_line", "decision", "why")
DUODIAN_FIELDS = ("id", "name", "kind", "catalogue_ref", "seed", "line", "quote")

#: placed: the platform is a catalogue entity (its schematic shape is reused); approximate:
#: the text ties it to a catalogue entity it lies in or at; unplaced: no geometry.
LOCATED = tuple(LOCATED_LABELS)
#: Tiers of the “246” system as written in seed 001 line 304 ("" for the national programme).
CLUSTER_TIERS = ("万亿级", "五千亿级", "千亿级", "百亿级", "")
CLUSTER_GROUP_246 = "246"
#: The 百亿级前沿产业 that make “246” into “246+” (seed 001 lines 304, 321-328).
CLUSTER_GROUP_FRONTIER = "246+"
#: The 10 标志性产业链 of seed 001 line 655 (no tier).
CLUSTER_GROUP_CHAIN = "标志性产业链"
#: The tiers a group may take; any other group has no tier.
CLUSTER_GROUP_TIERS = {CLUSTER_GROUP_246: ("万亿级", "五千亿级", "千亿级"),
                       CLUSTER_GROUP_FRONTIER: ("百亿级",)}
_SEED = re.compile(r"^00\d_[0-9a-f]{16}\.txt$")
_REF = re.compile(r"^(shape|point):(zone|subzone|town|branch|base):([A-Z0-9-]+)$")
_GEOJSON_OPTIONS = {"RFC7946": "YES", "COORDINATE_PRECISION": "7", "WRITE_NAME": "NO"}
_GEOMETRY_QUALITY = "schematic"
_GRID_DEG = 1e-7


def _data_dir(data_dir: Path | str | None) -> Path:
    return Path(data_dir or DATA_DIR)


def read_source(path: Path | str, fields: tuple[str, ...]) -> pd.DataFrame:
    """Read one of the tables as text (UTF-8 CSV) and check its header.

    Raises
    ------
    CatalogValidationError
        If the file is missing or lacks a column of ``fields``.
    """
    path = Path(path)
    if not path.exists():
        raise CatalogValidationError(
            "file not found", file=str(path),
            fix="run from the project folder, or restore the file from git",
            zh=("找不到文件", "请在项目文件夹中运行，或从 git 恢复该文件"))
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
        header = list(rows[0]) if rows else []
    missing = [f for f in fields if f not in header]
    if missing:
        raise CatalogValidationError(
            f"missing column(s) {', '.join(missing)}", file=str(path),
            fix="add the columns described in data/parks/README.md",
            zh=(f"缺少列 {'、'.join(missing)}", "请按 data/parks/README.md 的说明补齐各列"))
    return pd.DataFrame(rows, columns=header).astype("string").fillna("")


def _check_provenance(table: pd.DataFrame, file: str, *, seed: str = "seed",
                      line: str = "line") -> None:
    for _, row in table.iterrows():
        label = str(row.get("id", "") or row.get("topic", ""))
        if not _SEED.match(str(row[seed])) or not str(row[line]).isdigit():
            raise CatalogValidationError(
                f"{seed}/{line} is {row[seed]!r}/{row[line]!r}", file=file, feature=label,
                field=seed, fix="give the seed file name (001_….txt) and its 1-based line",
                zh=(f"{seed}/{line} 的值为 {row[seed]!r}/{row[line]!r}",
                    "请填写来源文件名（001_….txt）及其行号（从 1 起）"))


def _check_unique(table: pd.DataFrame, file: str) -> None:
    dup = table["id"][table["id"].duplicated()]
    if len(dup) or (table["id"] == "").any():
        bad = str(dup.iloc[0]) if len(dup) else "?"
        raise CatalogValidationError(
            f"duplicate or empty id {bad!r}", file=file, feature=bad, field="id",
            fix="give every row a unique id",
            zh=(f"编号 {bad!r} 重复或为空", "请为每行填写唯一编号"))


def _read_geojson(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        raise CatalogValidationError(
            "file not found", file=str(path),
            fix="rebuild it with python scripts/build_platforms.py",
            zh=("找不到文件", "请用 python scripts/build_platforms.py 重新生成"))
    gdf = gpd.read_file(path, engine="pyogrio")
    for col in gdf.columns:
        if col != "geometry":
            gdf[col] = gdf[col].astype("string").fillna("")
    return gdf


def _check_geometry(geom: BaseGeometry | None, label: str, file: str) -> None:
    if not isinstance(geom, BaseGeometry) or geom.is_empty or not geom.is_valid:
        raise CatalogValidationError(
            "missing or invalid geometry", file=file, feature=label, field="geometry",
            fix="rebuild with python scripts/build_platforms.py",
            zh=("图形缺失或无效", "请用 python scripts/build_platforms.py 重新生成"))
    if not within(geom.bounds):
        raise CatalogValidationError(
            "geometry lies outside Ningbo", file=file, feature=label, field="geometry",
            fix="check that the data is WGS84 (lon, lat)",
            zh=("图形位于宁波市以外", "请确认数据为 WGS84（经度, 纬度）"))


def _validate_belts(gdf: gpd.GeoDataFrame, file: str) -> None:
    _check_unique(gdf, file)
    _check_provenance(gdf, file)
    if list(gdf["name"]) != list(BELTS):
        raise CatalogValidationError(
            f"belts are {list(gdf['name'])}", file=file, field="name",
            fix=f"list exactly {', '.join(BELTS)} in this order",
            zh=(f"产业带为 {'、'.join(gdf['name'])}", f"请按顺序列出：{'、'.join(BELTS)}"))
    if "geometry" in gdf:
        for _, row in gdf.iterrows():
            _check_geometry(row.geometry, f"{row['id']} ({row['name']})", file)


def _validate_platforms(gdf: pd.DataFrame, file: str, parents: set[str]) -> None:
    _check_unique(gdf, file)
    _check_provenance(gdf, file)
    kinds = set(PLATFORM_KINDS.values())
    ids = set(gdf["id"])
    for _, row in gdf.iterrows():
        label = f"{row['id']} ({row['name']})"
        if row["kind"] not in kinds:
            raise CatalogValidationError(
                f"kind is {row['kind']!r}", file=file, feature=label, field="kind",
                fix=f"use one of {', '.join(kinds)}",
                zh=(f"类别为 {row['kind']!r}", f"请使用以下类别之一：{'、'.join(kinds)}"))
        if row["located"] not in LOCATED:
            raise CatalogValidationError(
                f"located is {row['located']!r}", file=file, feature=label, field="located",
                fix=f"use one of {', '.join(LOCATED)}",
                zh=(f"定位情况为 {row['located']!r}", f"请使用以下取值之一：{'、'.join(LOCATED)}"))
        if row["parent"] and row["parent"] not in ids | parents:
            raise CatalogValidationError(
                f"parent {row['parent']!r} is no platform, zone, sub-zone or branch id",
                file=file, feature=label, field="parent",
                fix="use an id of platforms.csv or of sources/zones|subzones|branches.csv",
                zh=(f"上级 {row['parent']!r} 不是平台、集聚区、分片或分园的编号",
                    "请填写 platforms.csv 或 sources/zones、subzones、branches.csv 中的编号"))
        placed = row["located"] != "unplaced"
        ref = _REF.match(str(row["geometry_ref"]))
        if placed != bool(ref) or not str(row["how_located"]).strip():
            raise CatalogValidationError(
                "located, geometry_ref and how_located disagree", file=file, feature=label,
                field="geometry_ref",
                fix="an unplaced platform has no geometry_ref; a placed or approximate one "
                "names its entity (shape:subzone:Z07-04); every row says how it is located",
                zh=("定位情况、几何来源与定位方式不一致",
                    "未定位的平台不填几何来源；已定位或大致位置的平台须写明对应实体"
                    "（如 shape:subzone:Z07-04）；每行都要写明定位方式"))


def _check_layer_geometry(gdf: gpd.GeoDataFrame, file: str) -> None:
    for _, row in gdf.iterrows():
        label = f"{row['id']} ({row['name']})"
        geom = row.geometry
        if row["located"] == "unplaced":
            if isinstance(geom, BaseGeometry) and not geom.is_empty:
                raise CatalogValidationError(
                    "an unplaced platform has a geometry", file=file, feature=label,
                    field="geometry", fix="rebuild with python scripts/build_platforms.py",
                    zh=("未定位的平台带有图形", "请用 python scripts/build_platforms.py 重新生成"))
            continue
        _check_geometry(geom, label, file)
        if row["geometry_quality"] != _GEOMETRY_QUALITY:
            raise CatalogValidationError(
                f"geometry_quality is {row['geometry_quality']!r}", file=file, feature=label,
                field="geometry_quality", fix="located platforms are schematic",
                zh=(f"geometry_quality 为 {row['geometry_quality']!r}",
                    "有图形的平台均为示意（schematic）"))


def _catalogue_ids(data_dir: Path) -> set[str]:
    ids: set[str] = set()
    for name in ("zones.csv", "subzones.csv", "branches.csv"):
        path = data_dir / "sources" / name
        if path.exists():
            ids |= set(read_source(path, ("id",))["id"])
    return ids


def load_belts(*, data_dir: Path | str | None = None, validate: bool = True
               ) -> gpd.GeoDataFrame:
    """Read the core and the four belts (``belts.geojson``), EPSG:4326, schematic."""
    path = _data_dir(data_dir) / BELTS_FILE
    gdf = _read_geojson(path)
    if validate:
        _validate_belts(gdf, str(path))
    return gdf


def load_platforms(*, data_dir: Path | str | None = None, validate: bool = True
                   ) -> gpd.GeoDataFrame:
    """Read the named platforms (``platforms.geojson``), EPSG:4326; unplaced: no geometry."""
    folder = _data_dir(data_dir)
    path = folder / PLATFORMS_FILE
    gdf = _read_geojson(path)
    if validate:
        _validate_platforms(gdf, str(path), _catalogue_ids(folder))
        _check_layer_geometry(gdf, str(path))
    return gdf


def load_clusters(*, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Read the “246” clusters and the national cluster programme (``clusters.csv``)."""
    path = _data_dir(data_dir) / CLUSTERS_FILE
    table = read_source(path, CLUSTER_FIELDS)
    _check_unique(table, str(path))
    _check_provenance(table, str(path))
    allowed = table["group"].map(lambda g: CLUSTER_GROUP_TIERS.get(g, ("",)))
    bad = table[[tier not in ok for tier, ok in zip(table["tier"], allowed, strict=True)]]
    if len(bad):
        row = bad.iloc[0]
        raise CatalogValidationError(
            f"tier is {row['tier']!r} in group {row['group']!r}", file=str(path),
            feature=str(row["id"]), field="tier",
            fix=("a “246” cluster has a tier of the seed (万亿级/五千亿级/千亿级), a “246+” "
                 "前沿产业 is 百亿级; other rows have none"),
            zh=(f"级别为 {row['tier']!r}（口径 {row['group']!r}）",
                f"“246”集群的级别须为 {'、'.join(CLUSTER_TIERS[:3])} 之一，"
                "“246+”前沿产业为 百亿级，其余行不填"))
    return table


def load_decisions(*, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Read where the seeds disagree (``decisions.csv``): both sides, decision and why."""
    path = _data_dir(data_dir) / DECISIONS_FILE
    table = read_source(path, DECISION_FIELDS)
    _check_provenance(table, str(path), seed="side_a_seed", line="side_a_line")
    _check_provenance(table, str(path), seed="side_b_seed", line="side_b_line")
    for _, row in table.iterrows():
        if not all(str(row[c]).strip() for c in ("topic", "side_a", "side_b", "decision", "why")):
            raise CatalogValidationError(
                "a decision lacks a side, the decision or why", file=str(path),
                feature=str(row["topic"]), field="decision",
                fix="fill topic, side_a, side_b, decision and why",
                zh=("决定缺少一方说法、处理或理由", "请填写问题、两方说法、处理和理由"))
    return table


def load_duodian(*, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Read the members of the “多点分布” definition (``sources/duodian.csv``)."""
    path = _data_dir(data_dir) / DUODIAN_FILE
    table = read_source(path, DUODIAN_FIELDS)
    _check_unique(table, str(path))
    _check_provenance(table, str(path))
    return table


# ------------------------------------------------------------------------------ building


def build_belts(envelopes: gpd.GeoDataFrame, *, data_dir: Path | str | None = None
                ) -> gpd.GeoDataFrame:
    """``sources/belts.csv`` joined to the schematic envelopes (columns ``belt``, ``geometry``).

    The envelopes come from :func:`geo.display.belt_envelopes` (the map's own belt outline),
    computed by ``scripts/build_platforms.py``.
    """
    path = _data_dir(data_dir) / "sources" / "belts.csv"
    table = read_source(path, BELT_FIELDS)
    _validate_belts(table, str(path))
    shapes = dict(zip(envelopes["belt"], envelopes.to_crs(STORAGE_CRS).geometry, strict=True))
    # snapped to the 1e-7° grid the GeoJSON keeps, so that a rebuild equals the file
    geoms = [shapely.make_valid(shapely.set_precision(shapes[name], _GRID_DEG))
             if name in shapes else None for name in table["name"]]
    out = gpd.GeoDataFrame(table.assign(geometry_quality=_GEOMETRY_QUALITY), geometry=geoms,
                           crs=STORAGE_CRS)
    _validate_belts(out, str(path))
    return out


def build_platforms(catalog: dict[str, gpd.GeoDataFrame], *,
                    data_dir: Path | str | None = None) -> gpd.GeoDataFrame:
    """``sources/platforms.csv`` with the geometry of the entity each located row names."""
    folder = _data_dir(data_dir)
    path = folder / "sources" / "platforms.csv"
    table = read_source(path, PLATFORM_FIELDS)
    _validate_platforms(table, str(path), _catalogue_ids(folder))
    geoms: list[BaseGeometry | None] = []
    for _, row in table.iterrows():
        ref = _REF.match(str(row["geometry_ref"]))
        if not ref:
            geoms.append(None)
            continue
        mode, level, entity = ref.groups()
        layer = catalog[level].to_crs(STORAGE_CRS)
        hit = layer[layer["id"] == entity]
        if hit.empty:
            raise CatalogValidationError(
                f"geometry_ref names {level} {entity!r}, which the catalogue lacks",
                file=str(path), feature=f"{row['id']} ({row['name']})", field="geometry_ref",
                fix="use an id of the catalogue layers",
                zh=(f"几何来源指向的 {level} {entity!r} 不在目录中", "请使用目录图层中的编号"))
        geom = hit.geometry.iloc[0]
        geoms.append(geom if mode == "shape" else geom.representative_point())
    quality = ["" if g is None else _GEOMETRY_QUALITY for g in geoms]
    out = gpd.GeoDataFrame(table.assign(geometry_quality=quality), geometry=geoms,
                           crs=STORAGE_CRS)
    _check_layer_geometry(out, str(path))
    return out


def write_geojson(gdf: gpd.GeoDataFrame, path: Path | str) -> None:
    """Write a layer as GeoJSON (RFC 7946, 7 decimals), atomically."""
    frame = pd.DataFrame(gdf.drop(columns="geometry"))
    out = gpd.GeoDataFrame(frame, geometry=gdf.geometry.values, crs=STORAGE_CRS)

    def write(tmp: Path) -> None:
        out.to_file(tmp, driver="GeoJSON", engine="pyogrio", layer_options=_GEOJSON_OPTIONS)

    write_atomic(Path(path), write, suffix=".geojson")


def filter_platforms(platforms: gpd.GeoDataFrame, *, industries: tuple[str, ...] = (),
                     phrase: str = "", district: str = "", name: str = "") -> gpd.GeoDataFrame:
    """Return the platforms matching the catalogue's filters, like the other layers.

    A tag (``industries``) matches the tags of a platform's 产业方向 wording
    (:func:`geo.zones.taxonomy.tags_for_phrase`); a ``phrase`` matches that wording itself;
    ``district`` the platform's district; ``name`` its name. The plans give no belt for these
    platforms, so a belt filter does not apply to them.
    """
    from geo.zones.taxonomy import tags_for_phrase

    keep = pd.Series(True, index=platforms.index)
    wording = platforms["industries"].fillna("").astype(str)
    if industries or phrase.strip():
        by_tag = wording.map(lambda w: bool(set(tags_for_phrase(w)) & set(industries)))
        by_phrase = wording.str.contains(phrase.strip(), regex=False) if phrase.strip() \
            else pd.Series(False, index=platforms.index)
        keep &= by_tag | by_phrase
    if district:
        keep &= platforms["district"].fillna("").astype(str).str.contains(district, regex=False)
    if name.strip():
        keep &= platforms["name"].astype(str).str.contains(name.strip(), regex=False)
    return platforms[keep]


def platforms_of(platforms: gpd.GeoDataFrame, entity: gpd.GeoSeries | pd.Series, entity_id: str,
                 *, near_km: float = 2.0) -> pd.DataFrame:
    """Return the platforms tied to an entity (named as parent, or located inside or near it).

    A located platform counts when it lies inside the entity or within ``near_km`` (measured
    in EPSG:4549).

    Returns
    -------
    DataFrame
        ``id``, ``name``, ``kind``, ``located``, ``relation`` (上级为本条目 / 范围内或邻近),
        ``seed``, ``line``; unplaced platforms appear only through their parent.
    """
    from geo.crs import AREA_CRS

    by_parent = platforms["parent"].fillna("").astype(str) == entity_id
    shapes = platforms[platforms.geometry.notna() & ~platforms.geometry.is_empty]
    near = pd.Series(False, index=platforms.index)
    geom = entity.geometry if hasattr(entity, "geometry") else None
    if len(shapes) and geom is not None:
        zone = gpd.GeoSeries([geom], crs=STORAGE_CRS).to_crs(AREA_CRS).buffer(near_km * 1000)
        hits = shapes.to_crs(AREA_CRS).intersects(zone.iloc[0])
        near.loc[hits[hits].index] = True
    rows = platforms[by_parent | near].assign(
        relation=["上级为本条目" if p else "范围内或邻近" for p in by_parent[by_parent | near]])
    return pd.DataFrame(rows[["id", "name", "kind", "located", "relation", "seed", "line"]])
