"""亩均效益 page, lower half: the evaluation list (filters by class, track, district and
industry), the 免评 list, how missing indicators were scored, and the list downloads."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app_pages.downloads import on_demand
from app_pages.industry_filter import industry_filter
from app_pages.paging import page_of
from geo.display_format import DECIMALS, table_format
from geo.export import export_bytes
from geo.labels import COLUMNS, LEVEL_LABELS, LIST_COLUMNS, UNIT_LEVELS, column_label, labelled
from geo.landuse.pipeline import Analysis
from geo.landuse.scheme_report import missing_rule_text
from geo.landuse.tables import EXEMPT, UNCLASSED, enterprise_table, filter_enterprises

__all__ = ["enterprise_section", "keep_filters", "FILTER_KEYS"]

#: Decimals of the enterprise list's figures.
_ENT_DECIMALS = {"land_mu": DECIMALS["land_mu"], "tax_per_mu": DECIMALS["indicator"],
                 "va_per_mu": DECIMALS["indicator"], "score": DECIMALS["score"],
                 "rank_in_group": DECIMALS["count"]}
_SHOWN = ["name", "credit_code", "track", "industry_group_name", "district", "land_mu",
          "tax_per_mu", "va_per_mu", "score", "class", "rank_in_group", "class_note",
          "missing_indicators", "policies"]


@st.cache_resource(show_spinner="正在整理企业评价清单…", max_entries=16)
def _enterprises(key: str, _analysis: Analysis):
    return enterprise_table(_analysis)


@st.cache_resource(show_spinner=False, max_entries=16)
def _choices(key: str, _analysis: Analysis) -> tuple[list[str], list[str]]:
    """The tracks (in the profile's order) and districts of the list, for the filters."""
    table = _enterprises(key, _analysis)
    return (_track_order(_analysis, table["track"].dropna().unique()),
            ["", *sorted(table["district"].dropna().unique())])


@st.cache_resource(show_spinner=False, max_entries=64)
def _shown(key: str, chosen: tuple, _analysis: Analysis):
    """The list's rows the filters ``chosen`` keep, once per filter for every session."""
    classes, tracks, district, industries = chosen
    return filter_enterprises(_enterprises(key, _analysis), classes=classes, tracks=tracks,
                              district=district, industries=industries)


@st.cache_resource(show_spinner=False, max_entries=16)
def _exempt(key: str, _analysis: Analysis):
    """The 免评 enterprises of the list."""
    table = _enterprises(key, _analysis)
    return table[table["exemption"].fillna("").ne("")] if "exemption" in table else table[:0]


# The files are built on the 准备 press only and kept per analysis and filter for every session.
@st.cache_data(show_spinner=False, max_entries=16)
def _ent_export(key: str, chosen: tuple, _analysis: Analysis) -> bytes:
    classes, tracks, district, industries = chosen
    notes = _analysis.export_notes("enterprises", {
        "筛选": f"类别 {'、'.join(classes) or '无'}；序列 {'、'.join(tracks) or '无'}；"
                f"{LEVEL_LABELS['district']} {district or '全部'}；"
                f"行业 {'、'.join(industries) or '全部'}",
        "缺项处理": missing_rule_text(_analysis.profile)})
    return export_bytes(_shown(key, chosen, _analysis), "xlsx", notes=notes)


@st.cache_data(show_spinner=False, max_entries=16)
def _class_workbook(key: str, start: dt.date | None, district: str, _analysis: Analysis) -> bytes:
    from geo.landuse.lists import class_workbook

    return class_workbook(_analysis, start=start, district=district or None)


def _track_order(analysis: Analysis, present) -> list[str]:
    order = [s.name for s in analysis.profile.specs()]
    return [t for t in order if t in set(present)] + sorted(set(present) - set(order))


@st.cache_data(show_spinner=False, max_entries=16)
def _missing_counts(key: str, _table) -> tuple[int, dict[str, int]]:
    """Rated enterprises with a missing indicator, and how many miss each (once per ``key``)."""
    rated = _table["score"].notna() | _table["class_note"].fillna("").str.contains("缺")
    some = _table["missing_indicators"].fillna("").ne("") & rated
    combos = _table.loc[some, "missing_indicators"].value_counts()  # few distinct combinations
    parts = combos.index.to_series().str.split("；").explode()  # …each split once
    counts = combos.reindex(parts.index).groupby(parts.to_numpy()).sum().sort_values(
        ascending=False, kind="stable")
    return int(some.sum()), {str(k): int(v) for k, v in counts.items()}


def _missing_caption(analysis: Analysis, key: str, table) -> None:
    some, counts = _missing_counts(key, table)
    text = f"缺项处理（评价方案）：{missing_rule_text(analysis.profile)}。{some:,} 家企业有缺项指标"
    if some:
        text += "（" + "；".join(f"{k} {v:,} 家" for k, v in counts.items()) + \
            "），见“缺失指标”列与校验报告"
    st.caption(text + "。")


def _exempt_list(exempt) -> None:
    with st.expander(f"免评企业（{len(exempt):,} 家，单列，不计分、不排名）"):
        if exempt.empty:
            st.caption("本数据没有免评企业（评价方案的免评情形见方案文件 [exemptions]）。")
        else:
            st.dataframe(labelled(page_of(exempt, "e_exempt_page"), [
                "name", "credit_code", "track", "district", "exemption"]), hide_index=True,
                width="stretch")


#: The list's filters, kept while another view of the page is shown (Streamlit forgets the
#: state of a widget that a run does not draw unless it is written back).
FILTER_KEYS = ("e_classes", "e_tracks", "e_district", "e_industry")


def keep_filters() -> None:
    """Keep the list's filters across the page's other views (call on every run)."""
    for k in FILTER_KEYS:
        if k in st.session_state:
            st.session_state[k] = st.session_state[k]


def _start_with(defaults: dict[str, list[str]], choices: dict[str, list[str]]) -> None:
    """First defaults of the filters, and kept values that are still offered (the data may have
    changed since: a track or district no longer present is dropped, never kept unseen)."""
    for k, value in defaults.items():
        st.session_state.setdefault(k, value)
    st.session_state["e_tracks"] = [t for t in st.session_state["e_tracks"]
                                    if t in defaults["e_tracks"]]
    for k, offered in choices.items():
        if st.session_state.get(k) not in offered:
            st.session_state[k] = offered[0]


def enterprise_section(analysis: Analysis, key: str) -> None:
    """Draw the evaluation list with its filters, the 免评 list and the downloads."""
    st.subheader("企业评价清单")
    table = _enterprises(key, analysis)
    f1, f2, f3, f4 = st.columns(4)
    present, districts = _choices(key, analysis)
    _start_with({"e_classes": ["D"], "e_tracks": present}, {"e_district": districts})
    classes = f1.multiselect(COLUMNS["class"], ["A", "B", "C", "D", EXEMPT, UNCLASSED],
                             key="e_classes")
    tracks = f2.multiselect(COLUMNS["track"], present, key="e_tracks")
    district = f3.selectbox(LEVEL_LABELS["district"], districts,
                            format_func=lambda d: d or "（全部）", key="e_district")
    with f4:
        industries = industry_filter(table, key="e_industry", data=key)
    chosen = (tuple(classes), tuple(tracks), district, tuple(industries))
    shown = _shown(key, chosen, analysis)
    st.caption(f"{len(shown):,} 家企业（共 {len(table):,} 家）；"
               "得分 = Σ min(指标值 / 基准值, 上限) × 权重，类别按得分在排名组内的名次分档"
               "（评价方案可调）；差别化政策按类别取自评价方案。")
    _missing_caption(analysis, key, table)
    st.dataframe(labelled(page_of(shown, "e_page"), [c for c in _SHOWN if c in shown]),
                 hide_index=True, width="stretch",
                 column_config={column_label(c): st.column_config.NumberColumn(
                     format=table_format(d)) for c, d in _ENT_DECIMALS.items()})
    _exempt_list(_exempt(key, analysis))
    d1, d2, d3 = st.columns([1, 1, 1])
    on_demand("所列企业（Excel）", "e_ent_dl", (key, chosen),
              lambda: _ent_export(key, chosen, analysis), "企业评价清单.xlsx", container=d1)
    start = d2.date_input(LIST_COLUMNS["publicity_start"], value=None, key="e_pub_start",
                          help=f"公示期 {analysis.profile.rules.publicity_days} 个自然日"
                               "（评价方案 [evaluation] publicity_days）；不填则不生成公示名单")
    scope = district or UNIT_LEVELS["city"]
    on_demand(f"{scope} A/B/C/D 分类名单（Excel）", "e_lists_dl", (key, start, district),
              lambda: _class_workbook(key, start, district, analysis),
              f"亩均评价分类名单_{scope}.xlsx", container=d3)
