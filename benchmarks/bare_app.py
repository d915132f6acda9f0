"""Bare Streamlit baseline of the app steps: the same sample files, plain geopandas and folium.

Three pages with the app's titles (地图总览, 亩均效益, 低效用地) and one sidebar filter with the
app's label, so :mod:`benchmarks.app_steps` drives both apps the same way. Files are read once
per process (``st.cache_resource``), as a plain Streamlit app would; each page draws a folium map
through ``st_folium`` and a dataframe. No validation, scoring, downloads or text.

Run by the harness from a temporary folder holding this file and a ``static`` link to the
project's ``static/`` (Leaflet served locally, as in the app); ``BENCH_ROOT`` names the project.
"""

from __future__ import annotations

import os
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

ROOT = Path(os.environ.get("BENCH_ROOT", Path(__file__).resolve().parent.parent))
PARKS = ROOT / "data" / "parks"
SAMPLE = ROOT / "data" / "sample"
PHRASE_LABEL = "产业原文（如 膜材料、智能电器）"
LEAFLET = "/app/static/vendor/leaflet"
folium.Map.default_js = [("leaflet", f"{LEAFLET}/leaflet.js")]
folium.Map.default_css = [("leaflet_css", f"{LEAFLET}/leaflet.css")]


@st.cache_resource
def catalogue() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Zones and sub-zones as read."""
    return (gpd.read_file(PARKS / "zones.geojson", engine="pyogrio"),
            gpd.read_file(PARKS / "subzones.geojson", engine="pyogrio"))


@st.cache_resource
def sample() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Sample parcels joined to sub-zones, with tax per 亩; and tax by sub-zone."""
    parcels = gpd.read_file(SAMPLE / "parcels.gpkg", engine="pyogrio")
    enterprises = pd.read_csv(SAMPLE / "enterprises.csv", encoding="utf-8-sig", dtype=str)
    enterprises["税收（万元）"] = pd.to_numeric(enterprises["税收（万元）"], errors="coerce")
    _, subzones = catalogue()
    points = parcels.set_geometry(parcels.geometry.representative_point())
    joined = gpd.sjoin(points, subzones[["id", "name", "geometry"]].to_crs(parcels.crs),
                       predicate="within").drop_duplicates("宗地编号")
    tax = enterprises.groupby("宗地编号")["税收（万元）"].sum()
    parcels = parcels.merge(joined[["宗地编号", "id"]], on="宗地编号", how="left")
    parcels["税收（万元）"] = parcels["宗地编号"].map(tax).fillna(0.0)
    parcels["亩"] = pd.to_numeric(parcels["用地面积（平方米）"], errors="coerce") / (10000 / 15)
    parcels["亩均税收"] = parcels["税收（万元）"] / parcels["亩"]
    by_zone = parcels.groupby("id", as_index=False).agg(税收=("税收（万元）", "sum"),
                                                        亩=("亩", "sum"))
    by_zone["亩均税收"] = by_zone["税收"] / by_zone["亩"]
    return parcels.to_crs(4326), by_zone


def show(gdf: gpd.GeoDataFrame, key: str, tooltip: str = "name") -> None:
    """Draw ``gdf`` on a plain folium map through ``st_folium``."""
    m = folium.Map(location=[29.87, 121.55], zoom_start=9, tiles=None)
    if len(gdf):
        folium.GeoJson(gdf, tooltip=folium.GeoJsonTooltip(fields=[tooltip])).add_to(m)
    st_folium(m, key=key, height=620, use_container_width=True, returned_objects=[])


def overview() -> None:
    """Page 地图总览: zones and (filtered) sub-zones, and their table."""
    st.title("地图总览")
    zones, subzones = catalogue()
    phrase = st.session_state.get("phrase", "").strip()
    if phrase:
        text = subzones.drop(columns="geometry").astype(str).agg(" ".join, axis=1)
        subzones = subzones[text.str.contains(phrase, regex=False)]
    st.write(f"{len(subzones)} 个分片")
    show(pd.concat([zones[["name", "geometry"]], subzones[["name", "geometry"]]]), "overview")
    st.dataframe(subzones.drop(columns="geometry"))


def efficiency() -> None:
    """Page 亩均效益: tax per 亩 by sub-zone, map and table."""
    st.title("亩均效益")
    _, subzones = catalogue()
    _, by_zone = sample()
    shown = subzones[["id", "name", "geometry"]].merge(by_zone, on="id")
    st.write(f"{len(shown)} 个分片")
    show(shown, "efficiency")
    st.dataframe(by_zone)


def lowland() -> None:
    """Page 低效用地: the quarter of parcels lowest in tax per 亩, map and table."""
    st.title("低效用地")
    parcels, _ = sample()
    low = parcels[parcels["亩均税收"] < parcels["亩均税收"].quantile(0.25)]
    st.write(f"{len(low)} 宗低效用地")
    show(low[["宗地编号", "亩均税收", "geometry"]], "lowland", tooltip="宗地编号")
    st.dataframe(low.drop(columns="geometry"))


st.set_page_config(page_title="bare", layout="wide")
pages = st.navigation([st.Page(overview, title="地图总览", default=True),
                       st.Page(efficiency, title="亩均效益"),
                       st.Page(lowland, title="低效用地")])
st.sidebar.text_input(PHRASE_LABEL, key="phrase")
pages.run()
