"""Safe by default: the server's own settings, and spreadsheet formulas in CSV/Excel output.

* ``.streamlit/config.toml`` binds the server to this computer and keeps tracebacks out of
  the browser.
* No text cell of a CSV we write starts a line — a physical line of the file, quoted
  multi-line cells included — with ``= + - @``, however the value hides it (CR, LF, tab,
  leading spaces).
"""

from __future__ import annotations

import csv
import io
import tomllib

import pandas as pd
import pytest

from geo.export import export_layer, neutralise_formula
from geo.io.safefile import MAX_BYTES
from geo.labels import REPORT_COLUMNS, REPORT_LEVELS
from geo.zones.catalog import export_notes
from tests.support.paths import ROOT

HOSTILE = ["1\r=1+1", " =cmd", "\n@SUM(1)", "a\r\n  -2+3", "x\n+1", "\t=1", "宁波\n=HYPERLINK(1)"]
FORMULA = ("=", "+", "-", "@")


def _config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_server_listens_on_this_computer_only_by_default():
    assert _config()["server"]["address"] == "127.0.0.1"


def test_browser_never_sees_tracebacks():
    assert _config()["client"]["showErrorDetails"] == "none"


def test_upload_limit_still_matches_the_importer():
    assert _config()["server"]["maxUploadSize"] == MAX_BYTES // 2**20


def _assert_no_formula_lines(data: bytes) -> None:
    """Neither a physical line nor a parsed cell of the CSV starts with a formula character."""
    text = data.decode("utf-8-sig")
    for line in text.splitlines():  # splits at CR, LF and CRLF, as a line-based reader does
        assert not line.startswith(FORMULA), repr(line)
        assert not line.lstrip().startswith(FORMULA), repr(line)
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell.lstrip().startswith(FORMULA), repr(cell)


@pytest.mark.parametrize("value", HOSTILE)
def test_formulas_behind_whitespace_and_line_breaks_are_neutralised(value):
    out = neutralise_formula(value)
    assert isinstance(out, str)
    assert out != value
    lines = out.splitlines() or [out]
    assert not any(line.lstrip().startswith(FORMULA) for line in lines), repr(out)
    assert out.replace("'", "") == value  # only apostrophes are added: the text reads the same


@pytest.mark.parametrize("value", ["宁波", "第一行\n第二行", "a b", "2024-01", "'90年代"])
def test_harmless_text_is_left_alone(value):
    assert neutralise_formula(value) == value


def test_existing_leading_apostrophe_behaviour_is_kept():
    assert neutralise_formula("=1+1") == "'=1+1"
    assert neutralise_formula("\tcmd") == "'\tcmd"
    assert neutralise_formula("\rcmd") == "'\rcmd"
    assert neutralise_formula(-5) == -5


def test_csv_export_has_no_formula_line(catalog, tmp_path):
    zones = catalog["zone"].head(len(HOSTILE)).copy()
    zones["name"] = HOSTILE
    path = export_layer(zones, tmp_path / "z.csv", notes=export_notes())
    data = path.read_bytes()
    _assert_no_formula_lines(data)
    names = pd.read_csv(io.BytesIO(data), dtype=str, encoding="utf-8-sig")["名称"]
    assert names.str.replace("'", "").tolist() == HOSTILE  # every name is still there


def test_excel_export_has_no_formula_cell(catalog, tmp_path):
    from openpyxl import load_workbook

    zones = catalog["zone"].head(len(HOSTILE)).copy()
    zones["name"] = HOSTILE
    ws = load_workbook(export_layer(zones, tmp_path / "z.xlsx", notes=export_notes()))["数据"]
    for cell in ws["B"][1:]:
        assert cell.data_type == "s"
        assert not any(line.lstrip().startswith(FORMULA) for line in cell.value.splitlines())


def test_validation_report_csv_has_no_formula_line(tmp_path):
    """The CLI's 校验报告 (``<name>_校验报告.csv``) written with a hostile record name."""
    from geo.cli import _write_report

    rows = [("宗地.csv", i + 2, name, "名称", name, "表头未识别", "未导入该行",
             REPORT_LEVELS["error"]) for i, name in enumerate(HOSTILE)]
    report = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    path = tmp_path / "out_校验报告.csv"
    _write_report(report, path, "zh")
    _assert_no_formula_lines(path.read_bytes())


# --- review of issue 11 ----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["-5", "+3.2", "1,234.5", "-1e5"])
def test_plain_numbers_written_as_text_stay_as_typed(value):
    assert neutralise_formula(value) == value


@pytest.mark.parametrize("value", ["a\n\u3000=1", "a\r\n\t@SUM(1)", "-2+3", "+86 574 8888"])
def test_formulas_after_any_whitespace_or_line_break_are_inert(value):
    out = neutralise_formula(value)
    for line in out.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        assert line.lstrip()[:1] not in ("=", "+", "-", "@") or line.startswith("'"), out
