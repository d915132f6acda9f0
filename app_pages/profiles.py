"""园区档案 — a sortable table of one level and the full profile of one entity."""

from __future__ import annotations

import streamlit as st

from app_pages.common import SELECTED, current_filters, get_catalog, get_selection, table_view
from app_pages.profile_panel import show_profile
from geo.display_format import DECIMALS, table_format
from geo.labels import COLUMNS, LEVEL_LABELS, column_label
from geo.zones.selection import MAP_LEVELS

filters = current_filters()
catalog = get_catalog()
selection = get_selection(filters)
st.title("园区档案")
current = st.session_state.get(SELECTED)
levels = [lvl for lvl in MAP_LEVELS if lvl in selection] or list(MAP_LEVELS)
default = levels.index(current[0]) if current and current[0] in levels else 0
level = st.selectbox(COLUMNS["level_label"], levels, index=default, format_func=LEVEL_LABELS.get,
                     key="p_level")
gdf = selection.get(level)
if gdf is None:
    st.info("侧栏未选择该图层。")
    st.stop()
st.caption(f"共 {len(gdf)} 条（按侧栏筛选）· 点击表头可排序")
#: Areas with thousands separators and fixed decimals (km² 2, 亩 as every 亩 figure).
_AREAS = {"planned_area_km2": 2, "area_km2": 2, "area_mu": DECIMALS["land_mu"]}
st.dataframe(table_view(gdf), hide_index=True, width="stretch", key="p_table", column_config={
    column_label(c): st.column_config.NumberColumn(format=table_format(d))
    for c, d in _AREAS.items()})
if gdf.empty:
    st.stop()
ids = list(gdf["id"])
names = dict(zip(gdf["id"], gdf["name"], strict=True))
pick = current[1] if current and current[0] == level and current[1] in ids else ids[0]
entity = st.selectbox("查看档案", ids, index=ids.index(pick), key="p_entity",
                      format_func=lambda i: f"{i} {names[i]}")
st.session_state[SELECTED] = (level, entity)
st.divider()
show_profile(catalog, (level, entity), full=True)
