"""导出 — the filtered selection as CSV / Excel / GeoJSON / GeoPackage (same writer as the CLI)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app_pages.common import current_filters, data_key, get_selection, selection_at
from geo.export import FORMATS, export_bytes
from geo.labels import COLUMNS, FORMAT_LABELS, HEADER_LANGUAGES, LEVEL_LABELS, SCHEMATIC_NOTICE
from geo.zones.catalog import export_notes
from geo.zones.plans import with_titles
from geo.zones.selection import Filters, describe_filters

MIME = {"csv": "text/csv", "geojson": "application/geo+json",
        "gpkg": "application/geopackage+sqlite3",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@st.cache_data(show_spinner="正在生成文件…", max_entries=64)
def _file(data_dir: str, filters: Filters, level: str, fmt: str, lang: str) -> bytes:
    notes = export_notes({COLUMNS["level_label"]: LEVEL_LABELS[level], **describe_filters(filters)})
    return export_bytes(with_titles(selection_at(data_dir, filters)[level]), fmt, lang=lang,
                        notes=notes)


filters = current_filters()
selection = get_selection(filters)
st.title("导出")
st.warning(SCHEMATIC_NOTICE)
if not selection:
    st.info("侧栏未选择任何图层。")
    st.stop()
level = st.selectbox(COLUMNS["level_label"], list(selection), format_func=LEVEL_LABELS.get,
                     key="x_level")
lang = st.radio(HEADER_LANGUAGES["title"], ["zh", "en"], horizontal=True, key="x_lang",
                format_func=HEADER_LANGUAGES.get)
gdf = selection[level]
st.caption(f"{LEVEL_LABELS[level]}：{len(gdf)} 条 · 筛选条件写入 Excel“说明”页")
st.table({"筛选": list(describe_filters(filters).keys()),
          "条件": list(describe_filters(filters).values())})
stamp = dt.date.today().strftime("%Y%m%d")
cols = st.columns(len(FORMATS))
ordered = sorted(set(FORMATS.values()), key=list(FORMAT_LABELS).index)
for col, fmt in zip(cols, ordered, strict=True):
    with col:
        st.download_button(FORMAT_LABELS[fmt], _file(data_key(), filters, level, fmt, lang),
                           file_name=f"宁波工业空间_{LEVEL_LABELS[level]}_{stamp}.{fmt}",
                           mime=MIME[fmt], key=f"dl_{fmt}", disabled=gdf.empty)
