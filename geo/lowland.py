"""Low-efficiency industrial land (低效用地): rules with reason codes, the clearance register with
its audit log, progress against the plan targets, and the "what if" scenario.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._errors import CatalogValidationError
from .crs import M2_PER_MU
from .export import neutralise_formula
from .landmodel import CLEARANCE_STATUSES, CLEARED_STATUSES
from .metrics import aggregate, parcel_links, ratio, split_ids
from .scoring import Profile

__all__ = ["REASONS", "describe_rules", "flag_parcels", "parcel_figures", "REGISTER_COLUMNS", "AUDIT_COLUMNS",
           "REGISTER_HEADERS", "load_register", "save_register", "update_register", "load_targets", "progress",
           "scenario", "SCENARIO_LABELS", "TARGETS_FILE", "efficiency_targets"]

#: Reason codes and their Chinese descriptions (thresholds come from the profile).
REASONS = {
    "LOW_TAX": "亩均税收低于阈值",
    "LOW_FAR": "容积率低于阈值",
    "IDLE": "闲置/停产",
    "CLASS_D": "企业评价为D类",
}
REGISTER_COLUMNS = ("parcel_id", "status", "area_mu", "year", "note", "data_label",
                    "updated_by", "updated_at")
#: The register is an officials' file: it is written with these Chinese headers and read with
#: either these or the English column names.
REGISTER_HEADERS = {"parcel_id": "宗地编号", "status": "状态", "area_mu": "面积（亩）",
                    "year": "年度", "note": "备注", "data_label": "数据性质",
                    "updated_by": "经办人", "updated_at": "更新时间"}
_EDITABLE = ("status", "area_mu", "year", "note")
AUDIT_COLUMNS = ("when", "who", "parcel_id", "field", "old", "new")
TARGETS_FILE = Path(__file__).resolve().parent.parent / "data" / "targets" / "plan_targets.csv"


def describe_rules(rules: Mapping[str, object]) -> str:
    """The ``[lowland]`` rules in one Chinese sentence (rules switched off are not named)."""
    parts = []
    if rules.get("tax_per_mu_below") is not None:
        parts.append(f"{REASONS['LOW_TAX']}（{rules['tax_per_mu_below']} 万元/亩）")
    if rules.get("far_below") is not None:
        uses = "、".join(rules.get("industrial_uses") or []) or "全部用地"
        parts.append(f"{REASONS['LOW_FAR']}（{rules['far_below']}；适用于{uses}）")
    if rules.get("idle_statuses"):
        parts.append(f"{REASONS['IDLE']}（{'、'.join(rules['idle_statuses'])}）")
    if rules.get("flag_classes"):
        parts.append(f"宗地上有{'、'.join(rules['flag_classes'])}类企业")
    if not parts:
        return "评价方案未设置任何低效用地规则。"
    text = "；".join(parts) + "，任一成立即认定"
    exempt = "、".join(rules.get("exempt_statuses") or [])
    if exempt:
        text += f"；{exempt}宗地暂不按亩均税收、容积率与评价类别认定"
    return text + "。"


def parcel_figures(parcels: pd.DataFrame, enterprises: pd.DataFrame) -> pd.DataFrame:
    """Per parcel: enterprise count, Σ税收 / Σ增加值 of its enterprises, 亩均 figures, 容积率.

    Each enterprise is attributed to its parcels in proportion to the land it holds on each
    (:func:`geo.metrics.parcel_links`). A parcel's 亩均税收 is Σ attributed 税收 over the land
    held by the enterprises that reported 税收 (ratio of sums — an enterprise that reported
    nothing neither adds 0 to the numerator nor its land to the denominator); likewise 亩均增加值.
    ``data_note`` says when only some of a parcel's enterprises reported.
    """
    out = parcels.copy()
    land_mu = pd.to_numeric(out["land_area_m2"], errors="coerce") / M2_PER_MU
    out["land_mu"] = land_mu
    links = parcel_links(enterprises, parcels)
    pid = out["parcel_id"].astype(str)
    by = links.groupby("parcel_id")
    out["enterprise_count"] = pid.map(by.size()).fillna(0).astype(int)
    partial = pd.Series(False, index=out.index)
    silent = pd.Series(False, index=out.index)
    for col, per_mu in (("tax_wan", "tax_per_mu"), ("value_added_wan", "va_per_mu")):
        value = pd.to_numeric(enterprises[col], errors="coerce") if col in enterprises \
            else pd.Series(np.nan, index=enterprises.index)
        part = links.assign(v=value.reindex(links["row"]).to_numpy() * links["weight"])
        part = part[part["v"].notna()]
        grouped = part.groupby("parcel_id")
        out[col] = pid.map(grouped["v"].sum())
        reported = pid.map(grouped.size()).fillna(0)
        out[per_mu] = ratio(out[col], pid.map(grouped["held_m2"].sum()) / M2_PER_MU)
        partial |= (reported > 0) & (reported < out["enterprise_count"])
        if col == "tax_wan":
            silent = (out["enterprise_count"] > 0) & (reported == 0)
    cls = enterprises["class"] if "class" in enterprises else pd.Series(
        None, index=enterprises.index, dtype=object)
    links["cls"] = cls.reindex(links["row"]).to_numpy()
    classes = links.groupby("parcel_id")["cls"].agg(
        lambda c: "、".join(sorted({str(v) for v in c if isinstance(v, str)})))
    out["enterprise_classes"] = pid.map(classes).astype(object).fillna("")
    out["partial_report"] = partial.to_numpy()
    out["no_tax_report"] = silent.to_numpy()
    far = pd.to_numeric(out["far"], errors="coerce") if "far" in out else pd.Series(
        np.nan, index=out.index)
    if "floor_area_m2" in out:
        derived = ratio(out["floor_area_m2"], out["land_area_m2"])
        far = far.where(far.notna(), derived)
    out["far_used"] = far
    return out


def flag_parcels(parcels: pd.DataFrame, enterprises: pd.DataFrame, profile: Profile
                 ) -> pd.DataFrame:
    """Apply the low-efficiency rules of ``profile.lowland`` to every parcel.

    Parameters
    ----------
    parcels : DataFrame
        Canonical parcel columns.
    enterprises : DataFrame
        Evaluated enterprises (see :func:`geo.scoring.evaluate`; ``class`` optional).
    profile : Profile

    Returns
    -------
    DataFrame
        :func:`parcel_figures` plus ``low_efficiency`` (bool), ``reason_codes`` ("LOW_TAX;IDLE")
        and ``reasons`` (Chinese, with the threshold used). A parcel without enterprise data is
        judged only by the rules that do not need it (容积率, status), and says so; a parcel
        whose status is in ``exempt_statuses`` (在建) is judged only by its status.
    """
    rules = profile.lowland
    out = parcel_figures(parcels, enterprises)
    codes: list[list[str]] = [[] for _ in range(len(out))]
    texts: list[list[str]] = [[] for _ in range(len(out))]
    idx = {k: i for i, k in enumerate(out.index)}

    def hit(mask: pd.Series, code: str, text: str) -> None:
        for k in out.index[mask.fillna(False).to_numpy(dtype=bool)]:
            codes[idx[k]].append(code)
            texts[idx[k]].append(text)

    exempt_list = list(rules.get("exempt_statuses") or [])
    exempt = (out["status"].isin(exempt_list) if ("status" in out and exempt_list)
              else pd.Series(False, index=out.index))
    tax_t = rules.get("tax_per_mu_below")
    if tax_t is not None:
        hit((out["tax_per_mu"] < float(tax_t)) & ~exempt, "LOW_TAX", f"亩均税收低于{tax_t}万元/亩")
    far_t = rules.get("far_below")
    if far_t is not None:
        uses = set(rules.get("industrial_uses") or [])
        industrial = out["land_use"].isin(uses) if ("land_use" in out and uses) else True
        hit((out["far_used"] < float(far_t)) & industrial & ~exempt, "LOW_FAR",
            f"容积率低于{far_t}")
    statuses = list(rules.get("idle_statuses") or [])
    if statuses and "status" in out:
        hit(out["status"].isin(statuses), "IDLE", "闲置/停产（" + "、".join(statuses) + "）")
    flag_classes = set(rules.get("flag_classes") or [])
    if flag_classes:
        hit(out["enterprise_classes"].map(lambda s: bool(set(s.split("、")) & flag_classes))
            & ~exempt, "CLASS_D", "企业评价为" + "、".join(sorted(flag_classes)) + "类")
    out["reason_codes"] = [";".join(c) for c in codes]
    out["reasons"] = ["；".join(t) for t in texts]
    out["low_efficiency"] = out["reason_codes"] != ""
    no_data = out["enterprise_count"] == 0
    out["data_note"] = np.select(
        [exempt.to_numpy(dtype=bool), no_data.to_numpy(dtype=bool),
         out.pop("no_tax_report").to_numpy(dtype=bool),
         out.pop("partial_report").to_numpy(dtype=bool)],
        [f"{'、'.join(exempt_list)}：暂不按效益规则认定", "无企业数据：仅按容积率与生产状态判断",
         "企业均未填报税收：未按亩均税收认定",
         "部分企业未填报税收或增加值：亩均值按已填报企业的用地计算"],
        default="")
    return out


# --- clearance register -------------------------------------------------------------------

def _empty_register() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in REGISTER_COLUMNS})


def load_register(path: str | Path) -> pd.DataFrame:
    """Read the clearance register (CSV, UTF-8 with or without BOM); empty when absent.

    Headers may be the Chinese ones of :data:`REGISTER_HEADERS` (as written by
    :func:`save_register`) or the English column names; ``年度``, ``备注``, ``数据性质`` and the
    update columns are optional.

    Raises
    ------
    CatalogValidationError
        For a missing column, an unknown status, a bad area or year, or a duplicate parcel —
        naming the file, row and field.
    """
    path = Path(path)
    if not path.exists():
        return _empty_register()
    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False).map(_restore)
    df.columns = [str(c).strip() for c in df.columns]
    df = df.rename(columns={zh: en for en, zh in REGISTER_HEADERS.items()})
    missing = [REGISTER_HEADERS[c] for c in ("parcel_id", "status", "area_mu")
               if c not in df.columns]
    if missing:
        raise CatalogValidationError(
            f"missing columns {missing}", file=str(path),
            fix="the register needs the columns " + "、".join(REGISTER_HEADERS.values())
            + " (宗地编号、状态、面积（亩） are required)")
    for c in REGISTER_COLUMNS:
        if c not in df:
            df[c] = ""
    for n, row in enumerate(df.itertuples(index=False), start=2):
        if not str(row.parcel_id).strip():
            raise CatalogValidationError("empty parcel id", file=str(path), feature=f"row {n}",
                                         field="宗地编号", fix="fill in the 宗地编号 or delete the row")
        if row.status not in CLEARANCE_STATUSES:
            raise CatalogValidationError(f"unknown status {row.status!r}", file=str(path),
                                         feature=f"row {n}", field="状态",
                                         fix=f"use one of {'/'.join(CLEARANCE_STATUSES)}")
        area = pd.to_numeric(row.area_mu, errors="coerce")
        if pd.isna(area) or area <= 0:
            raise CatalogValidationError(f"area {row.area_mu!r} is not a positive number",
                                         file=str(path), feature=f"row {n}", field="面积（亩）",
                                         fix="give the parcel's area in 亩")
        if str(row.year).strip() and not _is_year(row.year):
            raise CatalogValidationError(f"year {row.year!r} is not a year", file=str(path),
                                         feature=f"row {n}", field="年度",
                                         fix="give a four-digit year (e.g. 2025) or leave it empty")
    dup = df["parcel_id"].duplicated()
    if dup.any():
        first = df.index[dup][0]
        raise CatalogValidationError("duplicate parcel", file=str(path),
                                     feature=f"row {first + 2}", field="宗地编号",
                                     fix="keep one register line per parcel")
    df["area_mu"] = pd.to_numeric(df["area_mu"])
    return df[list(REGISTER_COLUMNS)].reset_index(drop=True)


def _year_text(value: object) -> str:
    """A year cell as text: 2025, 2025.0 and "2025" give "2025"; empty stays ""."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _is_year(value: object) -> bool:
    text = _year_text(value)
    return text.isdigit() and len(text) == 4 and 1990 <= int(text) <= 2100


def _inert_cell(value: object) -> object:
    """A leading apostrophe for text a spreadsheet would evaluate — and for text that already
    starts with one, so that :func:`_restore` is an exact inverse."""
    if isinstance(value, str) and value.startswith("'"):
        return "'" + value
    return neutralise_formula(value)


def _inert(df: pd.DataFrame) -> pd.DataFrame:
    return df.map(_inert_cell)


def _restore(value: object) -> object:
    """Undo :func:`_inert_cell` on a cell read back (a hand-typed "'90年代" stays as it is)."""
    if isinstance(value, str) and value.startswith("'") and (
            value[1:].startswith("'") or neutralise_formula(value[1:]) != value[1:]):
        return value[1:]
    return value


def _atomic_write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            df.to_csv(fh, index=False, quoting=csv.QUOTE_MINIMAL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_register(register: pd.DataFrame, changes: Iterable[Mapping[str, object]], *,
                    who: str, when: dt.datetime | None = None, data_label: str = ""
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply changes (each a dict with ``parcel_id`` and the fields to set) and log them.

    Only 状态, 面积, 年度 and 备注 are editable; a parcel not yet in the register is added and
    gets ``data_label`` (e.g. 示例数据 when it comes from the sample analysis).

    Returns
    -------
    (DataFrame, DataFrame)
        The new register and the audit rows (who, when, parcel, field, old, new) — one per
        changed field; unchanged values produce no audit row.
    """
    if not who or not who.strip():
        raise ValueError("who made the change is required. Fix: enter your name (经办人)")
    stamp = (when or dt.datetime.now()).isoformat(timespec="seconds")
    reg = register.copy().astype({"area_mu": float}) if len(register) else _empty_register()
    audit = []
    for change in changes:
        pid = str(change["parcel_id"])
        status = change.get("status")
        if status is not None and status not in CLEARANCE_STATUSES:
            raise ValueError(f"parcel {pid}: unknown status {status!r}. Fix: use one of "
                             f"{'/'.join(CLEARANCE_STATUSES)}")
        year = change.get("year")
        if _year_text(year) and not _is_year(year):
            raise ValueError(f"parcel {pid}: year {year!r} is not a year. Fix: give a "
                             "four-digit year (e.g. 2025) or leave it empty")
        if "area_mu" in change:
            area = pd.to_numeric(change["area_mu"], errors="coerce")
            if pd.isna(area) or area <= 0:
                raise ValueError(f"parcel {pid}: area {change['area_mu']!r} is not positive. "
                                 "Fix: give the area in 亩")
        hit = reg.index[reg["parcel_id"] == pid]
        if len(hit) == 0 and (status is None or "area_mu" not in change):
            raise ValueError(f"parcel {pid} is new to the register and needs a status and an "
                             "area. Fix: give 状态 and 面积（亩）")
        if len(hit) == 0:
            reg = pd.concat([reg, pd.DataFrame([{c: "" for c in REGISTER_COLUMNS}
                                                | {"parcel_id": pid, "data_label": data_label}])],
                            ignore_index=True)
            hit = reg.index[reg["parcel_id"] == pid]
            audit.append({"when": stamp, "who": who, "parcel_id": pid, "field": "(新增)",
                          "old": "", "new": "纳入台账"})
        i = hit[0]
        for field, new in change.items():
            if field not in _EDITABLE:
                continue
            old = reg.at[i, field]
            if new is None or (isinstance(new, float) and np.isnan(new)):
                new = ""
            if field == "year":
                new = _year_text(new)
            same = (str(old) == str(new)) or (field == "area_mu" and pd.notna(old) and old != ""
                                              and float(old) == float(new))
            if same:
                continue
            reg.at[i, field] = float(new) if field == "area_mu" else new
            audit.append({"when": stamp, "who": who, "parcel_id": pid, "field": field,
                          "old": "" if old is None else str(old), "new": str(new)})
        if any(a["parcel_id"] == pid for a in audit):
            reg.at[i, "updated_by"] = who
            reg.at[i, "updated_at"] = stamp
    return reg, pd.DataFrame(audit, columns=list(AUDIT_COLUMNS))


def save_register(register: pd.DataFrame, path: str | Path, *, audit: pd.DataFrame,
                  audit_path: str | Path) -> None:
    """Write the register atomically and append the audit rows (the log is never rewritten).

    The audit lines are written first: if the register cannot be written afterwards, the log
    still tells what was attempted, and the previous register file is untouched. Text that a
    spreadsheet would evaluate (``=…``, ``+…``) is written with a leading apostrophe in both
    files; :func:`load_register` removes it again.
    """
    path, audit_path = Path(path), Path(audit_path)
    if len(audit):
        audit_path.parent.mkdir(parents=True, exist_ok=True)
        new_file = not audit_path.exists()
        with open(audit_path, "a", encoding="utf-8-sig" if new_file else "utf-8",
                  newline="") as fh:
            _inert(audit[list(AUDIT_COLUMNS)]).to_csv(fh, index=False, header=new_file)
    _atomic_write_csv(_inert(register[list(REGISTER_COLUMNS)]).rename(columns=REGISTER_HEADERS),
                      path)


# --- targets and progress -----------------------------------------------------------------

def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """The plan targets with their seed provenance (``data/targets/plan_targets.csv``)."""
    df = pd.read_csv(path or TARGETS_FILE, dtype={"seed": str, "quote": str})
    df["value"] = pd.to_numeric(df["value"])
    return df


def progress(register: pd.DataFrame, *, start_year: int = 2021, end_year: int = 2026
             ) -> pd.DataFrame:
    """Cleared area (已盘活/已腾退/已收储) per year and cumulative, from the register.

    Returns
    -------
    DataFrame
        ``year``, ``cleared_mu`` and ``cumulative_mu`` for each year in range (the cumulative
        figure includes lines before ``start_year``); in ``attrs``: ``undated_mu`` (cleared
        lines with no year), ``later_mu`` (dated after ``end_year``) and ``in_progress_mu``.
    """
    reg = register.copy()
    cleared = reg[reg["status"].isin(CLEARED_STATUSES)]
    years = pd.to_numeric(cleared["year"], errors="coerce")
    area = pd.to_numeric(cleared["area_mu"], errors="coerce")
    per_year = area.groupby(years).sum()
    out = pd.DataFrame({"year": range(start_year, end_year + 1)})
    out["cleared_mu"] = out["year"].map(per_year).fillna(0.0)
    before = float(area[years < start_year].sum())
    out["cumulative_mu"] = out["cleared_mu"].cumsum() + before
    out.attrs["undated_mu"] = float(area[years.isna()].sum())
    out.attrs["later_mu"] = float(area[years > end_year].sum())
    out.attrs["in_progress_mu"] = float(pd.to_numeric(
        reg.loc[reg["status"].isin(["待整治", "整治中"]), "area_mu"], errors="coerce").sum())
    return out


def efficiency_targets(enterprises: pd.DataFrame, parcels: pd.DataFrame, *,
                       targets: pd.DataFrame | None = None,
                       base_2021: Mapping[str, float] | None = None) -> pd.DataFrame:
    """规上工业 亩均税收 / 亩均增加值 of the data against the plan targets.

    Parameters
    ----------
    enterprises, parcels : DataFrame
        As for :func:`geo.metrics.aggregate`; only 规上 enterprises count, as in the targets.
    targets : DataFrame, keyword-only
        From :func:`load_targets` (read when omitted).
    base_2021 : mapping, keyword-only
        ``{"tax_per_mu": …, "va_per_mu": …}``: the 2021 city figures (万元/亩). The 2026
        target is "+40 % on 2021"; without a base it is reported as not computable, never
        guessed.

    Returns
    -------
    DataFrame
        One row per (indicator, target): ``indicator``, ``label``, ``current``, ``target``,
        ``target_year``, ``attainment`` (current / target, NaN when not computable), ``source``.
    """
    targets = load_targets() if targets is None else targets
    t = targets.set_index("key")
    above = enterprises.loc[enterprises["scale"].astype(str) == "规上"] \
        if "scale" in enterprises else enterprises.iloc[0:0]
    city = aggregate(above, parcels, level="city")
    rows = []
    for key, label in (("tax_per_mu", "规上工业亩均税收"), ("va_per_mu", "规上工业亩均增加值")):
        current = float(city[key].iloc[0]) if len(city) else float("nan")
        fixed = t.loc[f"{key}_2025"]
        growth = t.loc[f"{key}_growth_2026"]
        base = (base_2021 or {}).get(key)
        goal_2026 = float(base) * (1 + float(growth["value"]) / 100) if base else float("nan")
        for target, year, src, note in (
                (float(fixed["value"]), int(fixed["year"]), fixed, ""),
                (goal_2026, int(growth["year"]), growth,
                 f"2021 年基数 {base:g} 万元/亩 × (1 + {growth['value']:g}%)" if base
                 else "需输入 2021 年基数")):
            rows.append({"indicator": key, "label": label, "current": current,
                         "target": target, "target_year": year,
                         "attainment": ratio(pd.Series([current]), pd.Series([target]))[0],
                         "basis": note, "source": f"{src['seed']}:{src['line']}"})
    return pd.DataFrame(rows)


# --- scenario ----------------------------------------------------------------------------

#: Chinese headers of the :func:`scenario` table.
SCENARIO_LABELS = {
    "unit_name": "单元", "tax_per_mu_now": "亩均税收·现状", "tax_per_mu_scenario": "亩均税收·情景",
    "tax_per_mu_change": "亩均税收变化（%）", "va_per_mu_now": "亩均增加值·现状",
    "va_per_mu_scenario": "亩均增加值·情景", "va_per_mu_change": "亩均增加值变化（%）",
    "parcel_land_mu_now": "宗地面积·现状（亩）", "parcel_land_mu_scenario": "宗地面积·情景（亩）",
    "parcel_land_mu_change": "面积变化（%）"}


@dataclass(frozen=True)
class Scenario:
    """A what-if: ``mode`` "raise" (bring flagged land up to ``tax_per_mu``/``va_per_mu``) or
    "clear" (flagged parcels leave the industrial land stock with their enterprises)."""

    mode: str
    tax_per_mu: float | None = None
    va_per_mu: float | None = None


def scenario(enterprises: pd.DataFrame, parcels: pd.DataFrame, flagged: Iterable[str],
             spec: Scenario, *, level: str, labels: Mapping[str, str] | None = None
             ) -> pd.DataFrame:
    """Today's figures and the scenario's, side by side, for every unit of ``level``.

    Parameters
    ----------
    enterprises, parcels : DataFrame
        As for :func:`geo.metrics.aggregate` (units assigned, ``land_mu`` present).
    flagged : iterable of str
        Parcel ids the scenario acts on (usually the low-efficiency parcels).
    spec : Scenario
    level : str, keyword-only
    labels : mapping, keyword-only

    Returns
    -------
    DataFrame
        ``unit``, ``unit_name``, and for 亩均税收 / 亩均增加值 / land: ``…_now``, ``…_scenario``,
        ``…_change``.
    """
    if spec.mode not in ("raise", "clear"):
        raise ValueError(f"unknown scenario {spec.mode!r}. Fix: use 'raise' or 'clear'")
    flagged = {str(p) for p in flagged}
    touches = enterprises["parcel_id"].map(lambda v: bool(set(split_ids(v)) & flagged))
    ent, par = enterprises.copy(), parcels.copy()
    if spec.mode == "clear":
        ent = ent.loc[~touches]
        par = par.loc[~par["parcel_id"].astype(str).isin(flagged)]
    else:
        if spec.tax_per_mu is None and spec.va_per_mu is None:
            raise ValueError("raise needs a level. Fix: give tax_per_mu and/or va_per_mu (万元/亩)")
        land = pd.to_numeric(ent["land_mu"], errors="coerce")
        for col, level_value in (("tax_wan", spec.tax_per_mu), ("value_added_wan", spec.va_per_mu)):
            if level_value is None:
                continue
            floor = land * float(level_value)
            cur = pd.to_numeric(ent[col], errors="coerce")
            # only reported figures are raised: a missing one stays missing, never invented
            ent.loc[touches, col] = np.maximum(cur[touches], floor[touches])
    now = aggregate(enterprises, parcels, level=level, labels=labels).set_index("unit")
    new = aggregate(ent, par, level=level, labels=labels).set_index("unit")
    out = pd.DataFrame({"unit_name": now["unit_name"]})
    for key in ("tax_per_mu", "va_per_mu", "parcel_land_mu"):
        out[f"{key}_now"] = now[key]
        out[f"{key}_scenario"] = new[key].reindex(now.index)
        if key == "parcel_land_mu":  # a unit whose land was all cleared has 0 亩 left
            out[f"{key}_scenario"] = out[f"{key}_scenario"].fillna(0.0)
        out[f"{key}_change"] = ratio(out[f"{key}_scenario"] - out[f"{key}_now"],
                                     out[f"{key}_now"], factor=100.0)
    return out.reset_index()
