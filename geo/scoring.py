"""亩均论英雄 evaluation: scores and A/B/C/D classes from a scoring profile file.

A profile (TOML, see ``data/profiles/default.toml``) holds, per track (规上 / 规下), each
indicator's weight, benchmark (a number, or ``"mean"`` for the track's own ratio-of-sums figure)
and optional cap of value/benchmark; the class bands by rank; and the low-efficiency thresholds.

score = Σ_i weight_i × min(value_i / benchmark_i, cap_i); a missing or non-positive value scores 0
for that indicator and is listed in ``missing_indicators``. Enterprises without land data cannot be
evaluated per 亩 and are left unclassed with the reason stated — never scored as zero silently.
Classes go by rank within a track (ties share the better class): with the default bands and
20 enterprises, ranks 1-4 are A, 5-16 B, 17-19 C and 20 D.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._errors import CatalogValidationError
from .landmodel import SCALES
from .metrics import INDICATORS, ratio

__all__ = ["IndicatorRule", "Profile", "DEFAULT_PROFILE", "load_profile", "evaluate"]

DEFAULT_PROFILE = Path(__file__).resolve().parent.parent / "data" / "profiles" / "default.toml"
CLASSES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class IndicatorRule:
    """Weight, benchmark (float or "mean") and optional cap of one indicator."""

    key: str
    weight: float
    benchmark: float | str
    cap: float | None = None


@dataclass(frozen=True)
class Profile:
    """A scoring profile (see module docstring)."""

    name: str
    source: str
    tracks: dict[str, tuple[IndicatorRule, ...]]
    class_bands: dict[str, float]
    lowland: dict[str, object]
    path: str = ""


def _fail(path: str, where: str, problem: str, fix: str) -> CatalogValidationError:
    return CatalogValidationError(problem, file=path, field=where, fix=fix)


def load_profile(path: str | Path | None = None) -> Profile:
    """Read and check a scoring profile.

    Parameters
    ----------
    path : path-like, optional
        A TOML profile; default ``data/profiles/default.toml``.

    Returns
    -------
    Profile

    Raises
    ------
    CatalogValidationError
        Naming the file, the entry and the fix (unknown indicator, negative weight, bands not
        increasing to 1 …).
    """
    path = Path(path or DEFAULT_PROFILE)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise _fail(str(path), "(file)", f"not valid TOML: {err}",
                    "fix the syntax; compare with data/profiles/default.toml") from err
    except OSError as err:
        raise _fail(str(path), "(file)", f"cannot read: {err.strerror}",
                    "give the path of an existing profile file") from err
    tracks: dict[str, tuple[IndicatorRule, ...]] = {}
    for track, body in (doc.get("tracks") or {}).items():
        if track not in SCALES:
            raise _fail(str(path), f"tracks.{track}", "unknown track",
                        f"use {' / '.join(SCALES)}")
        rules = []
        for key, spec in (body.get("indicators") or {}).items():
            where = f"tracks.{track}.indicators.{key}"
            if key not in INDICATORS:
                raise _fail(str(path), where, "unknown indicator",
                            f"use one of {', '.join(INDICATORS)}")
            weight = spec.get("weight")
            if not isinstance(weight, int | float) or weight < 0:
                raise _fail(str(path), where, f"weight {weight!r} is not a number ≥ 0",
                            "set weight = 30 (for example)")
            bench = spec.get("benchmark", "mean")
            if not (bench == "mean" or (isinstance(bench, int | float) and bench > 0)):
                raise _fail(str(path), where, f"benchmark {bench!r} is not > 0 or \"mean\"",
                            "set benchmark = \"mean\" or a positive number in the indicator's unit")
            cap = spec.get("cap")
            if cap is not None and (not isinstance(cap, int | float) or cap <= 0):
                raise _fail(str(path), where, f"cap {cap!r} is not > 0", "remove it or set cap = 2.0")
            rules.append(IndicatorRule(key, float(weight), bench if bench == "mean"
                                       else float(bench), None if cap is None else float(cap)))
        if not rules:
            raise _fail(str(path), f"tracks.{track}", "no indicators", "add at least one indicator")
        tracks[track] = tuple(rules)
    if not tracks:
        raise _fail(str(path), "tracks", "no tracks", 'add [tracks."规上".indicators.tax_per_mu]')
    bands = doc.get("classes") or {}
    values = [bands.get(c) for c in CLASSES]
    if (any(not isinstance(v, int | float) for v in values)
            or any(b <= a for a, b in zip(values, values[1:], strict=False))
            or not math.isclose(values[-1], 1.0) or values[0] <= 0):
        raise _fail(str(path), "classes", f"bands {values} must rise to D = 1.0",
                    "write cumulative shares, e.g. A = 0.20, B = 0.80, C = 0.95, D = 1.00")
    meta = doc.get("meta") or {}
    return Profile(name=str(meta.get("name", path.stem)), source=str(meta.get("source", "")),
                   tracks=tracks, class_bands={c: float(v) for c, v in zip(CLASSES, values,
                                                                          strict=True)},
                   lowland=dict(doc.get("lowland") or {}), path=str(path))


def _benchmarks(group: pd.DataFrame, rules: tuple[IndicatorRule, ...]) -> dict[str, float]:
    out = {}
    for rule in rules:
        if rule.benchmark != "mean":
            out[rule.key] = float(rule.benchmark)
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
        out[rule.key] = float(value)
    return out


def _classes(scores: pd.Series, bands: dict[str, float]) -> pd.Series:
    n = len(scores)
    if n == 0:
        return pd.Series(dtype=object)
    share = scores.rank(method="min", ascending=False) / n
    out = pd.Series("D", index=scores.index, dtype=object)
    for cls in reversed(CLASSES[:-1]):
        out[share <= bands[cls] + 1e-12] = cls
    return out


def evaluate(enterprises: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """Score and class every enterprise by its track.

    Parameters
    ----------
    enterprises : DataFrame
        With ``scale`` and the indicator columns of :func:`geo.metrics.enterprise_metrics`.
    profile : Profile

    Returns
    -------
    DataFrame
        ``enterprises`` plus ``track``, one ``score_<indicator>`` per rule, ``score``,
        ``class`` (A-D, or missing), ``class_note`` (why unclassed), ``missing_indicators``,
        ``benchmark_<indicator>`` (the benchmark used).
    """
    out = enterprises.copy()
    out["track"] = out["scale"].where(out["scale"].isin(list(profile.tracks)), None)
    out["score"] = np.nan
    out["class"] = None
    out["class_note"] = ""
    out["missing_indicators"] = ""
    no_track = out["track"].isna()
    out.loc[no_track, "class_note"] = "规模未知或方案无此类别，未参评"
    no_land = pd.to_numeric(out.get("land_mu"), errors="coerce").fillna(0) <= 0
    out.loc[~no_track & no_land, "class_note"] = "无用地数据，未参评"
    for track, rules in profile.tracks.items():
        mask = (out["track"] == track) & ~no_land
        group = out.loc[mask]
        benches = _benchmarks(group, rules)
        total = pd.Series(0.0, index=group.index)
        missing = pd.Series("", index=group.index, dtype=object)
        for rule in rules:
            value = pd.to_numeric(group[rule.key], errors="coerce") if rule.key in group \
                else pd.Series(np.nan, index=group.index)
            bench = benches[rule.key]
            rel = value / bench if bench > 0 and not math.isnan(bench) else value * np.nan
            if rule.cap is not None:
                rel = rel.clip(upper=rule.cap)
            usable = rel.notna() & (value > 0)
            part = (rel.where(usable, 0.0) * rule.weight).astype(float)
            out.loc[group.index, f"score_{rule.key}"] = part
            out.loc[group.index, f"benchmark_{rule.key}"] = bench
            label = INDICATORS[rule.key].label
            missing[~usable] = missing[~usable] + label + "；"
            total += part
        out.loc[group.index, "score"] = total.round(4)
        out.loc[group.index, "missing_indicators"] = missing.str.rstrip("；")
        out.loc[group.index, "class"] = _classes(total.round(4), profile.class_bands)
    return out
