"""The enterprise 体检表 (亩均效益 check-up sheet) as PDF, one enterprise or a batch.

A sheet holds the enterprise's indicators against its scoring profile's benchmarks and the
average of its district (ratio of sums over the enterprises of its district and track), its
score, class and rank in its track, its parcels on a small map and the reasons any of them is
low-efficiency land, under the data's label (示例数据 when synthetic). Every string from the
data is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from geo._errors import ExportError
from geo.crs import AREA_CRS
from geo.labels import (
    CHECKUP_COLUMNS,
    CHECKUP_HISTORY_COLUMNS,
    CHECKUP_SCHEME_TEXTS,
    COLUMNS,
    CONTENTS_COLUMNS,
    MAP_LAYERS,
    QUALITY,
    REPORT_SAMPLE_NOTICE,
    REPORT_TEXTS,
)
from geo.landuse.metrics import INDICATORS, ratio
from geo.landuse.model import split_ids
from geo.reports._format import MISSING, number
from geo.reports.mapfig import Style, map_figure, report_date
from geo.reports.render import img_tag, merge, page_css, render
from geo.zones.plans import cite_text

if TYPE_CHECKING:
    from geo.landuse.pipeline import Analysis

__all__ = ["checkup_html", "checkup_pdf", "checkups_pdf", "district_means", "select_enterprises"]

_E = html.escape
#: Base figures printed beside the indicators: (column, decimals).
_BASE = (("land_mu", 1), ("tax_wan", 1), ("value_added_wan", 1), ("revenue_wan", 1),
         ("energy_tce", 1), ("employees", 0), ("rd_wan", 1), ("power_10k_kwh", 1))
_PARCEL_COLS = (("parcel_id", None), ("land_mu", 1), ("land_use", None), ("status", None),
                ("far_used", 2), ("tax_per_mu", 2), ("va_per_mu", 2))
_STYLES = {
    "district": Style(facecolor="#fafaf9", edgecolor="#78716c", linewidth=0.6, zorder=1),
    "subzone": Style(facecolor="#ffedd5", edgecolor="#c2410c", linewidth=0.8, linestyle="--",
                     alpha=0.6, zorder=2),
    "other": Style(facecolor="#e5e7eb", edgecolor="#9ca3af", linewidth=0.3, zorder=3),
    "own": Style(facecolor="#dc2626", edgecolor="#7f1d1d", linewidth=0.8, alpha=0.85, zorder=5,
                 label_column="parcel_id", label_size=6.0),
    "point": Style(kind="point", facecolor="#dc2626", edgecolor="white", linewidth=0.6,
                   markersize=7.0, zorder=6),
}


def _value(x: object) -> float:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return v


def district_means(analysis: Analysis) -> dict[tuple[str, str], dict[str, float]]:
    """Return the ratio-of-sums figure of every indicator per (district, track).

    Σ numerator / Σ denominator over the enterprises of the district and track that report both
    (the way every aggregate of :mod:`geo.landuse.metrics` is formed).
    """
    ent = analysis.enterprises
    out: dict[tuple[str, str], dict[str, float]] = {}
    if ent.empty or "district" not in ent or "track" not in ent:
        return out
    for (district, track), group in ent.groupby(["district", "track"], dropna=True):
        means = {}
        for key, ind in INDICATORS.items():
            if ind.numerator not in group or ind.denominator not in group:
                means[key] = math.nan
                continue
            num = pd.to_numeric(group[ind.numerator], errors="coerce")
            den = pd.to_numeric(group[ind.denominator], errors="coerce")
            both = num.notna() & den.notna() & (den > 0)
            means[key] = float(ratio(pd.Series([num[both].sum()]), pd.Series([den[both].sum()]),
                                     factor=ind.factor).iloc[0]) if both.any() else math.nan
        out[(str(district), str(track))] = means
    return out


def _enterprise(analysis: Analysis, credit_code: str) -> pd.Series:
    ent = analysis.enterprises
    hit = ent[ent["credit_code"].astype(str) == str(credit_code)]
    if hit.empty:
        raise ExportError(f"no enterprise with credit code {credit_code!r}",
                          field="credit_code", fix="give a 统一社会信用代码 of the analysed list",
                          zh=(f"所分析的企业清单中没有统一社会信用代码为 {credit_code} 的企业",
                              "请给出评价清单中的统一社会信用代码"))
    return hit.iloc[0]


def _own_parcels(analysis: Analysis, row: pd.Series) -> gpd.GeoDataFrame:
    par = analysis.parcels
    ids = split_ids(row.get("parcel_id"))
    if not ids or par.empty:
        return par.iloc[:0]
    return par[par["parcel_id"].astype(str).isin(ids)]


def _rank(analysis: Analysis, row: pd.Series) -> tuple[int, int] | None:
    score = _value(row.get("score"))
    if math.isnan(score) or not row.get("track"):
        return None
    ent = analysis.enterprises
    scores = pd.to_numeric(ent.loc[ent["track"] == row["track"], "score"], errors="coerce")
    scores = scores.dropna()
    return int((scores > score).sum()) + 1, len(scores)


def _parcel_map(analysis: Analysis, catalog: Mapping[str, gpd.GeoDataFrame], row: pd.Series,
                own: gpd.GeoDataFrame) -> bytes | None:
    if own.empty:
        lon, lat = _value(row.get("lon")), _value(row.get("lat"))
        if math.isnan(lon) or math.isnan(lat):
            return None
        point = gpd.GeoDataFrame(geometry=gpd.points_from_xy([lon], [lat]), crs="EPSG:4326")
        focus = point
    else:
        point = None
        focus = own
    x0, y0, x1, y1 = focus.to_crs(AREA_CRS).total_bounds
    pad = max(x1 - x0, y1 - y0, 300.0) * 0.9
    area = gpd.GeoSeries([box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)], crs=AREA_CRS)
    bounds = tuple(area.to_crs("EPSG:4326").total_bounds)
    view = box(*bounds)
    par = analysis.parcels
    near = par.iloc[list(par.sindex.query(view))] if len(par) else par
    near = near[~near["parcel_id"].isin(own["parcel_id"])] if len(own) else near
    subs = catalog["subzone"]
    subs = subs.iloc[list(subs.sindex.query(view))]
    layers: list[Any] = [
        (catalog["district"].iloc[list(catalog["district"].sindex.query(view))],
         _STYLES["district"], MAP_LAYERS["district"]),
        (subs, _STYLES["subzone"], MAP_LAYERS["subzone"]),
        (near, _STYLES["other"], REPORT_TEXTS["parcel_other"]),
        (own, _STYLES["own"], REPORT_TEXTS["parcel_self"]),
    ]
    if point is not None:
        layers.append((point, _STYLES["point"], REPORT_TEXTS["parcel_self"]))
    notice = REPORT_SAMPLE_NOTICE if analysis.is_sample else ""
    return map_figure(layers, bounds=bounds, notice=notice, size_mm=(88.0, 72.0), dpi=160,
                      legend_loc="upper left")


def _kv(pairs: Sequence[tuple[str, str]]) -> str:
    return "<table class='kv wide'>" + "".join(
        f"<tr><th>{_E(k)}</th><td class='num'>{_E(v)}</td></tr>" for k, v in pairs) + "</table>"


def _indicator_table(analysis: Analysis, row: pd.Series,
                     means: Mapping[tuple[str, str], Mapping[str, float]]) -> str:
    track = str(row.get("track") or "")
    rules = analysis.profile.tracks.get(track, ())
    mean = means.get((str(row.get("district")), track), {})
    cols = ("indicator", "unit", "value", "benchmark", "district_mean", "ratio", "weight",
            "points")
    head = "".join(f"<th{'' if c in ('indicator', 'unit') else ' class=num'}>"
                   f"{_E(CHECKUP_COLUMNS[c])}</th>" for c in cols)
    body = []
    keys = [(r.key, r.weight) for r in rules] or [(k, math.nan) for k in INDICATORS]
    for key, weight in keys:
        ind = INDICATORS[key]
        value = _value(row.get(key))
        bench = _value(row.get(f"benchmark_{key}"))
        rel = value / bench if bench and not math.isnan(bench) and bench > 0 else math.nan
        cells = [ind.label, ind.unit, number(value, 2), number(bench, 2),
                 number(mean.get(key), 2), number(rel, 2), number(weight, 0),
                 number(row.get(f"score_{key}"), 2)]
        body.append("<tr>" + "".join(
            f"<td{'' if i < 2 else ' class=num'}>{_E(c)}</td>" for i, c in enumerate(cells))
            + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _parcel_table(own: gpd.GeoDataFrame) -> str:
    if own.empty:
        return f"<p class='muted'>{_E(REPORT_TEXTS['no_parcel'])}</p>"
    head = "".join(f"<th>{_E(COLUMNS[c])}</th>" for c, _ in _PARCEL_COLS)
    rows = []
    for _, p in own.head(12).iterrows():
        cells = []
        for col, dec in _PARCEL_COLS:
            v = p.get(col)
            text = number(v, dec) if dec is not None else (
                MISSING if v is None or (isinstance(v, float) and math.isnan(v)) or v == ""
                else str(v))
            cells.append(f"<td{' class=num' if dec is not None else ''}>{_E(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class='small'><tr>{head}</tr>{''.join(rows)}</table>"


def _lowland(own: gpd.GeoDataFrame) -> str:
    if own.empty or "low_efficiency" not in own:
        return ""
    flagged = own[own["low_efficiency"].astype(bool)]
    if flagged.empty:
        return f"<p>{_E(REPORT_TEXTS['lowland_none'])}</p>"
    items = "".join(f"<li>{_E(str(p['parcel_id']))}：{_E(str(p.get('reasons') or MISSING))}</li>"
                    for _, p in flagged.iterrows())
    return f"<ul>{items}</ul>"


def _policies(analysis: Analysis, row: pd.Series) -> str:
    """List the 差别化政策 of the enterprise's class, from the profile (or why there are none)."""
    exemption = str(row.get("exemption") or "")
    cls = row.get("class")
    items = analysis.profile.policies.get(cls, ()) if isinstance(cls, str) else ()
    if exemption:
        return f"<p>{_E(exemption)}；{_E(CHECKUP_SCHEME_TEXTS['exempt_policy'])}</p>"
    if not items:
        return f"<p class='muted'>{_E(CHECKUP_SCHEME_TEXTS['no_policy'])}</p>"
    lines = "".join(
        f"<li>{_E(p.describe())}"
        + (f"<span class='muted small'>（{_E(str(cite_text(p.source)))}）</span>"
           if p.source else "") + "</li>"
        for p in items)
    return f"<ul>{lines}</ul>"


def _history(history: pd.DataFrame | None) -> str:
    """Tabulate the enterprise's evaluation in every year loaded (one row per year)."""
    if history is None:
        return ""
    title = f"<h2>{_E(CHECKUP_SCHEME_TEXTS['history'])}</h2>"
    if history.empty:
        return title + f"<p class='muted'>{_E(CHECKUP_SCHEME_TEXTS['no_history'])}</p>"
    decimals = {"year": None, "track": None, "score": 2, "class": None, "rank": 0,
                "tax_per_mu": 2, "va_per_mu": 2, "land_mu": 2}
    head = "".join(f"<th>{_E(CHECKUP_HISTORY_COLUMNS[c])}</th>"
                   for c in decimals)
    rows = []
    for _, h in history.iterrows():
        cells = []
        for col, dec in decimals.items():
            v = h.get(col)
            text = number(v, dec) if dec is not None else (
                MISSING if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
            cells.append(f"<td{' class=num' if dec is not None else ''}>{_E(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return title + f"<table class='small'><tr>{head}</tr>{''.join(rows)}</table>"


def checkup_html(credit_code: str, analysis: Analysis, catalog: Mapping[str, gpd.GeoDataFrame],
                 *, means: Mapping[tuple[str, str], Mapping[str, float]] | None = None,
                 footer: str = "", with_map: bool = True,
                 history: pd.DataFrame | None = None) -> str:
    """Return the HTML of the 体检表 of enterprise ``credit_code`` (every value escaped).

    ``history`` (from :func:`geo.landuse.years.enterprise_history`) adds the enterprise's
    evaluation in every year loaded; the 差别化政策 of its class come from the profile.
    """
    row = _enterprise(analysis, credit_code)
    means = district_means(analysis) if means is None else means
    own = _own_parcels(analysis, row)
    png = _parcel_map(analysis, catalog, row, own) if with_map else None
    zone_name = ""
    if row.get("zone_id") and isinstance(row.get("zone_id"), str):
        hit = catalog["zone"][catalog["zone"]["id"] == row["zone_id"]]
        zone_name = str(hit.iloc[0]["name"]) if len(hit) else str(row["zone_id"])
    cls = row.get("class")
    cls_text = str(cls) if isinstance(cls, str) and cls else MISSING
    rank = _rank(analysis, row)
    meta = " · ".join(_E(x) for x in (
        f"{COLUMNS['credit_code']} {row['credit_code']}", str(row.get("industry") or ""),
        str(row.get("scale") or ""), str(row.get("district") or ""), zone_name,
        REPORT_TEXTS["generated"].format(date=report_date())) if x and x != "nan")
    total = sum(r.weight for r in analysis.profile.tracks.get(str(row.get("track") or ""), ()))
    result = [(COLUMNS["track"], str(row.get("track") or MISSING))]
    if rank:
        result.append((REPORT_TEXTS["rank"], REPORT_TEXTS["rank_line"].format(
            track=row["track"], rank=rank[0], n=rank[1])))
    if total:
        result.append((REPORT_TEXTS["weight_total"], number(total, 0)))
    note = str(row.get("class_note") or "")
    missing = str(row.get("missing_indicators") or "")
    extra = "".join(f"<p class='small'>{_E(k)}：{_E(v)}</p>" for k, v in (
        (COLUMNS["class_note"], note), (COLUMNS["missing_indicators"], missing)) if v)
    base = [(COLUMNS[c], number(row.get(c), d)) for c, d in _BASE]
    sample = (f"<div class='notice sample'>{_E(REPORT_SAMPLE_NOTICE)}</div>"
              if analysis.is_sample else "")
    map_html = (img_tag(png, alt=_E(REPORT_TEXTS["parcel_map"]), height_mm=70)
                if png else f"<p class='muted'>{_E(REPORT_TEXTS['no_parcel'])}</p>")
    profile = analysis.profile.name
    klass = f" class-{_E(cls_text)}" if cls_text in "ABCD" else ""
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{_E(str(row['name']))} · {_E(REPORT_TEXTS['checkup_title'])}</title>
<style>{page_css(footer=footer)}</style></head><body>
<div class="meta">{_E(REPORT_TEXTS['checkup_title'])}</div>
<h1>{_E(str(row['name']))}</h1>
<div class="meta">{meta}</div>
{sample}
<div class="cols">
<div><h2>{_E(REPORT_TEXTS['result'])}</h2>
<p class="big{klass}">{_E(COLUMNS['class'])} {_E(cls_text)} · {_E(COLUMNS['score'])}
{_E(number(row.get('score'), 2))}</p>{_kv(result)}{extra}
<h2>{_E(REPORT_TEXTS['base'].format(year=analysis.year or MISSING))}</h2>{_kv(base)}</div>
<div><h2>{_E(REPORT_TEXTS['parcel_map'])}</h2>{map_html}</div>
</div>
<h2>{_E(REPORT_TEXTS['indicators'])}</h2>{_indicator_table(analysis, row, means)}
<p class="muted small">{_E(REPORT_TEXTS['benchmark_note'])}</p>
<h2>{_E(CHECKUP_SCHEME_TEXTS['policies'].format(cls=cls_text))}</h2>{_policies(analysis, row)}
{_history(history)}
<h2>{_E(REPORT_TEXTS['parcels'])}</h2>{_parcel_table(own)}
<h2>{_E(REPORT_TEXTS['lowland'])}</h2>{_lowland(own) or _E(REPORT_TEXTS['no_parcel'])}
<p class="muted small">{_E(REPORT_TEXTS['profile_line'].format(name=profile))}；
{_E(REPORT_TEXTS['data_line'].format(label=analysis.data_label))}；
{_E(COLUMNS['data_year'])} {_E(str(analysis.year or MISSING))}；
{_E(COLUMNS['geometry_quality'])}：{_E(QUALITY['sample' if analysis.is_sample else 'imported'])}</p>
</body></html>"""


def checkup_pdf(credit_code: str, analysis: Analysis,
                catalog: Mapping[str, gpd.GeoDataFrame], *,
                history: pd.DataFrame | None = None) -> bytes:
    """Return the 体检表 of enterprise ``credit_code`` as PDF.

    Parameters
    ----------
    credit_code : str
        Its 统一社会信用代码 in ``analysis.enterprises``.
    analysis : Analysis
    catalog : mapping of level to GeoDataFrame
    history : DataFrame, keyword-only
        From :func:`geo.landuse.years.enterprise_history`: adds the 历年评价 section.

    Raises
    ------
    ExportError
        No enterprise of the analysis has that code.
    """
    return merge([render(checkup_html(credit_code, analysis, catalog, history=history))])


def select_enterprises(analysis: Analysis, *, cls: str | None = "D",
                       district: str | None = None) -> pd.DataFrame:
    """Return the enterprises of class ``cls`` in ``district`` (None: all), lowest first."""
    ent = analysis.enterprises
    keep = pd.Series(True, index=ent.index)
    if cls:
        keep &= ent["class"].astype(object) == cls
    if district:
        keep &= ent["district"].astype(object) == district
    chosen = ent[keep]
    return chosen.sort_values(["district", "score", "credit_code"], na_position="last",
                              kind="stable")


def _contents(rows: Sequence[tuple[pd.Series, int]], title: str, label: str) -> str:
    cols = ("no", "name", "district", "class", "score", "page")
    head = "".join(f"<th{' class=num' if c in ('score', 'page') else ''}>"
                   f"{_E(CONTENTS_COLUMNS[c])}</th>" for c in cols)
    body = "".join(
        f"<tr><td>{i}</td><td>{_E(str(r['name']))}</td><td>{_E(str(r.get('district') or MISSING))}"
        f"</td><td>{_E(str(r.get('class') or MISSING))}</td>"
        f"<td class='num'>{number(r.get('score'), 2)}</td><td class='num'>{page}</td></tr>"
        for i, (r, page) in enumerate(rows, start=1))
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>{page_css()}</style></head><body>
<h1>{_E(title)}</h1>
<div class="meta">{_E(REPORT_TEXTS['generated'].format(date=report_date()))}</div>
<p>{_E(REPORT_TEXTS['data_line'].format(label=label))}</p>
<h2>{_E(REPORT_TEXTS['contents'])}</h2>
<table class="toc"><tr>{head}</tr>{body}</table>
</body></html>"""


def checkups_pdf(analysis: Analysis, catalog: Mapping[str, gpd.GeoDataFrame], *,
                 cls: str | None = "D", district: str | None = None) -> bytes:
    """Return the 体检表 of every enterprise of class ``cls`` (in ``district``) as one PDF.

    A contents page lists them (name, district, class, score, page); the PDF's outline has one
    entry per enterprise.

    Raises
    ------
    ExportError
        No enterprise matches.
    """
    chosen = select_enterprises(analysis, cls=cls, district=district)
    where = district or REPORT_TEXTS["all_districts"]
    if chosen.empty:
        raise ExportError(f"no enterprise of class {cls} in {where}", field="class",
                          fix="choose another class or district",
                          zh=(f"{where}没有{cls or ''}类企业", "请选择其他类别或区县（市）"))
    title = REPORT_TEXTS["checkups_doc"].format(cls=cls or "", district=f" · {where}")
    means = district_means(analysis)
    rows = [r for _, r in chosen.iterrows()]
    contents = render(_contents([(r, 0) for r in rows], title, analysis.data_label))
    page = len(contents.pages) + 1
    docs, starts = [], []
    for r in rows:
        doc = render(checkup_html(str(r["credit_code"]), analysis, catalog, means=means,
                                  footer=REPORT_TEXTS["page"].format(n=page)))
        docs.append(doc)
        starts.append(page)
        page += len(doc.pages)
    contents = render(_contents(list(zip(rows, starts, strict=True)), title, analysis.data_label))
    if len(contents.pages) + 1 != starts[0]:  # a longer contents page moves every sheet
        shift = len(contents.pages) + 1 - starts[0]
        contents = render(_contents([(r, s + shift) for r, s in zip(rows, starts, strict=True)],
                                    title, analysis.data_label))
    return merge([contents, *docs])
