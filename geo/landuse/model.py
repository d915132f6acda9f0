"""The land-efficiency data model: parcels (宗地) and enterprises, their fields, units, headers.

Canonical internal units: land in m² (shown in 亩, 1 亩 = 10000/15 m²), money in 万元, energy in
吨标准煤, emissions in 吨 (排放当量), electricity in 万千瓦时, staff in persons. Importers map the
many headers officials use onto these fields (:data:`PARCEL_HEADERS`, :data:`ENTERPRISE_HEADERS`)
and convert the units stated in the header or the cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "Field", "PARCEL_FIELDS", "ENTERPRISE_FIELDS", "PARCEL_STATUSES", "SCALES",
    "CLEARANCE_STATUSES", "CLEARED_STATUSES", "SAMPLE_LABEL", "field_label", "is_sample_label",
    "split_ids",
]

#: Every view, export and metadata sheet built on synthetic data carries this label.
SAMPLE_LABEL = "示例数据（合成，非真实企业/宗地数据）"

#: Production status of a parcel as recorded by land or industry departments.
PARCEL_STATUSES = ("正常", "在建", "停产", "半停产", "闲置", "空置")
#: Scale of an enterprise: 规上 (规模以上, ≥ 2000 万元 revenue) or 规下.
SCALES = ("规上", "规下")
#: Steps of the clearance register (低效用地整治台账).
CLEARANCE_STATUSES = ("待整治", "整治中", "已盘活", "已腾退", "已收储")
#: Statuses that count towards the 盘活腾退 target.
CLEARED_STATUSES = ("已盘活", "已腾退", "已收储")


@dataclass(frozen=True)
class Field:
    """One canonical field.

    Attributes
    ----------
    name : str
        Internal snake_case name.
    label : str
        Chinese label used in tables and exports.
    kind : {"id", "text", "number", "int", "year", "status", "scale"}
    unit : str
        Canonical unit ("" for none); ``"m2"`` and ``"wan"`` fields accept unit conversion.
    required : bool
    """

    name: str
    label: str
    kind: str
    unit: str = ""
    required: bool = False


PARCEL_FIELDS = (
    Field("parcel_id", "宗地编号", "id", required=True),
    Field("land_area_m2", "用地面积（平方米）", "number", "m2"),
    Field("land_use", "用地性质", "text"),
    Field("floor_area_m2", "建筑面积（平方米）", "number", "m2"),
    Field("far", "容积率", "number"),
    Field("status", "生产状态", "status"),
    Field("year", "年度", "year"),
    Field("data_label", "数据性质", "text"),
)
ENTERPRISE_FIELDS = (
    Field("credit_code", "统一社会信用代码", "id", required=True),
    Field("name", "企业名称", "text"),
    Field("parcel_id", "宗地编号", "id"),
    Field("lon", "经度", "number"),
    Field("lat", "纬度", "number"),
    Field("scale", "规模", "scale"),
    Field("industry", "行业", "text"),
    Field("year", "年度", "year"),
    Field("land_area_m2", "企业用地面积（平方米）", "number", "m2"),
    Field("tax_wan", "税收（万元）", "number", "wan"),
    Field("value_added_wan", "工业增加值（万元）", "number", "wan"),
    Field("revenue_wan", "营业收入（万元）", "number", "wan"),
    Field("energy_tce", "综合能耗（吨标准煤）", "number"),
    Field("emission_t", "排放当量（吨）", "number"),
    Field("power_10k_kwh", "用电量（万千瓦时）", "number"),
    Field("employees", "从业人员（人）", "int"),
    Field("rd_wan", "研发经费（万元）", "number", "wan"),
    Field("data_label", "数据性质", "text"),
)

_LABELS = {f.name: f.label for f in PARCEL_FIELDS + ENTERPRISE_FIELDS}


def is_sample_label(label: object) -> bool:
    """Whether a 数据性质 text marks synthetic 示例数据 (the one test every module uses)."""
    return isinstance(label, str) and "示例" in label


def field_label(name: str) -> str:
    """Chinese label of a canonical field (the name itself when unknown)."""
    return _LABELS.get(name, name)

def split_ids(value: object) -> list[str]:
    """Parcel ids of a cell that may list several ("A;B", "A、B", "A，B")."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    for sep in ("；", ";", "、", "，", ","):
        text = text.replace(sep, ";")
    return [p.strip() for p in text.split(";") if p.strip()]
