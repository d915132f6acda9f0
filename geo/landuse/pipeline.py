"""The land-efficiency pipeline used by the CLI and the app.

Inputs (one data year) → units → land → figures → classes → low-efficiency flags; every result
says whether its data are samples (:attr:`Analysis.data_label`).
"""

from __future__ import annotations

import contextvars
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._errors import DataImportError, ExportError
from geo.crs import STORAGE_CRS
from geo.export import ExportNotes
from geo.io.memory import release_freed_memory
from geo.io.quantities import YEAR_MAX, YEAR_MIN, is_year
from geo.labels import (
    ACCEPT_LABELS,
    COLUMNS,
    DISTRICT_BOUNDARY_SOURCE,
    ENTERPRISE_FIELD_HEADERS,
    EVIDENCE_NOTE,
    IMPORT_CHOICES_NOTE,
    PARCEL_FIELD_HEADERS,
    PLAN_TITLES,
    REPORT_COLUMNS,
    REPORT_LEVELS,
)
from geo.landuse.choices import option_label
from geo.landuse.headers import FIELDS, GEOM_FIELD, map_headers
from geo.landuse.ingest import ImportResult, report_line
from geo.landuse.ingest.enterprises import Parcels
from geo.landuse.lowland import flag_parcels
from geo.landuse.metrics import enterprise_land, enterprise_metrics
from geo.landuse.model import (
    SAMPLE_LABEL,
    file_rows,
    id_pairs,
    index_in,
    is_sample_label,
    text_if_all_text,
)
from geo.landuse.scheme_report import scheme_lines, with_industry
from geo.landuse.scoring import ScoringProfile, evaluate
from geo.landuse.spatial import assign_points, assign_units
from geo.landuse.townships import TownshipTable, districts_of
from geo.zones.plans import cite_text

__all__ = ["Analysis", "analyse", "first_parcel", "first_parcel_at", "take_by_position", "Inputs",
           "load_inputs", "select_year",
           "load_sample", "SAMPLE_DIR", "empty_enterprises", "empty_parcels", "layer_names",
           "sheet_names", "NoUsableRowsError", "PartChoiceError", "ImportChoices", "parse_map",
           "PLACEMENTS", "holder_key"]

#: Units of the 亩均 figures, stated in every export of an analysis.
FIGURE_UNITS = ("金额：万元；用地：亩（1 亩 = 10000/15 平方米，按 EPSG:4549 测算）；"
                "亩均指标：万元/亩；能耗：吨标准煤；排放：吨（当量）；用电：万千瓦时；人员：人")
#: Where the units of aggregation come from (level tables only).
UNIT_SOURCES = (f"分片与重点工业集聚区：《{PLAN_TITLES['manufacturing']}》表4-1（示意范围）；"
                f"区县边界：{DISTRICT_BOUNDARY_SOURCE}")

#: Columns that place a record in the units of every level.
_UNIT_COLS = ("subzone_id", "zone_id", "belt", "district", "city")
_CITY = "宁波市"

#: How an enterprise is placed (column ``placement``): by its 宗地编号, its own coordinates,
#: its name matching one parcel's 权利人, or not at all (it keeps its figures and class but
#: lies in no unit and on no map).
PLACEMENTS = (PARCEL_FIELD_HEADERS["parcel_id"], "坐标", "权利人名称匹配", "乡镇（街道）所属区县",
              "未定位")
_BY_PARCEL, _BY_POINT, _BY_HOLDER, _BY_TOWNSHIP, _UNPLACED = PLACEMENTS
#: Columns :func:`geo.landuse.lowland.flag_parcels` adds (written empty when there are no
#: parcels: an enterprise list analysed alone).
_FLAG_COLUMNS = {"land_mu": float, "enterprise_count": "int64", "tax_wan": float,
                 "tax_per_mu": float, "value_added_wan": float, "va_per_mu": float,
                 "enterprise_classes": object, "far_used": float, "reason_codes": object,
                 "reasons": object, "low_efficiency": bool, "data_note": object}
_BRACKETS = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")", "【": "(", "】": ")",
                           "〔": "(", "〕": ")", "〖": "(", "〗": ")", "<": "(", ">": ")",
                           "《": "(", "》": ")", "〈": "(", "〉": ")"})


@dataclass(frozen=True)
class Analysis:
    """Everything computed from one set of parcels and enterprises.

    Attributes
    ----------
    parcels : GeoDataFrame
        Parcels with their units, figures, ``low_efficiency``, ``reason_codes``, ``reasons``.
    enterprises : DataFrame
        Enterprises with units, land, indicators, ``score`` and ``class``.
    profile : ScoringProfile
    data_label : str
        What the data are (示例数据 … or the imported files), carried into every output.
    year : int or None
    report : DataFrame
        Validation-report lines of the analysis itself (:data:`REPORT_COLUMNS`): enterprises
        whose name matches the 权利人 of several parcels and are therefore not placed.
    """

    parcels: gpd.GeoDataFrame
    enterprises: pd.DataFrame
    profile: ScoringProfile
    data_label: str
    year: int | None = None
    report: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(REPORT_COLUMNS)))
    #: The official's import choices (header → field:unit, doubts accepted), for 说明; "".
    import_choices: str = ""
    #: Evidence added to the low-efficiency rules (the built-up-share raster used), or "".
    evidence: str = ""

    @property
    def is_sample(self) -> bool:
        """Whether the figures rest on (or contain) synthetic 示例数据."""
        return is_sample_label(self.data_label)

    def export_notes(self, view: str, extra: Mapping[str, object] | None = None
                     ) -> ExportNotes:
        """Describe what an export of this analysis holds, for its 说明 sheet.

        Parameters
        ----------
        view : {"units", "parcels", "enterprises"}
            Level tables say where their units come from; enterprise lists how each
            enterprise is placed. The geometry line is written by the exporter from the rows'
            ``geometry_quality`` (schematic units, reference districts, sample or imported
            parcels).
        extra : mapping, optional
            Further lines (level, files, filters).

        Returns
        -------
        ExportNotes
            Data nature and sources are the analysed data and the scoring profile — never the
            catalogue's plans; units are those of the 亩均 figures.
        """
        if view not in ("units", "parcels", "enterprises"):
            raise ExportError(f"unknown view {view!r}", field="view",
                              fix="use units, parcels or enterprises",
                              zh=(f"未知的视图 {view!r}", "请使用 units、parcels 或 enterprises"))
        profile = self.profile.name + (f"（{cite_text(self.profile.source)}）"
                                       if self.profile.source else "")
        lines: dict[str, object] = {COLUMNS["data_year"]: self.year or "未注明",
                                    COLUMNS["profile"]: self.profile.name}
        if view == "units":
            lines["汇总单元"] = UNIT_SOURCES
        if view == "enterprises":
            lines["企业位置"] = self._placement_line()
        if self.import_choices:
            lines[IMPORT_CHOICES_NOTE] = self.import_choices
        if self.evidence:
            lines[EVIDENCE_NOTE] = self.evidence
        return ExportNotes(nature=self.data_label, units=FIGURE_UNITS,
                           sources=f"{self.data_label}；{COLUMNS['profile']}：{profile}",
                           extra={**lines, **(extra or {})})

    def _placement_line(self) -> str:
        """Say where enterprises are drawn and how many could not be placed."""
        line = ("企业自身坐标；无坐标时为其（首个）宗地内一点（宗地编号或唯一一致的"
                f"{PARCEL_FIELD_HEADERS['holder']}名称）；仍无位置时按乡镇（街道）归入区县"
                "（只计入区县与全市汇总，不在地图上）")
        if "placement" not in self.enterprises:
            return line
        counts = self.enterprises["placement"].value_counts()
        line += "；定位方式：" + "、".join(f"{p} {int(counts.get(p, 0))} 家" for p in PLACEMENTS
                                        if counts.get(p, 0))
        unplaced = int(counts.get(_UNPLACED, 0))
        if unplaced:
            line += (f"。{unplaced} 家企业未定位（无可用的宗地编号、坐标或唯一的权利人名称匹配），"
                     "仍列入评价清单，但不在地图上，不计入分片、集聚区、产业带和区县汇总"
                     "（全市汇总计入）")
        return line

    def provenance(self) -> dict[str, object]:
        """Return the columns every parcel or enterprise export carries.

        What the data are, their year, the geometry's quality and the scoring profile.
        """
        return {"data_nature": self.data_label, "data_year": self.year,
                "geometry_quality": "sample" if self.is_sample else "imported",
                "profile": self.profile.name}


def first_parcel(enterprises: pd.DataFrame, known: pd.Index) -> pd.Series:
    """Return the first of each enterprise's parcel ids that is in ``known`` (or None)."""
    distinct = pd.Index(known).unique()
    ids = np.empty(len(distinct) + 1, dtype=object)  # the last, None, for −1: no parcel
    ids[:-1] = distinct.to_numpy(dtype=object)
    ids[-1] = None
    out = ids[first_parcel_at(enterprises, distinct)]
    return pd.Series(out, index=enterprises.index)  # str, as .map gave; object when empty


def first_parcel_at(enterprises: pd.DataFrame, known: pd.Index) -> np.ndarray:
    """Position in ``known`` (unique ids) of each enterprise's first parcel found there (−1: none).

    What is taken from a table of the parcels is then taken by position
    (:func:`take_by_position`), without hashing the ids again.
    """
    out = np.full(len(enterprises), -1, dtype=np.int64)
    if "parcel_id" not in enterprises:
        return out
    pairs = id_pairs(enterprises["parcel_id"])
    at = index_in(pairs["parcel_id"], known)
    found = at >= 0
    pos = pairs["pos"].to_numpy()[found]
    first = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]]) if len(pos) else pos
    out[pos[first]] = at[found][first]  # pairs are ordered by pos: the first found of each
    return out


def take_by_position(frame: pd.DataFrame | pd.Series, at: np.ndarray, index: pd.Index
                     ) -> pd.DataFrame | pd.Series:
    """Rows of ``frame`` at positions ``at`` (−1: a row of missing values), on ``index``."""
    out = frame.reset_index(drop=True).reindex(at)
    out.index = index
    return out


def holder_key(name: object) -> str:
    """Return the form in which an enterprise name and a parcel's 权利人 are compared.

    NFKC (full-width letters, digits and brackets become half-width), every kind of bracket
    written "(" / ")", and no spaces: "宁波 甲公司（北仑）" and "宁波甲公司(北仑)" are the same
    holder. "" for an empty cell.
    """
    if not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFKC", name).translate(_BRACKETS)
    return re.sub(r"\s+", "", text)


def _holder_keys(values: pd.Series) -> np.ndarray:
    """:func:`holder_key` of every cell, computed once per distinct value."""
    codes, uniques = pd.factorize(values.astype(object).to_numpy(), use_na_sentinel=True)
    keys = np.array([holder_key(u) for u in uniques] + [""], dtype=object)
    return keys[codes]  # the sentinel −1 picks the trailing ""


def _own_point(enterprises: pd.DataFrame) -> pd.Series:
    """Whether each enterprise has coordinates of its own."""
    if not {"lon", "lat"} <= set(enterprises.columns):
        return pd.Series(False, index=enterprises.index)
    lon = pd.to_numeric(enterprises["lon"], errors="coerce")
    lat = pd.to_numeric(enterprises["lat"], errors="coerce")
    return lon.notna() & lat.notna()


def _link_by_holder(enterprises: pd.DataFrame, parcels: pd.DataFrame
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Link enterprises without a parcel or coordinates to the parcel their name holds.

    An enterprise that names no known parcel and has no coordinates is linked to the parcel
    whose 权利人 equals its name (:func:`holder_key`); the link then counts like a 宗地编号
    (its ``parcel_id`` is set to it). A name held by several parcels links to none, with a
    report line and a ``placement_note``.

    Returns
    -------
    (DataFrame, DataFrame)
        The enterprises with ``placement`` and ``placement_note``, and the report lines.
    """
    ent = enterprises.copy(deep=False)  # copy-on-write: the input is never changed
    known = pd.Index(parcels["parcel_id"].astype(str))
    by_parcel = pd.Series(first_parcel_at(ent, known.unique()) >= 0, index=ent.index)
    by_point = _own_point(ent) & ~by_parcel
    placement = pd.Series(_UNPLACED, index=ent.index, dtype=object)
    placement[by_parcel] = _BY_PARCEL
    placement[by_point] = _BY_POINT
    note = pd.Series("", index=ent.index, dtype=object)
    lines: list[dict[str, object]] = []
    if "holder" in parcels and "name" in ent and len(parcels):
        table = pd.DataFrame({"key": _holder_keys(parcels["holder"]),
                              "pid": known.to_numpy(dtype=object)})
        table = table[table["key"] != ""].drop_duplicates()
        if "parcel_id" not in ent:
            ent["parcel_id"] = None
        todo = ent.index[(placement == _UNPLACED).to_numpy()]
        keys = pd.Series(_holder_keys(ent.loc[todo, "name"]), index=todo)
        count = keys.map(table["key"].value_counts()).fillna(0).to_numpy()
        one = todo[count == 1]
        if len(one):
            pid = keys[one].map(table.drop_duplicates("key").set_index("key")["pid"])
            # text, as the importer gives it; a column nothing is written to keeps its cells
            # (and their Arrow buffers, which the parcel-id pairs of later steps reuse)
            written = ent["parcel_id"].astype(object)
            written.loc[one] = pid.to_numpy(dtype=object)
            ent["parcel_id"] = text_if_all_text(written)
            placement[one] = _BY_HOLDER
            note[one] = ("企业名称与宗地 " + pid.astype(str)
                         + f" 的{PARCEL_FIELD_HEADERS['holder']}一致").to_numpy(dtype=object)
        many = todo[count > 1]
        held = (table[table["key"].isin(set(keys[many]))].groupby("key", sort=False)["pid"]
                .agg(list) if len(many) else pd.Series(dtype=object))
        found = [held[k] for k in keys[many].tolist()]
        texts = [f"企业名称与 {len(f)} 宗宗地（{'、'.join(f)}）的"
                 f"{PARCEL_FIELD_HEADERS['holder']}一致，无法确定其宗地，未定位" for f in found]
        if len(many):
            note[many] = np.array(texts, dtype=object)
        lines.extend(report_line(
            "企业", row, PARCEL_FIELD_HEADERS["holder"], name, text,
            "未定位：仍参与评价，不计入任何宗地和汇总单元；请在企业文件中填写宗地编号",
            REPORT_LEVELS["warning"], record=str(name))
            for row, name, text in zip(file_rows(ent.loc[many]), ent.loc[many, "name"].tolist(),
                                       texts, strict=True))
    note[(placement == _UNPLACED) & (note == "")] = "无可用的宗地编号、坐标或权利人名称匹配，未定位"
    ent["placement"] = placement
    ent["placement_note"] = note
    return ent, pd.DataFrame(lines, columns=list(REPORT_COLUMNS))


def _enterprise_units(enterprises: pd.DataFrame, parcels: gpd.GeoDataFrame,
                      catalog: Mapping[str, gpd.GeoDataFrame],
                      townships: TownshipTable | None = None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Units of each enterprise: its (first) parcel's, else its own point's, else its district.

    The district of an enterprise placed neither way comes from its 乡镇（街道）
    (:func:`geo.landuse.townships.districts_of`): it then counts in its district and the city
    only, and ``placement`` says so.
    """
    ent = enterprises.drop(columns=[c for c in _UNIT_COLS if c in enterprises.columns])
    by_parcel = parcels.set_index(parcels["parcel_id"].astype(str))[list(_UNIT_COLS)]
    by_parcel = by_parcel[~by_parcel.index.duplicated()]  # same parcel in several years
    units = take_by_position(by_parcel, first_parcel_at(ent, by_parcel.index), ent.index)
    if {"lon", "lat"} <= set(ent.columns):
        lon = pd.to_numeric(ent["lon"], errors="coerce")
        lat = pd.to_numeric(ent["lat"], errors="coerce")
        need = units["city"].isna() & lon.notna() & lat.notna()
        if need.any():
            pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon[need], lat[need]),
                                   index=ent.index[need], crs="EPSG:4326")
            units.loc[need, list(_UNIT_COLS)] = assign_points(
                pts, catalog["subzone"], catalog["district"])[list(_UNIT_COLS)]
    lines: list[dict[str, object]] = []
    if "township" in ent and "placement" in ent:
        need = units["city"].isna() & (ent["placement"] == _UNPLACED)
        names = catalog["district"]["name"].astype(str).tolist()
        district, how = districts_of(ent.loc[need, "township"], names, townships)
        found = district.notna()
        idx = district.index[found]
        ent = ent.copy(deep=False)
        if len(idx):
            units.loc[idx, "district"] = district[found]
            units.loc[idx, "city"] = _CITY
            ent.loc[idx, "placement"] = _BY_TOWNSHIP
            ent.loc[idx, "placement_note"] = how[found] + "；只计入区县与全市汇总"
        lines = _township_lines(ent, district.index[~found], townships)
    return ent.join(units), pd.DataFrame(lines, columns=list(REPORT_COLUMNS))


def _scale_line(ent: pd.DataFrame) -> pd.DataFrame:
    """One line when no enterprise says whether it is 规上 or 规下 (none can be classed)."""
    label = ENTERPRISE_FIELD_HEADERS["scale"]
    if not len(ent) or ("scale" in ent and ent["scale"].notna().any()):
        return pd.DataFrame(columns=list(REPORT_COLUMNS))
    return pd.DataFrame([report_line(
        "企业", None, label, "", f"没有任何企业填写“{label}”（规上/规下），无法按评价序列评定"
        " A/B/C/D 类别", f"全部列为未参评，亩均指标照常计算；请在企业文件中增加“{label}”列"
        "（规上/规下）后重新导入", REPORT_LEVELS["warning"])], columns=list(REPORT_COLUMNS))


def _township_lines(ent: pd.DataFrame, unknown: pd.Index, townships: TownshipTable | None
                    ) -> list[dict[str, object]]:
    """One 警告 line per enterprise whose 乡镇（街道） names no district we know."""
    label = ENTERPRISE_FIELD_HEADERS["township"]
    table = (f"乡镇（街道）对照表 {townships.source} 中没有该乡镇" if townships is not None
             else "未提供乡镇（街道）对照表，名称中也没有区县名")
    towns = ent.loc[unknown, "township"].to_numpy(dtype=object) if len(unknown) else \
        np.empty(0, dtype=object)
    named = np.fromiter((isinstance(t, str) and bool(t.strip()) for t in towns), dtype=bool,
                        count=len(towns))
    idx, towns = unknown[named], towns[named].tolist()
    if not len(idx):
        return []
    notes = [f"乡镇（街道）“{town}”无法确定所属区县：{table}" for town in towns]
    ent.loc[idx, "placement_note"] = np.array([n + "，未定位" for n in notes], dtype=object)
    names = [str(v) for v in ent.loc[idx, "name"].tolist()] if "name" in ent \
        else [""] * len(idx)
    action = ("未定位：仍参与评价，只计入全市汇总；请在乡镇（街道）对照表中补充该乡镇及其区县"
              "（“数据导入”页上传，命令行 --townships）")
    return [report_line("企业", row, label, town, note, action, REPORT_LEVELS["warning"],
                        record=name)
            for row, town, note, name in zip(file_rows(ent.loc[idx]), towns, notes, names,
                                             strict=True)]


def analyse(parcels: gpd.GeoDataFrame, enterprises: pd.DataFrame,
            catalog: Mapping[str, gpd.GeoDataFrame], profile: ScoringProfile, *,
            data_label: str, year: int | None = None,
            townships: TownshipTable | None = None) -> Analysis:
    """Run the whole pipeline.

    Parameters
    ----------
    parcels : GeoDataFrame
        Canonical parcels (any CRS; harmonised to the catalogue's).
    enterprises : DataFrame
        Canonical enterprises (``parcel_id`` and/or ``lon``/``lat``).
    catalog : mapping
        From :func:`geo.zones.catalog.load_catalog` (sub-zones and districts are used).
    profile : ScoringProfile
        From :func:`geo.landuse.scoring.load_profile`.
    data_label : str, keyword-only
        Shown with every figure (e.g. :data:`geo.landuse.model.SAMPLE_LABEL`).
    year : int, keyword-only
        The data year (see :func:`select_year`), shown with the figures.
    townships : TownshipTable, keyword-only
        The official's 乡镇（街道）→ 区县 table (:func:`geo.landuse.townships.read_townships`):
        enterprises placed no other way count in the district their 乡镇（街道） lies in.

    Returns
    -------
    Analysis
    """
    counts = parcels["parcel_id"].astype(str).value_counts()
    if (counts > 1).any():
        pid = counts.index[0]
        raise DataImportError(
            f"parcel {pid!r} appears {int(counts.iloc[0])} times",
            field=PARCEL_FIELD_HEADERS["parcel_id"],
            fix="keep one row per parcel, e.g. one year with geo.landuse.pipeline.select_year",
            zh=(f"宗地 {pid!r} 出现了 {int(counts.iloc[0])} 次",
                "每宗地只保留一行，如用 geo.landuse.pipeline.select_year 只取一个年度"))
    par = assign_units(parcels, catalog["subzone"], catalog["district"])
    ent, placement_lines = _link_by_holder(enterprises, par)
    ent, town_lines = _enterprise_units(ent, par, catalog, townships)
    ent, industry_lines = with_industry(ent)
    if year is not None:  # rows without a year are of the analysis's year (the year rules)
        given = pd.to_numeric(ent["year"], errors="coerce") if "year" in ent else None
        ent["year"] = year if given is None else given.fillna(year)
    ent = evaluate(enterprise_metrics(enterprise_land(ent, par)), profile, parcels=par)
    flagged = flag_parcels(par, ent, profile, year=year) if len(par) else par.assign(
        **{c: pd.Series(dtype=t) for c, t in _FLAG_COLUMNS.items()})
    flagged = gpd.GeoDataFrame(flagged, geometry=par.geometry.name, crs=par.crs)
    lines = (placement_lines, town_lines, industry_lines, _scale_line(ent),
             scheme_lines(ent, profile))
    report = pd.concat([r for r in lines if len(r)]
                       or [placement_lines], ignore_index=True)
    return Analysis(parcels=flagged, enterprises=ent, profile=profile, data_label=data_label,
                    year=year, report=report)


SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"


def empty_enterprises() -> pd.DataFrame:
    """Return an enterprise table with every field and no rows (parcels analysed alone)."""
    from geo.landuse.model import ENTERPRISE_FIELDS

    kinds = {"number": float, "int": float}
    return pd.DataFrame({f.name: pd.Series(dtype=kinds.get(f.kind, object))
                         for f in ENTERPRISE_FIELDS})


def empty_parcels() -> gpd.GeoDataFrame:
    """Return a parcel layer with every field and no rows (enterprises analysed alone).

    Each enterprise then rests on its own 用地面积 and is placed by its coordinates, if any.
    """
    from geo.landuse.model import PARCEL_FIELDS

    kinds = {"number": float, "int": float, "year": "Int64"}
    columns = {f.name: pd.Series(dtype=kinds.get(f.kind, object)) for f in PARCEL_FIELDS}
    columns |= {"land_area_geom_m2": pd.Series(dtype=float),
                "land_area_source": pd.Series(dtype=object),
                "source_row": pd.Series(dtype="int64")}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=STORAGE_CRS),
                            crs=STORAGE_CRS)


@dataclass(frozen=True)
class Inputs:
    """Imported parcels and enterprises, their validation report and what they are."""

    parcels: gpd.GeoDataFrame
    enterprises: pd.DataFrame
    report: pd.DataFrame
    data_label: str
    year: int | None = None
    #: The official's import choices in one line (:meth:`ImportChoices.describe`), or "".
    choices: str = ""


def select_year(parcels: gpd.GeoDataFrame, enterprises: pd.DataFrame, *,
                year: int | None = None, files: tuple[str, str] = ("宗地", "企业")
                ) -> tuple[gpd.GeoDataFrame, pd.DataFrame, int | None, pd.DataFrame]:
    """Keep one year of data, so nothing is counted twice.

    Files often hold several years (2022–2024 亩均 data). The analysis uses ``year`` — by default
    the latest year found in the enterprises (else the parcels). Enterprises of other years are
    set aside; rows without a year are kept. A parcel listed for several years keeps its row of
    that year, else its undated row, else its latest row. Every choice is stated in the
    returned report lines (级别 提示) — nothing is set aside silently.

    Returns
    -------
    (GeoDataFrame, DataFrame, int or None, DataFrame)
        Parcels, enterprises, the year used (None when the data carry no year), report lines.
    """
    ent_years, par_years = _years_of(enterprises), _years_of(parcels)
    in_ent = sorted(int(y) for y in ent_years.dropna().unique())
    in_par = sorted(int(y) for y in par_years.dropna().unique())
    lines: list[dict[str, object]] = []
    used = _choose_year(year, in_ent, in_par, files, has_enterprises=len(enterprises) > 0,
                        lines=lines)
    if used is None:
        return parcels, enterprises, None, pd.DataFrame(lines, columns=list(REPORT_COLUMNS))
    ent = _enterprises_of_year(enterprises, ent_years, used, in_ent, files[1], lines)
    par = _one_row_per_parcel(parcels, par_years, used, files[0], lines)
    return par, ent, used, pd.DataFrame(lines, columns=list(REPORT_COLUMNS))


def _years_of(frame: pd.DataFrame) -> pd.Series:
    if "year" not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    return pd.to_numeric(frame["year"], errors="coerce").astype("Int64")


def _year_line(file: str, problem: str, action: str, *, row: int | None = None,
               level: str = REPORT_LEVELS["info"], record: str = "") -> dict[str, object]:
    return report_line(file, row, PARCEL_FIELD_HEADERS["year"], "", problem, action, level,
                       record=record)


def _held(years: list[int]) -> str:
    return "、".join(map(str, years)) or "（未注明年度）"


def _choose_year(year: int | None, in_ent: list[int], in_par: list[int],
                 files: tuple[str, str], *, has_enterprises: bool,
                 lines: list[dict[str, object]]) -> int | None:
    """Choose the year: the one asked for (which the data must hold), else the latest."""
    found = in_ent or in_par
    if year is not None and not is_year(year):
        raise DataImportError(
            f"{year} is not a year", field=PARCEL_FIELD_HEADERS["year"],
            fix=f"give a year from {YEAR_MIN} to {YEAR_MAX}, or none for the latest in the files",
            zh=(f"{year} 不是有效年份",
                f"请给出 {YEAR_MIN} 至 {YEAR_MAX} 之间的年份，或不指定（取文件中最近的年度）"))
    if year is not None and found and year not in set(in_ent) | set(in_par):
        raise DataImportError(
            f"no data for year {year}: {files[0]} holds {_held(in_par)}, {files[1]} holds "
            f"{_held(in_ent)}", field=PARCEL_FIELD_HEADERS["year"],
            fix="choose one of these years",
            zh=(f"没有 {year} 年的数据：{files[0]} 含 {_held(in_par)}，{files[1]} 含 "
                f"{_held(in_ent)}", "请从这些年度中选择"))
    if year is not None and not found:
        lines.append(_year_line(files[1], "文件未注明年度", f"按用户指定的 {year} 年标注"))
    if year is None:
        year = found[-1] if found else None
        if year is not None and not in_ent and has_enterprises:
            lines.append(_year_line(files[1], "企业数据未注明年度",
                                    f"按{files[0]}中的 {year} 年计"))
    return year


def _enterprises_of_year(enterprises: pd.DataFrame, ent_years: pd.Series, year: int,
                         in_ent: list[int], file: str, lines: list[dict[str, object]]
                         ) -> pd.DataFrame:
    """Enterprises of ``year`` and undated ones; a dated row wins over an undated twin."""
    other = ent_years.notna() & (ent_years != year)
    if other.any():
        counts = ent_years[other].value_counts().sort_index()
        lines.append(_year_line(
            file, f"文件含 {_held(in_ent)} 年数据",
            f"分析采用 {year} 年；" + "、".join(f"{y} 年 {n} 行" for y, n in counts.items())
            + "未参与本次分析（可另选年度）"))
    undated = ent_years.isna() & ~other
    if undated.any() and ent_years.notna().any():
        lines.append(_year_line(file, f"{int(undated.sum())} 行未填年度", f"按 {year} 年计入"))
    ent = enterprises.loc[~other]
    key = "enterprise_key" if "enterprise_key" in ent else "credit_code"
    if key not in ent or not len(ent):
        return ent
    dated = ent_years.reindex(ent.index).notna()
    # dated rows first (a dated row wins); the code, or the name key of a list without codes
    keys = ent[key] if dated.all() else ent[key].iloc[np.argsort(~dated.to_numpy(), kind="stable")]
    dup = keys.index[(keys.duplicated(keep="first") & keys.notna()).to_numpy()]
    names = ent.loc[dup, "name"].tolist() if "name" in ent else [None] * len(dup)
    for row, own, name in zip(file_rows(ent.loc[dup]), ent.loc[dup, key].tolist(), names,
                              strict=True):
        record = " ".join(str(v) for v in dict.fromkeys((own, name)) if isinstance(v, str) and v)
        lines.append(_year_line(file, f"同一企业另有 {year} 年记录", "未填年度的这一行未计入",
                                row=row, level=REPORT_LEVELS["warning"], record=record))
    return ent.loc[~ent.index.isin(dup)]


def _one_row_per_parcel(parcels: gpd.GeoDataFrame, par_years: pd.Series, year: int, file: str,
                        lines: list[dict[str, object]]) -> gpd.GeoDataFrame:
    """Each parcel's row of ``year``, else its undated row, else its latest row."""
    ids = parcels["parcel_id"].astype(str)
    rank = np.select([par_years.eq(year).fillna(False).to_numpy(), par_years.isna().to_numpy()],
                     [0, 1], default=2)
    order = pd.DataFrame({"id": ids.to_numpy(), "rank": rank,
                          "year": -par_years.fillna(-1).to_numpy()}, index=parcels.index)
    keep = order.sort_values(["id", "rank", "year"], kind="stable").drop_duplicates("id").index
    dropped = len(parcels) - len(keep)
    if dropped:
        lines.append(_year_line(file, f"{dropped} 行为同一宗地其他年度的记录",
                                f"每宗地保留 {year} 年（无则未填年度、再无则最近年度）的一行"))
    return parcels.loc[parcels.index.isin(keep)]


#: What each kind of input file is called in messages: (Chinese, English).
_KIND_WORDS = {"parcel": ("宗地文件", "parcels file"),
               "enterprise": ("企业文件", "enterprises file")}
#: A part of a file that may have to be named: (Chinese, English).
_PART_WORDS = {"layer": ("图层", "layer"), "sheet": ("工作表", "sheet")}


class NoUsableRowsError(DataImportError):
    """Every row of a parcel or enterprise file was rejected: there is nothing to analyse.

    Attributes
    ----------
    kind : {"parcel", "enterprise"}
    rows_read : int
        Data rows in the file (all of them rejected).
    report : DataFrame
        The validation report of every file read so far: why each row was rejected.
    """

    def __init__(self, file: str, kind: str, rows_read: int, report: pd.DataFrame) -> None:
        self.kind, self.rows_read, self.report = kind, rows_read, report
        super().__init__("no usable rows", file=file, fix="correct the rows named in the "
                         "validation report and import again",
                         zh=("没有可用的行", "请按校验报告所列逐行修正后重新导入"))
        self.args = (self.describe(),)

    def describe(self, lang: str = "zh", report: str = "") -> str:
        """Return the one-line message in ``lang`` ("zh" or "en").

        Parameters
        ----------
        lang : {"zh", "en"}
        report : str
            Where the validation report is (a path), named in the message if given.

        Returns
        -------
        str
        """
        zh, en = _KIND_WORDS[self.kind]
        if lang == "en":
            rows = (f"all {self.rows_read} rows were rejected" if self.rows_read
                    else "it holds no data rows")
            return (f"{en} {self.file} has no usable rows ({rows}); nothing was analysed. "
                    f"Fix: read why in the validation report{' ' + report if report else ''}, "
                    "correct the file and run again")
        rows = f"{self.rows_read} 行均未通过校验" if self.rows_read else "文件没有数据行"
        return (f"{zh} {self.file} 没有可用的行（{rows}），未做分析。原因逐行列在校验报告"
                f"{' ' + report + ' ' if report else ''}中，请按报告修正文件后重新导入")


class PartChoiceError(DataImportError):
    """A GeoPackage layer or an Excel sheet must be named, or the one named is not in the file.

    Attributes
    ----------
    kind : {"parcel", "enterprise"}
    part : {"layer", "sheet"}
    names : tuple of str
        The layers or sheets the file holds.
    asked : str or None
        The one named (None: none was named and the file holds several).
    """

    def __init__(self, file: str, kind: str, part: str, names: Sequence[str],
                 asked: str | None) -> None:
        self.kind, self.part, self.names, self.asked = kind, part, tuple(names), asked
        part_zh = _PART_WORDS[part][0]
        super().__init__(f"{part} {asked!r} not found" if asked else f"several {part}s",
                         file=file, fix=f"name one of {', '.join(self.names)}",
                         zh=(f"没有{part_zh}“{asked}”" if asked else f"含多个{part_zh}",
                             f"请指定其中之一：{'、'.join(self.names)}"))
        self.args = (self.describe(),)

    def describe(self, lang: str = "zh", option: str = "") -> str:
        """Return the one-line message in ``lang``, naming ``option`` as the way to choose.

        Parameters
        ----------
        lang : {"zh", "en"}
        option : str
            How the user names the part (e.g. ``--layer``); default the keyword of
            :func:`load_inputs` (``parcel_layer=`` …).

        Returns
        -------
        str
        """
        option = option or f"{self.kind}_{self.part}="
        (kind_zh, kind_en), (part_zh, part_en) = _KIND_WORDS[self.kind], _PART_WORDS[self.part]
        if lang == "en":
            found = (f"has no {part_en} {self.asked!r}" if self.asked
                     else f"holds several {part_en}s and none was named")
            return (f"{kind_en} {self.file} {found} ({part_en}s: {', '.join(self.names)}). "
                    f"Fix: name one with {option}")
        found = (f"中没有{part_zh}“{self.asked}”" if self.asked
                 else f"含多个{part_zh}，未指定读取哪一个")
        return (f"{kind_zh} {self.file} {found}（{part_zh}：{'、'.join(self.names)}）。"
                f"请用 {option} 指定其中之一")


def _gpkg_layers(path: str | Path) -> list[tuple[str, bool]]:
    """(name, is spatial) of each layer of a GeoPackage, opened through the guarded reader."""
    import pyogrio

    from geo.io.safefile import open_safely

    with open_safely(path, formats=("gpkg",)) as src:
        return [(str(name), geom is not None) for name, geom in pyogrio.list_layers(src.path)]


def layer_names(path: str | Path) -> list[str]:
    """Return the layers of a GeoPackage, spatial layers first.

    The first is the one read when none is named and the file holds one spatial layer.

    Parameters
    ----------
    path : path-like
        A GeoPackage (checked by :func:`geo.io.safefile.open_safely`).

    Returns
    -------
    list of str
    """
    layers = _gpkg_layers(path)
    return [n for n, spatial in layers if spatial] + [n for n, spatial in layers if not spatial]


def sheet_names(path: str | Path) -> list[str]:
    """Return the sheets of an Excel workbook, in the workbook's order.

    Parameters
    ----------
    path : path-like
        An ``.xlsx`` (checked by :func:`geo.io.safefile.open_safely`).

    Returns
    -------
    list of str
    """
    import openpyxl

    from geo.io.safefile import open_safely

    with open_safely(path, formats=("xlsx",)) as src:
        book = openpyxl.load_workbook(src.path, read_only=True)
        try:
            return list(book.sheetnames)
        finally:
            book.close()


def _check_part(path: str | Path, kind: str, *, layer: str | None, sheet: str | None) -> None:
    """Refuse a layer or sheet not in the file, or several layers with none named.

    Several layers are refused as the reader would refuse them, but with the names to choose
    from.
    """
    suffix, file = Path(path).suffix.lower(), Path(path).name
    if suffix == ".gpkg":
        layers = _gpkg_layers(path)
        names = [n for n, _ in layers]
        several = len(names) > 1 and sum(spatial for _, spatial in layers) != 1
        if (layer is not None and layer not in names) or (layer is None and several):
            raise PartChoiceError(file, kind, "layer", layer_names(path), layer)
    elif suffix == ".xlsx" and sheet is not None:
        names = sheet_names(path)
        if sheet not in names:
            raise PartChoiceError(file, kind, "sheet", names, sheet)


def _joined_report(reports: Sequence[pd.DataFrame]) -> pd.DataFrame:
    filled = [r for r in reports if len(r)]
    return pd.concat(filled, ignore_index=True) if filled else reports[0]


@dataclass(frozen=True)
class ImportChoices:
    """What the official decided on import, written into the outputs' 说明.

    Attributes
    ----------
    parcel_map, enterprise_map : mapping of str to str
        Source header → canonical field, or ``field:unit`` ("land_area_m2:亩"), per file.
    accept : tuple of str
        Doubts accepted instead of rows set aside (``area_mismatch``, ``make_valid``).
    """

    parcel_map: Mapping[str, str] = field(default_factory=dict)
    enterprise_map: Mapping[str, str] = field(default_factory=dict)
    accept: tuple[str, ...] = ()

    def describe(self) -> str:
        """Say the choices in one Chinese line ("" when there are none)."""
        said = {h: choice_text("parcel", t) for h, t in self.parcel_map.items()}
        for header, target in self.enterprise_map.items():  # a parcel file's figures too
            if target or header not in said:
                said[header] = choice_text("enterprise", target)
        parts = [f"{h} → {t}" for h, t in said.items()]
        if self.accept:
            parts.append("接受：" + "、".join(ACCEPT_LABELS.get(a, a) for a in self.accept))
        return "；".join(parts)


def choice_text(kind: str, target: str) -> str:
    """Say an override in the official's words: "用地面积（单位：亩）", "税收", "不导入"."""
    if not target:
        return "不导入"
    name, _, unit = target.partition(":")
    fld = FIELDS[kind].get(name.strip())
    label = option_label(fld.label) if fld is not None else name
    return f"{label}（单位：{unit.strip()}）" if unit.strip() else label


def parse_map(items: Sequence[str]) -> dict[str, str]:
    """Read ``表头=field[:unit]`` items (the CLI's ``--map``) into an overrides mapping.

    Raises
    ------
    ValueError
        For an item without "=", naming it and the form expected.
    """
    out = {}
    for item in items:
        header, sep, target = item.partition("=")
        if not sep or not header.strip():
            raise DataImportError(
                f"--map {item!r} is not 表头=field[:unit]", field="--map",
                fix="e.g. --map '用地面积=land_area_m2:亩'",
                zh=(f"--map {item!r} 不符合“表头=字段[:单位]”的写法",
                    "请写成如 --map '用地面积=land_area_m2:亩'"))
        out[header.strip()] = target.strip()
    return out


def _import_files(parcels_path: str | Path | None, enterprises_path: str | Path | None, *,
                  gcj02: bool, parts: Mapping[str, str | None], choices: ImportChoices
                  ) -> tuple[gpd.GeoDataFrame, pd.DataFrame, list[pd.DataFrame]]:
    """Import the files given; refuse a file whose rows were all rejected (report attached).

    Without parcels the enterprises are analysed alone (:func:`empty_parcels`); an enterprise
    file holding no rows is then refused like a parcel file would be.
    """
    _check_files(parcels_path, enterprises_path, parts)
    if enterprises_path is None:
        choices = _figures_choices(choices)
    if parcels_path is not None and enterprises_path is None and _points_only(
            parcels_path, parts, choices):
        return _parcels_by_points(parcels_path, gcj02=gcj02, parts=parts, choices=choices)
    results = _imported(parcels_path, enterprises_path, gcj02=gcj02, parts=parts,
                        choices=choices)
    parcels = results[0].data if results[0].kind == "parcel" else empty_parcels()
    if parcels_path is not None and enterprises_path is None and len(parcels):
        results = _figures_from_parcels(parcels_path, results[0], gcj02=gcj02, parts=parts,
                                        choices=choices)
    reports = [r.report for r in results]
    for result in results:  # an empty enterprise file is allowed: parcels analysed alone
        if not len(result.data) and (result.kind == "parcel" or result.rows_read
                                     or parcels_path is None):
            raise NoUsableRowsError(result.source, result.kind, result.rows_read,
                                    _joined_report(reports))
    enterprises = (pd.DataFrame(results[-1].data) if results[-1].kind == "enterprise"
                   else empty_enterprises())
    return parcels, enterprises, reports


def _imported(parcels_path: str | Path | None, enterprises_path: str | Path | None, *,
              gcj02: bool, parts: Mapping[str, str | None], choices: ImportChoices
              ) -> list[ImportResult]:
    """Import the parcel file, the enterprise file, or both side by side (parcels first)."""
    from geo.landuse.ingest import import_enterprises, import_parcels

    def parcels_of(path: str | Path) -> Callable[[], ImportResult]:
        return lambda: import_parcels(path, gcj02=gcj02, layer=parts["parcel_layer"],
                                      sheet=parts["parcel_sheet"],
                                      overrides=choices.parcel_map, accept=choices.accept)

    def enterprises_of(path: str | Path) -> Callable[[Parcels], ImportResult]:
        return lambda parcels: import_enterprises(
            path, gcj02=gcj02, parcels=parcels, layer=parts["enterprise_layer"],
            sheet=parts["enterprise_sheet"], overrides=choices.enterprise_map)

    if parcels_path is not None and enterprises_path is not None:
        return _import_side_by_side(parcels_of(parcels_path), enterprises_of(enterprises_path))
    if parcels_path is not None:
        return [parcels_of(parcels_path)()]
    if enterprises_path is None:  # unreachable after _check_files; keeps the type honest
        raise ValueError("neither parcels nor enterprises given")
    return [enterprises_of(enterprises_path)(None)]


def _import_side_by_side(parcel_import: Callable[[], ImportResult],
                         enterprise_import: Callable[[Parcels], ImportResult]
                         ) -> list[ImportResult]:
    """Import the parcels in a second thread while the enterprise file is read and parsed.

    The enterprise import waits for the parcels only where it needs them (its links); most of
    both imports runs in Arrow, pyogrio and GEOS, which leave Python's lock, so the two
    overlap on a machine of two cores or more. The outcome is the one of importing the
    parcels first: the parcels' error comes first, and parcels without a usable row are
    given to the enterprises as none. The thread runs in a copy of the caller's context, so
    :func:`geo.crs.shared_projections` is shared.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parcel-import")
    future = pool.submit(contextvars.copy_context().run, parcel_import)

    def parcels() -> pd.DataFrame | None:
        data = future.result().data
        return data if len(data) else None

    try:
        try:
            enterprises = enterprise_import(parcels)
        except Exception:
            future.result()  # the parcels' error, if any, as when imported first
            raise
        results = [future.result(), enterprises]
    except BaseException as exc:
        # an error waits for the parcel thread; an interrupt (Ctrl-C, SystemExit) goes on at
        # once, unreplaced: the thread is left to end on its own
        pool.shutdown(wait=isinstance(exc, Exception), cancel_futures=True)
        raise
    pool.shutdown()
    return results


def _check_files(parcels_path: str | Path | None, enterprises_path: str | Path | None,
                 parts: Mapping[str, str | None]) -> None:
    """Refuse a call without files, or naming a layer or sheet a file does not hold."""
    if parcels_path is None and enterprises_path is None:
        raise DataImportError("neither parcels nor enterprises given",
                              fix="give a parcel file, an enterprise file or both",
                              zh=("既没有给出宗地文件，也没有给出企业文件",
                                  "请给出宗地文件、企业文件，或两者都给出"))
    if parcels_path is not None:
        _check_part(parcels_path, "parcel", layer=parts["parcel_layer"],
                    sheet=parts["parcel_sheet"])
    if enterprises_path is not None:
        _check_part(enterprises_path, "enterprise", layer=parts["enterprise_layer"],
                    sheet=parts["enterprise_sheet"])


def _figures_choices(choices: ImportChoices) -> ImportChoices:
    """Route ``--map`` choices of figure fields (税收 …) to the figures import of a parcel file.

    Without an enterprise file the parcel file's own figures are read as reporting units, so a
    choice such as ``缴款=tax_wan:元`` made for the parcel file belongs to that import.
    """
    parcel, figures = {}, dict(choices.enterprise_map)
    for header, target in choices.parcel_map.items():
        name = target.partition(":")[0].strip()
        if name and name not in FIELDS["parcel"] and name in FIELDS["enterprise"]:
            figures.setdefault(header, target)
        else:
            parcel[header] = target
    return replace(choices, parcel_map=parcel, enterprise_map=figures)


def _points_only(path: str | Path, parts: Mapping[str, str | None],
                 choices: ImportChoices) -> bool:
    """Whether a parcel file locates its parcels by points (经度/纬度 or a point layer) only."""
    from geo.landuse.ingest import read_source

    table, _ = read_source(path, layer=parts["parcel_layer"], sheet=parts["parcel_sheet"])
    if isinstance(table, gpd.GeoDataFrame):
        shapes = table.geometry[table.geometry.notna() & ~table.geometry.is_empty]
        return bool(len(shapes)) and bool(shapes.geom_type.isin(["Point", "MultiPoint"]).all())
    if map_headers(table.columns, kind="parcel",
                   overrides=choices.parcel_map).column_for(GEOM_FIELD) is not None:
        return False
    mapping = map_headers(table.columns, kind="enterprise", overrides=_unit_map(choices))
    return all(mapping.column_for(f) is not None for f in ("lon", "lat"))


def _unit_map(choices: ImportChoices) -> dict[str, str]:
    """Return the overrides of a parcel file read as reporting units (figures' and parcels').

    A choice made for the parcel file (``--map``) applies where the field is also a unit's
    field (宗地编号, 用地面积, 年度); the figures' choices (``--enterprise-map``) win.
    """
    own = {h: t for h, t in choices.parcel_map.items()
           if not t or t.partition(":")[0].strip() in FIELDS["enterprise"]}
    return {**own, **choices.enterprise_map}


def _parcels_by_points(path: str | Path, *, gcj02: bool, parts: Mapping[str, str | None],
                       choices: ImportChoices
                       ) -> tuple[gpd.GeoDataFrame, pd.DataFrame, list[pd.DataFrame]]:
    """Read a parcel table located by 经度/纬度 (or points) as one reporting unit per parcel.

    There is no polygon: each parcel is placed by its point, its land is the 用地面积 stated
    on its row (not checked against a shape), and it cannot be judged as 低效用地 land
    (which needs the parcels' polygons). The first report line says so.
    """
    from geo.landuse.ingest import import_enterprises

    units = import_enterprises(path, gcj02=gcj02, parcels=None, key="parcel_id",
                               layer=parts["parcel_layer"], sheet=parts["parcel_sheet"],
                               overrides=_unit_map(choices))
    said = report_line(
        units.source, None, "", "",
        "宗地文件没有多边形图形，只有点位（经度/纬度）",
        "每宗地作为一个评价单元，按其坐标归入分片与区县；用地面积取自表中填报值（无图形可核对）；"
        "没有宗地图形，不能认定低效用地", REPORT_LEVELS["warning"])
    holder = map_headers([c.source for c in units.mapping.columns]
                         + list(units.mapping.unrecognised), kind="parcel").column_for("holder")
    rep = units.report
    if holder is not None:  # read as the units' names (see import_enterprises, key="parcel_id")
        rep = rep[~((rep[_PROBLEM] == "表头未识别") & (rep[_FIELD] == holder.source))]
    report = pd.concat([pd.DataFrame([said], columns=list(REPORT_COLUMNS)), rep],
                       ignore_index=True)
    if not len(units.data):
        raise NoUsableRowsError(units.source, units.kind, units.rows_read, report)
    return empty_parcels(), pd.DataFrame(units.data), [report]


_MONEY_FIELDS = ("tax_wan", "value_added_wan", "revenue_wan")
_FIELD, _PROBLEM = REPORT_COLUMNS[3], REPORT_COLUMNS[5]


def _figures_from_parcels(path: str | Path, parcels: ImportResult, *, gcj02: bool,
                          parts: Mapping[str, str | None], choices: ImportChoices
                          ) -> list[ImportResult]:
    """Read a parcel table's own figures (税收 …) as reporting units keyed by parcel.

    Many offices hold one parcel table carrying the figures on each row and no enterprise
    file. When its headers name at least one money field, the file is imported again with
    ``import_enterprises(..., key="parcel_id")``: each parcel is one unit. Neither report
    then calls a header the other import used 表头未识别. Returns ``[parcels]`` alone
    otherwise.
    """
    from geo.landuse.ingest import import_enterprises

    headers = [c.source for c in parcels.mapping.columns] + list(parcels.mapping.unrecognised)
    as_units = map_headers(headers, kind="enterprise", overrides=choices.enterprise_map)
    if all(as_units.column_for(f) is None for f in _MONEY_FIELDS):
        return [parcels]
    units = import_enterprises(path, gcj02=gcj02, parcels=parcels.data, key="parcel_id",
                               layer=parts["parcel_layer"], sheet=parts["parcel_sheet"],
                               overrides=choices.enterprise_map)
    return [_without_unread(parcels, units), _without_unread(units, parcels)]


def _without_unread(result: ImportResult, other: ImportResult) -> ImportResult:
    """Drop ``result``'s 表头未识别 lines on headers the other import of the file used."""
    used = {c.source for c in other.mapping.columns}
    rep = result.report
    read = (rep[_PROBLEM] == "表头未识别") & rep[_FIELD].isin(used)
    return replace(result, report=rep[~read].reset_index(drop=True))


def _label(paths: Sequence[Path], parcels: pd.DataFrame, enterprises: pd.DataFrame) -> str:
    """示例数据, 含示例数据 or the user's files by name (see :func:`load_inputs`)."""
    labels = pd.unique(pd.concat([parcels["data_label"], enterprises["data_label"]],
                                 ignore_index=True))  # a few distinct labels, each judged once
    is_sample = pd.Series([is_sample_label(v) for v in labels], dtype=bool)
    joined = "、".join(p.name for p in paths)
    if all(SAMPLE_DIR in p.resolve().parents for p in paths) or (
            len(is_sample) and is_sample.all()):
        return SAMPLE_LABEL
    if is_sample.any():
        return f"用户导入（含示例数据，请核实）：{joined}"
    return f"用户导入：{joined}"


def load_inputs(parcels_path: str | Path | None, enterprises_path: str | Path | None = None, *,
                gcj02: bool = False, year: int | None = None,
                parcel_layer: str | None = None, enterprise_layer: str | None = None,
                parcel_sheet: str | None = None, enterprise_sheet: str | None = None,
                choices: ImportChoices | None = None) -> Inputs:
    """Import parcels (and enterprises), keeping both reports, and keep one year.

    The files are read by :mod:`geo.landuse.ingest`; :func:`select_year` keeps one year
    (default the latest).

    Files that live in ``data/sample``, or whose rows all carry a 数据性质 column marking them
    as 示例数据 (e.g. a re-imported export of the sample), are labelled as sample data; files
    with some such rows as "含示例数据"; anything else as the user's files, by name.

    Parameters
    ----------
    parcels_path, enterprises_path : path-like or None
        The files; either may be left out (not both). Parcels alone are analysed without
        enterprise figures; enterprises alone (the usual 亩均 evaluation list) each rest on
        their own 用地面积 and are placed by their coordinates, if any (see
        :func:`empty_parcels`).
    gcj02, year : keyword-only
        Coordinates are GCJ-02 (高德); the data year to keep (default the latest).
    parcel_layer, enterprise_layer : str, keyword-only
        GeoPackage layer (or ``.shp`` inside a zip) of each file; see :func:`layer_names`.
    parcel_sheet, enterprise_sheet : str, keyword-only
        Excel sheet of each file (default the first); see :func:`sheet_names`.
    choices : ImportChoices, keyword-only
        The official's choices: header → ``field`` or ``field:unit`` per file, and the doubts
        accepted (``area_mismatch``, ``make_valid``).

    Returns
    -------
    Inputs

    Raises
    ------
    PartChoiceError
        A GeoPackage holds several layers and none is named, or the layer/sheet named is not
        in the file.
    NoUsableRowsError
        Every row of the parcels (or of a non-empty enterprise file) was rejected; the error
        carries the validation report.
    """
    parts = {"parcel_layer": parcel_layer, "enterprise_layer": enterprise_layer,
             "parcel_sheet": parcel_sheet, "enterprise_sheet": enterprise_sheet}
    choices = choices or ImportChoices()
    parcels, enterprises, reports = _import_files(parcels_path, enterprises_path, gcj02=gcj02,
                                                  parts=parts, choices=choices)
    release_freed_memory()  # the readers' buffers, before the analysis allocates its own
    reports.insert(0, _choice_lines(choices, parcels_path, enterprises_path))
    paths = [Path(p) for p in (parcels_path, enterprises_path) if p is not None]
    parcel_file = Path(parcels_path).name if parcels_path is not None else "宗地"
    files = (parcel_file,  # without an enterprise file, units come from the parcel file
             Path(enterprises_path).name if enterprises_path is not None else parcel_file)
    parcels, enterprises, used, year_lines = select_year(
        parcels, enterprises, year=year, files=files)
    reports.append(year_lines)
    return Inputs(parcels=parcels, enterprises=enterprises, report=_joined_report(reports),
                  data_label=_label(paths, parcels, enterprises), year=used,
                  choices=choices.describe())


def _choice_lines(choices: ImportChoices, parcels_path: str | Path | None,
                  enterprises_path: str | Path | None) -> pd.DataFrame:
    """One 提示 line per choice the official made, so the report says what was chosen."""
    files = {"parcel": Path(parcels_path).name if parcels_path is not None else "",
             "enterprise": Path(enterprises_path or parcels_path or "").name}
    lines = []
    for kind, overrides in (("parcel", choices.parcel_map), ("enterprise",
                                                             choices.enterprise_map)):
        for header, target in overrides.items():
            said = (f"按您的选择导入为{choice_text(kind, target)}" if target
                    else "按您的选择不导入")
            lines.append(report_line(files[kind], None, header, "", said, "",
                                     REPORT_LEVELS["info"]))
    for doubt in choices.accept:
        lines.append(report_line(files["parcel"], None, "", "",
                                 f"您已选择：{ACCEPT_LABELS.get(doubt, doubt)}", "",
                                 REPORT_LEVELS["info"]))
    return pd.DataFrame(lines, columns=list(REPORT_COLUMNS))


def load_sample() -> Inputs:
    """Load the bundled 示例数据 through the same importer as users' files."""
    return load_inputs(SAMPLE_DIR / "parcels.gpkg", SAMPLE_DIR / "enterprises.csv")
