"""What the evaluation scheme did with each enterprise, said in the 校验报告.

Two steps of :func:`geo.landuse.pipeline.analyse` live here:

* :func:`with_industry` reads each enterprise's 行业代码 (or, where it is blank, the exact name
  of a GB/T 4754 大类 or 门类 in 行业) into ``industry_group`` / ``industry_section`` and their
  names, so every 亩均 page can filter by industry and a scheme can rank within industry groups.
  A code that cannot be read gets one 提示 line naming the row, the enterprise and the fix.
* :func:`scheme_lines` says, after :func:`geo.landuse.scoring.evaluate`, how the profile's
  missing-indicator rule was applied (one 警告 line per track and indicator, or one line per
  enterprise set aside when the rule is 缺项不参评) and which declared 免评原因 the scheme does
  not accept (one 提示 line per enterprise, evaluated as usual).

Both return lines keyed by :data:`geo.labels.REPORT_COLUMNS`; neither drops a row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.labels import (
    ENTERPRISE_FIELD_HEADERS,
    MISSING_RULE_TEXTS,
    REPORT_COLUMNS,
    REPORT_LEVELS,
    SCHEME_TEXTS,
    column_label,
)
from geo.landuse.industry import industry_groups
from geo.landuse.ingest import report_line
from geo.landuse.metrics import INDICATORS
from geo.landuse.model import file_rows
from geo.landuse.scoring import ScoringProfile

__all__ = ["with_industry", "scheme_lines", "missing_rule_text", "INDUSTRY_OUT"]

#: Columns :func:`with_industry` adds to the enterprise table.
INDUSTRY_OUT = ("industry_group", "industry_group_name", "industry_section",
                "industry_section_name")
_FILE = "企业"


def _rows_and_records(ent: pd.DataFrame) -> tuple[list[int | None], list[str]]:
    """Return each row's 行号 and 记录, by position, for the report lines of many rows at once.

    行号 is its ``source_row`` (None if not a number); 记录 its credit code and name, those
    filled in, joined by a space.
    """
    cols = [ent[c].to_numpy(dtype=object) for c in ("credit_code", "name") if c in ent]
    records = [" ".join(str(p) for p in parts if isinstance(p, str) and p.strip())
               for parts in zip(*cols, strict=True)] if cols else [""] * len(ent)
    return file_rows(ent), records


def _frame(lines: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(lines, columns=list(REPORT_COLUMNS))


def with_industry(enterprises: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the GB/T 4754 大类 and 门类 of each enterprise, and report unreadable codes.

    Parameters
    ----------
    enterprises : DataFrame
        Canonical enterprises; ``industry_code`` and ``industry`` are optional.

    Returns
    -------
    (DataFrame, DataFrame)
        The enterprises with :data:`INDUSTRY_OUT` (None where not recognised), and one 提示
        line per enterprise whose 行业代码 is filled in but not a GB/T 4754—2017 code. A free
        行业 text that is not exactly a 大类/门类 name gives no group and no line (it is a
        description, not a code).
    """
    ent = enterprises.copy(deep=False)  # copy-on-write keeps the input as it was
    blank = pd.Series(None, index=ent.index, dtype=object)
    codes = ent.get("industry_code", blank)
    names = ent.get("industry")
    division = industry_groups(codes, names, level="大类")
    section = industry_groups(codes, names, level="门类")
    ent["industry_group"] = division["industry_group"]
    ent["industry_group_name"] = division["industry_group_name"]
    ent["industry_section"] = section["industry_group"]
    ent["industry_section_name"] = section["industry_group_name"]
    given = codes.astype("string").str.strip().fillna("").ne("")
    bad = given & section["industry_group"].isna()
    label = ENTERPRISE_FIELD_HEADERS["industry_code"]
    at = np.flatnonzero(bad.to_numpy(dtype=bool)).tolist()
    if not at:
        return ent, _frame([])
    file_rows, records = _rows_and_records(ent)
    cells = codes.to_numpy(dtype=object)
    problems = section["industry_problem"].to_numpy(dtype=object)
    lines = [report_line(
        _FILE, file_rows[pos], label, cells[pos], str(problems[pos]),
        "行业未识别：不参与按行业分组排名（并入“其他行业”），按行业筛选时不出现；请按"
        "《国民经济行业分类》GB/T 4754—2017 填写行业代码（如 C39 或 3911）后重新导入",
        REPORT_LEVELS["info"], record=records[pos]) for pos in at]
    return ent, _frame(lines)


def missing_rule_text(profile: ScoringProfile) -> str:
    """Say the profile's missing-indicator rule in one Chinese phrase (for screens and reports)."""
    return MISSING_RULE_TEXTS[profile.rules.missing]


def _missing_lines(ent: pd.DataFrame, profile: ScoringProfile) -> list[dict[str, object]]:
    how = profile.rules.missing
    rule_text = missing_rule_text(profile)
    missing = ent["missing_indicators"].fillna("").astype(str) if "missing_indicators" in ent \
        else pd.Series("", index=ent.index)
    lines: list[dict[str, object]] = []
    # every item of every list, once: "X；Y" → (row, "X"), (row, "Y") as str.split("；") reads it
    text = pa.array(missing, type=pa.large_string(), from_pandas=True)  # str: no copy per cell
    lists = pc.split_pattern(text.combine_chunks() if isinstance(text, pa.ChunkedArray)
                             else text, "；")
    rows = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    items = pc.list_flatten(lists)
    who: list = []  # each row's 行号 and 记录, made once when a line per row is needed
    for track, rules in profile.tracks.items():
        in_track = ent["track"].eq(track) & ent["score"].notna() if how != "unrated" \
            else ent["track"].eq(track) & missing.ne("")
        for rule in rules:
            ind = INDICATORS[rule.key]
            listed = np.zeros(len(ent), dtype=bool)
            listed[rows[pc.equal(items, ind.label).to_numpy(zero_copy_only=False)]] = True
            hit = in_track & listed
            n = int(hit.sum())
            if not n:
                continue
            parts = f"{column_label(ind.numerator)}或{column_label(ind.denominator)}"
            # the importer gives every canonical column, so "no column" and "column left
            # empty" look alike here: say both
            empty = [column_label(c) for c in (ind.numerator, ind.denominator)
                     if c not in ent or ent[c].isna().all()]
            why = (f"所有企业均无“{'、'.join(empty)}”（文件中没有该列或该列为空）" if empty
                   else f"未填报{parts}")
            if how == "unrated":
                if not who:
                    who.extend(_rows_and_records(ent))
                file_rows, records = who
                problem = f"{track}企业缺少「{ind.label}」（{why}）"
                action = f"按评价方案“{rule_text}”：该企业未参评；补齐{parts}后重新导入"
                lines.extend(report_line(_FILE, file_rows[pos], ind.label, "", problem, action,
                                         REPORT_LEVELS["warning"], record=records[pos])
                             for pos in np.flatnonzero(hit.to_numpy(dtype=bool)).tolist())
                continue
            effect = ("该项计 0 分，总分与类别因此偏低" if how == "zero"
                      else "该项按同组企业该项平均得分计")
            lines.append(report_line(
                _FILE, None, ind.label, "",
                f"{track}：{n} 家参评企业缺少「{ind.label}」（{why}；权重 {rule.weight:g}）",
                f"按评价方案“{rule_text}”：{effect}；名单见企业评价清单“缺项指标”列，"
                f"补齐{parts}后重新导入可得完整评分", REPORT_LEVELS["warning"]))
    return lines


def _declared_lines(ent: pd.DataFrame, profile: ScoringProfile) -> list[dict[str, object]]:
    if "exempt_reason" not in ent:
        return []
    declared = ent["exempt_reason"].astype("string").str.strip().fillna("")
    accepted = list(profile.exemptions.reasons)
    refused = declared.ne("") & ~declared.isin(accepted) & ent["exemption"].eq("")
    label = ENTERPRISE_FIELD_HEADERS["exempt_reason"]
    text = "、".join(accepted) or "方案未列任何申报免评情形"
    at = np.flatnonzero(refused.to_numpy(dtype=bool)).tolist()
    if not at:
        return []
    file_rows, records = _rows_and_records(ent)
    reasons = declared.to_numpy(dtype=object)
    return [report_line(
        _FILE, file_rows[pos], label, reasons[pos],
        SCHEME_TEXTS["declared_not_accepted"].format(reason=reasons[pos], accepted=text),
        "已照常参评；如属方案认可的情形，请在评价方案 [exemptions] reasons 中列明后重新计算",
        REPORT_LEVELS["info"], record=records[pos]) for pos in at]


def scheme_lines(evaluated: pd.DataFrame, profile: ScoringProfile) -> pd.DataFrame:
    """Report lines on the missing-indicator rule and refused 免评原因 of an evaluation.

    Parameters
    ----------
    evaluated : DataFrame
        From :func:`geo.landuse.scoring.evaluate`.
    profile : ScoringProfile
        The profile it was evaluated with.

    Returns
    -------
    DataFrame
        Keyed by :data:`geo.labels.REPORT_COLUMNS`; empty when nothing is missing or refused.
    """
    if not len(evaluated):
        return _frame([])
    return _frame(_missing_lines(evaluated, profile) + _declared_lines(evaluated, profile))
