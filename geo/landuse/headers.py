"""Headers officials write, mapped onto the fields of :mod:`geo.landuse.model`.

About two hundred Chinese and English aliases ("用地面积", "实缴税金", "tax_paid" …) map onto the
canonical fields; the unit in brackets or glued to the end ("用地面积(亩)", "税收万元") sets the
conversion factor (:mod:`geo.io.quantities`); a two-row header joined by
:data:`geo.io.tables.HEADER_SEPARATOR` maps by its parent when the child only names the amount
or a unit. :func:`looks_like_header` is the predicate the table reader uses to recognise a
second header row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo._errors import DataImportError
from geo.io.quantities import (
    CANONICAL_UNITS,
    DIMENSIONS,
    UNIT_FACTORS,
    header_key,
    split_header_unit,
    unit_factor,
)
from geo.io.tables import HEADER_SEPARATOR
from geo.labels import GEOMETRY_FIELD_LABELS, MAPPING_PREVIEW_COLUMNS
from geo.landuse.model import ENTERPRISE_FIELDS, PARCEL_FIELDS, Field

__all__ = ["GEOM_FIELD", "ColumnMap", "HeaderMapping", "FIELDS", "STATUS_LOOKUP",
           "SCALE_LOOKUP", "RATE_MARK", "looks_like_header", "map_headers"]

_GENERIC_CHILD = frozenset({"金额", "数额", "总额", "合计", "总计", "数值", "数量", "数", "值",
                            "额", "本年", "本期", "当年", "全年", "amount", "value", "total"})


_GENERIC_SUFFIXES = ("金额", "合计", "总额", "总计", "数额", "总量")


RATE_MARK = re.compile(r"%|率|比|‰|增速|同比|环比")


GEOM_FIELD = "geometry"  # pseudo-field: the layer's geometry or a WKT column


# Aliases beyond each field's own name and label (which are always recognised). A tuple gives
# the unit the header implies ("用地亩数" is in 亩). Keys are compared after header_key().
_ID_WORDS = ("宗地编号", "宗地号", "宗地代码", "宗地编码", "宗地id", "宗地标识码", "地块编号",
             "地块号", "地块代码", "地块编码", "地块id", "图斑编号", "不动产单元号", "parcel",
             "parcel_id", "parcel_no", "parcel_code", "plot_id", "plot_no", "land_id", "lot_id")


_AREA_WORDS = ("用地面积", "土地面积", "宗地面积", "地块面积", "占地面积", "出让面积",
               "批准用地面积", "实际用地面积", "土地使用权面积", "使用权面积", "使用权土地面积",
               "面积", "land_area", "area", "site_area",
               ("用地亩数", "亩"), ("占地亩数", "亩"), ("土地亩数", "亩"), ("亩数", "亩"),
               ("area_mu", "亩"), ("land_mu", "亩"), ("land_area_mu", "亩"), ("mu", "亩"),
               ("area_ha", "公顷"), ("land_area_ha", "公顷"), ("hectares", "公顷"),
               ("area_m2", "平方米"), ("land_area_m2", "平方米"), ("sqm", "平方米"))


_YEAR_WORDS = ("年度", "年份", "统计年度", "数据年度", "年", "year")


_PARCEL_ALIASES: dict[str, tuple] = {
    "parcel_id": _ID_WORDS,
    "land_area_m2": _AREA_WORDS,
    "land_use": ("用地性质", "土地用途", "用途", "土地性质", "用地类型", "地类", "地类名称",
                 "规划用途", "land_use", "landuse", "use"),
    "floor_area_m2": ("建筑面积", "总建筑面积", "地上建筑面积", "floor_area", "gfa",
                      "building_area", ("floor_area_m2", "平方米")),
    "far": ("容积率", "far", "plot_ratio", "floor_area_ratio"),
    "status": ("生产状态", "状态", "生产经营状态", "经营状态", "使用状态", "利用状态",
               "土地利用状态", "status", "state"),
    "year": _YEAR_WORDS,
    "supply_year": ("供地年份", "供地时间", "供地日期", "供地年度", "出让年份", "出让时间",
                    "出让日期", "土地出让时间", "交地时间", "交地日期", "supply_year",
                    "land_supply_year"),
    # 单位名称 names the enterprise in an enterprise file, the parcel's holder in a parcel file
    "holder": ("权利人", "土地使用权人", "使用权人", "单位名称", "权利人名称", "土地权利人",
               "holder", "owner", "land_holder"),
    "data_label": ("数据性质", "数据说明", "data_nature", "data_label"),
    GEOM_FIELD: ("wkt", "geometry", "geom", "the_geom", "shape", "几何", "图形", "空间信息"),
}


_ENTERPRISE_ALIASES: dict[str, tuple] = {
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "统一代码",
                    "credit_code", "uscc", "usci", "social_credit_code",
                    "unified_social_credit_code"),
    "name": ("企业名称", "单位名称", "企业", "公司名称", "名称", "纳税人名称", "enterprise",
             "company", "name", "enterprise_name", "company_name", "firm"),
    "parcel_id": _ID_WORDS,
    "lon": ("经度", "lon", "lng", "long", "longitude", "x", "x坐标", "坐标x", "东经"),
    "lat": ("纬度", "lat", "latitude", "y", "y坐标", "坐标y", "北纬"),
    "scale": ("规模", "企业规模", "是否规上", "是否规模以上", "规上/规下", "规模以上",
              "规上企业", "是否规上企业", "规模类型", "scale", "above_scale", "size"),
    "industry": ("行业", "所属行业", "行业类别", "行业门类", "行业大类", "行业名称",
                 "国民经济行业", "国民经济行业分类", "产业", "所属产业", "industry", "sector"),
    "township": ("乡镇", "乡镇(街道)", "乡镇街道", "乡镇/街道", "所在乡镇", "所属乡镇",
                 "所在乡镇(街道)", "所属乡镇(街道)", "街道", "所在街道", "所属街道", "镇街",
                 "镇(街道)", "所在镇街", "township", "town"),
    "year": _YEAR_WORDS,
    "data_label": _PARCEL_ALIASES["data_label"],
    "land_area_m2": ("企业用地面积",) + _AREA_WORDS,
    "tax_wan": ("税收", "税收总额", "税收合计", "实缴税金", "实缴税收", "实缴税费", "实缴税额",
                "税费", "税金", "纳税", "纳税额", "纳税总额", "入库税金", "入库税收",
                "实际入库税收", "税收收入", "tax", "taxes", "tax_paid", ("tax_wan", "万元"),
                ("tax_yuan", "元")),
    "value_added_wan": ("工业增加值", "增加值", "value_added", "va", "gva",
                        ("value_added_wan", "万元")),
    "revenue_wan": ("营业收入", "主营业务收入", "营收", "销售收入", "销售额", "revenue",
                    "sales", "turnover", "operating_revenue", ("revenue_wan", "万元")),
    "energy_tce": ("综合能耗", "能耗", "总能耗", "综合能源消费量", "能源消费量", "能源消耗",
                   "energy", "energy_consumption", ("energy_tce", "吨标准煤")),
    "emission_t": ("排放", "排放当量", "排放量", "污染物排放当量", "主要污染物排放当量",
                   "排污当量", "emission", "emissions", ("emission_t", "吨")),
    "power_10k_kwh": ("用电量", "用电", "总用电量", "电量", "耗电量", "电耗", "electricity",
                      "power", "power_consumption", ("power_10k_kwh", "万千瓦时"),
                      ("power_kwh", "千瓦时"), ("electricity_kwh", "千瓦时")),
    "employees": ("从业人员", "从业人数", "从业人员数", "年末从业人员", "从业人员平均人数",
                  "职工人数", "员工人数", "员工数", "用工人数", "人数", "employees", "staff",
                  "headcount", "workers", "jobs"),
    "industry_code": ("行业代码", "国民经济行业代码", "国民经济行业分类代码", "行业分类代码",
                      "行业编码", "行业类别代码", "行业大类代码", "所属行业代码", "industry_code",
                      "isic", "gb4754", "gbt4754"),
    "tenure": ("用地方式", "土地使用方式", "用地形式", "厂房来源", "自有/租赁", "自有或租赁",
               "tenure", "land_tenure"),
    "landlord_code": ("出租方统一社会信用代码", "出租方信用代码", "出租方代码",
                      "出租人统一社会信用代码", "出租单位统一社会信用代码", "房东统一社会信用代码",
                      "landlord_code", "lessor_code"),
    "founded_year": ("成立年份", "成立年度", "成立时间", "成立日期", "设立年份", "设立时间",
                     "设立日期", "注册时间", "注册日期", "开业日期", "founded", "founded_year",
                     "established", "established_year"),
    "exempt_reason": ("免评原因", "免评理由", "免评情形", "不参评原因", "免予评价原因",
                      "exempt_reason", "exemption"),
    "rd_wan": ("研发经费", "研发投入", "研发费用", "研发经费支出", "r&d经费", "r&d投入",
               "r&d经费支出", "r&d费用", "r&d", "rd", "rd_expenditure", ("rd_wan", "万元")),
    GEOM_FIELD: _PARCEL_ALIASES[GEOM_FIELD],
}


_STATUS_WORDS = {
    "正常": ("正常", "正常生产", "生产", "在产", "正常经营", "经营", "投产", "已投产", "运营",
           "正常运营", "normal", "operating", "producing", "inproduction", "active"),
    "在建": ("在建", "建设中", "在建中", "施工", "施工中", "建设", "未竣工", "underconstruction",
           "construction"),
    "停产": ("停产", "全停", "全面停产", "停业", "关停", "停止生产", "stopped", "halted",
           "suspended", "closed", "shutdown"),
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


def _build_aliases(fields: Sequence[Field], extra: Mapping[str, tuple]
                   ) -> dict[str, tuple[str, str]]:
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


FIELDS = {kind: {f.name: f for f in fields}
          | {GEOM_FIELD: Field(GEOM_FIELD, GEOMETRY_FIELD_LABELS[kind], "geometry")}
          for kind, fields in (("parcel", PARCEL_FIELDS), ("enterprise", ENTERPRISE_FIELDS))}


STATUS_LOOKUP = {header_key(w): s for s, words in _STATUS_WORDS.items() for w in words}


SCALE_LOOKUP = {header_key(w): s for s, words in _SCALE_WORDS.items() for w in words}


_ALL_UNITS = sorted({u for table in UNIT_FACTORS.values() for u in table}, key=len, reverse=True)


_RAW_KEYS = {k for table in _ALIASES.values() for k in table}


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
        """Return the mapping of canonical ``field`` (None if no header maps to it)."""
        return next((c for c in self.columns if c.field == field), None)

    def missing_required(self) -> tuple[str, ...]:
        """Return the required fields no header maps to.

        An enterprise list without 统一社会信用代码 is keyed by 企业名称 when it has that column
        (see :attr:`keyed_by_name`), so the code is then not missing.
        """
        return tuple(f.name for f in FIELDS[self.kind].values()
                     if f.required and self.column_for(f.name) is None
                     and not (f.name == "credit_code" and self.keyed_by_name))

    @property
    def keyed_by_name(self) -> bool:
        """Whether enterprises are keyed by 企业名称 (no credit-code column, a name column)."""
        return (self.kind == "enterprise" and self.column_for("credit_code") is None
                and self.column_for("name") is not None)

    def to_frame(self) -> pd.DataFrame:
        """Return the preview table, one row per source header.

        Its columns are :data:`geo.labels.MAPPING_PREVIEW_COLUMNS` (表头, 字段, 字段名称 …).
        """
        fields = FIELDS[self.kind]
        rows = [{"source": c.source, "field": c.field, "label": fields[c.field].label,
                 "unit": c.unit, "factor": c.factor, "note": c.note} for c in self.columns]
        rows += [{"source": h, "field": "", "label": "", "unit": "", "factor": np.nan,
                  "note": why} for h, why in self.ignored]
        return pd.DataFrame(rows, columns=list(MAPPING_PREVIEW_COLUMNS)).rename(
            columns=MAPPING_PREVIEW_COLUMNS)


def looks_like_header(cell: str) -> bool:
    """Tell whether ``cell`` reads as a header of this domain.

    True for a known alias, a generic child header ("金额", "本年"), a rate ("增长率") or a
    unit ("万元", "(亩)"); the table reader uses it to recognise a second header row.

    Parameters
    ----------
    cell : str
        One cell's text.

    Returns
    -------
    bool
    """
    base, unit = split_header_unit(re.sub(r"#\d+$", "", header_key(cell)))
    return (base in _RAW_KEYS or base in _GENERIC_CHILD or bool(RATE_MARK.search(base))
            or any(unit_factor(u, d) is not None for u in (base, unit) if u for d in UNIT_FACTORS))


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
    if RATE_MARK.search(unit):
        return f"单位“{unit}”是比率，不是{field.label}"
    if any(unit_factor(unit, d) is not None for d in UNIT_FACTORS if d != dim):
        return f"单位“{unit}”不适用于{field.label}"
    return ColumnMap(source, field.name, canonical, 1.0, True,
                     f"括号内“{unit}”不是可识别的单位，按{canonical}计")


def _map_override(source: str, target: str, key: str, fields: Mapping[str, Field]
                  ) -> ColumnMap | str:
    """Map a header the caller named a field (and perhaps a unit) for ("" ignores the column).

    ``target`` is a field name, or ``field:unit`` ("land_area_m2:亩") to state the unit the
    header does not; a unit that does not fit the field is refused.
    """
    if not target:
        return "按指定不导入"
    name, _, unit = (part.strip() for part in target.partition(":"))
    if name not in fields:
        raise DataImportError(
            f"override maps {source!r} to unknown field {name!r}", field=source,
            fix=f"use one of {', '.join(fields)}",
            zh=(f"指定的对应关系把 {source!r} 对应到不存在的字段 {name!r}",
                f"请使用以下字段之一：{'、'.join(fields)}"))
    if not unit:
        return _column(source, fields[name], "", split_header_unit(key)[1])
    dim = DIMENSIONS.get(name)
    factor = None if dim is None else unit_factor(header_key(unit), dim)
    if factor is None:
        raise DataImportError(
            f"override gives {source!r} the unit {unit!r}, which does not fit {name}",
            field=source, fix="use a unit of the field's kind, e.g. 亩/平方米/公顷 for areas, "
                              "元/万元/亿元 for money",
            zh=(f"指定的对应关系给 {source!r} 的单位 {unit!r} 与字段 {name} 不相符",
                "请使用与字段类型相符的单位，如面积用 亩/平方米/公顷，金额用 元/万元/亿元"))
    return ColumnMap(source, name, unit, factor, note=f"按指定：单位为{unit}")


def _two_row_tries(parent: str, child: str) -> list[tuple[str, str]]:
    """Return the (base, unit) readings of a two-row header to try, best first."""
    (pb, pu), (cb, cu) = split_header_unit(parent), split_header_unit(child)
    tries = [(pb + cb, cu or pu), (cb, cu)]
    if cb in _GENERIC_CHILD or re.match(r"^(?:19|20)\d{2}年?度?$", cb):
        tries.append((pb, cu or pu))  # the child only names the amount or the year
    if any(unit_factor(cb, d) is not None for d in UNIT_FACTORS):
        tries.append((pb, cb))  # the child is the unit
    return tries


def _match_two_row(parent: str, child: str, aliases: Mapping[str, tuple[str, str]]
                   ) -> tuple[str, str, str] | None:
    """Return (field, implied unit, stated unit) of a two-row header, or None."""
    for base, unit in _two_row_tries(parent, child):
        hit = _match_base(base, unit, aliases)
        if hit:
            return hit
    return None


def _match_single(key: str, aliases: Mapping[str, tuple[str, str]]
                  ) -> tuple[str, str, str] | None:
    """Return (field, implied unit, stated unit) of a one-row header, or None.

    "规模/是否规上", "生产状态/状态" (alternatives of one field) match when every part names
    the same field.
    """
    base, unit = split_header_unit(key)
    hit = _match_base(base, unit, aliases)
    if hit is not None or "/" not in base:
        return hit
    hits = [_match_base(part, unit, aliases) for part in base.split("/") if part]
    first = hits[0] if hits else None
    if first is not None and all(h is not None and h[0] == first[0] for h in hits):
        return first
    return None


def _map_one(source: str, kind: str, overrides: Mapping[str, str]) -> ColumnMap | str:
    """Map one source header: a ColumnMap, or why it is not imported."""
    fields = FIELDS[kind]
    key = re.sub(r"#\d+$", "", header_key(source))
    if source in overrides:
        return _map_override(source, overrides[source], key, fields)
    parts = key.split(header_key(HEADER_SEPARATOR), 1)
    if len(parts) == 2:
        hit = _match_two_row(parts[0], parts[1], _ALIASES[kind])
    else:
        hit = _match_single(key, _ALIASES[kind])
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
    if kind not in FIELDS:
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
            ignored.append((source, f"与“{first.source}”同为{FIELDS[kind][hit.field].label}，"
                                    "只用第一列"))
            continue
        mapped.append(hit)
    return HeaderMapping(kind=kind, columns=tuple(mapped), ignored=tuple(ignored))
