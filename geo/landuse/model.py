"""The land-efficiency data model: parcels (宗地) and enterprises, their fields, units, headers.

Canonical internal units: land in m² (shown in 亩, 1 亩 = 10000/15 m²), money in 万元, energy in
吨标准煤, emissions in 吨 (排放当量), electricity in 万千瓦时, staff in persons. Importers map the
many headers officials use onto these fields (:mod:`geo.landuse.headers`) and convert the units
stated in the header or the cell. Each field's own header (that of the input and sample files)
comes from :data:`geo.labels.PARCEL_FIELD_HEADERS` / :data:`geo.labels.ENTERPRISE_FIELD_HEADERS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geo.labels import ENTERPRISE_FIELD_HEADERS, PARCEL_FIELD_HEADERS

__all__ = [
    "Field", "PARCEL_FIELDS", "ENTERPRISE_FIELDS", "PARCEL_STATUSES", "SCALES",
    "CLEARANCE_STATUSES", "CLEARED_STATUSES", "SAMPLE_LABEL", "is_sample_label",
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
        Chinese header of the input and sample files (from :data:`geo.labels.PARCEL_FIELD_HEADERS`
        or :data:`geo.labels.ENTERPRISE_FIELD_HEADERS`).
    kind : {"id", "text", "number", "int", "year", "date_year", "status", "scale"}
        ``date_year`` is the year of a date or a year (成立日期 2019-05-01 → 2019).
    unit : str
        Canonical unit ("" for none); ``"m2"`` and ``"wan"`` fields accept unit conversion.
    required : bool
    """

    name: str
    label: str
    kind: str
    unit: str = ""
    required: bool = False


def _parcel(name: str, kind: str, unit: str = "", *, required: bool = False) -> Field:
    return Field(name, PARCEL_FIELD_HEADERS[name], kind, unit, required)


def _enterprise(name: str, kind: str, unit: str = "", *, required: bool = False) -> Field:
    return Field(name, ENTERPRISE_FIELD_HEADERS[name], kind, unit, required)


PARCEL_FIELDS = (
    _parcel("parcel_id", "id", required=True),
    _parcel("land_area_m2", "number", "m2"),
    _parcel("land_use", "text"),
    _parcel("floor_area_m2", "number", "m2"),
    _parcel("far", "number"),
    _parcel("status", "status"),
    _parcel("year", "year"),
    _parcel("holder", "text"),
    _parcel("supply_year", "date_year"),
    _parcel("data_label", "text"),
)
ENTERPRISE_FIELDS = (
    _enterprise("credit_code", "id", required=True),
    _enterprise("name", "text"),
    _enterprise("parcel_id", "id"),
    _enterprise("lon", "number"),
    _enterprise("lat", "number"),
    _enterprise("scale", "scale"),
    _enterprise("industry", "text"),
    _enterprise("township", "text"),
    _enterprise("year", "year"),
    _enterprise("land_area_m2", "number", "m2"),
    _enterprise("tax_wan", "number", "wan"),
    _enterprise("value_added_wan", "number", "wan"),
    _enterprise("revenue_wan", "number", "wan"),
    _enterprise("energy_tce", "number"),
    _enterprise("emission_t", "number"),
    _enterprise("power_10k_kwh", "number"),
    _enterprise("employees", "int"),
    _enterprise("rd_wan", "number", "wan"),
    _enterprise("industry_code", "text"),
    _enterprise("tenure", "text"),
    _enterprise("landlord_code", "text"),
    _enterprise("founded_year", "date_year"),
    _enterprise("exempt_reason", "text"),
    _enterprise("data_label", "text"),
)


def is_sample_label(label: object) -> bool:
    """Whether a 数据性质 text marks synthetic 示例数据 (the one test every module uses)."""
    return isinstance(label, str) and "示例" in label


def split_ids(value: object) -> list[str]:
    """Parcel ids of a cell that may list several ("A;B", "A、B", "A，B")."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    for sep in ("；", ";", "、", "，", ","):
        text = text.replace(sep, ";")
    return [p.strip() for p in text.split(";") if p.strip()]
