"""One-page PDF summaries of the 重点工业集聚区 (A4 portrait, always one page) and their batch.

Each page holds the zone's map (its 分片, the towns, 分园, bases and districts around it), its
attributes, industries with their sources (document title and line), its areas (km² and 亩,
thousands separators), the schematic notice in Chinese and — when an analysis is given — the
zone's 亩均 figures under their data label. Every string from the data is escaped.
A page that would run over is laid out again with shorter lists ("等 N 项") and a smaller map.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from geo._errors import ExportError
from geo.crs import MU_PER_KM2
from geo.labels import (
    AREA_BASES,
    AREA_COLUMNS,
    COLUMNS,
    CONTENTS_COLUMNS,
    DISTRICT_BOUNDARY_SOURCE,
    INDUSTRY_COLUMNS,
    INDUSTRY_SCOPES,
    LEVEL_LABELS,
    PLAN_SHORT_TITLES,
    PLAN_TITLES,
    QUALITY,
    RELATED_COLUMNS,
    RELATIONS,
    REPORT_SAMPLE_NOTICE,
    REPORT_SCHEMATIC_NOTICE,
    REPORT_TEXTS,
)
from geo.reports._format import MISSING, number, trim
from geo.reports.mapfig import report_date, zone_map
from geo.reports.render import img_tag, merge, page_css, render
from geo.zones.catalog import LIST_SEPARATOR
from geo.zones.plans import cite_text
from geo.zones.profile import entity_profile

if TYPE_CHECKING:
    from weasyprint import Document

    from geo.landuse.pipeline import Analysis

__all__ = ["zone_summary_html", "zone_summary_pdf", "zones_pdf", "zone_figures"]

_E = html.escape
#: Columns shown elsewhere on the page (industries table, areas table) or not attributes.
_NOT_ATTRIBUTES = ("leading_industries", "leading_industries_sources",
                   "leading_industries_scopes", "belt_industries", "belt_industries_sources",
                   "area_km2", "area_mu", "name")
#: The 亩均 figures printed for a zone: (column, decimals).
_FIGURES = (("enterprise_count", 0), ("above_scale_count", 0), ("parcel_count", 0),
            ("parcel_land_mu", 0), ("coverage_share", None), ("tax_per_mu", 2),
            ("va_per_mu", 2), ("revenue_per_mu", 2), ("labour_productivity", 2),
            ("low_eff_parcel_count", 0), ("low_eff_land_mu", 0))
_SOURCES = (f"数据来源：{PLAN_TITLES['manufacturing']}（表4-1/4-2/4-3）、"
            f"{PLAN_SHORT_TITLES['innovation']}（专栏9）；区县边界 {DISTRICT_BOUNDARY_SOURCE}。"
            "面积按 EPSG:4549 计算，1 亩 = 10000/15 平方米。")


@dataclass(frozen=True)
class _Fit:
    """How much of the long lists a page holds, from roomy (0) to tight."""

    industries: int
    related: int
    subzones: int
    map_mm: float
    font_pt: float


_FITS = (_Fit(14, 10, 8, 92, 8.6), _Fit(10, 6, 7, 80, 8.2), _Fit(7, 4, 6, 68, 7.8),
         _Fit(5, 3, 5, 58, 7.4), _Fit(3, 2, 4, 50, 7.0))


def _split(value: object) -> list[str]:
    return [p for p in str(value or "").split(LIST_SEPARATOR) if p]


def _zone_row(catalog: Mapping[str, gpd.GeoDataFrame], entity_id: str) -> pd.Series:
    zones = catalog["zone"]
    hit = zones[zones["id"] == entity_id]
    if hit.empty:
        raise ValueError(f"no zone with id {entity_id!r}. Fix: use one of "
                         + ", ".join(zones["id"].astype(str)))
    return hit.iloc[0]


def _scope_text(scope: str, catalog: Mapping[str, gpd.GeoDataFrame]) -> str:
    """Say what a leading industry applies to: the zone, one 分片, or a district."""
    if scope == "zone" or not scope:
        return INDUSTRY_SCOPES["leading_industries"]
    sub = catalog["subzone"]
    hit = sub[sub["id"] == scope]
    if len(hit):
        return f"{LEVEL_LABELS['subzone']} {scope} {hit.iloc[0]['name']}"
    return scope


def _industry_rows(row: pd.Series, catalog: Mapping[str, gpd.GeoDataFrame]
                   ) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    scopes = _split(row.get("leading_industries_scopes"))
    for col in ("leading_industries", "belt_industries"):
        phrases = _split(row.get(col))
        sources = _split(row.get(f"{col}_sources"))
        for i, phrase in enumerate(phrases):
            basis = INDUSTRY_SCOPES[col]
            if col == "leading_industries" and i < len(scopes):
                basis = _scope_text(scopes[i], catalog)
            source = str(cite_text(sources[i])) if i < len(sources) else MISSING
            rows.append((phrase, basis, source))
    return rows


def _attribute_value(col: str, value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return MISSING
    if col == "geometry_quality":
        return QUALITY.get(str(value), str(value))
    if isinstance(value, float):
        return number(value, 2)
    return str(cite_text(value)) or MISSING


def _kv_table(pairs: Sequence[tuple[str, str]], cls: str = "kv") -> str:
    body = "".join(f"<tr><th>{_E(k)}</th><td>{_E(v)}</td></tr>" for k, v in pairs)
    return f"<table class='{cls}'>{body}</table>"


def _areas(row: pd.Series) -> str:
    rows = []
    if "planned_area_km2" in row and pd.notna(pd.to_numeric(row.get("planned_area_km2"),
                                                             errors="coerce")):
        km2 = float(pd.to_numeric(row["planned_area_km2"]))
        rows.append((AREA_BASES["planned"], km2, km2 * MU_PER_KM2))
    if pd.notna(row.get("area_km2")):
        basis = "computed_schematic" if row["geometry_quality"] == "schematic" else "computed"
        rows.append((AREA_BASES[basis], row["area_km2"], row["area_mu"]))
    head = (f"<tr><th>{_E(AREA_COLUMNS['basis'])}</th><th class='num'>{_E(AREA_COLUMNS['km2'])}"
            f"</th><th class='num'>{_E(AREA_COLUMNS['mu'])}</th></tr>")
    body = "".join(f"<tr><td>{_E(b)}</td><td class='num'>{number(k, 2)}</td>"
                   f"<td class='num'>{number(m, 0)}</td></tr>" for b, k, m in rows)
    return f"<table>{head}{body}</table>"


def _industries(rows: list[tuple[str, str, str]], limit: int) -> str:
    if not rows:
        return f"<p class='muted'>{_E(REPORT_TEXTS['none'])}</p>"
    shown, more = trim(rows, limit)
    head = "".join(f"<th>{_E(INDUSTRY_COLUMNS[k])}</th>" for k in ("industry", "basis", "source"))
    body = "".join(f"<tr><td>{_E(a)}</td><td>{_E(b)}</td><td>{_E(c)}</td></tr>"
                   for a, b, c in shown)
    tail = f"<tr><td colspan='3' class='muted'>{_E(more)}</td></tr>" if more else ""
    return f"<table class='small'><tr>{head}</tr>{body}{tail}</table>"


def _subzones(catalog: Mapping[str, gpd.GeoDataFrame], entity_id: str, limit: int
              ) -> tuple[str, int]:
    parts = catalog["subzone"][catalog["subzone"]["zone_id"] == entity_id]
    rows = list(parts[["id", "name", "district", "area_km2", "area_mu"]].itertuples(index=False))
    shown, more = trim(rows, limit)
    head = (f"<tr><th>{_E(COLUMNS['id'])}</th><th>{_E(COLUMNS['name'])}</th>"
            f"<th>{_E(COLUMNS['district'])}</th><th class='num'>{_E(AREA_COLUMNS['km2'])}</th>"
            f"<th class='num'>{_E(AREA_COLUMNS['mu'])}</th></tr>")
    body = "".join(f"<tr><td>{_E(str(r[0]))}</td><td>{_E(str(r[1]))}</td>"
                   f"<td>{_E(str(r[2] or MISSING))}</td><td class='num'>{number(r[3], 2)}</td>"
                   f"<td class='num'>{number(r[4], 0)}</td></tr>" for r in shown)
    tail = f"<tr><td colspan='5' class='muted'>{_E(more)}</td></tr>" if more else ""
    return f"<table class='small'>{head}{body}{tail}</table>", len(rows)


def _related(catalog: Mapping[str, gpd.GeoDataFrame], entity_id: str, limit: int) -> str:
    rel = entity_profile(catalog, "zone", entity_id).related
    if rel.empty:
        return f"<p class='muted'>{_E(REPORT_TEXTS['none'])}</p>"
    lines = []
    for level, group in rel.groupby(RELATED_COLUMNS["level"], sort=False):
        names = [str(n) + ("" if r == RELATIONS["inside"] else f"（{RELATIONS['near']}）")
                 for n, r in zip(group[RELATED_COLUMNS["name"]],
                                 group[RELATED_COLUMNS["relation"]], strict=True)]
        shown, more = trim(names, limit)
        lines.append(f"<tr><th>{_E(str(level))}</th><td>{_E('、'.join(shown))}"
                     f"{_E(more)}</td></tr>")
    return f"<table class='kv small'>{''.join(lines)}</table>"


def zone_figures(analysis: Analysis, catalog: Mapping[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Return the 亩均 figures of every zone (one row per zone id) from ``analysis``."""
    from geo.landuse.tables import level_table

    table = level_table(analysis, catalog, level="zone")
    return pd.DataFrame(table.drop(columns=table.geometry.name)).set_index("unit")


def _efficiency(analysis: Analysis, figures: pd.DataFrame, entity_id: str) -> str:
    title = REPORT_TEXTS["efficiency"].format(label=analysis.data_label,
                                              year=analysis.year or MISSING)
    notice = (f"<div class='notice sample'>{_E(REPORT_SAMPLE_NOTICE)}</div>"
              if analysis.is_sample else "")
    if entity_id not in figures.index or not figures.at[entity_id, "enterprise_count"]:
        return (f"<h2>{_E(title)}</h2>{notice}"
                f"<p class='muted'>{_E(REPORT_TEXTS['efficiency_none'])}</p>")
    row = figures.loc[entity_id]
    pairs = []
    for col, decimals in _FIGURES:
        value = row.get(col)
        shown = (f"{number(float(value) * 100, 1)} %" if decimals is None and pd.notna(value)
                 else number(value, decimals or 0))
        pairs.append((COLUMNS[col], shown))
    classes = " / ".join(f"{c} {number(row.get(f'class_{c}_count'), 0)}" for c in "ABCD")
    pairs.append((COLUMNS["class"], classes))
    half = (len(pairs) + 1) // 2
    return (f"<h2>{_E(title)}</h2>{notice}<div class='cols'><div>"
            f"{_kv_table(pairs[:half], 'kv wide small')}</div><div>"
            f"{_kv_table(pairs[half:], 'kv wide small')}</div></div>")


def zone_summary_html(entity_id: str, catalog: Mapping[str, gpd.GeoDataFrame], *,
                      analysis: Analysis | None = None, figures: pd.DataFrame | None = None,
                      map_png: bytes | None = None, fit: int = 0, footer: str = "") -> str:
    """Return the HTML of the one-page summary of zone ``entity_id`` (every value escaped).

    ``figures`` (from :func:`zone_figures`) and ``map_png`` may be given to reuse them;
    ``fit`` chooses how tightly long lists are trimmed (0 roomy … 4 tight).
    """
    row = _zone_row(catalog, entity_id)
    f = _FITS[min(fit, len(_FITS) - 1)]
    if map_png is None:
        map_png = zone_map(entity_id, catalog, size_mm=(186.0, 100.0), dpi=150)
    attrs = [(COLUMNS.get(c, c), _attribute_value(c, v))
             for c, v in row.drop(labels=[catalog["zone"].geometry.name]).items()
             if c not in _NOT_ATTRIBUTES]
    quality = str(row.get("geometry_quality", ""))
    notice = (f"<div class='notice'>{_E(REPORT_SCHEMATIC_NOTICE)}</div>" if quality == "schematic"
              else f"<div class='notice'>{_E(COLUMNS['geometry_quality'])}："
                   f"{_E(QUALITY.get(quality, quality))}</div>")
    subzones, n_sub = _subzones(catalog, entity_id, f.subzones)
    eff = ""
    if analysis is not None:
        eff = _efficiency(analysis, figures if figures is not None
                          else zone_figures(analysis, catalog), entity_id)
    meta = " · ".join(_E(x) for x in (
        LEVEL_LABELS["zone"], f"{COLUMNS['id']} {row['id']}", str(row.get("belt") or ""),
        str(row.get("districts") or ""), REPORT_TEXTS["generated"].format(date=report_date()))
        if x)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{_E(str(row['name']))} · {_E(REPORT_TEXTS['zone_kind'])}</title>
<style>{page_css(font_pt=f.font_pt, footer=footer)}</style></head><body>
<h1>{_E(str(row['name']))}</h1>
<div class="meta">{meta}</div>
{notice}
{img_tag(map_png, alt=_E(REPORT_TEXTS['map']), height_mm=f.map_mm)}
<div class="cols">
<div><h2>{_E(REPORT_TEXTS['areas'])}</h2>{_areas(row)}
<h2>{_E(REPORT_TEXTS['subzones'].format(n=n_sub))}</h2>{subzones}</div>
<div><h2>{_E(REPORT_TEXTS['attributes'])}</h2>{_kv_table(attrs)}</div>
</div>
<h2>{_E(REPORT_TEXTS['industries'])}</h2>{_industries(_industry_rows(row, catalog), f.industries)}
<h2>{_E(REPORT_TEXTS['related'])}</h2>{_related(catalog, entity_id, f.related)}
{eff}
<p class="muted small">{_E(_SOURCES)}</p>
</body></html>"""


def _zone_document(entity_id: str, catalog: Mapping[str, gpd.GeoDataFrame], *,
                   analysis: Analysis | None, figures: pd.DataFrame | None,
                   footer: str = "") -> Document:
    """Lay out the summary, trimming until it is one page."""
    map_png = zone_map(entity_id, catalog, size_mm=(186.0, 100.0), dpi=150)
    doc = None
    for fit in range(1 if analysis is not None else 0, len(_FITS)):
        doc = render(zone_summary_html(entity_id, catalog, analysis=analysis, figures=figures,
                                       map_png=map_png, fit=fit, footer=footer))
        if len(doc.pages) == 1:
            return doc
    raise ExportError(
        f"the summary of zone {entity_id} does not fit on one A4 page", feature=entity_id,
        fix="shorten its attributes or report the zone to the maintainers",
        zh=(f"集聚区 {entity_id} 的一页式档案在最紧凑的版式下仍超过一页 A4",
            "请缩短其属性文字，或将该集聚区报告给维护人员"))


def zone_summary_pdf(entity_id: str, catalog: Mapping[str, gpd.GeoDataFrame], *,
                     analysis: Analysis | None = None) -> bytes:
    """Return the one-page A4 PDF summary of zone ``entity_id``.

    Parameters
    ----------
    entity_id : str
        A zone id (``"Z07"``).
    catalog : mapping of level to GeoDataFrame
    analysis : Analysis, keyword-only, optional
        Adds the zone's 亩均 figures under the data's label (示例数据 when sample).

    Returns
    -------
    bytes
        A PDF of exactly one page.
    """
    figures = zone_figures(analysis, catalog) if analysis is not None else None
    return merge([_zone_document(entity_id, catalog, analysis=analysis, figures=figures)])


def _contents(rows: Sequence[tuple[str, str, int]], title: str) -> str:
    head = "".join(f"<th>{_E(CONTENTS_COLUMNS[k])}</th>" for k in ("no", "id", "name"))
    body = "".join(f"<tr><td>{i}</td><td>{_E(zid)}</td><td>{_E(name)}</td>"
                   f"<td class='num'>{page}</td></tr>"
                   for i, (zid, name, page) in enumerate(rows, start=1))
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>{page_css()}</style></head><body>
<h1>{_E(title)}</h1>
<div class="meta">{_E(REPORT_TEXTS['generated'].format(date=report_date()))}</div>
<div class="notice">{_E(REPORT_SCHEMATIC_NOTICE)}</div>
<h2 style="bookmark-level:none">{_E(REPORT_TEXTS['contents'])}</h2>
<table class="toc"><tr>{head}<th class='num'>{_E(CONTENTS_COLUMNS['page'])}</th></tr>{body}</table>
</body></html>"""


def zones_pdf(catalog: Mapping[str, gpd.GeoDataFrame], ids: Sequence[str] | None = None,
              analysis: Analysis | None = None) -> bytes:
    """All zones (or ``ids``) as one PDF: a contents page, then one page per zone.

    The PDF's outline (bookmarks) names the contents page and every zone.
    """
    zones = catalog["zone"]
    wanted = list(zones["id"]) if ids is None else list(ids)
    for zid in wanted:
        _zone_row(catalog, zid)  # refuse an unknown id before anything is drawn
    names = dict(zip(zones["id"], zones["name"].astype(str), strict=True))
    figures = zone_figures(analysis, catalog) if analysis is not None else None
    contents = render(_contents([(z, names[z], 0) for z in wanted], REPORT_TEXTS["zones_doc"]))
    first = len(contents.pages) + 1
    docs = [_zone_document(z, catalog, analysis=analysis, figures=figures,
                           footer=REPORT_TEXTS["page"].format(n=first + i))
            for i, z in enumerate(wanted)]
    contents = render(_contents([(z, names[z], first + i) for i, z in enumerate(wanted)],
                                REPORT_TEXTS["zones_doc"]))
    return merge([contents, *docs])
