"""Reading a workbook leaves the process-wide warning filters as another thread sees them.

Streamlit runs each session in its own thread, and parcels are read beside enterprises in a
second one: ``warnings.catch_warnings`` saves and restores the one filter list of the process,
so two reads at once could undo each other's filters or leave one behind for good.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import openpyxl

from geo.io.tables import read_table

_NO_STYLES = (b'<?xml version="1.0" encoding="UTF-8"?><styleSheet '
              b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')


def _workbook_without_styles(tmp_path: Path) -> Path:
    """An .xlsx whose stylesheet is empty: openpyxl warns (UserWarning) and uses its own."""
    plain, path = tmp_path / "plain.xlsx", tmp_path / "无样式.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["宗地编号", "用地面积"])
    wb.active.append(["P1", 1000])
    wb.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as out:
        for name in src.namelist():
            out.writestr(name, _NO_STYLES if name == "xl/styles.xml" else src.read(name))
    return path


def test_openpyxl_skipping_styles_is_not_shown_to_the_user(tmp_path):
    path = _workbook_without_styles(tmp_path)
    with warnings.catch_warnings(record=True) as log:  # the filters as they are, recorded
        frame, _ = read_table(path)
    assert frame.to_dict("records") == [{"宗地编号": "P1", "用地面积": "1000"}]
    assert not [w for w in log if "stylesheet" in str(w.message)]


def test_the_filters_seen_while_a_workbook_is_read_are_the_ones_left_after(tmp_path,
                                                                           monkeypatch):
    path = _workbook_without_styles(tmp_path)
    real, seen = openpyxl.load_workbook, []

    def watched(*args, **kwargs):
        seen.append(list(warnings.filters))  # what any other thread sees at this moment
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", watched)
    with warnings.catch_warnings():
        read_table(path)
        read_table(path)
        after = list(warnings.filters)
    assert seen == [after, after]
