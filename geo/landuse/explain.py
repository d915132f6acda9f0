"""Why an enterprise has its class: its points, the band edges, sensitivity and rule conflicts.

:func:`geo.landuse.scoring.evaluate` gives each enterprise a score and a class by rank quota
within its ranking group. This module says, in figures an official can check by hand,

* :func:`explain_enterprise` — the points of each indicator (value / benchmark, capped, times the
  weight), the scores at the band edges above and below, and how far one indicator alone would
  have to rise for the enterprise to reach the next better class (or why it cannot);
* :func:`sensitivity` — which classes change when one weight or one benchmark moves by ±10 %
  (an enterprise whose class never changes is 稳健, otherwise 敏感);
* :func:`class_flag_conflicts` — A/B enterprises on parcels flagged low-efficiency, with a note
  naming the rule behind each: the class is a relative rank, the flag an absolute threshold.

Every Chinese text and header comes from :mod:`geo.labels` (``EXPLAIN_*``, ``SENSITIVITY_*``,
``CONFLICT_*``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from geo.display_format import DECIMALS
from geo.labels import (
    CONFLICT_TEXTS,
    EXPLAIN_COLUMNS,
    EXPLAIN_TEXTS,
    SENSITIVITY_COLUMNS,
    SENSITIVITY_TEXTS,
    labelled,
)
from geo.landuse.lowland import percent_text
from geo.landuse.metrics import INDICATORS
from geo.landuse.model import split_ids
from geo.landuse.scoring import CLASSES, IndicatorRule, ScoringProfile, evaluate

__all__ = ["Explanation", "Sensitivity", "explain_enterprise", "sensitivity",
           "class_flag_conflicts", "with_indicator_value", "EVALUATE_OUTPUTS"]

#: Columns :func:`geo.landuse.scoring.evaluate` adds (besides ``score_<k>`` / ``benchmark_<k>``).
EVALUATE_OUTPUTS = ("track", "exemption", "rank_group", "score", "class", "rank_in_group",
                    "group_size", "class_note", "missing_indicators", "policies")
#: Columns of :attr:`Explanation.points`, in order (headers: :data:`geo.labels.EXPLAIN_COLUMNS`).
POINT_COLUMNS = tuple(EXPLAIN_COLUMNS)
_EVALUATED = ("track", "rank_group", "score", "class", "class_note")
#: Slack when comparing a needed value/benchmark ratio with the cap (float noise, not points).
_EPS = 1e-9
#: Joins names and items in a Chinese list ("企业1、企业2"); ``_THEN`` joins two clauses.
_SEP, _THEN = "、", "；"


@dataclass(frozen=True, eq=False)
class Explanation:
    """Why one enterprise has its class.

    Attributes
    ----------
    index : hashable
        The enterprise's label in the evaluated frame.
    name : str
        ``name`` (or ``credit_code``, or the index) of the enterprise.
    track, rank_group : str or None
    cls : str or None
        A–D, or None when unclassed.
    score : float or None
        None when not rated by score (免评, 未参评, a tenant taking its landlord's grade).
    rank_in_group, group_size : int or None
    rated : bool
        The class rests on the enterprise's own score.
    note : str
        ``class_note`` of :func:`~geo.landuse.scoring.evaluate` (why unclassed, how reached).
    class_above, edge_above, gap_above : str, float, float or None
        The nearest better class held in the group, its lowest score, and the points missing
        to it (None for class A, or when no better class is held).
    class_below, edge_below, gap_below : str, float, float or None
        The nearest worse class held, its highest score, and the lead over it.
    points : DataFrame
        One row per indicator of the track, columns :data:`POINT_COLUMNS` (English keys);
        empty when not rated. ``needed_value`` is the least value (rounded up) this indicator
        alone would need for the class to move up (NaN with the reason in ``needed_note``).
    summary : tuple of str
        The explanation in Chinese, one sentence a line.
    """

    index: Hashable
    name: str
    track: str | None
    rank_group: str | None
    cls: str | None
    score: float | None
    rank_in_group: int | None
    group_size: int | None
    rated: bool
    note: str
    class_above: str | None = None
    edge_above: float | None = None
    gap_above: float | None = None
    class_below: str | None = None
    edge_below: float | None = None
    gap_below: float | None = None
    points: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=POINT_COLUMNS))
    summary: tuple[str, ...] = ()

    def table(self) -> pd.DataFrame:
        """Return :attr:`points` under the Chinese headers of :data:`EXPLAIN_COLUMNS`."""
        return labelled(self.points, POINT_COLUMNS, extra=EXPLAIN_COLUMNS)


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """Which classes move when one weight or one benchmark moves (see :func:`sensitivity`).

    Attributes
    ----------
    step : float
        The relative change tried (0.10: ×1.1 and ×0.9).
    variants : DataFrame
        One row per variant: ``track``, ``indicator``, ``label``, ``changed`` (权重 / 基准值),
        ``direction`` ("+10 %" / "−10 %"), ``factor``, ``n_changed`` and ``names`` (、-joined)
        of the enterprises whose class changed, and ``members`` (their index labels, a tuple).
    enterprises : DataFrame
        Indexed like the input, one row per enterprise classed in the baseline or in some
        variant: ``name``, ``track``, ``class`` (baseline), ``n_variants`` (variants in which
        its class changed), ``classes_reached`` (、-joined, baseline included), ``robust``
        (bool) and ``verdict`` (稳健 / 敏感).
    baseline : DataFrame
        The evaluation with the profile as given.
    evaluations : int
        How many times :func:`~geo.landuse.scoring.evaluate` ran (baseline included).
    """

    step: float
    variants: pd.DataFrame
    enterprises: pd.DataFrame
    baseline: pd.DataFrame
    evaluations: int

    def variants_table(self) -> pd.DataFrame:
        """Return :attr:`variants` under Chinese headers (``factor``, ``members`` left out)."""
        cols = ["track", "label", "changed", "direction", "n_changed", "names"]
        return labelled(self.variants, cols, extra=SENSITIVITY_COLUMNS)

    def enterprises_table(self) -> pd.DataFrame:
        """Return :attr:`enterprises` under Chinese headers."""
        cols = ["name", "track", "class", "n_variants", "classes_reached", "verdict"]
        return labelled(self.enterprises, cols, extra=SENSITIVITY_COLUMNS)


def _need_columns(frame: pd.DataFrame, columns: Iterable[str], what: str, fix: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {missing}. Fix: {fix}")


def _name_of(frame: pd.DataFrame) -> pd.Series:
    """Each row's name: ``name``, else ``credit_code``, else its index label."""
    out = pd.Series(frame.index.astype(str), index=frame.index, dtype=object)
    for col in ("credit_code", "name"):
        if col in frame:
            text = frame[col].astype(object)
            ok = text.notna() & text.astype(str).str.strip().ne("")
            out[ok] = text[ok].astype(str)
    return out


def _float(value: object) -> float:
    """``value`` as a float (NaN when missing or not a number)."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number) if pd.notna(number) else math.nan


def _opt_float(value: object) -> float | None:
    number = _float(value)
    return None if math.isnan(number) else number


def _class_order(cls: object) -> int | None:
    return CLASSES.index(cls) if isinstance(cls, str) and cls in CLASSES else None


def explain_enterprise(evaluated: pd.DataFrame, profile: ScoringProfile,
                       index: Hashable) -> Explanation:
    """Explain the class of one enterprise of an evaluated frame.

    Parameters
    ----------
    evaluated : DataFrame
        The output of :func:`geo.landuse.scoring.evaluate` with ``profile`` (its ``track``,
        ``rank_group``, ``score``, ``class``, ``class_note``, ``score_<k>``, ``benchmark_<k>``
        and the indicator columns).
    profile : ScoringProfile
        The profile the frame was evaluated with (weights and caps are read from it).
    index : hashable
        The enterprise's label in ``evaluated.index``.

    Returns
    -------
    Explanation
        For an enterprise rated by score: one row per indicator of its track with value,
        benchmark, weight, cap, points (``score_<k>``), the indicator's maximum points
        (weight × cap; NaN without a cap), and ``needed_value`` / ``increase``: what this
        indicator alone would have to reach for the score to equal the lowest score of the
        nearest better class in the same ranking group — reaching it gives that class (ties
        share the better class). ``needed_value`` is rounded up at display precision (2
        decimals, at least 4 significant digits), so reaching the figure shown moves the class
        up. With a fixed benchmark it is solved in closed form; with a "mean" benchmark the
        enterprise's ranking group is re-evaluated (:func:`with_indicator_value`: the value
        and its numerator rise, so the mean rises with them) and the smallest value moving the
        class up is found by bisection (1e-6 relative), up to where the enterprise's own value
        reaches the cap. When even the cap would not get there, or the weight is 0, or there is
        no benchmark, ``needed_value`` is NaN and ``needed_note`` says why. When the
        enterprise's value is missing (scored by the missing-indicator rule) ``increase`` is
        NaN and the note says it must be reported first. Other enterprises and the
        enterprise's other indicator values are held as they are. Class A has no
        band above, and says so. For an enterprise not rated by score (免评, 未参评, a tenant
        taking its landlord's grade) the points table is empty and the summary gives the
        reason (``class_note``): no points are computed as if it had been rated.

    Raises
    ------
    KeyError
        ``index`` is not a label of ``evaluated`` (the message names it).
    ValueError
        ``evaluated`` is not an evaluated frame (pass the output of ``evaluate``), its index
        holds ``index`` more than once (reset the index), or the enterprise's track is not a
        track of ``profile`` (pass the profile the frame was evaluated with).
    """
    _need_columns(evaluated, _EVALUATED, "the evaluated frame",
                  "pass the output of geo.landuse.scoring.evaluate")
    if index not in evaluated.index:
        raise KeyError(f"no enterprise {index!r} in the evaluated frame. Fix: pass a label of "
                       "its index (e.g. one of evaluated.index[:5])")
    rows = evaluated.loc[[index]]
    if len(rows) != 1:
        raise ValueError(f"the index holds {index!r} {len(rows)} times. Fix: reset the index "
                         "(evaluated.reset_index(drop=True)) and pass the row number")
    row = rows.iloc[0]
    name = str(_name_of(rows).iloc[0])
    track = row["track"] if isinstance(row["track"], str) else None
    group = row["rank_group"] if isinstance(row["rank_group"], str) else None
    cls = row["class"] if isinstance(row["class"], str) else None
    note = str(row["class_note"]) if isinstance(row["class_note"], str) else ""
    score = _opt_float(row["score"])
    if score is None or cls is None or track is None:
        text = (EXPLAIN_TEXTS["landlord"] if cls is not None else EXPLAIN_TEXTS["not_rated"]
                ).format(note=note or EXPLAIN_TEXTS["unclassed"])
        return Explanation(index, name, track, group, cls, None, None, None, False, note,
                           summary=(text,))
    if track not in profile.tracks:
        raise ValueError(f"track {track!r} is not in profile {profile.name!r}. Fix: pass the "
                         "profile the frame was evaluated with")
    rank = int(_float(row.get("rank_in_group")))
    size = int(_float(row.get("group_size")))
    peers = evaluated[evaluated["rank_group"].eq(group) & evaluated["class"].isin(CLASSES)
                      & pd.to_numeric(evaluated["score"], errors="coerce").notna()]
    order = peers["class"].map(CLASSES.index)
    scores = pd.to_numeric(peers["score"], errors="coerce")
    mine = CLASSES.index(cls)
    above, below = scores[order < mine], scores[order > mine]
    class_above = edge_above = gap_above = class_below = edge_below = gap_below = None
    if len(above):
        edge_above = float(above.min())
        class_above = str(peers["class"][order < mine].iloc[int(np.argmin(above.to_numpy()))])
        gap_above = edge_above - score
    if len(below):
        edge_below = float(below.max())
        class_below = str(peers["class"][order > mine].iloc[int(np.argmax(below.to_numpy()))])
        gap_below = score - edge_below
    points = _points(row, profile.tracks[track], edge_above, class_above,
                     _search(evaluated, profile, index, track, edge_above))
    lines = [EXPLAIN_TEXTS["summary"].format(cls=cls, score=score, group=group, rank=rank,
                                             size=size)]
    if edge_above is not None and gap_above is not None:
        lines.append(EXPLAIN_TEXTS["edge_above"].format(cls=class_above, edge=edge_above,
                                                        gap=gap_above))
    else:
        lines.append(EXPLAIN_TEXTS["top_class" if mine == 0 else "no_better"])
    if edge_below is not None and gap_below is not None:
        lines.append(EXPLAIN_TEXTS["edge_below"].format(cls=class_below, edge=edge_below,
                                                        gap=gap_below))
    else:
        lines.append(EXPLAIN_TEXTS["no_worse"])
    if note:
        lines.append(note)
    return Explanation(index, name, track, group, cls, score, rank, size, True, note,
                       class_above, edge_above, gap_above, class_below, edge_below, gap_below,
                       points, tuple(lines))


def with_indicator_value(frame: pd.DataFrame, index: Hashable, key: str,
                         value: float) -> pd.DataFrame:
    """Return a copy of ``frame`` where enterprise ``index`` has ``value`` for indicator ``key``.

    The indicator column is set, and so is its numerator (税收, 增加值…) as ``value ×
    denominator / factor`` when the enterprise's denominator (用地, 用电…) is positive: a
    "mean" benchmark, a ratio of sums over the group, then rises with the enterprise's value
    as it would in the data. The enterprise's other indicator columns are left as they are.
    """
    out = frame.copy()
    out.loc[index, key] = value
    ind = INDICATORS[key]
    if ind.numerator in out and ind.denominator in out:
        den = _float(out.at[index, ind.denominator])
        if den > 0:
            out.loc[index, ind.numerator] = value * den / ind.factor
    return out


def _round_up(value: float) -> tuple[float, int]:
    """``value`` rounded up at display precision (2 decimals, at least 4 significant digits).

    Returns the rounded value and its decimals; reaching it reaches ``value``.
    """
    if not math.isfinite(value) or value <= 0:
        return value, DECIMALS["indicator"]
    decimals = max(DECIMALS["indicator"], 3 - math.floor(math.log10(value)))
    step = 10.0 ** -decimals
    out = float(f"{math.ceil(value / step - 1e-9) * step:.{decimals}f}")
    while out < value:
        out = float(f"{out + step:.{decimals}f}")
    return out, decimals


@dataclass(frozen=True)
class _Target:
    """What the points table needs to search a "mean" benchmark (see :func:`_mean_needed`)."""

    group: pd.DataFrame
    profile: ScoringProfile
    index: Hashable
    order: int


def _search(evaluated: pd.DataFrame, profile: ScoringProfile, index: Hashable, track: str,
            edge: float | None) -> _Target | None:
    """Return the ranking group to re-evaluate (a better class is held, a benchmark "mean")."""
    if edge is None or not any(r.benchmark == "mean" for r in profile.tracks[track]):
        return None
    row = evaluated.loc[index]
    group = evaluated[evaluated["rank_group"].eq(row["rank_group"])]
    return _Target(_inputs(group), profile, index, CLASSES.index(str(row["class"])))


def _trial(target: _Target, key: str, value: float) -> tuple[bool, pd.DataFrame]:
    """Re-evaluate the group with the enterprise's ``key`` at ``value``; say if it moved up."""
    out = evaluate(with_indicator_value(target.group, target.index, key, value), target.profile)
    order = _class_order(out.at[target.index, "class"])
    return order is not None and order < target.order, out


def _better_edge(out: pd.DataFrame, target: _Target) -> float:
    """Lowest score of the classes better than the enterprise's in one trial evaluation."""
    order = out["class"].map(lambda c: _class_order(c) if _class_order(c) is not None else 99)
    scores = pd.to_numeric(out["score"], errors="coerce")[order < target.order]
    return float(scores.min()) if scores.notna().any() else math.nan


def _mean_needed(target: _Target, rule: IndicatorRule, value: float, guess: float
                 ) -> tuple[float, pd.DataFrame, bool]:
    """Smallest value (1e-6 relative) of ``rule``'s indicator moving the class up.

    The group is re-evaluated each try, so the "mean" benchmark rises with the value. The
    search stops where the enterprise's own value / benchmark reaches the cap. Returns the
    value (NaN when out of reach), the evaluation there, and whether the cap stopped it.
    """
    start = max(value, 0.0) if not math.isnan(value) else 0.0
    guess = max(guess, start * (1 + 1e-6), 1e-9)
    ok, out = _trial(target, rule.key, guess)
    b1 = _float(out.at[target.index, f"benchmark_{rule.key}"])
    # the benchmark is affine in the value: read it at a second point for where the cap falls
    probe = guess * 2
    ok2, out2 = _trial(target, rule.key, probe)
    b2 = _float(out2.at[target.index, f"benchmark_{rule.key}"])
    slope = (b2 - b1) / (probe - guess)
    limit = math.inf
    if rule.cap is not None and not math.isnan(slope):
        free = 1 - rule.cap * slope
        if free > 0:
            limit = rule.cap * (b1 - slope * guess) / free
    lo, hi = start, guess
    if hi > limit:
        hi = limit
        ok, out = _trial(target, rule.key, hi)
    step = 0.01
    for _ in range(64):
        if ok:
            break
        lo = hi
        if hi >= limit:
            return math.nan, out, True
        hi = min(hi * (1 + step), limit)
        step *= 2
        ok, out = (ok2, out2) if hi == probe else _trial(target, rule.key, hi)
    else:
        return math.nan, out, False
    while hi - lo > 1e-6 * hi:
        mid = (lo + hi) / 2
        up, there = _trial(target, rule.key, mid)
        if up:
            hi, out = mid, there
        else:
            lo = mid
    return hi, out, False


def _needed(rule: IndicatorRule, value: float, bench: float, other: float, edge: float,
            target: str | None, search: _Target | None) -> tuple[float, float, str]:
    """``needed_value``, ``increase`` and ``needed_note`` of one indicator with a benchmark."""
    rel = (edge - other) / rule.weight
    cap = float(rule.cap) if rule.cap is not None else math.inf
    needed, reach_edge, cls = math.nan, edge, target
    capped = rel > cap + _EPS
    reach, short = other + rule.weight * cap, math.nan
    if rule.benchmark == "mean" and search is not None:
        exact, there, capped = _mean_needed(search, rule, value, rel * bench)
        if not math.isnan(exact):
            needed = exact
            reach_edge = _float(there.at[search.index, "score"])
            cls = str(there.at[search.index, "class"])
        elif capped:
            reach = _float(there.at[search.index, "score"])
            short = _better_edge(there, search) - reach
    elif not capped:
        needed = rel * bench
    if capped:
        short = edge - reach if math.isnan(short) else short
        return math.nan, math.nan, EXPLAIN_TEXTS["capped"].format(
            cap=cap, max=rule.weight * cap, reach=reach, edge=reach + short, short=short)
    if math.isnan(needed):
        return math.nan, math.nan, EXPLAIN_TEXTS["mean_unreachable"]
    unit = INDICATORS[rule.key].unit
    needed, decimals = _round_up(needed)
    shown = f"{needed:.{decimals}f}"
    increase = needed - value  # NaN when the value is missing: nothing to add to
    if math.isnan(value):
        why = EXPLAIN_TEXTS["reach_missing"].format(value=shown, unit=unit, edge=reach_edge,
                                                    cls=cls)
    else:
        why = EXPLAIN_TEXTS["reach"].format(value=shown, unit=unit, edge=reach_edge, cls=cls,
                                            increase=f"{increase:.{decimals}f}")
    if rule.benchmark == "mean":
        why += EXPLAIN_TEXTS["mean_benchmark"]
    return needed, increase, why


def _points(row: pd.Series, rules: tuple[IndicatorRule, ...], edge: float | None,
            target: str | None, search: _Target | None = None) -> pd.DataFrame:
    """Return the points table of one rated enterprise (see :func:`explain_enterprise`)."""
    got = {r.key: _float(row.get(f"score_{r.key}")) for r in rules}
    got = {k: 0.0 if math.isnan(v) else v for k, v in got.items()}
    total = sum(got.values())
    records = []
    for rule in rules:
        ind = INDICATORS[rule.key]
        value = _float(row.get(rule.key))
        bench = _float(row.get(f"benchmark_{rule.key}"))
        cap = math.nan if rule.cap is None else float(rule.cap)
        mine = got[rule.key]
        needed = increase = math.nan
        if edge is None:
            why = EXPLAIN_TEXTS["top_class" if row["class"] == CLASSES[0] else "no_better"]
        elif rule.weight <= 0:
            why = EXPLAIN_TEXTS["weight_zero"]
        elif math.isnan(bench) or bench <= 0:
            why = EXPLAIN_TEXTS["no_benchmark"]
        else:
            needed, increase, why = _needed(rule, value, bench, total - mine, edge, target,
                                            search)
        records.append({"indicator": rule.key, "label": ind.label, "unit": ind.unit,
                        "value": value, "benchmark": bench, "weight": float(rule.weight),
                        "cap": cap, "points": mine, "max_points": rule.weight * cap,
                        "needed_value": needed, "increase": increase, "needed_note": why})
    return pd.DataFrame.from_records(records, columns=list(POINT_COLUMNS))


def _inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the columns :func:`~geo.landuse.scoring.evaluate` adds."""
    own = set(EVALUATE_OUTPUTS) | {f"{p}_{k}" for k in INDICATORS for p in ("score", "benchmark")}
    return frame.drop(columns=[c for c in frame.columns if c in own])


def _classes_of(evaluated: pd.DataFrame) -> pd.Series:
    """Return the ``class`` column with "" for unclassed, for comparisons."""
    cls = evaluated["class"].astype(object)
    return cls.where(cls.isin(CLASSES), "").astype(str)


def _with_rule(profile: ScoringProfile, track: str, i: int, rule: IndicatorRule
               ) -> ScoringProfile:
    rules = list(profile.tracks[track])
    rules[i] = rule
    return replace(profile, tracks={**profile.tracks, track: tuple(rules)})


def sensitivity(enterprises_input: pd.DataFrame, profile: ScoringProfile, *, step: float = 0.10,
                parcels: pd.DataFrame | None = None) -> Sensitivity:
    """Re-evaluate with each weight and each benchmark moved by ±``step``, one at a time.

    Parameters
    ----------
    enterprises_input : DataFrame
        What :func:`geo.landuse.scoring.evaluate` takes. An already evaluated frame (such as
        ``analysis.enterprises``) is accepted too: evaluate's own output columns
        (:data:`EVALUATE_OUTPUTS`, ``score_<k>``, ``benchmark_<k>``) are dropped first.
    profile : ScoringProfile
    step : float, keyword-only
        The relative change, 0 < step < 1 (0.10: ×1.1 and ×0.9).
    parcels : DataFrame, keyword-only
        Passed on to ``evaluate`` (the 建设期 exemption).

    Returns
    -------
    Sensitivity
        Per variant (track × indicator × {weight, benchmark} × {+step, −step}): the enterprises
        whose class differs from the baseline; per enterprise: in how many variants its class
        changed, the classes it reached, and whether it is robust (no change in any variant).
        A benchmark variant multiplies the rule's ``bench_factor``, so a "mean" benchmark is
        scaled after the group mean is taken; a tenant taking its landlord's grade changes
        with its landlord.

    Raises
    ------
    ValueError
        ``step`` is not a number in (0, 1) (the message says which value to use).

    Notes
    -----
    Cost: 1 + 4 × (indicators over all tracks) runs of ``evaluate`` — 33 for two tracks of
    eight indicators. Each run is vectorised per ranking group: with the default profile a run
    takes about 0.06 s at 5,000 enterprises of bare input columns and about 0.13 s on the
    3,335 sample enterprises of an analysis (more columns to copy), so the whole check takes
    2–5 s. Nothing is cached between runs: the caller caches the result if it shows it on a
    page.
    """
    if (isinstance(step, bool) or not isinstance(step, int | float) or not math.isfinite(step)
            or not 0 < step < 1):
        raise ValueError(f"step {step!r} is not a number between 0 and 1. Fix: pass e.g. "
                         "step=0.10 for ±10 %")
    inputs = _inputs(enterprises_input)
    baseline = evaluate(inputs, profile, parcels=parcels)
    base = _classes_of(baseline)
    names = _name_of(baseline)
    pct = round(step * 100, 6)
    rows = []
    seen: dict[Hashable, set[str]] = {k: {c} if c else set() for k, c in base.items()}
    changes = pd.Series(0, index=baseline.index)
    for track, rules in profile.tracks.items():
        for i, rule in enumerate(rules):
            for what in ("weight", "benchmark"):
                for sign, direction in ((1, "up"), (-1, "down")):
                    factor = 1 + sign * step
                    changed_rule = (replace(rule, weight=rule.weight * factor)
                                    if what == "weight"
                                    else replace(rule, bench_factor=rule.bench_factor * factor))
                    classes = _classes_of(evaluate(inputs, _with_rule(profile, track, i,
                                                                      changed_rule),
                                                   parcels=parcels))
                    moved = classes.ne(base)
                    changes += moved.astype(int)
                    for k, c in classes[moved].items():
                        if c:
                            seen[k].add(c)
                    members = tuple(baseline.index[moved.to_numpy()])
                    rows.append({
                        "track": track, "indicator": rule.key,
                        "label": INDICATORS[rule.key].label,
                        "changed": SENSITIVITY_TEXTS[what],
                        "direction": SENSITIVITY_TEXTS[direction].format(pct=pct),
                        "factor": factor, "n_changed": len(members),
                        "names": _SEP.join(names[list(members)]) if members
                        else SENSITIVITY_TEXTS["none"],
                        "members": members})
    variants = pd.DataFrame.from_records(
        rows, columns=["track", "indicator", "label", "changed", "direction", "factor",
                       "n_changed", "names", "members"])
    keep = base.ne("") | changes.gt(0)
    per = pd.DataFrame({"name": names, "track": baseline["track"],
                        "class": baseline["class"].where(base.ne(""), None),
                        "n_variants": changes}, index=baseline.index)[keep]
    per["classes_reached"] = [_SEP.join(sorted(seen[k])) for k in per.index]
    per["robust"] = per["n_variants"].eq(0)
    per["verdict"] = np.where(per["robust"], SENSITIVITY_TEXTS["robust"],
                              SENSITIVITY_TEXTS["sensitive"])
    return Sensitivity(step, variants, per, baseline, 1 + len(rows))


def _share_text(cls: str, bands: dict[str, float]) -> str:
    """Where the quota of ``cls`` lies in the ranked list ("前 20 %", "名次在前 20 %–80 % 之间")."""
    i = CLASSES.index(cls)
    hi = round(bands.get(cls, 1.0) * 100, 6)
    if i == 0:
        return CONFLICT_TEXTS["share_top"].format(hi=hi)
    return CONFLICT_TEXTS["share_between"].format(lo=round(bands[CLASSES[i - 1]] * 100, 6),
                                                  hi=hi)


def _rule_text(code: str, said: str, profile: ScoringProfile) -> str:
    """“rule”（basis） of one reason code of a flagged parcel, with the profile's threshold."""
    rules = profile.lowland
    rule = said or code
    if code == "LOW_TAX" and rules.tax_per_mu_below is not None:
        rule = CONFLICT_TEXTS[code].format(t=rules.tax_per_mu_below)
    elif code == "LOW_FAR" and rules.far_below is not None:
        rule = CONFLICT_TEXTS[code].format(t=rules.far_below)
    elif code == "IDLE" and rules.idle_statuses:
        rule = CONFLICT_TEXTS[code].format(statuses=_SEP.join(
            rules.idle_statuses))
    elif code == "CLASS_D" and rules.flag_classes:
        rule = CONFLICT_TEXTS[code].format(classes=_SEP.join(
            sorted(rules.flag_classes)))
    elif code == "LOW_BUILT" and rules.built_share_below is not None:
        rule = CONFLICT_TEXTS[code].format(pct=percent_text(rules.built_share_below))
    basis = CONFLICT_TEXTS.get(f"{code}_basis", CONFLICT_TEXTS["other_basis"])
    return CONFLICT_TEXTS["rule"].format(rule=rule, basis=basis)


def class_flag_conflicts(enterprises: pd.DataFrame, parcels: pd.DataFrame,
                         profile: ScoringProfile) -> pd.DataFrame:
    """List A/B enterprises on parcels flagged low-efficiency, each with why both hold.

    Parameters
    ----------
    enterprises : DataFrame
        Evaluated enterprises (:func:`geo.landuse.scoring.evaluate`): ``class`` and
        ``parcel_id`` (a cell may list several ids, "P1;P2"); ``credit_code``, ``name``,
        ``rank_group``, ``rank_in_group``, ``group_size``, ``score``, ``class_note`` are used
        when present.
    parcels : DataFrame
        Flagged parcels (:func:`geo.landuse.lowland.flag_parcels`): ``parcel_id``,
        ``low_efficiency``; ``reason_codes`` ("LOW_TAX;IDLE"), ``reasons`` and ``tax_per_mu``
        when present.
    profile : ScoringProfile
        The profile of both: its name, class bands and ``[lowland]`` thresholds are quoted.

    Returns
    -------
    DataFrame
        One row per (enterprise, flagged parcel it uses), columns ``credit_code``, ``name``,
        ``class``, ``rank_group``, ``rank_in_group``, ``group_size``, ``parcel_id``,
        ``reason_codes``, ``reasons``, ``tax_per_mu``, ``note`` (headers:
        :data:`geo.labels.CONFLICT_COLUMNS`). ``note`` says that the class is a rank within
        the group by the profile's quota, and names each rule that flagged the parcel with its
        threshold and basis. Empty (same columns) when there is no such pair.

    Raises
    ------
    ValueError
        A frame lacks a needed column (the message names it and the function to run first).
    """
    _need_columns(enterprises, ("class", "parcel_id"), "enterprises",
                  "pass the output of geo.landuse.scoring.evaluate")
    _need_columns(parcels, ("parcel_id", "low_efficiency"), "parcels",
                  "pass the output of geo.landuse.lowland.flag_parcels")
    cols = ["credit_code", "name", "class", "rank_group", "rank_in_group", "group_size",
            "parcel_id", "reason_codes", "reasons", "tax_per_mu", "note"]
    flagged = parcels[parcels["low_efficiency"].fillna(False).astype(bool)]
    flagged = flagged.set_index(flagged["parcel_id"].astype(str).str.strip(), drop=False)
    flagged = flagged[~flagged.index.duplicated()]
    good = enterprises[enterprises["class"].isin(CLASSES[:2])]
    records = []
    for k, ent in good.iterrows():
        for pid in split_ids(ent["parcel_id"]):
            if pid not in flagged.index:
                continue
            parcel = flagged.loc[pid]
            cls = str(ent["class"])
            score = _float(ent.get("score"))
            note = ent.get("class_note")
            if math.isnan(score):
                said = CONFLICT_TEXTS["landlord_class"].format(
                    cls=cls, note=note if isinstance(note, str) else "")
            else:
                said = CONFLICT_TEXTS["rank_class"].format(
                    cls=cls, profile=profile.name, group=ent.get("rank_group"),
                    share=_share_text(cls, profile.class_bands))
            codes = [c for c in str(parcel.get("reason_codes") or "").split(";") if c]
            texts = str(parcel.get("reasons") or "").split("；")
            parts = [_rule_text(c, texts[j] if j < len(texts) else "", profile)
                     for j, c in enumerate(codes)]
            flag = CONFLICT_TEXTS["rules"].format(rules=_SEP.join(parts))
            records.append({
                "credit_code": ent.get("credit_code"), "name": ent.get("name", str(k)),
                "class": cls, "rank_group": ent.get("rank_group"),
                "rank_in_group": _opt_float(ent.get("rank_in_group")),
                "group_size": _opt_float(ent.get("group_size")), "parcel_id": pid,
                "reason_codes": parcel.get("reason_codes", ""),
                "reasons": parcel.get("reasons", ""),
                "tax_per_mu": _float(parcel.get("tax_per_mu")),
                "note": said + _THEN + flag + CONFLICT_TEXTS["end"]})
    return pd.DataFrame.from_records(records, columns=cols)
