"""Numbers and units as officials write them: "1,234.5", "１２３４．５", "12.5万元", "3亩", "—".

Canonical units follow :mod:`geo.landuse.model`: land in m² (1 亩 = 10000/15 m², 1 公顷 = 10000 m²),
money in 万元, energy in 吨标准煤, emissions in 吨, electricity in 万千瓦时, staff in persons.
A unit may be stated in the header ("用地面积(亩)") or in the cell ("3亩"); the cell wins.
Nothing here guesses: a text that is not a number gives a problem string, never 0.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import NamedTuple

from geo.crs import M2_PER_MU

__all__ = [
    "DIMENSIONS", "CANONICAL_UNITS", "UNIT_FACTORS", "MISSING_MARKERS", "ParsedNumber",
    "normalise_text", "header_key", "split_header_unit", "unit_factor", "is_missing",
    "parse_number", "to_canonical", "YEAR_MIN", "YEAR_MAX", "is_year", "parse_year",
    "parse_date_year",
]

#: Physical dimension of each convertible canonical field.
DIMENSIONS = {
    "land_area_m2": "area", "floor_area_m2": "area",
    "tax_wan": "money", "value_added_wan": "money", "revenue_wan": "money", "rd_wan": "money",
    "energy_tce": "energy", "emission_t": "mass", "power_10k_kwh": "power", "employees": "count",
}
#: The canonical unit of each dimension, as shown to officials.
CANONICAL_UNITS = {"area": "平方米", "money": "万元", "energy": "吨标准煤", "mass": "吨",
                   "power": "万千瓦时", "count": "人"}
#: Factor from each accepted unit (normalised: NFKC, lower case, no spaces) to the canonical unit.
UNIT_FACTORS: dict[str, dict[str, float]] = {
    "area": {"平方米": 1.0, "平米": 1.0, "m2": 1.0, "sqm": 1.0, "亩": M2_PER_MU, "mu": M2_PER_MU,
             "公顷": 10_000.0, "ha": 10_000.0, "hm2": 10_000.0, "hectare": 10_000.0,
             "hectares": 10_000.0, "平方公里": 1_000_000.0, "平方千米": 1_000_000.0,
             "km2": 1_000_000.0},
    "money": {"元": 1e-4, "yuan": 1e-4, "cny": 1e-4, "rmb": 1e-4, "千元": 0.1, "万元": 1.0,
              "万": 1.0, "wan": 1.0, "10kyuan": 1.0, "万元人民币": 1.0, "百万元": 100.0,
              "亿元": 10_000.0, "亿": 10_000.0},
    "energy": {"吨标准煤": 1.0, "吨标煤": 1.0, "tce": 1.0, "t标煤": 1.0, "t标准煤": 1.0,
               "吨": 1.0, "t": 1.0, "千克标准煤": 1e-3, "千克标煤": 1e-3, "kgce": 1e-3,
               "万吨标准煤": 10_000.0, "万吨标煤": 10_000.0},
    "mass": {"吨": 1.0, "t": 1.0, "千克": 1e-3, "公斤": 1e-3, "kg": 1e-3, "万吨": 10_000.0},
    "power": {"万千瓦时": 1.0, "万kwh": 1.0, "万度": 1.0, "千瓦时": 1e-4, "kwh": 1e-4, "度": 1e-4,
              "mwh": 0.1, "兆瓦时": 0.1, "gwh": 100.0, "亿千瓦时": 10_000.0},
    "count": {"人": 1.0, "名": 1.0, "persons": 1.0, "person": 1.0, "万人": 10_000.0},
}
_MULTIPLIERS = {"千": 1e3, "万": 1e4, "百万": 1e6, "亿": 1e8}
#: Cell texts that mean "no value" (compared after normalisation).
MISSING_MARKERS = frozenset({"", "-", "--", "---", "—", "——", "–", "/", "\\", "无", "暂无", "空",
                             "n/a", "na", "null", "none", "nan", "…", "...", "…………"})
_EXCEL_ERRORS = frozenset({"#n/a", "#div/0!", "#value!", "#ref!", "#name?", "#num!", "#null!"})
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")",
                           "{": "(", "}": ")", "<": "(", ">": ")"})
_NUMBER = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?(?:e[+-]?\d+)?)(.*)$")
_UNIT_IN_PARENS = re.compile(r"^(.*?)\(([^()]*)\)?$")
_SPACES = re.compile(r"\s+")
_HEADER_JUNK = re.compile(r"[\s_\-*:'\"“”‘’]+")
_DIGIT = re.compile(r"\d")
_DIGIT_START = re.compile(r"^[\d,.]")


class ParsedNumber(NamedTuple):
    """A cell read as a number: the value (None if missing or bad), its unit text, the problem."""

    value: float | None
    unit: str
    problem: str


def normalise_text(text: object) -> str:
    """NFKC (full-width → half-width, ㎡ → m2), spaces collapsed and stripped."""
    if text is None:
        return ""
    out = str(text)
    if not out.isascii():
        out = unicodedata.normalize("NFKC", out)
    return _SPACES.sub(" ", out).strip()


def header_key(text: object) -> str:
    """Return the comparable form of a header.

    NFKC, lower case, one kind of bracket, no spaces, ``_``, ``-``, ``*`` or ``:``.
    """
    out = normalise_text(text).lower().translate(_BRACKETS)
    out = _HEADER_JUNK.sub("", out)
    return out.replace("²", "2")


def split_header_unit(key: str) -> tuple[str, str]:
    """Split a :func:`header_key` into base and the unit in its last brackets.

    ``"用地面积(亩)"`` → ``("用地面积", "亩")``; ``"税收(单位万元/年)"`` → ``("税收", "万元")``; a
    closing bracket may be missing (Shapefile field names are cut at 10 bytes).
    """
    m = _UNIT_IN_PARENS.match(key)
    if not m or not m.group(1):
        return key, ""
    unit = m.group(2)
    unit = re.sub(r"^单位", "", unit)
    unit = re.sub(r"/(年|月|a)$", "", unit)
    return m.group(1), unit


def unit_factor(unit: str, dimension: str) -> float | None:
    """Factor from ``unit`` to the canonical unit of ``dimension`` (None if not a unit of it).

    Accepts the units of :data:`UNIT_FACTORS` and the same with a 千/万/百万/亿 prefix
    ("万平方米", "万吨").
    """
    table = UNIT_FACTORS.get(dimension, {})
    unit = header_key(unit)
    if unit in table:
        return table[unit]
    for prefix, mult in _MULTIPLIERS.items():
        if unit.startswith(prefix) and unit[len(prefix):] in table:
            return mult * table[unit[len(prefix):]]
    return None


def is_missing(text: object) -> bool:
    """Tell whether a cell is empty or one of the usual "no value" marks (—, -, /, 无, N/A …)."""
    return normalise_text(text).lower().replace(" ", "") in MISSING_MARKERS


def parse_number(text: object) -> ParsedNumber:
    """Read a cell as a number with an optional trailing unit.

    Handles thousands separators ("1,234.5"), full-width digits ("１２３４．５"), spaces, a
    trailing unit ("12.5万元", "3亩") and the missing marks of :data:`MISSING_MARKERS`.

    Returns
    -------
    ParsedNumber
        ``value`` None with ``problem`` "" for a missing value, None with a problem for a bad
        one ("1,23", "约3亩", "#DIV/0!", "1e999"); the unit text is normalised.
    """
    raw = normalise_text(text).replace(" ", "")
    low = raw.lower()
    if low in MISSING_MARKERS:
        return ParsedNumber(None, "", "")
    if low in _EXCEL_ERRORS:
        return ParsedNumber(None, "", f"Excel 公式错误值 {raw}")
    m = _NUMBER.match(low)
    if not m or not _DIGIT.search(m.group(1)) or _DIGIT_START.match(m.group(2)):
        return ParsedNumber(None, "", "不是数字")
    try:
        value = float(m.group(1).replace(",", ""))
    except ValueError:
        return ParsedNumber(None, "", "不是数字")
    if not math.isfinite(value):
        return ParsedNumber(None, "", "数值超出范围")
    return ParsedNumber(value, m.group(2), "")


def to_canonical(text: object, *, dimension: str | None, header_factor: float = 1.0
                 ) -> tuple[float | None, str]:
    """Parse a cell and convert it to the canonical unit of ``dimension``.

    Parameters
    ----------
    text : object
        The cell as read.
    dimension : str or None, keyword-only
        A key of :data:`UNIT_FACTORS`, or None for unitless fields (容积率, 经纬度, 年度).
    header_factor : float, keyword-only
        Factor of the unit stated in the header; used when the cell states none. A bare
        multiplier in the cell ("12万") scales the header's unit.

    Returns
    -------
    (float or None, str)
        The value (None if missing or bad) and the problem ("" if none).
    """
    parsed = parse_number(text)
    if parsed.value is None:
        return None, parsed.problem
    unit = parsed.unit
    if not unit:
        factor = header_factor
    elif dimension is None:
        return None, f"单位“{unit}”不适用于此字段"
    elif unit in _MULTIPLIERS and unit_factor(unit, dimension) is None:
        factor = _MULTIPLIERS[unit] * header_factor
    else:
        found = unit_factor(unit, dimension)
        if found is None:
            return None, f"单位“{unit}”不适用于此字段（应为{CANONICAL_UNITS[dimension]}等）"
        factor = found
    value = parsed.value * factor
    if not math.isfinite(value):
        return None, "数值超出范围"
    return value, ""


#: Earliest and latest year accepted in any year field (data year, register year, base year).
YEAR_MIN, YEAR_MAX = 1949, 2100


def is_year(value: int) -> bool:
    """Tell whether ``value`` is a plausible year (:data:`YEAR_MIN` to :data:`YEAR_MAX`)."""
    return YEAR_MIN <= value <= YEAR_MAX


def parse_year(text: object) -> tuple[int | None, str]:
    """Read a year cell ("2023", "2023年", "2023年度", "2023.0") as (year or None, problem).

    Empty cells give (None, ""); anything else that is not a four-digit year between
    :data:`YEAR_MIN` and :data:`YEAR_MAX` gives (None, a Chinese problem text).
    """
    t = normalise_text(text).replace(" ", "")
    if is_missing(t):
        return None, ""
    m = re.match(r"^(\d{4})(?:年度?|\.0+)?$", t)
    if not m or not is_year(int(m.group(1))):
        return None, f"年度无法识别（应为 {YEAR_MIN}–{YEAR_MAX} 之间如 2023 的四位年份）"
    return int(m.group(1)), ""


#: A date written as year-month(-day) in any of the usual ways, or by the table reader.
_DATE_FORMS = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?"
                         r"(?:\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def parse_date_year(text: object) -> tuple[int | None, str]:
    """Read the year of a date cell ("2019-05-01", "2019/5/1", "2019") as (year, problem).

    For fields where officials write a date but only the year is used (成立日期, 供地时间).
    Empty cells give (None, ""); a text that is neither a year nor a date with a valid month
    and day gives (None, a Chinese problem text) — a number such as 43466 (an Excel serial
    date stored as a number) is refused, never guessed.
    """
    t = normalise_text(text).strip()
    if is_missing(t):
        return None, ""
    year, problem = parse_year(t)
    if year is not None:
        return year, ""
    m = _DATE_FORMS.match(t)
    if m is None or not is_year(int(m.group(1))) or not (
            m.group(2) is None or 1 <= int(m.group(2)) <= 12) or not (
            m.group(3) is None or 1 <= int(m.group(3)) <= 31):
        return None, (f"日期或年份无法识别（应为如 2019 或 2019-05-01 的年份或日期，"
                      f"年份在 {YEAR_MIN}–{YEAR_MAX} 之间）")
    return int(m.group(1)), ""
