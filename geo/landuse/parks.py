"""亩均 evaluation of the parks and blocks themselves (分片 / 重点工业集聚区 / 区县).

《宁波打造全球智造创新之都行动方案》(seed 000, line 197, 改革5) extends the 亩均论英雄
evaluation from enterprises to 工业区块（园区）. A park profile (TOML, see
``data/profiles/parks.toml`` — a design each district adjusts, not an official scheme) gives
each park indicator a weight, a benchmark (a number, or ``"mean"`` = the ratio-of-sums figure
over all units evaluated at that level), a direction and an optional cap; and the class rule
(by rank with cumulative shares, or by minimum points).

Points of a unit with value v and benchmark b (``weight`` points at the benchmark):

* ``higher``: weight × min(max(v, 0) / b, cap);
* ``lower``:  weight × min(max(2 − v / b, 0), cap) — at b: weight, at 2b and beyond: 0,
  v = 0: 2 × weight (capped); a ``"mean"`` benchmark of 0 (no such land anywhere) scores
  v = 0 as min(2, cap) and v > 0 as 0 (the limit of the formula);
* growth (``tax_per_mu_growth``, in %, may be negative): weight × clip(1 ± (v − b) / |b|, 0, cap)
  (+ for ``higher``); for b = 0 the limit: cap beyond b in the good direction, 1 at b, 0 else.
  A growth rule must therefore have a cap.

A missing value scores 0 for that indicator and is listed in ``missing_indicators``; a unit
without any usable indicator is neither ranked nor classed, and ``park_note`` says why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.labels import PARK_INDICATOR_LABELS, PARK_TEXTS, SCHEME_TEXTS
from geo.landuse.metrics import AGG_LEVELS, ratio
from geo.landuse.model import is_sample_label
from geo.landuse.pipeline import Analysis
from geo.landuse.profile_toml import (
    CLASSES,
    class_bands,
    fault,
    is_number,
    read_profile_toml,
    toml_kind,
)
from geo.landuse.scoring import rank_classes
from geo.landuse.tables import level_table

__all__ = ["ParkRule", "ParkProfile", "PARK_PROFILE", "PARK_INDICATORS", "PARK_LEVELS",
           "GROWTH", "load_park_profile", "park_inputs", "evaluate_parks", "park_table",
           "park_unit", "UnitEfficiency", "unit_efficiency"]

PARK_PROFILE = Path(__file__).resolve().parents[2] / "data" / "profiles" / "parks.toml"
#: Park indicators and their natural direction (the default of ``direction``).
PARK_INDICATORS = {"tax_per_mu": "higher", "va_per_mu": "higher", "tax_per_mu_growth": "higher",
                   "d_class_land_share": "lower", "low_eff_land_share": "lower"}
#: The growth indicator (scored around its benchmark, may be negative).
GROWTH = "tax_per_mu_growth"
#: Levels whose units are evaluated as parks.
PARK_LEVELS = ("subzone", "zone", "district")
#: Class shares used when ``[classes]`` gives none (those of the enterprise profile).
DEFAULT_BANDS = {"A": 0.20, "B": 0.80, "C": 0.95, "D": 1.00}
_DIRECTIONS = ("higher", "lower")
_METHODS = ("rank", "score")
_RULE_ENTRIES = ("weight", "benchmark", "direction", "cap")
_EXAMPLE = "data/profiles/parks.toml"


@dataclass(frozen=True)
class ParkRule:
    """Weight, benchmark (float or ``"mean"``), direction and optional cap of one indicator."""

    key: str
    weight: float
    benchmark: float | str
    direction: str
    cap: float | None = None


@dataclass(frozen=True)
class ParkProfile:
    """A park profile (see the module docstring).

    Attributes
    ----------
    name, source : str
        From ``[meta]``.
    rules : tuple of ParkRule
        One per ``[indicators.<key>]``, in the file's order.
    class_method : {"rank", "score"}
    class_limits : dict
        ``rank``: cumulative shares of A–D (rising to 1); ``score``: minimum points of A, B, C.
    path : str
        The file read.
    """

    name: str
    source: str
    rules: tuple[ParkRule, ...]
    class_method: str
    class_limits: dict[str, float]
    path: str = ""


# ------------------------------------------------------------------------------- the profile


def load_park_profile(path: str | Path | None = None) -> ParkProfile:
    """Read and check a park profile.

    Parameters
    ----------
    path : path-like, optional
        A TOML park profile; default ``data/profiles/parks.toml``.

    Returns
    -------
    ParkProfile

    Raises
    ------
    ProfileError
        Naming the file, the entry (``indicators.tax_per_mu``, ``classes`` …) and the fix, in
        English and Chinese: unreadable or not TOML, unknown section, indicator or entry,
        weight not a number ≥ 0, bad benchmark, direction or cap, growth without a cap, no
        indicator, class limits not in order.
    """
    path = Path(path or PARK_PROFILE)
    file = str(path)
    doc = read_profile_toml(path, what="园区评价方案", example=_EXAMPLE)
    unknown = sorted(set(doc) - {"meta", "classes", "indicators"})
    if unknown:
        raise fault(file, unknown[0], f"unknown sections {unknown}",
                    "use [meta], [classes] and [indicators.<key>] only",
                    zh=(f"未知的小节 {unknown}",
                        "只能使用 [meta]、[classes] 和 [indicators.<指标>]"))
    meta = _section(doc.get("meta"), "meta", file)
    indicators = _section(doc.get("indicators"), "indicators", file)
    rules = tuple(_park_rule(key, _section(spec, f"indicators.{key}", file), file)
                  for key, spec in indicators.items())
    if not rules:
        raise fault(file, "indicators", "no indicators",
                    "add [indicators.tax_per_mu] with weight = 30",
                    zh=("方案中没有任何园区评价指标",
                        "请增加 [indicators.tax_per_mu] 小节，其下写 weight = 30"))
    method, limits = _class_rule(_section(doc.get("classes"), "classes", file), file)
    return ParkProfile(name=str(meta.get("name", path.stem)), source=str(meta.get("source", "")),
                       rules=rules, class_method=method, class_limits=limits, path=file)


def _section(value: object, where: str, file: str) -> Mapping[str, Any]:
    """Return a profile entry that must be a TOML table ({} when absent); refuse anything else."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problem = f"应为表（[{where}] 小节），实际是{toml_kind(value)}（{value!r:.60}）"
        fix = f"改写为 [{where}] 小节；格式参照 {_EXAMPLE}"
        raise fault(file, where, problem, fix, zh=(problem, fix))
    return value


def _park_rule(key: str, spec: Mapping[str, Any], file: str) -> ParkRule:
    """Check one ``[indicators.<key>]`` table and return its rule."""
    where = f"indicators.{key}"
    if key not in PARK_INDICATORS:
        raise fault(file, where, "unknown indicator", f"use one of {', '.join(PARK_INDICATORS)}",
                    zh=("未知的园区评价指标", f"请使用以下指标之一：{'、'.join(PARK_INDICATORS)}"))
    unknown = sorted(set(spec) - set(_RULE_ENTRIES))
    if unknown:
        raise fault(file, where, f"unknown entries {unknown}",
                    "use weight, benchmark, direction and cap only (check the spelling)",
                    zh=(f"未知的条目 {unknown}",
                        "只能使用 weight、benchmark、direction 和 cap（请检查拼写）"))
    weight: Any = spec.get("weight")
    if not is_number(weight) or weight < 0:
        raise fault(file, where, f"weight {weight!r} is not a number ≥ 0",
                    "set weight = 30 (for example)",
                    zh=(f"权重 weight = {weight!r} 不是 ≥ 0 的数", "请写成如 weight = 30"))
    direction: Any = spec.get("direction", PARK_INDICATORS[key])
    if direction not in _DIRECTIONS:
        raise fault(file, where, f"direction {direction!r} is not \"higher\" or \"lower\"",
                    'write direction = "higher" (more is better) or "lower" (less is better)',
                    zh=(f"方向 direction = {direction!r} 既不是 \"higher\" 也不是 \"lower\"",
                        '请写 direction = "higher"（越高越好）或 "lower"（越低越好）'))
    return ParkRule(key, float(weight), _benchmark_entry(key, spec, where, file), direction,
                    _cap_entry(key, spec, where, file))


def _benchmark_entry(key: str, spec: Mapping[str, Any], where: str, file: str) -> float | str:
    """Return the checked benchmark: "mean", a number > 0, or any number for the growth."""
    bench: Any = spec.get("benchmark", "mean")
    if bench == "mean":
        return "mean"
    if key == GROWTH and is_number(bench):
        return float(bench)
    if not (is_number(bench) and bench > 0):
        raise fault(file, where, f"benchmark {bench!r} is not > 0 or \"mean\"",
                    "set benchmark = \"mean\" or a positive number in the indicator's unit",
                    zh=(f"基准值 benchmark = {bench!r} 既不是正数也不是 \"mean\"",
                        "请写 benchmark = \"mean\"，或按该指标的单位写一个正数"))
    return float(bench)


def _cap_entry(key: str, spec: Mapping[str, Any], where: str, file: str) -> float | None:
    """Return the checked cap (> 0), required for the growth."""
    cap: Any = spec.get("cap")
    if cap is None and key == GROWTH:
        raise fault(file, where, "a growth needs a cap", "add cap = 2.0",
                    zh=("增速指标必须设封顶值 cap（增速可任意大，基准为 0 时公式无尺度）",
                        "请增加一行 cap = 2.0"))
    if cap is not None and (not is_number(cap) or cap <= 0):
        raise fault(file, where, f"cap {cap!r} is not > 0", "remove it or set cap = 2.0",
                    zh=(f"封顶值 cap = {cap!r} 不是正数", "请删去该项，或写成如 cap = 2.0"))
    return None if cap is None else float(cap)


def _class_rule(section: Mapping[str, Any], file: str) -> tuple[str, dict[str, float]]:
    """Return the class method and its limits (shares of A–D, or minimum points of A–C).

    Without ``[classes]`` (or with ``method = "rank"`` and no shares) the shares are
    :data:`DEFAULT_BANDS`.
    """
    method: Any = section.get("method", "rank")
    if method not in _METHODS:
        raise fault(file, "classes.method", f"method {method!r} is not \"rank\" or \"score\"",
                    'write method = "rank" (shares of the ranked units) or "score" (points)',
                    zh=(f"分类方法 method = {method!r} 既不是 \"rank\" 也不是 \"score\"",
                        '请写 method = "rank"（按名次比例）或 "score"（按得分线）'))
    unknown = sorted(set(section) - {"method", *CLASSES})
    if unknown:
        raise fault(file, "classes", f"unknown entries {unknown}", "use method and A, B, C, D",
                    zh=(f"未知的条目 {unknown}", "只能使用 method 和 A、B、C、D"))
    if method == "rank":
        given = any(c in section for c in CLASSES)
        return "rank", class_bands(section, file) if given else dict(DEFAULT_BANDS)
    return "score", _score_limits(section, file)


def _score_limits(section: Mapping[str, Any], file: str) -> dict[str, float]:
    """Check the minimum points of A, B and C (decreasing, ≥ 0); D is the rest."""
    values: list[Any] = [section.get(c) for c in CLASSES[:-1]]
    numbers = [float(v) for v in values if is_number(v)]
    if (len(numbers) != 3 or any(b >= a for a, b in zip(numbers, numbers[1:], strict=False))
            or numbers[-1] < 0):
        raise fault(file, "classes", f"minimum points {values} must fall from A to C",
                    "write e.g. A = 100, B = 80, C = 60 (below C is D)",
                    zh=(f"各类最低得分 {values} 应由 A 到 C 逐级递减且不小于 0",
                        "请写成如 A = 100, B = 80, C = 60（低于 C 的为 D 类）"))
    d: Any = section.get(CLASSES[-1])
    if d is not None and not (is_number(d) and d == 0):
        raise fault(file, "classes.D", f"D = {d!r} in a score method",
                    "delete D (every unit below C is D) or write D = 0",
                    zh=(f"按得分分类时 D = {d!r} 无意义",
                        "请删去 D（低于 C 的单元均为 D 类），或写 D = 0"))
    return dict(zip(CLASSES[:-1], numbers, strict=True))


# -------------------------------------------------------------------------------- the inputs


def _units(series: pd.Series) -> pd.Series:
    """Return unit ids as text (missing stays missing), so they match the level table's."""
    values = series.astype(object)
    return values.where(values.isna(), values.map(str))


def _sums(enterprises: pd.DataFrame, col: str) -> pd.DataFrame:
    """Return per unit Σ numerator and Σ denominator of the park indicators built on enterprises.

    ``tax_per_mu``/``va_per_mu`` over the enterprises reporting the figure and land > 0 (as
    :func:`geo.landuse.metrics.aggregate`); ``d_class_land_share`` over classed enterprises
    with land > 0. A unit without such enterprises has NaN, not 0.
    """
    ent = enterprises.assign(city="宁波市")
    unit = _units(ent[col]) if col in ent else pd.Series(None, index=ent.index, dtype=object)
    land = pd.to_numeric(ent.get("land_mu", pd.Series(np.nan, index=ent.index)),
                         errors="coerce")
    cls = ent.get("class", pd.Series(None, index=ent.index, dtype=object))
    out = {}
    for key, field in (("tax_per_mu", "tax_wan"), ("va_per_mu", "value_added_wan")):
        num = pd.to_numeric(ent.get(field, pd.Series(np.nan, index=ent.index)), errors="coerce")
        both = num.notna() & (land > 0) & unit.notna()
        out[f"{key}_num"] = num[both].groupby(unit[both]).sum()
        out[f"{key}_den"] = land[both].groupby(unit[both]).sum()
    classed = cls.isin(list(CLASSES)) & (land > 0) & unit.notna()
    out["d_class_land_share_num"] = land[classed].where(cls[classed] == CLASSES[-1], 0.0
                                                        ).groupby(unit[classed]).sum()
    out["d_class_land_share_den"] = land[classed].groupby(unit[classed]).sum()
    return pd.DataFrame(out)


def _figures(analysis: Analysis, catalog: Mapping[str, gpd.GeoDataFrame], level: str,
             table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the park indicators with their sums, per unit of ``level``.

    ``table`` is the level table of ``analysis`` when the caller has it already.
    """
    if table is None:
        table = level_table(analysis, catalog, level=level)
    table = pd.DataFrame(table).set_index("unit")
    sums = _sums(analysis.enterprises, AGG_LEVELS[level]).reindex(table.index)
    out = pd.DataFrame({"unit_name": table["unit_name"]}, index=table.index)
    for key in ("tax_per_mu", "va_per_mu"):
        out[key] = pd.to_numeric(table[key], errors="coerce")
        out[f"{key}_num"] = sums[f"{key}_num"].where(out[key].notna())
        out[f"{key}_den"] = sums[f"{key}_den"].where(out[key].notna())
    d = "d_class_land_share"
    out[d] = ratio(sums[f"{d}_num"], sums[f"{d}_den"])
    out[f"{d}_num"] = sums[f"{d}_num"].where(out[d].notna())
    out[f"{d}_den"] = sums[f"{d}_den"].where(out[d].notna())
    low = "low_eff_land_share"
    out[low] = ratio(table["low_eff_land_mu"], table["parcel_land_mu"])
    out[f"{low}_num"] = pd.to_numeric(table["low_eff_land_mu"]).where(out[low].notna())
    out[f"{low}_den"] = pd.to_numeric(table["parcel_land_mu"]).where(out[low].notna())
    out["enterprise_count"] = table["enterprise_count"].fillna(0).astype(int)
    out["parcel_land_mu"] = pd.to_numeric(table["parcel_land_mu"], errors="coerce")
    out["low_eff_land_mu"] = pd.to_numeric(table["low_eff_land_mu"], errors="coerce")
    return out


def park_inputs(analysis: Analysis, catalog: Mapping[str, gpd.GeoDataFrame], *, level: str,
                previous: Analysis | None = None) -> pd.DataFrame:
    """Return the park indicators of every unit of ``level`` (and last year's 亩均税收).

    Parameters
    ----------
    analysis : Analysis
        From :func:`geo.landuse.pipeline.analyse` (enterprises classed, parcels flagged).
    catalog : mapping
        From :func:`geo.zones.catalog.load_catalog` (the units and their names).
    level : {"subzone", "zone", "district"}, keyword-only
    previous : Analysis, keyword-only, optional
        The previous year's analysis; without it ``tax_per_mu_growth`` is NaN for every unit.
        It is used only when its year is ``analysis.year − 1``: for another year, or when
        either year is unknown, the growth (and last year's figures) stay NaN and
        ``growth_note`` says why.

    Returns
    -------
    DataFrame
        One row per unit of the level (units without data included, with NaN figures):
        ``unit``, ``unit_name``, ``tax_per_mu``, ``va_per_mu`` (as in
        :func:`geo.landuse.tables.level_table`), ``tax_per_mu_growth`` (%, NaN where last
        year's 亩均税收 is missing or ≤ 0), ``d_class_land_share`` (Σ用地 of D-class
        enterprises / Σ用地 of classed enterprises), ``low_eff_land_share`` (低效用地面积 /
        宗地面积), as fractions 0–1; ``<key>_num`` and ``<key>_den`` of each (the sums the
        ``"mean"`` benchmarks add up), ``tax_per_mu_prev`` with its ``_num``/``_den``,
        ``enterprise_count``, ``parcel_land_mu``, ``low_eff_land_mu``, ``data_year``,
        ``previous_year`` (the year of ``previous`` as given) and ``growth_note`` ("" or why
        ``previous`` gave no growth; :func:`evaluate_parks` adds it to ``park_note``).

    Raises
    ------
    ValueError
        For a level other than :data:`PARK_LEVELS`, naming the fix.
    """
    return _inputs(analysis, catalog, level, previous, None)


def _growth_note(analysis: Analysis, previous: Analysis | None) -> str:
    """Say why ``previous`` cannot give the growth ("" when it is the year before, or absent).

    The growth compares with the year before: data of another year (or of an unknown year)
    would give a figure that looks like a 1-year growth and is not, so it stays missing.
    """
    if previous is None:
        return ""
    if analysis.year is None or previous.year is None:
        return SCHEME_TEXTS["park_growth_no_year"]
    if int(previous.year) != int(analysis.year) - 1:
        return SCHEME_TEXTS["park_growth_years"].format(previous=int(previous.year),
                                                        expected=int(analysis.year) - 1)
    return ""


def _inputs(analysis: Analysis, catalog: Mapping[str, gpd.GeoDataFrame], level: str,
            previous: Analysis | None, table: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`park_inputs`, reusing the level table ``table`` of ``analysis`` when given."""
    if level not in PARK_LEVELS:
        raise ValueError(f"unknown park level {level!r}. Fix: use one of {', '.join(PARK_LEVELS)}")
    out = _figures(analysis, catalog, level, table)
    note = _growth_note(analysis, previous)
    prev = _figures(previous, catalog, level).reindex(out.index) \
        if previous is not None and not note \
        else pd.DataFrame(np.nan, index=out.index, columns=["tax_per_mu", "tax_per_mu_num",
                                                             "tax_per_mu_den"])
    out["tax_per_mu_prev"] = prev["tax_per_mu"]
    out["tax_per_mu_prev_num"] = prev["tax_per_mu_num"]
    out["tax_per_mu_prev_den"] = prev["tax_per_mu_den"]
    out[GROWTH] = 100.0 * (ratio(out["tax_per_mu"], out["tax_per_mu_prev"]) - 1.0)
    out["data_year"] = analysis.year
    out["previous_year"] = previous.year if previous is not None else None
    out["growth_note"] = note
    out = out.reset_index()
    front = ["unit", "unit_name", *PARK_INDICATORS]
    return out[front + [c for c in out.columns if c not in front]]


# ---------------------------------------------------------------------------- the evaluation


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` of ``frame`` as floats (all NaN when absent)."""
    if name not in frame:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[name], errors="coerce").astype(float)


def _needed(frame: pd.DataFrame, names: list[str], key: str) -> None:
    """Refuse a ``"mean"`` benchmark whose sums are not in ``frame``."""
    absent = [n for n in names if n not in frame]
    if absent:
        raise ValueError(f"benchmark \"mean\" of {key} needs the columns {absent}. Fix: build "
                         "the inputs with geo.landuse.parks.park_inputs, or give a number")


def _sum_ratio(num: pd.Series, den: pd.Series, ok: pd.Series) -> float:
    """Σ num / Σ den over ``ok`` rows (NaN when none or Σ den ≤ 0)."""
    ok = ok & num.notna() & den.notna() & (den > 0)
    total = float(den[ok].sum())
    return float(num[ok].sum()) / total if ok.any() and total > 0 else math.nan


def _benchmark(frame: pd.DataFrame, rule: ParkRule) -> float:
    """Return the benchmark of ``rule``: its number, or the ratio of sums over the units.

    For the growth: 100 × (ratio of sums this year / ratio of sums last year − 1) over the
    units with a growth value.
    """
    if rule.benchmark != "mean":
        return float(rule.benchmark)
    if rule.key != GROWTH:
        names = [f"{rule.key}_num", f"{rule.key}_den"]
        _needed(frame, names, rule.key)
        return _sum_ratio(_column(frame, names[0]), _column(frame, names[1]),
                          _column(frame, rule.key).notna())
    names = ["tax_per_mu_num", "tax_per_mu_den", "tax_per_mu_prev_num", "tax_per_mu_prev_den"]
    _needed(frame, names, rule.key)
    c = {n: _column(frame, n) for n in names}
    ok = _column(frame, GROWTH).notna() & (c["tax_per_mu_prev_den"] > 0) & (
        c["tax_per_mu_den"] > 0)
    now = _sum_ratio(c["tax_per_mu_num"], c["tax_per_mu_den"], ok)
    before = _sum_ratio(c["tax_per_mu_prev_num"], c["tax_per_mu_prev_den"], ok)
    return 100.0 * (now / before - 1.0) if before > 0 else math.nan


def _relative(value: pd.Series, bench: float, rule: ParkRule) -> pd.Series:
    """Return the points per weight of each unit (NaN: value or benchmark unusable)."""
    nan = pd.Series(np.nan, index=value.index, dtype=float)
    if math.isnan(bench):
        return nan
    if rule.key == GROWTH:
        sign = 1.0 if rule.direction == "higher" else -1.0
        ahead = sign * (value - bench)
        rel = 1.0 + ahead / abs(bench) if bench != 0 else pd.Series(
            np.where(ahead > 0, np.inf, np.where(ahead == 0, 1.0, 0.0)), index=value.index)
        rel = rel.clip(lower=0.0)
    elif rule.direction == "higher":
        rel = value.clip(lower=0.0) / bench if bench > 0 else nan
    elif bench > 0:
        rel = (2.0 - value / bench).clip(lower=0.0)
    else:  # a "mean" of 0: nobody has any; the limit of the formula
        rel = pd.Series(np.where(value <= 0, 2.0, 0.0), index=value.index) if bench == 0 else nan
    if rule.cap is not None:
        rel = rel.clip(upper=rule.cap)
    return rel.where(value.notna()).astype(float)


def _park_classes(scores: pd.Series, profile: ParkProfile) -> pd.Series:
    """Return A–D of the scored units, by rank quotas or by minimum points."""
    if profile.class_method == "rank":
        return rank_classes(scores, profile.class_limits)
    out = pd.Series(CLASSES[-1], index=scores.index, dtype=object)
    for cls in reversed(CLASSES[:-1]):
        out[scores >= profile.class_limits[cls] - 1e-9] = cls
    return out


def evaluate_parks(inputs: pd.DataFrame, profile: ParkProfile) -> pd.DataFrame:
    """Score, rank and class every unit (park) of ``inputs``.

    Parameters
    ----------
    inputs : DataFrame
        From :func:`park_inputs` (or any frame with ``unit`` and the indicator columns; a
        ``"mean"`` benchmark also needs ``<key>_num``/``<key>_den``, the growth's
        ``tax_per_mu_num``/``_den`` and ``tax_per_mu_prev_num``/``_den``). An absent
        indicator column counts as missing for every unit.
    profile : ParkProfile
        From :func:`load_park_profile`.

    Returns
    -------
    DataFrame
        ``inputs`` (same rows and order) plus ``points_<key>`` and ``benchmark_<key>`` per
        rule, ``park_score`` (rounded to 4 decimals), ``park_class`` (A–D, or None),
        ``park_rank`` (1 … n among the scored units, ties share the best; missing when
        unscored), ``park_note`` (why unclassed, which indicators scored 0, and the
        ``growth_note`` of the inputs when there is one) and ``missing_indicators`` (labels of
        the indicators scored 0 for want of a value, "、"-separated).

    Raises
    ------
    ValueError
        When a ``"mean"`` benchmark's sums are not in ``inputs`` (naming the columns).
    """
    frame = inputs.reset_index(drop=True)  # positions: any index (even repeated) is kept
    out = frame.copy()
    total = pd.Series(0.0, index=out.index)
    usable_any = pd.Series(False, index=out.index)
    missing: list[list[str]] = [[] for _ in range(len(out))]
    for rule in profile.rules:
        bench = _benchmark(frame, rule)
        rel = _relative(_column(frame, rule.key), bench, rule)
        usable = rel.notna()
        part = (rel.where(usable, 0.0) * rule.weight).astype(float)
        out[f"points_{rule.key}"] = part
        out[f"benchmark_{rule.key}"] = bench
        for i in np.flatnonzero(~usable.to_numpy()):
            missing[i].append(PARK_INDICATOR_LABELS[rule.key])
        usable_any |= usable
        total += part
    scored = usable_any.to_numpy()
    score = total.round(4).where(usable_any)
    out["park_score"] = score
    classes = _park_classes(score[scored], profile)
    out["park_class"] = pd.Series([classes.get(i) for i in out.index], index=out.index,
                                  dtype=object)  # None (not NaN) for the unclassed
    out["park_rank"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out.loc[scored, "park_rank"] = score[scored].rank(method="min", ascending=False
                                                      ).astype("int64")
    sep = PARK_TEXTS["separator"]
    out["missing_indicators"] = [sep.join(m) for m in missing]
    notes = [PARK_TEXTS["unclassed"] if not ok else
             PARK_TEXTS["scored_zero"].format(indicators=sep.join(m)) if m else ""
             for ok, m in zip(scored, missing, strict=True)]
    growth = (frame["growth_note"].fillna("").astype(str) if "growth_note" in frame
              else pd.Series("", index=frame.index))
    out["park_note"] = [SCHEME_TEXTS["park_note_separator"].join(t for t in (n, g) if t)
                        for n, g in zip(notes, growth, strict=True)]
    return out.set_axis(inputs.index)


# --------------------------------------------------------------------- views for the screen

#: Columns of the level table carried into :func:`park_table` beside the evaluation.
_CARRIED = ("geometry_quality", "class_A_count", "class_B_count", "class_C_count",
            "class_D_count", "low_eff_parcel_count", "data_nature", "profile")


def park_table(analysis: Analysis, catalog: Mapping[str, gpd.GeoDataFrame], *, level: str,
               profile: ParkProfile | None = None, previous: Analysis | None = None
               ) -> gpd.GeoDataFrame:
    """Return :func:`evaluate_parks` of every unit of ``level`` with its geometry and counts.

    Parameters
    ----------
    analysis, catalog, level, previous
        As :func:`park_inputs`.
    profile : ParkProfile, keyword-only, optional
        Default: the bundled park profile.

    Returns
    -------
    GeoDataFrame
        The columns of :func:`evaluate_parks` plus ``geometry_quality``,
        ``class_A_count`` … ``class_D_count`` (enterprises by class), ``low_eff_parcel_count``,
        ``data_nature`` (the data label), ``profile`` (the enterprise profile's name),
        ``park_profile`` (the park profile's name), ``peer_count`` (units ranked at this
        level) and the units' geometry. Units without any usable indicator keep
        ``park_class`` None and say why in ``park_note``.
    """
    profile = profile or load_park_profile()
    table = level_table(analysis, catalog, level=level)
    out = evaluate_parks(_inputs(analysis, catalog, level, previous, table), profile)
    extra = pd.DataFrame(table).set_index("unit")[list(_CARRIED)]
    out = out.join(extra, on="unit")
    out["park_profile"] = profile.name
    out["peer_count"] = int(out["park_score"].notna().sum())
    geometry = table.set_index("unit").geometry.reindex(out["unit"]).to_numpy()
    return gpd.GeoDataFrame(out, geometry=geometry, crs=table.crs)


def park_unit(catalog: Mapping[str, gpd.GeoDataFrame], level: str, entity_id: str) -> str:
    """Return the unit of :func:`park_table` of a catalogue entry (a district's: its name)."""
    if level != "district":
        return str(entity_id)
    layer = catalog["district"]
    names = layer.loc[layer["id"].astype(str) == str(entity_id), "name"]
    return str(names.iloc[0]) if len(names) else str(entity_id)


@dataclass(frozen=True)
class UnitEfficiency:
    """The 亩均 figures of one unit, as its profile shows them.

    ``has_data`` is False when no enterprise lies in the unit: then the 亩均 figures are NaN
    and are not shown as numbers. ``park_class``/``park_rank`` are None when unclassed, with
    ``park_note`` saying why; ``peers`` is the number of units ranked at the level.
    """

    unit: str
    unit_name: str
    has_data: bool
    enterprise_count: int
    tax_per_mu: float
    va_per_mu: float
    class_counts: dict[str, int]
    low_eff_land_mu: float
    parcel_land_mu: float
    low_eff_land_share: float
    park_class: str | None
    park_rank: int | None
    park_score: float
    peers: int
    park_note: str
    data_label: str
    year: int | None
    is_sample: bool
    park_profile: str


def _float(value: object) -> float:
    """Return a cell as a float (NaN when missing or not a number)."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number) if pd.notna(number) else math.nan


def _count(value: object) -> int:
    """Return a count cell as an int (0 when missing)."""
    number = _float(value)
    return int(number) if math.isfinite(number) else 0


def unit_efficiency(table: pd.DataFrame, unit: str) -> UnitEfficiency | None:
    """Return the figures of ``unit`` in a :func:`park_table` (None when not a unit there)."""
    rows = table[table["unit"].astype(str) == str(unit)]
    if rows.empty:
        return None
    r = rows.iloc[0]
    count = _count(r.get("enterprise_count"))
    rank = r.get("park_rank")
    year = r.get("data_year")
    label = str(r.get("data_nature", ""))
    return UnitEfficiency(
        unit=str(r["unit"]), unit_name=str(r.get("unit_name", r["unit"])),
        has_data=count > 0, enterprise_count=count,
        tax_per_mu=_float(r.get("tax_per_mu")), va_per_mu=_float(r.get("va_per_mu")),
        class_counts={c: _count(r.get(f"class_{c}_count")) for c in CLASSES},
        low_eff_land_mu=_float(r.get("low_eff_land_mu")),
        parcel_land_mu=_float(r.get("parcel_land_mu")),
        low_eff_land_share=_float(r.get("low_eff_land_share")),
        park_class=None if pd.isna(r.get("park_class")) else str(r["park_class"]),
        park_rank=None if pd.isna(rank) else int(rank),
        park_score=_float(r.get("park_score")), peers=_count(r.get("peer_count")),
        park_note=str(r.get("park_note") or ""), data_label=label,
        year=None if year is None or pd.isna(year) else int(year),
        is_sample=is_sample_label(label), park_profile=str(r.get("park_profile", "")))
