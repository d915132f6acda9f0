"""栅格分析 — 亩均 surfaces of the analysed parcels, zonal statistics of any GeoTIFF by level, and
a built-up-share raster as evidence for the 低效用地 rules."""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st
from streamlit_folium import st_folium

from app_pages.analysis_state import analysis_key, current_analysis, data_banner
from app_pages.common import asset_base, get_catalog
from app_pages.import_choices import md_text
from app_pages.raster_state import (
    EVIDENCE,
    RASTER_FAULTS,
    RasterChoice,
    check_evidence,
    choose_raster,
    evidence_of,
    problem_text,
)
from app_pages.raster_zonal import zonal_view
from geo.labels import RASTER_VIEWS
from geo.landuse.lowland import percent_text
from geo.raster.evidence import BUILT_UNITS, raster_unit
from geo.raster.levels import (
    parse_classes,
    raster_info,
)
from geo.raster.surface import (
    DEFAULT_NODATA,
    SURFACE_METRICS,
    metric_values,
    parcel_surface,
    surface_cog_bytes,
)
from layers.raster import build_raster_map, read_overlay_source

#: Most distinct values a raster may hold to be drawn as classes.
MAX_SHOWN_CLASSES = 30
#: Classes of a percent raster (built-up share): fixed, so 0 % land does not swallow the legend.
PERCENT_BREAKS = (0.0, 10.0, 20.0, 30.0, 40.0, 60.0, 100.0)


@st.cache_resource(show_spinner="正在生成曲面…", max_entries=8)
def _surface(key: str, metric: str, res: float, _analysis):
    return parcel_surface(_analysis.parcels, metric, resolution_m=res)


def _cog_bytes(key: str, metric: str, res: float, analysis) -> bytes:
    """The surface as a Cloud-Optimized GeoTIFF (built when the download is asked for)."""
    array, transform, crs, spec = _surface(key, metric, res, analysis)
    return surface_cog_bytes(array, transform, crs, spec, nature=analysis.data_label,
                             year=analysis.year or "未注明")


@st.cache_resource(show_spinner="正在读取栅格…", max_entries=4)
def _raster_source(path: str, categorical: bool):
    """Band 1 read for display (decimated to the map's size; classes by nearest)."""
    return read_overlay_source(path, categorical=categorical)


def names_of(choice: RasterChoice) -> dict[str, str]:
    """Stored path and name → the upload's own name, for every message and note."""
    return {str(choice.path): choice.shown_name, choice.path.name: choice.shown_name}


def _surface_tab(analysis, key: str) -> None:
    c1, c2, c3 = st.columns([2, 1, 1])
    metric = c1.selectbox("曲面指标", list(SURFACE_METRICS),
                          format_func=lambda m: SURFACE_METRICS[m].label, key="rs_metric")
    res = c2.number_input("分辨率（米）", min_value=30, max_value=1000, value=100, step=10,
                          key="rs_res",
                          help="CGCS2000 / EPSG:4549 格网；每格取覆盖宗地的面积加权值")
    opacity = c3.slider("不透明度", 0.1, 1.0, 0.75, 0.05, key="rs_opacity")
    try:
        array, transform, crs, spec = _surface(key, metric, float(res), analysis)
        fmap, info = build_raster_map(array, transform, crs, nodata=DEFAULT_NODATA,
                                      name=spec.label, unit=spec.unit, nature=analysis.data_label,
                                      opacity=opacity, classes=spec.classes or None,
                                      districts=get_catalog()["district"],
                                      asset_base=asset_base())
    except RASTER_FAULTS as err:  # located errors name the fix; others are said plainly
        st.error(problem_text(err, {}))
        return
    valid = int((array != DEFAULT_NODATA).sum())
    parcels = len(analysis.parcels)
    with_value = int(metric_values(analysis.parcels, metric).notna().sum()) if parcels else 0
    st_folium(fmap, key="raster_surface_map", height=560, use_container_width=True,
              returned_objects=[])
    shown = f"；显示分辨率约 {info.cell_m:,.0f} 米" if info.downsampled else ""
    st.caption(f"格网 {array.shape[1]:,} × {array.shape[0]:,}（{res} 米，EPSG:4549），"
               f"有值格 {valid:,} 个{shown}。{md_text(spec.label)}：每格为覆盖该格的宗地"
               + ("面积最大者的类别" if spec.how == "majority" else "按面积加权的值")
               + "，无宗地的格为无数据（透明）。"
               + (f"{parcels - with_value:,} 宗宗地没有该指标的数值，未画入。"
                  if with_value < parcels else ""))
    st.download_button("下载曲面（Cloud-Optimized GeoTIFF）",
                       partial(_cog_bytes, key, metric, float(res), analysis),
                       file_name=f"{spec.label}_{int(res)}m.tif", mime="image/tiff",
                       key="rs_dl")


def _raster_map(choice: RasterChoice) -> None:
    c1, c2 = st.columns([3, 1])
    opacity = c1.slider("不透明度", 0.1, 1.0, 0.75, 0.05, key="rr_opacity")
    try:
        tags = raster_info(str(choice.path)).tags
        classes = parse_classes(tags["CLASSES"]) if tags.get("CLASSES") else None
        categorical = c2.checkbox("分类栅格", value=classes is not None, key="rr_cat",
                                  help="如土地利用/覆盖：按类别着色，缩小显示时取最近像元，不求平均")
        array, transform, crs, nodata, tags = _raster_source(str(choice.path), categorical)
        if categorical and classes is None:
            values = np.unique(array[np.isfinite(array) & (array != nodata)])
            if len(values) > MAX_SHOWN_CLASSES:
                st.warning(f"该栅格有 {len(values):,} 个不同的值，不像分类栅格：按数值显示。")
            else:
                classes = {float(v): str(v) for v in values}
        percent = raster_unit(tags) == "percent"
        fmap, info = build_raster_map(
            array, transform, crs, nodata=nodata, name=choice.shown_name,
            breaks=PERCENT_BREAKS if percent and not classes else None,
            classes=classes if categorical else None, unit=tags.get("UNIT", "未注明"),
            nature=tags.get("DATA_NATURE", "未注明"), opacity=opacity,
            districts=get_catalog()["district"], asset_base=asset_base())
    except RASTER_FAULTS as err:
        st.error(problem_text(err, names_of(choice)))
        return
    st_folium(fmap, key="raster_source_map", height=520, use_container_width=True,
              returned_objects=[])
    st.caption(f"{md_text(choice.shown_name)}：显示 {array.shape[1]:,} × {array.shape[0]:,} 像元"
               + (f"，显示分辨率约 {info.cell_m:,.0f} 米" if info.downsampled
                  or info.cell_m > info.source_cell_m * 1.5 else ""))


def _evidence_tab(analysis, choice: RasterChoice) -> None:
    rules = analysis.profile.lowland
    st.markdown("建成比例栅格（遥感影像提取的建筑覆盖比例）可作为低效用地认定的证据：宗地内建成比例低于"
                "阈值即按“建成比例低于阈值”认定，在“低效用地”页与其他原因一并列出。")
    if rules.built_share_below is None:
        st.warning("当前评价方案未设置 built_share_below，该规则不生效。")
        return
    names = names_of(choice)
    try:
        tags = raster_info(str(choice.path)).tags
    except RASTER_FAULTS as err:
        st.error(problem_text(err, names))
        return
    tagged = raster_unit(tags)
    units = list(BUILT_UNITS)
    unit = st.radio("栅格单位" + ("（取自栅格 UNIT 标签）" if tagged else "（栅格未注明，请选择）"),
                    units, index=units.index(tagged) if tagged else None,
                    format_func=lambda u: BUILT_UNITS[u][0], horizontal=True, key="re_unit")
    in_use = evidence_of()
    c1, c2 = st.columns(2)
    if c1.button("用于低效用地认定", type="primary", disabled=unit is None, key="re_use"):
        try:  # read it now, so a raster that cannot serve is refused here, not on 低效用地
            check_evidence(analysis, analysis_key(), str(choice.path), str(unit),
                           choice.shown_name)
        except RASTER_FAULTS as err:
            st.error(problem_text(err, names))
        else:
            st.session_state[EVIDENCE] = (str(choice.path), unit, choice.key, choice.shown_name,
                                          analysis_key())
            in_use = evidence_of()
    if in_use and c2.button("停止使用", key="re_stop"):
        st.session_state.pop(EVIDENCE, None)
        in_use = None
    if in_use:
        st.success(f"低效用地认定正在使用“{md_text(in_use[3])}”"
                   f"（阈值 {percent_text(rules.built_share_below)}）。请到“低效用地”页查看结果。")


st.title("栅格分析")
analysis = current_analysis()
data_banner(analysis)
key = analysis_key()
# one view at a time (not tabs): a map drawn in a hidden tab has no size, and only the view
# shown is computed on a rerun
view = st.segmented_control("视图", list(RASTER_VIEWS), format_func=RASTER_VIEWS.get,
                            default="surface", key="raster_view", label_visibility="collapsed")
if view == "surface" or view is None:
    _surface_tab(analysis, key)
elif (choice := choose_raster(f"r_{view}")) is not None:
    {"zonal": lambda c: zonal_view(analysis, key, c, names_of(c)), "map": _raster_map,
     "evidence": partial(_evidence_tab, analysis)}[view](choice)
