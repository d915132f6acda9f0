"""Plan targets (with their seed lines), progress towards them, and the "what if" scenario.

Targets are read from ``data/targets/plan_targets.csv``: the cumulative 盘活腾退 of low-efficiency
land (5 万亩 by 2026, 40000 亩 by 2025) and the 规上 亩均税收 / 亩均增加值 levels, each with the
seed file and line it comes from. :func:`scenario` raises (or clears) the flagged parcels and
compares unit figures with today's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.labels import SCENARIO_COLUMNS, SCENARIO_CRITERIA, SCENARIO_TEXTS, UNIT_LEVELS, labelled
from geo.landuse.metrics import aggregate, parcel_links, ratio
from geo.landuse.model import CLEARED_STATUSES, id_pairs, is_in
from geo.zones.plans import cite

if TYPE_CHECKING:
    from geo.export import ExportNotes
    from geo.landuse.pipeline import Analysis

__all__ = ["TARGETS_FILE", "load_targets", "progress", "efficiency_targets",
           "Scenario", "scenario", "describe_scenario", "criteria_text", "scenario_export"]

TARGETS_FILE = Path(__file__).resolve().parents[2] / "data" / "targets" / "plan_targets.csv"


def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """Read the plan targets with their seed provenance (``data/targets/plan_targets.csv``)."""
    df = pd.read_csv(path or TARGETS_FILE, dtype={"seed": str, "quote": str})
    df["value"] = pd.to_numeric(df["value"])
    return df


def progress(register: pd.DataFrame, *, start_year: int = 2021, end_year: int = 2026
             ) -> pd.DataFrame:
    """Sum the cleared area (已盘活/已腾退/已收储) per year and cumulatively, from the register.

    Returns
    -------
    DataFrame
        ``year``, ``cleared_mu`` and ``cumulative_mu`` for each year in range (the cumulative
        figure includes lines before ``start_year``); in ``attrs``: ``undated_mu`` (cleared
        lines with no year), ``later_mu`` (dated after ``end_year``) and ``in_progress_mu``.
    """
    reg = register.copy()
    cleared = reg[reg["status"].isin(CLEARED_STATUSES)]
    years = pd.to_numeric(cleared["year"], errors="coerce")
    area = pd.to_numeric(cleared["area_mu"], errors="coerce")
    per_year = area.groupby(years).sum()
    out = pd.DataFrame({"year": range(start_year, end_year + 1)})
    out["cleared_mu"] = out["year"].map(per_year).fillna(0.0)
    before = float(area[years < start_year].sum())
    out["cumulative_mu"] = out["cleared_mu"].cumsum() + before
    out.attrs["undated_mu"] = float(area[years.isna()].sum())
    out.attrs["later_mu"] = float(area[years > end_year].sum())
    out.attrs["in_progress_mu"] = float(pd.to_numeric(
        reg.loc[reg["status"].isin(["待整治", "整治中"]), "area_mu"], errors="coerce").sum())
    return out


def efficiency_targets(enterprises: pd.DataFrame, parcels: pd.DataFrame, *,
                       targets: pd.DataFrame | None = None,
                       base_2021: Mapping[str, float] | None = None) -> pd.DataFrame:
    """规上工业 亩均税收 / 亩均增加值 of the data against the plan targets.

    Parameters
    ----------
    enterprises, parcels : DataFrame
        As for :func:`geo.landuse.metrics.aggregate`; only 规上 enterprises count, as in the
        targets.
    targets : DataFrame, keyword-only
        From :func:`load_targets` (read when omitted).
    base_2021 : mapping, keyword-only
        ``{"tax_per_mu": …, "va_per_mu": …}``: the 2021 city figures (万元/亩). The 2026
        target is "+40 % on 2021"; without a base it is reported as not computable, never
        guessed.

    Returns
    -------
    DataFrame
        One row per (indicator, target): ``indicator``, ``label``, ``current``, ``target``,
        ``target_year``, ``attainment`` (current / target, NaN when not computable), ``source``.
    """
    targets = load_targets() if targets is None else targets
    t = targets.set_index("key")
    above = enterprises.loc[enterprises["scale"].astype(str) == "规上"] \
        if "scale" in enterprises else enterprises.iloc[0:0]
    city = aggregate(above, parcels, level="city")
    rows = []
    for key, label in (("tax_per_mu", "规上工业亩均税收"), ("va_per_mu", "规上工业亩均增加值")):
        current = float(city[key].iloc[0]) if len(city) else float("nan")
        fixed = t.loc[f"{key}_2025"]
        growth = t.loc[f"{key}_growth_2026"]
        base = (base_2021 or {}).get(key)
        goal_2026 = float(base) * (1 + float(growth["value"]) / 100) if base else float("nan")
        for target, year, src, note in (
                (float(fixed["value"]), int(fixed["year"]), fixed, ""),
                (goal_2026, int(growth["year"]), growth,
                 f"2021 年基数 {base:g} 万元/亩 × (1 + {growth['value']:g}%)" if base
                 else "需输入 2021 年基数")):
            rows.append({"indicator": key, "label": label, "current": current,
                         "target": target, "target_year": year,
                         "attainment": ratio(pd.Series([current]), pd.Series([target]))[0],
                         "basis": note, "source": cite(src["seed"], src["line"])})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Scenario:
    """A what-if on the flagged parcels.

    ``mode`` "raise" brings flagged land up to ``tax_per_mu``/``va_per_mu``; "clear" takes the
    flagged parcels out of the industrial land stock with their enterprises.
    """

    mode: str
    tax_per_mu: float | None = None
    va_per_mu: float | None = None


def _touching(enterprises: pd.DataFrame, flagged: set[str]) -> pd.Series:
    """Whether each enterprise names one of the ``flagged`` parcels (ids as split_ids reads)."""
    hit = np.zeros(len(enterprises), dtype=bool)
    if "parcel_id" in enterprises and flagged:
        pairs = id_pairs(enterprises["parcel_id"])
        hit[pairs["pos"].to_numpy()[is_in(pairs["parcel_id"], sorted(flagged))]] = True
    return pd.Series(hit, index=enterprises.index)


def scenario(enterprises: pd.DataFrame, parcels: pd.DataFrame, flagged: Iterable[str],
             spec: Scenario, *, level: str, labels: Mapping[str, str] | None = None
             ) -> pd.DataFrame:
    """Today's figures and the scenario's, side by side, for every unit of ``level``.

    Parameters
    ----------
    enterprises, parcels : DataFrame
        As for :func:`geo.landuse.metrics.aggregate` (units assigned, ``land_mu`` present).
    flagged : iterable of str
        Parcel ids the scenario acts on (usually the low-efficiency parcels).
    spec : Scenario
    level : str, keyword-only
    labels : mapping, keyword-only

    Returns
    -------
    DataFrame
        ``unit``, ``unit_name``, and for 亩均税收 / 亩均增加值 / land: ``…_now``, ``…_scenario``,
        ``…_change``.
    """
    if spec.mode not in ("raise", "clear"):
        raise ValueError(f"unknown scenario {spec.mode!r}. Fix: use 'raise' or 'clear'")
    flagged = {str(p) for p in flagged}
    touches = _touching(enterprises, flagged)
    ent, par = enterprises.copy(deep=False), parcels.copy(deep=False)  # copy-on-write
    if spec.mode == "clear":
        ent = ent.loc[~touches]
        par = par.loc[~par["parcel_id"].astype(str).isin(flagged)]
    else:
        if spec.tax_per_mu is None and spec.va_per_mu is None:
            raise ValueError("raise needs a level. Fix: give tax_per_mu and/or va_per_mu (万元/亩)")
        land = pd.to_numeric(ent["land_mu"], errors="coerce")
        # an enterprise on chosen and other parcels is raised on its chosen share only (its
        # land held there / all its land, as parcel_links attributes it); 1 when all chosen
        links = parcel_links(ent, par)
        chosen = links[links["parcel_id"].isin(flagged)].groupby("row")["weight"].sum()
        share = chosen.reindex(ent.index).fillna(0.0).where(
            ent.index.isin(links["row"]), 1.0).clip(upper=1.0)
        for col, level_value in (("tax_wan", spec.tax_per_mu), ("value_added_wan", spec.va_per_mu)):
            if level_value is None:
                continue
            floor = land * float(level_value)
            cur = pd.to_numeric(ent[col], errors="coerce")
            # only reported figures are raised: a missing one stays missing, never invented;
            # the chosen share s of the figure rises to s × floor where it is below it
            lift = (share * (floor - cur)).clip(lower=0.0)
            ent.loc[touches, col] = (cur + lift)[touches]
    now = aggregate(enterprises, parcels, level=level, labels=labels).set_index("unit")
    new = aggregate(ent, par, level=level, labels=labels).set_index("unit")
    out = pd.DataFrame({"unit_name": now["unit_name"]})
    for key in ("tax_per_mu", "va_per_mu", "parcel_land_mu"):
        out[f"{key}_now"] = now[key]
        out[f"{key}_scenario"] = new[key].reindex(now.index)
        if key == "parcel_land_mu":  # a unit whose land was all cleared has 0 亩 left
            out[f"{key}_scenario"] = out[f"{key}_scenario"].fillna(0.0)
        out[f"{key}_change"] = ratio(out[f"{key}_scenario"] - out[f"{key}_now"],
                                     out[f"{key}_now"], factor=100.0)
    return out.reset_index()


def describe_scenario(spec: Scenario) -> str:
    """Say the scenario in one Chinese line (for the 说明 sheet)."""
    if spec.mode == "clear":
        return SCENARIO_TEXTS["clear_all"]
    unset = SCENARIO_TEXTS["unset"]
    return SCENARIO_TEXTS["raise_to"].format(
        tax=unset if spec.tax_per_mu is None else f"{spec.tax_per_mu:g}",
        va=unset if spec.va_per_mu is None else f"{spec.va_per_mu:g}")


def criteria_text(criteria: Mapping[str, object] | None) -> str:
    """Write the choice of flagged land ("区县（市）：海曙区、鄞州区；宗地面积下限（亩）：5").

    Keys are those of :data:`geo.labels.SCENARIO_CRITERIA`; a value is a sequence of the
    texts chosen or a bound. Empty values (no restriction) are left out; nothing left says the
    scenario acts on all flagged land.
    """
    parts = []
    for key, value in (criteria or {}).items():
        if isinstance(value, str | int | float):
            text = f"{value:g}" if isinstance(value, float) else str(value)
        elif isinstance(value, Iterable):
            text = "、".join(str(v) for v in value)
        else:
            text = ""
        if not text:
            continue
        parts.append(f"{SCENARIO_CRITERIA.get(key, key)}：{text}")
    return "；".join(parts) or SCENARIO_TEXTS["note_all"]


def scenario_export(table: pd.DataFrame, spec: Scenario, chosen_ids: Iterable[str],
                    analysis: Analysis, *, level: str | None = None,
                    criteria: Mapping[str, object] | None = None
                    ) -> tuple[pd.DataFrame, ExportNotes]:
    """Return the scenario table of :func:`scenario` as exported, with what it rests on.

    Parameters
    ----------
    table : DataFrame
        From :func:`scenario`.
    spec : Scenario
    chosen_ids : iterable of str
        The parcels the scenario acted on.
    analysis : geo.landuse.pipeline.Analysis
        For the data's 说明 lines and the chosen parcels' area (``parcels.land_mu``).
    level : str, keyword-only
        The units' level (a key of :data:`geo.labels.UNIT_LEVELS`).
    criteria : mapping, keyword-only
        How the parcels were chosen (see :func:`criteria_text`).

    Returns
    -------
    (DataFrame, ExportNotes)
        Per unit, under the page's Chinese headers (:data:`geo.labels.SCENARIO_COLUMNS`):
        the unit and ``…_now`` / ``…_scenario`` / ``…_change`` of each figure; the notes name
        the scenario, the level, the criteria and the count and 亩 of the parcels acted on.
    """
    ids = {str(p) for p in chosen_ids}
    par = analysis.parcels
    chosen = par["parcel_id"].astype(str).isin(ids)
    area = float(pd.to_numeric(par.loc[chosen, "land_mu"], errors="coerce").sum())
    out = labelled(table.drop(columns=["unit"], errors="ignore"), extra=SCENARIO_COLUMNS)
    lines: dict[str, object] = {SCENARIO_TEXTS["note_mode"]: describe_scenario(spec)}
    if level is not None:
        lines[SCENARIO_TEXTS["note_level"]] = UNIT_LEVELS.get(level, level)
    lines[SCENARIO_TEXTS["note_criteria"]] = criteria_text(criteria)
    lines[SCENARIO_TEXTS["note_count"]] = f"{int(chosen.sum()):,}"
    lines[SCENARIO_TEXTS["note_mu"]] = f"{area:,.1f}"
    return out, analysis.export_notes("units", extra=lines)
