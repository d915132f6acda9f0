"""情景模拟 on 低效用地: choose the flagged land to act on, compare units before/after, export."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from app_pages.common import get_catalog
from app_pages.industry_filter import industry_filter, industry_options
from geo.export import table_bytes
from geo.labels import (
    FORMAT_LABELS,
    REASONS,
    SCENARIO_COLUMNS,
    SCENARIO_CRITERIA,
    SCENARIO_TEXTS,
    UNIT_LEVELS,
    labelled,
)
from geo.landuse.lowland import select_flagged
from geo.landuse.tables import parcel_table, unit_layer
from geo.landuse.targets import Scenario, criteria_text, scenario, scenario_export

__all__ = ["scenario_panel"]

#: Session-state key of the prepared downloads: (inputs, scenario bytes, parcels bytes).
PREPARED = "s_prepared"
_EXT = {"xlsx": "xlsx", "csv": "csv"}


def _present(parcels: pd.DataFrame, column: str, sep: str | None = None) -> list[str]:
    """Distinct values of ``column`` among the flagged parcels (cells split at ``sep``)."""
    if column not in parcels:
        return []
    cells = parcels[column].dropna().astype(str)
    if sep:
        cells = cells.str.split(sep).explode()
    return sorted({c for c in cells if c and c != "nan"})


# Offered values and the comparison are computed once per analysis (and criteria), shared by
# every session: the 情景模拟 tab is drawn on every run of 低效用地, seen or not.
@st.cache_data(show_spinner=False, max_entries=8)
def _offered(key: str, _parcels: pd.DataFrame) -> dict[str, list[str]]:
    """Distinct districts, zones, reasons and classes of the flagged parcels of ``key``."""
    low = _parcels[_parcels["low_efficiency"].fillna(False).astype(bool)]
    land = pd.to_numeric(low["land_mu"], errors="coerce").dropna()
    return {"district": _present(low, "district"), "zone_id": _present(low, "zone_id"),
            "reason_codes": _present(low, "reason_codes", ";"),
            "enterprise_classes": _present(low, "enterprise_classes", "、"),
            "land": [math.floor(land.min()), math.ceil(land.max())] if len(land) else [0, 0]}


@st.cache_data(show_spinner="正在计算情景…", max_entries=16)
def _compare(key: str, spec: Scenario, level: str, _analysis, _ids, _labels) -> pd.DataFrame:
    """The before/after table of analysis+evidence+criteria ``key``."""
    return scenario(_analysis.enterprises, _analysis.parcels, list(_ids), spec, level=level,
                    labels=_labels)


def _choose(analysis, key: str) -> tuple[pd.Index, dict[str, object]]:
    """The criteria widgets; returns the chosen parcel ids and the criteria (display texts)."""
    par = analysis.parcels
    offered = _offered(key, par)
    zones = dict(zip(get_catalog()["zone"]["id"].astype(str), get_catalog()["zone"]["name"],
                     strict=False))
    st.markdown("**" + SCENARIO_TEXTS["choose"] + "**")
    c1, c2, c3 = st.columns(3)
    kw = {"placeholder": SCENARIO_TEXTS["any"]}
    districts = c1.multiselect(SCENARIO_CRITERIA["districts"], offered["district"],
                               key="s_districts", **kw)
    zone_ids = c2.multiselect(SCENARIO_CRITERIA["zones"], offered["zone_id"],
                              format_func=lambda z: zones.get(z, z), key="s_zones", **kw)
    reasons = c3.multiselect(SCENARIO_CRITERIA["reasons"], [
        r for r in REASONS if r in offered["reason_codes"]],
        format_func=lambda r: REASONS.get(r, r), key="s_reasons", **kw)
    c4, c5, c6 = st.columns(3)
    classes = c4.multiselect(SCENARIO_CRITERIA["classes"],
                             offered["enterprise_classes"], key="s_classes", **kw)
    with c5:
        industries = industry_filter(analysis.enterprises, "s_industries", data=key)
    lo, hi = offered["land"]
    bounds: tuple[float | None, float | None] = (None, None)
    if hi > lo:
        got = c6.slider(SCENARIO_CRITERIA["area"], float(lo), float(hi), (float(lo), float(hi)),
                        step=1.0, format="%.0f", key="s_area")
        bounds = (got[0] if got[0] > lo else None, got[1] if got[1] < hi else None)
    ids = select_flagged(par, districts=districts, zones=zone_ids, reasons=reasons,
                         classes=classes, industries=industries, enterprises=analysis.enterprises,
                         min_mu=bounds[0], max_mu=bounds[1])
    names = industry_options(analysis.enterprises)
    criteria: dict[str, object] = {
        "districts": districts, "zones": [zones.get(z, z) for z in zone_ids],
        "reasons": [REASONS.get(r, r) for r in reasons], "classes": classes,
        "industries": [names.get(c, c) for c in industries],
        "min_mu": bounds[0], "max_mu": bounds[1]}
    return ids, criteria


def _spec() -> tuple[Scenario, str]:
    mode = st.radio(SCENARIO_TEXTS["mode"], ["raise", "clear"], horizontal=True, key="s_mode",
                    format_func=lambda v: SCENARIO_TEXTS[v])
    tax = va = None
    if mode == "raise":
        c1, c2 = st.columns(2)
        tax = c1.number_input(SCENARIO_TEXTS["tax"], min_value=0.0, value=30.0, key="s_tax")
        va = c2.number_input(SCENARIO_TEXTS["va"], min_value=0.0, value=100.0, key="s_va")
    level = st.selectbox(SCENARIO_TEXTS["level"], ["zone", "district", "city"],
                         format_func=UNIT_LEVELS.get, key="s_level")
    return Scenario(mode, tax, va), str(level)


def _export(analysis, key: str, table: pd.DataFrame, spec: Scenario, ids: pd.Index,
            level: str, criteria: dict[str, object]) -> None:
    """The 准备下载 button: files are built on the press only, kept while the inputs hold."""
    c1, c2 = st.columns([2, 1])
    fmt = c1.radio(SCENARIO_TEXTS["format"], list(_EXT), horizontal=True, key="s_fmt",
                   format_func=FORMAT_LABELS.get)
    inputs = (key, spec, level, fmt, repr(criteria))
    if c2.button(SCENARIO_TEXTS["prepare"], key="s_prepare", help=SCENARIO_TEXTS["prepare_help"]):
        out, notes = scenario_export(table, spec, ids, analysis, level=level, criteria=criteria)
        chosen = parcel_table(analysis)
        chosen = chosen[chosen["parcel_id"].astype(str).isin(ids)]
        parcels_notes = analysis.export_notes("parcels", extra={
            SCENARIO_TEXTS["note_criteria"]: criteria_text(criteria)})
        st.session_state[PREPARED] = (inputs, table_bytes(out, fmt, notes=notes),
                                      table_bytes(labelled(chosen), fmt, notes=parcels_notes))
    prepared = st.session_state.get(PREPARED)
    if prepared is None or prepared[0] != inputs:
        return
    d1, d2 = st.columns(2)
    d1.download_button(SCENARIO_TEXTS["download"], prepared[1], key="s_dl",
                       file_name=f"{SCENARIO_TEXTS['file']}.{_EXT[fmt]}")
    d2.download_button(SCENARIO_TEXTS["download_parcels"], prepared[2], key="s_dl_parcels",
                       file_name=f"{SCENARIO_TEXTS['file_parcels']}.{_EXT[fmt]}")


def scenario_panel(analysis, key: str) -> None:
    """The 情景模拟 tab: criteria, the chosen land's count and 亩, the comparison, the export.

    ``key``: the judged analysis' cache key (:func:`app_pages.raster_state.judged_analysis`).
    """
    ids, criteria = _choose(analysis, key)
    par = analysis.parcels
    areas = pd.to_numeric(par.loc[par["parcel_id"].astype(str).isin(ids), "land_mu"],
                          errors="coerce")
    chosen_mu = float(areas.sum())
    if int(areas.isna().sum()):  # never a silent 0: say how many have no area
        st.warning(f"所选宗地中 {int(areas.isna().sum()):,} 宗没有用地面积，未计入面积合计；"
                   "按面积筛选时这些宗地也不会被选中。")
    m1, m2 = st.columns(2)
    total = int(par["low_efficiency"].fillna(False).astype(bool).sum())
    m1.metric(SCENARIO_TEXTS["chosen"], f"{len(ids):,} 宗",
              help=SCENARIO_TEXTS["of_all"].format(n=total))
    m2.metric(SCENARIO_TEXTS["chosen_mu"], f"{chosen_mu:,.0f} 亩")
    if not len(ids):
        st.info(SCENARIO_TEXTS["none"])
    spec, level = _spec()
    units = unit_layer(get_catalog(), level)
    table = _compare(f"{key}|{criteria!r}", spec, level, analysis,
                     ids, dict(zip(units["unit"], units["unit_name"], strict=True)))
    st.caption(SCENARIO_TEXTS["caption"].format(n=len(ids), mu=chosen_mu))
    st.dataframe(labelled(table.drop(columns=["unit"]), extra=SCENARIO_COLUMNS), hide_index=True,
                 width="stretch", column_config={
                     label: st.column_config.NumberColumn(format="%.2f")
                     for key, label in SCENARIO_COLUMNS.items() if key != "unit_name"})
    _export(analysis, key, table, spec, ids, level, criteria)
