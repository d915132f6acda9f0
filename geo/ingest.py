"""Import parcels (宗地) and enterprises from the files officials keep.

Formats: GeoPackage, GeoJSON, zipped or plain Shapefile (a ``.dbf`` without ``.cpg`` is sniffed
for UTF-8 or GBK), CSV (UTF-8, UTF-8 with BOM or GBK) and Excel ``.xlsx`` (a title row and a
two-row merged header are recognised). Headers in Chinese or English are mapped onto the
fields of :mod:`geo.landmodel` (:func:`map_headers`), units in the header or the cell are
converted (:mod:`geo.units`), and every row or value that could not be used is listed in the
report with the row number the official sees in the file. Nothing is silently dropped or
zero-filled: a bad value becomes NaN and a report line; a row that cannot be used is left out
and reported.

Files are checked before any reader sees them: size, content against extension, GDAL VRTs and
special paths are refused; zip archives are checked for path traversal and bombs and
extracted to a temporary folder (GDAL never reads inside a user's zip).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
import re
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import shapely
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS
from shapely.geometry import MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

from ._errors import DataImportError
from .catalog import NINGBO_BOUNDS
from .crs import AREA_CRS, STORAGE_CRS
from .gcj02 import gcj02_to_wgs84, geometry_gcj02_to_wgs84
from .landmodel import ENTERPRISE_FIELDS, PARCEL_FIELDS, PARCEL_STATUSES, SCALES, Field
from .metrics import split_ids
from .units import (
    CANONICAL_UNITS,
    DIMENSIONS,
    UNIT_FACTORS,
    header_key,
    is_missing,
    normalise_text,
    parse_number,
    split_header_unit,
    to_canonical,
    unit_factor,
)

__all__ = [
    "MAX_BYTES", "MAX_UNZIPPED_BYTES", "MAX_RATIO", "REPORT_COLUMNS", "HEADER_SEPARATOR",
    "TableMeta", "ColumnMap", "HeaderMapping", "ImportResult",
    "read_table", "map_headers", "import_parcels", "import_enterprises",
]

#: Largest file accepted by default (bytes).
MAX_BYTES = 200 * 1024 * 1024
#: Largest total uncompressed size of a zip archive (Shapefile zip or .xlsx) by default.
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
#: Largest compression ratio of one zip entry of 1 MiB or more (zip-bomb guard).
MAX_RATIO = 100
_RATIO_MIN_BYTES = 1024 * 1024
_MAX_ZIP_ENTRIES = 10_000
#: Columns of :attr:`ImportResult.report`.
REPORT_COLUMNS = ("文件", "行号", "字段", "值", "问题", "处理", "级别")
#: Joins the two rows of a two-row header: "税收" over "金额(万元)" → "税收·金额(万元)".
HEADER_SEPARATOR = "·"

_ERROR, _WARN, _INFO = "错误", "警告", "提示"
_DROP_ROW = "未导入该行"
_SET_NAN = "置空"
_SUFFIX_FORMATS = {".gpkg": "gpkg", ".geojson": "geojson", ".json": "geojson", ".zip": "zip",
                   ".shp": "shp", ".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}
_EXPECTED_CONTENT = {"gpkg": "sqlite", "geojson": "json", "zip": "zip", "xlsx": "zip",
                     "shp": "shp", "csv": "text"}
_CONTENT_LABELS = {"sqlite": "an SQLite database (GeoPackage)", "zip": "a zip archive",
                   "shp": "a Shapefile geometry file", "ole": "an old binary Office file (.xls)",
                   "xml": "XML or HTML", "json": "JSON", "pdf": "a PDF", "binary": "binary data",
                   "empty": "empty", "text": "plain text (CSV)"}
_GDAL_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_]+:")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?e[+-]?\d+$", re.IGNORECASE)
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_TOTAL_WORDS = frozenset({"合计", "总计", "小计", "总合计", "全市合计", "total", "subtotal"})
_GENERIC_CHILD = frozenset({"金额", "数额", "总额", "合计", "总计", "数值", "数量", "数", "值", "额",
                            "本年", "本期", "当年", "全年", "amount", "value", "total"})
_GENERIC_SUFFIXES = ("金额", "合计", "总额", "总计", "数额", "总量")
_RATE_MARK = re.compile(r"%|率|比|‰|增速|同比|环比")
_AREA_MISMATCH = 0.5  # stated vs measured parcel area: warn when they differ by more than 50 %
_GEOM_FIELD = "geometry"  # pseudo-field: the layer's geometry or a WKT column

# Aliases beyond each field's own name and label (which are always recognised). A tuple gives
# the unit the header implies ("用地亩数" is in 亩). Keys are compared after header_key().
_ID_WORDS = ("宗地编号", "宗地号", "宗地代码", "宗地编码", "宗地id", "宗地标识码", "地块编号", "地块号",
             "地块代码", "地块编码", "地块id", "图斑编号", "不动产单元号", "parcel", "parcel_id",
             "parcel_no", "parcel_code", "plot_id", "plot_no", "land_id", "lot_id")
_AREA_WORDS = ("用地面积", "土地面积", "宗地面积", "地块面积", "占地面积", "出让面积", "批准用地面积",
               "实际用地面积", "面积", "land_area", "area", "site_area",
               ("用地亩数", "亩"), ("占地亩数", "亩"), ("土地亩数", "亩"), ("亩数", "亩"),
               ("area_mu", "亩"), ("land_mu", "亩"), ("land_area_mu", "亩"), ("mu", "亩"),
               ("area_ha", "公顷"), ("land_area_ha", "公顷"), ("hectares", "公顷"),
               ("area_m2", "平方米"), ("land_area_m2", "平方米"), ("sqm", "平方米"))
_YEAR_WORDS = ("年度", "年份", "统计年度", "数据年度", "年", "year")
_PARCEL_ALIASES: dict[str, tuple] = {
    "parcel_id": _ID_WORDS,
    "land_area_m2": _AREA_WORDS,
    "land_use": ("用地性质", "土地用途", "用途", "土地性质", "用地类型", "地类", "地类名称", "规划用途",
                 "land_use", "landuse", "use"),
    "floor_area_m2": ("建筑面积", "总建筑面积", "地上建筑面积", "floor_area", "gfa",
                      "building_area", ("floor_area_m2", "平方米")),
    "far": ("容积率", "far", "plot_ratio", "floor_area_ratio"),
    "status": ("生产状态", "状态", "生产经营状态", "经营状态", "使用状态", "利用状态", "土地利用状态",
               "status", "state"),
    "year": _YEAR_WORDS,
    "data_label": ("数据性质", "数据说明", "data_nature", "data_label"),
    _GEOM_FIELD: ("wkt", "geometry", "geom", "the_geom", "shape", "几何", "图形", "空间信息"),
}
_ENTERPRISE_ALIASES: dict[str, tuple] = {
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "统一代码",
                    "credit_code", "uscc", "usci", "social_credit_code",
                    "unified_social_credit_code"),
    "name": ("企业名称", "单位名称", "企业", "公司名称", "名称", "纳税人名称", "enterprise", "company",
             "name", "enterprise_name", "company_name", "firm"),
    "parcel_id": _ID_WORDS,
    "lon": ("经度", "lon", "lng", "long", "longitude", "x", "x坐标", "坐标x", "东经"),
    "lat": ("纬度", "lat", "latitude", "y", "y坐标", "坐标y", "北纬"),
    "scale": ("规模", "企业规模", "是否规上", "是否规模以上", "规上/规下", "规模以上", "规上企业",
              "是否规上企业", "规模类型", "scale", "above_scale", "size"),
    "industry": ("行业", "所属行业", "行业类别", "行业门类", "行业大类", "行业名称", "国民经济行业",
                 "国民经济行业分类", "产业", "所属产业", "industry", "sector"),
    "year": _YEAR_WORDS,
    "data_label": _PARCEL_ALIASES["data_label"],
    "land_area_m2": ("企业用地面积",) + _AREA_WORDS,
    "tax_wan": ("税收", "税收总额", "税收合计", "实缴税金", "实缴税收", "实缴税费", "实缴税额", "税费",
                "税金", "纳税", "纳税额", "纳税总额", "入库税金", "入库税收", "实际入库税收", "税收收入",
                "tax", "taxes", "tax_paid", ("tax_wan", "万元"), ("tax_yuan", "元")),
    "value_added_wan": ("工业增加值", "增加值", "value_added", "va", "gva",
                        ("value_added_wan", "万元")),
    "revenue_wan": ("营业收入", "主营业务收入", "营收", "销售收入", "销售额", "revenue", "sales",
                    "turnover", "operating_revenue", ("revenue_wan", "万元")),
    "energy_tce": ("综合能耗", "能耗", "总能耗", "综合能源消费量", "能源消费量", "能源消耗", "energy",
                   "energy_consumption", ("energy_tce", "吨标准煤")),
    "emission_t": ("排放", "排放当量", "排放量", "污染物排放当量", "主要污染物排放当量", "排污当量",
                   "emission", "emissions", ("emission_t", "吨")),
    "power_10k_kwh": ("用电量", "用电", "总用电量", "电量", "耗电量", "电耗", "electricity", "power",
                      "power_consumption", ("power_10k_kwh", "万千瓦时"), ("power_kwh", "千瓦时"),
                      ("electricity_kwh", "千瓦时")),
    "employees": ("从业人员", "从业人数", "从业人员数", "年末从业人员", "从业人员平均人数", "职工人数",
                  "员工人数", "员工数", "用工人数", "人数", "employees", "staff", "headcount",
                  "workers", "jobs"),
    "rd_wan": ("研发经费", "研发投入", "研发费用", "研发经费支出", "r&d经费", "r&d投入", "r&d经费支出",
               "r&d费用", "r&d", "rd", "rd_expenditure", ("rd_wan", "万元")),
    _GEOM_FIELD: _PARCEL_ALIASES[_GEOM_FIELD],
}
_STATUS_WORDS = {
    "正常": ("正常", "正常生产", "生产", "在产", "正常经营", "经营", "投产", "已投产", "运营", "正常运营",
           "normal", "operating", "producing", "inproduction", "active"),
    "在建": ("在建", "建设中", "在建中", "施工", "施工中", "建设", "未竣工", "underconstruction",
           "construction"),
    "停产": ("停产", "全停", "全面停产", "停业", "关停", "停止生产", "stopped", "halted", "suspended",
           "closed", "shutdown"),
    "半停产": ("半停产", "部分停产", "半停", "partlystopped", "partiallystopped", "partlyhalted"),
    "闲置": ("闲置", "未利用", "未开发", "未动工", "荒置", "idle", "unused"),
    "空置": ("空置", "空关", "空闲", "厂房空置", "vacant", "empty"),
}
_SCALE_WORDS = {
    "规上": ("规上", "规模以上", "规上企业", "规模以上企业", "是", "y", "yes", "1", "true", "√",
           "above", "abovescale"),
    "规下": ("规下", "规模以下", "规下企业", "规模以下企业", "否", "n", "no", "0", "false", "×",
           "below", "belowscale"),
}
_NON_NEGATIVE = frozenset({"floor_area_m2", "far", "energy_tce", "emission_t", "power_10k_kwh",
                           "employees", "rd_wan"})
_POSITIVE = frozenset({"land_area_m2"})


def _build_aliases(fields: Sequence[Field], extra: Mapping[str, tuple]) -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for name, words in extra.items():
        for word in words:
            text, unit = word if isinstance(word, tuple) else (word, "")
            table.setdefault(header_key(text), (name, unit))
    for f in fields:
        for text in (f.name, f.label):
            base, _ = split_header_unit(header_key(text))
            table.setdefault(base, (f.name, ""))
    return table


_ALIASES = {"parcel": _build_aliases(PARCEL_FIELDS, _PARCEL_ALIASES),
            "enterprise": _build_aliases(ENTERPRISE_FIELDS, _ENTERPRISE_ALIASES)}
_FIELDS = {"parcel": {f.name: f for f in PARCEL_FIELDS}
           | {_GEOM_FIELD: Field(_GEOM_FIELD, "图形", "geometry")},
           "enterprise": {f.name: f for f in ENTERPRISE_FIELDS}
           | {_GEOM_FIELD: Field(_GEOM_FIELD, "图形（点位）", "geometry")}}
_STATUS_LOOKUP = {header_key(w): s for s, words in _STATUS_WORDS.items() for w in words}
_SCALE_LOOKUP = {header_key(w): s for s, words in _SCALE_WORDS.items() for w in words}
_ALL_UNITS = sorted({u for table in UNIT_FACTORS.values() for u in table}, key=len, reverse=True)
_RAW_KEYS = {k for table in _ALIASES.values() for k in table}


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class TableMeta:
    """How a file was read.

    Attributes
    ----------
    source : str
        File name.
    format : {"csv", "xlsx", "gpkg", "geojson", "shapefile"}
    encoding : str
        Text encoding found (CSV, Shapefile ``.dbf``); "" when not applicable.
    sheet, layer : str
        Excel sheet, or GeoPackage layer / ``.shp`` inside a zip, that was read.
    header_rows : tuple of int
        File rows (1-based) forming the header; empty for vector files.
    crs : str
        The file's CRS before reprojection to EPSG:4326 ("" for tables).
    notes : tuple of (int or None, str)
        Things the reader did that the official should know (title row skipped, merged
        cells filled, other sheets not read), with the file row they concern.
    """

    source: str
    format: str
    encoding: str = ""
    sheet: str = ""
    layer: str = ""
    header_rows: tuple[int, ...] = ()
    crs: str = ""
    notes: tuple[tuple[int | None, str], ...] = ()


@dataclass(frozen=True)
class ColumnMap:
    """One source header mapped to a canonical field, with the factor to its canonical unit."""

    source: str
    field: str
    unit: str = ""
    factor: float = 1.0
    assumed: bool = False
    note: str = ""


@dataclass(frozen=True)
class HeaderMapping:
    """Source headers → canonical fields, and the headers that are not used (with why)."""

    kind: str
    columns: tuple[ColumnMap, ...]
    ignored: tuple[tuple[str, str], ...] = ()

    @property
    def unrecognised(self) -> tuple[str, ...]:
        """Headers that are not imported (not understood, or a second header for one field)."""
        return tuple(h for h, _ in self.ignored)

    def column_for(self, field: str) -> ColumnMap | None:
        """The mapping of canonical ``field`` (None if no header maps to it)."""
        return next((c for c in self.columns if c.field == field), None)

    def missing_required(self) -> tuple[str, ...]:
        """Required fields no header maps to."""
        return tuple(f.name for f in _FIELDS[self.kind].values()
                     if f.required and self.column_for(f.name) is None)

    def to_frame(self) -> pd.DataFrame:
        """Preview table: 表头, 字段, 字段名称, 单位, 换算系数, 说明 (one row per source header)."""
        labels = _FIELDS[self.kind]
        rows = [{"表头": c.source, "字段": c.field, "字段名称": labels[c.field].label,
                 "单位": c.unit, "换算系数": c.factor, "说明": c.note} for c in self.columns]
        rows += [{"表头": h, "字段": "", "字段名称": "", "单位": "", "换算系数": np.nan, "说明": why}
                 for h, why in self.ignored]
        return pd.DataFrame(rows, columns=["表头", "字段", "字段名称", "单位", "换算系数", "说明"])


@dataclass(frozen=True)
class ImportResult:
    """An import: canonical data, the report of what could not be used, and how headers mapped.

    Attributes
    ----------
    data : DataFrame or GeoDataFrame
        Canonical columns (EPSG:4326 geometry for parcels, points for located enterprises),
        plus ``source_row`` (the file row of each record).
    report : DataFrame
        Columns :data:`REPORT_COLUMNS`; 级别 is 错误 (row or value not used), 警告 (used after
        a repair or with a doubt) or 提示 (information).
    mapping : HeaderMapping
    source : str
        File name.
    kind : {"parcel", "enterprise"}
    rows_read : int
        Data rows (or features) in the file.
    """

    data: pd.DataFrame
    report: pd.DataFrame
    mapping: HeaderMapping
    source: str
    kind: str
    rows_read: int

    def summary(self) -> str:
        """Short Chinese summary: rows read, imported, left out, values emptied, and why."""
        noun = "宗宗地" if self.kind == "parcel" else "条企业记录"
        rep = self.report
        dropped = rep[rep["处理"] == _DROP_ROW]
        nulled = rep[rep["处理"].str.startswith(_SET_NAN)]
        lines = [f"{self.source}：读取 {self.rows_read} 行，导入 {len(self.data)} {noun}；"
                 f"未导入 {len(dropped)} 行，置空 {len(nulled)} 个值，"
                 f"警告 {int((rep['级别'] == _WARN).sum())} 条，提示 {int((rep['级别'] == _INFO).sum())} 条。"]
        for title, part in (("未导入", dropped), ("置空", nulled)):
            if len(part):
                counts = part["问题"].map(_problem_kind).value_counts()
                lines.append(f"  {title}：" + "；".join(f"{k} {v}" for k, v in counts.items()))
        return "\n".join(lines)


def _problem_kind(problem: str) -> str:
    return re.split(r"[（(：:“]", problem, maxsplit=1)[0]


# --------------------------------------------------------------------------- safe file access


def _check_file(path: str | os.PathLike[str], *, max_bytes: int) -> tuple[Path, str]:
    """Refuse special paths, missing, oversize, VRT and mislabelled files; return (path, format)."""
    text = os.fspath(path)
    if text.startswith("/vsi") or "|layer" in text.lower() or _GDAL_PREFIX.match(text):
        raise DataImportError(
            "is a GDAL special path, not a file on disk", file=text,
            fix="give the path of the file itself (a zipped Shapefile is passed as the .zip)")
    p = Path(text)
    if not p.is_file():
        raise DataImportError("file not found", file=text,
                              fix="check the path (relative paths start at the project folder)")
    size = p.stat().st_size
    if size > max_bytes:
        raise DataImportError(
            f"is {size / 1e6:.1f} MB, above the limit of {max_bytes / 1e6:.1f} MB", file=p.name,
            fix="split the file (e.g. by district or year), or pass a larger max_bytes if you "
                "trust it")
    with p.open("rb") as fh:
        head = fh.read(4096)
    suffix = p.suffix.lower()
    found = _sniff(head)
    if (found == "xml" and b"<ogrvrtdatasource" in head.lower()) or suffix == ".vrt":
        raise DataImportError(
            "is a GDAL virtual dataset (VRT), which can make GDAL read other files", file=p.name,
            fix="export the data itself as GeoPackage, GeoJSON, zipped Shapefile, CSV or .xlsx")
    if suffix == ".xls":
        raise DataImportError("old Excel format (.xls) is not read", file=p.name,
                              fix="open it in Excel or WPS and save as .xlsx")
    fmt = _SUFFIX_FORMATS.get(suffix)
    if fmt is None:
        raise DataImportError(
            f"unsupported file type {suffix or '(no extension)'!r}", file=p.name,
            fix="use GeoPackage (.gpkg), GeoJSON, a zipped Shapefile (.zip), CSV or Excel (.xlsx)")
    if found != _EXPECTED_CONTENT[fmt]:
        raise DataImportError(
            f"the content is {_CONTENT_LABELS[found]}, which does not match the extension "
            f"{suffix}", file=p.name,
            fix="check that you picked the right file; save it again in the format its name says")
    return p, fmt


def _sniff(head: bytes) -> str:
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head:
        return "empty"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:4] == b"\x00\x00\x27\x0a":
        return "shp"
    if head[:4] == b"\xd0\xcf\x11\xe0":
        return "ole"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"
    if head.startswith(b"%PDF"):
        return "pdf"
    if stripped[:1] == b"<":
        return "xml"
    if stripped[:1] in (b"{", b"["):
        return "json"
    if b"\x00" in head:
        return "binary"
    return "text"


def _zip_entries(p: Path, *, max_unzipped_bytes: int, max_ratio: float) -> None:
    """Refuse zip archives with traversal entries, encryption, or bomb-like sizes."""
    try:
        with zipfile.ZipFile(p) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise DataImportError(f"is not a readable zip archive ({exc})", file=p.name,
                              fix="create the archive again (e.g. 右键 → 发送到 → 压缩文件夹)") from exc
    if len(infos) > _MAX_ZIP_ENTRIES:
        raise DataImportError(f"the archive holds {len(infos)} entries", file=p.name,
                              fix="zip only the files of the layer")
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
            raise DataImportError(
                "entry points outside the archive (absolute path or '..': zip slip)",
                file=p.name, feature=info.filename,
                fix="zip the files again from their folder, without absolute paths or '..'")
        if info.flag_bits & 0x1:
            raise DataImportError("entry is encrypted", file=p.name, feature=info.filename,
                                  fix="zip the files again without a password")
        total += info.file_size
        if info.file_size >= _RATIO_MIN_BYTES and \
                info.file_size > max_ratio * max(info.compress_size, 1):
            raise DataImportError(
                f"entry expands {info.file_size / max(info.compress_size, 1):.0f} times "
                f"(limit {max_ratio:g}): a zip bomb", file=p.name, feature=info.filename,
                fix="zip the real data files again; this archive is refused for safety")
    if total > max_unzipped_bytes:
        raise DataImportError(
            f"expands to {total / 1e6:.1f} MB, above the limit of {max_unzipped_bytes / 1e6:.1f} MB"
            " (zip bomb guard)", file=p.name,
            fix="split the data, or pass a larger max_unzipped_bytes if you trust the file")


def _copy_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dst: Path, *, budget: int,
                file: str) -> int:
    written = 0
    try:
        with zf.open(info) as src, dst.open("wb") as out:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > info.file_size or written > budget:
                    raise DataImportError(
                        "entry expands beyond its declared size or the limit (zip bomb guard)",
                        file=file, feature=info.filename, fix="zip the real data files again")
                out.write(chunk)
    except (zipfile.BadZipFile, NotImplementedError, EOFError) as exc:
        raise DataImportError(f"entry cannot be extracted ({exc})", file=file,
                              feature=info.filename, fix="create the archive again") from exc
    return written


def _extract_shapefile(p: Path, tmp: Path, *, layer: str | None, max_unzipped_bytes: int
                       ) -> tuple[Path, str]:
    """Copy the parts of the one Shapefile in ``p`` to ``tmp`` under safe names."""
    with zipfile.ZipFile(p) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()
                 and not i.filename.startswith("__MACOSX/")
                 and not PurePosixPath(i.filename.replace("\\", "/")).name.startswith("._")]
        shps = [i for i in infos if i.filename.lower().endswith(".shp")]
        if layer:
            shps = [i for i in shps if layer in (i.filename, PurePosixPath(i.filename).name,
                                                 PurePosixPath(i.filename).stem)]
        if not shps:
            listed = ", ".join(i.filename for i in infos[:8]) or "nothing"
            raise DataImportError(
                f"the archive holds no .shp{' named ' + repr(layer) if layer else ''} "
                f"(it holds {listed})", file=p.name,
                fix="zip the .shp with its .shx, .dbf and .prj, or give a GeoPackage")
        if len(shps) > 1:
            names = ", ".join(i.filename for i in shps)
            raise DataImportError(
                f"the archive holds several Shapefiles ({names})", file=p.name,
                fix="say which one with layer='<name>.shp', or zip one layer per archive")
        shp = shps[0]
        stem = shp.filename[:-4]
        parts = {i.filename[-4:].lower(): i for i in infos
                 if len(i.filename) == len(shp.filename)
                 and i.filename[:-4].lower() == stem.lower()}
        missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
        if missing:
            raise DataImportError(
                f"the Shapefile {shp.filename} lacks its {' and '.join(missing)} file",
                file=p.name, fix="zip all parts of the Shapefile (.shp, .shx, .dbf, .prj)")
        budget = max_unzipped_bytes
        for ext, info in parts.items():
            if ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                budget -= _copy_entry(zf, info, tmp / f"layer{ext}", budget=budget, file=p.name)
    return tmp / "layer.shp", shp.filename


# --------------------------------------------------------------------------- readers


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    layer: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    max_ratio: float = MAX_RATIO,
) -> tuple[pd.DataFrame, TableMeta]:
    """Read any supported file safely, every attribute as text.

    Parameters
    ----------
    path : path-like
        ``.gpkg``, ``.geojson``/``.json``, ``.zip`` (one Shapefile), ``.shp``, ``.csv``/``.txt``
        or ``.xlsx``.
    sheet : str, keyword-only
        Excel sheet (default: the first).
    layer : str, keyword-only
        GeoPackage layer, or the ``.shp`` inside a zip holding several.
    max_bytes, max_unzipped_bytes, max_ratio : keyword-only
        Safety limits: file size, total uncompressed size of a zip, compression ratio.

    Returns
    -------
    (DataFrame, TableMeta)
        Cells as ``str`` ("" for empty), indexed by the row number the official sees (named
        ``行号``; for vector files the feature's position, 1 = first). Vector files give a
        GeoDataFrame in EPSG:4326 whose ``geometry`` column holds the shapes.

    Raises
    ------
    DataImportError
        For unsafe, unreadable or unsupported files, naming the file and the fix.
    """
    p, fmt = _check_file(path, max_bytes=max_bytes)
    if fmt == "csv":
        return _read_csv(p)
    if fmt == "xlsx":
        _zip_entries(p, max_unzipped_bytes=max_unzipped_bytes, max_ratio=max_ratio)
        return _read_xlsx(p, sheet=sheet)
    if fmt == "zip":
        _zip_entries(p, max_unzipped_bytes=max_unzipped_bytes, max_ratio=max_ratio)
        with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
            shp, inner = _extract_shapefile(p, Path(tmp), layer=layer,
                                            max_unzipped_bytes=max_unzipped_bytes)
            return _read_vector(shp, source=p.name, fmt="shapefile", layer_label=inner)
    if fmt == "shp":
        return _read_vector(p, source=p.name, fmt="shapefile", layer_label=p.name)
    return _read_vector(p, source=p.name, fmt=fmt, layer=layer)


def _decode_text(raw: bytes, *, file: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8-BOM"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GBK")):
        try:
            return raw.decode(codec), label
        except UnicodeDecodeError:
            continue
    raise DataImportError("the text is neither UTF-8 nor GBK", file=file,
                          fix="save it from Excel as 'CSV UTF-8 (逗号分隔)'")


def _read_csv(p: Path) -> tuple[pd.DataFrame, TableMeta]:
    try:
        text, encoding = _decode_text(p.read_bytes(), file=p.name)
    except UnicodeDecodeError as exc:
        raise DataImportError(f"the text cannot be decoded ({exc.reason})", file=p.name,
                              fix="save it from Excel as 'CSV UTF-8 (逗号分隔)'") from exc
    if "\x00" in text:
        raise DataImportError("holds binary data, not CSV text", file=p.name,
                              fix="export the table again as CSV or .xlsx")
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "|"), key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise DataImportError(f"cannot be read as CSV ({exc})", file=p.name,
                              fix="open it in Excel and save it again as CSV UTF-8") from exc
    frame, header_rows, notes = _frame_from_rows(rows, merges=(), file=p.name)
    return frame, TableMeta(source=p.name, format="csv", encoding=encoding,
                            header_rows=header_rows, notes=notes)


def _cell_text(value: object) -> str:
    """A cell or attribute value as the text the official typed (numbers without '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else format(float(value), ".15g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _read_xlsx(p: Path, *, sheet: str | None) -> tuple[pd.DataFrame, TableMeta]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # styles/extensions openpyxl skips
            wb = openpyxl.load_workbook(p, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
            TypeError) as exc:
        raise DataImportError(f"cannot be read as an Excel workbook ({type(exc).__name__})",
                              file=p.name, fix="open it in Excel or WPS and save as .xlsx") from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise DataImportError(f"no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})",
                                  file=p.name, fix="pass one of the sheet names")
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        merges = tuple((r.min_row, r.min_col, r.max_row, r.max_col)
                       for r in ws.merged_cells.ranges)
        rows = [[_cell_text(v) for v in row]
                for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        others = [o.title for o in wb.worksheets if o is not ws and
                  (o.max_row > 1 or o.max_column > 1 or o.cell(1, 1).value is not None)]
    finally:
        wb.close()
    frame, header_rows, notes = _frame_from_rows(rows, merges=merges, file=p.name)
    if others:
        notes = ((None, f"只读取了工作表“{ws.title}”；其他有内容的工作表未读取："
                        f"{'、'.join(others)}（如需请指定 sheet）"),) + notes
    return frame, TableMeta(source=p.name, format="xlsx", sheet=ws.title,
                            header_rows=header_rows, notes=notes)


def _looks_like_header(cell: str) -> bool:
    base, unit = split_header_unit(re.sub(r"#\d+$", "", header_key(cell)))
    return (base in _RAW_KEYS or base in _GENERIC_CHILD or bool(_RATE_MARK.search(base))
            or any(unit_factor(u, d) is not None for u in (base, unit) if u for d in UNIT_FACTORS))


def _frame_from_rows(rows: list[list[str]], *, merges: Sequence[tuple[int, int, int, int]],
                     file: str) -> tuple[pd.DataFrame, tuple[int, ...], tuple]:
    """Find the header (skipping title rows, joining a two-row header) and build the table."""
    ncol = max((len(r) for r in rows), default=0)
    rows = [[c.strip() for c in r] + [""] * (ncol - len(r)) for r in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    h = 0
    while h < len(rows) and not any(rows[h]):
        h += 1
    if h >= len(rows):
        raise DataImportError("holds no rows", file=file,
                              fix="put the header in the first row and the data below it")
    notes: list[tuple[int | None, str]] = []
    for _ in range(3):  # title rows: one filled cell above a fuller row
        filled_cells = [c for c in rows[h] if c]
        if ncol >= 3 and len(filled_cells) == 1 and h + 1 < len(rows) \
                and sum(1 for c in rows[h + 1] if c) >= 2:
            notes.append((h + 1, f"第{h + 1}行“{filled_cells[0]}”视为表格标题，不作表头"))
            h += 1
        else:
            break
    filled = [r[:] for r in rows]
    two = _second_header_row(rows, h, merges)
    last_header = h + (1 if two else 0)
    for r0, c0, r1, c1 in merges:
        value = rows[r0 - 1][c0 - 1] if r0 - 1 < len(rows) else ""
        if r0 - 1 <= last_header:  # header merges: the label covers the whole range
            for rr in range(r0 - 1, min(r1, last_header + 1, len(rows))):
                for cc in range(c0 - 1, c1):
                    filled[rr][cc] = value
        if r1 - 1 > last_header and r1 > r0 and value:  # data merges: fill down the first column
            start = max(r0 - 1, last_header + 1)
            for rr in range(start, min(r1, len(rows))):
                filled[rr][c0 - 1] = value
            notes.append((r0, f"合并单元格 {get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"
                              f" 按首格的值“{value}”填入各行"))
    names = _header_names(rows, filled, h, two)
    data_rows = filled[last_header + 1:]
    keep_cols = [i for i in range(ncol) if names[i] or any(r[i] for r in data_rows)]
    seen: dict[str, int] = {}
    columns = []
    for i in keep_cols:
        name = names[i] or f"(第{i + 1}列)"
        seen[name] = seen.get(name, 0) + 1
        columns.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    numbered = [(last_header + 2 + k, r) for k, r in enumerate(data_rows) if any(r)]
    frame = pd.DataFrame([[r[i] for i in keep_cols] for _, r in numbered], columns=columns,
                         index=pd.Index([n for n, _ in numbered], name="行号"), dtype=object)
    return frame, tuple(range(h + 1, last_header + 2)), tuple(notes)


def _second_header_row(rows: list[list[str]], h: int,
                       merges: Sequence[tuple[int, int, int, int]]) -> bool:
    """Is row h+1 a second header row? (text only, under a merged or blank first-row cell)"""
    if h + 1 >= len(rows):
        return False
    top, below = rows[h], rows[h + 1]
    cells = [c for c in below if c]
    if not cells or any(parse_number(c).value is not None for c in cells):
        return False
    r = h + 1  # 1-based row number of the first header row
    merged = any(r0 == r and ((r1 == r and c1 > c0) or r1 == r + 1) for r0, c0, r1, c1 in merges)
    if merged:
        return True
    under_blank = any(not t and b for t, b in zip(top, below, strict=True))
    return under_blank and any(_looks_like_header(c) for c in cells)


def _header_names(rows: list[list[str]], filled: list[list[str]], h: int, two: bool) -> list[str]:
    if not two:
        return filled[h][:]
    names = []
    parent, group_open = "", False
    for i, (top, child) in enumerate(zip(filled[h], filled[h + 1], strict=True)):
        if top:
            parent, group_open = top, bool(child)
        elif child and group_open and not rows[h][i]:
            top = parent  # a blank cell right of a group header continues the group
        else:
            group_open = False
        if top and child and top != child:
            names.append(f"{top}{HEADER_SEPARATOR}{child}")
        else:
            names.append(top or child)
    return names


_DBF_VERSIONS = frozenset({0x02, 0x03, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0xCB, 0xE5,
                           0xF5, 0xFB})


def _check_shapefile_parts(shp: Path, *, source: str) -> None:
    """The .shp/.shx must be Shapefile geometry and the .dbf a dBase table (never XML/VRT)."""
    for q in shp.parent.iterdir():
        if q.stem != shp.stem or q.suffix.lower() not in (".shp", ".shx", ".dbf"):
            continue
        with q.open("rb") as fh:
            head = fh.read(4)
        if q.suffix.lower() == ".dbf":
            ok = len(head) > 0 and head[0] in _DBF_VERSIONS
        else:
            ok = head == b"\x00\x00\x27\x0a"
        if not ok:
            raise DataImportError(
                f"the part {q.suffix.lower()} is not a Shapefile part (it holds "
                f"{_CONTENT_LABELS[_sniff(head)]})", file=source,
                fix="export the layer again from QGIS or ArcGIS as Shapefile, or as GeoPackage")


def _dbf_encoding(shp: Path) -> tuple[str, str]:
    """(encoding to pass to GDAL or "", label) for a Shapefile's .dbf without .cpg."""
    siblings = {q.suffix.lower(): q for q in shp.parent.iterdir() if q.stem == shp.stem}
    if ".cpg" in siblings:
        return "", siblings[".cpg"].read_text(errors="replace").strip() + " (.cpg)"
    dbf = siblings.get(".dbf")
    if dbf is None:
        return "", ""
    with dbf.open("rb") as fh:
        head = fh.read(32)
        header_len = int.from_bytes(head[8:10], "little") if len(head) >= 10 else 32
        descriptors = fh.read(max(header_len - 32, 0))
        records = fh.read(4 * 1024 * 1024)
    names = b"".join(descriptors[i:i + 11] for i in range(0, len(descriptors) - 1, 32))
    sample = names + records
    if sample.isascii():
        return "", "ASCII"
    for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GBK")):
        try:
            codecs.getincrementaldecoder(codec)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return ("UTF-8" if codec == "utf-8" else "GB18030"), label
    return "", "unknown"


def _read_vector(path: Path, *, source: str, fmt: str, layer: str | None = None,
                 layer_label: str = "") -> tuple[pd.DataFrame, TableMeta]:
    notes: list[tuple[int | None, str]] = []
    encoding, enc_label = ("", "")
    try:
        if fmt == "gpkg":
            layers = [(str(n), g) for n, g in pyogrio.list_layers(path)]
            names = [n for n, _ in layers]
            spatial = [n for n, g in layers if g is not None]
            if layer is not None and layer not in names:
                raise DataImportError(f"no layer {layer!r} (layers: {', '.join(names)})",
                                      file=source, fix="pass one of the layer names")
            if layer is None:
                if len(spatial) == 1 or len(names) == 1:
                    layer = spatial[0] if spatial else names[0]
                else:
                    raise DataImportError(
                        f"holds several layers ({', '.join(names) or 'none'})", file=source,
                        fix="say which one with layer='<name>'")
            layer_label = layer
        if fmt == "shapefile":
            _check_shapefile_parts(path, source=source)
            encoding, enc_label = _dbf_encoding(path)
            if encoding:
                notes.append((None, f"属性表（.dbf）没有 .cpg 编码说明，按内容识别为 {enc_label}"))
        gdf = pyogrio.read_dataframe(path, layer=layer, encoding=encoding or None)
    except (DataSourceError, DataLayerError) as exc:
        raise DataImportError(
            f"cannot be read as a vector file ({type(exc).__name__}: {exc})", file=source,
            fix="open it in QGIS to check it, and export it again as GeoPackage") from exc
    geom_col = gdf.active_geometry_name if isinstance(gdf, gpd.GeoDataFrame) else None
    crs_label = ""
    if geom_col is not None:
        if gdf.crs is None:
            raise DataImportError(
                "no coordinate reference system", file=source,
                fix="add the .prj file (Shapefile) or save with a CRS; CGCS2000 and WGS84 work")
        src = CRS.from_user_input(gdf.crs)
        epsg = src.to_epsg()
        crs_label = f"EPSG:{epsg}" if epsg else src.name
        if not src.equals(STORAGE_CRS):
            gdf = gdf.to_crs(STORAGE_CRS)
            notes.append((None, f"坐标系 {crs_label}（{src.name}）已转换为 WGS84（EPSG:4326）"))
    attrs = {c: [_cell_text(v) for v in gdf[c]] for c in gdf.columns if c != geom_col}
    index = pd.RangeIndex(1, len(gdf) + 1, name="行号")
    frame = pd.DataFrame(attrs, index=index, dtype=object)
    if geom_col is not None:
        frame = gpd.GeoDataFrame(frame, geometry=list(gdf.geometry), crs=STORAGE_CRS)
    return frame, TableMeta(source=source, format=fmt, encoding=enc_label, layer=layer_label,
                            crs=crs_label, notes=tuple(notes))


# --------------------------------------------------------------------------- header mapping


def _lookup(base: str, aliases: Mapping[str, tuple[str, str]]) -> tuple[str, str] | None:
    if base in aliases:
        return aliases[base]
    for suffix in _GENERIC_SUFFIXES:
        if base.endswith(suffix) and base[:-len(suffix)] in aliases:
            return aliases[base[:-len(suffix)]]
    return None


def _match_base(base: str, unit: str, aliases: Mapping[str, tuple[str, str]]
                ) -> tuple[str, str, str] | None:
    """(field, implied unit, stated unit) for a header base, also with a glued unit or year."""
    hit = _lookup(base, aliases)
    if hit:
        return hit[0], hit[1], unit
    if not unit:
        for u in _ALL_UNITS:
            if len(base) > len(u) and base.endswith(u):
                hit = _lookup(base[:-len(u)], aliases)
                if hit:
                    return hit[0], hit[1], u
    year = re.match(r"^(?:19|20)\d{2}年?度?(.+)$", base)
    if year:
        return _match_base(year.group(1), unit, aliases)
    return None


def _column(source: str, field: Field, implied: str, stated: str) -> ColumnMap | str:
    dim = DIMENSIONS.get(field.name)
    unit = stated or implied
    if dim is None:
        return ColumnMap(source, field.name)
    canonical = CANONICAL_UNITS[dim]
    if not unit:
        return ColumnMap(source, field.name, canonical, 1.0, True,
                         f"表头未写单位，按{canonical}计")
    factor = unit_factor(unit, dim)
    if factor is not None:
        return ColumnMap(source, field.name, unit, factor)
    if _RATE_MARK.search(unit):
        return f"单位“{unit}”是比率，不是{field.label}"
    if any(unit_factor(unit, d) is not None for d in UNIT_FACTORS if d != dim):
        return f"单位“{unit}”不适用于{field.label}"
    return ColumnMap(source, field.name, canonical, 1.0, True,
                     f"括号内“{unit}”不是可识别的单位，按{canonical}计")


def _map_one(source: str, kind: str, overrides: Mapping[str, str]) -> ColumnMap | str:
    fields = _FIELDS[kind]
    aliases = _ALIASES[kind]
    key = re.sub(r"#\d+$", "", header_key(source))
    if source in overrides:
        target = overrides[source]
        if not target:
            return "按指定不导入"
        if target not in fields:
            raise DataImportError(
                f"override maps {source!r} to unknown field {target!r}", field=source,
                fix=f"use one of {', '.join(fields)}")
        return _column(source, fields[target], "", split_header_unit(key)[1])
    parts = key.split(header_key(HEADER_SEPARATOR), 1)
    if len(parts) == 2:
        (pb, pu), (cb, cu) = (split_header_unit(x) for x in parts)
        tries = [(pb + cb, cu or pu), (cb, cu)]
        if cb in _GENERIC_CHILD or re.match(r"^(?:19|20)\d{2}年?度?$", cb):
            tries.append((pb, cu or pu))
        if any(unit_factor(cb, d) is not None for d in UNIT_FACTORS):
            tries.append((pb, cb))
        for base, unit in tries:
            hit = _match_base(base, unit, aliases)
            if hit:
                return _column(source, fields[hit[0]], hit[1], hit[2])
        return "表头未识别"
    base, unit = split_header_unit(key)
    hit = _match_base(base, unit, aliases)
    if hit is None and "/" in base:  # "规模/是否规上", "生产状态/状态": alternatives of one field
        hits = [_match_base(part, unit, aliases) for part in base.split("/") if part]
        if hits and all(h is not None and h[0] == hits[0][0] for h in hits):
            hit = hits[0]
    if hit:
        return _column(source, fields[hit[0]], hit[1], hit[2])
    return "表头未识别"


def map_headers(columns: Iterable[object], *, kind: str,
                overrides: Mapping[str, str] | None = None) -> HeaderMapping:
    """Map source headers onto canonical fields.

    Headers are compared after normalisation (full-width → half-width, one kind of bracket, no
    spaces, case-insensitive). The unit in brackets or glued to the end ("用地面积(亩)",
    "税收万元") sets the conversion factor; a two-row header joined by
    :data:`HEADER_SEPARATOR` ("税收·金额(万元)") maps by its parent when the child only names
    the amount or a unit, never when it names a rate ("税收·增长率").

    Parameters
    ----------
    columns : iterable
        Source headers, in file order.
    kind : {"parcel", "enterprise"}, keyword-only
    overrides : mapping of str to str, keyword-only
        Source header → canonical field name ("" to ignore the column); wins over aliases.

    Returns
    -------
    HeaderMapping
        The first header for a field wins; later ones are listed in ``ignored``.
    """
    if kind not in _FIELDS:
        raise ValueError(f"unknown kind {kind!r}. Fix: use 'parcel' or 'enterprise'")
    overrides = dict(overrides or {})
    mapped: list[ColumnMap] = []
    ignored: list[tuple[str, str]] = []
    for col in columns:
        source = str(col)
        hit = _map_one(source, kind, overrides)
        if isinstance(hit, str):
            ignored.append((source, hit))
            continue
        first = next((c for c in mapped if c.field == hit.field), None)
        if first is not None:
            ignored.append((source, f"与“{first.source}”同为{_FIELDS[kind][hit.field].label}，"
                                    "只用第一列"))
            continue
        mapped.append(hit)
    return HeaderMapping(kind=kind, columns=tuple(mapped), ignored=tuple(ignored))


# --------------------------------------------------------------------------- values


def _line(file: str, row: int | None, field: str, value: object, problem: str, action: str,
          level: str = _ERROR) -> dict:
    return {"文件": file, "行号": row, "字段": field, "值": "" if value is None else str(value),
            "问题": problem, "处理": action, "级别": level}


def _parse_year(text: str) -> tuple[int | None, str]:
    t = normalise_text(text).replace(" ", "")
    if is_missing(t):
        return None, ""
    m = re.match(r"^(\d{4})(?:年度?|\.0+)?$", t)
    if not m or not 1949 <= int(m.group(1)) <= 2100:
        return None, "年度无法识别（应为如 2023 的四位年份）"
    return int(m.group(1)), ""


def _parse_vocab(text: str, lookup: Mapping[str, str], allowed: Sequence[str], what: str
                 ) -> tuple[str | None, str]:
    if is_missing(text):
        return None, ""
    hit = lookup.get(header_key(text))
    if hit is None:
        return None, f"{what}“{normalise_text(text)}”无法对应（可用：{'、'.join(allowed)}）"
    return hit, ""


def _parse_value(text: str, field: Field, col: ColumnMap) -> tuple[object, str]:
    """(value or None, problem) for one cell of a non-id field."""
    if field.kind == "geometry":
        return (None, "") if is_missing(text) else (normalise_text(text), "")
    if field.kind == "text":  # names keep their characters (全角括号 stay); only spaces tidied
        return (None, "") if is_missing(text) else (" ".join(str(text).split()), "")
    if field.kind == "year":
        return _parse_year(text)
    if field.kind == "status":
        return _parse_vocab(text, _STATUS_LOOKUP, PARCEL_STATUSES, "生产状态")
    if field.kind == "scale":
        return _parse_vocab(text, _SCALE_LOOKUP, SCALES, "规模")
    value, problem = to_canonical(text, dimension=DIMENSIONS.get(field.name),
                                  header_factor=col.factor)
    if problem:
        return None, f"数值无法识别：{problem}" if problem == "不是数字" else problem
    if value is None:
        return None, ""
    if field.name in _POSITIVE and value <= 0:
        return None, "面积为零或负数"
    if field.name in _NON_NEGATIVE and value < 0:
        return None, f"{field.label}为负数"
    return value, ""


def _parse_id(text: str, *, credit: bool) -> tuple[str | None, str]:
    t = normalise_text(text)
    if is_missing(t):
        return None, "缺少编号" if not credit else "缺少统一社会信用代码"
    if _SCIENTIFIC.match(t.replace(" ", "")):
        return None, ("编号已被 Excel 存成科学计数法数字，后几位已丢失（损坏的编号）；"
                      "请把该列设为文本后重新录入")
    if not credit:
        return t, ""
    code = re.sub(r"[\s\-]", "", t).upper()
    if len(code) != 18:
        return None, f"统一社会信用代码不是18位（{len(code)}位）"
    if not _CREDIT_CODE.match(code):
        return None, "统一社会信用代码含有不允许的字符（只用数字和除 I、O、Z、S、V 外的大写字母）"
    return code, ""


def _cells(table: pd.DataFrame, columns: Sequence[str]) -> dict[str, dict[int, str]]:
    """Column → {file row → text}: plain dicts, much faster than ``DataFrame.at`` in loops."""
    return {c: dict(zip(table.index, table[c].tolist(), strict=True)) for c in columns}


def _total_rows(cells: Mapping[str, Mapping[int, str]]) -> set[int]:
    """Rows that are 合计/总计/小计 lines (any cell says so)."""
    rows: set[int] = set()
    for col in cells.values():
        totals = {t for t in set(col.values())
                  if t and len(t) <= 16 and header_key(t) in _TOTAL_WORDS}
        rows.update(r for r, t in col.items() if t in totals)
    return rows


def _parse_fields(table: pd.DataFrame, mapping: HeaderMapping, kind: str, file: str
                  ) -> tuple[dict[str, dict[int, object]], list[dict]]:
    """Parse every mapped non-id column; values by field and row, and problem lines."""
    fields = _FIELDS[kind]
    values: dict[str, dict[int, object]] = {}
    lines: list[dict] = []
    for col in mapping.columns:
        field = fields[col.field]
        if field.kind in ("id", "geometry"):
            continue
        cache: dict[str, tuple[object, str]] = {}
        out: dict[int, object] = {}
        for row_no, text in zip(table.index, table[col.source].tolist(), strict=True):
            if text not in cache:
                cache[text] = _parse_value(text, field, col)
            value, problem = cache[text]
            out[row_no] = value
            if problem:
                lines.append(_line(file, row_no, col.source, text, problem, _SET_NAN))
        values[col.field] = out
    return values, lines


def _header_lines(mapping: HeaderMapping, meta: TableMeta) -> list[dict]:
    row = meta.header_rows[-1] if meta.header_rows else None
    lines = [_line(meta.source, r, "", "", note, "", _INFO) for r, note in meta.notes]
    for header, why in mapping.ignored:
        lines.append(_line(meta.source, row, header, "", why, "该列未导入",
                           _INFO if why == "表头未识别" else _WARN))
    for c in mapping.columns:
        if c.assumed:
            lines.append(_line(meta.source, row, c.source, "", c.note, "按标准单位导入", _INFO))
    return lines


def _require(mapping: HeaderMapping, table: pd.DataFrame, meta: TableMeta) -> None:
    missing = mapping.missing_required()
    if missing:
        label = _FIELDS[mapping.kind][missing[0]].label
        found = "、".join(map(str, table.columns[:20])) or "none"
        raise DataImportError(
            f"no column for {label} ({missing[0]}); headers found: {found}", file=meta.source,
            field=label, fix=f"name the column {label}, or map it with overrides={{'<header>': "
                             f"'{missing[0]}'}}")


def _report_frame(lines: list[dict]) -> pd.DataFrame:
    rep = pd.DataFrame(lines, columns=list(REPORT_COLUMNS))
    rep["行号"] = rep["行号"].astype("Int64")
    return rep.sort_values("行号", kind="stable", na_position="first").reset_index(drop=True)


def _in_box(bounds: tuple[float, float, float, float],
            box: tuple[float, float, float, float]) -> bool:
    minx, miny, maxx, maxy = bounds
    return minx >= box[0] and miny >= box[1] and maxx <= box[2] and maxy <= box[3]


def _outside_hint(bounds: tuple[float, float, float, float],
                  box: tuple[float, float, float, float]) -> str:
    minx, miny, maxx, maxy = bounds
    if _in_box((miny, minx, maxy, maxx), box):
        return "经度和纬度可能填反了"
    if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
        return "像是投影坐标（米），请核对坐标系（.prj）"
    return "请核对坐标系（.prj）；高德坐标请选择 GCJ-02"


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    parts = [p for g in polys for p in shapely.get_parts(g)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _keys(ids: Mapping[int, str], years: Mapping[int, object] | None
          ) -> dict[int, tuple[str, object]]:
    return {r: (i, None if years is None else years.get(r)) for r, i in ids.items()}


def _first_of_each(usable: Mapping[int, str], years, lines: list, *, file: str, column: str,
                   what: str) -> list[int]:
    """Rows to keep: the first of each (id, year); every later duplicate gets a report line."""
    first: dict[tuple[str, object], int] = {}
    kept: list[int] = []
    for row_no, key in _keys(usable, years).items():
        if key in first:
            lines.append(_line(file, row_no, column, usable[row_no],
                               f"{what}重复（与第 {first[key]} 行相同，保留第 {first[key]} 行）",
                               _DROP_ROW))
            continue
        first[key] = row_no
        kept.append(row_no)
    return kept


def _attributes(table: pd.DataFrame) -> list:
    """The attribute columns of a table (all but a GeoDataFrame's geometry)."""
    geom = table.geometry.name if isinstance(table, gpd.GeoDataFrame) else None
    return [c for c in table.columns if c != geom]


def _open_table(path: str | os.PathLike[str], kind: str, *, sheet: str | None,
                layer: str | None, overrides: Mapping[str, str] | None, max_bytes: int,
                max_unzipped_bytes: int) -> tuple[pd.DataFrame, TableMeta, HeaderMapping, list]:
    """Read a file safely, map its headers for ``kind`` and check the key columns exist.

    Returns the table, its metadata, the header mapping and the first report lines (headers
    not recognised or not used).
    """
    table, meta = read_table(path, sheet=sheet, layer=layer, max_bytes=max_bytes,
                             max_unzipped_bytes=max_unzipped_bytes)
    mapping = map_headers(_attributes(table), kind=kind, overrides=overrides)
    _require(mapping, table, meta)
    return table, meta, mapping, _header_lines(mapping, meta)


# --------------------------------------------------------------------------- parcels


def _wkt_geometries(column: pd.Series) -> tuple[dict[int, BaseGeometry | None], set[int]]:
    """Geometries of a WKT column by row, and the rows whose text is not valid WKT."""
    geoms: dict[int, BaseGeometry | None] = {}
    bad: set[int] = set()
    for row_no, text in column.items():
        geoms[row_no] = None if is_missing(text) else shapely.from_wkt(
            normalise_text(text), on_invalid="ignore")
        if geoms[row_no] is None and not is_missing(text):
            bad.add(row_no)
    return geoms, bad


def _parcel_geometry(geom: BaseGeometry | None, box: tuple[float, float, float, float]
                     ) -> tuple[BaseGeometry | None, str, str]:
    """(polygonal geometry or None, why it cannot be used, what was repaired)."""
    if geom is None or geom.is_empty:
        return None, "无图形", ""
    repaired = ""
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        fixed = _polygonal(shapely.make_valid(geom))
        if fixed is None or fixed.is_empty:
            return None, f"图形无效且无法修复（{reason}）", ""
        geom, repaired = fixed, f"图形无效（{reason}）"
    poly = _polygonal(geom)
    if poly is None:
        return None, f"图形不是面（{geom.geom_type}）", repaired
    if not _in_box(poly.bounds, box):
        b = tuple(round(v, 4) for v in poly.bounds)
        return None, f"超出宁波范围（范围 {b}；{_outside_hint(poly.bounds, box)}）", repaired
    return poly, "", repaired


def import_parcels(
    path: str | os.PathLike[str],
    *,
    gcj02: bool = False,
    layer: str | None = None,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    max_bytes: int = MAX_BYTES,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    ningbo_bounds: tuple[float, float, float, float] = NINGBO_BOUNDS,
) -> ImportResult:
    """Import parcels (宗地) with their polygons.

    Parameters
    ----------
    path : path-like
        GeoPackage, GeoJSON, zipped Shapefile, ``.shp``, or a CSV/.xlsx with a WKT column
        (EPSG:4326).
    gcj02 : bool, keyword-only
        The coordinates are GCJ-02 (高德); they are converted to WGS84.
    layer, sheet : str, keyword-only
        GeoPackage layer or ``.shp`` inside the zip; Excel sheet.
    overrides : mapping, keyword-only
        Source header → canonical field, as in :func:`map_headers`.
    max_bytes, max_unzipped_bytes : int, keyword-only
        Safety limits (see :func:`read_table`).
    ningbo_bounds : (minx, miny, maxx, maxy), keyword-only
        Lon/lat box every parcel must lie in.

    Returns
    -------
    ImportResult
        ``data`` is a GeoDataFrame in EPSG:4326: ``parcel_id``, ``land_area_m2`` (stated, or
        measured in EPSG:4549 when not stated), ``land_area_geom_m2``, ``land_area_source``
        (填报 / 图形测算), ``land_use``, ``floor_area_m2``, ``far``, ``status``, ``year``,
        ``source_row``, ``geometry``.

    Raises
    ------
    DataImportError
        If the file is unsafe or unreadable, has no parcel-id column or no geometry.
    """
    table, meta, mapping, lines = _open_table(
        path, "parcel", sheet=sheet, layer=layer, overrides=overrides, max_bytes=max_bytes,
        max_unzipped_bytes=max_unzipped_bytes)
    file = meta.source
    is_geo = isinstance(table, gpd.GeoDataFrame)
    wkt_col = mapping.column_for(_GEOM_FIELD)
    bad_wkt: set[int] = set()
    if is_geo:
        geoms = dict(zip(table.index, table.geometry, strict=True))
    elif wkt_col is not None:
        geoms, bad_wkt = _wkt_geometries(table[wkt_col.source])
        lines.append(_line(file, None, wkt_col.source, "", "WKT 坐标按 WGS84（EPSG:4326）经纬度读取",
                           "", _INFO))
    else:
        raise DataImportError(
            "no geometry: parcels need their polygons", file=file,
            fix="export the parcels as GeoPackage, GeoJSON or zipped Shapefile, or add a WKT "
                "column (EPSG:4326 lon/lat)")
    if gcj02:
        geoms = {r: None if g is None else geometry_gcj02_to_wgs84(g) for r, g in geoms.items()}
        lines.append(_line(file, None, "", "", "坐标按 GCJ-02（高德）转换为 WGS84", "", _INFO))

    values, value_lines = _parse_fields(table, mapping, "parcel", file)
    id_col = mapping.column_for("parcel_id")
    geom_field = wkt_col.source if wkt_col is not None and not is_geo else "geometry"
    usable: dict[int, str] = {}
    final_geom: dict[int, BaseGeometry] = {}
    cells = _cells(table, _attributes(table))
    totals = _total_rows(cells)
    for row_no in table.index:
        raw_id = cells[id_col.source][row_no]
        if row_no in totals:
            lines.append(_line(file, row_no, id_col.source, raw_id, "合计行，不是宗地", _DROP_ROW))
            continue
        pid, problem = _parse_id(raw_id, credit=False)
        if problem:
            lines.append(_line(file, row_no, id_col.source, raw_id, problem, _DROP_ROW))
            continue
        if row_no in bad_wkt:
            lines.append(_line(file, row_no, geom_field, cells[geom_field][row_no][:60],
                               "WKT 图形无法解析", _DROP_ROW))
            continue
        poly, problem, repaired = _parcel_geometry(geoms.get(row_no), ningbo_bounds)
        if repaired:
            lines.append(_line(file, row_no, geom_field, pid, repaired, "已用 make_valid 修复",
                               _WARN))
        if poly is None:
            lines.append(_line(file, row_no, geom_field, pid, problem, _DROP_ROW))
            continue
        usable[row_no] = pid
        final_geom[row_no] = poly
    kept = _first_of_each(usable, values.get("year"), lines, file=file, column=id_col.source,
                          what="宗地编号")
    kept_set = set(kept)
    lines += [ln for ln in value_lines if ln["行号"] in kept_set]

    shapes = gpd.GeoSeries([final_geom[r] for r in kept], index=kept, crs=STORAGE_CRS)
    measured = shapes.to_crs(AREA_CRS).area.astype(float)
    out = pd.DataFrame(index=pd.Index(kept))
    out["parcel_id"] = [usable[r] for r in kept]
    stated = pd.Series([values.get("land_area_m2", {}).get(r) for r in kept], index=kept,
                       dtype=float)
    out["land_area_m2"] = stated.fillna(measured)
    out["land_area_geom_m2"] = measured
    out["land_area_source"] = np.where(stated.notna(), "填报", "图形测算")
    for name in ("land_use", "floor_area_m2", "far", "status", "year", "data_label"):
        col = values.get(name, {})
        out[name] = [col.get(r) for r in kept]
    for name in ("floor_area_m2", "far"):
        out[name] = out[name].astype(float)
    out["year"] = out["year"].astype("Int64")
    out["source_row"] = np.asarray(kept, dtype=np.int64)
    area_col = mapping.column_for("land_area_m2")
    if area_col is None:
        lines.append(_line(file, None, "用地面积", "", "文件没有用地面积列",
                           "全部按图形面积计（EPSG:4549 测算）", _INFO))
    else:
        for ln in lines:
            if ln["字段"] == area_col.source and ln["处理"] == _SET_NAN:
                ln["处理"] = f"{_SET_NAN}；按图形面积计（EPSG:4549 测算）"
        for r in kept:
            if pd.isna(stated[r]):
                if not is_missing(cells[area_col.source][r]):
                    continue  # a bad value: already reported above
                lines.append(_line(file, r, area_col.source, "", "未填用地面积",
                                   f"按图形面积 {measured[r]:.1f} 平方米计（EPSG:4549 测算）", _INFO))
            elif measured[r] > 0 and abs(stated[r] - measured[r]) > _AREA_MISMATCH * measured[r]:
                lines.append(_line(
                    file, r, area_col.source, cells[area_col.source][r],
                    f"填报面积 {stated[r]:.1f} 平方米与图形面积 {measured[r]:.1f} 平方米相差超过"
                    f" {_AREA_MISMATCH:.0%}（单位是否有误？）", "保留填报面积", _WARN))
    data = gpd.GeoDataFrame(out.reset_index(drop=True), geometry=list(shapes), crs=STORAGE_CRS)
    return ImportResult(data=data, report=_report_frame(lines), mapping=mapping, source=file,
                        kind="parcel", rows_read=len(table))


# --------------------------------------------------------------------------- enterprises


def import_enterprises(
    path: str | os.PathLike[str],
    *,
    gcj02: bool = False,
    parcels: pd.DataFrame | None = None,
    layer: str | None = None,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    max_bytes: int = MAX_BYTES,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    ningbo_bounds: tuple[float, float, float, float] = NINGBO_BOUNDS,
) -> ImportResult:
    """Import enterprises (亩均效益 data) from a table or a point layer.

    Parameters
    ----------
    path : path-like
        CSV, .xlsx, or a vector file of points.
    gcj02 : bool, keyword-only
        Lon/lat are GCJ-02 (高德); they are converted to WGS84.
    parcels : DataFrame, keyword-only
        Imported parcels; each enterprise's ``parcel_id`` (one or several, "A;B") is checked
        against their ``parcel_id`` and unmatched ones are reported.
    layer, sheet, overrides, max_bytes, max_unzipped_bytes, ningbo_bounds : keyword-only
        As for :func:`import_parcels`.

    Returns
    -------
    ImportResult
        ``data`` has every field of :data:`geo.landmodel.ENTERPRISE_FIELDS` (money in 万元,
        land in m²) plus ``source_row``; a GeoDataFrame of points (EPSG:4326; None where a row
        has no usable location) when the file gives lon/lat or point geometry.

    Raises
    ------
    DataImportError
        If the file is unsafe or unreadable, or has no 统一社会信用代码 column.
    """
    if parcels is not None and "parcel_id" not in parcels.columns:
        raise ValueError("parcels has no 'parcel_id' column. Fix: pass the data of "
                         "import_parcels(...), or a table with canonical parcel columns")
    table, meta, mapping, lines = _open_table(
        path, "enterprise", sheet=sheet, layer=layer, overrides=overrides, max_bytes=max_bytes,
        max_unzipped_bytes=max_unzipped_bytes)
    file = meta.source
    is_geo = isinstance(table, gpd.GeoDataFrame)
    values, value_lines = _parse_fields(table, mapping, "enterprise", file)
    code_col = mapping.column_for("credit_code")
    parcel_col = mapping.column_for("parcel_id")

    located = False
    lon: dict[int, float | None] = {}
    lat: dict[int, float | None] = {}
    where = "geometry"
    lon_col, lat_col = mapping.column_for("lon"), mapping.column_for("lat")
    if lon_col is not None and lat_col is not None:
        located = True
        lon, lat = values["lon"], values["lat"]
        where = f"{lon_col.source}/{lat_col.source}"
    elif lon_col is not None or lat_col is not None:
        one = lon_col or lat_col
        lines.append(_line(file, meta.header_rows[-1] if meta.header_rows else None, one.source,
                           "", "只有经度或纬度其中一列", "坐标未导入", _WARN))
    elif is_geo or mapping.column_for(_GEOM_FIELD) is not None:
        located = True
        if is_geo:
            geoms, bad_wkt = dict(zip(table.index, table.geometry, strict=True)), set()
        else:
            where = mapping.column_for(_GEOM_FIELD).source
            geoms, bad_wkt = _wkt_geometries(table[where])
        for row_no in sorted(bad_wkt):  # filtered with the value lines to the rows kept
            value_lines.append(_line(file, row_no, where, table.at[row_no, where][:60],
                                     "WKT 图形无法解析", "坐标置空，企业保留", _WARN))
        for row_no, geom in geoms.items():
            if geom is None or geom.is_empty:
                lon[row_no] = lat[row_no] = None
                continue
            pt = geom if geom.geom_type == "Point" else geom.representative_point()
            lon[row_no], lat[row_no] = pt.x, pt.y
        if any(g is not None and g.geom_type != "Point" for g in geoms.values()):
            lines.append(_line(file, None, where, "", "图形不是点",
                               "用图形内一点作企业位置", _INFO))

    usable: dict[int, str] = {}
    cells = _cells(table, _attributes(table))
    totals = _total_rows(cells)
    for row_no in table.index:
        raw = cells[code_col.source][row_no]
        if row_no in totals:
            lines.append(_line(file, row_no, code_col.source, raw, "合计行，不是企业", _DROP_ROW))
            continue
        code, problem = _parse_id(raw, credit=True)
        if problem:
            lines.append(_line(file, row_no, code_col.source, raw, problem, _DROP_ROW))
            continue
        usable[row_no] = code
    kept = _first_of_each(usable, values.get("year"), lines, file=file,
                          column=code_col.source, what="统一社会信用代码")
    kept_set = set(kept)
    lines += [ln for ln in value_lines if ln["行号"] in kept_set]

    xs = np.array([np.nan if lon.get(r) is None else lon[r] for r in kept], dtype=float)
    ys = np.array([np.nan if lat.get(r) is None else lat[r] for r in kept], dtype=float)
    if located:
        both = np.isfinite(xs) & np.isfinite(ys)
        if gcj02 and both.any():
            xs[both], ys[both] = gcj02_to_wgs84(xs[both], ys[both])
            lines.append(_line(file, None, "", "", "坐标按 GCJ-02（高德）转换为 WGS84", "", _INFO))
        for i, r in enumerate(kept):
            shown = (f"{cells[lon_col.source][r]}, {cells[lat_col.source][r]}"
                     if lon_col is not None else f"{xs[i]:.6f}, {ys[i]:.6f}")
            if not both[i]:
                if np.isfinite(xs[i]) != np.isfinite(ys[i]):
                    lines.append(_line(file, r, where, shown, "经纬度只有一个可用",
                                       "坐标置空，企业保留", _WARN))
                xs[i] = ys[i] = np.nan
                continue
            b = (xs[i], ys[i], xs[i], ys[i])
            if not _in_box(b, ningbo_bounds):
                lines.append(_line(file, r, where, shown,
                                   f"超出宁波范围（{_outside_hint(b, ningbo_bounds)}）",
                                   "坐标置空，企业保留", _WARN))
                xs[i] = ys[i] = np.nan

    if parcel_col is not None:
        for r in kept:
            ids = [normalise_text(p) for p in split_ids(cells[parcel_col.source][r])]
            repeated = sorted({p for p in ids if ids.count(p) > 1})
            if repeated:
                lines.append(_line(file, r, parcel_col.source, cells[parcel_col.source][r],
                                   f"同一宗地编号重复列出（{'、'.join(repeated)}）", "只计一次",
                                   _WARN))
    if parcels is not None and parcel_col is not None:
        known = set(parcels["parcel_id"].astype(str))
        for r in kept:
            ids = [normalise_text(p) for p in split_ids(cells[parcel_col.source][r])]
            missing = [p for p in ids if p not in known]
            if missing:
                lines.append(_line(file, r, parcel_col.source, cells[parcel_col.source][r],
                                   f"无对应宗地（{'、'.join(missing)} 不在宗地数据中）",
                                   "企业保留，未关联该宗地", _WARN))

    out = pd.DataFrame(index=pd.Index(kept))
    for f in ENTERPRISE_FIELDS:
        if f.name == "credit_code":
            out[f.name] = [usable[r] for r in kept]
        elif f.name == "parcel_id":
            out[f.name] = [None if parcel_col is None or is_missing(cells[parcel_col.source][r])
                           else ";".join(dict.fromkeys(
                               normalise_text(p) for p in split_ids(cells[parcel_col.source][r])))
                           for r in kept]
        elif f.name in ("lon", "lat"):
            out[f.name] = xs if f.name == "lon" else ys
        else:
            col = values.get(f.name, {})
            out[f.name] = [col.get(r) for r in kept]
        if f.kind in ("number", "int"):
            out[f.name] = out[f.name].astype(float)
    out["year"] = out["year"].astype("Int64")
    out["source_row"] = np.asarray(kept, dtype=np.int64)
    out = out.reset_index(drop=True)
    if located:
        pts = [Point(x, y) if np.isfinite(x) and np.isfinite(y) else None
               for x, y in zip(out["lon"], out["lat"], strict=True)]
        out = gpd.GeoDataFrame(out, geometry=pts, crs=STORAGE_CRS)
    return ImportResult(data=out, report=_report_frame(lines), mapping=mapping, source=file,
                        kind="enterprise", rows_read=len(table))
