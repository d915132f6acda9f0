"""The 公示名单 and the A/B/C/D, 免评 and 未参评 lists of an evaluation, as tables and a workbook.

Every enterprise of an evaluation (:func:`geo.landuse.scoring.evaluate`) is in exactly one list:

* its class list (A类 … D类) when it has a class A–D, by track, ranking group and rank;
* 免评 when it is exempt (``exemption`` set, a track, no class) — never scored, never ranked,
  never in the 公示名单;
* 未参评 otherwise, with its ``class_note`` as the reason.

The 公示名单 holds the classed enterprises (A→D, each class as its list) with the 公示 period: from
``start`` for ``days`` calendar days, both ends included, so the last day is
``start + days − 1``. Headers come from :data:`geo.labels.LIST_COLUMNS`; every list carries the
differentiated policies (差别化政策) of its class.

Ranks are within a ranking group (``rank_group``: the track, or "规上｜C39" with
``rank_within = "industry"``), so a class list runs by track (profile order), then ranking
group, then rank within the group — never by score pooled across groups, whose ranks are not
comparable. Each list shows the group (排名组) beside the rank (组内名次).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd

from geo._errors import ExportError
from geo.export import ExportNotes, table_bytes, workbook_bytes
from geo.labels import LIST_COLUMNS, LIST_SHEETS, LIST_TEXTS
from geo.landuse.pipeline import Analysis
from geo.landuse.scheme import EvaluationRules
from geo.landuse.scoring import CLASSES
from geo.landuse.tables import UNCLASSED

__all__ = ["publicity_period", "class_list", "exempt_list", "unclassed_list", "publicity_list",
           "class_lists", "class_workbook", "publicity_bytes"]

#: Columns of each list (keys of :data:`geo.labels.LIST_COLUMNS`), in order.
_CLASS_COLUMNS = ("class", "name", "credit_code", "track", "rank_group", "score",
                  "rank_in_group", "group_size", "district", "class_note", "policies")
_EXEMPT_COLUMNS = ("name", "credit_code", "track", "district", "exemption", "policies")
_UNCLASSED_COLUMNS = ("name", "credit_code", "track", "district", "unclassed_reason",
                      "policies")
_PUBLICITY_COLUMNS = ("class", "name", "credit_code", "track", "rank_group", "score",
                      "rank_in_group", "publicity_start", "publicity_end", "policies")
#: Columns an evaluation may lack (a hand-made table), with what they hold when missing; a
#: missing ``rank_group`` is the track (ranking within tracks, the default of a profile).
_OPTIONAL = {"credit_code": "", "track": None, "score": np.nan, "rank_in_group": np.nan,
             "group_size": np.nan, "district": "", "class_note": "", "policies": "",
             "exemption": ""}


def _frame(source: Analysis | pd.DataFrame) -> pd.DataFrame:
    """Return the evaluated enterprises of ``source``, with every column the lists use."""
    frame = source if isinstance(source, pd.DataFrame) else source.enterprises
    missing = [c for c in ("name", "class") if c not in frame.columns]
    if missing:
        raise ExportError(
            f"the enterprise table has no {', '.join(missing)} column", field=missing[0],
            fix="pass an analysis, or the enterprises as returned by evaluate()",
            zh=(f"企业表中没有 {'、'.join(missing)} 列",
                "请传入分析结果，或 evaluate() 返回的企业表"))
    out = pd.DataFrame(frame).copy()
    for col, default in _OPTIONAL.items():
        if col not in out.columns:
            out[col] = default
    if "rank_group" not in out.columns:
        out["rank_group"] = out["track"]
    for col in ("track", "rank_group"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    out["class"] = out["class"].astype(object).where(out["class"].notna(), None)
    for col in ("score", "rank_in_group", "group_size"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    for col in ("policies", "class_note", "exemption", "district", "credit_code"):
        out[col] = out[col].astype(object).where(out[col].notna(), "")
    return out


def _parts(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return the masks (classed A–D, exempt, unclassed) — each row is in exactly one."""
    classed = frame["class"].isin(CLASSES)
    exempt = (~classed & frame["exemption"].astype(str).str.strip().ne("")
              & frame["track"].notna())
    return classed, exempt, ~classed & ~exempt


def _labelled(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = frame.loc[:, list(columns)].reset_index(drop=True)
    for col in ("rank_in_group", "group_size"):
        if col in out:
            out[col] = out[col].round().astype("Int64")
    return out.rename(columns=LIST_COLUMNS)


def _tracks(source: Analysis | pd.DataFrame, frame: pd.DataFrame) -> list[str]:
    """Return the track names in list order: the profile's, then any other in order of rows."""
    named = [s.name for s in source.profile.specs()] if isinstance(source, Analysis) else []
    seen = [t for t in frame["track"].dropna().astype(str).unique() if t not in named]
    return [*named, *seen]


def _by_class_and_rank(frame: pd.DataFrame, tracks: list[str]) -> pd.DataFrame:
    """Sort A→D, then by track, ranking group and rank in the group (score, name break ties).

    Ranks of different groups are not comparable, so a score never orders across groups.
    Rows without a track, group or rank (tenants graded by their landlord) come last of theirs.
    """
    order = frame["class"].map({c: i for i, c in enumerate(CLASSES)})
    track = frame["track"].map({t: i for i, t in enumerate(tracks)})
    keys = ["_class", "_track", "rank_group", "rank_in_group", "score", "name"]
    return frame.assign(_class=order, _track=track).sort_values(
        keys, ascending=[True, True, True, True, False, True], na_position="last",
        kind="stable").drop(columns=["_class", "_track"])


def publicity_period(start: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """Return the first and last day of a 公示 of ``days`` calendar days from ``start``.

    Both days are included: 7 days from 2026-12-07 end on 2026-12-13.

    Raises
    ------
    ExportError
        If ``start`` is not a date or ``days`` is not a whole number of at least 1.
    """
    if not isinstance(start, dt.date):
        raise ExportError(f"the 公示 start {start!r} is not a date", field="start",
                          fix="give the first day of the 公示 as a date (2026-12-07)",
                          zh=(f"公示开始日期 {start!r} 不是日期",
                              "请以日期给出公示首日（如 2026-12-07）"))
    if isinstance(days, bool) or not isinstance(days, int | np.integer) or days < 1:
        raise ExportError(f"the 公示 length {days!r} is not a whole number of days ≥ 1",
                          field="days", fix="give the number of calendar days (7)",
                          zh=(f"公示天数 {days!r} 不是不小于 1 的整数",
                              "请给出公示的自然日天数（如 7）"))
    first = start.date() if isinstance(start, dt.datetime) else start
    return first, first + dt.timedelta(days=int(days) - 1)


def class_list(source: Analysis | pd.DataFrame, cls: str) -> pd.DataFrame:
    """Return the enterprises of class ``cls`` (A–D) by track, ranking group and rank.

    Columns: 评价类别, 企业名称, 统一社会信用代码, 评价序列, 排名组, 综合得分, 组内名次,
    组内参评企业数, 所在区县（市）, 评价说明, 差别化政策. Tracks run in the profile's order;
    within a track, by ranking group, then 组内名次 (ties: the higher score first). Tenants
    graded by their landlord have a class but no score or rank of their own (their 评价说明 says
    so); they come after the ranked ones of their track.
    """
    if cls not in CLASSES:
        raise ExportError(f"unknown class {cls!r}", field="class",
                          fix=f"use one of {', '.join(CLASSES)}",
                          zh=(f"未知的评价类别 {cls!r}", f"请使用 {'、'.join(CLASSES)} 之一"))
    frame = _frame(source)
    rows = frame.loc[frame["class"] == cls]
    return _labelled(_by_class_and_rank(rows, _tracks(source, frame)), _CLASS_COLUMNS)


def exempt_list(source: Analysis | pd.DataFrame) -> pd.DataFrame:
    """Return the 免评 enterprises with why — no score, no class, no rank.

    Columns: 企业名称, 统一社会信用代码, 评价序列, 所在区县（市）, 免评原因, 差别化政策.
    """
    frame = _frame(source)
    _, exempt, _ = _parts(frame)
    rows = frame.loc[exempt].sort_values(["track", "name"], kind="stable")
    return _labelled(rows, _EXEMPT_COLUMNS)


def unclassed_list(source: Analysis | pd.DataFrame) -> pd.DataFrame:
    """Return the enterprises neither classed nor exempt (未参评), with the reason.

    Columns: 企业名称, 统一社会信用代码, 评价序列, 所在区县（市）, 未参评原因 (the ``class_note``),
    差别化政策.
    """
    frame = _frame(source)
    _, _, unclassed = _parts(frame)
    rows = frame.loc[unclassed].assign(unclassed_reason=lambda d: d["class_note"])
    rows = rows.sort_values(["track", "name"], na_position="last", kind="stable")
    return _labelled(rows, _UNCLASSED_COLUMNS)


def publicity_list(source: Analysis | pd.DataFrame, *, start: dt.date, days: int | None = None
                   ) -> pd.DataFrame:
    """Return the 公示名单: the classed enterprises, A→D and as :func:`class_list`, with the period.

    Parameters
    ----------
    source : Analysis or DataFrame
        An analysis, or enterprises as returned by :func:`geo.landuse.scoring.evaluate`.
    start : date, keyword-only
        First day of the 公示.
    days : int, keyword-only
        Length of the 公示 in calendar days; by default the profile's ``publicity_days``
        (:class:`geo.landuse.scheme.EvaluationRules`; its default for a bare table).

    Returns
    -------
    DataFrame
        评价类别, 企业名称, 统一社会信用代码, 评价序列, 排名组, 综合得分, 组内名次, 公示开始日期,
        公示截止日期 (``start + days − 1``), 差别化政策. 免评 and 未参评 enterprises are not in it
        (:func:`exempt_list`, :func:`unclassed_list`).
    """
    if days is None:
        days = (source.profile.rules.publicity_days if isinstance(source, Analysis)
                else EvaluationRules().publicity_days)
    first, last = publicity_period(start, days)
    frame = _frame(source)
    classed, _, _ = _parts(frame)
    rows = _by_class_and_rank(frame.loc[classed], _tracks(source, frame)).assign(
        publicity_start=first, publicity_end=last)
    return _labelled(rows, _PUBLICITY_COLUMNS)


def class_lists(analysis: Analysis | pd.DataFrame, *, start: dt.date | None = None,
                days: int | None = None) -> dict[str, pd.DataFrame]:
    """Return the sheets of the class workbook, by name, in order.

    A类, B类, C类, D类, 免评, 未参评 and, when ``start`` is given, 公示名单.
    """
    sheets = {LIST_SHEETS[c]: class_list(analysis, c) for c in CLASSES}
    sheets[LIST_SHEETS["exempt"]] = exempt_list(analysis)
    sheets[UNCLASSED] = unclassed_list(analysis)
    if start is not None:
        sheets[LIST_SHEETS["publicity"]] = publicity_list(analysis, start=start, days=days)
    return sheets


def _counts(source: Analysis | pd.DataFrame) -> str:
    """Say how many enterprises each list holds: "A类 3；B类 5；…；免评 1；未参评 2"."""
    frame = _frame(source)
    classed, exempt, unclassed = _parts(frame)
    sizes = [(LIST_SHEETS[c], int((frame["class"] == c).sum())) for c in CLASSES]
    sizes += [(LIST_SHEETS["exempt"], int(exempt.sum())), (UNCLASSED, int(unclassed.sum()))]
    return "；".join(f"{name} {n}" for name, n in sizes)


def _notes(analysis: Analysis, start: dt.date | None, days: int | None,
           scope: str = "") -> ExportNotes:
    """Return the 说明 of a list export: the analysis' lines, scope, 公示期, order, 免评, sizes."""
    if start is not None:
        days = analysis.profile.rules.publicity_days if days is None else days
        first, last = publicity_period(start, days)
        period = LIST_TEXTS["publicity"].format(start=first.isoformat(), end=last.isoformat(),
                                                days=days)
    else:
        period = LIST_TEXTS["no_publicity"]
    return analysis.export_notes("enterprises", {
        LIST_TEXTS["scope_key"]: scope or LIST_TEXTS["scope_city"],
        LIST_TEXTS["publicity_key"]: period, LIST_TEXTS["order_key"]: LIST_TEXTS["order"],
        LIST_TEXTS["exempt_key"]: LIST_TEXTS["exempt"],
        LIST_TEXTS["counts_key"]: _counts(analysis)})


def class_workbook(analysis: Analysis, *, start: dt.date | None = None,
                   days: int | None = None, district: str | None = None) -> bytes:
    """Return the A/B/C/D, 免评, 未参评 (and 公示名单) lists as one Excel workbook.

    The 说明 sheet, last, states the data (示例数据 when they are samples), the data year, the
    scoring profile, the 公示期 and the count of each list (:meth:`Analysis.export_notes`).

    Parameters
    ----------
    analysis : Analysis
    start : date, keyword-only
        First day of the 公示; adds the 公示名单 sheet. Without it there is no 公示名单.
    days : int, keyword-only
        Length of the 公示 (default: the profile's ``publicity_days``).
    district : str, keyword-only
        Only the enterprises of this 区县 (their classes and ranks stay those of the whole
        evaluation, as the scheme ranks them); the 说明 names the scope. Default: the city.
    """
    scope = ""
    if district:
        ent = analysis.enterprises
        keep = ent["district"].astype(str).eq(district) if "district" in ent else ent.index < 0
        analysis = replace(analysis, enterprises=ent[keep])
        scope = LIST_TEXTS["scope_district"].format(district=district)
    sheets = class_lists(analysis, start=start, days=days)
    return workbook_bytes(sheets, notes=_notes(analysis, start, days, scope),
                          rows=len(analysis.enterprises))


def publicity_bytes(analysis: Analysis, *, start: dt.date, days: int | None = None,
                    fmt: str = "xlsx") -> bytes:
    """Return the 公示名单 alone as an Excel file (with its 说明 sheet) or a CSV file."""
    table = publicity_list(analysis, start=start, days=days)
    return table_bytes(table, fmt, notes=_notes(analysis, start, days))
