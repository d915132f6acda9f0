"""The synthetic sample in data/sample: current, deterministic, labelled, inside the sub-zones,
of plausible magnitude (规上 亩均税收 / 亩均增加值 near the plan figures of seed 001), and several
years (2021–2025) of the same enterprises with the fields county schemes use (行业代码 …)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.crs import AREA_CRS, M2_PER_MU
from geo.landuse.industry import industry_groups
from geo.landuse.model import (
    CLEARANCE_STATUSES,
    CLEARED_STATUSES,
    ENTERPRISE_FIELDS,
    PARCEL_FIELDS,
    PARCEL_STATUSES,
    SAMPLE_LABEL,
    SCALES,
)
from geo.landuse.pipeline import select_year
from geo.zones.taxonomy import canonical_tags
from tests.support.paths import ROOT

SAMPLE = ROOT / "data" / "sample"
SCRIPT = ROOT / "scripts" / "make_sample_data.py"
LABEL = "数据性质"
# optional fields the sample does not carry (权利人: for placing enterprises by holder name)
_NOT_IN_SAMPLE = {"data_label", "holder"}
PARCEL_HEADERS = [f.label for f in PARCEL_FIELDS if f.name not in _NOT_IN_SAMPLE] + [LABEL]
ENTERPRISE_HEADERS = ["统一社会信用代码", "企业名称", "宗地编号", "规模", "行业", "行业代码",
                      "年度", "税收（万元）", "工业增加值（万元）", "营业收入（万元）",
                      "综合能耗（吨标准煤）", "排放当量（吨）", "用电量（万千瓦时）",
                      "从业人员（人）", "研发经费（万元）", "用地方式", "出租方统一社会信用代码",
                      "成立年份", "免评原因", LABEL]
REGISTER_HEADERS = ["宗地编号", "状态", "面积（亩）", "年度", "备注", LABEL]
NUMERIC = ENTERPRISE_HEADERS[7:15]
YEARS = [2021, 2022, 2023, 2024, 2025]
LATEST = YEARS[-1]
# GB 32100-2015: 31-character alphabet (no I, O, S, V, Z), weights 3^i mod 31
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_data", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def _read(folder: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    parcels = gpd.read_file(folder / "parcels.gpkg", layer="parcels", engine="pyogrio")
    enterprises = pd.read_csv(folder / "enterprises.csv", dtype=str, encoding="utf-8-sig",
                              keep_default_na=False)
    register = pd.read_csv(folder / "clearance_register.csv", dtype=str, encoding="utf-8-sig",
                           keep_default_na=False)
    return parcels, enterprises, register


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator run through its command line (default seed) into a temporary folder."""
    out = tmp_path_factory.mktemp("sample")
    assert _load_script().main(["--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def sample() -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """The committed files."""
    return _read(SAMPLE)


@pytest.fixture(scope="module")
def parcels(sample) -> gpd.GeoDataFrame:
    return sample[0]


def _parsed(par: gpd.GeoDataFrame, ent: pd.DataFrame) -> pd.DataFrame:
    """Enterprises of one year with numbers parsed and each one's land in 亩 (``land_mu``).

    A parcel shared by k enterprises gives each 1/k of its land (as
    geo.landuse.metrics.enterprise_land), so the land is counted once.
    """
    ent = ent.copy()
    for col in NUMERIC:
        ent[col] = pd.to_numeric(ent[col], errors="raise")
    land = par.set_index("宗地编号")["用地面积（平方米）"] / M2_PER_MU
    sharers = ent["宗地编号"].map(ent["宗地编号"].value_counts())
    ent["land_mu"] = ent["宗地编号"].map(land) / sharers
    return ent


@pytest.fixture(scope="module")
def all_years(sample) -> pd.DataFrame:
    """Enterprise rows of every year, numbers parsed, ``land_mu`` within each year."""
    par, ent, _ = sample
    return pd.concat([_parsed(par, rows) for _, rows in ent.groupby("年度", sort=True)])


@pytest.fixture(scope="module")
def enterprises(all_years) -> pd.DataFrame:
    """The enterprises of the latest year (the one load_sample analyses)."""
    return all_years[all_years["年度"] == str(LATEST)]


def _check_char(code17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(code17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


# --- current and deterministic ------------------------------------------------------------

def test_committed_files_equal_a_fresh_run(regenerated: Path, sample) -> None:
    for name in ("enterprises.csv", "clearance_register.csv"):
        assert (regenerated / name).read_bytes() == (SAMPLE / name).read_bytes(), (
            f"data/sample/{name} is stale: run .venv/bin/python scripts/make_sample_data.py")
    fresh, committed = _read(regenerated)[0], sample[0]
    pd.testing.assert_frame_equal(fresh.drop(columns="geometry"),
                                  committed.drop(columns="geometry"))
    assert fresh.crs == committed.crs
    fresh_wkb = shapely.to_wkb(fresh.geometry.values)
    assert (fresh_wkb == shapely.to_wkb(committed.geometry.values)).all()


def test_same_seed_same_data_other_seed_other_data(catalog) -> None:
    script = _load_script()
    small = {"subzone": catalog["subzone"].iloc[:3], "district": catalog["district"]}
    a = script.generate(small, seed=11, n_parcels=150)
    b = script.generate(small, seed=11, n_parcels=150)
    c = script.generate(small, seed=12, n_parcels=150)
    assert len(a.parcels) == 150
    assert len(a.register) > 0
    pd.testing.assert_frame_equal(a.enterprises, b.enterprises)
    pd.testing.assert_frame_equal(a.register, b.register)
    pd.testing.assert_frame_equal(a.parcels, b.parcels)
    assert not a.parcels.geometry.equals(c.parcels.geometry)
    assert not a.enterprises["统一社会信用代码"].equals(c.enterprises["统一社会信用代码"])


# --- headers, labels, ids -----------------------------------------------------------------

def test_headers_and_sample_label_on_every_row(sample) -> None:
    par, ent, reg = sample
    assert list(par.columns) == PARCEL_HEADERS + ["geometry"]
    assert list(ent.columns) == ENTERPRISE_HEADERS
    assert list(reg.columns) == REGISTER_HEADERS
    for table in (par, ent, reg):
        assert (table[LABEL] == SAMPLE_LABEL).all()
    for name in ("enterprises.csv", "clearance_register.csv"):
        assert (SAMPLE / name).read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel


def test_parcel_ids_are_unique_text_with_district_prefix(parcels, sample, catalog) -> None:
    info = pyogrio.read_info(SAMPLE / "parcels.gpkg", layer="parcels")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["宗地编号"] == "object"  # stored as text, never as a number
    ids = parcels["宗地编号"]
    assert ids.is_unique
    assert ids.map(lambda v: isinstance(v, str) and len(v) == 11 and v.isdigit()).all()
    adcodes = set(catalog["district"]["adcode"])
    assert set(ids.str[:6]) <= adcodes
    assert (ids.str[6:] != "00000").all()
    assert ids.str[6:].str.startswith("0").any()  # zero-padding survives the round trip
    ent, reg = sample[1], sample[2]
    assert set(ent["宗地编号"]) <= set(ids)
    assert set(reg["宗地编号"]) <= set(ids)


def test_credit_codes_are_valid_and_unique(all_years, enterprises) -> None:
    assert enterprises["统一社会信用代码"].is_unique
    assert not all_years.duplicated(["统一社会信用代码", "年度"]).any()
    # one name and one parcel per code in every year
    per_code = all_years.groupby("统一社会信用代码")[["企业名称", "宗地编号"]].nunique()
    assert (per_code == 1).all().all()
    codes = pd.Series(all_years["统一社会信用代码"].unique())
    for code in codes:
        assert len(code) == 18, code
        assert set(code) <= set(ALPHABET), code
        assert code[:2] == "91"
        assert _check_char(code[:17]) == code[17], code
    # region code = the district of the enterprise's parcel
    assert (all_years["统一社会信用代码"].str[2:8] == all_years["宗地编号"].str[:6]).all()


def test_names_are_marked_fictional(all_years) -> None:
    names = pd.Series(all_years["企业名称"].unique())
    assert len(names) == all_years["统一社会信用代码"].nunique()  # unique per enterprise
    assert names.str.startswith("示例·").all()
    assert names.str.endswith("有限公司").all()


# --- geometry -----------------------------------------------------------------------------

def test_parcels_lie_in_one_sub_zone_and_never_overlap(parcels, catalog) -> None:
    assert parcels.crs.to_epsg() == 4326
    assert (parcels.geom_type == "Polygon").all()
    assert parcels.is_valid.all()
    sub = catalog["subzone"]
    joined = gpd.sjoin(parcels, sub[["id", "geometry"]], predicate="within", how="left")
    assert joined["id"].notna().all(), "a parcel lies outside every sub-zone"
    assert not joined.index.duplicated().any()
    geoms = parcels.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    assert (left == right).all(), "parcels intersect"
    assert joined["id"].nunique() == len(sub)  # every sub-zone has parcels


def test_parcel_areas_and_attributes(parcels) -> None:
    measured = parcels.to_crs(AREA_CRS).area
    stated = parcels["用地面积（平方米）"]
    assert np.allclose(stated, measured, rtol=0, atol=0.0051)  # 2 decimals
    mu = stated / M2_PER_MU
    assert ((mu >= 5) & (mu <= 150)).mean() > 0.95
    assert mu.min() > 4
    assert mu.max() < 200
    assert 2500 <= len(parcels) <= 3500
    far = parcels["容积率"]
    assert np.allclose(parcels["建筑面积（平方米）"], far * stated, atol=0.01)
    assert set(parcels["用地性质"]) == {"工业用地", "仓储用地"}
    assert (parcels["用地性质"] == "工业用地").mean() > 0.8
    status = parcels["生产状态"]
    assert set(status) <= set(PARCEL_STATUSES)
    assert {"正常", "在建", "停产", "半停产", "闲置"} <= set(status)
    assert 0.75 < (status == "正常").mean() < 0.95
    assert (parcels["年度"] == LATEST).all()
    supply = parcels["供地年份"]
    assert supply.between(1990, LATEST).all()
    assert 20 <= (supply >= LATEST - 1).sum() <= 300  # a few supplied within the last 2 years
    assert (supply[parcels["生产状态"] == "在建"] >= LATEST - 2).all()


# --- enterprises --------------------------------------------------------------------------

def test_occupancy(parcels, enterprises) -> None:
    per_parcel = enterprises["宗地编号"].value_counts()
    occupied = len(per_parcel)
    assert 0.9 * occupied <= len(enterprises) <= 1.4 * occupied
    assert set(per_parcel.unique()) == {1, 2, 3}
    vacant = set(parcels["宗地编号"]) - set(per_parcel.index)
    assert len(vacant) >= 100
    idle = set(parcels.loc[parcels["生产状态"] == "闲置", "宗地编号"])
    assert idle <= vacant
    assert (enterprises["年度"] == str(LATEST)).all()
    assert set(enterprises["行业"]) <= set(canonical_tags())


def test_scale_follows_the_revenue_line(enterprises) -> None:
    above = enterprises["规模"] == "规上"
    assert set(enterprises["规模"]) == set(SCALES)
    assert 0.25 <= above.mean() <= 0.45
    assert (enterprises.loc[above, "营业收入（万元）"] >= 2000).all()
    assert (enterprises.loc[~above, "营业收入（万元）"] < 2000).all()
    assert (enterprises.loc[~above, "营业收入（万元）"].median()
            < enterprises.loc[above, "营业收入（万元）"].median() / 5)


def test_above_scale_per_mu_aggregates_near_the_plan_figures(enterprises) -> None:
    """Σ税收 / Σ亩 over 规上 enterprises (shared parcels split equally): 45–70 万元/亩
    (seed 001 line 12: 56.2 in 2019; line 741: 60 by 2025), 亩均增加值 140–210 (165.2; 200)."""
    above = enterprises[enterprises["规模"] == "规上"]
    land = above["land_mu"].sum()
    assert 45 <= above["税收（万元）"].sum() / land <= 70
    assert 140 <= above["工业增加值（万元）"].sum() / land <= 210
    below = enterprises[enterprises["规模"] == "规下"]
    assert below["税收（万元）"].sum() / below["land_mu"].sum() < 25


def test_low_tail_gives_the_rules_work(parcels, enterprises) -> None:
    land = parcels.set_index("宗地编号")["用地面积（平方米）"] / M2_PER_MU
    tax = enterprises.groupby("宗地编号")["税收（万元）"].sum()
    per_mu = tax / land.reindex(tax.index)
    assert 100 <= (per_mu < 10).sum() <= 900
    assert 100 <= (per_mu < 5).sum() <= 500
    assert (per_mu > 150).sum() > 10  # and a long right tail


def test_consistent_relations(parcels, enterprises) -> None:
    e = enterprises
    va = e["工业增加值（万元）"]
    big = va >= 10  # rounding to 0.01 万元 blurs ratios of tiny figures
    rev, tax = e["营业收入（万元）"], e["税收（万元）"]
    assert (rev[big] / va[big]).between(3 - 0.01, 6 + 0.01).all()
    assert (tax[big] / va[big]).between(0.25 - 0.01, 0.45 + 0.01).all()
    assert (e[NUMERIC] >= 0).all().all()
    above = e[e["规模"] == "规上"]
    va_a = above["工业增加值（万元）"].sum()
    assert 0.5 <= va_a / above["综合能耗（吨标准煤）"].sum() <= 3
    assert 15 <= va_a / above["从业人员（人）"].sum() <= 60
    rd_share = above["研发经费（万元）"] / above["营业收入（万元）"]
    assert rd_share.between(0.01 - 1e-4, 0.05 + 1e-4).all()
    assert (e["从业人员（人）"].astype(int) >= 2).all()
    stopped = e["宗地编号"].isin(set(parcels.loc[parcels["生产状态"] == "停产", "宗地编号"]))
    assert stopped.any()  # 停产: near-zero output
    assert (e.loc[stopped, "税收（万元）"] / e.loc[stopped, "land_mu"] < 2).all()


# --- clearance register -------------------------------------------------------------------

def test_clearance_register(sample, all_years) -> None:
    par, _, reg = sample
    assert 140 <= len(reg) <= 160
    assert reg["宗地编号"].is_unique
    assert set(reg["状态"]) == set(CLEARANCE_STATUSES)
    land = (par.set_index("宗地编号")["用地面积（平方米）"] / M2_PER_MU).round(2)
    area = pd.to_numeric(reg["面积（亩）"])
    assert np.allclose(area, reg["宗地编号"].map(land), atol=0.005)
    open_ = reg["状态"].isin(["待整治", "整治中"])
    assert (reg.loc[open_, "年度"] == "").all()
    years = pd.to_numeric(reg.loc[~open_, "年度"])
    assert years.between(2022, 2026).all()
    # cleared before the latest year: no enterprise on the parcel from the year it was cleared
    # (those of the latest year are still in its data: they left during the year)
    year = pd.to_numeric(reg["年度"], errors="coerce")
    gone = reg["状态"].isin(["已收储", "已腾退"]) & (year < LATEST)
    assert gone.any()
    cleared_in = dict(zip(reg.loc[gone, "宗地编号"], year[gone].astype(int), strict=True))
    on = all_years[all_years["宗地编号"].isin(set(cleared_in))]
    assert (on["年度"].astype(int) < on["宗地编号"].map(cleared_in)).all()
    assert len(on) > 0  # the enterprise that left is in the earlier years
    cleared = area[reg["状态"].isin(CLEARED_STATUSES)].sum()
    assert 0 < cleared < 0.1 * 50000  # a tiny illustration beside the 5 万亩 target


# --- the sample built-up-share raster --------------------------------------------------------

def test_builtup_raster_is_current_and_labelled(regenerated: Path) -> None:
    import rasterio

    with rasterio.open(SAMPLE / "builtup_share.tif") as committed, \
            rasterio.open(regenerated / "builtup_share.tif") as fresh:
        assert committed.tags()["DATA_NATURE"] == SAMPLE_LABEL
        assert committed.tags()["UNIT"] == "%"
        assert committed.crs.to_epsg() == 4549
        assert committed.res == (30.0, 30.0)
        assert committed.nodata == 255
        assert fresh.transform == committed.transform
        assert (fresh.read(1) == committed.read(1)).all(), (
            "data/sample/builtup_share.tif is stale: run .venv/bin/python "
            "scripts/make_sample_data.py")
        values = committed.read(1)
    valid = values[values != 255]
    assert valid.max() <= 100
    assert (valid == 0).mean() > 0.5


def test_builtup_raster_gives_the_built_rule_work(sample) -> None:
    from geo.raster.evidence import built_share_of_parcels

    parcels = sample[0].rename(columns={"宗地编号": "parcel_id"})
    table = built_share_of_parcels(SAMPLE / "builtup_share.tif", parcels).table
    share = table.set_index("parcel_id")["built_share"]
    assert share.notna().all()                      # every sample parcel lies on the raster
    far = pd.to_numeric(sample[0].set_index("宗地编号")["容积率"])
    # parcels imagery sees as nearly empty although their declared 容积率 passes the 0.8 rule
    unseen = (share < 0.2) & (far >= 0.8)
    assert 20 <= unseen.sum() <= 300


# --- several years and the scheme fields ---------------------------------------------------

def _canonical(sample) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The committed files under the canonical field names select_year works on."""
    par, ent, _ = sample
    labels = {f.label: f.name for f in (*PARCEL_FIELDS, *ENTERPRISE_FIELDS)}
    return par.rename(columns=labels), ent.rename(columns=labels)


def test_the_sample_holds_the_years_2021_to_2025(all_years) -> None:
    assert sorted(all_years["年度"].astype(int).unique()) == YEARS
    counts = all_years.groupby("年度").size()
    assert counts.is_monotonic_increasing  # entrants outnumber the enterprises that left
    assert counts.min() >= 2500


@pytest.mark.parametrize("year", [*YEARS, None])
def test_select_year_gives_each_year(sample, year: int | None) -> None:
    par, ent = _canonical(sample)
    kept_par, kept_ent, used, report = select_year(par, ent, year=year)
    assert used == (LATEST if year is None else year)
    assert (kept_ent["year"].astype(int) == used).all()
    assert len(kept_ent) == (ent["year"].astype(int) == used).sum()
    assert kept_ent["credit_code"].is_unique
    assert len(kept_par) == len(par)  # one parcel layer, as of the latest year
    assert "分析采用" in " ".join(report["处理"])  # the other years are set aside, and said so


def test_load_sample_analyses_the_latest_year() -> None:
    from geo.landuse.pipeline import load_sample

    inputs = load_sample()
    assert inputs.year == LATEST
    assert inputs.enterprises["credit_code"].is_unique
    assert {"industry_code", "tenure", "landlord_code", "founded_year",
            "exempt_reason"} <= set(inputs.enterprises.columns)
    assert inputs.parcels["supply_year"].notna().all()


def test_industry_codes_parse_and_agree_with_the_industry(all_years) -> None:
    codes = all_years["行业代码"]
    groups = industry_groups(codes)
    assert groups["industry_group"].notna().mean() >= 0.95
    assert (groups["industry_problem"] == "").all()  # blanks are blank, nothing is garbled
    blank = codes == ""
    assert 0.003 <= blank.mean() <= 0.03
    assert codes.str.fullmatch(r"[A-T]\d{4}").any()  # 小类 with the letter: C3911
    assert codes.str.fullmatch(r"\d{4}").any()       # and plain digits: 3911
    script = _load_script()
    for tag, group in zip(all_years["行业"], groups["industry_group"], strict=True):
        if group is not None:
            assert group in {code for code, _, _ in script.INDUSTRY_CODES[tag]}, (tag, group)
    # one code per enterprise in every year
    assert (all_years.groupby("统一社会信用代码")["行业代码"].nunique() == 1).all()


def test_the_same_enterprises_recur_with_entries_and_exits(all_years) -> None:
    by_year = {y: set(all_years.loc[all_years["年度"] == str(y), "统一社会信用代码"])
               for y in YEARS}
    first, latest = by_year[YEARS[0]], by_year[LATEST]
    assert len(first & latest) >= 0.85 * len(latest)
    entered, left = latest - first, first - latest
    assert 100 <= len(entered) <= 600
    assert 20 <= len(left) <= 200
    for a, b in zip(YEARS, YEARS[1:], strict=False):  # present in every year between
        assert by_year[a] & latest <= by_year[b]
    # an enterprise appears from the year after its 成立年份 at the latest
    founded = pd.to_numeric(all_years["成立年份"])
    first_year = all_years.groupby("统一社会信用代码")["年度"].transform("min").astype(int)
    assert (founded <= first_year).all()
    new = all_years["年度"].astype(int) - founded < 2
    assert 20 <= new[all_years["年度"] == str(LATEST)].sum() <= 400  # the 新设立 rule has work


def test_figures_drift_upwards_with_noise(all_years) -> None:
    pivot = all_years.pivot_table(index="统一社会信用代码", columns="年度",
                                  values="工业增加值（万元）", aggfunc="sum")
    both = pivot[[str(YEARS[0]), str(LATEST)]].dropna()
    both = both[both.min(axis=1) > 10]
    yearly = (both[str(LATEST)] / both[str(YEARS[0])]) ** (1 / (LATEST - YEARS[0]))
    assert 1.02 <= yearly.median() <= 1.10
    assert (yearly < 1).mean() > 0.05  # some decline: classes can fall as well as rise
    above = all_years[all_years["规模"] == "规上"]
    per_mu = above.groupby("年度")["税收（万元）"].sum() / above.groupby("年度")["land_mu"].sum()
    assert per_mu.is_monotonic_increasing
    assert 1.1 <= per_mu[str(LATEST)] / per_mu[str(YEARS[0])] <= 1.6  # the +40 % target measurable
    scale_changes = above.groupby("统一社会信用代码")["年度"].count() < len(YEARS)
    assert scale_changes.any()


def test_tenants_rent_from_an_enterprise_on_their_parcel(all_years) -> None:
    tenure = all_years["用地方式"]
    assert set(tenure) == {"自有", "租赁"}
    tenants = all_years[tenure == "租赁"]
    assert 0.015 <= len(tenants) / len(all_years) <= 0.05
    assert (all_years.loc[tenure == "自有", "出租方统一社会信用代码"] == "").all()
    key = all_years.set_index(["统一社会信用代码", "年度"])["宗地编号"]
    landlord = pd.MultiIndex.from_arrays([tenants["出租方统一社会信用代码"], tenants["年度"]])
    assert landlord.isin(key.index).all()  # the landlord is in the data of the same year
    assert (key.reindex(landlord).to_numpy() == tenants["宗地编号"].to_numpy()).all()
    assert (tenants["出租方统一社会信用代码"] != tenants["统一社会信用代码"]).all()


def test_a_few_declared_exemptions(enterprises) -> None:
    reasons = enterprises["免评原因"]
    assert 3 <= (reasons != "").sum() <= 20
    assert "政策性搬迁" in set(reasons)
