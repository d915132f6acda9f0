"""地图总览 — the layered map, results table and the selected entity's profile beside it."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import (
    SELECTED,
    asset_base,
    current_filters,
    get_catalog,
    get_selection,
    table_view,
    tianditu_key,
)
from app_pages.profile_panel import show_profile
from geo.labels import COLUMNS, LEVEL_LABELS, SCHEMATIC_NOTICE
from geo.zones.platforms import filter_platforms, load_belts, load_platforms
from geo.zones.selection import Filters
from layers.map import BASEMAPS, available_basemaps, build_map, selection_group
from layers.platforms import unplaced_table


@st.cache_resource(show_spinner=False)
def _plans_layers():
    """The belts and the other named platforms of the plans (read once)."""
    return load_belts(), load_platforms()


def _platforms(filters: Filters):
    """The platforms the sidebar's industry, district and name filters keep."""
    return filter_platforms(_plans_layers()[1], industries=tuple(filters.industries),
                            phrase=filters.phrase, district=filters.district,
                            name=filters.name)


def fresh_map(filters: Filters, basemap: str, key: str | None):
    """A new map each run: st_folium mutates what it renders, so a map object is never reused.
    Its element ids are stable, so an unchanged view does not remount in the browser."""
    catalog = get_catalog()
    return build_map(get_selection(filters), districts=catalog["district"],
                     basemap=basemap, tianditu_key=key, asset_base=asset_base(),
                     district=filters.district, platforms=_platforms(filters),
                     belts=_plans_layers()[0])


filters = current_filters()
key = tianditu_key()
options = available_basemaps(tianditu_key=key)
basemap = st.sidebar.selectbox("底图", options, key="basemap",
                               format_func=lambda k: BASEMAPS[k].label,
                               help="默认无底图，离线/内网可用；OpenStreetMap、高德需要外网；"
                                    "天地图需配置 TIANDITU_KEY。")
st.title("地图总览")
st.caption("一核四带二十区多点 · " + SCHEMATIC_NOTICE)
selection = get_selection(filters)
if BASEMAPS[basemap].gcj02:
    st.info("高德底图为 GCJ-02 坐标：叠加图层仅在显示时偏移到 GCJ-02，"
            "面积与导出仍按 WGS84/CGCS2000。")

left, right = st.columns([3, 2])
with left:
    fmap = fresh_map(filters, basemap, key if basemap == "tianditu" else None)
    current = st.session_state.get(SELECTED)
    extra = selection_group(selection, current, gcj02=BASEMAPS[basemap].gcj02) if current else None
    out = st_folium(fmap, key="overview", height=620, use_container_width=True,
                    returned_objects=["last_active_drawing"], feature_group_to_add=extra)
    clicked = (out or {}).get("last_active_drawing") or {}
    props = clicked.get("properties") or {}
    if props.get("level") in LEVEL_LABELS and props.get("id"):
        picked = (props["level"], props["id"])
        if picked != st.session_state.get("_last_click"):
            st.session_state["_last_click"] = picked
            st.session_state[SELECTED] = picked
            st.rerun()

with right:
    show_profile(get_catalog(), st.session_state.get(SELECTED))

st.subheader("筛选结果")
counts = " · ".join(f"{LEVEL_LABELS[lvl]} {len(gdf)}" for lvl, gdf in selection.items())
st.caption(counts or "未选择图层")
for level, gdf in selection.items():
    if gdf.empty:
        continue
    with st.expander(f"{LEVEL_LABELS[level]}（{len(gdf)}）", expanded=level == "zone"):
        view = table_view(gdf)
        if filters.phrase and "matched_text" in gdf:  # where the phrase stands in the plans
            view.insert(min(2, len(view.columns)), COLUMNS["matched_text"],
                        gdf["matched_text"].to_numpy())
        event = st.dataframe(view, hide_index=True, width="stretch",
                             on_select="rerun", selection_mode="single-row",
                             key=f"table_{level}")
        rows = event.selection.rows if event is not None else []
        picked = (level, str(gdf.iloc[rows[0]]["id"])) if rows else None
        # act only when the table's own selection changes, so a later map click wins
        if picked is not None and picked != st.session_state.get(f"_last_row_{level}"):
            st.session_state[f"_last_row_{level}"] = picked
            st.session_state[SELECTED] = picked
            st.rerun()
unplaced = unplaced_table(_platforms(filters))
if len(unplaced):
    with st.expander(f"规划中点名但未给出位置的平台（{len(unplaced)}，不在地图上）"):
        st.caption("规划文本没有给出这些平台的位置，本工具不为其虚构位置；有正式范围时可导入。")
        st.dataframe(unplaced, hide_index=True, width="stretch")
