"""Charts and numbers of 亩均效益 and 规划指标 (issue 14), through AppTest.

* the ranking has a 名次 column (1…n, ties share a rank) and no empty rows: units without data
  are listed apart, each with why;
* every number column shows thousands separators and fixed decimals, and the headline metrics
  read like the tables;
* horizontal bars carry the value's title on the value axis, unique short names on the other,
  and the full name on hover.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from app_pages.analysis_state import UPLOADED, UPLOADED_KEY
from app_pages.charts import SHORT_WIDTH
from geo.display_format import format_number
from geo.labels import COLUMNS, INDICATOR_COLUMNS, NO_DATA_REASONS, RANKING_TEXTS, column_label
from geo.landuse.metrics import INDICATORS
from geo.landuse.pipeline import analyse, load_sample
from geo.landuse.scoring import load_profile
from geo.landuse.tables import rank_units
from tests.support.apptest import download, open_page

TAX = column_label("tax_per_mu")
#: Sub-zones given no data: one without any enterprise, one whose enterprises report no tax.
EMPTY, UNTAXED = "Z01-01", "Z01-02"


@pytest.fixture(scope="module")
def gappy(catalog):
    """The sample analysed, then one sub-zone emptied and one left without 税收."""
    sample = load_sample()
    full = analyse(sample.parcels, sample.enterprises, catalog, load_profile(),
                   data_label="测试数据（非示例）", year=sample.year)
    ent = full.enterprises[full.enterprises["subzone_id"] != EMPTY].copy()
    ent.loc[ent["subzone_id"] == UNTAXED, "tax_wan"] = np.nan
    return dataclasses.replace(full, enterprises=ent)


def _efficiency(analysis):
    at = open_page("app_pages/efficiency.py")
    at.session_state[UPLOADED] = analysis
    at.session_state[UPLOADED_KEY] = "charts-gappy"
    at.run()
    assert not at.exception, at.exception
    return at


def _config(df) -> dict:
    return json.loads(df.proto.columns)


def _charts(at) -> list:
    return list(at.get("vega_lite_chart"))


def _chart_data(chart) -> pd.DataFrame:
    return pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()


def _assert_bars_titled(chart, value_title: str) -> pd.DataFrame:
    """Value title on the (quantitative) x axis, none on the names; unique short names and
    the full name in the tooltip."""
    spec = json.loads(chart.proto.spec)
    enc = spec["encoding"]
    assert enc["x"]["type"] == "quantitative"
    assert enc["x"]["title"] == value_title  # on the value axis, not the category axis
    assert enc["y"]["type"] == "nominal"
    assert not enc["y"].get("title")
    tips = {t["field"]: t for t in enc["tooltip"]}
    data = _chart_data(chart)
    name_field = next(f for f in tips if f.strip("_") == "name")
    value_field = next(f for f in tips if f.strip("_") == "value")
    assert tips[value_field]["format"] == ",.2f"  # separators and 2 decimals on hover
    short = data[enc["y"]["field"]]
    assert short.groupby(data["_row"]).nunique().max() == 1  # one label per bar (group)
    assert short.nunique() == data["_row"].nunique()  # unique short labels
    assert short.str.len().max() <= SHORT_WIDTH + len("（2）")
    return data.assign(_full=data[name_field])


@pytest.mark.usefixtures("work")
def test_ranking_has_ranks_and_lists_units_without_data_apart(gappy):
    at = _efficiency(gappy)
    ranking = at.dataframe[0].value
    assert list(ranking.columns[:3]) == [COLUMNS["rank"], column_label("unit_name"), TAX]
    assert ranking[TAX].notna().all()  # no "None" rows
    assert len(ranking) == 55
    expected = ranking[TAX].rank(method="min", ascending=False).astype(int)
    assert ranking[COLUMNS["rank"]].tolist() == expected.tolist()
    assert ranking[COLUMNS["rank"]].iloc[0] == 1
    assert ranking[TAX].is_monotonic_decreasing
    title = RANKING_TEXTS["missing_title"].format(count=2)
    assert title in [e.label for e in at.expander]
    missing = next(d.value for d in at.dataframe if column_label("no_data_reason") in d.value)
    assert len(missing) == 2
    reasons = " ".join(missing[column_label("no_data_reason")])
    assert NO_DATA_REASONS["no_enterprise"] in reasons
    assert column_label("tax_wan") in reasons  # says which figure is missing
    # the export ranks the same way and keeps the units without data, unranked
    xlsx = download(next(b for b in at.get("download_button") if "XLSX" in b.proto.label))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert COLUMNS["rank"] in header
    assert column_label("no_data_reason") in header
    at_rank = header.index(COLUMNS["rank"])
    ranks = [r[at_rank] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert ranks[:len(ranking)] == ranking[COLUMNS["rank"]].tolist()
    assert ranks[len(ranking):] == [None, None]


@pytest.mark.usefixtures("work")
def test_number_columns_have_separators_and_fixed_decimals(gappy):
    at = _efficiency(gappy)
    ranking = at.dataframe[0]
    config = _config(ranking)
    for col in ranking.value.columns:
        if pd.api.types.is_numeric_dtype(ranking.value[col]):
            fmt = config[col]["type_config"]["format"]
            assert fmt == "percent" or fmt.startswith("%,"), (col, fmt)
    assert config[TAX]["type_config"]["format"] == "%,.2f"
    assert config[COLUMNS["rank"]]["type_config"]["format"] == "%,d"
    listed = next(d for d in at.dataframe if "统一社会信用代码" in d.value)
    cfg = _config(listed)
    for key in ("land_mu", "tax_per_mu", "va_per_mu", "score"):
        assert cfg[column_label(key)]["type_config"]["format"] == "%,.2f", key
    # the headline figure reads like the table: separators and the same decimals
    metrics = {m.label: m.value for m in at.metric}
    city_label = RANKING_TEXTS["city_metric"].format(label=INDICATORS["tax_per_mu"].label,
                                                     unit=INDICATORS["tax_per_mu"].unit)
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", metrics[city_label])
    assert metrics[RANKING_TEXTS["missing_metric"]] == "2"


@pytest.mark.usefixtures("work")
def test_ranking_chart_titles_its_value_axis_and_keeps_names_apart(gappy):
    at = _efficiency(gappy)
    ind = INDICATORS["tax_per_mu"]
    data = _assert_bars_titled(_charts(at)[0], f"{ind.label}（{ind.unit}）")
    ranking = at.dataframe[0].value
    assert data["_full"].tolist() == ranking[column_label("unit_name")].head(20).tolist()
    assert data["rank"].tolist() == ranking[COLUMNS["rank"]].head(20).tolist()


@pytest.mark.usefixtures("work")
def test_zone_names_that_truncate_alike_read_apart(gappy):
    at = _efficiency(gappy)
    at.selectbox(key="e_level").set_value("zone").run()
    assert not at.exception, at.exception
    data = _assert_bars_titled(_charts(at)[0], TAX)
    assert data["_full"].str.len().max() > SHORT_WIDTH  # long names were shortened …
    assert data["short"].is_unique  # … and stay distinct


@pytest.mark.usefixtures("work")
def test_plan_chart_titles_its_value_axis_and_years_are_plain():
    at = open_page("app_pages/plan_indicators.py")
    chart = _charts(at)[0]
    unit = at.selectbox(key="pi_unit").value
    data = _assert_bars_titled(chart, f"{INDICATOR_COLUMNS['unit']}：{unit or '（无单位）'}")
    assert set(data["_series"]) <= {INDICATOR_COLUMNS["base_value"],
                                     INDICATOR_COLUMNS["target_value"]}
    table = at.dataframe[0]
    cfg = _config(table)
    assert cfg[INDICATOR_COLUMNS["base_value"]]["type_config"]["format"] == "%,.2f"
    assert cfg[INDICATOR_COLUMNS["base_year"]]["type_config"]["format"] == "%d"  # 2020, not 2,020


def test_rank_units_shares_ranks_and_says_why_units_are_missing():
    table = pd.DataFrame({"unit": list("ABCDEF"), "unit_name": list("甲乙丙丁戊己"),
                          "tax_per_mu": [5.0, 7.0, 7.0, np.nan, 3.0, np.inf],
                          "enterprise_count": [1, 2, 3, 0, 4, 2],
                          "tax_wan": [5, 14, 21, np.nan, 12, 3],
                          "land_mu": [1, 2, 3, np.nan, 4, 0.0]})
    ranked, missing = rank_units(table, "tax_per_mu")
    assert ranked["unit"].tolist() == ["B", "C", "A", "E"]
    assert ranked["rank"].tolist() == [1, 1, 3, 4]
    assert missing["unit"].tolist() == ["D", "F"]
    assert missing["no_data_reason"].tolist() == [
        NO_DATA_REASONS["no_enterprise"],
        NO_DATA_REASONS["zero_denominator"].format(den=column_label("land_mu"))]
    assert format_number(ranked["tax_per_mu"].iloc[0], 2) == "7.00"



@pytest.mark.usefixtures("work")
def test_profile_table_areas_have_separators_and_fixed_decimals():
    at = open_page("app_pages/profiles.py")
    table = at.dataframe[0]
    cfg = _config(table)
    for key in ("planned_area_km2", "area_km2", "area_mu"):
        if column_label(key) in table.value:
            assert cfg[column_label(key)]["type_config"]["format"] == "%,.2f", key
    assert column_label("area_mu") in table.value
