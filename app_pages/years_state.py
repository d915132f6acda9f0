"""State of the 多年度对比 page: the views derived from the years loaded (cached per real input
and shared by every session), the banner, and downloads built only when asked; where the years
come from is :mod:`app_pages.year_sources`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.downloads import on_demand
from app_pages.import_choices import md_text
from app_pages.workspace_state import workspace_problem
from app_pages.year_sources import (
    current_is_sample,
    dated_datasets,
    newest_per_year,
    sample_years,
    stored_years,
)
from geo.export import table_bytes
from geo.labels import COLUMNS, YEARS_PAGE
from geo.landuse.pipeline import Analysis

__all__ = ["current_is_sample", "sample_years", "dated_datasets", "newest_per_year",
           "stored_years", "years_banner", "years_table_of", "transitions_of", "targets_of",
           "history_of", "enterprise_options", "trend_chart", "xlsx_of", "download_when_asked"]

Years = Mapping[int, Analysis]


def years_banner(analyses: Years) -> None:
    """State what the figures rest on, for every year — 示例数据 is never shown as real."""
    if problem := workspace_problem():
        st.error(problem)
    years = "、".join(map(str, analyses))
    sample = [a for a in analyses.values() if a.is_sample]
    if sample:
        st.warning(YEARS_PAGE["banner_sample"].format(label=md_text(sample[0].data_label),
                                                      years=years))
        return
    labels = "；".join(dict.fromkeys(md_text(a.data_label) for a in analyses.values()))
    profile = md_text(next(iter(analyses.values())).profile.name)
    st.info(YEARS_PAGE["banner_data"].format(labels=labels, years=years, profile=profile))


# Views are keyed by the years' key and their own arguments; the analyses are passed in
# (underscore: not hashed), never read from session state inside.
@st.cache_resource(show_spinner=False, max_entries=32)
def years_table_of(key: str, level: str, metric: str, _analyses: Years, _catalog):
    from geo.landuse.years import years_table

    return years_table(_analyses, _catalog, level=level, metrics=(metric,))


@st.cache_resource(show_spinner=False, max_entries=16)
def transitions_of(key: str, before: int, after: int, _analyses: Years):
    from geo.landuse.years import class_transitions

    return class_transitions(_analyses[before].enterprises, _analyses[after].enterprises)


@st.cache_resource(show_spinner=False, max_entries=8)
def targets_of(key: str, _analyses: Years) -> pd.DataFrame | None:
    """The 2026 target (2021 base +40 %) against the latest year; None without 2021 data."""
    from geo.landuse.targets import efficiency_targets
    from geo.landuse.years import base_year_figures

    base = base_year_figures(_analyses)
    if base is None:
        return None
    latest = _analyses[max(_analyses)]
    table = efficiency_targets(latest.enterprises, latest.parcels, base_2021=base)
    table = table[table["target_year"] == table["target_year"].max()].copy()
    table["base"] = table["indicator"].map(base)
    return table


@st.cache_resource(show_spinner=False, max_entries=32)
def history_of(key: str, value: str, _analyses: Years) -> pd.DataFrame:
    from geo.landuse.years import enterprise_history

    return enterprise_history(_analyses, value)


@st.cache_resource(show_spinner=False, max_entries=8)
def enterprise_options(key: str, _analyses: Years) -> dict[str, str]:
    """Key of every enterprise of any year → "name（credit code）" (the latest year's name)."""
    parts = []
    for year in sorted(_analyses, reverse=True):
        ent = _analyses[year].enterprises
        col = "enterprise_key" if "enterprise_key" in ent else "credit_code"
        if col not in ent:
            continue
        keys = ent[col].astype(object)
        names = (ent["name"] if "name" in ent else ent[col]).astype(object).astype(str)
        codes = (ent["credit_code"] if "credit_code" in ent else ent[col]).astype(object)
        has_code = codes.map(lambda c: isinstance(c, str) and bool(c))
        label = names.where(~has_code, names + "（" + codes.astype(str) + "）")
        ok = keys.map(lambda k: isinstance(k, str) and bool(k))
        parts.append(pd.DataFrame({"key": keys[ok].to_numpy(), "label": label[ok].to_numpy()}))
    if not parts:
        return {}
    both = pd.concat(parts, ignore_index=True).drop_duplicates("key")  # newest year first
    both = both.sort_values("label", kind="stable")
    return dict(zip(both["key"], both["label"], strict=True))


#: Enterprises offered at once in the history's choice; more are narrowed by a search first
#: (a choice of every enterprise of a city would go to the browser on every rerun).
PICK_LIMIT = 200


@st.cache_resource(show_spinner=False, max_entries=32)
def enterprise_matches(key: str, query: str, _analyses: Years) -> tuple[dict[str, str], int]:
    """The first :data:`PICK_LIMIT` enterprises whose label holds ``query`` (all when it is
    empty), and how many match."""
    options = enterprise_options(key, _analyses)
    q = query.strip().lower()
    hits = [k for k, label in options.items() if q in label.lower()] if q else list(options)
    return {k: options[k] for k in hits[:PICK_LIMIT]}, len(hits)


def pick_enterprise(key: str, analyses: Years) -> str | None:
    """The enterprise chosen for the history; a search box first when there are many."""
    many = len(enterprise_options(key, analyses)) > PICK_LIMIT
    query = st.text_input(YEARS_PAGE["find_enterprise"], key="y_find") if many else ""
    options, n = enterprise_matches(key, query, analyses)
    if n > len(options):
        st.caption(YEARS_PAGE["matches"].format(n=n, shown=len(options)))
    return st.selectbox(YEARS_PAGE["enterprise"], list(options), index=None, key="y_enterprise",
                        format_func=options.get, placeholder=YEARS_PAGE["pick_enterprise"])


def trend_chart(long: pd.DataFrame, *, value_title: str, unit_title: str,
                year_title: str) -> alt.Chart:
    """One line per unit over the years (years as labels, not "2,021")."""
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("year:O", title=year_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=value_title, axis=alt.Axis(format=",~f")),
        color=alt.Color("unit_name:N", title=unit_title, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("unit_name:N", title=unit_title),
                 alt.Tooltip("year:O", title=year_title),
                 alt.Tooltip("value:Q", title=value_title, format=",.2f")])


def xlsx_of(table: pd.DataFrame, analysis: Analysis, view: str, years: Sequence[int],
            what: str) -> bytes:
    """``table`` as Excel, its 说明 those of ``analysis`` naming every year compared."""
    notes = analysis.export_notes(view, {COLUMNS["data_year"]: "、".join(map(str, years)),
                                         YEARS_PAGE["note_view"]: what})
    return table_bytes(table, "xlsx", notes=notes)


def download_when_asked(name: str, key: str, build: Callable[[], bytes], *, what: str,
                        file_name: str) -> None:
    """A "准备下载" button for one file of the page (:func:`app_pages.downloads.on_demand`)."""
    on_demand(what, f"years_dl_{name}", (key,), build, file_name,
              prepare=YEARS_PAGE["prepare"].format(what=what),
              download=YEARS_PAGE["download"].format(what=what))
