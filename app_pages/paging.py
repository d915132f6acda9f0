"""Long tables one page at a time: a page sends at most ``size`` rows to the browser (tens of
thousands of enterprises or parcels would otherwise go over the websocket on every rerun); the
caption says which rows are shown and that the full list is in the download."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from geo.labels import PAGING_TEXTS
from geo.tiles import TILE_THRESHOLD

__all__ = ["PAGE_SIZE", "page_of", "map_capped"]

#: Rows of a long table shown at once.
PAGE_SIZE = 1_000


def page_of(frame: pd.DataFrame, key: str, *, size: int | None = None) -> pd.DataFrame:
    """The rows of ``frame`` on the page chosen (a page selector only when there are more rows
    than ``size``), with the caption "显示第 a–b 行，共 n 行；完整清单请下载".

    ``key`` is the selector's widget key; ``size`` defaults to :data:`PAGE_SIZE`. A page beyond
    the last (the filter narrowed the list) shows the last page.
    """
    size = size or PAGE_SIZE
    total = len(frame)
    if total <= size:
        return frame
    pages = math.ceil(total / size)
    if st.session_state.get(key, 1) > pages:
        st.session_state[key] = pages
    page = int(st.number_input(PAGING_TEXTS["page"].format(size=size, pages=pages),
                               min_value=1, max_value=pages, step=1, key=key))
    first = (page - 1) * size
    shown = frame.iloc[first:first + size]
    st.caption(PAGING_TEXTS["caption"].format(first=first + 1, last=first + len(shown),
                                              total=total))
    return shown


def map_capped(flagged: pd.DataFrame, *, limit: int = TILE_THRESHOLD) -> pd.DataFrame:
    """At most ``limit`` parcels, the largest, for a map sent parcel by parcel (when vector
    tiles cannot be drawn), with a note saying so; all of them when they are fewer."""
    if len(flagged) <= limit:
        return flagged
    st.caption(PAGING_TEXTS["map_capped"].format(total=len(flagged), shown=limit))
    return flagged.nlargest(limit, "land_mu")
