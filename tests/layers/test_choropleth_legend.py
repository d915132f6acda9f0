"""The 亩均效益 choropleth's legend: classes that never collapse to one value (issue 14).

The R&D legend read "3.0 – 3.0": quantile edges 2.95, 3.01, 3.04 printed with one decimal. Edges
are now merged where they repeat or print alike, and printed with the fewest decimals at which
they read apart; the colours on the map are those of the legend's rows.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pytest

from geo.display_format import format_number, merge_edges, short_labels, table_format
from geo.labels import CHOROPLETH_LEGEND_LABELS
from layers.efficiency import NO_DATA, PALETTE, build_choropleth, class_breaks, legend_classes


def _table(catalog, values: list[float]) -> gpd.GeoDataFrame:
    sub = catalog["subzone"].iloc[:len(values)]
    n = len(values)
    return gpd.GeoDataFrame({
        "unit": [f"U{i}" for i in range(n)], "unit_name": [f"单元{i}" for i in range(n)],
        "rd_share": values, "enterprise_count": [3] * n, "coverage_share": [1.0] * n,
        "geometry_quality": ["schematic"] * n}, geometry=sub.geometry.values, crs=sub.crs)


def _legend_rows(html: str) -> list[tuple[str, str]]:
    """(colour, text) of each legend row, as the browser reads them."""
    shown = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)
    return re.findall(r"background:(#[0-9a-f]{6});margin-right:4px'></span>([^<]*)</div>",
                      shown)


def _ranges(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [tuple(t.split(" – ")) for _c, t in rows if " – " in t]  # type: ignore[misc]


#: Quantile edges that all print "3.0" with one decimal (the R&D legend of the districts).
CLOSE = [1.0, 2.96, 2.98, 3.02, 3.04, 5.0, float("nan")]


def test_close_edges_get_decimals_not_a_collapsed_class(catalog):
    html = build_choropleth(_table(catalog, CLOSE), metric="rd_share", label="R&D经费占比",
                            unit="%", data_label="示例数据").get_root().render()
    rows = _legend_rows(html)
    ranges = _ranges(rows)
    assert len(ranges) == 5
    assert all(lo != hi for lo, hi in ranges), ranges  # never "3.0 – 3.0"
    assert len({lo for lo, _ in ranges}) == len(ranges)  # no two classes read the same
    assert ranges[1] == ("2.96", "2.98")
    assert rows[-1] == (NO_DATA, CHOROPLETH_LEGEND_LABELS["no_data"])


def test_edges_alike_at_every_precision_are_merged(catalog):
    values = [1.0, 1.000001, 1.000002, 1.000003, 2.0, 3.0]
    edges, texts = legend_classes(_table(catalog, values)["rd_share"])
    assert edges == sorted(set(edges))
    ranges = [tuple(t.split(" – ")) for t in texts[:-1]]
    assert all(lo != hi for lo, hi in ranges), texts
    assert len(set(ranges)) == len(ranges)
    assert edges[0] == 1.0  # the true bottom and top stay
    assert edges[-1] == 3.0
    assert class_breaks(_table(catalog, values)["rd_share"]) == edges


def test_one_value_everywhere_is_one_class_coloured_as_its_row(catalog):
    html = build_choropleth(_table(catalog, [3.0, 3.0, 3.0]), metric="rd_share",
                            label="R&D经费占比", unit="%", data_label="示例数据"
                            ).get_root().render()
    rows = _legend_rows(html)
    assert rows == [(PALETTE[-1], CHOROPLETH_LEGEND_LABELS["only"].format(value="3.0")),
                    (NO_DATA, CHOROPLETH_LEGEND_LABELS["no_data"])]
    assert f'"_color": "{PALETTE[-1]}"' in html


def test_map_colours_are_the_legend_colours_and_edges_have_separators(catalog):
    values = [1234.5, 2345.6, 12345.6, 23456.7, 34567.8, float("nan")]
    html = build_choropleth(_table(catalog, values), metric="rd_share", label="亩均营业收入",
                            unit="万元/亩", data_label="示例数据").get_root().render()
    rows = _legend_rows(html)
    legend_colours = {c for c, _t in rows}
    drawn = set(re.findall(r'"_color": "(#[0-9a-f]{6})"', html))
    assert drawn
    assert drawn <= legend_colours
    assert ("1,234.5", "2,123.4") in _ranges(rows)  # separators, one fixed decimal


@pytest.mark.parametrize(("edges", "expected"), [
    ([2.95, 3.01, 3.04], ([2.95, 3.01, 3.04], 2)),
    ([3.0, 3.0, 3.0], ([3.0], 1)),
    ([], ([], 1)),
    ([1.0, 1.00000001, 2.0], ([1.0, 2.0], 1)),  # merged, then one decimal
])
def test_merge_edges(edges, expected):
    assert merge_edges(edges) == expected


def test_number_formats_have_separators_and_fixed_decimals():
    assert table_format(2) == "%,.2f"
    assert table_format(0) == "%,d"
    assert table_format(0, separators=False) == "%d"
    assert format_number(1234567.891, 2) == "1,234,567.89"
    assert format_number(3, 2) == "3.00"
    assert format_number(float("nan")) == "—"
    assert format_number(None) == "—"


def test_short_labels_stay_unique_and_keep_the_subzone():
    names = ["宁波经济技术开发区·梅山片", "宁波经济技术开发区·大榭片", "前湾新区", "前湾新区"]
    short = short_labels(names, width=10)
    assert len(set(short)) == len(short)
    assert short[0].endswith("梅山片")
    assert short[1].endswith("大榭片")
    assert all(len(s) <= 10 for s in short[:2])
    assert short[2] == "前湾新区"  # a name that fits stays whole
