"""批量报告 — reports on paper: all zone summaries as one PDF, 体检表 of a class and district."""

from __future__ import annotations

from functools import partial

import streamlit as st

from app_pages.analysis_state import analysis_key, current_analysis, data_banner
from app_pages.common import catalog_at, data_key, md_escape
from app_pages.year_sources import loaded_years
from geo.labels import COLUMNS, LEVEL_LABELS, REPORT_BUTTONS, REPORT_TEXTS
from geo.landuse.years import enterprise_history
from geo.reports import checkup_pdf, checkups_pdf, select_enterprises, zones_pdf


# The PDFs are built only when a button is pressed (the data argument is a callable); each
# cache is keyed by the catalogue folder, the analysis key and the choices — the analysis
# itself is passed unhashed.
@st.cache_data(show_spinner="正在生成全部集聚区档案（约 1 分钟）…", max_entries=4)
def _zones(data_dir: str, key: str, _analysis) -> bytes:
    return zones_pdf(catalog_at(data_dir), analysis=_analysis)


@st.cache_data(show_spinner="正在生成体检表…", max_entries=8)
def _checkups(data_dir: str, key: str, cls: str, district: str, _analysis) -> bytes:
    return checkups_pdf(_analysis, catalog_at(data_dir), cls=cls, district=district or None)


@st.cache_data(show_spinner="正在生成体检表…", max_entries=32)
def _checkup(data_dir: str, key: str, code: str, _analysis, _years) -> bytes:
    """One 体检表, with the enterprise's 历年评价 when several years are loaded (``key``: the
    analysis key｜the years' key)."""
    history = None
    row = _analysis.enterprises[_analysis.enterprises["credit_code"].astype(str) == code]
    if len(_years) > 1 and len(row) == 1:
        history = enterprise_history(_years, row["enterprise_key"].iloc[0])
    return checkup_pdf(code, _analysis, catalog_at(data_dir), history=history)


st.title(REPORT_BUTTONS["page_title"])
st.caption("PDF 报告（A4），地图由程序绘制，含图例、比例尺、指北针、制图日期与数据说明。")

analysis = current_analysis()
akey = analysis_key()
years, years_key = loaded_years(analysis)
folder = data_key()

st.subheader(REPORT_TEXTS["zones_doc"])
with_figures = st.checkbox("附各集聚区的亩均效益（当前数据）", value=not analysis.is_sample,
                           help="示例数据的数值为程序合成；附上时每页都标注“示例数据”。")
st.download_button(REPORT_BUTTONS["zones_pdf"],
                   partial(_zones, folder, akey if with_figures else "",
                           analysis if with_figures else None),
                   file_name="重点工业集聚区一页式档案.pdf", mime="application/pdf",
                   key="dl_zones_pdf")

st.divider()
st.subheader(REPORT_TEXTS["checkup_title"])
data_banner(analysis)
ent = analysis.enterprises
districts = sorted(str(d) for d in ent["district"].dropna().unique()) if len(ent) else []
c1, c2 = st.columns(2)
cls = c1.selectbox(COLUMNS["class"], ["D", "C", "B", "A"], key="rep_cls")
everywhere = REPORT_TEXTS["all_districts"]
district = c2.selectbox(LEVEL_LABELS["district"], [everywhere, *districts], key="rep_district")
chosen_district = "" if district == everywhere else district
chosen = select_enterprises(analysis, cls=cls, district=chosen_district or None)
st.caption(f"{md_escape(district)} {cls} 类企业 {len(chosen)} 家；每家一页，另附目录页。")
if chosen.empty:
    st.info("所选区县没有该类企业。")
else:
    if len(chosen) > 150:
        st.warning(f"共 {len(chosen)} 家企业，生成需要数分钟；可先选择一个区县。")
    st.download_button(REPORT_BUTTONS["checkups_pdf"],
                       partial(_checkups, folder, akey, cls, chosen_district, analysis),
                       file_name=f"{cls}类体检表_{chosen_district or everywhere}.pdf",
                       mime="application/pdf", key="dl_checkups_pdf")
    names = dict(zip(chosen["credit_code"].astype(str), chosen["name"].astype(str),
                     strict=False))
    code = st.selectbox("单个企业", list(names), format_func=lambda c: f"{names[c]}（{c}）",
                        key="rep_one")
    if code:
        st.download_button(f"{REPORT_BUTTONS['checkups_pdf']} · {names[code]}",
                           partial(_checkup, folder, f"{akey}｜{years_key}", code, analysis, years),
                           file_name=f"体检表_{code}.pdf", mime="application/pdf",
                           key="dl_checkup_one")
