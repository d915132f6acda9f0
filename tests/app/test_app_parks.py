"""Park classes on screen (issue 15): the 亩均效益 block of a zone profile (园区档案) and the
park-class section of the 亩均效益 page, through AppTest."""

from __future__ import annotations

import dataclasses

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.analysis_state import UPLOADED, UPLOADED_KEY
from geo.display_format import format_number
from geo.labels import PARK_SCREEN_TEXTS, UNIT_LEVELS, column_label
from geo.landuse.model import SAMPLE_LABEL
from geo.landuse.parks import load_park_profile, park_table
from geo.landuse.pipeline import analyse, load_sample
from geo.landuse.scoring import load_profile
from tests.support.apptest import open_page

T = PARK_SCREEN_TEXTS
#: The zone emptied of enterprises in :func:`gappy`.
EMPTY = "Z02"


@pytest.fixture(scope="module")
def sample_zones(catalog):
    """The zones' park classes of the 示例数据's latest year, growth taken from the year before
    (the sample holds five years, as the page uses them)."""
    from geo.landuse.years import analyses_by_year, sample_all_years

    parcels, enterprises, label = sample_all_years()
    years = analyses_by_year(parcels, enterprises, catalog, load_profile(), data_label=label)
    latest = max(years)
    return park_table(years[latest], catalog, level="zone", profile=load_park_profile(),
                      previous=years[latest - 1])


@pytest.fixture(scope="module")
def gappy(catalog):
    """The sample as imported data (not 示例), with no enterprise in zone :data:`EMPTY`."""
    sample = load_sample()
    full = analyse(sample.parcels, sample.enterprises, catalog, load_profile(),
                   data_label="测试数据（导入）", year=sample.year)
    ent = full.enterprises[full.enterprises["zone_id"].astype(str) != EMPTY].copy()
    return dataclasses.replace(full, enterprises=ent)


def _profiles(level: str, entity: str, analysis=None):
    at = open_page("app_pages/profiles.py")
    if analysis is not None:
        at.session_state[UPLOADED] = analysis
        at.session_state[UPLOADED_KEY] = "parks-gappy"
        at.run()
    at.selectbox(key="p_level").set_value(level).run()
    at.selectbox(key="p_entity").set_value(entity).run()
    assert not at.exception, at.exception
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.usefixtures("work")
def test_zone_profile_shows_its_mu_figures_with_the_sample_warning(sample_zones):
    at = _profiles("zone", "Z01")
    shown = _metrics(at)
    z01 = sample_zones.set_index("unit").loc["Z01"]
    assert shown[T["tax"]] == format_number(z01["tax_per_mu"], 2)  # 亩均税收
    assert shown[T["va"]] == format_number(z01["va_per_mu"], 2)
    assert shown[T["low_land"]] == format_number(z01["low_eff_land_mu"], 2)
    assert shown[T["low_share"]] == f"{z01['low_eff_land_share']:.1%}"
    assert shown[T["park_class"]] == z01["park_class"]
    rank = next(m for m in at.metric if m.label == T["park_class"]).proto.delta
    assert str(int(z01["park_rank"])) in rank
    assert str(len(sample_zones)) in rank
    text = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.warning])
    assert f"{int(z01['class_A_count']):,}" in text
    assert any(SAMPLE_LABEL in str(w.value) for w in at.warning)  # 示例数据 said plainly


@pytest.mark.usefixtures("work")
def test_zone_without_enterprises_says_so_and_shows_no_figure(gappy):
    at = _profiles("zone", EMPTY, gappy)
    assert T["tax"] not in _metrics(at)
    assert any(T["no_data"].format(level=UNIT_LEVELS["zone"]) == i.value for i in at.info)
    at.selectbox(key="p_entity").set_value("Z01").run()  # a zone with data still has them
    assert T["tax"] in _metrics(at)
    assert not any(SAMPLE_LABEL in str(w.value) for w in at.warning)


@pytest.mark.usefixtures("work")
def test_subzone_profile_shows_its_mu_figures():
    at = _profiles("subzone", "Z01-01")
    assert T["tax"] in _metrics(at)


def _park_page(level: str) -> None:
    from app_pages.analysis_state import current_analysis
    from app_pages.common import get_catalog
    from app_pages.park_panel import park_section

    park_section(current_analysis(), get_catalog(), level)


@pytest.mark.usefixtures("work")
@pytest.mark.parametrize("level", ["subzone", "zone", "district", "belt"])
def test_park_section_renders_in_a_page(level, sample_zones):
    at = AppTest.from_function(_park_page, args=(level,), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == T["section_title"]
    if level == "belt":
        assert at.info
        assert not at.dataframe
        return
    table = at.dataframe[0].value
    assert {column_label(c) for c in ("unit_name", "park_class", "park_score", "park_rank",
                                      "points_tax_per_mu", "park_note")} <= set(table.columns)
    assert set(table[column_label("park_class")]) <= set("ABCD")
    assert "示意设计" in at.caption[0].value
    if level == "zone":
        expected = sample_zones[sample_zones["park_class"].notna()].sort_values(
            "park_rank", kind="stable")
        assert table[column_label("unit_name")].tolist() == expected["unit_name"].tolist()
        assert table[column_label("park_class")].tolist() == expected["park_class"].tolist()
        growth = table[column_label("tax_per_mu_growth")]
        assert growth.notna().all()  # the year before is loaded: growth is computed, not 0
