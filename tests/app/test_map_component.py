"""A map rendered once and sent by show_map is sent exactly as st_folium sends it."""

from __future__ import annotations

import folium
import pytest
import streamlit_folium
from streamlit_folium import st_folium

from app_pages.map_component import render_map, show_map
from geo.zones.catalog import load_catalog
from layers.map import build_map, selection_group


def _map() -> folium.Map:
    catalog = load_catalog()
    return build_map({"zone": catalog["zone"].head(3)}, districts=catalog["district"],
                     asset_base="/app/static/vendor")


@pytest.fixture
def sent(monkeypatch):
    calls: list[dict] = []
    monkeypatch.setattr(streamlit_folium._component_func, "real",
                        lambda **kw: calls.append(kw) or {"last_clicked": None})
    return calls


def _comparable(kw: dict) -> dict:
    return {k: v for k, v in kw.items() if k != "on_change"}


def test_show_map_sends_what_st_folium_sends(sent):
    st_folium(_map(), key="overview", height=620, use_container_width=True,
              returned_objects=["last_clicked"])
    rendered = render_map(_map(), height=620, returned_objects=["last_clicked"])
    assert len(sent) == 1  # rendering sends nothing
    out = show_map(rendered, key="overview")
    assert out == {"last_clicked": None}
    assert _comparable(sent[0]) == _comparable(sent[1])
    assert sent[1]["script"]
    assert "cdn" not in " ".join(sent[1]["js_links"] + sent[1]["css_links"]).lower()


def test_a_rendered_map_is_sent_again_unchanged(sent):
    rendered = render_map(_map(), height=520, returned_objects=[])
    show_map(rendered, key="a")
    show_map(rendered, key="a")
    assert _comparable(sent[0]) == _comparable(sent[1])


def test_a_session_layer_goes_as_st_folium_sends_it(sent):
    catalog = load_catalog()
    selection = {"zone": catalog["zone"].head(3)}
    first = catalog["zone"]["id"].iloc[0]
    st_folium(_map(), key="overview", height=620, use_container_width=True,
              returned_objects=["last_clicked"],
              feature_group_to_add=selection_group(selection, ("zone", first)))
    show_map(render_map(_map(), height=620, returned_objects=["last_clicked"]),
             key="overview", feature_group_to_add=selection_group(selection, ("zone", first)))
    assert sent[1]["feature_group"]
    assert _comparable(sent[0]) == _comparable(sent[1])
