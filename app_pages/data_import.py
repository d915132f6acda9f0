"""数据导入 — upload parcels and enterprises, preview how headers map, read the validation
report, and analyse the imported data instead of the 示例数据."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.analysis_state import UPLOADED, clear_uploaded, current_analysis, set_uploaded
from app_pages.common import get_catalog
from geo.export import neutralise_formula
from geo.io.quantities import YEAR_MAX, YEAR_MIN
from geo.io.safefile import MAX_BYTES, MAX_UNZIPPED_BYTES
from geo.labels import REPORT_COLUMNS, REPORT_LEVELS
from geo.landuse.headers import map_headers
from geo.landuse.ingest import read_source
from geo.landuse.pipeline import (
    NoUsableRowsError,
    analyse,
    layer_names,
    load_inputs,
    sheet_names,
)
from geo.landuse.scoring import load_profile

TYPES = ["gpkg", "geojson", "json", "zip", "csv", "xlsx"]


def _write(folder: Path, name: str, data: bytes) -> Path:
    """Write uploaded bytes to a private folder under the upload's own (sanitised) name."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (Path(name).name or "upload")
    path.write_bytes(data)
    return path


@st.cache_data(show_spinner="正在读取文件结构…", max_entries=16)
def _parts(name: str, data: bytes) -> tuple[str, list[str]]:
    """The layers of an uploaded GeoPackage or the sheets of an Excel file (else none)."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".gpkg", ".xlsx"):
        return "", []
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), name, data)
        return ("layer", layer_names(path)) if suffix == ".gpkg" else ("sheet", sheet_names(path))


def _choose_part(column, upload, key: str) -> dict[str, str | None]:
    """Offer the layers or sheets of an upload that holds several; return the one chosen."""
    chosen: dict[str, str | None] = {"layer": None, "sheet": None}
    if upload is None:
        return chosen
    part, names = _parts(upload.name, upload.getvalue())
    if len(names) > 1:
        what = "图层" if part == "layer" else "工作表"
        chosen[part] = column.selectbox(f"{upload.name} 含多个{what}，请选择要导入的{what}",
                                        names, key=key)
    return chosen


@st.cache_data(show_spinner="正在读取表头…", max_entries=8)
def _header_preview(name: str, data: bytes, kind: str, layer: str | None, sheet: str | None
                    ) -> tuple[str, list[str], pd.DataFrame]:
    """How the file reads and how its headers map — read once per uploaded file, not per rerun."""
    with tempfile.TemporaryDirectory() as tmp:
        table, meta = read_source(_write(Path(tmp), name, data), layer=layer, sheet=sheet)
    caption = (f"{meta.source} · {meta.format} · 编码 {meta.encoding or '—'} · "
               f"表头行 {', '.join(map(str, meta.header_rows)) or '—'} · 坐标系 {meta.crs or '—'}")
    notes = [f"{'第 ' + str(row) + ' 行：' if row else ''}{note}" for row, note in meta.notes]
    return caption, notes, map_headers(table.columns, kind=kind).to_frame()


def _preview(upload, kind: str, part: dict[str, str | None]) -> None:
    caption, notes, mapping = _header_preview(upload.name, upload.getvalue(), kind,
                                              part["layer"], part["sheet"])
    st.caption(caption)
    for note in notes:
        st.info(note)
    st.dataframe(mapping, hide_index=True, width="stretch")


def _import(parts: dict[str, dict[str, str | None]]) -> None:
    """Import the uploads and analyse them; a file without usable rows leaves its report."""
    with st.status("正在导入…", expanded=True) as status, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)  # own sub-folders: uploads with the same name never clash
        try:
            st.write("读取与校验文件…")
            inputs = load_inputs(
                _write(folder / "parcels", parcels_up.name, parcels_up.getvalue()),
                None if ent_up is None else _write(folder / "enterprises", ent_up.name,
                                                   ent_up.getvalue()),
                gcj02=gcj, year=year or None,
                parcel_layer=parts["parcel"]["layer"], parcel_sheet=parts["parcel"]["sheet"],
                enterprise_layer=parts["enterprise"]["layer"],
                enterprise_sheet=parts["enterprise"]["sheet"])
            st.write("加载评价方案…")
            profile = load_profile(None if profile_up is None else _write(
                folder / "profile", profile_up.name, profile_up.getvalue()))
            st.write("空间归属、亩均指标、企业评价、低效用地认定…")
            analysis = analyse(inputs.parcels, inputs.enterprises, get_catalog(), profile,
                               data_label=inputs.data_label, year=inputs.year)
        except NoUsableRowsError as err:
            status.update(label="导入失败：没有可用的行", state="error")
            st.error(str(err))
            st.session_state["up_report"] = err.report  # shown below: why each row was refused
            return
        except ValueError as err:
            status.update(label="导入失败", state="error")
            st.error(str(err))
            _show_in_use()
            st.stop()
        set_uploaded(analysis)
        st.session_state["up_report"] = inputs.report
        status.update(state="complete", label=f"导入完成：{len(inputs.parcels)} 宗宗地、"
                                              f"{len(inputs.enterprises)} 条企业记录")
    _verdict(inputs, analysis)


def _verdict(inputs, analysis) -> None:
    """Green only when nothing was set aside and some 亩均 figure could be computed."""
    file, row, *_, action, level = REPORT_COLUMNS
    rep = inputs.report[inputs.report[row].notna()]
    out = rep[action].astype(str).str.startswith("未导入该行")
    fixed = ~out & rep[level].isin([REPORT_LEVELS["error"], REPORT_LEVELS["warning"]])
    n_out, n_fixed = (len(rep[m].drop_duplicates([file, row])) for m in (out, fixed))
    used = f"已使用 {len(inputs.parcels)} 宗宗地、{len(inputs.enterprises)} 条企业记录"
    if not any(t[c].notna().any() for t in (analysis.enterprises, analysis.parcels)
               for c in ("tax_per_mu", "va_per_mu") if c in t):
        (st.warning if ent_up is None else st.error)("没有算出任何亩均税收或亩均增加值：" + (
            "只上传了宗地文件，而宗地文件只含用地" if ent_up is None else
            "企业文件中没有可用的税收或增加值，或企业未能关联到宗地") + "。亩均指标需要企业的"
            "税收与增加值，请放在「企业文件」中（每家企业一行，含税收、增加值及所在宗地编号）后重新导入。")
    elif n_out or (inputs.report[level] == REPORT_LEVELS["error"]).any():
        st.warning(f"导入完成，但有数据未能使用：{used}；修正后使用 {n_fixed} 行；"
                   f"未导入 {n_out} 行。请查看下方校验报告。")
    else:
        st.success(f"导入完成：{used}" + (f"；修正后使用 {n_fixed} 行" if n_fixed else "") + "。")


st.title("数据导入")
st.caption("支持 GeoPackage、GeoJSON、Shapefile（zip 打包，含 GBK 编码 .dbf 与 CGCS2000 投影）、"
           "CSV（UTF-8/GBK）与 Excel（含两行合并表头）。金额单位（元/万元/亿元）、面积单位"
           "（亩/平方米/公顷）从表头或单元格识别；编号按文本保留。"
           f"单个文件不超过 {MAX_BYTES // 2**20} MB，zip 解压后不超过 "
           f"{MAX_UNZIPPED_BYTES // 2**30} GB；VRT 等引用外部文件的格式、"
           "含“..”或绝对路径的 zip 一律拒收。")
in_use = st.empty()  # filled last (or before a stop), after a possible import


def _show_in_use() -> None:
    now = current_analysis()
    in_use.info(f"当前分析所用数据：{now.data_label}" + (f"（{now.year} 年）" if now.year else ""))


c1, c2 = st.columns(2)
parcels_up = c1.file_uploader("宗地文件（必选）", type=TYPES, key="up_parcels")
ent_up = c2.file_uploader("企业文件（可选）", type=TYPES, key="up_enterprises")
profile_up = st.file_uploader("评价方案（TOML，可选；默认 data/profiles/default.toml）",
                              type=["toml"], key="up_profile")
gcj = st.checkbox("坐标为 GCJ-02（高德），导入时转换为 WGS84", key="up_gcj")
year = st.number_input("分析年度（0 = 文件中最新的年度）", min_value=0, max_value=YEAR_MAX,
                       value=0, step=1, key="up_year",
                       help=f"填写 {YEAR_MIN}–{YEAR_MAX} 之间的年份，或 0 表示最新年度。"
                            "文件含多个年度时只分析一个年度，其余年度在校验报告中说明。")

if parcels_up is not None:
    try:
        chosen = {"parcel": _choose_part(c1, parcels_up, "up_parcels_part"),
                  "enterprise": _choose_part(c2, ent_up, "up_enterprises_part")}
        st.subheader("表头识别预览")
        tabs = st.tabs(["宗地"] + (["企业"] if ent_up is not None else []))
        with tabs[0]:
            _preview(parcels_up, "parcel", chosen["parcel"])
        if ent_up is not None:
            with tabs[1]:
                _preview(ent_up, "enterprise", chosen["enterprise"])
    except ValueError as err:
        st.error(f"无法读取：{err}")
        _show_in_use()
        st.stop()
    if st.button("导入并分析", type="primary", key="up_go"):
        _import(chosen)

report = st.session_state.get("up_report")
if report is not None:
    st.subheader("校验报告")
    st.caption("列出每一条未能使用或被修正的记录及原因；未导入的行不会被静默丢弃。")
    st.dataframe(report, hide_index=True, width="stretch")
    st.download_button("下载校验报告（CSV）",
                       report.map(neutralise_formula).to_csv(index=False).encode("utf-8-sig"),
                       file_name="校验报告.csv", key="up_report_dl")
if st.session_state.get(UPLOADED) is not None and st.button("改回示例数据", key="up_reset"):
    clear_uploaded()
    st.session_state.pop("up_report", None)
    st.rerun()
_show_in_use()
