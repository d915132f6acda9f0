"""亩均效益 — choropleth of one indicator, ranking table and chart, class distribution; below,
one of: the evaluation list, why-this-class and robustness, the park classes."""

from __future__ import annotations

from functools import partial

import streamlit as st

from app_pages.analysis_state import data_banner
from app_pages.charts import horizontal_bars
from app_pages.common import asset_base, get_catalog
from app_pages.enterprise_panel import enterprise_section, keep_filters
from app_pages.explain_panel import explain_section
from app_pages.import_choices import md_text
from app_pages.map_component import RenderedMap, render_map, show_map
from app_pages.park_panel import park_section
from app_pages.raster_state import judged_analysis
from geo.display_format import DECIMALS, PERCENT_STEP, format_number, table_format
from geo.export import export_bytes
from geo.labels import (
    COLUMNS,
    RANKING_TEXTS,
    TARGET_COLUMNS,
    UNIT_LEVELS,
    column_label,
    labelled,
)
from geo.landuse.metrics import INDICATORS
from geo.landuse.pipeline import Analysis
from geo.landuse.scheme_report import missing_rule_text
from geo.landuse.tables import (
    EXEMPT,
    UNCLASSED,
    class_or_status,
    level_table,
    rank_units,
    ranked_export,
)
from layers.efficiency import build_choropleth

#: Columns of the ranking after the indicator, and the decimals each is shown with.
_RANK_COLUMNS = {"enterprise_count": DECIMALS["count"], "above_scale_count": DECIMALS["count"],
                 "coverage_share": None, "class_A_count": DECIMALS["count"],
                 "class_B_count": DECIMALS["count"], "class_C_count": DECIMALS["count"],
                 "class_D_count": DECIMALS["count"], "low_eff_land_mu": DECIMALS["land_mu"]}


# Cached views are keyed by the analysis key (which changes with the data) and the view's own
# arguments; the analysis and catalogue are passed in (underscore: not hashed), never read from
# session state inside.
@st.cache_resource(show_spinner="正在汇总…", max_entries=16)
def _table(key: str, level: str, _analysis: Analysis, _catalog):
    return level_table(_analysis, _catalog, level=level)


@st.cache_resource(show_spinner=False, max_entries=64)
def _ranking(key: str, level: str, metric: str, _analysis: Analysis, _catalog):
    return rank_units(_table(key, level, _analysis, _catalog), metric)


@st.cache_resource(show_spinner="正在绘制地图…", max_entries=32)
def _choropleth(key: str, level: str, metric: str, _analysis: Analysis, _catalog) -> RenderedMap:
    """The indicator's map of the level table, rendered once for every session."""
    ind = INDICATORS[metric]
    fmap = build_choropleth(_table(key, level, _analysis, _catalog), metric=metric,
                            label=ind.label, unit=ind.unit, data_label=_analysis.data_label,
                            districts=_catalog["district"], asset_base=asset_base())
    return render_map(fmap, height=520, returned_objects=[])


# Built on the click (a callable given to the download button, run by Streamlit off the
# script thread: no spinner) and kept per analysis, level, indicator and format for every session.
@st.cache_data(show_spinner=False, max_entries=32)
def _export(key: str, level: str, metric: str, fmt: str, _analysis: Analysis, _catalog) -> bytes:
    """The level table ranked by ``metric`` (units without it last, without a rank)."""
    rows, notes = ranked_export(*_ranking(key, level, metric, _analysis, _catalog), _analysis,
                                level=level, metric=metric)
    return export_bytes(rows, fmt, notes=notes)


def _no_data(ind, values, level: str, ent) -> bool:
    """Say plainly that an indicator has no value at all for the data shown (no empty chart),
    and why: no enterprise has both figures, or none is placed in a unit of this level."""
    if values.notna().any():
        return False
    num, den = column_label(ind.numerator), column_label(ind.denominator)
    both = {ind.numerator, ind.denominator} <= set(ent.columns) and bool(
        (ent[ind.numerator].notna() & ent[ind.denominator].notna()).any())
    if both:
        st.info(f"在「{UNIT_LEVELS[level]}」层级没有可计算的「{ind.label}」：企业未落在任何"
                f"{UNIT_LEVELS[level]}中（例如只按乡镇（街道）归入区县，或未定位）；请改选"
                f"「{UNIT_LEVELS['district']}」或「{UNIT_LEVELS['city']}」层级。")
    else:
        st.info(f"本数据没有可计算的「{ind.label}」：没有一家企业同时具备{num}与{den}"
                f"（{ind.label} = {num} ÷ {den}），故不显示其地图与排名图。")
    return True


st.title("亩均效益")
analysis, key, evidence_note = judged_analysis()  # 低效用地 as on its own page
data_banner(analysis)
if evidence_note:
    st.caption(md_text(evidence_note))
c1, c2 = st.columns(2)
level = c1.selectbox("汇总层级", list(UNIT_LEVELS), format_func=UNIT_LEVELS.get, key="e_level")
metric = c2.selectbox(TARGET_COLUMNS["label"], list(INDICATORS), key="e_metric",
                      format_func=lambda k: f"{INDICATORS[k].label}（{INDICATORS[k].unit}）")
ind = INDICATORS[metric]
table = _table(key, level, analysis, get_catalog())
st.caption("汇总值为“比值之和”（Σ分子/Σ分母，按用地面积加权），仅计入同时填报分子与分母的企业；"
           "“数据覆盖率”为有企业数据的宗地面积占比。")

empty = _no_data(ind, table[metric], level, analysis.enterprises)
if level != "city" and not empty:
    show_map(_choropleth(key, level, metric, analysis, get_catalog()),
             key=f"choro_{level}_{metric}")

ranked, missing = _ranking(key, level, metric, analysis, get_catalog())
city = _table(key, "city", analysis, get_catalog())[metric].iloc[0]
m1, m2, m3 = st.columns(3)  # headline figures in the tables' own format
m1.metric(RANKING_TEXTS["city_metric"].format(label=ind.label, unit=ind.unit),
          format_number(city, DECIMALS["indicator"]))
m2.metric(RANKING_TEXTS["ranked_metric"].format(level=UNIT_LEVELS[level]), f"{len(ranked):,}")
m3.metric(RANKING_TEXTS["missing_metric"], f"{len(missing):,}")
st.subheader("排名")
st.dataframe(labelled(ranked, ["rank", "unit_name", metric, *_RANK_COLUMNS]),
             hide_index=True, width="stretch", column_config={  # the page's width: 11 columns
    column_label("rank"): st.column_config.NumberColumn(format=table_format(0)),
    column_label(metric): st.column_config.NumberColumn(
        format=table_format(DECIMALS["indicator"])),
    column_label("coverage_share"): st.column_config.ProgressColumn(
        min_value=0, max_value=1, format="percent", step=PERCENT_STEP),
    **{column_label(c): st.column_config.NumberColumn(format=table_format(d))
       for c, d in _RANK_COLUMNS.items() if d is not None}})
if len(missing):
    with st.expander(RANKING_TEXTS["missing_title"].format(count=len(missing))):
        st.caption(RANKING_TEXTS["missing_note"].format(label=ind.label))
        st.dataframe(labelled(missing, ["unit_name", "no_data_reason", "enterprise_count",
                                        "coverage_share"]),
                     hide_index=True, width="stretch", column_config={
            column_label("enterprise_count"): st.column_config.NumberColumn(
                format=table_format(0)),
            column_label("coverage_share"): st.column_config.ProgressColumn(
                min_value=0, max_value=1, format="percent", step=PERCENT_STEP)})
left, right = st.columns(2)
with left:
    if not empty:
        st.subheader("排名图（前 20）")
        top = ranked.head(20)
        st.altair_chart(horizontal_bars(
            top["unit_name"], top[metric], value_title=f"{ind.label}（{ind.unit}）",
            name_title=UNIT_LEVELS[level], decimals=DECIMALS["indicator"], rank=top["rank"],
            rank_title=COLUMNS["rank"]), width="stretch")
with right:
    st.subheader("企业评价类别分布")
    ent = analysis.enterprises
    dist = ent.dropna(subset=["class"]).groupby(["class", "track"]).size().unstack(fill_value=0)
    if dist.empty:
        why = "、".join(n for n in ent["class_note"].dropna().unique()[:3] if n) or "没有企业数据"
        st.info(f"本数据没有已评价的企业：{why}，故不显示类别分布。")
    else:
        st.bar_chart(dist, x_label="类别", y_label=COLUMNS["enterprise_count"])
    status = class_or_status(ent)
    st.caption(f"评价方案：{md_text(analysis.profile.name)}；免评 {int(status.eq(EXEMPT).sum())} 家"
               f"（单列，不排名）；未参评 {int(status.eq(UNCLASSED).sum())} 家（原因见评价说明）；"
               f"缺项处理：{missing_rule_text(analysis.profile)}。")

st.subheader("导出汇总")
cols = st.columns(4)
for col, fmt in zip(cols, ("xlsx", "csv", "geojson", "gpkg"), strict=True):
    col.download_button(fmt.upper(), partial(_export, key, level, metric, fmt, analysis,
                                             get_catalog()),
                        file_name=f"亩均效益_{UNIT_LEVELS[level]}_{ind.label}.{fmt}",
                        key=f"e_dl_{fmt}")

keep_filters()
section = st.segmented_control(
    "下方显示", ["企业评价清单", "类别说明与稳健性", "园区评价"], default="企业评价清单",
    key="e_section") or "企业评价清单"
if section == "企业评价清单":
    enterprise_section(analysis, key)
elif section == "类别说明与稳健性":
    explain_section(analysis, key)
else:
    park_section(analysis, get_catalog(), level, key=key)

