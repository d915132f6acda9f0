"""The clearance register (低效用地整治台账) and its append-only audit log.

The register is an officials' file: a CSV with Chinese headers (:data:`REGISTER_HEADERS`) that
opens in Excel, one line per parcel with its status (待整治 → 整治中 → 已盘活 / 已腾退 / 已收储),
area in 亩, year and note. Every saved change appends one audit line per changed field
(:data:`AUDIT_COLUMNS`). Text a spreadsheet would evaluate is written with a leading apostrophe
and read back unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo._errors import DataImportError, RegisterError
from geo.export import csv_bytes, neutralise_formula
from geo.io.atomic import write_atomic
from geo.io.quantities import parse_year
from geo.io.tables import read_table
from geo.labels import AUDIT_HEADERS, NOTE_KEYS, NOTES_COLUMNS, NOTES_SHEET, REGISTER_HEADERS
from geo.landuse.model import CLEARANCE_STATUSES

__all__ = ["REGISTER_COLUMNS", "AUDIT_COLUMNS",
           "load_register", "update_register", "save_register", "read_audit", "register_file"]

REGISTER_COLUMNS = ("parcel_id", "status", "area_mu", "year", "note", "data_label",
                    "updated_by", "updated_at")


_EDITABLE = ("status", "area_mu", "year", "note")


AUDIT_COLUMNS = ("when", "who", "parcel_id", "field", "old", "new")


def _empty_register() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in REGISTER_COLUMNS})


def load_register(path: str | Path) -> pd.DataFrame:
    """Read the clearance register (CSV, UTF-8 or GBK); empty when the file is absent.

    The file is read through :func:`geo.io.tables.read_table` (size and content checked,
    rows numbered as the official sees them). Headers may be the Chinese ones of
    :data:`REGISTER_HEADERS` (as written by :func:`save_register`) or the English column names;
    ``年度``, ``备注``, ``数据性质`` and the update columns are optional. Years are kept as
    four digits ("2023年" reads as "2023").

    Raises
    ------
    RegisterError
        For a missing column, an unknown status, a bad area or year, or a duplicate parcel —
        naming the file, row and field.
    """
    path = Path(path)
    if not path.exists():
        return _empty_register()
    try:
        table, _ = read_table(path, formats=("csv",))
    except DataImportError as err:
        raise RegisterError(err.problem, file=str(path), feature=err.feature, field=err.field,
                            fix=err.fix, zh=err.zh) from err
    rows = table.index.to_list()
    df = pd.DataFrame(table).reset_index(drop=True).map(_restore)
    df = df.rename(columns={zh: en for en, zh in REGISTER_HEADERS.items()})
    missing = [REGISTER_HEADERS[c] for c in ("parcel_id", "status", "area_mu")
               if c not in df.columns]
    required = "、".join(REGISTER_HEADERS[c] for c in ("parcel_id", "status", "area_mu"))
    if missing:
        raise RegisterError(
            f"missing columns {missing}", file=str(path),
            fix="the register needs the columns " + "、".join(REGISTER_HEADERS.values())
            + " (宗地编号、状态、面积（亩） are required)",
            zh=(f"缺少列：{'、'.join(missing)}",
                "整治台账应有以下各列：" + "、".join(REGISTER_HEADERS.values())
                + f"（其中{required}为必填）"))
    for c in REGISTER_COLUMNS:
        if c not in df:
            df[c] = ""
    for n, row in zip(rows, df.itertuples(index=False), strict=True):
        _check_row(row._asdict(), f"row {n}", str(path))
    dup = df["parcel_id"].duplicated()
    if dup.any():
        first = rows[int(df.index[dup][0])]
        raise RegisterError("duplicate parcel", file=str(path), feature=f"row {first}",
                            field=REGISTER_HEADERS["parcel_id"],
                            fix="keep one register line per parcel",
                            zh=("宗地重复", "每宗地在台账中只保留一行"))
    df["area_mu"] = pd.to_numeric(df["area_mu"])
    df["year"] = df["year"].map(_normal_year)
    return df[list(REGISTER_COLUMNS)].reset_index(drop=True)


def _check_row(row: Mapping[str, object], where: str, file: str) -> None:
    """Refuse a register line without id, with an unknown status, a bad area or year."""
    if not str(row["parcel_id"]).strip():
        raise RegisterError("empty parcel id", file=file, feature=where,
                            field=REGISTER_HEADERS["parcel_id"],
                            fix="fill in the 宗地编号 or delete the row",
                            zh=("宗地编号为空", "请填写宗地编号，或删除该行"))
    if row["status"] not in CLEARANCE_STATUSES:
        raise RegisterError(f"unknown status {row['status']!r}", file=file, feature=where,
                            field=REGISTER_HEADERS["status"],
                            fix=f"use one of {'/'.join(CLEARANCE_STATUSES)}",
                            zh=(f"未知状态 {row['status']!r}",
                                f"请使用以下状态之一：{'/'.join(CLEARANCE_STATUSES)}"))
    area = pd.to_numeric(row["area_mu"], errors="coerce")
    if pd.isna(area) or area <= 0:
        raise RegisterError(f"area {row['area_mu']!r} is not a positive number", file=file,
                            feature=where, field=REGISTER_HEADERS["area_mu"],
                            fix="give the parcel's area in 亩",
                            zh=(f"面积 {row['area_mu']!r} 不是正数", "请填写该宗地的面积（亩）"))
    if not _is_year(row["year"]):
        raise RegisterError(f"year {row['year']!r} is not a year", file=file, feature=where,
                            field=REGISTER_HEADERS["year"],
                            fix="give a four-digit year (e.g. 2025) or leave it empty",
                            zh=(f"年度 {row['year']!r} 不是有效年份",
                                "请填写四位数年份（如 2025），或留空"))


def _year_text(value: object) -> str:
    """Return a year cell as text: 2025, 2025.0 and "2025" give "2025"; empty stays ""."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _normal_year(value: object) -> str:
    """Return a valid year cell as four digits ("2023年" → "2023"); empty stays ""."""
    year, _ = parse_year(_year_text(value))
    return "" if year is None else str(year)


def _is_year(value: object) -> bool:
    """Apply the one year rule of :func:`geo.io.quantities.parse_year` (empty is allowed)."""
    _, problem = parse_year(_year_text(value))
    return not problem


def _inert_cell(value: object) -> object:
    """Prefix text a spreadsheet would evaluate with an apostrophe.

    Text that already starts with one gets another, so that :func:`_restore` is an exact
    inverse.
    """
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


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write the register as CSV (UTF-8 with BOM, opens in Excel), atomically."""
    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            df.to_csv(fh, index=False, quoting=csv.QUOTE_MINIMAL)
    write_atomic(path, write)


def _check_change(change: Mapping[str, object], pid: str) -> None:
    """Refuse an edit with an unknown status, a bad year or a non-positive area."""
    where = f"parcel {pid}"
    status = change.get("status")
    if status is not None and status not in CLEARANCE_STATUSES:
        raise RegisterError(f"unknown status {status!r}", feature=where,
                            field=REGISTER_HEADERS["status"],
                            fix=f"use one of {'/'.join(CLEARANCE_STATUSES)}",
                            zh=(f"未知状态 {status!r}",
                                f"请使用以下状态之一：{'/'.join(CLEARANCE_STATUSES)}"))
    year = change.get("year")
    if not _is_year(year):
        raise RegisterError(f"year {year!r} is not a year", feature=where,
                            field=REGISTER_HEADERS["year"],
                            fix="give a four-digit year (e.g. 2025) or leave it empty",
                            zh=(f"年度 {year!r} 不是有效年份",
                                "请填写四位数年份（如 2025），或留空"))
    if "area_mu" in change:
        area = pd.to_numeric(change["area_mu"], errors="coerce")
        if pd.isna(area) or area <= 0:
            raise RegisterError(f"area {change['area_mu']!r} is not positive", feature=where,
                                field=REGISTER_HEADERS["area_mu"], fix="give the area in 亩",
                                zh=(f"面积 {change['area_mu']!r} 不是正数",
                                    "请填写面积（亩）"))


def _apply_fields(reg: pd.DataFrame, i: int, change: Mapping[str, object]
                  ) -> list[dict[str, str]]:
    """Write the editable fields of ``change`` into row ``i``; one (field, old, new) per change."""
    edits = []
    for field, value in change.items():
        if field not in _EDITABLE:
            continue
        old = reg.at[i, field]
        new: Any = "" if value is None or (isinstance(value, float) and np.isnan(value)) \
            else value
        if field == "year":
            new = _normal_year(new)
        same = (str(old) == str(new)) or (field == "area_mu" and pd.notna(old) and old != ""
                                          and float(old) == float(new))
        if same:
            continue
        reg.at[i, field] = float(new) if field == "area_mu" else new
        edits.append({"field": field, "old": "" if old is None else str(old), "new": str(new)})
    return edits


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
        raise RegisterError("who made the change is not given",
                            field=REGISTER_HEADERS["updated_by"], fix="enter your name (经办人)",
                            zh=("未填写修改人", "请填写经办人姓名"))
    stamp = (when or dt.datetime.now()).isoformat(timespec="seconds")
    reg = register.copy().astype({"area_mu": float}) if len(register) else _empty_register()
    audit = []
    for change in changes:
        pid = str(change["parcel_id"])
        _check_change(change, pid)
        hit = reg.index[reg["parcel_id"] == pid]
        if len(hit) == 0 and (change.get("status") is None or "area_mu" not in change):
            raise RegisterError("is new to the register and needs a status and an area",
                                feature=f"parcel {pid}", fix="give 状态 and 面积（亩）",
                                zh=("该宗地在台账中尚无记录，新增时须填写状态和面积",
                                    f"请填写{REGISTER_HEADERS['status']}和"
                                    f"{REGISTER_HEADERS['area_mu']}"))
        if len(hit) == 0:
            reg = pd.concat([reg, pd.DataFrame([{c: "" for c in REGISTER_COLUMNS}
                                                | {"parcel_id": pid, "data_label": data_label}])],
                            ignore_index=True)
            hit = reg.index[reg["parcel_id"] == pid]
            audit.append({"when": stamp, "who": who, "parcel_id": pid, "field": "(新增)",
                          "old": "", "new": "纳入台账"})
        i = hit[0]
        audit += [{"when": stamp, "who": who, "parcel_id": pid, **edit}
                  for edit in _apply_fields(reg, i, change)]
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
    _write_csv(_inert(register[list(REGISTER_COLUMNS)]).rename(columns=REGISTER_HEADERS),
                      path)


def read_audit(path: str | Path) -> pd.DataFrame:
    """Read the audit log, newest change first, as written by :func:`save_register`.

    Returns an empty table with :data:`AUDIT_COLUMNS` when the log does not exist yet. Cells
    are text; the apostrophe that makes formula-like text inert is removed again.

    Raises
    ------
    RegisterError
        If the log cannot be read as CSV, naming the file and the fix.
    """
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=list(AUDIT_COLUMNS))
    try:
        log = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise RegisterError(f"the audit log cannot be read ({type(exc).__name__})",
                            file=str(path), fix="restore the log from a backup; the register "
                            "itself is unaffected",
                            zh=(f"修改记录无法读取（{type(exc).__name__}）",
                                "请从备份恢复修改记录；整治台账本身不受影响")) from exc
    return log.map(_restore).iloc[::-1].reset_index(drop=True)


def register_file(register: pd.DataFrame, audit: pd.DataFrame, fmt: str, *,
                  data_label: str) -> bytes:
    """Return the register and its audit log as a file an official opens in Excel.

    ``fmt`` is ``"csv"`` (the register only, UTF-8 with BOM) or ``"xlsx"`` (sheets 整治台账,
    审计日志 and 说明). Every text cell a spreadsheet would evaluate — also after a CR, LF or
    leading spaces — is made inert (:func:`geo.export.neutralise_formula`).
    """
    reg = register[list(REGISTER_COLUMNS)].map(neutralise_formula).rename(
        columns=REGISTER_HEADERS)
    if fmt == "csv":
        return csv_bytes(reg)
    if fmt != "xlsx":
        raise RegisterError(f"unknown format {fmt!r}", field="format", fix="use csv or xlsx",
                            zh=(f"不支持的格式 {fmt!r}", "请使用 csv 或 xlsx"))
    log = audit[list(AUDIT_COLUMNS)].map(neutralise_formula).rename(columns=AUDIT_HEADERS)
    key, value = NOTES_COLUMNS["zh"]
    notes = pd.DataFrame({key: [NOTE_KEYS["nature"], NOTE_KEYS["exported_at"], NOTE_KEYS["rows"]],
                          value: [neutralise_formula(data_label),
                                  dt.datetime.now().isoformat(timespec="seconds"),
                                  f"整治台账 {len(reg)} 行（每宗地一行）；审计日志 {len(log)} 行"
                                  "（按时间倒序，每项修改一行）"]})
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as book:
        reg.to_excel(book, sheet_name="整治台账", index=False)
        log.to_excel(book, sheet_name="审计日志", index=False)
        notes.to_excel(book, sheet_name=NOTES_SHEET["zh"], index=False)
    return buf.getvalue()
