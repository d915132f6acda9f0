"""亩均论英雄 evaluation: scores and A/B/C/D classes from a scoring profile file.

A profile (TOML, see ``data/profiles/default.toml``) holds, per track (规上 / 规下), each
indicator's weight, benchmark (a number, or ``"mean"`` for the track's own ratio-of-sums figure)
and optional cap of value/benchmark; the class bands by rank; and the low-efficiency thresholds.

score = Σ_i weight_i × min(max(value_i, 0) / benchmark_i, cap_i); a missing value scores 0 for
that indicator and is listed in ``missing_indicators`` (a reported zero is a value, not missing).
Enterprises without land data, or without any usable indicator, cannot be evaluated and are left
unclassed with the reason stated — never scored as zero silently.

Classes go by rank within a track, by quota: class A takes the first round(0.20 n) places,
B up to round(0.80 n), C up to round(0.95 n), D the rest (ties share the better class). With
20 enterprises: 4 A, 12 B, 3 C, 1 D; with 100: 20/60/15/5; with 4: 1 A, 2 B, 1 C and no D —
a small track never has its last place forced into D.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.labels import SCHEME_TEXTS, TRACK_ENTRY_TEXTS
from geo.landuse.metrics import INDICATORS, ratio
from geo.landuse.model import SCALES
from geo.landuse.profile_toml import (
    CLASSES,
    class_bands,
    fault,
    is_number,
    read_profile_toml,
    toml_kind,
)
from geo.landuse.scheme import (
    MISSING_RULES,
    RANK_WITHIN,
    EvaluationRules,
    Exemptions,
    PolicyItem,
    TrackSpec,
    assign_tracks,
    exemption_reasons,
    landlord_grades,
    policy_text,
    rank_groups,
)

__all__ = ["IndicatorRule", "LowlandRules", "ScoringProfile", "DEFAULT_PROFILE", "load_profile",
           "evaluate", "class_quotas", "rank_classes", "LOWLAND_KEYS"]

DEFAULT_PROFILE = Path(__file__).resolve().parents[2] / "data" / "profiles" / "default.toml"


@dataclass(frozen=True)
class IndicatorRule:
    """Weight, benchmark (float or "mean") and optional cap of one indicator."""

    key: str
    weight: float
    benchmark: float | str
    cap: float | None = None
    #: Multiplies the benchmark used (1.0; the sensitivity view tries 0.9 and 1.1).
    bench_factor: float = 1.0


@dataclass(frozen=True)
class LowlandRules:
    """The ``[lowland]`` section of a scoring profile: when a parcel counts as low-efficiency.

    Attributes
    ----------
    tax_per_mu_below : float or None
        亩均税收 threshold in 万元/亩 (None: rule switched off).
    far_below : float or None
        容积率 threshold, applied to ``industrial_uses`` (all land when empty).
    idle_statuses : tuple of str
        Parcel statuses that make a parcel low-efficiency (闲置, 停产 …).
    flag_classes : tuple of str
        Enterprise classes (A–D) whose parcels are flagged.
    industrial_uses : tuple of str
        Land uses the 容积率 rule applies to.
    exempt_statuses : tuple of str
        Statuses judged by status only (在建).
    built_share_below : float or None
        Built-up share threshold (0–1) of the rule 建成比例低于阈值 (LOW_BUILT), applied only
        to parcels with a built-up share from a raster (:mod:`geo.raster.evidence`).
    """

    tax_per_mu_below: float | None = None
    far_below: float | None = None
    idle_statuses: tuple[str, ...] = ()
    flag_classes: tuple[str, ...] = ()
    industrial_uses: tuple[str, ...] = ()
    exempt_statuses: tuple[str, ...] = ()
    built_share_below: float | None = None


@dataclass(frozen=True)
class ScoringProfile:
    """A scoring profile (see module docstring)."""

    name: str
    source: str
    tracks: dict[str, tuple[IndicatorRule, ...]]
    class_bands: dict[str, float]
    lowland: LowlandRules
    path: str = ""
    #: Who each track holds (:class:`geo.landuse.scheme.TrackSpec`), in profile order.
    track_specs: dict[str, TrackSpec] = field(default_factory=dict)
    exemptions: Exemptions = Exemptions()
    rules: EvaluationRules = EvaluationRules()
    #: Class → the differentiated policies (差别化政策) that apply to it.
    policies: dict[str, tuple[PolicyItem, ...]] = field(default_factory=dict)

    def specs(self) -> tuple[TrackSpec, ...]:
        """Return the track specs in profile order (a plain 规上/规下 track holds that scale)."""
        return tuple(self.track_specs.get(name) or TrackSpec(name, scale=name)
                     for name in self.tracks)


def load_profile(path: str | Path | None = None) -> ScoringProfile:
    """Read and check a scoring profile.

    Parameters
    ----------
    path : path-like, optional
        A TOML profile; default ``data/profiles/default.toml``.

    Returns
    -------
    ScoringProfile

    Raises
    ------
    ProfileError
        Naming the file, the entry and the fix (unknown indicator, negative weight, bands not
        increasing to 1 …).
    """
    path = Path(path or DEFAULT_PROFILE)
    doc = read_profile_toml(path, what="评分方案", example="data/profiles/default.toml")
    file = str(path)
    bodies = {track: _table(body, f"tracks.{track}", file)
              for track, body in _table(doc.get("tracks"), "tracks", file).items()}
    specs = {track: _track_spec(body, track, file) for track, body in bodies.items()}
    tracks = {track: _track_rules(body, track, file, specs[track])
              for track, body in bodies.items()}
    if not tracks:
        raise fault(file, "tracks", "no tracks", 'add [tracks."规上".indicators.tax_per_mu]',
                    zh=("方案中没有任何评价序列",
                        '请增加 [tracks."规上".indicators.tax_per_mu] 小节'))
    meta = _table(doc.get("meta"), "meta", file)
    return ScoringProfile(name=str(meta.get("name", path.stem)),
                          source=str(meta.get("source", "")), tracks=tracks,
                          class_bands=class_bands(_table(doc.get("classes"), "classes", file),
                                                   file),
                          lowland=_check_lowland(_table(doc.get("lowland"), "lowland", file),
                                                 file), path=file, track_specs=specs,
                          exemptions=_exemptions(_table(doc.get("exemptions"), "exemptions",
                                                        file), file),
                          rules=_evaluation(_table(doc.get("evaluation"), "evaluation", file),
                                            file),
                          policies=_policies(_table(doc.get("policy"), "policy", file), file))


#: What a top-level table of a profile holds (TOML), for the fix of a message.
_TABLE_EXAMPLES = {"meta": 'name = "..."', "classes": "A = 0.20, B = 0.80, C = 0.95, D = 1.00",
                   "lowland": "tax_per_mu_below = 5.0"}


def _toml_header(parts: Sequence[str]) -> str:
    """Return a TOML table header for the dotted key ``parts``, quoting keys that need it."""
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else f'"{p}"' for p in parts)


def _table_example(where: str) -> str:
    """Return how the table ``where`` ("tracks.规上.indicators" …) is written, for a fix."""
    if where in _TABLE_EXAMPLES:
        return f"[{where}] 小节，其下写 {_TABLE_EXAMPLES[where]}"
    parts = where.split(".")
    track = parts[1] if len(parts) > 1 else SCALES[0]
    key = parts[3] if len(parts) > 3 else "tax_per_mu"
    return f'[{_toml_header(["tracks", track, "indicators", key])}] 小节，其下写 weight = 30'


def _table(value: object, where: str, file: str) -> Mapping[str, Any]:
    """Return a profile entry that must be a TOML table ({} when absent); refuse anything else.

    ``where`` is the entry's dotted name ("tracks", "tracks.规上.indicators" …).
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        problem = (f"应为表（[{_toml_header(where.split('.'))}] 小节），"
                   f"实际是{toml_kind(value)}（{value!r:.60}）")
        fix = f"改写为 {_table_example(where)}；格式参照 data/profiles/default.toml"
        raise fault(file, where, problem, fix, zh=(problem, fix))
    return value


def _track_spec(body: Mapping[str, Any], track: str, file: str) -> TrackSpec:
    """Who the track ``track`` holds (see :class:`geo.landuse.scheme.TrackSpec`)."""
    where = f"tracks.{track}"
    _unknown(body, tuple(TRACK_ENTRY_TEXTS), where, file)
    scale = body.get("scale", track if track in SCALES else None)
    tenant = body.get("tenant", False)
    if scale is None and not tenant:
        raise fault(file, where, "unknown track", f"use {' / '.join(SCALES)}",
                    zh=("未知的评价序列（名称不是规上/规下，也没有写 scale 或 tenant）",
                        f'请使用 {" / ".join(SCALES)}，或在该小节写 scale = "规下"'
                        "（可加 land_mu_min / land_mu_below）或 tenant = true"))
    for key, ok in (("scale", scale is None or scale in SCALES),
                    ("tenant", isinstance(tenant, bool)),
                    ("grade", body.get("grade", "own") in ("own", "landlord")),
                    *((k, body.get(k) is None or (is_number(body[k]) and body[k] >= 0))
                      for k in ("land_mu_min", "land_mu_below"))):
        if not ok:
            value = body.get(key, scale)
            raise fault(file, f"{where}.{key}", f"{value!r} is not allowed",
                        f"write {key} as {TRACK_ENTRY_TEXTS[key]}",
                        zh=(f"{key} = {value!r} 不可用", f"{key} 应为{TRACK_ENTRY_TEXTS[key]}"))
    grade = str(body.get("grade", "own"))
    if grade == "landlord" and not tenant:
        raise fault(file, f"{where}.grade", "only a tenant track takes the landlord's grade",
                    "add tenant = true or remove grade",
                    zh=("只有租赁企业序列可以取出租方等级", "请加 tenant = true，或删去 grade"))

    def mu(key: str) -> float | None:
        return None if body.get(key) is None else float(body[key])

    return TrackSpec(track, scale=scale, land_mu_min=mu("land_mu_min"),
                     land_mu_below=mu("land_mu_below"), tenant=bool(tenant), grade=grade)


def _track_rules(body: Mapping[str, Any], track: str, file: str, spec: TrackSpec
                 ) -> tuple[IndicatorRule, ...]:
    indicators = _table(body.get("indicators"), f"tracks.{track}.indicators", file)
    rules = tuple(_indicator_rule(key, _table(spec, f"tracks.{track}.indicators.{key}", file),
                                  f"tracks.{track}.indicators.{key}", file)
                  for key, spec in indicators.items())
    if not rules and spec.grade == "landlord":
        return ()
    if not rules:
        raise fault(file, f"tracks.{track}", "no indicators", "add at least one indicator",
                    zh=("没有任何指标", "请至少增加一项指标"))
    return rules


def _indicator_rule(key: str, spec: Mapping[str, Any], where: str, file: str) -> IndicatorRule:
    unknown = sorted(set(spec) - {"weight", "benchmark", "cap"})
    if unknown:
        raise fault(file, where, f"unknown entries {unknown}",
                    "use weight, benchmark and cap only (check the spelling)",
                    zh=(f"未知的条目 {unknown}", "只能使用 weight、benchmark 和 cap（请检查拼写）"))
    if key not in INDICATORS:
        raise fault(file, where, "unknown indicator", f"use one of {', '.join(INDICATORS)}",
                    zh=("未知的指标", f"请使用以下指标之一：{'、'.join(INDICATORS)}"))
    weight: Any = spec.get("weight")
    if not is_number(weight) or weight < 0:
        raise fault(file, where, f"weight {weight!r} is not a number ≥ 0",
                    "set weight = 30 (for example)",
                    zh=(f"权重 weight = {weight!r} 不是 ≥ 0 的数", "请写成如 weight = 30"))
    bench: Any = spec.get("benchmark", "mean")
    if not (bench == "mean" or (is_number(bench) and bench > 0)):
        raise fault(file, where, f"benchmark {bench!r} is not > 0 or \"mean\"",
                    "set benchmark = \"mean\" or a positive number in the indicator's unit",
                    zh=(f"基准值 benchmark = {bench!r} 既不是正数也不是 \"mean\"",
                        "请写 benchmark = \"mean\"，或按该指标的单位写一个正数"))
    cap: Any = spec.get("cap")
    if cap is not None and (not is_number(cap) or cap <= 0):
        raise fault(file, where, f"cap {cap!r} is not > 0", "remove it or set cap = 2.0",
                    zh=(f"封顶值 cap = {cap!r} 不是正数", "请删去该项，或写成如 cap = 2.0"))
    return IndicatorRule(key, float(weight), bench if bench == "mean" else float(bench),
                         None if cap is None else float(cap))


#: Entries of the ``[lowland]`` section: "number" (≥ 0, or absent to switch the rule off) or
#: "list" (a list of strings).
LOWLAND_KEYS = {"tax_per_mu_below": "number", "far_below": "number", "idle_statuses": "list",
                "flag_classes": "list", "industrial_uses": "list", "exempt_statuses": "list",
                "built_share_below": "number"}


def _check_lowland(section: Mapping[str, Any], path: str) -> LowlandRules:
    unknown = sorted(set(section) - set(LOWLAND_KEYS))
    if unknown:
        raise fault(path, "lowland", f"unknown entries {unknown}",
                    f"use {', '.join(LOWLAND_KEYS)} (check the spelling)",
                    zh=(f"未知的条目 {unknown}",
                        f"请使用 {'、'.join(LOWLAND_KEYS)}（请检查拼写）"))
    for key, value in section.items():
        where = f"lowland.{key}"
        if LOWLAND_KEYS[key] == "number":
            if not is_number(value) or value < 0:
                raise fault(path, where, f"{value!r} is not a number ≥ 0",
                            f"write {key} = 5.0 (for example), or delete the line to switch the "
                            "rule off",
                            zh=(f"{value!r} 不是 ≥ 0 的数",
                                f"请写成如 {key} = 5.0；删去该行即不使用这条规则"))
        elif not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise fault(path, where, f"{value!r} is not a list of texts",
                        f'write {key} = ["闲置", "停产"] (for example)',
                        zh=(f"{value!r} 不是文字列表", f'请写成如 {key} = ["闲置", "停产"]'))
    share = section.get("built_share_below")
    if share is not None and share > 1:
        raise fault(path, "lowland.built_share_below", f"{share!r} is over 1",
                    "write the built-up share as a fraction, e.g. built_share_below = 0.2 "
                    "for 20 %",
                    zh=(f"{share!r} 大于 1",
                        "建成比例请写成小数，如 20% 写作 built_share_below = 0.2"))
    bad = sorted(set(section.get("flag_classes") or []) - set(CLASSES))
    if bad:
        raise fault(path, "lowland.flag_classes", f"unknown classes {bad}",
                    f"use {'/'.join(CLASSES)}",
                    zh=(f"未知的类别 {bad}", f"请使用 {'/'.join(CLASSES)}"))
    def number(key: str) -> float | None:
        return None if section.get(key) is None else float(section[key])

    def texts(key: str) -> tuple[str, ...]:
        return tuple(section.get(key) or ())

    return LowlandRules(tax_per_mu_below=number("tax_per_mu_below"),
                        far_below=number("far_below"), idle_statuses=texts("idle_statuses"),
                        flag_classes=texts("flag_classes"),
                        industrial_uses=texts("industrial_uses"),
                        exempt_statuses=texts("exempt_statuses"),
                        built_share_below=number("built_share_below"))


def _unknown(section: Mapping[str, Any], allowed: Sequence[str], where: str, file: str) -> None:
    unknown = sorted(set(section) - set(allowed))
    if unknown:
        raise fault(file, where, f"unknown entries {unknown}",
                    f"use {', '.join(allowed)} (check the spelling)",
                    zh=(f"未知的条目 {unknown}", f"请使用 {'、'.join(allowed)}（请检查拼写）"))


def _whole_number(section: Mapping[str, Any], key: str, where: str, file: str) -> int | None:
    """Read an optional whole number ≥ 1 (years, a group size, days); None when absent."""
    value = section.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise fault(file, f"{where}.{key}", f"{value!r} is not a whole number ≥ 1",
                    f"write {key} = 2 (for example), or delete the line",
                    zh=(f"{value!r} 不是 ≥ 1 的整数", f"请写成如 {key} = 2；删去该行即不使用"))
    return value


def _exemptions(section: Mapping[str, Any], file: str) -> Exemptions:
    """Read the ``[exemptions]`` section (see :class:`geo.landuse.scheme.Exemptions`)."""
    keys = ("new_within_years", "construction_within_years", "reasons", "public_utilities")
    _unknown(section, keys, "exemptions", file)
    reasons = section.get("reasons", [])
    if not (isinstance(reasons, list) and all(isinstance(r, str) and r.strip() for r in reasons)):
        raise fault(file, "exemptions.reasons", f"{reasons!r} is not a list of texts",
                    'write reasons = ["政策性搬迁", "公用事业"] (for example)',
                    zh=(f"{reasons!r} 不是文字列表",
                        '请写成如 reasons = ["政策性搬迁", "公用事业"]'))
    utilities = section.get("public_utilities", False)
    if not isinstance(utilities, bool):
        raise fault(file, "exemptions.public_utilities", f"{utilities!r} is not true/false",
                    "write public_utilities = true or false",
                    zh=(f"{utilities!r} 不是 true/false", "请写 public_utilities = true 或 false"))
    return Exemptions(new_within_years=_whole_number(section, "new_within_years", "exemptions",
                                                    file),
                      construction_within_years=_whole_number(
                          section, "construction_within_years", "exemptions", file),
                      reasons=tuple(r.strip() for r in reasons), public_utilities=utilities)


def _evaluation(section: Mapping[str, Any], file: str) -> EvaluationRules:
    """Read the ``[evaluation]`` section (see :class:`geo.landuse.scheme.EvaluationRules`)."""
    _unknown(section, ("missing", "rank_within", "industry_level", "min_group_size",
                       "publicity_days"), "evaluation", file)
    choices = {"missing": MISSING_RULES, "rank_within": RANK_WITHIN,
               "industry_level": ("大类", "门类")}
    for key, allowed in choices.items():
        if key in section and section[key] not in allowed:
            raise fault(file, f"evaluation.{key}", f"{section[key]!r} is not one of {allowed}",
                        f"write {key} = \"{allowed[0]}\" (or {' / '.join(allowed[1:])})",
                        zh=(f"{section[key]!r} 不可用", f"请写 {'、'.join(allowed)} 之一"))
    size = _whole_number(section, "min_group_size", "evaluation", file)
    days = _whole_number(section, "publicity_days", "evaluation", file)
    base = EvaluationRules()
    return EvaluationRules(missing=section.get("missing", base.missing),
                           rank_within=section.get("rank_within", base.rank_within),
                           industry_level=section.get("industry_level", base.industry_level),
                           min_group_size=size or base.min_group_size,
                           publicity_days=days or base.publicity_days)


def _policies(section: Mapping[str, Any], file: str) -> dict[str, tuple[PolicyItem, ...]]:
    """Read the ``[[policy.A]]`` … items (``item``, ``text``; ``tariff``, ``unit``, ``source``)."""
    _unknown(section, CLASSES, "policy", file)
    out: dict[str, tuple[PolicyItem, ...]] = {}
    for cls, items in section.items():
        where = f"policy.{cls}"
        if not (isinstance(items, list) and all(isinstance(i, dict) for i in items)):
            raise fault(file, where, "is not a list of items",
                        f'write [[policy.{cls}]] item = "用电" text = "…" (one block per item)',
                        zh=("不是条目列表", f'请每项写一个 [[policy.{cls}]] 小节，其下写 '
                            'item = "用电"、text = "…"'))
        parsed = []
        for n, body in enumerate(items, start=1):
            _unknown(body, ("item", "text", "tariff", "unit", "source"), f"{where}[{n}]", file)
            item, text, tariff = body.get("item"), body.get("text"), body.get("tariff")
            if not (isinstance(item, str) and item.strip() and isinstance(text, str)
                    and text.strip()):
                raise fault(file, f"{where}[{n}]", "needs item and text",
                            'write item = "用电" and text = "执行差别化电价"',
                            zh=("缺少 item 或 text",
                                '请写 item = "用电" 与 text = "执行差别化电价"'))
            if tariff is not None and not is_number(tariff):
                raise fault(file, f"{where}[{n}].tariff", f"{tariff!r} is not a number",
                            "write tariff = 0.1 with unit = \"元/千瓦时\", or delete it",
                            zh=(f"{tariff!r} 不是数字",
                                '请写成如 tariff = 0.1 并写 unit = "元/千瓦时"，或删去'))
            if tariff is not None and not str(body.get("unit") or "").strip():
                raise fault(file, f"{where}[{n}].unit", "a tariff without its unit",
                            'add unit = "元/千瓦时" (a figure is never shown without its unit)',
                            zh=("有 tariff 但没有单位",
                                '请加 unit = "元/千瓦时" 等单位（数字不能没有单位）'))
            parsed.append(PolicyItem(item.strip(), text.strip(),
                                     None if tariff is None else float(tariff),
                                     str(body.get("unit") or "").strip(),
                                     str(body.get("source") or "").strip()))
        out[cls] = tuple(parsed)
    return out


def _benchmarks(group: pd.DataFrame, rules: tuple[IndicatorRule, ...]) -> dict[str, float]:
    out = {}
    for rule in rules:
        if rule.benchmark != "mean":
            out[rule.key] = float(rule.benchmark) * rule.bench_factor
            continue
        ind = INDICATORS[rule.key]
        if ind.numerator not in group or ind.denominator not in group:
            out[rule.key] = float("nan")  # no data for it: every value scores 0, listed
            continue
        num = pd.to_numeric(group[ind.numerator], errors="coerce")
        den = pd.to_numeric(group[ind.denominator], errors="coerce")
        both = num.notna() & den.notna() & (den > 0)
        value = ratio(pd.Series([num[both].sum()]), pd.Series([den[both].sum()]),
                      factor=ind.factor).iloc[0]
        out[rule.key] = float(value) * rule.bench_factor
    return out


def class_quotas(n: int, bands: dict[str, float]) -> dict[str, int]:
    """Cumulative places per class for ``n`` ranked enterprises (half rounds up)."""
    return {cls: n if cls == CLASSES[-1] else min(n, math.floor(bands[cls] * n + 0.5))
            for cls in CLASSES}


def rank_classes(scores: pd.Series, bands: dict[str, float]) -> pd.Series:
    """A–D of the scores by their places and the cumulative quotas (ties take the better)."""
    n = len(scores)
    if n == 0:
        return pd.Series(dtype=object)
    place = scores.rank(method="min", ascending=False) - 1  # 0-based; ties share the best
    quotas = class_quotas(n, bands)
    out = pd.Series(CLASSES[-1], index=scores.index, dtype=object)
    for cls in reversed(CLASSES[:-1]):
        out[place < quotas[cls]] = cls
    return out


def evaluate(enterprises: pd.DataFrame, profile: ScoringProfile, *,
             parcels: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score and class every enterprise by its track, as the profile's scheme says.

    Parameters
    ----------
    enterprises : DataFrame
        With ``scale``, ``land_mu`` and the indicator columns of
        :func:`geo.landuse.metrics.enterprise_metrics`; optional ``tenure``,
        ``landlord_code``, ``founded_year``, ``exempt_reason``, ``industry_group`` /
        ``industry_section`` (GB/T 4754) and ``year``.
    profile : ScoringProfile
    parcels : DataFrame, keyword-only
        With ``parcel_id`` and ``supply_year``, for the 建设期 exemption.

    Returns
    -------
    DataFrame
        ``enterprises`` plus ``track``; ``exemption`` (why 免评, "" when evaluated — never
        ranked); ``rank_group`` (track, or track｜industry group); one ``score_<indicator>``
        and ``benchmark_<indicator>`` per rule; ``score``; ``class`` (A–D, or missing);
        ``rank_in_group`` (1 = best, ties share the best) and ``group_size``; ``class_note``
        (why unclassed, or how the class was reached: landlord's grade, missing items);
        ``missing_indicators``; ``policies`` (差别化政策 of the class).

    Notes
    -----
    Order of the steps: track (first that fits), exemptions, land (no land → 未参评, except
    tenants taking their landlord's grade), then per ranking group: benchmarks over the
    group's rated enterprises, points, the missing-indicator rule, classes by quota; tenants
    of a ``grade = "landlord"`` track last.
    """
    out = enterprises.copy(deep=False)  # copy-on-write keeps the input as it was
    out["track"] = assign_tracks(out, profile.specs())
    year = out["year"] if "year" in out else pd.Series(np.nan, index=out.index)
    out["exemption"] = exemption_reasons(out, parcels, profile.exemptions, year=year)
    for col, default in (("score", np.nan), ("class", None), ("class_note", ""),
                         ("missing_indicators", ""), ("rank_in_group", np.nan),
                         ("group_size", np.nan)):
        # text columns as objects: written group by group, an Arrow column would be copied
        # whole at every write
        kind = object if isinstance(default, str | None) else float
        out[col] = pd.Series(np.full(len(out), default, dtype=kind), index=out.index, dtype=kind)
    no_track = out["track"].isna()
    out.loc[no_track, "class_note"] = SCHEME_TEXTS["no_track"]
    exempt = out["exemption"].ne("") & ~no_track
    out.loc[exempt, "class_note"] = out.loc[exempt, "exemption"]
    by_landlord = out["track"].isin([s.name for s in profile.specs() if s.grade == "landlord"])
    land = pd.to_numeric(out["land_mu"], errors="coerce") if "land_mu" in out \
        else pd.Series(np.nan, index=out.index)
    no_land = land.fillna(0) <= 0
    out.loc[~no_track & ~exempt & no_land & ~by_landlord, "class_note"] = SCHEME_TEXTS["no_land"]
    rated = ~no_track & ~exempt & ~no_land & ~by_landlord
    out["rank_group"] = rank_groups(out, profile.rules).where(~no_track & ~exempt, None)
    # the columns written group by group are held as arrays and written back once; score_*
    # and benchmark_* are new columns, added in the order of first use (as .loc would)
    work = {c: out[c].to_numpy(dtype=object if c in _TEXT_RESULTS else float, copy=True)
            for c in _RESULTS}
    fresh: dict[str, np.ndarray] = {  # a table scored before: its other rows kept
        c: pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float, copy=True)
        for c in out.columns if str(c).startswith(("score_", "benchmark_"))}
    subset = out.loc[rated, _scoring_columns(out, profile)]
    positions = np.flatnonzero(rated.to_numpy(dtype=bool))
    for at in subset.groupby("rank_group", sort=False).indices.values():
        group = subset.iloc[at]
        _score_group(Written(work, fresh, positions[at], len(out)), group,
                     profile.tracks[str(group["track"].iloc[0])], profile)
    for col in _RESULTS:
        out[col] = pd.Series(work[col], index=out.index,
                             dtype=object if col in _TEXT_RESULTS else float)
    for col, values in fresh.items():
        out[col] = values
    tenants = out.index[by_landlord & ~exempt]
    if len(tenants):
        grade, note = landlord_grades(out, tenants)
        out.loc[tenants, "class"] = grade
        out.loc[tenants, "class_note"] = note
    for col in ("class_note", "missing_indicators"):
        # few distinct texts, long ones: kept as shared objects, not copied into every row
        out[col] = out[col].where(out[col].notna(), None)
    out["policies"] = policy_text(out["class"], profile.policies)
    return out


def _scoring_columns(out: pd.DataFrame, profile: ScoringProfile) -> list[str]:
    """Return the columns :func:`_score_group` reads: group, track, indicators, their parts."""
    wanted = ["rank_group", "track"]
    for rules in profile.tracks.values():
        for rule in rules:
            ind = INDICATORS[rule.key]
            wanted += [rule.key, ind.numerator, ind.denominator]
    return [c for c in dict.fromkeys(wanted) if c in out.columns]


def _missing_texts(bits: np.ndarray, rules: tuple[IndicatorRule, ...], index: pd.Index
                   ) -> pd.Series:
    """Return the labels of the rules each row misses (bit i of ``bits``: rule i), by "；".

    Each distinct combination is written once; a group has few of them.
    """
    combos, which = np.unique(bits, return_inverse=True)
    labels = [INDICATORS[r.key].label for r in rules]
    texts = np.array(["；".join(lb for i, lb in enumerate(labels) if int(c) >> i & 1)
                      for c in combos.tolist()], dtype=object)
    return pd.Series(texts[which.reshape(-1)], index=index, dtype=object)


def _per_text(items: np.ndarray, note: Callable[[str], str]) -> np.ndarray:
    """``note(text)`` for each cell, made once per distinct text (one object each)."""
    if not len(items):
        return np.empty(0, dtype=object)
    codes, distinct = pd.factorize(items)
    return np.array([note(t) for t in distinct.tolist()], dtype=object)[codes]


#: The columns :func:`_score_group` writes, and those of them holding text (or None).
_RESULTS = ("score", "class", "class_note", "missing_indicators", "rank_in_group", "group_size")
_TEXT_RESULTS = frozenset({"class", "class_note", "missing_indicators"})


@dataclass
class Written:
    """Where one ranking group's results go: the rows of the whole table, by position.

    ``work`` holds the columns of :data:`_RESULTS` (whole length); ``fresh`` the new
    ``score_*`` / ``benchmark_*`` columns (whole length, NaN outside the groups scored);
    ``rows`` the group's positions in the table of ``n`` rows.
    """

    work: dict[str, np.ndarray]
    fresh: dict[str, np.ndarray]
    rows: np.ndarray
    n: int

    def put(self, col: str, value: pd.Series | float, where: np.ndarray | None = None) -> None:
        """Write ``value`` on the group's rows (``where``: a mask over them)."""
        target = self.work if col in self.work else self.fresh
        if col not in target:
            target[col] = np.full(self.n, np.nan)
        rows = self.rows if where is None else self.rows[where]
        target[col][rows] = value.to_numpy() if isinstance(value, pd.Series) else value


def _score_group(written: Written, group: pd.DataFrame, rules: tuple[IndicatorRule, ...],
                 profile: ScoringProfile) -> None:
    """Score one ranking group into ``written``: benchmarks, points, missing rule, classes."""
    put = written.put
    benches = _benchmarks(group, rules)
    total = pd.Series(0.0, index=group.index)
    missing = np.zeros(len(group), dtype=np.int64)  # bit i: rule i has no usable value
    any_value = pd.Series(False, index=group.index)
    any_missing = pd.Series(False, index=group.index)
    how = profile.rules.missing
    for i, rule in enumerate(rules):
        value = pd.to_numeric(group[rule.key], errors="coerce") if rule.key in group \
            else pd.Series(np.nan, index=group.index)
        bench = benches[rule.key]
        rel = value.clip(lower=0) / bench if bench > 0 and not math.isnan(bench) \
            else value * np.nan
        if rule.cap is not None:
            rel = rel.clip(upper=rule.cap)
        usable = rel.notna()
        part = (rel * rule.weight).astype(float)
        if how == "item_mean" and usable.any():
            part = part.fillna(float(part[usable].mean()))
        part = part.fillna(0.0)
        put(f"score_{rule.key}", part.to_numpy(dtype=float))
        put(f"benchmark_{rule.key}", bench)
        missing |= (~usable.to_numpy(dtype=bool)).astype(np.int64) << i
        any_value |= usable
        any_missing |= ~usable
        total += part
    listed = _missing_texts(missing, rules, group.index).to_numpy(dtype=object)
    put("missing_indicators", listed)
    ranked = (any_value & ~any_missing if how == "unrated" else any_value).to_numpy()
    put("class_note", SCHEME_TEXTS["no_value"], ~any_value.to_numpy())
    some = (any_value & any_missing).to_numpy()
    if how == "unrated":
        put("class_note", _per_text(
            listed[some], lambda items: SCHEME_TEXTS["unrated_missing"].format(items=items)),
            some)
    else:  # item_mean or zero: ranked, and the row says which items were filled in how
        put("class_note", _per_text(listed[some], lambda items: "缺" + items + SCHEME_TEXTS[how]),
            some)
    scores = total[ranked].round(4)
    put("score", scores.to_numpy(dtype=float), ranked)
    put("class", rank_classes(scores, profile.class_bands).to_numpy(dtype=object), ranked)
    put("rank_in_group", scores.rank(method="min", ascending=False).to_numpy(dtype=float),
        ranked)
    put("group_size", float(int(ranked.sum())), ranked)
