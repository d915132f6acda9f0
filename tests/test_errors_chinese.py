"""Every error an official can read is Chinese by default, English with ``--lang en``.

The located errors of :mod:`geo._errors` carry their Chinese as ``zh=(problem, fix)`` where
they are raised; the AST check below fails on a raise site without it, so a new error cannot
slip in English-only. The behavioural checks provoke real failures and read what an official
reads (:func:`geo._errors.user_message`, the CLI's stderr line).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from geo._errors import DataImportError, ExportError, user_message
from geo.cli import main
from geo.labels import PARCEL_FIELD_HEADERS
from geo.landuse.pipeline import PartChoiceError, load_inputs, parse_map
from tests.support.paths import ROOT

#: The located error classes (all built on geo._errors._LocatedError).
_LOCATED = {"CatalogValidationError", "BoundaryImportError", "ExportError", "DataImportError",
            "RegisterError", "ProfileError", "StoreError", "RasterError",
            "_LocatedError"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Two English words in a row: a sentence (or part of one) left in English.
_ENGLISH = re.compile(r"[A-Za-z]{4,} [A-Za-z]{3,}")


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _located_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _called_name(n) in _LOCATED]


def _sites() -> list[tuple[str, ast.Call]]:
    return [(f"{path.relative_to(ROOT).as_posix()}:{call.lineno}", call)
            for path in sorted((ROOT / "geo").rglob("*.py")) for call in _located_calls(path)
            if path.name != "_errors.py"]


def _literal_text(node: ast.expr) -> str | None:
    """The literal text of a str constant or f-string (its constant parts); None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp):  # "..." + "..."
        parts = [_literal_text(node.left), _literal_text(node.right)]
        return "".join(p for p in parts if p is not None)
    if isinstance(node, ast.IfExp):
        parts = [_literal_text(node.body), _literal_text(node.orelse)]
        return "".join(p for p in parts if p is not None)
    return None


def _clean(message: str, *names: str) -> str:
    """``message`` without the file and folder names it quotes (they may be English)."""
    for name in sorted(names, key=len, reverse=True):
        message = message.replace(name, "")
    return message


def _assert_chinese(message: str, *names: str) -> None:
    text = _clean(message, *names)
    assert _CJK.search(text), message
    assert not _ENGLISH.search(text), message


# ----------------------------------------------------------------- every raise site has zh=


def test_there_are_raise_sites_to_check():
    assert len(_sites()) > 80


def test_every_located_error_is_raised_with_its_chinese():
    missing = [where for where, call in _sites() if not any(k.arg == "zh" for k in call.keywords)]
    assert missing == [], "give these errors zh=(problem in Chinese, fix in Chinese)"


def test_the_chinese_given_is_chinese():
    """A literal zh=(problem, fix) holds Chinese text in both (names passed on are not checked)."""
    offenders = []
    for where, call in _sites():
        zh = next(k.value for k in call.keywords if k.arg == "zh")
        if not isinstance(zh, ast.Tuple):
            continue  # passed on from another error (zh=err.zh) or a name bound above
        for part in zh.elts:
            text = _literal_text(part)
            if text is not None and not _CJK.search(text):
                offenders.append(f"{where}: {text!r}")
    assert offenders == []


def test_the_checker_finds_a_raise_without_chinese(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('raise DataImportError("bad", fix="fix it")\n'
                     'raise errors.ExportError("bad", fix="x", zh=("坏", "改"))\n'
                     'raise ValueError("not located")\n', encoding="utf-8")
    calls = _located_calls(probe)
    assert [(c.lineno, any(k.arg == "zh" for k in c.keywords)) for c in calls] == [
        (1, False), (2, True)]


# -------------------------------------------------------------- real failures read Chinese


def _parcels_csv_without_geometry(tmp_path: Path) -> Path:
    path = tmp_path / "parcels.csv"
    path.write_text(f"{PARCEL_FIELD_HEADERS['parcel_id']},{PARCEL_FIELD_HEADERS['land_area_m2']}"
                    "\nP1,1000\n", encoding="utf-8")
    return path


def test_a_parcel_csv_without_geometry_is_refused_in_chinese(tmp_path):
    path = _parcels_csv_without_geometry(tmp_path)
    with pytest.raises(DataImportError, match="no geometry") as err:
        load_inputs(path)
    message = user_message(err.value)
    assert "没有图形" in message
    assert "处理办法" in message
    _assert_chinese(message, path.name, str(path))
    assert "no geometry" in user_message(err.value, "en")


def test_a_missing_file_is_refused_in_chinese(tmp_path):
    path = tmp_path / "missing.gpkg"
    with pytest.raises(DataImportError) as err:
        load_inputs(path)
    message = user_message(err.value)
    assert "找不到文件" in message
    _assert_chinese(message, str(path))


def test_no_file_at_all_and_a_bad_map_are_refused_in_chinese():
    # still a ValueError for callers that know no more
    with pytest.raises(ValueError, match="neither parcels nor enterprises") as err:
        load_inputs(None, None)
    assert isinstance(err.value, DataImportError)
    _assert_chinese(user_message(err.value))
    with pytest.raises(DataImportError) as err:
        parse_map(["用地面积"])
    message = user_message(err.value)
    assert "--map" in message
    _assert_chinese(message, "land_area_m2")


def test_an_unknown_export_format_is_refused_in_chinese(tmp_path):
    from geo.export import export_layer

    out = tmp_path / "out.doc"
    with pytest.raises(ExportError, match="cannot tell the format") as err:
        export_layer(None, out, notes=None)  # type: ignore[arg-type]
    _assert_chinese(user_message(err.value), str(out), out.name)


def test_a_part_choice_is_said_in_chinese():
    err = PartChoiceError("parcels.gpkg", "parcel", "layer", ["first", "second"], None)
    _assert_chinese(user_message(err), "parcels.gpkg", "first", "second", "parcel_layer=")
    assert "--layer" in err.describe("zh", "--layer")
    assert "several layers" in user_message(err, "en")


def test_a_located_record_reads_in_chinese():
    err = DataImportError("duplicate parcel", file="台账.csv", feature="row 3", fix="keep one",
                          zh=("宗地重复", "每宗地只保留一行"))
    assert err.describe() == "文件 台账.csv，第 3 行：宗地重复。处理办法：每宗地只保留一行"
    assert err.describe("en") == "file 台账.csv, feature row 3: duplicate parcel. Fix: keep one"


# ------------------------------------------------------------------------------- the CLI


def _stderr_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_the_cli_says_a_missing_file_in_chinese_and_in_english_on_request(tmp_path, capsys):
    missing = tmp_path / "missing.gpkg"
    args = ["evaluate", "--parcels", str(missing), "--level", "city",
            "--out", str(tmp_path / "out.csv")]
    assert main(args) == 2
    line = _stderr_line(capsys)
    assert "错误：" in line
    assert "找不到文件" in line
    assert "处理办法：" in line
    _assert_chinese(line.split("错误：", 1)[1], str(missing))

    assert main([*args, "--lang", "en"]) == 2
    line = _stderr_line(capsys)
    assert "error: file " in line
    assert "file not found. Fix: " in line
    assert not _CJK.search(_clean(line, str(missing)))


def test_the_cli_says_a_bad_file_and_a_bad_argument_in_chinese(tmp_path, capsys):
    parcels = _parcels_csv_without_geometry(tmp_path)
    out = str(tmp_path / "out.csv")
    assert main(["lowland", "--parcels", str(parcels), "--out", out]) == 2
    line = _stderr_line(capsys)
    assert "错误：" in line
    assert "没有图形" in line
    _assert_chinese(line.split("错误：", 1)[1], str(parcels), parcels.name)

    assert main(["lowland", "--parcels", str(parcels), "--map", "用地面积", "--out", out]) == 2
    line = _stderr_line(capsys)
    assert "错误：" in line
    assert "--map" in line
    _assert_chinese(line.split("错误：", 1)[1], "land_area_m2")

    assert main(["lowland", "--parcels", str(parcels), "--out", out, "--lang", "en"]) == 2
    assert "error: file parcels.csv: no geometry" in _stderr_line(capsys)
