"""The register and its audit log as files (issue 11): formula- and CR-safe."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd

from geo.landuse.register import register_file, update_register

PAYLOADS = ["1\r=1+1", "=cmd|' /C calc'!A0", " @SUM(1)", "备注\n-2+3"]


def _register():
    base = pd.DataFrame(columns=["parcel_id", "status", "area_mu", "year", "note",
                                 "data_label", "updated_by", "updated_at"])
    rows = [{"parcel_id": f"P{i}", "status": "待整治", "area_mu": 3.0, "note": p}
            for i, p in enumerate(PAYLOADS)]
    return update_register(base, rows, who="+张三")


def test_the_csv_never_starts_a_line_or_a_cell_with_a_formula():
    reg, audit = _register()
    data = register_file(reg, audit, "csv", data_label="测试").decode("utf-8-sig")
    for line in data.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        assert line[:1] not in ("=", "+", "-", "@"), line
    rows = list(csv.reader(io.StringIO(data)))
    assert len(rows) == 1 + len(PAYLOADS)  # a CR inside a note never splits its row
    for row in rows[1:]:
        for cell in row:
            assert cell.lstrip(" \t\r\n")[:1] not in ("=", "+", "-", "@"), cell


def test_the_workbook_holds_register_audit_and_notes_all_inert():
    reg, audit = _register()
    book = openpyxl.load_workbook(io.BytesIO(register_file(reg, audit, "xlsx",
                                                           data_label="=HYPERLINK(1)")))
    assert book.sheetnames == ["整治台账", "审计日志", "说明"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert not (isinstance(c.value, str) and c.value[:1] in "=+-@"), c.value
    assert book["审计日志"].max_row == len(audit) + 1
