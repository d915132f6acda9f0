"""亩均效益 page: why an enterprise has its class, how robust the classes are (±10 % on every
weight and benchmark), and where a class and a low-efficiency flag seem to disagree."""

from __future__ import annotations

import streamlit as st

from app_pages.import_choices import md_text
from geo.display_format import DECIMALS, table_format
from geo.labels import CONFLICT_COLUMNS, EXPLAIN_COLUMNS, labelled
from geo.landuse.explain import class_flag_conflicts, explain_enterprise, sensitivity
from geo.landuse.pipeline import Analysis
from geo.landuse.tables import UNCLASSED

__all__ = ["explain_section"]

_CONFLICT_SHOWN = ["name", "class", "rank_group", "rank_in_group", "group_size", "parcel_id",
                   "reasons", "tax_per_mu", "note"]


@st.cache_resource(show_spinner="正在按 ±10 % 调整权重与基准值重新评价…", max_entries=8)
def _sensitivity(key: str, _analysis: Analysis):
    """Shared by every session looking at the same analysis (keyed by its cache key)."""
    return sensitivity(_analysis.enterprises, _analysis.profile, parcels=_analysis.parcels)


@st.cache_resource(show_spinner=False, max_entries=16)
def _conflicts(key: str, _analysis: Analysis):
    return class_flag_conflicts(_analysis.enterprises, _analysis.parcels, _analysis.profile)


def _code_text(code: object) -> str:
    """A credit code for the label; 无代码 when missing (NaN is truthy, so test it)."""
    if code is None or (isinstance(code, float) and code != code):
        return "无代码"
    return str(code).strip() or "无代码"


@st.cache_resource(show_spinner=False, max_entries=8)
def _labels(key: str, _analysis: Analysis) -> dict:
    """The choosable enterprises, best first per track, each with its label (built once)."""
    ent = _analysis.enterprises
    rows = ent[ent["class"].notna() | ent["exemption"].fillna("").ne("")]
    rows = rows.sort_values(["track", "score"], ascending=[True, False], na_position="last")
    codes = rows["credit_code"] if "credit_code" in rows else [None] * len(rows)
    return {i: f"{name}（{_code_text(code)}，{cls if isinstance(cls, str) else UNCLASSED}）"
            for i, name, code, cls in zip(rows.index, rows["name"], codes, rows["class"],
                                          strict=True)}


@st.cache_resource(show_spinner="正在计算升档所需值…", max_entries=64)
def _explained(key: str, pick, _analysis: Analysis):
    """One enterprise's explanation (the "mean" benchmarks re-evaluate its group)."""
    return explain_enterprise(_analysis.enterprises, _analysis.profile, pick)


def _why(key: str, analysis: Analysis) -> None:
    labels = _labels(key, analysis)
    if not labels:
        st.info("本数据没有已评价或免评的企业，无从说明类别。")
        return
    pick = st.selectbox("选择企业", list(labels), format_func=labels.get,
                        key="e_explain_pick")
    why = _explained(key, pick, analysis)
    for line in why.summary:
        st.markdown(f"- {md_text(line)}")
    if why.rated and len(why.points):
        table = why.table().drop(columns=[EXPLAIN_COLUMNS["indicator"]], errors="ignore")
        figures = [EXPLAIN_COLUMNS[c] for c in ("value", "benchmark", "points", "max_points")]
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            c: st.column_config.NumberColumn(format=table_format(DECIMALS["indicator"]))
            for c in figures if c in table})
        st.caption("单靠该项升档所需值：其他指标不变时，仅提高该项使类别升档所需的最小值，"
                   "按显示精度向上取整，达到即可升档（受封顶倍数限制；基准为同组平均值时，"
                   "已计入企业自身提高使平均值随之上升）。")


def _robustness(key: str, analysis: Analysis) -> None:
    st.caption("逐项将每个指标的权重、基准值各上调和下调 10 %（每次只动一项），重新评价，"
               "看哪些企业的类别随之改变：从不改变的为“稳健”，会改变的为“敏感”。")
    if not st.toggle("计算稳健性（需重新评价数十次）", key="e_sensitivity_on"):
        return
    result = _sensitivity(key, analysis)
    rows = result.enterprises
    fragile = rows[~rows["robust"].astype(bool)]
    c1, c2, c3 = st.columns(3)
    c1.metric("已定类企业", f"{len(rows):,}")
    c2.metric("稳健（各情形类别不变）", f"{len(rows) - len(fragile):,}")
    c3.metric("敏感（至少一种情形改变）", f"{len(fragile):,}")
    st.dataframe(result.variants_table(), hide_index=True, width="stretch")
    with st.expander(f"敏感企业名单（{len(fragile):,} 家）"):
        shown = result.enterprises_table()
        st.dataframe(shown[~rows["robust"].astype(bool).to_numpy()], hide_index=True,
                     width="stretch")
    st.caption(f"共重新评价 {result.evaluations} 次（含基准方案）。")


def _disagreements(key: str, analysis: Analysis) -> None:
    table = _conflicts(key, analysis)
    if table.empty:
        st.caption("没有 A/B 类企业使用被认定为低效用地的宗地。")
        return
    st.caption(f"{len(table):,} 处 A/B 类企业使用被认定为低效用地的宗地：类别是同组内的相对名次，"
               "低效用地按绝对门槛认定，二者口径不同，下表逐条说明各自由哪条规则得出。")
    st.dataframe(labelled(table, [c for c in _CONFLICT_SHOWN if c in table],
                          extra=CONFLICT_COLUMNS), hide_index=True, width="stretch")


def explain_section(analysis: Analysis, key: str) -> None:
    """Draw the three tabs: 类别说明, 稳健性, 类别与低效用地."""
    st.subheader("类别说明与稳健性")
    why, robust, conflicts = st.tabs(["为何是这个类别", "稳健性（±10 %）", "类别与低效用地"])
    with why:
        _why(key, analysis)
    with robust:
        _robustness(key, analysis)
    with conflicts:
        _disagreements(key, analysis)
