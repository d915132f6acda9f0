"""亩均效益 — choropleth of one indicator, ranking table and chart, class distribution."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import (
    analysis_key,
    asset_base,
    current_analysis,
    data_banner,
    get_catalog,
)
from geo.efficiency import LEVEL_NAMES, level_table
from geo.export import export_bytes
from geo.metrics import INDICATORS
from layers.efficiency import build_choropleth


@st.cache_resource(show_spinner="正在汇总…", max_entries=16)
def _table(key: str, level: str):
    return level_table(current_analysis(), get_catalog(), level=level)


@st.cache_data(show_spinner="正在生成文件…", max_entries=32)
def _export(key: str, level: str, fmt: str) -> bytes:
    analysis = current_analysis()
    meta = {"层级": LEVEL_NAMES[level], "数据性质": analysis.data_label,
            "评价方案": analysis.profile.name}
    return export_bytes(_table(key, level), fmt, metadata=meta)


st.title("亩均效益")
analysis = current_analysis()
data_banner(analysis)
c1, c2 = st.columns(2)
level = c1.selectbox("汇总层级", list(LEVEL_NAMES), format_func=LEVEL_NAMES.get, key="e_level")
metric = c2.selectbox("指标", list(INDICATORS), key="e_metric",
                      format_func=lambda k: f"{INDICATORS[k].label}（{INDICATORS[k].unit}）")
ind = INDICATORS[metric]
table = _table(analysis_key(), level)
st.caption("汇总值为“比值之和”（Σ分子/Σ分母，按用地面积加权），仅计入同时填报分子与分母的企业；"
           "“数据覆盖率”为有企业数据的宗地面积占比。")

if level != "city":
    fmap = build_choropleth(table, metric=metric, label=ind.label, unit=ind.unit,
                            data_label=analysis.data_label, districts=get_catalog()["district"],
                            asset_base=asset_base())
    st_folium(fmap, key=f"choro_{level}_{metric}", height=520, use_container_width=True,
              returned_objects=[])

ranked = table.drop(columns=table.geometry.name).sort_values(metric, ascending=False)
show = ranked[["unit_name", metric, "enterprise_count", "above_scale_count", "coverage_share",
               "class_A_count", "class_B_count", "class_C_count", "class_D_count",
               "low_eff_land_mu"]]
left, right = st.columns([3, 2])
with left:
    st.subheader("排名")
    st.dataframe(show.rename(columns={
        "unit_name": "单元", metric: f"{ind.label}（{ind.unit}）", "enterprise_count": "企业数",
        "above_scale_count": "规上", "coverage_share": "数据覆盖率", "class_A_count": "A",
        "class_B_count": "B", "class_C_count": "C", "class_D_count": "D",
        "low_eff_land_mu": "低效用地（亩）"}), hide_index=True, width="stretch",
        column_config={"数据覆盖率": st.column_config.ProgressColumn(min_value=0, max_value=1,
                                                                   format="percent"),
                       f"{ind.label}（{ind.unit}）": st.column_config.NumberColumn(format="%.2f"),
                       "低效用地（亩）": st.column_config.NumberColumn(format="%.1f")})
with right:
    st.subheader("排名图（前 20）")
    top = ranked.dropna(subset=[metric]).head(20).set_index("unit_name")[[metric]]
    st.bar_chart(top, horizontal=True, y_label="", x_label=f"{ind.label}（{ind.unit}）")
    st.subheader("企业评价类别分布")
    ent = analysis.enterprises
    dist = ent.dropna(subset=["class"]).groupby(["class", "track"]).size().unstack(fill_value=0)
    st.bar_chart(dist, x_label="类别", y_label="企业数")
    st.caption(f"评价方案：{analysis.profile.name}；未参评 {int(ent['class'].isna().sum())} 家"
               "（无用地数据或规模未知）。")

st.subheader("导出")
cols = st.columns(4)
for col, fmt in zip(cols, ("xlsx", "csv", "geojson", "gpkg"), strict=True):
    col.download_button(fmt.upper(), _export(analysis_key(), level, fmt),
                        file_name=f"亩均效益_{LEVEL_NAMES[level]}.{fmt}", key=f"e_dl_{fmt}")
