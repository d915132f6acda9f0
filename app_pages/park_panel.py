"""园区评价 on screen: the park-class map and table of a level, and a profile's 亩均效益 block.

``park_section(analysis, catalog, level)`` is called from the 亩均效益 page; ``efficiency_block``
from the zone profile (园区档案). Both show the classes of :mod:`geo.landuse.parks` (a park
profile each district adjusts), state the data's nature and never class a unit without data.
"""

from __future__ import annotations

import math

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import asset_base
from app_pages.import_choices import md_text
from app_pages.raster_state import judged_analysis, judged_key
from app_pages.year_sources import previous_year
from geo._errors import ProfileError, user_message
from geo.display_format import DECIMALS, PERCENT_STEP, format_number, table_format
from geo.labels import PARK_SCREEN_TEXTS, UNIT_LEVELS, column_label, labelled
from geo.landuse.parks import (
    PARK_LEVELS,
    PARK_PROFILE,
    load_park_profile,
    park_table,
    park_unit,
    unit_efficiency,
)
from geo.landuse.pipeline import Analysis
from geo.landuse.tables import UNCLASSED
from layers.efficiency import build_park_choropleth

__all__ = ["park_section", "efficiency_block"]

T = PARK_SCREEN_TEXTS
#: Indicators that are shares (0–1), shown as percentages.
_SHARES = ("d_class_land_share", "low_eff_land_share")


@st.cache_resource(show_spinner=False)
def _park_profile(path: str):
    return load_park_profile(path)


@st.cache_resource(show_spinner="正在评价园区…", max_entries=16)
def _park_table(key: str, level: str, profile_path: str, _analysis: Analysis, _catalog,
                _previous: Analysis | None) -> gpd.GeoDataFrame:
    """The park classes of ``level``, keyed by (analysis key｜previous year's analysis key — ""
    when none is loaded, level, park profile path)."""
    return park_table(_analysis, _catalog, level=level, profile=_park_profile(profile_path),
                      previous=_previous)


def _table_or_error(analysis: Analysis, catalog, level: str, profile_path: str | None,
                    key: str):
    """The park table, or None after showing why the park profile cannot be read."""
    path = str(profile_path or PARK_PROFILE)
    previous, previous_key = previous_year(analysis)
    if previous is None:
        st.caption(T["no_previous"].format(year=(analysis.year or 0) - 1)
                   if analysis.year else T["no_year"])
    try:
        return _park_table(f"{key}｜{previous_key}", level, path, analysis, catalog,
                           previous)
    except ProfileError as err:
        st.error(T["profile_error"].format(problem=user_message(err)))
        return None


def _columns(table) -> tuple[list[str], dict]:
    """The columns of the park table shown, and their formats."""
    keys = [c.removeprefix("points_") for c in table.columns if c.startswith("points_")]
    shown = ["unit_name", "park_class", "park_score", "park_rank"]
    config = {column_label("park_score"): st.column_config.NumberColumn(
        format=table_format(DECIMALS["score"])),
        column_label("park_rank"): st.column_config.NumberColumn(format=table_format(0))}
    for key in keys:
        shown += [key, f"points_{key}"]
        config[column_label(key)] = st.column_config.NumberColumn(
            format="percent" if key in _SHARES else table_format(DECIMALS["indicator"]),
            step=PERCENT_STEP if key in _SHARES else None)
        config[column_label(f"points_{key}")] = st.column_config.NumberColumn(
            format=table_format(DECIMALS["score"]))
    return [*shown, "park_note"], config


def park_section(analysis: Analysis, catalog, level: str, *, key: str | None = None,
                 profile_path: str | None = None) -> None:
    """Render the park classes of ``level``: the class map, the table and the unclassed units."""
    st.subheader(T["section_title"])
    if level not in PARK_LEVELS:
        st.info(T["not_park_level"].format(levels="、".join(UNIT_LEVELS[v] for v in PARK_LEVELS)))
        return
    key = key if key is not None else judged_key(analysis)
    table = _table_or_error(analysis, catalog, level, profile_path, key)
    if table is None:
        return
    profile = _park_profile(str(profile_path or PARK_PROFILE))
    st.caption(md_text(T["design"].format(name=profile.name, source=profile.source)))
    fmap = build_park_choropleth(table, data_label=analysis.data_label,
                                 districts=catalog["district"], asset_base=asset_base())
    st_folium(fmap, key=f"park_map_{level}", height=480, use_container_width=True,
              returned_objects=[])
    scored = table[table["park_class"].notna()].sort_values("park_rank", kind="stable")
    missing = table[table["park_class"].isna()]
    shown, config = _columns(table)
    st.markdown(f"**{T['table_title']}**")
    st.dataframe(labelled(scored, shown), hide_index=True, width="stretch",
                 column_config=config, key=f"park_table_{level}")
    if len(missing):
        with st.expander(T["missing_title"].format(count=len(missing))):
            st.caption(T["missing_note"])
            st.dataframe(labelled(missing, ["unit_name", "park_note", "enterprise_count"]),
                         hide_index=True, width="stretch")


def _share(value: float) -> str:
    return f"{value:.1%}" if math.isfinite(value) else "—"


def efficiency_block(catalog, level: str, entity_id: str) -> None:
    """The 亩均效益 of one zone / sub-zone / district in its profile (nothing at other levels)."""
    if level not in PARK_LEVELS:
        return
    st.markdown(f"**{T['block_title']}**")
    analysis, key, _ = judged_analysis()  # 低效用地 as on its own page
    table = _table_or_error(analysis, catalog, level, None, key)
    if table is None:
        return
    unit = unit_efficiency(table, park_unit(catalog, level, entity_id))
    year = T["year"].format(year=analysis.year) if analysis.year else ""
    if analysis.is_sample:
        st.warning(md_text(T["sample"].format(label=analysis.data_label)))
    st.caption(md_text(T["data_line"].format(label=analysis.data_label, year=year,
                                               profile=analysis.profile.name)))
    if unit is None or not unit.has_data:
        st.info(T["no_data"].format(level=UNIT_LEVELS[level]))
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(T["tax"], format_number(unit.tax_per_mu, DECIMALS["indicator"]))
    c2.metric(T["va"], format_number(unit.va_per_mu, DECIMALS["indicator"]))
    c3.metric(T["low_land"], format_number(unit.low_eff_land_mu, DECIMALS["land_mu"]))
    c4.metric(T["low_share"], _share(unit.low_eff_land_share))
    d1, d2 = st.columns(2)
    d1.metric(T["park_class"], unit.park_class or UNCLASSED,
              T["park_rank"].format(rank=unit.park_rank, peers=unit.peers,
                                    level=UNIT_LEVELS[level]) if unit.park_rank else None,
              delta_color="off", delta_arrow="off")
    counts = " · ".join(f"{T['class_count'].format(cls=c)} {n:,}"
                        for c, n in unit.class_counts.items())
    d2.markdown(f"**{T['classes']}**  \n{counts}  \n"
                f"{T['enterprises'].format(count=unit.enterprise_count)}")
    profile = _park_profile(str(PARK_PROFILE))
    note = f"{unit.park_note}。" if unit.park_note else ""
    st.caption(md_text(note + T["design"].format(name=profile.name, source=profile.source)))
