"""地图总览 — the layered map, results table and the selected entity's profile beside it."""

from __future__ import annotations

from functools import partial

import streamlit as st

from app_pages.common import (
    SELECTED,
    asset_base,
    catalog_at,
    current_filters,
    data_key,
    get_catalog,
    get_selection,
    selection_at,
    table_view,
    tianditu_key,
)
from app_pages.map_component import RenderedMap, render_map, show_map
from app_pages.profile_panel import show_profile
from geo.labels import (
    COLUMNS,
    DISTRICT_BOUNDARY_SOURCE,
    LEVEL_LABELS,
    MAP_UI_TEXTS,
    SCHEMATIC_NOTICE,
)
from geo.zones.at_point import features_at
from geo.zones.platforms import filter_platforms, load_belts, load_platforms
from geo.zones.selection import Filters, describe_filters
from layers.map import BASEMAPS, available_basemaps, build_map, selection_group
from layers.platforms import unplaced_table

#: Session-state keys: the last map click (lat, lng), the features under it, and whether the
#: next run should fit the map to the selected entity (set by a table row).
CLICK, UNDER_CLICK, FIT_SELECTED = "_map_click", "_map_under_click", "_map_fit_selected"


@st.cache_data(show_spinner="正在绘制地图…", max_entries=16)
def _map_file(data_dir: str, filters: Filters, fmt: str) -> bytes:
    """The filtered selection as a printable map (PNG or PDF), drawn without a browser."""
    from geo.reports.mapfig import selection_map

    subtitle = "；".join(f"{k}：{v}" for k, v in describe_filters(filters).items() if v)
    return selection_map(selection_at(data_dir, filters), catalog_at(data_dir)["district"],
                         title="宁波市工业空间布局（一核四带二十区多点）", subtitle=subtitle,
                         notice=f"{SCHEMATIC_NOTICE} 区县边界：{DISTRICT_BOUNDARY_SOURCE}。",
                         fmt=fmt)


@st.cache_resource(show_spinner=False)
def _plans_layers():
    """The belts and the other named platforms of the plans (read once per process)."""
    return load_belts(), load_platforms()


def _platforms(filters: Filters):
    """The platforms the sidebar's industry, district and name filters keep."""
    return filter_platforms(_plans_layers()[1], industries=tuple(filters.industries),
                            phrase=filters.phrase, district=filters.district,
                            name=filters.name)


def _narrowed(filters: Filters) -> bool:
    """Whether the filters keep part of the catalogue (then the map fits what they keep)."""
    return bool(filters.industries or filters.phrase or filters.belt or filters.district
                or filters.name)


def fresh_map(data: str, filters: Filters, basemap: str, key: str | None):
    """A new map of the view of data folder ``data`` (rendering uses a map up, so a map object
    is never reused). Its element ids are stable, so an unchanged view does not remount."""
    catalog = catalog_at(data)
    return build_map(selection_at(data, filters), districts=catalog["district"],
                     basemap=basemap, tianditu_key=key, asset_base=asset_base(),
                     district=filters.district, platforms=_platforms(filters),
                     belts=_plans_layers()[0], fit_selection=_narrowed(filters))


@st.cache_resource(show_spinner="正在绘制地图…", max_entries=32)
def _overview(data: str, filters: Filters, basemap: str, key: str | None) -> RenderedMap:
    """The overview map of data folder ``data`` and the view, rendered once for every session."""
    return render_map(fresh_map(data, filters, basemap, key), height=620,
                      returned_objects=["last_clicked"])


def _on_click(out: dict | None, selection, *, gcj02: bool) -> None:
    """A new click on the map: list every feature under it and select the topmost."""
    click = (out or {}).get("last_clicked") or {}
    if click.get("lat") is None or click.get("lng") is None:
        return
    point = (float(click["lat"]), float(click["lng"]))
    if point == st.session_state.get(CLICK):
        return
    st.session_state[CLICK] = point
    under = features_at(selection, point[1], point[0], gcj02=gcj02)
    st.session_state[UNDER_CLICK] = list(under[["level", "id", "level_label", "name"]]
                                         .itertuples(index=False, name=None))
    if len(under):
        st.session_state[SELECTED] = (under["level"].iloc[0], under["id"].iloc[0])
    st.rerun()


def _pick_under_click(selection) -> None:
    """Offer every feature under the last click when there are several (topmost first)."""
    under = st.session_state.get(UNDER_CLICK)
    if under is None:
        return
    shown = {(level, str(i)) for level, gdf in selection.items() for i in gdf["id"]}
    under = [u for u in under if (u[0], u[1]) in shown]  # a later filter may hide some
    if not under:
        st.caption(MAP_UI_TEXTS["nothing_here"])
        return
    if len(under) < 2:
        return
    options = [(level, entity) for level, entity, _, _ in under]
    names = {(level, entity): f"{label} · {name}（{entity}）"
             for level, entity, label, name in under}
    current = st.session_state.get(SELECTED)
    pick_key = f"map_pick_{abs(hash(st.session_state.get(CLICK)))}"

    def picked() -> None:
        st.session_state[SELECTED] = st.session_state[pick_key]

    st.radio(MAP_UI_TEXTS["overlap"].format(n=len(under)), options, key=pick_key,
             index=options.index(current) if current in options else 0,
             format_func=names.get, on_change=picked)


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

gcj = BASEMAPS[basemap].gcj02
left, right = st.columns([3, 2])
with left:
    rendered = _overview(data_key(), filters, basemap, key if basemap == "tianditu" else None)
    current = st.session_state.get(SELECTED)
    fit = bool(st.session_state.pop(FIT_SELECTED, False))
    extra = selection_group(selection, current, gcj02=gcj, fit=fit) if current else None
    out = show_map(rendered, key="overview", feature_group_to_add=extra)
    _on_click(out, selection, gcj02=gcj)
    st.caption(MAP_UI_TEXTS["labels_note"])
    d1, d2, _ = st.columns([1, 1, 1])  # wide enough for the whole label
    for col, fmt in ((d1, "png"), (d2, "pdf")):
        col.download_button(f"导出地图（{fmt.upper()}）",
                            partial(_map_file, data_key(), filters, fmt),
                            file_name=f"宁波工业空间.{fmt}",
                            mime="image/png" if fmt == "png" else "application/pdf",
                            key=f"map_export_{fmt}",
                            help="当前筛选结果的范围，含图例、比例尺、指北针、标题、日期与数据说明")

with right:
    _pick_under_click(selection)
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
            st.session_state[FIT_SELECTED] = True  # the map shows the chosen row
            st.session_state.pop(UNDER_CLICK, None)
            st.rerun()
unplaced = unplaced_table(_platforms(filters))
if len(unplaced):
    with st.expander(f"规划中点名但未给出位置的平台（{len(unplaced)}，不在地图上）"):
        st.caption("规划文本没有给出这些平台的位置，本工具不为其虚构位置；有正式范围时可导入。")
        st.dataframe(unplaced, hide_index=True, width="stretch")
