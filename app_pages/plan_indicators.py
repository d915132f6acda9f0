"""规划指标 — the plans' indicator tables with their targets, the land-efficiency targets beside
the figures the tool computes, the plans' land figures, and where the plans disagree."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.analysis_state import current_analysis, data_banner
from app_pages.charts import paired_bars
from app_pages.import_choices import md_text
from app_pages.workspace_state import get_workspace, register_scope
from app_pages.year_sources import base_2021
from geo.display_format import DECIMALS, PERCENT_STEP, table_format
from geo.export import ExportNotes, table_bytes
from geo.labels import (
    CLEARANCE_TARGET_COLUMNS,
    INDICATOR_COLUMNS,
    INDICATOR_DECISION_COLUMNS,
    LAND_FIGURE_COLUMNS,
    RANKING_TEXTS,
    TARGET_COLUMNS,
    labelled,
)
from geo.landuse.targets import efficiency_targets, load_targets, progress
from geo.zones.plans import (
    cite,
    cite_reference,
    document_title,
    load_indicator_decisions,
    load_indicators,
    load_land_figures,
)

_SHOWN = ("table", "level1", "indicator", "unit", "base_year", "base_value", "target_year",
          "target_text", "property", "responsible", "source", "conflict")
#: Printf formats of numbers: figures with separators and two decimals, years as written.
_FIGURE = table_format(DECIMALS["indicator"])
_LAND = table_format(DECIMALS["land_mu"])
_YEAR = table_format(0, separators=False)


def _formats(names: dict[str, str], formats: dict[str, str]):
    """``column_config`` of the number columns ``formats`` (keys) under their ``names``."""
    return {names[c]: st.column_config.NumberColumn(
        format=f, step=PERCENT_STEP if f == "percent" else None) for c, f in formats.items()}


@st.cache_data(show_spinner=False)
def _indicators() -> pd.DataFrame:
    ind = load_indicators()
    ind["source"] = [cite(s, int(n)) for s, n in zip(ind["seed"], ind["line"], strict=True)]
    ind["plan"] = ind["seed"].map(document_title)
    return ind


def _filtered(ind: pd.DataFrame) -> pd.DataFrame:
    c1, c2, c3 = st.columns(3)
    plans = c1.multiselect("规划", sorted(ind["plan"].unique()), key="pi_plan",
                           placeholder="全部规划")
    themes = c2.multiselect("类别（一级指标）", sorted(ind["level1"].dropna().unique()),
                            key="pi_theme", placeholder="全部类别")
    who = c3.text_input("责任单位包含", key="pi_who")
    keep = pd.Series(True, index=ind.index)
    if plans:
        keep &= ind["plan"].isin(plans)
    if themes:
        keep &= ind["level1"].isin(themes)
    if who.strip():
        keep &= ind["responsible"].fillna("").str.contains(who.strip(), regex=False)
    return ind[keep]


def _chart(rows: pd.DataFrame) -> None:
    nums = rows.dropna(subset=["base_value", "target_value"])
    if nums.empty:
        st.caption("所选指标没有同时给出基数与目标的数值，不画对比图。")
        return
    counts = nums["unit"].fillna("").value_counts()
    units = list(counts.index)  # the unit most indicators share first
    pick = st.selectbox("基数 → 目标对比（同一单位的指标）", units, key="pi_unit",
                        format_func=lambda u: f"{u or '（无单位）'}（{counts[u]} 项）")
    same = nums[nums["unit"].fillna("") == pick].head(15)
    series = {"base_value": INDICATOR_COLUMNS["base_value"],
              "target_value": INDICATOR_COLUMNS["target_value"]}
    chart = same[["indicator", "table", *series]].rename(columns=series)
    if pick:  # the unit is the axis title: "（%）" after every name would only crowd the labels
        chart["indicator"] = chart["indicator"].str.removesuffix(f"（{pick}）")
    st.altair_chart(paired_bars(
        chart, name="indicator", series=list(series.values()),
        value_title=f"{INDICATOR_COLUMNS['unit']}：{pick or '（无单位）'}",
        name_title=INDICATOR_COLUMNS["indicator"], series_title=RANKING_TEXTS["base_or_target"],
        decimals=DECIMALS["indicator"], detail="table",
        detail_title=INDICATOR_COLUMNS["table"]), width="stretch")


def _land_targets() -> None:
    st.subheader("亩均与用地目标：当前数据对照")
    analysis = current_analysis()
    data_banner(analysis)
    base, source = base_2021(analysis)  # from 2021 data when loaded, never guessed
    table = efficiency_targets(analysis.enterprises, analysis.parcels, base_2021=base)
    if base:
        st.caption(f"2021 年基数取自 2021 年数据（{md_text(source)}）。")
    table["gap"] = table["target"] - table["current"]
    formats = {"current": _FIGURE, "target": _FIGURE, "gap": _FIGURE, "attainment": "percent",
               "target_year": _YEAR}
    st.dataframe(labelled(table.drop(columns=["indicator"]), extra=TARGET_COLUMNS),
                 hide_index=True, width="stretch",
                 column_config=_formats(TARGET_COLUMNS, formats))
    ws = get_workspace()
    if ws is not None:
        done = progress(ws.register(register_scope(analysis)))["cumulative_mu"].iloc[-1]
        targets = load_targets().set_index("key")
        rows = [{"label": targets.at[k, "label"], "current": done,
                 "target": targets.at[k, "value"], "target_year": int(targets.at[k, "year"]),
                 "gap": targets.at[k, "value"] - done,
                 "source": cite(targets.at[k, "seed"], targets.at[k, "line"])}
                for k in ("lowland_cleared_2026", "lowland_revitalised_2025")]
        st.dataframe(labelled(pd.DataFrame(rows), extra=CLEARANCE_TARGET_COLUMNS),
                     hide_index=True, width="stretch", column_config=_formats(
                         CLEARANCE_TARGET_COLUMNS, {"current": _LAND, "target": _LAND,
                                                    "gap": _LAND, "target_year": _YEAR}))
    st.caption("“当前”按所分析的数据计算（示例数据为合成值），盘活腾退按整治台账中已盘活、已腾退、"
               "已收储的面积累计；没有数据可算的一栏留空，不作估计。")


st.title("规划指标")
ind = _indicators()
rows = _filtered(ind)
st.caption(f"共 {len(ind)} 项指标，当前显示 {len(rows)} 项；每项注明出处（文件标题与行号）。")
st.dataframe(labelled(rows[list(_SHOWN)], extra=INDICATOR_COLUMNS), hide_index=True,
             width="stretch", column_config=_formats(INDICATOR_COLUMNS, {
                 "base_year": _YEAR, "base_value": _FIGURE, "target_year": _YEAR}))
notes = ExportNotes(nature="规划文本中的指标表（逐字摘录）", units="见“单位”列",
                    sources="；".join(sorted({md_text(p) for p in rows["plan"]})))
st.download_button("导出所列指标（Excel）",
                   table_bytes(labelled(rows[list(_SHOWN)], extra=INDICATOR_COLUMNS), "xlsx",
                               notes=notes), file_name="规划指标.xlsx", key="pi_dl")
_chart(rows)
_land_targets()
with st.expander("规划中的用地与亩均数据"):
    land = load_land_figures()
    land["source"] = [cite(s, int(n)) for s, n in zip(land["seed"], land["line"], strict=True)]
    st.dataframe(labelled(land.drop(columns=["seed", "line"]), extra=LAND_FIGURE_COLUMNS),
                 hide_index=True, width="stretch", column_config=_formats(
                     LAND_FIGURE_COLUMNS, {"value": _FIGURE, "year": _YEAR}))
with st.expander("规划之间不一致或文字有误之处，及本工具的处理"):
    decisions = load_indicator_decisions()
    for side in ("side_a", "side_b"):
        decisions[side] = decisions[side].map(cite_reference)
    st.dataframe(labelled(decisions, extra=INDICATOR_DECISION_COLUMNS), hide_index=True,
                 width="stretch")
