"""Maps rendered once per view and sent to every session that shows that view.

``st_folium`` renders its map on every rerun of every session: folium writes the page's script,
and branca reads every rendered piece back as a Jinja template, which for a map of a few hundred
kilobytes of GeoJSON costs far more than building the map. Under thirty sessions that was the
largest part of the server's CPU. Here a map is rendered once — by ``st_folium`` itself, with
the component call captured instead of sent (:func:`render_map`) — and what it would have sent
is cached by the page (``st.cache_resource``, keyed by the view's real inputs) and sent on
each rerun by :func:`show_map`, exactly as ``st_folium`` sends it: same script, header, html,
links, defaults and widget key, so the browser keeps its map when nothing changed.

A per-session layer (the selected entity's highlight) goes as ``st_folium``'s
``feature_group_to_add``, rendered against a throwaway map, since it differs per session.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
import streamlit as st
import streamlit_folium
from streamlit_folium import st_folium

__all__ = ["RenderedMap", "render_map", "show_map"]

_CAPTURE = threading.local()


class _Component:
    """``streamlit_folium._component_func``, except in a thread capturing a render."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __call__(self, **kwargs: Any) -> Any:
        box = getattr(_CAPTURE, "box", None)
        if box is None:
            return self.real(**kwargs)
        box.update(kwargs)
        return None


if not isinstance(streamlit_folium._component_func, _Component):
    streamlit_folium._component_func = _Component(streamlit_folium._component_func)


@dataclass(frozen=True)
class RenderedMap:
    """What ``st_folium`` sends for a map, without the widget key and callback."""

    args: dict[str, Any] = field(hash=False)

    @property
    def script(self) -> str:
        """The map's Leaflet script."""
        return str(self.args["script"])


@contextlib.contextmanager
def _captured() -> Iterator[dict[str, Any]]:
    box: dict[str, Any] = {}
    _CAPTURE.box = box
    try:
        yield box
    finally:
        _CAPTURE.box = None


def render_map(fmap: folium.Map, *, height: int, returned_objects: Sequence[str],
               use_container_width: bool = True) -> RenderedMap:
    """Render ``fmap`` as ``st_folium`` would, without sending it (``fmap`` is used up)."""
    with _captured() as box:
        st_folium(fmap, height=height, use_container_width=use_container_width,
                  returned_objects=list(returned_objects))
    args = {k: v for k, v in box.items() if k not in ("key", "on_change")}
    return RenderedMap(args)


def _group_script(groups: Sequence[folium.FeatureGroup]) -> str:
    """The script ``st_folium`` writes for ``feature_group_to_add`` (a throwaway parent map)."""
    parent = folium.Map(tiles=None)
    return "".join(streamlit_folium._get_feature_group_string(g, map=parent, idx=i)
                   for i, g in enumerate(groups))


def show_map(rendered: RenderedMap, *, key: str,
             feature_group_to_add: folium.FeatureGroup | None = None) -> Any:
    """Send ``rendered`` under widget ``key``; return what the browser reported (as st_folium).

    ``feature_group_to_add`` is this session's own layer, drawn over the cached map.
    """
    hash_key = streamlit_folium.generate_js_hash(rendered.script, key, False)

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    args = dict(rendered.args)
    args["default"] = copy.deepcopy(args.get("default"))  # returned as is: never the cached one
    if feature_group_to_add is not None:
        args["feature_group"] = _group_script([feature_group_to_add])
    component = streamlit_folium._component_func
    real = component.real if isinstance(component, _Component) else component
    return real(**args, key=hash_key, on_change=on_change)
