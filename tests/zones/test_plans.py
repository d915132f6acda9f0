"""The plans' titles, indicator tables and land figures against the cited seed lines.

The seed lines are read from ``tests/fixtures/seed_lines/<seed file>`` ("line_no<TAB>text",
written by ``scripts/extract_seed_lines.py``); tests never read ``../shared``.
"""

from __future__ import annotations

import importlib.util
import re

import pandas as pd
import pytest

from geo import labels
from geo._errors import CatalogValidationError, user_message
from geo.zones import plans
from tests.support.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "seed_lines"
S000, S001, S002, S003, S004 = ("000_ff44c4bc8aaeb92b.txt", "001_b8d3d45e2c57e28b.txt",
                                "002_196cf3041418a8c9.txt", "003_eaac2ae218f46b5d.txt",
                                "004_dd699dafe5c34cb7.txt")
_SIDE = re.compile(r"^(\d{3}_[0-9a-f]+\.txt):(\d+) (.*)$", re.S)


def _seed_lines() -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for path in sorted(FIXTURES.glob("*.txt")):
        rows = path.read_text(encoding="utf-8").split("\n")
        out[path.name] = {int(n): text for n, text in (r.split("\t", 1) for r in rows if r)}
    return out


SEEDS = _seed_lines()


def _line(seed: str, line: int) -> str:
    assert line in SEEDS[seed], f"{seed}:{line} is not in the fixture: run the extract script"
    return SEEDS[seed][line]


def _span(seed: str, first: int, last: int) -> str:
    """The seed text of lines first..last, joined, without whitespace."""
    return re.sub(r"\s", "", "".join(SEEDS[seed].get(n, "") for n in range(first, last + 1)))


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    return plans.load_indicators()


@pytest.fixture(scope="module")
def land() -> pd.DataFrame:
    return plans.load_land_figures()


@pytest.fixture(scope="module")
def decisions() -> pd.DataFrame:
    return plans.load_indicator_decisions()


# ------------------------------------------------------------------------------ fixtures


def test_fixtures_hold_exactly_the_cited_lines():
    spec = importlib.util.spec_from_file_location(
        "extract_seed_lines", ROOT / "scripts" / "extract_seed_lines.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cited = module.cited_lines()
    assert set(cited) == set(SEEDS) == {S000, S001, S002, S003, S004}
    for seed, lines in cited.items():
        assert set(SEEDS[seed]) <= lines, seed
        # every cited line is kept unless it is blank in the seed
        assert all(SEEDS[seed][n].strip() for n in SEEDS[seed])


# ------------------------------------------------------------------------------ sources


def test_one_source_row_per_seed_with_a_title_and_status():
    sources = plans.load_sources()
    assert list(sources["file"]) == [S000, S001, S002, S003, S004]
    assert dict(zip(sources["file"], sources["status"], strict=True)) == {
        S000: "征求意见稿", S001: "未注明", S002: "未注明", S003: "未注明", S004: "正式"}


def test_titles_are_copied_from_their_lines():
    for rec in plans.load_sources().to_dict("records"):
        if pd.isna(rec["title_line"]):
            assert "未载明标题" in rec["title_basis"]
            assert "推定" in rec["title_basis"]
            continue
        first = int(rec["title_line"])
        assert re.sub(r"\s", "", rec["title"]) in _span(rec["file"], first, first + 2).replace(
            "#", "")


def test_status_and_reported_document_are_on_their_lines():
    sources = plans.load_sources().set_index("file")
    assert "征求意见稿" in _line(S000, int(sources.loc[S000, "status_line"]))
    assert "印发了" in _line(S004, int(sources.loc[S004, "status_line"]))
    assert f"《{sources.loc[S004, 'reports_on']}》" in _line(S004, 11)
    assert sources.loc[S001, "title"] == "宁波市推动制造业高质量发展“十四五”规划"
    assert "《宁波市推动制造业高质量发展“十四五”规划》" in _line(S001, 2)


def test_cite_shows_the_title_never_the_file_name():
    assert plans.cite(S000, 191) == "《宁波打造全球智造创新之都行动方案》第 191 行"
    assert plans.cite("001", "741") == plans.cite("001", 741.0) == plans.cite("001", 741)
    assert plans.cite("001", 741) == "《宁波市推动制造业高质量发展“十四五”规划》第 741 行"
    assert plans.document_title(str(ROOT / S003)) == "宁波市科技创新“十四五”规划"
    shown = plans.with_citations(plans.load_land_figures())
    assert not shown["citation"].str.contains(r"_[0-9a-f]{16}\.txt").any()
    assert shown["citation"].str.match(r"^《.+》第 \d+ 行$").all()
    side = f"{S002}:55 规上工业企业亩均达到55万元"
    assert plans.cite_reference(side) == (
        "《争先进位创一流 宁波打出企业培育“组合拳”》第 55 行：规上工业企业亩均达到55万元")


@pytest.mark.parametrize(("file", "line"), [("999_0000000000000000.txt", 1), (S000, 0),
                                             (S000, 1.5), (S000, "7a"), (S000, True)])
def test_cite_refuses_in_chinese(file, line):
    with pytest.raises(CatalogValidationError) as err:
        plans.cite(file, line)
    message = user_message(err.value)
    assert "处理办法" in message
    assert re.search(r"[\u4e00-\u9fff]", message)


# ------------------------------------------------------------------------------ indicators


def test_counts_per_table(indicators):
    counts = indicators.groupby("table", sort=False).size().to_dict()
    assert counts == {"000:指标体系": 29, "001:表1-1": 16, "001:表3-1": 23, "003:表1": 18}
    assert counts == plans.INDICATOR_TABLES


def test_every_indicator_quote_is_on_its_line(indicators):
    for rec in indicators.to_dict("records"):
        assert rec["quote"] in _line(rec["seed"], int(rec["line"])), rec["indicator"]
        assert re.sub(r"\s", "", rec["indicator"]) in _span(rec["seed"], int(rec["line"]),
                                                             int(rec["line"]))


def test_values_as_written_are_in_the_rows_lines(indicators):
    for rec in indicators.to_dict("records"):
        span = _span(rec["seed"], int(rec["line"]), int(rec["line_end"]))
        for col in ("base_text", "target_text", "actual_text", "attainment", "responsible"):
            text = re.sub(r"\s", "", str(rec[col]))
            assert text in span, (rec["table"], rec["row"], col, text)


def test_numbers_come_from_their_text(indicators):
    for rec in indicators.to_dict("records"):
        for kind in ("base", "target"):
            value, text = rec[f"{kind}_value"], str(rec[f"{kind}_text"])
            if pd.notna(value):
                assert f"{value:g}" in text.replace(".0", "") or str(value) in text, (rec, kind)


def test_known_rows(indicators):
    t = indicators.set_index(["table", "row"])
    assert t.loc[("000:指标体系", 1), "indicator"] == "全部工业增加值（亿元）"
    assert t.loc[("000:指标体系", 1), ["base_value", "target_value"]].tolist() == [6298, 10000]
    assert t.loc[("000:指标体系", 28), "serial"] == "29"  # the table has no 序号 28
    assert pd.isna(t.loc[("000:指标体系", 5), "target_value"])  # 全国领先
    assert t.loc[("000:指标体系", 5), "target_text"] == "全国领先"
    assert t.loc[("001:表3-1", 4), "target_text"] == "6000以上"
    assert t.loc[("001:表3-1", 4), "target_value"] == 6000
    assert t.loc[("003:表1", 2), "base_year"] == 2019  # 1.5* is a 2019 figure
    assert (indicators.loc[indicators["table"] == "003:表1", "property"] == "预期性").all()
    assert t.loc[("001:表1-1", 2), "attainment"] == "未完成"


def test_conflicts_are_flagged_both_ways(indicators):
    flagged = indicators[indicators["conflict"] != ""]
    pairs = {(r["table"], r["indicator"]) for r in flagged.to_dict("records")}
    assert ("001:表3-1", "高新技术企业数量累计（家）") in pairs
    assert ("003:表1", "高新技术企业数量（家）") in pairs
    assert ("001:表3-1", "数字经济核心产业增加值占GDP比重（%）") in pairs
    assert ("003:表1", "数字经济核心产业增加值占 GDP 比重（%）") in pairs
    assert len(flagged) == 7


# ------------------------------------------------------------------------------ land figures


def test_land_figures_quotes_and_values(land):
    assert len(land) == 66
    assert land["value"].notna().sum() == 61
    for rec in land.to_dict("records"):
        assert rec["quote"] in _line(rec["seed"], int(rec["line"])), rec["key"]
        if pd.notna(rec["value"]):
            digits = re.sub(r"\s", "", rec["quote"])
            assert f"{rec['value']:g}" in digits, rec["key"]


def test_land_conflicts_are_flagged(land):
    by_key = land.set_index("key")
    for key in ("small_parks_built_131_001", "small_parks_built_122_001",
                "tax_per_mu_2025_001", "mu_average_2025_002"):
        assert by_key.loc[key, "conflict"], key
    assert by_key.loc["tax_per_mu_2025_001", "value"] == 60
    assert by_key.loc["mu_average_2025_002", "value"] == 55
    assert by_key.loc["strategic_parks_004", "value"] == 20
    assert by_key.loc["advantage_communities_004", "value"] == 70
    assert by_key.loc["lowland_cleared_004", ["value", "unit"]].tolist() == [5, "万亩"]


def test_plan_targets_agree_with_land_figures(land):
    targets = pd.read_csv(ROOT / "data" / "targets" / "plan_targets.csv")
    by_key = land.set_index("key")
    tax = targets.set_index("key").loc["tax_per_mu_2025"]
    assert tax["value"] == by_key.loc["tax_per_mu_2025_001", "value"]
    assert (tax["seed"], tax["line"]) == (by_key.loc["tax_per_mu_2025_001", "seed"], 741)


# ------------------------------------------------------------------------------ decisions


def test_every_decision_names_both_sides(decisions):
    for rec in decisions.to_dict("records"):
        for col in ("side_a", "side_b"):
            m = _SIDE.match(rec[col])
            if m is None:
                assert rec[col].startswith("geo/labels.py"), rec[col]
                continue
            assert m.group(3) in _line(m.group(1), int(m.group(2))), rec[col]
        assert rec["decision"].strip()
        assert rec["why"].strip()


def test_required_decisions_are_there(decisions):
    sides = [(a, b) for a, b in zip(decisions["side_a"], decisions["side_b"], strict=True)]
    assert any(a.startswith(f"{S001}:741") and b.startswith(f"{S002}:55") for a, b in sides)
    assert any(a.startswith(f"{S001}:9 ") and b.startswith(f"{S001}:12 ") for a, b in sides)
    assert any(a.startswith(f"{S000}:7 ") and b.startswith(f"{S004}:11 ") for a, b in sides)


# ------------------------------------------------------------------------------ labels, errors


def test_every_column_has_a_chinese_header(indicators, land, decisions):
    assert set(indicators.columns) <= set(labels.INDICATOR_COLUMNS)
    assert set(land.columns) <= set(labels.LAND_FIGURE_COLUMNS)
    assert set(plans.load_sources().columns) <= set(labels.SOURCE_COLUMNS)
    assert list(decisions.columns) == list(labels.INDICATOR_DECISION_COLUMNS)
    shown = labels.labelled(plans.with_citations(indicators), extra=labels.INDICATOR_COLUMNS)
    assert labels.INDICATOR_COLUMNS["citation"] in shown.columns


def _copy_with(tmp_path, name, frame):
    path = tmp_path / name
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def test_text_in_a_number_column_is_refused_in_chinese(tmp_path):
    frame = pd.read_csv(plans.INDICATORS_FILE, dtype=str, keep_default_na=False)
    frame.loc[0, "target_value"] = "≥60"
    with pytest.raises(CatalogValidationError) as err:
        plans.load_indicators(_copy_with(tmp_path, "indicators.csv", frame))
    message = user_message(err.value)
    assert "第 2 行" in message
    assert "target_value" in message
    assert "不是数字" in message


def test_bad_tables_are_refused_in_chinese(tmp_path):
    land = pd.read_csv(plans.LAND_FIGURES_FILE, dtype=str, keep_default_na=False)
    dup = pd.concat([land, land.head(1)], ignore_index=True)
    with pytest.raises(CatalogValidationError, match="twice") as err:
        plans.load_land_figures(_copy_with(tmp_path, "land.csv", dup))
    assert "编号重复" in user_message(err.value)
    with pytest.raises(CatalogValidationError) as err:
        plans.load_land_figures(_copy_with(tmp_path, "land2.csv", land.drop(columns="quote")))
    assert "缺少必需的列" in user_message(err.value)
    wrong = land.copy()
    wrong.loc[3, "seed"] = "999_0000000000000000.txt"
    with pytest.raises(CatalogValidationError) as err:
        plans.load_land_figures(_copy_with(tmp_path, "land3.csv", wrong))
    assert "第 5 行" in user_message(err.value)
    decisions = pd.read_csv(plans.DECISIONS_FILE, dtype=str, keep_default_na=False)
    decisions.loc[0, "side_b"] = ""
    with pytest.raises(CatalogValidationError) as err:
        plans.load_indicator_decisions(_copy_with(tmp_path, "d.csv", decisions))
    assert "side_b" in user_message(err.value)
    with pytest.raises(CatalogValidationError) as err:
        plans.load_sources(tmp_path / "none.csv")
    assert "表不存在" in user_message(err.value)
