"""Bar charts of the pages, built with Altair so each axis carries its own title.

``st.bar_chart(horizontal=True)`` swaps the meaning of ``x_label`` and ``y_label``; here the
value axis is always titled with the figure and its unit, the category axis shows short names
that stay unique (:func:`geo.display_format.short_labels`), and hovering a bar shows the full
name and the value with thousands separators and fixed decimals.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from geo.display_format import short_labels

__all__ = ["SHORT_WIDTH", "horizontal_bars", "paired_bars"]

#: Characters of a category label on a bar chart's axis (the full name is in the tooltip).
SHORT_WIDTH = 12
_ROW_PX = 22


def _d3(decimals: int) -> str:
    return f",.{decimals}f"


def horizontal_bars(names: Sequence[str], values: Sequence[float], *, value_title: str,
                    name_title: str, decimals: int = 2, rank: Sequence[int] | None = None,
                    rank_title: str = "") -> alt.Chart:
    """One bar per name, in the given order, the value axis titled ``value_title``.

    Tooltip: ``rank`` (if given), the full name, the value with separators and ``decimals``.
    """
    frame = pd.DataFrame({"short": short_labels([str(n) for n in names], width=SHORT_WIDTH),
                          "name": list(names), "value": list(values)})
    frame["_row"] = range(len(frame))
    tips = [alt.Tooltip("name:N", title=name_title),
            alt.Tooltip("value:Q", title=value_title, format=_d3(decimals))]
    if rank is not None:
        frame["rank"] = list(rank)
        tips.insert(0, alt.Tooltip("rank:Q", title=rank_title, format="d"))
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("value:Q", title=value_title, axis=alt.Axis(format=",~f")),
        y=alt.Y("short:N", sort=None, title=None,
                axis=alt.Axis(labelLimit=0, labelOverlap=False)),
        tooltip=tips,
    ).properties(height=max(len(frame), 1) * _ROW_PX + 40)


def paired_bars(frame: pd.DataFrame, *, name: str, series: Sequence[str], value_title: str,
                name_title: str, series_title: str, decimals: int = 2,
                detail: str | None = None, detail_title: str = "") -> alt.Chart:
    """Grouped horizontal bars: one group per row of ``frame`` (named by ``frame[name]``), one
    bar per column of ``series`` (whose names are the legend's words), the value axis titled
    ``value_title``.

    Rows of the same name get distinct short labels ("（2）") and, with ``detail`` (e.g. the
    table a row comes from), a tooltip line that tells them apart.
    """
    names = [str(n) for n in frame[name]]
    short = short_labels(names, width=SHORT_WIDTH)
    wide = frame.assign(_short=short, _name=names, _row=range(len(frame)))
    keep = ["_short", "_name", "_row"]
    tips = [alt.Tooltip("_name:N", title=name_title)]
    if detail is not None:
        wide["_detail"] = frame[detail].astype(str)
        keep.append("_detail")
        tips.append(alt.Tooltip("_detail:N", title=detail_title))
    long = wide.melt(id_vars=keep, value_vars=list(series), var_name="_series",
                     value_name="_value").dropna(subset=["_value"])
    tips += [alt.Tooltip("_series:N", title=series_title),
             alt.Tooltip("_value:Q", title=value_title, format=_d3(decimals))]
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("_value:Q", title=value_title, axis=alt.Axis(format=",~f")),
        y=alt.Y("_short:N", sort=short, title=None,
                axis=alt.Axis(labelLimit=0, labelOverlap=False)),
        yOffset=alt.YOffset("_series:N", sort=list(series)),
        color=alt.Color("_series:N", title=series_title, sort=list(series),
                        legend=alt.Legend(orient="bottom")),
        tooltip=tips,
    ).properties(height=max(len(short), 1) * _ROW_PX * max(len(series), 1) + 60)
