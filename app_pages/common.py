"""Shared by every page: cached loaders, the sidebar filters, the current selection.

Loaders use ``st.cache_resource`` (GeoDataFrames are not hashable for ``st.cache_data``) and
are keyed by hashable arguments only, so data is read once per process, not on every rerun.
Callers must not mutate what they get back.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from geo.labels import FILTER_NOTE_KEYS, LEVEL_LABELS, MAP_UI_TEXTS, labelled
from geo.zones.catalog import BELTS, load_catalog
from geo.zones.selection import MAP_LEVELS, Filters, select
from geo.zones.taxonomy import canonical_tags
from layers.assets import STATIC_SUBDIR, install_assets

APP_DIR = Path(__file__).resolve().parent.parent
#: Session-state key of the selected entity: (level, id) or None.
SELECTED = "selected_entity"


#: Environment variable naming another catalogue folder (e.g. one with surveyed boundaries).
DATA_DIR_ENV = "NINGBO_PARKS_DIR"


@st.cache_resource(show_spinner="正在加载园区目录…")
def catalog_at(data_dir: str) -> dict[str, gpd.GeoDataFrame]:
    """The validated catalogue of folder ``data_dir`` ("" = bundled), read once per process."""
    return load_catalog(data_dir=data_dir or None)


def data_key() -> str:
    """The catalogue folder in use ("" = bundled); part of every cache key."""
    return os.environ.get(DATA_DIR_ENV, "")


def get_catalog() -> dict[str, gpd.GeoDataFrame]:
    """The validated catalogue, read once per process (per folder)."""
    return catalog_at(data_key())


@st.cache_resource(show_spinner=False)
def asset_base() -> str:
    """Copy Leaflet into ``static/`` once and return its URL path (honours baseUrlPath)."""
    install_assets(APP_DIR / "static")
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(p for p in (prefix, "app/static", STATIC_SUBDIR) if p)


@st.cache_resource(show_spinner=False, max_entries=64)
def selection_at(data_dir: str, filters: Filters) -> dict[str, gpd.GeoDataFrame]:
    """The filtered layers of folder ``data_dir`` for ``filters`` (cached per both)."""
    return select(catalog_at(data_dir), filters)


def get_selection(filters: Filters) -> dict[str, gpd.GeoDataFrame]:
    """The filtered layers for ``filters`` in the catalogue folder in use."""
    return selection_at(data_key(), filters)


def tianditu_key() -> str | None:
    """天地图 key from ``TIANDITU_KEY`` or ``tianditu_key`` in secrets; None when absent."""
    key = os.environ.get("TIANDITU_KEY", "").strip()
    if key:
        return key
    try:
        return str(st.secrets.get("tianditu_key", "")).strip() or None
    except StreamlitSecretNotFoundError:  # no secrets.toml: 天地图 is simply not offered
        return None


#: Session-state key of the current :class:`Filters` (set by the entry point every run).
FILTERS = "filters"


def current_filters() -> Filters:
    """The filters drawn by the entry point in this run (pages call this, not the widgets)."""
    return st.session_state.get(FILTERS) or Filters()


def sidebar_filters() -> Filters:
    """Draw the sidebar filters. Called once per run by ``streamlit_app.py`` (before the page),
    so the widgets and their values persist when the official switches pages."""
    catalog = get_catalog()
    sb = st.sidebar
    sb.header("筛选")
    industries = sb.multiselect("产业（标准标签，任一匹配）", canonical_tags(), key="f_industries",
                                placeholder="选择产业标签")
    phrase = sb.text_input("产业原文（如 膜材料、智能电器）", key="f_phrase",
                           help="只在规划原文的产业表述中查找（不按标签），结果表显示匹配的原文及出处；"
                                "与上面的标签取并集。")
    belt = sb.selectbox("一核四带", ["", *BELTS], key="f_belt",
                        format_func=lambda b: b or "（全部）",
                        help="产业带只作用于集聚区与分片：规划未给出小镇、分园、基地的所属产业带。")
    districts = sorted(catalog["district"]["name"])
    district = sb.selectbox(LEVEL_LABELS["district"], ["", *districts], key="f_district",
                            format_func=lambda d: d or "（全部）")
    name = sb.text_input(FILTER_NOTE_KEYS["name"], key="f_name")
    levels = sb.multiselect("图层", list(MAP_LEVELS), default=list(MAP_LEVELS), key="f_levels",
                            format_func=LEVEL_LABELS.get, help=MAP_UI_TEXTS["layers_help"])
    return Filters(industries=tuple(industries), phrase=phrase.strip(), belt=belt,
                   district=district, name=name.strip(),
                   levels=tuple(lvl for lvl in MAP_LEVELS if lvl in levels))


def table_view(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Columns an official reads in a results table (no geometry), Chinese headers."""
    cols = ("id", "name", "belt", "zone_name", "district", "districts", "leading_industries",
            "leading_industry", "positioning", "industry_tags", "planned_area_km2", "area_km2",
            "area_mu", "geometry_quality")
    return labelled(gdf, cols).reset_index(drop=True)


_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:"


def md_escape(text: object) -> str:
    """Backslash-escape Markdown so data shown in st.subheader/caption is literal text."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))
