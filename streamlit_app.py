"""宁波工业空间规划工具 — entry point: page setup and navigation only.

Run: .venv/bin/streamlit run streamlit_app.py   (pages live in app_pages/)
"""

from __future__ import annotations

import streamlit as st

from app_pages.auth import sidebar_account
from app_pages.common import FILTERS, asset_base, get_catalog, sidebar_filters
from app_pages.stored_analysis import warm_newest

# Page icons from the Material Symbols font Streamlit serves itself: an emoji needs a
# colour-emoji font, which many office Linux desktops lack (they would show empty boxes). The
# browser tab's icon stays an emoji: a Material page_icon is fetched from Google's font CDN.
st.set_page_config(page_title="宁波工业空间规划工具", page_icon="🏭", layout="wide")
get_catalog()
asset_base()  # copies Leaflet into static/ once, so the map needs no CDN
warm_newest()  # the newest stored dataset analysed in the background, once per server

pages = st.navigation({
    "产业空间": [
        st.Page("app_pages/map_view.py", title="地图总览", icon=":material/map:", default=True),
        st.Page("app_pages/profiles.py", title="园区档案", icon=":material/description:"),
        st.Page("app_pages/plan_indicators.py", title="规划指标", icon=":material/flag:"),
        st.Page("app_pages/reports.py", title="批量报告", icon=":material/print:"),
        st.Page("app_pages/export.py", title="导出", icon=":material/download:"),
    ],
    "亩均论英雄": [
        st.Page("app_pages/efficiency.py", title="亩均效益", icon=":material/bar_chart:"),
        st.Page("app_pages/years.py", title="多年度对比", icon=":material/trending_up:"),
        st.Page("app_pages/lowland.py", title="低效用地", icon=":material/domain_disabled:"),
        st.Page("app_pages/raster.py", title="栅格分析", icon=":material/satellite_alt:"),
        st.Page("app_pages/data_import.py", title="数据导入", icon=":material/upload_file:"),
        st.Page("app_pages/workspace.py", title="工作区", icon=":material/storage:"),
    ],
})
st.sidebar.caption("宁波工业空间规划工具 · 一核四带二十区多点")
sidebar_account()  # 登录 / 用户与角色, on every page (app_pages/auth.py)
st.session_state[FILTERS] = sidebar_filters()  # drawn here so they persist across pages
if pages.title in ("亩均效益", "多年度对比", "低效用地", "栅格分析", "数据导入", "工作区"):
    st.sidebar.caption("以上筛选作用于“产业空间”各页；亩均分析按所导入的全部数据计算。")
pages.run()
