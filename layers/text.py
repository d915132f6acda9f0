"""Escaped HTML for tooltips, popups, legends, layer names and feature properties.

folium does not escape: a property shown by ``GeoJsonTooltip`` goes to ``innerHTML``, and text
given to ``folium.Tooltip``/``Popup`` sits inside a JavaScript template literal where
``${...}`` runs. Worse, branca re-reads the script folium renders as a *Jinja template*: a
``{{ ... }}`` or ``{% ... %}`` anywhere in the embedded data — a GeoJSON property, a layer
name, a legend — would be evaluated on the server. So every string from data that enters a
folium object passes through :func:`esc`, the one escaping helper of the maps: it HTML-escapes
and also turns ``{``, ``}``, the backtick and the dollar sign into entities, so no Jinja
delimiter (``{{ }}``, ``{% %}``, ``{# #}``) and no JavaScript template literal (`` ` ``,
``${``) survives. A hostile name never reaches the page as markup, template or code, and it
still *reads* the same on screen. Identifiers (``id``) are passed through it too: real ids
(``Z01``, ``Z01-01``) are unchanged by it.
"""

from __future__ import annotations

import html
import math
from typing import SupportsFloat

import pandas as pd

from geo.labels import COLUMNS, LEVEL_LABELS, QUALITY
from geo.zones.catalog import LIST_SEPARATOR
from geo.zones.plans import cite_text

__all__ = ["esc", "tooltip_html", "popup_html", "fmt_area"]

_EXTRA = str.maketrans({"`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;"})


def esc(value: object) -> str:
    """HTML-escape any value and make Jinja/JS-template syntax inert (``None``/NaN → "")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True).translate(_EXTRA)


def fmt_area(km2: SupportsFloat | str | None, mu: SupportsFloat | str) -> str:
    """"12.34 平方公里（18,510 亩）", or "" when the entity is a point."""
    if km2 is None or pd.isna(km2):
        return ""
    return f"{float(km2):,.2f} 平方公里（{float(mu):,.0f} 亩）"


def _industries(row: pd.Series) -> str:
    for col in ("leading_industry", "positioning", "leading_industries"):
        value = row.get(col)
        if value is not None and str(value):
            return str(value).replace(LIST_SEPARATOR, "、")
    return ""


def _quality(row: pd.Series) -> str:
    q = str(row.get("geometry_quality", ""))
    return QUALITY.get(q, q)


def tooltip_html(row: pd.Series, level: str) -> str:
    """Name, layer, industries, area in km² and 亩, geometry quality — all escaped."""
    parts = [f"<b>{esc(row['name'])}</b> "
             f"<span style='color:#666'>{esc(LEVEL_LABELS[level])}</span>"]
    if level != "district":
        tags = str(row.get("industry_tags", "") or "")
        parts.append(f"产业：{esc(_industries(row) or '（规划未列明）')}")
        if tags:
            parts.append(f"标签：{esc(tags)}")
    area = fmt_area(row.get("area_km2"), row.get("area_mu"))
    if area:
        parts.append(f"面积：{esc(area)}")
    parts.append(f"几何：{esc(_quality(row))}")
    return "<br>".join(parts)


def popup_html(row: pd.Series, level: str) -> str:
    """Build the profile summary shown on click — all escaped; schematic geometry is stated."""
    lines = [f"<h4 style='margin:0 0 4px'>{esc(row['name'])}</h4>",
             f"<div>{esc(LEVEL_LABELS[level])} · 编号 {esc(row['id'])}</div>"]
    for col in ("belt", "zone_name", "districts", "district"):
        if col in row and str(row[col] or ""):
            lines.append(f"<div>{esc(COLUMNS[col])}：{esc(row[col])}</div>")
    industries = _industries(row)
    if level != "district":
        lines.append(f"<div>主导产业：{esc(industries or '（规划未列明）')}</div>")
    if level == "zone" and str(row.get("belt_industries", "") or ""):
        belt_industries = str(row["belt_industries"]).replace(LIST_SEPARATOR, "、")
        lines.append(f"<div>产业带方向：{esc(belt_industries)}</div>")
    if "planned_area_km2" in row and str(row["planned_area_km2"] or ""):
        lines.append(f"<div>规划面积（原文）：{esc(row['planned_area_km2'])} 平方公里</div>")
    area = fmt_area(row.get("area_km2"), row.get("area_mu"))
    if area:
        lines.append(f"<div>计算面积：{esc(area)}</div>")
    lines.append(f"<div>出处：{esc(cite_text(row.get('source', '')))}</div>")
    quality = str(row.get("geometry_quality", ""))
    if quality == "schematic":
        lines.append("<div style='color:#b45309'>⚠ 示意范围，非官方边界；面积仅供参考</div>")
    else:
        lines.append(f"<div>几何：{esc(_quality(row))}</div>")
    return "<div style='min-width:220px;font-size:13px'>" + "".join(lines) + "</div>"
