"""低效用地 — flagged parcels and their reasons, the clearance register, progress, scenario."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from app_pages.analysis_state import UPLOADED, data_banner
from app_pages.common import asset_base, catalog_at, data_key
from app_pages.downloads import table_file
from app_pages.import_choices import md_text
from app_pages.industry_filter import industry_filter
from app_pages.lowland_tiles import PARCEL_COLUMNS, tiled_map
from app_pages.map_component import RenderedMap, render_map, show_map
from app_pages.paging import map_capped, page_of
from app_pages.raster_state import judged_analysis
from app_pages.register_tab import register_tab
from app_pages.scenario_panel import scenario_panel
from app_pages.workspace_state import get_workspace, register_scope
from app_pages.year_sources import base_2021
from geo.labels import (
    INDUSTRY_FILTER_TEXTS,
    MAP_LAYERS,
    PROGRESS_CHART_LABELS,
    REGISTER_HEADERS,
    SCENARIO_CRITERIA,
    TARGET_COLUMNS,
    column_label,
    labelled,
)
from geo.landuse.lowland import construction_years, describe_rules, select_flagged
from geo.landuse.tables import parcel_table
from geo.landuse.targets import efficiency_targets, load_targets, progress
from geo.tiles import needs_tiles
from geo.zones.plans import cite
from layers.efficiency import build_parcel_map


@st.cache_resource(show_spinner="正在绘制地图…", max_entries=16)
def _parcel_map(key: str, data: str, _shown, data_label: str) -> RenderedMap:
    """The flagged parcels' map of analysis+evidence+filter ``key``, rendered once."""
    catalog = catalog_at(data)
    fmap = build_parcel_map(_shown, data_label=data_label, districts=catalog["district"],
                            subzones=catalog["subzone"], asset_base=asset_base())
    return render_map(fmap, height=520, returned_objects=[])


def _map_and_list(analysis, flagged, key: str) -> None:
    industries = industry_filter(analysis.enterprises, "lp_industries", data=key)
    notes = analysis.export_notes("parcels")
    if industries:
        keep = select_flagged(analysis.parcels, industries=industries,
                              enterprises=analysis.enterprises)
        flagged = flagged[flagged["parcel_id"].astype(str).isin(keep)]
        st.caption(INDUSTRY_FILTER_TEXTS["narrowed"].format(n=len(flagged)))
        notes = notes.with_extra({SCENARIO_CRITERIA["industries"]: "、".join(industries)})
    view = f"{key}|{','.join(industries)}"  # the analysis as judged, and the filter
    if not needs_tiles(len(flagged)) or not tiled_map(analysis, flagged, view):
        show_map(_parcel_map(view, data_key(), map_capped(flagged), analysis.data_label),
                 key="lowland_map")
    formats = {"land_mu": "%.1f", "far_used": "%.2f", "tax_per_mu": "%.2f",
               "built_share": "percent"}
    st.dataframe(labelled(page_of(flagged, "lp_page"), PARCEL_COLUMNS), hide_index=True,
                 width="stretch", column_config={column_label(c): st.column_config.NumberColumn(
                     format=f) for c, f in formats.items()})
    st.download_button("导出低效宗地（Excel）", partial(
        table_file, view, "xlsx",
        flagged, notes), file_name="低效宗地.xlsx", key="lp_dl")


@st.cache_data(show_spinner=False, max_entries=16)  # per analysis+evidence and 2021 base
def _targets(key: str, base: tuple, _analysis) -> pd.DataFrame:
    return efficiency_targets(_analysis.enterprises, _analysis.parcels, base_2021=dict(base))


def _progress_tab(analysis, register: pd.DataFrame, view: str) -> None:
    targets = load_targets().set_index("key")
    prog = progress(register)
    goal = targets.at["lowland_cleared_2026", "value"]
    goal_year = int(targets.at["lowland_cleared_2026", "year"])
    done = prog["cumulative_mu"].iloc[-1]
    a, b = st.columns(2)
    a.metric("累计盘活腾退（台账）", f"{done:,.0f} 亩", help="状态为已盘活/已腾退/已收储")
    b.metric(PROGRESS_CHART_LABELS["target"].format(year=goal_year), f"{goal:,.0f} 亩",
             delta=f"完成 {done / goal:.1%}", delta_color="off")
    chart = prog.set_index("year")[["cumulative_mu"]].rename(columns=PROGRESS_CHART_LABELS)
    for key in ("lowland_cleared_2026", "lowland_revitalised_2025"):
        year = int(targets.at[key, "year"])
        chart[PROGRESS_CHART_LABELS["target_mu"].format(year=year)] = targets.at[key, "value"]
    chart.index = chart.index.astype(str)  # years as labels, not "2,021"
    st.line_chart(chart, x_label=REGISTER_HEADERS["year"], y_label="亩")
    if prog.attrs["undated_mu"]:
        st.warning(f"{prog.attrs['undated_mu']:,.1f} 亩已完成但未填年度，未计入年度进度。")
    if prog.attrs["later_mu"]:
        st.warning(f"{prog.attrs['later_mu']:,.1f} 亩的完成年度晚于 2026 年，未计入；请核对年度。")
    st.subheader("规上工业亩均效益与目标")
    c1, c2 = st.columns(2)
    known, source = base_2021(analysis)
    known = known or {}
    base = {k: col.number_input(f"2021 年规上亩均{what}基数（万元/亩，选填）", min_value=0.0,
                                value=known.get(k, 0.0), key=f"t_base_{k[:-7]}")
            for col, k, what in ((c1, "tax_per_mu", "税收"), (c2, "va_per_mu", "增加值"))}
    if known:
        st.caption(f"2021 年基数取自 2021 年数据（{md_text(source)}，规上企业 Σ分子/Σ分母），"
                   "可改。")
    table = _targets(view,
                     tuple((k, v) for k, v in base.items() if v > 0), analysis)
    formats = {"attainment": "percent", "current": "%.2f", "target": "%.2f", "target_year": "%d"}
    st.dataframe(labelled(table.drop(columns=["indicator"]), extra=TARGET_COLUMNS),
                 hide_index=True, width="stretch",
                 column_config={TARGET_COLUMNS[c]: st.column_config.NumberColumn(format=f)
                                for c, f in formats.items()})
    fixed = table[table["target_year"] == table["target_year"].min()]
    year, missing = int(fixed["target_year"].iloc[0]), fixed.loc[fixed["current"].isna(), "label"]
    if len(missing):
        st.info(f"本数据没有可计算的「{'」「'.join(missing)}」：没有规上企业同时填报税收或工业增加值"
                "与用地面积，故只列目标值，不画现状。")
    if len(missing) < len(fixed):
        st.bar_chart(fixed.set_index("label")[["current", "target"]].rename(columns={
            k: PROGRESS_CHART_LABELS[k].format(year=year) for k in ("current", "target")}),
            stack=False, horizontal=True, x_label="万元/亩", y_label="")
    st.caption("目标出处：" + "；".join(
        f"{r.label} {r.value:g}{r.unit}（{r.year} 年，{cite(r.seed, r.line)}）"
        for r in targets.reset_index().itertuples()))


st.title("低效用地")
analysis, key, evidence_note = judged_analysis()  # 低效用地 with the built-up evidence in use
data_banner(analysis)
if evidence_note:  # evidence applied: said; refused: warned
    (st.info if analysis.evidence else st.warning)(md_text(evidence_note))
flagged = parcel_table(analysis)
st.caption("认定规则（评价方案可调）：" + md_text(describe_rules(
    analysis.profile.lowland, construction_within_years=construction_years(
        analysis.profile, analysis.parcels, analysis.year))))
m1, m2, m3 = st.columns(3)
m1.metric(MAP_LAYERS["lowland"], f"{len(flagged):,} 宗")  # what the map's layer shows
m2.metric("低效用地面积", f"{flagged['land_mu'].sum():,.0f} 亩")
total_mu = analysis.parcels["land_mu"].sum()
m3.metric("占宗地总面积", f"{flagged['land_mu'].sum() / total_mu:.1%}" if total_mu > 0 else "—",
          help=None if total_mu > 0 else "没有宗地图形：低效用地按宗地认定")
tab_map, tab_reg, tab_prog, tab_scn = st.tabs(["地图与清单", "整治台账", "目标进度", "情景模拟"])
with tab_map:
    _map_and_list(analysis, flagged, key)
with tab_reg:
    register_tab(analysis, flagged, session_only=st.session_state.get(UPLOADED) is not None)
with tab_prog:
    if (ws := get_workspace()) is not None:
        _progress_tab(analysis, ws.register(register_scope(analysis)), key)
with tab_scn:
    scenario_panel(analysis, key)
