"""A printable one-page summary (HTML) of an entity's profile; every value is escaped."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

from geo.labels import DISTRICT_BOUNDARY_SOURCE, LEVEL_LABELS, PLAN_SHORT_TITLES, PLAN_TITLES
from geo.zones.profile import EntityProfile

__all__ = ["profile_html"]

#: The sources line printed at the foot of the page (two lines in the HTML source).
_SOURCES = (f"数据来源：{PLAN_TITLES['manufacturing']}（表4-1/4-2/4-3）、"
            f"{PLAN_SHORT_TITLES['innovation']}（专栏9）；\n"
            f"区县边界 {DISTRICT_BOUNDARY_SOURCE}。"
            "面积按 EPSG:4549 计算，1 亩 = 10000/15 平方米。")


def _table(df: pd.DataFrame) -> str:
    if df.empty:
        return "<p class='muted'>（无）</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if pd.isna(v) else str(v))}</td>" for v in row)
        + "</tr>" for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def profile_html(profile: EntityProfile, *, filters: dict[str, str] | None = None) -> str:
    """Render a self-contained HTML page (no external resources) for printing or saving as PDF.

    Parameters
    ----------
    profile : EntityProfile
        From :func:`geo.zones.profile.entity_profile`.
    filters : dict, keyword-only
        Filter lines to print under the title (optional).

    Returns
    -------
    str
        UTF-8 HTML; the browser's 打印 → 另存为 PDF gives the PDF with system CJK fonts.
    """
    e = html.escape
    sections = [
        ("面积", profile.areas), ("产业（规划原文及出处）", profile.industries),
        ("所含分片", profile.subzones), ("范围内及邻近的小镇、分园、基地", profile.related),
        ("全部属性", profile.attributes),
    ]
    meta = "".join(f"<li>{e(k)}：{e(v)}</li>" for k, v in (filters or {}).items())
    parts = [f"<h2>{e(title)}</h2>{_table(df)}" for title, df in sections
             if not (title == "所含分片" and profile.level != "zone")]
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(profile.name)} · 园区档案</title>
<style>
body{{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",
"SimSun",sans-serif;font-size:11pt;margin:1.5cm;color:#222}}
h1{{font-size:18pt;margin:0}} h2{{font-size:12pt;margin:14px 0 4px;border-bottom:1px solid #999}}
table{{border-collapse:collapse;width:100%;font-size:9.5pt}}
td,th{{border:1px solid #bbb;padding:2px 4px;text-align:left;vertical-align:top}}
.warn{{color:#92400e;border:1px solid #f59e0b;padding:4px 6px;margin:8px 0}}
.muted{{color:#666}} @page{{size:A4;margin:1.2cm}}
</style></head><body>
<h1>{e(profile.name)}</h1>
<div class="muted">{e(LEVEL_LABELS.get(profile.level, profile.level))} · 编号 {e(profile.id)} ·
生成于 {e(dt.date.today().isoformat())} · 宁波工业空间规划工具</div>
<div class="warn">几何精度：{e(profile.geometry_quality)}。{e(profile.geometry_note)}</div>
{f"<ul class='muted'>{meta}</ul>" if meta else ""}
{"".join(parts)}
<p class="muted">{_SOURCES}</p>
</body></html>"""
