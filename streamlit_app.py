"""宁波工业空间规划工具 — entry point (a minimal catalogue page; the full app follows).

Run: .venv/bin/streamlit run streamlit_app.py
"""

from __future__ import annotations

import streamlit as st

from geo.catalog import LEVEL_LABELS, SCHEMATIC_NOTICE, load_catalog


@st.cache_resource(show_spinner="正在加载园区目录…")
def catalog():
    """Load and validate the catalogue once per process."""
    return load_catalog()


st.set_page_config(page_title="宁波工业空间规划工具", layout="wide")
st.title("宁波工业空间规划工具")
st.caption("一核四带二十区多点 · 数据来源：宁波市规划文本（见各条目 source 字段）")
st.warning(SCHEMATIC_NOTICE)

layers = catalog()
level = st.selectbox(
    "层级", [lvl for lvl in LEVEL_LABELS if lvl != "district"], format_func=LEVEL_LABELS.get
)
table = layers[level].drop(columns="geometry")
st.dataframe(table, hide_index=True, use_container_width=True)
st.caption(f"共 {len(table)} 条 · 几何精度：{'、'.join(sorted(set(table['geometry_quality'])))}")
