"""多年度对比 — data years side by side: units' figures, change and 年均增速, trends, the 2021
base +40 % target, class moves between two years with their enterprises, a firm's history."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from app_pages import years_state as ys
from app_pages.common import get_catalog
from app_pages.import_choices import md_text
from app_pages.paging import page_of
from geo._errors import user_message
from geo.display_format import DECIMALS, table_format
from geo.labels import COLUMNS, TARGET_COLUMNS, UNIT_LEVELS, YEAR_TEXTS, YEARS_PAGE, labelled
from geo.landuse.metrics import INDICATORS
from geo.landuse.years import HISTORY_COLUMNS, MATRIX_CLASSES, trend_frame

T = YEARS_PAGE
_LEVELS = ("district", "zone", "subzone", "city")
_NUMBER = st.column_config.NumberColumn(format=table_format(DECIMALS["indicator"]))


def _choose_years():
    """(year → analysis, cache key) from the current data or the chosen stored datasets."""
    sample = ys.current_is_sample()
    source = st.radio(T["source"], ["current", "workspace"], index=0 if sample else 1,
                      horizontal=True, key="y_source",
                      format_func=lambda s: T[f"source_{s}"])
    if source == "current":
        if sample:
            return ys.sample_years()
        from app_pages.analysis_state import UPLOADED, current_analysis

        year = current_analysis().year or "—"
        uploaded = st.session_state.get(UPLOADED) is not None
        st.info(T["upload_one_year" if uploaded else "dataset_one_year"].format(year=year))
        st.stop()
    dated, undated = ys.dated_datasets()
    if undated:
        st.caption(T["undated"].format(count=undated))
    if not dated:
        st.info(T["no_datasets"])
        st.stop()
    infos = {d.id: d for d in dated}
    chosen = st.multiselect(T["datasets"], list(infos), default=ys.newest_per_year(dated),
                            key="y_datasets", placeholder=T["pick_datasets"],
                            format_func=lambda i: T["dataset_option"].format(
                                name=infos[i].name, year=infos[i].data_year,
                                when=str(infos[i].imported_at)[:16].replace("T", " ")))
    years = [infos[i].data_year for i in chosen]
    for year in sorted({y for y in years if years.count(y) > 1}):
        names = "、".join(md_text(infos[i].name) for i in chosen if infos[i].data_year == year)
        st.warning(T["same_year"].format(year=year, names=names))
        st.stop()
    try:
        return ys.stored_years(chosen)
    except KeyError:
        st.warning(T["gone"])
        st.stop()


def _years_table(analyses, key: str, level: str, metric: str) -> None:
    ind = INDICATORS[metric]
    table = ys.years_table_of(key, level, metric, analyses, get_catalog())
    years = table.attrs["years"]
    heads = {f"{metric}_{y}": T["year_column"].format(year=y) for y in years}
    heads |= {f"{metric}_{k}": YEAR_TEXTS[k] for k in ("change", "growth", "cagr")}
    shown = labelled(table, ["unit_name", *heads], extra=heads)
    st.subheader(f"{T['table']} · {ind.label}（{ind.unit}）")
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={h: _NUMBER for h in heads.values()})
    st.caption(T["table_caption"])
    what = T["note_level"].format(level=UNIT_LEVELS[level], label=ind.label)
    ys.download_when_asked(
        "table", f"{key}:{level}:{metric}", lambda: ys.xlsx_of(
            shown, analyses[max(analyses)], "units", years, what), what=T["what_table"],
        file_name=T["file_table"].format(level=UNIT_LEVELS[level], label=ind.label))
    if len(years) > 1:
        _trend(table, level, ind)


def _trend(table, level: str, ind) -> None:
    st.subheader(T["trend"])
    long = trend_frame(table)
    with_data = list(dict.fromkeys(long["unit_name"]))
    units = st.multiselect(T["units"], list(table["unit_name"]), default=with_data[:5],
                           key=f"y_units_{level}", placeholder=T["pick_units"])
    long = long[long["unit_name"].isin(units)]
    if long.empty:
        st.info(T["no_trend"])
        return
    st.altair_chart(ys.trend_chart(long, value_title=f"{ind.label}（{ind.unit}）",
                                   unit_title=UNIT_LEVELS[level],
                                   year_title=COLUMNS["data_year"]), width="stretch")


def _target(analyses, key: str) -> None:
    st.subheader(T["target"])
    table = ys.targets_of(key, analyses)
    if table is None:
        st.info(T["no_2021"])
        return
    cols = ["label", "base", "current", "target", "target_year", "attainment", "basis"]
    extra = {**TARGET_COLUMNS, "base": T["base_column"]}
    st.dataframe(labelled(table, cols, extra=extra), hide_index=True, width="stretch",
                 column_config={extra[c]: _NUMBER for c in ("base", "current", "target")}
                 | {extra["attainment"]: st.column_config.NumberColumn(format="percent")})
    st.caption(T["target_caption"].format(year=max(analyses)))


def _matrix(analyses, key: str) -> None:
    st.subheader(T["matrix"])
    years = list(analyses)
    c1, c2 = st.columns(2)
    before = c1.selectbox(T["year_from"], years, index=0, key="y_before")
    after = c2.selectbox(T["year_to"], years, index=len(years) - 1, key="y_after")
    if after <= before:
        st.info(T["order"])
        return
    matrix, members = ys.transitions_of(key, before, after, analyses)
    moves = members["move"].value_counts()
    said = "；".join(T["move_count"].format(move=m, count=int(moves[m]))
                     for m in moves.index)
    st.dataframe(labelled(matrix.reset_index(), extra={"class_before": YEAR_TEXTS["rows"]}),
                 hide_index=True, width="stretch")
    st.caption(T["matrix_caption"].format(moves=said))
    cells = [(b, a) for b in MATRIX_CLASSES for a in MATRIX_CLASSES if matrix.loc[b, a]]
    cell = st.selectbox(T["cell"], cells, key="y_cell", format_func=lambda c: T[
        "cell_option"].format(before=c[0], after=c[1], count=int(matrix.loc[c[0], c[1]])))
    col = members.attrs["key"]
    heads = {col: T["key"], "name": T["name"],
             **{k: YEAR_TEXTS[k] for k in ("class_before", "class_after", "move",
                                          "score_before", "score_after")}}
    if cell is not None:
        rows = members[(members["class_before"] == cell[0])
                       & (members["class_after"] == cell[1])]
        st.dataframe(labelled(page_of(rows, "y_page"), list(heads), extra=heads), hide_index=True,
                     width="stretch", column_config={heads[c]: _NUMBER for c in (
                         "score_before", "score_after")})
    what = T["note_pair"].format(before=before, after=after)
    ys.download_when_asked(
        "members", f"{key}:{before}:{after}", lambda: ys.xlsx_of(
            labelled(members, list(heads), extra=heads), analyses[after], "enterprises",
            [before, after], what), what=T["what_members"],
        file_name=T["file_members"].format(before=before, after=after))


def _history(analyses, key: str) -> None:
    st.subheader(T["history"])
    picked = ys.pick_enterprise(key, analyses)
    if picked is None:
        return
    hist = ys.history_of(key, picked, analyses)
    if hist.empty:
        st.info(T["not_listed"])
        return
    heads = {"rank": YEAR_TEXTS["rank"], "year": COLUMNS["data_year"]}
    st.dataframe(labelled(hist, list(HISTORY_COLUMNS), extra=heads), hide_index=True,
                 width="stretch", column_config={
                     heads["year"]: st.column_config.NumberColumn(format="%d"),
                     **{COLUMNS.get(c, c): _NUMBER for c in HISTORY_COLUMNS[5:]},
                     COLUMNS["score"]: _NUMBER})


_REFUSED = (ValueError, OSError, SQLAlchemyError)  # refusals, said in Chinese (user_message)


def _section(show, *args) -> None:
    """Show one section; a refusal (a key seen twice in a year …) is said, the others shown."""
    try:
        show(*args)
    except _REFUSED as err:
        st.error(md_text(user_message(err)))


st.title(T["title"])
try:
    analyses, key = _choose_years()
except _REFUSED as err:
    st.error(md_text(user_message(err)))
    st.stop()
if not analyses:
    st.info(T["no_year"])
    st.stop()
ys.years_banner(analyses)
c1, c2 = st.columns(2)
level = c1.selectbox(T["level"], list(_LEVELS), format_func=UNIT_LEVELS.get, key="y_level")
metric = c2.selectbox(T["metric"], list(INDICATORS), key="y_metric",
                      format_func=lambda k: f"{INDICATORS[k].label}（{INDICATORS[k].unit}）")
if len(analyses) < 2:
    st.info(T["one_year"].format(year=next(iter(analyses))))
_section(_years_table, analyses, key, level, metric)
_section(_target, analyses, key)
if len(analyses) > 1:
    _section(_matrix, analyses, key)
_section(_history, analyses, key)
