"""数据导入 — upload parcels and enterprises, preview how headers map, read the validation
report, and analyse the imported data instead of the 示例数据."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.analysis_state import UPLOADED, clear_uploaded, current_analysis
from app_pages.auth import can_edit, current_user
from app_pages.common import get_catalog
from app_pages.import_choices import (
    accepted_doubts,
    choose_part,
    header_choices,
    md_text,
    shown,
    shown_report,
    write_upload,
)
from app_pages.workspace_save import keep_or_hold, who_of
from app_pages.workspace_state import chosen_dataset, use_dataset, workspace_problem
from geo._errors import user_message
from geo.crs import shared_projections
from geo.export import csv_bytes
from geo.io.quantities import YEAR_MAX, YEAR_MIN
from geo.io.safefile import MAX_BYTES, MAX_UNZIPPED_BYTES
from geo.labels import REPORT_COLUMNS, REPORT_LEVELS
from geo.landuse.pipeline import ImportChoices, NoUsableRowsError, analyse, load_inputs
from geo.landuse.scoring import load_profile
from geo.landuse.townships import read_townships

TYPES = ["gpkg", "geojson", "json", "zip", "csv", "xlsx"]


def _uploaded(folder: Path, upload, names: dict[str, str]) -> Path | None:
    """Store ``upload`` under a safe generated name; ``names`` maps it back to its own name."""
    if upload is None:
        return None
    path = write_upload(folder, upload.name, upload.getvalue(), n=len(names) + 1)
    names[path.name] = upload.name
    return path


def _import(parts: dict[str, dict[str, str | None]], choices: ImportChoices) -> None:
    """Import the uploads and analyse them; a file without usable rows leaves its report."""
    with st.status("正在导入…", expanded=True) as status, tempfile.TemporaryDirectory() as tmp, \
            shared_projections():  # the parcels projected once for import and analysis
        folder, names = Path(tmp), {}  # stored name → the upload's own, shown everywhere
        try:
            st.write("读取与校验文件…")
            inputs = load_inputs(
                _uploaded(folder / "parcels", parcels_up, names),
                _uploaded(folder / "enterprises", ent_up, names),
                gcj02=gcj, year=year or None, choices=choices,
                parcel_layer=parts["parcel"]["layer"], parcel_sheet=parts["parcel"]["sheet"],
                enterprise_layer=parts["enterprise"]["layer"],
                enterprise_sheet=parts["enterprise"]["sheet"])
            inputs = replace(inputs, report=shown_report(inputs.report, names),
                             data_label=str(shown(inputs.data_label, names)))
            st.write("加载评价方案…")
            profile = load_profile(_uploaded(folder / "profile", profile_up, names))
            catalog = get_catalog()
            towns = None if towns_up is None else read_townships(
                _uploaded(folder / "townships", towns_up, names),
                catalog["district"]["name"].astype(str).tolist())
            st.write("空间归属、亩均指标、企业评价、低效用地认定…")
            analysis = replace(analyse(inputs.parcels, inputs.enterprises, catalog, profile,
                                       data_label=inputs.data_label, year=inputs.year,
                                       townships=towns), import_choices=inputs.choices)
        except NoUsableRowsError as err:
            status.update(label="导入失败：没有可用的行", state="error", expanded=True)
            st.error(md_text(shown(user_message(err), names)))
            st.session_state["up_report"] = shown_report(err.report, names)  # why rows were refused
            return
        except ValueError as err:
            status.update(label="导入失败", state="error", expanded=True)
            st.error(md_text(shown(user_message(err), names)))
            _show_in_use()
            st.stop()
        report = shown_report(pd.concat(
            [r for r in (inputs.report, analysis.report, towns and towns.report) if r is not None
             and len(r)] or [inputs.report], ignore_index=True), names)
        st.session_state["up_report"] = report
        user = current_user()
        kept = keep_or_hold(analysis, inputs, report, towns, name=ds_name,
                            who=who_of(user) if can_edit(user) else None,
                            own_profile=profile_up is not None)
        status.update(state="complete", label=f"导入完成：{len(inputs.parcels)} 宗宗地、"
                                              f"{len(inputs.enterprises)} 条企业记录")
        if inputs.choices:
            st.write(f"按您的选择导入：{md_text(inputs.choices)}")
    st.info(kept)  # saved to the workspace, or kept in this session only — always in view
    _verdict(inputs, analysis)


def _verdict(inputs, analysis) -> None:
    """Green only when nothing was set aside and some 亩均 figure could be computed."""
    file, row, *_, action, level = REPORT_COLUMNS
    rep = inputs.report[inputs.report[row].notna()]
    out = rep[action].astype(str).str.startswith("未导入该行")
    fixed = ~out & rep[level].isin([REPORT_LEVELS["error"], REPORT_LEVELS["warning"]])
    n_out, n_fixed = (len(rep[m].drop_duplicates([file, row])) for m in (out, fixed))
    used = f"已使用 {len(inputs.parcels)} 宗宗地、{len(inputs.enterprises)} 条企业记录"
    no_figures = not any(t[c].notna().any() for t in (analysis.enterprises, analysis.parcels)
                         for c in ("tax_per_mu", "va_per_mu") if c in t)
    if no_figures:
        (st.warning if ent_up is None else st.error)("没有算出任何亩均税收或亩均增加值：" + (
            "所导入的文件中没有可用的税收或增加值列" if ent_up is None else
            "企业文件中没有可用的税收或增加值，或企业未能关联到宗地") + "。请在上方“表头识别与单位”"
            "中把税收、增加值所在的列指定为相应字段，或另附企业文件（每家企业一行，含税收、增加值"
            "及所在宗地编号）后重新导入。")
    if n_out or (inputs.report[level] == REPORT_LEVELS["error"]).any():
        st.warning(f"导入完成，但有数据未能使用：{used}；修正后使用 {n_fixed} 行；"
                   f"未导入 {n_out} 行。请查看下方校验报告。")
    elif not no_figures:
        st.success(f"导入完成：{used}" + (f"；修正后使用 {n_fixed} 行" if n_fixed else "") + "。")


st.title("数据导入")
st.caption("支持 GeoPackage、GeoJSON、Shapefile（zip 打包，含 GBK 编码 .dbf 与 CGCS2000 投影）、"
           "CSV（UTF-8/GBK）与 Excel（含两行合并表头）。金额单位（元/万元/亿元）、面积单位"
           "（亩/平方米/公顷）从表头或单元格识别；编号按文本保留。"
           f"单个文件不超过 {MAX_BYTES // 2**20} MB，zip 解压后不超过 "
           f"{MAX_UNZIPPED_BYTES // 2**30} GB；VRT 等引用外部文件的格式、"
           "含“..”或绝对路径的 zip 一律拒收。")
if problem := workspace_problem():
    st.error(problem)
in_use = st.empty()  # filled last (or before a stop), after a possible import


def _show_in_use() -> None:
    now = current_analysis()
    in_use.info(f"当前分析所用数据：{md_text(now.data_label)}"
                + (f"（{now.year} 年）" if now.year else ""))


st.caption("可导入三种形式：① 宗地文件 + 企业文件；② 只有宗地文件，每宗地一行并带税收、"
           "增加值等指标（每宗地作为一个评价单元）；③ 只有企业文件（亩均评价清单：每家企业一行，"
           "含用地面积、税收等；按宗地编号、经纬度或企业名称与权利人匹配定位）。")
c1, c2 = st.columns(2)
parcels_up = c1.file_uploader("宗地文件", type=TYPES, key="up_parcels")
ent_up = c2.file_uploader("企业文件", type=TYPES, key="up_enterprises")
c3, c4 = st.columns(2)
profile_up = c3.file_uploader("评价方案（TOML，可选；默认 data/profiles/default.toml）",
                              type=["toml"], key="up_profile")
towns_up = c4.file_uploader("乡镇（街道）对照表（可选：两列“乡镇（街道）”“区县（市）”，用于只写了"
                            "乡镇的企业归入区县）", type=["csv", "xlsx"], key="up_townships")
gcj = st.checkbox("坐标为 GCJ-02（高德），导入时转换为 WGS84", key="up_gcj")
ds_name = st.text_input("数据集名称（保存到工作区时使用；留空 = 按文件名）", key="up_name",
                        max_chars=80)
year = st.number_input("分析年度（0 = 文件中最新的年度）", min_value=0, max_value=YEAR_MAX,
                       value=0, step=1, key="up_year",
                       help=f"填写 {YEAR_MIN}–{YEAR_MAX} 之间的年份，或 0 表示最新年度。"
                            "文件含多个年度时只分析一个年度，其余年度在校验报告中说明。")

if parcels_up is not None or ent_up is not None:
    try:
        chosen = {"parcel": choose_part(c1, parcels_up, "up_parcels_part"),
                  "enterprise": choose_part(c2, ent_up, "up_enterprises_part")}
        st.subheader("表头识别与单位")
        st.caption("每列的识别结果；可改选字段或单位后再导入（您的选择写入校验报告与导出说明）。")
        uploads = [(u, k) for u, k in ((parcels_up, "parcel"), (ent_up, "enterprise")) if u]
        maps: dict[str, dict[str, str]] = {"parcel": {}, "enterprise": {}}
        tabs = st.tabs([f"{'宗地' if k == 'parcel' else '企业'}：{md_text(u.name)}"
                        for u, k in uploads])
        for tab, (upload, kind) in zip(tabs, uploads, strict=True):
            with tab:
                for k, m in header_choices(upload, kind, chosen[kind], key=f"up_map_{kind}",
                                           with_figures=ent_up is None).items():
                    maps[k].update(m)
        accept = accepted_doubts(parcels_up is not None)
    except ValueError as err:
        st.error(f"无法读取：{md_text(user_message(err))}")
        _show_in_use()
        st.stop()
    if st.button("导入并分析", type="primary", key="up_go"):
        _import(chosen, ImportChoices(maps["parcel"], maps["enterprise"], accept))

report = st.session_state.get("up_report")
if report is not None:
    st.subheader("校验报告")
    st.caption("列出每一条未能使用或被修正的记录及原因；未导入的行不会被静默丢弃。")
    st.dataframe(report.astype(object).where(report.notna(), ""), hide_index=True,
                 width="stretch")
    st.download_button("下载校验报告（CSV）",
                       csv_bytes(report),
                       file_name="校验报告.csv", key="up_report_dl")
if (st.session_state.get(UPLOADED) is not None or chosen_dataset()) and st.button(
        "改回示例数据", key="up_reset", help="工作区中的数据集仍保留，可在“工作区”页再选用"):
    clear_uploaded()
    use_dataset(None)
    st.session_state.pop("up_report", None)
    st.rerun()
_show_in_use()
