"""The 分区统计 view of 栅格分析: zonal statistics of the chosen raster by 分片 / 集聚区 / 区县 /
宗地 or an uploaded polygon layer, shown with its notes and exported with its 说明."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import streamlit as st

from app_pages.common import get_catalog
from app_pages.import_choices import md_text, shown
from app_pages.raster_state import RASTER_FAULTS, RasterChoice, choose_polygons, problem_text
from geo.export import table_bytes
from geo.labels import ZONAL_COLUMNS, ZONAL_LEVEL_LABELS
from geo.raster.levels import (
    DEFAULT_STATS,
    ZONAL_LEVELS,
    ZONAL_STATS,
    raster_info,
    read_polygons,
    zonal_notes,
    zonal_table,
)
from geo.zones.catalog import CATALOG_SOURCES

__all__ = ["zonal_view"]


@st.cache_data(show_spinner="正在计算分区统计…", max_entries=16)
def _zonal(path: str, level: str, stats: tuple[str, ...], categorical: bool, key: str,
           polygons_path: str, _parcels, _catalog):
    """Zonal table, its notes and the 说明 of its export (``key``: the analysis, for parcels;
    ``polygons_path``: an uploaded layer, stored under its content hash)."""
    polygons = read_polygons(polygons_path) if level == "polygons" else None
    table, lines = zonal_table(path, level, stats=stats, catalog=_catalog,
                               parcels=_parcels if level == "parcel" else None,
                               polygons=polygons, categorical=categorical)
    source = {"parcel": "当前亩均分析的宗地",
              "polygons": Path(polygons_path).name}.get(level, CATALOG_SOURCES)
    return table, lines, zonal_notes(raster_info(path), level, source, lines)


@st.cache_data(show_spinner="正在生成文件…", max_entries=16)
def _zonal_file(fmt: str, key: tuple, _table, _notes) -> bytes:
    """The zonal table as CSV or Excel, once per its inputs ``key`` (raster, level, stats …)."""
    return table_bytes(_table, fmt, notes=_notes)


def zonal_view(analysis, key: str, choice: RasterChoice, names: dict[str, str]) -> None:
    """Draw the view: level, statistics, the table, its notes and downloads."""
    c1, c2, c3 = st.columns([1, 2, 1])
    level = c1.selectbox("统计单元", list(ZONAL_LEVELS), format_func=ZONAL_LEVEL_LABELS.get,
                         key="rz_level")
    stats = c2.multiselect("统计量", list(ZONAL_STATS), default=list(DEFAULT_STATS),
                           format_func=ZONAL_COLUMNS.get, key="rz_stats")
    categorical = c3.checkbox("分类栅格（统计各类占比）", key="rz_cat",
                              help="如土地利用/覆盖：按类别值统计面积占比，占比之和为 1")
    if not stats and not categorical:
        st.info("请至少选择一个统计量。")
        return
    polygons_path, names = "", dict(names)
    if level == "polygons":
        if (uploaded := choose_polygons("rz")) is None:
            return
        polygons_path, names[uploaded[0].name] = str(uploaded[0]), uploaded[1]
        names[str(uploaded[0])] = uploaded[1]
    try:
        table, notes, export_notes = _zonal(str(choice.path), level, tuple(stats), categorical,
                                            key if level == "parcel" else "", polygons_path,
                                            analysis.parcels, get_catalog())
    except RASTER_FAULTS as err:
        st.error(problem_text(err, names))
        return
    notes = [str(shown(line, names)) for line in notes]
    export_notes = replace(export_notes, sources=str(shown(export_notes.sources, names)),
                           geometry=str(shown(export_notes.geometry, names)),
                           extra={k: shown(v, names) for k, v in export_notes.extra.items()})
    formats = {ZONAL_COLUMNS[c]: f for c, f in (("mean", "%.2f"), ("sum", "%.2f"),
               ("min", "%.2f"), ("max", "%.2f"), ("count", "%.1f"), ("valid_share", "percent"))}
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        c: st.column_config.NumberColumn(format=f) for c, f in formats.items()
        if c in table.columns})
    with st.expander("统计说明（单位、数据性质、方法、几何精度）", expanded=False):
        for line in notes:
            st.caption(md_text(line))
    c1, c2 = st.columns(2)
    name = f"分区统计_{ZONAL_LEVEL_LABELS[level]}"
    inputs = (str(choice.path), level, tuple(stats), categorical, key, polygons_path,
              tuple(sorted(names.items())))  # the shown names are in the file's 说明
    c1.download_button("导出（Excel，含“说明”页）",
                       _zonal_file("xlsx", inputs, table, export_notes),
                       file_name=f"{name}.xlsx", key="rz_xlsx")
    c2.download_button("导出（CSV）", _zonal_file("csv", inputs, table, export_notes),
                       file_name=f"{name}.csv", key="rz_csv")
