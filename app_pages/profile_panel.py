"""The profile block shown beside the map and on the 园区档案 page."""

from __future__ import annotations

from functools import partial

import geopandas as gpd
import streamlit as st

from app_pages.common import catalog_at, data_key, md_escape
from app_pages.park_panel import efficiency_block
from geo.labels import (
    COLUMNS,
    LEVEL_LABELS,
    LOCATED_LABELS,
    PLATFORM_COLUMNS,
    RELATED_COLUMNS,
    REPORT_BUTTONS,
    labelled,
)
from geo.zones.plans import cite
from geo.zones.platforms import load_platforms, platforms_of
from geo.zones.profile import entity_profile
from geo.zones.report import profile_html


@st.cache_resource(show_spinner=False, max_entries=256)
def _profile(data_dir: str, level: str, entity_id: str):
    return entity_profile(catalog_at(data_dir), level, entity_id)


@st.cache_data(show_spinner="正在生成 PDF…", max_entries=32)
def _zone_pdf(data_dir: str, entity_id: str, key: str, _analysis) -> bytes:
    """The one-page PDF of a zone (with the 亩均 figures of ``_analysis``, keyed by ``key``)."""
    from geo.reports import zone_summary_pdf

    return zone_summary_pdf(entity_id, catalog_at(data_dir), analysis=_analysis)


def _active_analysis():
    """The analysis of an imported or stored dataset in use, or None (示例数据: not printed)."""
    from app_pages.analysis_state import UPLOADED, analysis_key, current_analysis
    from app_pages.workspace_state import chosen_dataset

    if st.session_state.get(UPLOADED) is None and chosen_dataset() is None:
        return None, ""
    analysis = current_analysis()
    return (None, "") if analysis.is_sample else (analysis, analysis_key())


@st.cache_resource(show_spinner=False)
def _all_platforms() -> gpd.GeoDataFrame:
    return load_platforms()


def _platforms_panel(layer: gpd.GeoDataFrame, entity_id: str) -> None:
    """The plans' other platforms tied to this entity (by the text, or inside / near it)."""
    row = layer[layer["id"] == entity_id].iloc[0]
    tied = platforms_of(_all_platforms(), row, entity_id)
    if tied.empty:
        return
    tied["located"] = tied["located"].map(LOCATED_LABELS)
    tied["source"] = [cite(s, int(n)) for s, n in zip(tied["seed"], tied["line"], strict=True)]
    st.markdown(f"**相关的规划平台（{len(tied)}）**")
    st.dataframe(labelled(tied.drop(columns=["seed", "line"]),
                          extra={**PLATFORM_COLUMNS, "relation": RELATED_COLUMNS["relation"],
                                 "source": COLUMNS["source"]}),
                 hide_index=True, width="stretch")


def show_profile(catalog: dict[str, gpd.GeoDataFrame], selected: tuple[str, str] | None, *,
                 full: bool = False) -> None:
    """Render the profile of ``selected`` (level, id), or a hint when nothing is selected."""
    if not selected:
        st.info("在地图上点击一个园区，或在下方表格中选择一行，即可在此查看档案。")
        return
    level, entity_id = selected
    if level not in LEVEL_LABELS or not (catalog[level]["id"] == entity_id).any():
        st.warning("所选条目已不在目录中，请重新选择。")
        return
    p = _profile(data_key(), level, entity_id)
    st.subheader(md_escape(p.name))
    st.caption(f"{LEVEL_LABELS[level]} · 编号 {md_escape(p.id)}")
    if "示意" in p.geometry_quality:
        st.warning(f"几何精度：{p.geometry_quality}。{p.geometry_note}")
    else:
        st.info(f"几何精度：{p.geometry_quality}")
    st.markdown("**面积**")
    st.dataframe(p.areas, hide_index=True, width="stretch")
    st.markdown("**产业（规划原文及出处）**")
    if p.industries.empty:
        st.caption("规划文本未对该条目列明产业。")
    else:
        st.dataframe(p.industries, hide_index=True, width="stretch")
    if level == "zone":
        st.markdown(f"**所含分片（{len(p.subzones)}）**")
        st.dataframe(p.subzones, hide_index=True, width="stretch")
    if full:  # the 亩均 figures of a zone / sub-zone / district (园区档案 page only)
        efficiency_block(catalog, level, entity_id)
    st.markdown("**范围内及邻近（2 公里）的其他条目**")
    st.dataframe(p.related, hide_index=True, width="stretch")
    _platforms_panel(catalog[level], entity_id)
    if full:
        st.markdown("**全部属性**")
        st.dataframe(p.attributes, hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    c1.download_button("下载一页式档案（HTML，可打印为 PDF）", profile_html(p).encode("utf-8"),
                       file_name=f"{p.id}_档案.html", mime="text/html",
                       key=f"dl_profile_{level}_{p.id}_{'full' if full else 'side'}")
    if level == "zone":
        analysis, key = _active_analysis()
        c2.download_button(REPORT_BUTTONS["profile_pdf"],
                           partial(_zone_pdf, data_key(), p.id, key, analysis),
                           file_name=f"{p.id}_档案.pdf", mime="application/pdf",
                           key=f"dl_profile_pdf_{p.id}_{'full' if full else 'side'}",
                           help="A4 一页，含区位示意图；有导入数据时附本集聚区亩均效益。")
